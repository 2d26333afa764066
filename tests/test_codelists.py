"""The national code lists: complete per DOMAIN.md, labelled and defined, published as SKOS, and
covering every label that real data.police.uk exports use."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from linkml_runtime.utils.schemaview import SchemaView
from rdflib import RDF, SKOS, Graph, Literal, URIRef

from policeonto.build.skos import scheme_iri
from tests.conftest import POLICE_UK

CODE = "https://w3id.org/policeonto/code/"

FORCES = [
    "avon-and-somerset",
    "bedfordshire",
    "btp",
    "cambridgeshire",
    "cheshire",
    "city-of-london",
    "cleveland",
    "cumbria",
    "derbyshire",
    "devon-and-cornwall",
    "dorset",
    "durham",
    "dyfed-powys",
    "essex",
    "gloucestershire",
    "greater-manchester",
    "gwent",
    "hampshire",
    "hertfordshire",
    "humberside",
    "kent",
    "lancashire",
    "leicestershire",
    "lincolnshire",
    "merseyside",
    "metropolitan",
    "norfolk",
    "north-wales",
    "north-yorkshire",
    "northamptonshire",
    "northumbria",
    "nottinghamshire",
    "northern-ireland",
    "south-wales",
    "south-yorkshire",
    "staffordshire",
    "suffolk",
    "surrey",
    "sussex",
    "thames-valley",
    "warwickshire",
    "west-mercia",
    "west-midlands",
    "west-yorkshire",
    "wiltshire",
]


def _values(view: SchemaView, enum: str) -> dict:
    return view.get_enum(enum).permissible_values


@pytest.mark.parametrize(
    ("enum", "size"),
    [
        ("CrimeType", 16),
        ("CrimeOutcomeCategory", 28),
        ("StopSearchType", 3),
        ("ObjectOfSearch", 11),
        ("StopSearchOutcome", 7),
        ("AgeRange", 5),
        ("SelfDefinedEthnicity", 19),
        ("SelfDefinedEthnicity16", 17),
        ("EthnicAppearance", 7),
        ("PoliceForceCode", 45),
        ("SecurityClassification", 3),
        ("MopiRetentionGroup", 3),
    ],
)
def test_code_list_sizes(view: SchemaView, enum: str, size: int) -> None:
    assert len(_values(view, enum)) == size


def test_every_force_of_data_police_uk(view: SchemaView) -> None:
    assert set(_values(view, "PoliceForceCode")) == set(FORCES)
    assert _values(view, "PoliceForceCode")["metropolitan"].title == "Metropolitan Police Service"


@pytest.mark.parametrize(
    ("enum", "old", "code"),
    [
        ("CrimeOutcomeCategory", "Offender sentenced as part of another case", "sentenced-in-another-case"),
        ("CrimeOutcomeCategory", "Offender given community penalty", "community-penalty"),
        ("CrimeOutcomeCategory", "Offender imprisoned", "imprisoned"),
        ("CrimeOutcomeCategory", "Suspect found not guilty", "not-guilty"),
        ("CrimeOutcomeCategory", "No further action", "no-further-action"),
        ("StopSearchOutcome", "Nothing found - no further action", "no-further-action"),
        ("StopSearchOutcome", "Suspect arrested", "arrest"),
        ("StopSearchOutcome", "Offender given drugs possession warning", "drugs-warning"),
        ("StopSearchOutcome", "Offender given penalty notice", "penalty-notice-for-disorder"),
        ("StopSearchOutcome", "Local resolution", "community-resolution"),
        ("StopSearchOutcome", "Suspect summonsed to court", "summons"),
        ("StopSearchOutcome", "Offender cautioned", "caution"),
        ("SelfDefinedEthnicity", "White - White British (W1)", "W1"),
        ("SelfDefinedEthnicity", "Chinese or other ethnic group - Chinese (O1)", "A4"),
        ("SelfDefinedEthnicity", "Not Stated (NS)", "NS"),
    ],
)
def test_older_labels_are_alternative_labels_of_the_same_code(
    codelists: Graph, view: SchemaView, enum: str, old: str, code: str
) -> None:
    meaning = URIRef(view.expand_curie(_values(view, enum)[code].meaning))
    assert (meaning, SKOS.altLabel, Literal(old, lang="en")) in codelists


def test_legislation_codes_are_legislation_gov_uk_iris(view: SchemaView) -> None:
    values = _values(view, "Legislation")
    assert len(values) >= 6
    assert view.expand_curie(values["misuse-of-drugs-act-1971-s23"].meaning) == (
        "http://www.legislation.gov.uk/id/ukpga/1971/38/section/23"
    )
    assert all(
        view.expand_curie(v.meaning).startswith("http://www.legislation.gov.uk/id/ukpga/") for v in values.values()
    )


def test_16_plus_1_corresponds_to_18_plus_1(codelists: Graph) -> None:
    sde, sde16 = CODE + "self-defined-ethnicity/", CODE + "self-defined-ethnicity-16/"
    assert (URIRef(sde16 + "O1"), SKOS.exactMatch, URIRef(sde + "A4")) in codelists
    assert (URIRef(sde16 + "W9"), SKOS.narrowMatch, URIRef(sde + "W3")) in codelists
    assert (URIRef(sde16 + "O9"), SKOS.narrowMatch, URIRef(sde + "O2")) in codelists
    mapped = {
        s
        for s in codelists.subjects(None, None)
        if str(s).startswith(sde16)
        and any(codelists.triples((s, p, None)) for p in (SKOS.exactMatch, SKOS.narrowMatch))
    }
    assert len(mapped) == 17


def test_every_element_has_a_label_and_a_definition(view: SchemaView) -> None:
    missing = []
    for kind, elements in (("class", view.all_classes()), ("slot", view.all_slots()), ("enum", view.all_enums())):
        for name, element in elements.items():
            if not element.title or not element.description:
                missing.append(f"{kind} {name}")
    for name, enum in view.all_enums().items():
        missing += [
            f"code {name}.{t}"
            for t, pv in enum.permissible_values.items()
            if not pv.title or not pv.description or not pv.meaning
        ]
    for name, t in view.all_types().items():
        if t.typeof and (not t.title or not t.description):
            missing.append(f"type {name}")
    assert missing == []


def test_skos_concepts_are_complete(codelists: Graph, view: SchemaView) -> None:
    for enum in view.all_enums().values():
        scheme = scheme_iri(view, enum)
        assert (scheme, RDF.type, SKOS.ConceptScheme) in codelists
        members = set(codelists.subjects(SKOS.inScheme, scheme))
        assert members == {URIRef(view.expand_curie(pv.meaning)) for pv in enum.permissible_values.values()}
        for concept in members:
            for predicate in (SKOS.prefLabel, SKOS.notation, SKOS.definition):
                assert codelists.value(concept, predicate) is not None, (concept, predicate)


def _column_labels(kind: str, column: str) -> set[str]:
    labels = set()
    for path in sorted((POLICE_UK / kind).glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            labels |= {row[column] for row in csv.DictReader(handle) if row[column]}
    return labels


@pytest.mark.parametrize(
    ("kind", "column", "enum"),
    [
        ("street", "Crime type", "CrimeType"),
        ("street", "Last outcome category", "CrimeOutcomeCategory"),
        ("outcomes", "Outcome type", "CrimeOutcomeCategory"),
        ("stop-and-search", "Type", "StopSearchType"),
        ("stop-and-search", "Gender", "Gender"),
        ("stop-and-search", "Age range", "AgeRange"),
        ("stop-and-search", "Self-defined ethnicity", "SelfDefinedEthnicity"),
        ("stop-and-search", "Officer-defined ethnicity", "OfficerDefinedEthnicity"),
        ("stop-and-search", "Legislation", "Legislation"),
        ("stop-and-search", "Object of search", "ObjectOfSearch"),
        ("stop-and-search", "Outcome", "StopSearchOutcome"),
        ("street", "Reported by", "PoliceForceCode"),
    ],
)
def test_real_export_labels_are_known(kind: str, column: str, enum: str, codelists: Graph, view: SchemaView) -> None:
    """Every value in the real data.police.uk files is the preferred or an alternative label of a code."""
    if not (POLICE_UK / kind).is_dir():
        pytest.skip(f"{POLICE_UK / kind} is not present")
    scheme = scheme_iri(view, view.get_enum(enum))
    known = {
        str(label)
        for concept in codelists.subjects(SKOS.inScheme, scheme)
        for predicate in (SKOS.prefLabel, SKOS.altLabel)
        for label in codelists.objects(concept, predicate)
    }
    labels = _column_labels(kind, column)
    assert labels
    assert labels - known == set()


def test_real_data_directory_is_present() -> None:
    assert Path(POLICE_UK / "street").is_dir(), "the shared real test data should sit beside the project"
