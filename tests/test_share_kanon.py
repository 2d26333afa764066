"""k-anonymity: records of equivalence classes under k are suppressed, links to them withheld, every
suppression counted; on the force examples and a real data.police.uk file (exact counts), in the manifest,
in the proof (a copy with a class under k is refused), and for generated records and agreements."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal

from policeonto.errors import ShareRefusedError
from policeonto.sharing import Agreement
from policeonto.sharing.kanon import K_ANONYMITY, equivalence_classes, small_classes
from policeonto.sharing.keys import AgreementKey
from policeonto.sharing.manifest import SHARE
from policeonto.sharing.model import vocabulary_facts
from policeonto.sharing.proof import check_copy
from policeonto.sharing.records import read_records_for_share
from policeonto.sharing.share import Copy, make_copy, share
from policeonto.terms import RDF_TYPE, literal
from tests.conftest import ROOT
from tests.share_agreements import SAFEGUARDING, P, iris

TODAY = date(2026, 12, 5)
KEY = bytes(range(32))
FORCE_A = sorted((ROOT / "examples" / "force-a").glob("*.csv"))
CITY = ROOT.parent / "shared" / "data" / "police-uk" / "stop-and-search" / "2020-03-city-of-london-stop-and-search.csv"
RECORDS = vocabulary_facts().records

#: The safeguarding partnership with people's involvements and searches too, and k over what they carry.
WIDER = replace(
    SAFEGUARDING,
    classes=SAFEGUARDING.classes | iris("PersonInvolvement StopAndSearch"),
    properties=SAFEGUARDING.properties | iris("age_range self_defined_ethnicity"),
)
BY_AGE_AND_GENDER = replace(WIDER, k=3, quasi_identifiers=(P + "date_of_birth", P + "gender"))
BY_SEARCH = replace(WIDER, k=5, quasi_identifiers=(P + "age_range", P + "gender", P + "self_defined_ethnicity"))


def _copy(paths: list[Path], agreement: Agreement) -> Copy:
    records = read_records_for_share(paths).triples
    return make_copy(records, agreement, key=AgreementKey.derive(KEY, agreement.iri), today=TODAY)


def _sizes(copy: pl.DataFrame, agreement: Agreement) -> pl.Series:
    return equivalence_classes(copy, agreement.quasi_identifiers, records=RECORDS).get_column("size")


@pytest.fixture(scope="module")
def force_a() -> pl.DataFrame:
    return read_records_for_share(FORCE_A).triples


def test_force_a_people_in_classes_under_k_are_suppressed_with_their_links(force_a: pl.DataFrame) -> None:
    key = AgreementKey.derive(KEY, BY_AGE_AND_GENDER.iri)
    plain = make_copy(force_a, replace(BY_AGE_AND_GENDER, k=None), key=key, today=TODAY)
    small = small_classes(plain.triples, BY_AGE_AND_GENDER.quasi_identifiers, 3, records=RECORDS)
    assert small.height == 13  # people whose age band and gender fewer than 3 share
    copy = make_copy(force_a, BY_AGE_AND_GENDER, key=key, today=TODAY)
    assert copy.withheld == plain.withheld + Counter({K_ANONYMITY: 13, "link-to-withheld": 47})
    # 105 more than before the 35 people planted for linkage (each with a name and a link to a crime), and 27
    # more than that since the vehicles and addresses planted for linkage (13 locations, 14 objects)
    assert (plain.records_shared, copy.records_shared) == (2485, 2425)  # 60 fewer: 13 people, 47 links
    sizes = _sizes(copy.triples, BY_AGE_AND_GENDER)
    assert (sizes.len(), sizes.min()) == (322, 4)  # 335 people less the 13 withheld; no class under 3
    terms = set(copy.triples.get_column("s").to_list()) | set(copy.triples.get_column("o").to_list())
    assert not terms & set(small.get_column("s").to_list()), "no triple names a suppressed person"
    linked = copy.triples.filter(pl.col("p").is_in([f"<{P}person>", f"<{P}event>"])).get_column("o")
    assert linked.is_in(copy.triples.get_column("s")).all(), "every link left joins a record in the copy"


def test_a_real_stop_and_search_file_under_k_5() -> None:
    copy = _copy([CITY], BY_SEARCH)
    assert copy.withheld[K_ANONYMITY] == 79  # involvements: age range, gender and ethnicity shared by < 5
    sizes = _sizes(copy.triples, BY_SEARCH)
    assert (sizes.len(), sizes.min()) == (92, 5)  # 171 searched people's involvements, 79 suppressed
    assert copy.records_shared == 434  # 171 searches, 171 people, 92 involvements


def test_the_proof_refuses_a_copy_with_a_class_under_k(force_a: pl.DataFrame) -> None:
    plain = make_copy(
        force_a, replace(BY_AGE_AND_GENDER, k=None), key=AgreementKey.derive(KEY, BY_AGE_AND_GENDER.iri), today=TODAY
    )
    with pytest.raises(ShareRefusedError) as caught:
        check_copy(plain.triples, BY_AGE_AND_GENDER)
    assert caught.value.rule == K_ANONYMITY and caught.value.predicate == f"{P}date_of_birth"
    assert '"' not in str(caught.value), "the refusal names no value"


def test_the_manifest_counts_the_suppressed(tmp_path: Path) -> None:
    result = share([CITY], BY_SEARCH, tmp_path / "copy.nt", key=KEY, today=TODAY)
    manifest = Graph().parse(result.manifest)
    counts = {
        str(manifest.value(node, SHARE.reason)): manifest.value(node, SHARE["count"]).toPython()
        for node in manifest.objects(None, SHARE.withheld)
    }
    assert counts == {K_ANONYMITY: 79, "class-not-permitted": 66}  # and the points: no class of them permitted
    assert (None, SHARE.recordsShared, Literal(434)) in manifest


# Generated: people with a gender and a date of birth, involvements (carrying an age range and gender) with
# crimes; agreements with k over some of them. Every copy's classes have k or more members, every link in it
# joins, and every record that k kept from leaving is counted.

_GENDERS = [f"<{P}code/gender/{g}>" for g in ("female", "male")]
_RANGES = [f"<{P}code/age-range/{r}>" for r in ("10-17", "18-24", "25-34")]


@st.composite
def _records(draw: st.DrawFn) -> pl.DataFrame:
    rows: list[tuple[str, str, str]] = []
    people = draw(st.integers(1, 12))
    for i in range(people):
        person = f"<https://example.org/x/person-{i}>"
        rows.append((person, RDF_TYPE, f"<{P}Person>"))
        if draw(st.booleans()):
            rows.append((person, f"<{P}gender>", draw(st.sampled_from(_GENDERS))))
        if draw(st.booleans()):
            born = draw(st.dates(date(1950, 1, 1), date(2010, 12, 31))).isoformat()
            rows.append(
                (person, f"<{P}date_of_birth>", literal(born, datatype="http://www.w3.org/2001/XMLSchema#date"))
            )
    for j in range(draw(st.integers(1, 3))):
        crime = f"<https://example.org/x/crime-{j}>"
        rows.append((crime, RDF_TYPE, f"<{P}Crime>"))
        for i in draw(st.sets(st.integers(0, people - 1), max_size=6)):
            link = f"<https://example.org/x/link-{i}-{j}>"
            rows += [
                (link, RDF_TYPE, f"<{P}PersonInvolvement>"),
                (link, f"<{P}person>", f"<https://example.org/x/person-{i}>"),
                (link, f"<{P}event>", crime),
            ]
            if draw(st.booleans()):
                rows.append((link, f"<{P}age_range>", draw(st.sampled_from(_RANGES))))
            if draw(st.booleans()):
                rows.append((link, f"<{P}gender>", draw(st.sampled_from(_GENDERS))))
    return pl.DataFrame(rows, schema=dict.fromkeys("spo", pl.String), orient="row")


@st.composite
def _agreements(draw: st.DrawFn) -> Agreement:
    quasi = draw(st.lists(st.sampled_from(["gender", "date_of_birth", "age_range"]), min_size=1, unique=True))
    return replace(
        SAFEGUARDING,
        iri="https://example.org/agreement/k-" + draw(st.text(alphabet="abc", min_size=1, max_size=3)),
        classes=iris("Person PersonInvolvement Crime"),
        properties=iris("person event gender date_of_birth age_range"),
        k=draw(st.integers(1, 5)),
        quasi_identifiers=tuple(P + q for q in quasi),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_records(), _agreements())
def test_generated_copies_are_k_anonymous_and_count_what_they_suppress(
    records: pl.DataFrame, agreement: Agreement
) -> None:
    key = AgreementKey.derive(KEY, agreement.iri)
    assert agreement.k is not None
    copy = make_copy(records, agreement, key=key, today=TODAY)
    plain = make_copy(records, replace(agreement, k=None), key=key, today=TODAY)
    sizes = _sizes(copy.triples, agreement)
    assert sizes.len() == 0 or sizes.min() >= agreement.k
    linked = copy.triples.filter(pl.col("p").is_in([f"<{P}person>", f"<{P}event>"])).get_column("o")
    assert linked.is_in(copy.triples.get_column("s")).all()
    assert plain.records_shared - copy.records_shared == (copy.withheld - plain.withheld).total()
    check_copy(copy.triples, agreement)  # the proof agrees


def test_a_dry_run_counts_what_k_took_out_field_by_field(force_a: pl.DataFrame) -> None:
    key = AgreementKey.derive(KEY, BY_AGE_AND_GENDER.iri)
    plain = make_copy(force_a, replace(BY_AGE_AND_GENDER, k=None), key=key, today=TODAY)
    copy = make_copy(force_a, BY_AGE_AND_GENDER, key=key, today=TODAY)
    for left_alone in (plain, copy):  # every triple of the inputs leaves or is counted as staying, by field
        leaving = Counter(dict(left_alone.triples.group_by("p").len().iter_rows()))
        staying = Counter()
        for (predicate, _), count in left_alone.left_out.items():
            staying[predicate] += count
        inputs = Counter(dict(force_a.group_by("p").len().iter_rows()))
        assert {p: leaving[p] + staying[p] for p in inputs} == dict(inputs)
    assert (
        copy.left_out[(f"<{P}gender>", "withheld-with-its-record")]
        > plain.left_out[(f"<{P}gender>", "withheld-with-its-record")]
    )
