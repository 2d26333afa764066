"""Information sharing agreements: read from ODRL 2.2 Turtle, JSON-LD and the YAML form to one Agreement,
checked against the profile's shapes, the ontology, DPV and themselves; every bad-agreement rule gives its
exact finding."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.compare import isomorphic

from policeonto.errors import AgreementError, PoliceOntoError
from policeonto.findings import CATALOGUE
from policeonto.sharing.agreement import Agreement, Generalisation, GeneralisedForm, Pseudonymised
from policeonto.sharing.consistency import make_agreement, ontology
from policeonto.sharing.model import vocabulary_facts
from policeonto.sharing.policy import Policy, profile_terms
from policeonto.sharing.profile import profile_shapes
from policeonto.sharing.reading import check_agreement, compile_yaml, read_agreement
from policeonto.sharing.terms import DPV, GSC, POA
from policeonto.vocab import POLE, schema_view
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples" / "agreements"
NAMES = ["neighbouring-force", "safeguarding-partnership", "statistics"]
SHAPES = "https://w3id.org/policeonto/odrl/shapes/"

# A small agreement every bad case below changes in one place.
BASE = """\
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix odrl: <http://www.w3.org/ns/odrl/2/> .
@prefix poa: <https://w3id.org/policeonto/odrl/> .
@prefix pole: <https://w3id.org/policeonto/> .
@prefix dpv: <https://w3id.org/dpv#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix gsc: <https://w3id.org/policeonto/code/security-classification/> .
@prefix caveat: <https://w3id.org/policeonto/code/national-caveat/> .
@prefix scheme: <https://w3id.org/policeonto/code/identifier-scheme/> .

<https://example.org/agreement>
    a odrl:Agreement ;
    odrl:profile poa: ;
    dcterms:title "Test agreement" ;
    odrl:assigner <https://example.org/force> ;
    odrl:assignee <https://example.org/council> ;
    dpv:hasLegalBasis dpv:LegalObligation ;
    odrl:permission [
        odrl:action odrl:distribute ;
        odrl:target pole:Person , pole:date_of_birth , pole:gender ;
        odrl:constraint
            [ odrl:leftOperand odrl:purpose ; odrl:operator odrl:eq ; odrl:rightOperand dpv:PublicBenefit ] ,
            [ odrl:leftOperand odrl:dateTime ; odrl:operator odrl:lteq ; odrl:rightOperand "2027-03-31"^^xsd:date ] ,
            [ odrl:leftOperand poa:classification ; odrl:operator odrl:lteq ; odrl:rightOperand gsc:OFFICIAL ] ,
            [ odrl:leftOperand poa:nationalCaveat ; odrl:operator odrl:isAnyOf ;
              odrl:rightOperand caveat:UK-EYES-ONLY ] ,
            [ odrl:leftOperand poa:handlingCode ; odrl:operator odrl:isAnyOf ; odrl:rightOperand "P" ] ;
        odrl:duty
            [ odrl:action poa:pseudonymise ; odrl:target pole:Person , scheme:pnc-id ] ,
            [ odrl:action poa:generaliseToYear ; odrl:target pole:date_of_birth ] ,
            [ odrl:action [ rdf:value poa:kAnonymise ;
                            odrl:refinement [ odrl:leftOperand poa:k ; odrl:operator odrl:gteq ;
                                              odrl:rightOperand 5 ] ] ;
              odrl:target pole:gender ]
    ] ;
    odrl:prohibition [ odrl:action odrl:distribute ; odrl:target pole:description ] .
"""

BASE_AGREEMENT = Agreement(
    iri="https://example.org/agreement",
    title="Test agreement",
    assigner="https://example.org/force",
    assignee="https://example.org/council",
    purpose="https://w3id.org/dpv#PublicBenefit",
    legal_basis="https://w3id.org/dpv#LegalObligation",
    classes=frozenset({str(POLE.Person)}),
    properties=frozenset({str(POLE.date_of_birth), str(POLE.gender)}),
    ceiling="OFFICIAL",
    sensitive_allowed=False,
    caveats_allowed=frozenset({"UK-EYES-ONLY"}),
    handling_codes=frozenset({"P"}),
    withhold_past_review=True,
    valid_until=date(2027, 3, 31),
    pseudonymised=Pseudonymised(identifier_schemes=frozenset({"pnc-id"}), classes=frozenset({str(POLE.Person)})),
    generalised=(Generalisation(str(POLE.date_of_birth), GeneralisedForm.YEAR),),
    prohibited=frozenset({str(POLE.description)}),
    k=5,
    quasi_identifiers=(str(POLE.gender),),
    aggregates_only=False,
)


def _write(tmp_path: Path, text: str, name: str = "agreement.ttl") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _changed(old: str, new: str) -> str:
    assert BASE.count(old) == 1, f"{old!r} is not once in the base agreement"
    return BASE.replace(old, new)


def test_the_base_agreement_reads_to_its_value(tmp_path: Path) -> None:
    assert read_agreement(_write(tmp_path, BASE)) == BASE_AGREEMENT


# Each bad agreement: the one change, then the finding it must give: its code and the rule (the shape) or value.
BAD_TURTLE = {
    "not Turtle": ("@prefix rdf:", "@prefix rdf", "agreement-unreadable", None),
    "misspelt ODRL term": ("odrl:permission [", "odrl:permision [", "agreement-unknown-term", "permision"),
    "misspelt profile term": (
        "odrl:leftOperand poa:handlingCode",
        "odrl:leftOperand poa:handlingCodes",
        "agreement-unknown-term",
        "handlingCodes",
    ),
    "ODRL term an agreement may not use": (
        "odrl:action odrl:distribute ;\n        odrl:target pole:Person",
        "odrl:action odrl:use ;\n        odrl:target pole:Person",
        "agreement-unknown-term",
        "/use",
    ),
    "two agreements": (
        "<https://example.org/agreement>\n",
        "<https://example.org/other> a odrl:Agreement .\n<https://example.org/agreement>\n",
        "agreement-not-one-policy",
        "2 odrl:Agreement",
    ),
    "no agreement": ("    a odrl:Agreement ;\n", "", "agreement-not-one-policy", "no odrl:Agreement"),
    "an offer, not an agreement": ("a odrl:Agreement ;", "a odrl:Offer ;", "agreement-unknown-term", "Offer"),
    "agreement without an IRI": ("<https://example.org/agreement>\n", "[]\n", "agreement-not-one-policy", "blank"),
    "missing assignee": (
        "odrl:assignee <https://example.org/council> ;",
        "",
        "agreement-profile",
        "agreement-assignee",
    ),
    "assignee not an IRI": (
        "odrl:assignee <https://example.org/council>",
        'odrl:assignee "the council"',
        "agreement-profile",
        "agreement-assignee",
    ),
    "missing assigner": ("odrl:assigner <https://example.org/force> ;", "", "agreement-profile", "agreement-assigner"),
    "missing title": ('dcterms:title "Test agreement" ;', "", "agreement-profile", "agreement-title"),
    "missing profile": ("odrl:profile poa: ;", "", "agreement-profile", "agreement-profile"),
    "missing legal basis": (
        "dpv:hasLegalBasis dpv:LegalObligation ;",
        "",
        "agreement-profile",
        "agreement-legal-basis",
    ),
    "malformed date": ('"2027-03-31"^^xsd:date', '"2027-02-30"^^xsd:date', "agreement-profile", "date"),
    "date that is no date": ('"2027-03-31"^^xsd:date', '"next March"', "agreement-profile", "date"),
    "date with the wrong operator": (
        "odrl:dateTime ; odrl:operator odrl:lteq",
        "odrl:dateTime ; odrl:operator odrl:gteq",
        "agreement-profile",
        "date",
    ),
    "missing purpose": (
        "[ odrl:leftOperand odrl:purpose ; odrl:operator odrl:eq ; odrl:rightOperand dpv:PublicBenefit ] ,",
        "",
        "agreement-profile",
        "permission-purpose",
    ),
    "purpose with the wrong operator": (
        "odrl:purpose ; odrl:operator odrl:eq",
        "odrl:purpose ; odrl:operator odrl:isAnyOf",
        "agreement-profile",
        "purpose",
    ),
    "missing ceiling": (
        "[ odrl:leftOperand poa:classification ; odrl:operator odrl:lteq ; odrl:rightOperand gsc:OFFICIAL ] ,",
        "",
        "agreement-profile",
        "permission-classification",
    ),
    "ceiling that is no classification": ("gsc:OFFICIAL", "gsc:RESTRICTED", "agreement-profile", "classification"),
    "handling code that is not P or C": (
        'odrl:rightOperand "P"',
        'odrl:rightOperand "X"',
        "agreement-profile",
        "handling-code",
    ),
    "k of zero": ("odrl:rightOperand 5", "odrl:rightOperand 0", "agreement-profile", "Refinement"),
    "permission with a duty's action": (
        "odrl:action odrl:distribute ;\n        odrl:target pole:Person",
        "odrl:action poa:pseudonymise ;\n        odrl:target pole:Person",
        "agreement-profile",
        "permission-action",
    ),
    "party inside a permission": (
        "odrl:action odrl:distribute ;\n        odrl:target pole:Person",
        "odrl:assignee <https://example.org/x> ; odrl:action odrl:distribute ;\n        odrl:target pole:Person",
        "agreement-profile",
        "Permission",
    ),
    "duty without a target": (
        "[ odrl:action poa:generaliseToYear ; odrl:target pole:date_of_birth ] ,",
        "[ odrl:action poa:generaliseToYear ] ,",
        "agreement-profile",
        "duty-needs-target",
    ),
    "class the ontology does not define": (
        "pole:date_of_birth , pole:gender ;",
        "pole:date_of_birth , pole:gender , pole:Persn ;",
        "agreement-undefined-target",
        "Persn",
    ),
    "prohibited class": (
        "odrl:target pole:description",
        "odrl:target pole:Vehicle",
        "agreement-undefined-target",
        "Vehicle",
    ),
    "purpose DPV does not have": ("dpv:PublicBenefit", "dpv:PublicGood", "agreement-unknown-purpose", "PublicGood"),
    "legal basis given as the purpose": (
        "dpv:PublicBenefit",
        "dpv:LegalObligation",
        "agreement-unknown-purpose",
        "LegalObligation",
    ),
    "purpose given as the legal basis": (
        "dpv:hasLegalBasis dpv:LegalObligation",
        "dpv:hasLegalBasis dpv:PublicBenefit",
        "agreement-unknown-legal-basis",
        "PublicBenefit",
    ),
    "caveat not in the code list": ("caveat:UK-EYES-ONLY", "caveat:NOFORN", "agreement-unknown-code", "NOFORN"),
    "identifier scheme not in the code list": ("scheme:pnc-id", "scheme:pnc", "agreement-unknown-code", "pnc"),
    "target permitted and prohibited": (
        "odrl:target pole:description",
        "odrl:target pole:gender",
        "agreement-permitted-and-prohibited",
        "gender",
    ),
    "generalised property not permitted": (
        "poa:generaliseToYear ; odrl:target pole:date_of_birth",
        "poa:generaliseToYear ; odrl:target pole:occurred_at",
        "agreement-duty-not-permitted",
        "occurred_at",
    ),
    "pseudonymised class not permitted": (
        "odrl:target pole:Person , scheme:pnc-id",
        "odrl:target pole:Vehicle , scheme:pnc-id",
        "agreement-duty-not-permitted",
        "Vehicle",
    ),
    "quasi-identifier not permitted": (
        "odrl:target pole:gender ]\n",
        "odrl:target pole:month ]\n",
        "agreement-duty-not-permitted",
        "month",
    ),
    "property generalised twice": (
        "[ odrl:action poa:generaliseToYear ; odrl:target pole:date_of_birth ] ,",
        "[ odrl:action poa:generaliseToYear ; odrl:target pole:date_of_birth ] ,\n"
        "[ odrl:action poa:generaliseToAgeBand ; odrl:target pole:date_of_birth ] ,",
        "agreement-generalised-twice",
        "date_of_birth",
    ),
    "form that does not fit": (
        "poa:generaliseToYear ; odrl:target pole:date_of_birth",
        "poa:generaliseToPostcodeSector ; odrl:target pole:date_of_birth",
        "agreement-form-does-not-fit",
        "date_of_birth",
    ),
    "k without quasi-identifiers": ("odrl:target pole:gender ]\n", "]\n", "agreement-k-without-quasi-identifiers", "5"),
    "aggregates only without k": (
        '"P" ] ;\n        odrl:duty\n'
        "            [ odrl:action poa:pseudonymise ; odrl:target pole:Person , scheme:pnc-id ] ,\n"
        "            [ odrl:action poa:generaliseToYear ; odrl:target pole:date_of_birth ] ,\n"
        "            [ odrl:action [ rdf:value poa:kAnonymise ;\n"
        "                            odrl:refinement [ odrl:leftOperand poa:k ; odrl:operator odrl:gteq ;\n"
        "                                              odrl:rightOperand 5 ] ] ;\n"
        "              odrl:target pole:gender ]\n",
        '"P" ] ,\n'
        "            [ odrl:leftOperand poa:disclosure ; odrl:operator odrl:eq ;\n"
        "              odrl:rightOperand poa:aggregatesOnly ] ;\n"
        "        odrl:duty\n"
        "            [ odrl:action poa:pseudonymise ; odrl:target pole:Person , scheme:pnc-id ] ,\n"
        "            [ odrl:action poa:generaliseToYear ; odrl:target pole:date_of_birth ]\n",
        "agreement-profile",
        "aggregates-need-k",
    ),
    "permissions whose constraints differ": (
        "    odrl:prohibition [",
        "    odrl:permission [ odrl:action odrl:distribute ; odrl:target pole:month ;\n"
        "        odrl:constraint [ odrl:leftOperand odrl:purpose ; odrl:operator odrl:eq ;\n"
        "            odrl:rightOperand dpv:PublicBenefit ] ,\n"
        "            [ odrl:leftOperand poa:classification ; odrl:operator odrl:lteq ;\n"
        "            odrl:rightOperand gsc:SECRET ] ] ;\n"
        "    odrl:prohibition [",
        "agreement-constraints-differ",
        "2",
    ),
}


@pytest.mark.parametrize("case", list(BAD_TURTLE), ids=list(BAD_TURTLE))
def test_each_bad_agreement_gives_its_finding(tmp_path: Path, case: str) -> None:
    old, new, code, where = BAD_TURTLE[case]
    path = _write(tmp_path, _changed(old, new))
    check = check_agreement(path)
    assert check.agreement is None
    assert [f.code for f in check.findings] == [code], [f.message for f in check.findings]
    (finding,) = check.findings
    assert finding.file == str(path)
    if code == "agreement-profile":  # the rule is the shape that is broken
        assert finding.constraint == SHAPES + where
    elif where is not None:
        assert where in (finding.value or "")
    with pytest.raises(AgreementError) as raised:
        read_agreement(path)
    assert raised.value.rule == code and raised.value.path == path
    assert str(raised.value).startswith(f"{path}: {code}: ")
    assert isinstance(raised.value, PoliceOntoError) and isinstance(raised.value, ValueError)


def test_an_aggregates_only_policy_without_k_is_refused_by_the_consistency_check_too() -> None:
    # The profile's shape refuses such a file first; the Python check refuses the policy however it was read.
    policy = Policy(
        "https://example.org/a",
        "A",
        "https://example.org/x",
        "https://example.org/y",
        str(DPV.LegalObligation),
        str(DPV.LegalCompliance),
        str(GSC.OFFICIAL),
        aggregates_only=True,
        permitted=frozenset({str(POLE.Person), str(POLE.gender)}),
    )
    agreement, findings = make_agreement(policy, "a.ttl")
    assert agreement is None
    assert [(f.code, f.value) for f in findings] == [("agreement-aggregates-without-k", "https://example.org/a")]
    with_k = dataclasses.replace(policy, k=10, quasi_identifiers=(str(POLE.gender),))
    assert make_agreement(with_k, "a.ttl")[1] == []


#: Findings the profile's shapes reach first from a file, tested on a policy by the test above.
POLICY_ONLY = {"agreement-aggregates-without-k"}


def test_every_agreement_finding_is_declared_and_tested() -> None:
    declared = {code for code in CATALOGUE if code.startswith("agreement-")}
    tested = {code for *_, code, _ in BAD_TURTLE.values()} | {code for *_, code, _ in BAD_YAML.values()}
    assert tested | POLICY_ONLY == declared


def test_a_finding_names_a_blank_node_by_its_path_from_the_agreement(tmp_path: Path) -> None:
    (finding,) = check_agreement(
        _write(tmp_path, _changed('"2027-03-31"^^xsd:date', '"2027-02-30"^^xsd:date'))
    ).findings
    assert finding.focus_node == "https://example.org/agreement odrl:permission odrl:constraint"
    assert 'found "2027-02-30"' in finding.message


# The YAML form: the base agreement, then each bad case as one changed key.
YAML_BASE = {
    "agreement": "https://example.org/agreement",
    "title": "Test agreement",
    "assigner": "https://example.org/force",
    "assignee": "https://example.org/council",
    "purpose": "dpv:PublicBenefit",
    "legal_basis": "dpv:LegalObligation",
    "valid_until": date(2027, 3, 31),
    "ceiling": "OFFICIAL",
    "national_caveats": ["UK-EYES-ONLY"],
    "handling_codes": ["P"],
    "classes": ["Person"],
    "properties": ["date_of_birth", "gender"],
    "pseudonymise": {"classes": ["Person"], "identifier_schemes": ["pnc-id"]},
    "generalise": {"date_of_birth": "year"},
    "k_anonymity": {"k": 5, "quasi_identifiers": ["gender"]},
    "prohibit": ["description"],
}

BAD_YAML = {
    "unknown key": ({"recipient": "x"}, "agreement-yaml-key", "recipient"),
    "unknown key inside a mapping": (
        {"pseudonymise": {"classes": ["Person"], "schemes": ["pnc-id"]}},
        "agreement-yaml-key",
        "pseudonymise.schemes",
    ),
    "classes not a list": ({"classes": "Person"}, "agreement-yaml-key", "classes"),
    "ceiling no one writes": ({"ceiling": "RESTRICTED"}, "agreement-yaml-key", "ceiling"),
    "form no one knows": (
        {"generalise": {"date_of_birth": "decade"}},
        "agreement-yaml-key",
        "generalise.date_of_birth",
    ),
    "k not a number": (
        {"k_anonymity": {"k": "five", "quasi_identifiers": ["gender"]}},
        "agreement-yaml-key",
        "k_anonymity.k",
    ),
    "IRI with a space": ({"assignee": "https://example.org/the council"}, "agreement-yaml-key", "assignee"),
    "past review neither withhold nor share": ({"past_review": "maybe"}, "agreement-yaml-key", "past_review"),
}


def _yaml(tmp_path: Path, data: dict[str, object]) -> Path:
    return _write(tmp_path, yaml.safe_dump(data, sort_keys=False), "agreement.yaml")


def test_the_yaml_form_reads_to_the_same_agreement_as_the_turtle(tmp_path: Path) -> None:
    assert read_agreement(_yaml(tmp_path, YAML_BASE)) == BASE_AGREEMENT


@pytest.mark.parametrize("case", list(BAD_YAML), ids=list(BAD_YAML))
def test_each_bad_yaml_key_gives_its_finding(tmp_path: Path, case: str) -> None:
    change, code, key = BAD_YAML[case]
    check = check_agreement(_yaml(tmp_path, YAML_BASE | change))
    assert [(f.code, f.path) for f in check.findings] == [(code, key)], [f.message for f in check.findings]


@pytest.mark.parametrize(
    ("change", "shape"),
    [
        ({"assignee": None}, "agreement-assignee"),
        ({"valid_until": "2027-02-30"}, "date"),
    ],
    ids=["missing assignee", "malformed date"],
)
def test_the_yaml_form_is_refused_for_the_same_rules_as_the_turtle(
    tmp_path: Path, change: dict[str, object], shape: str
) -> None:
    data = {key: value for key, value in (YAML_BASE | change).items() if value is not None}
    (finding,) = check_agreement(_yaml(tmp_path, data)).findings
    assert (finding.code, finding.constraint) == ("agreement-profile", SHAPES + shape)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("agreement.yaml", "a: [1, 2\n", "not valid YAML"),
        ("agreement.yaml", "- just\n- a list\n", "(document)"),
        ("agreement.txt", "anything", "not .txt"),
        ("agreement.jsonld", '{"@context": "http://www.w3.org/ns/odrl.jsonld", "@id": "x"}', "refused to fetch"),
    ],
    ids=["YAML syntax", "YAML not a mapping", "unknown suffix", "remote JSON-LD context"],
)
def test_an_unreadable_agreement_is_one_finding(tmp_path: Path, name: str, text: str, expected: str) -> None:
    (finding,) = check_agreement(_write(tmp_path, text, name)).findings
    assert finding.code in ("agreement-unreadable", "agreement-yaml-key")
    assert expected in finding.message


def test_a_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    for name in ("gone.ttl", "gone.yaml"):
        with pytest.raises(AgreementError, match=f"{tmp_path / name}: agreement-unreadable"):
            read_agreement(tmp_path / name)


@pytest.mark.parametrize("name", NAMES)
def test_each_example_turtle_is_the_compilation_of_its_yaml(name: str) -> None:
    text, findings = compile_yaml(EXAMPLES / f"{name}.yaml")
    assert findings == [] and text is not None
    committed = (EXAMPLES / f"{name}.ttl").read_text(encoding="utf-8")
    assert committed == text, f"recompile: policeonto agreement compile examples/agreements/{name}.yaml"


def test_the_neighbouring_force_lists_every_class_and_property_of_the_model() -> None:
    # "The whole POLE model": a record class, a part of one or a property the model gains must be listed too,
    # or the example silently falls behind (a code list's class is not shared as a record: its codes are values).
    agreement = read_agreement(EXAMPLES / "neighbouring-force.yaml")
    known = ontology()
    codes = {str(POLE[name]) for name in schema_view().all_enums()}
    assert {c[1:-1] for c in vocabulary_facts().records} <= known.classes
    missing_classes = sorted(known.classes - codes - agreement.classes)
    missing_properties = sorted(set(known.ranges) - agreement.properties)
    assert (missing_classes, missing_properties) == ([], []), "list them in examples/agreements/neighbouring-force.yaml"


@pytest.mark.parametrize("name", NAMES)
def test_each_example_reads_the_same_from_yaml_turtle_and_json_ld(name: str, tmp_path: Path) -> None:
    from_yaml = read_agreement(EXAMPLES / f"{name}.yaml")
    graph = Graph().parse(EXAMPLES / f"{name}.ttl")
    jsonld = _write(tmp_path, graph.serialize(format="json-ld"), f"{name}.jsonld")
    assert isomorphic(Graph().parse(jsonld, format="json-ld"), graph)
    assert read_agreement(EXAMPLES / f"{name}.ttl") == from_yaml == read_agreement(jsonld)


def test_the_examples_say_what_their_partners_may_receive() -> None:
    force, safeguarding, statistics = (read_agreement(EXAMPLES / f"{name}.yaml") for name in NAMES)
    assert (force.ceiling, force.sensitive_allowed, force.handling_codes) == ("OFFICIAL", True, {"P", "C"})
    assert str(POLE.Person) in force.classes and not force.pseudonymised.classes and not force.generalised
    assert str(POLE.Person) in safeguarding.pseudonymised.classes
    assert {"pnc-id", "nhs-number"} <= safeguarding.pseudonymised.identifier_schemes
    assert Generalisation(str(POLE.date_of_birth), GeneralisedForm.AGE_BAND) in safeguarding.generalised
    assert not safeguarding.handling_codes and str(POLE.description) in safeguarding.prohibited
    assert statistics.aggregates_only and statistics.k == 10 and len(statistics.quasi_identifiers) == 3
    assert (statistics.ceiling, statistics.sensitive_allowed) == ("OFFICIAL", False)
    for agreement in (force, safeguarding, statistics):
        assert agreement.purpose.startswith("https://w3id.org/dpv#")
        assert agreement.legal_basis.startswith("https://w3id.org/dpv#")


def test_the_profile_shapes_are_valid_shacl() -> None:
    from pyshacl import validate

    conforms, _, text = validate(profile_shapes(), shacl_graph=profile_shapes(), meta_shacl=True)
    assert conforms, text


def test_the_profile_declares_every_term_the_shapes_and_examples_use() -> None:
    declared = profile_terms()
    used = {
        term
        for graph in [profile_shapes(), *(Graph().parse(EXAMPLES / f"{name}.ttl") for name in NAMES)]
        for triple in graph
        for term in triple
        if str(term).startswith(str(POA)) and not str(term).startswith(SHAPES)
    }
    assert used <= declared, sorted(used - declared)


def test_the_examples_conform_to_the_profile_shapes_in_pyshacl() -> None:
    from policeonto.shacl import run_pyshacl

    for name in NAMES:
        conforms, _, results = run_pyshacl(Graph().parse(EXAMPLES / f"{name}.ttl"), profile_shapes())
        assert conforms and results == [], name


def test_every_profile_term_is_documented() -> None:
    page = (ROOT / "docs" / "sharing.md").read_text(encoding="utf-8")
    for term in profile_terms():
        if term != POA[""]:
            assert f"poa:{term.removeprefix(str(POA))}" in page, term


def test_json_ld_with_the_examples_context_inline_reads(tmp_path: Path) -> None:
    graph = Graph().parse(EXAMPLES / "statistics.ttl")
    context = {"odrl": "http://www.w3.org/ns/odrl/2/", "poa": str(POA), "pole": str(POLE)}
    text = graph.serialize(format="json-ld", context=context)
    assert json.loads(text)["@context"] == context
    path = _write(tmp_path, text, "statistics.jsonld")
    assert read_agreement(path) == read_agreement(EXAMPLES / "statistics.yaml")


def test_a_yaml_title_cannot_write_turtle_of_its_own(tmp_path: Path) -> None:
    title = 'A """ ; odrl:prohibition [] .\n# and a "quote" \\ too'
    assert read_agreement(_yaml(tmp_path, YAML_BASE | {"title": title})).title == title


_CEILING_VALUES = {
    "OFFICIAL": ("OFFICIAL", False),
    "OFFICIAL-SENSITIVE": ("OFFICIAL", True),
    "SECRET": ("SECRET", True),
    "TOP-SECRET": ("TOP-SECRET", True),
}
_FORMS = {"date_of_birth": ["year", "age-band"], "postcode": ["postcode-sector"], "location": ["lsoa"]}


@st.composite
def _forms(draw: st.DrawFn) -> dict[str, object]:
    """A valid YAML agreement: every duty on something permitted, nothing permitted and prohibited."""
    classes = draw(
        st.lists(st.sampled_from(["Person", "Event", "Crime", "Vehicle", "Location"]), min_size=1, unique=True)
    )
    properties = draw(
        st.lists(
            st.sampled_from(["date_of_birth", "gender", "month", "postcode", "location", "occurred_at"]), unique=True
        )
    )
    form: dict[str, object] = {
        "agreement": "https://example.org/agreement",
        "title": draw(st.text(min_size=1, max_size=20)),
        "assigner": "https://example.org/force",
        "assignee": "https://example.org/partner",
        "purpose": draw(st.sampled_from(["dpv:PublicBenefit", "dpv:LegalCompliance", "dpv:ResearchAndDevelopment"])),
        "legal_basis": draw(st.sampled_from(["dpv:LegalObligation", "dpv:PublicInterest"])),
        "valid_until": draw(st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31))),
        "ceiling": draw(st.sampled_from(list(_CEILING_VALUES))),
        "handling_codes": draw(st.lists(st.sampled_from(["P", "C"]), unique=True)),
        "national_caveats": draw(st.lists(st.just("UK-EYES-ONLY"), max_size=1)),
        "past_review": draw(st.sampled_from(["withhold", "share"])),
        "aggregates_only": draw(st.booleans()),
        "classes": classes,
        "properties": properties,
        "prohibit": draw(st.lists(st.sampled_from(["description", "handling_instructions"]), unique=True)),
        "pseudonymise": {
            "classes": draw(st.lists(st.sampled_from(classes), unique=True)),
            "identifier_schemes": draw(st.lists(st.sampled_from(["pnc-id", "vrm", "nhs-number"]), unique=True)),
        },
        "generalise": {p: draw(st.sampled_from(_FORMS[p])) for p in properties if p in _FORMS and draw(st.booleans())},
    }
    if properties and draw(st.booleans()):
        form["k_anonymity"] = {
            "k": draw(st.integers(1, 50)),
            "quasi_identifiers": draw(st.lists(st.sampled_from(properties), min_size=1, unique=True)),
        }
    form["aggregates_only"] = form["aggregates_only"] and "k_anonymity" in form  # aggregates only need a k
    return form


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=_forms())
def test_any_valid_yaml_reads_as_it_says_and_the_same_from_turtle_and_json_ld(
    tmp_path: Path, form: dict[str, object]
) -> None:
    path = _yaml(tmp_path, form)
    agreement = read_agreement(path)
    text, _ = compile_yaml(path)
    turtle = _write(tmp_path, text or "", "compiled.ttl")
    jsonld = _write(tmp_path, Graph().parse(turtle).serialize(format="json-ld"), "compiled.jsonld")
    assert read_agreement(turtle) == agreement == read_agreement(jsonld)
    names = {str(POLE[n]) for n in form["classes"]}  # type: ignore[attr-defined]
    assert agreement.classes == names
    assert agreement.properties == {str(POLE[n]) for n in form["properties"]}  # type: ignore[attr-defined]
    assert (agreement.ceiling, agreement.sensitive_allowed) == _CEILING_VALUES[form["ceiling"]]  # type: ignore[index]
    assert agreement.handling_codes == set(form["handling_codes"])  # type: ignore[arg-type]
    assert agreement.withhold_past_review == (form["past_review"] == "withhold")
    assert agreement.aggregates_only == form["aggregates_only"]
    assert agreement.valid_until == form["valid_until"]
    assert agreement.title == form["title"]
    generalised = {(g.property, g.form.value) for g in agreement.generalised}
    assert generalised == {(str(POLE[p]), f) for p, f in form["generalise"].items()}  # type: ignore[attr-defined]
    anonymity = form.get("k_anonymity")
    assert agreement.k == (anonymity["k"] if anonymity else None)  # type: ignore[index]
