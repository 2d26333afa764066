"""People and organisations (issue 16): directed family relationships, contact points, nationality and
languages, warning and vulnerability markers, and organisations' parts in events. Each fixture is checked
in both engines: the fast engine must report exactly what pySHACL reports, and both what the fixture states."""

from __future__ import annotations

import pytest
from rdflib import SKOS, Graph, Literal, URIRef

from policeonto.instances import load_records, records_to_graph
from policeonto.validation import validate
from tests.conftest import DATA
from tests.stated import both_engines, check_stated

POLE = "https://w3id.org/policeonto/"
RELATIONSHIP = "https://w3id.org/policeonto/code/relationship-type/"
EXAMPLE = DATA.parents[1] / "examples" / "pole-example.yaml"

NEW_INVALID = [
    "contact-account-without-handle.ttl",
    "contact-bad-phone-number.ttl",
    "contact-email-without-address.ttl",
    "contact-phone-without-number.ttl",
    "contact-without-person.ttl",
    "marker-ends-without-start.ttl",
    "marker-unknown-code.ttl",
    "organisation-involvement-person.ttl",
    "organisation-involvement-without-role.ttl",
    "person-language-name.ttl",
    "person-nationality-three-letters.ttl",
    "relationship-relative-not-a-person.ttl",
    "relationship-to-self.ttl",
    "relationship-unknown-type.ttl",
    "relationship-without-relative.ttl",
]


@pytest.mark.parametrize("name", NEW_INVALID)
def test_each_fault_is_exactly_the_stated_result_in_both_engines(name: str, shapes: Graph) -> None:
    check_stated(DATA / "invalid" / name, shapes)


def test_people_and_organisations_of_a_records_system_conform_in_both_engines(shapes: Graph) -> None:
    graph = Graph().parse(DATA / "valid" / "people.ttl", format="turtle")
    assert both_engines(graph, shapes) == set()


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_phone_number_in_national_form_is_a_finding_naming_node_path_and_value(engine: str) -> None:
    (finding,) = validate([DATA / "invalid" / "contact-bad-phone-number.ttl"], engine=engine).findings
    assert finding.code == "shape-pattern"
    assert (finding.focus_node, finding.path, finding.value) == (
        "https://example.org/contact-1",
        POLE + "phone_number",
        "07700 900123",
    )


def test_every_relationship_type_names_its_inverse_and_the_inverse_of_the_inverse_is_itself(
    codelists: Graph,
) -> None:
    """Direction is not lost: a parent's inverse is a child, a child's a parent; sibling is its own."""
    codes = {s for s in codelists.subjects(SKOS.inScheme, URIRef(RELATIONSHIP.rstrip("/")))}
    assert len(codes) >= 10
    inverse = {}
    for code in codes:
        notes = [str(n) for n in codelists.objects(code, SKOS.scopeNote) if str(n).startswith("inverse: ")]
        assert len(notes) == 1, f"{code} names no single inverse"
        inverse[code] = URIRef(RELATIONSHIP + notes[0].removeprefix("inverse: "))
    assert all(inverse[inverse[code]] == code for code in codes)
    assert inverse[URIRef(RELATIONSHIP + "parent")] == URIRef(RELATIONSHIP + "child")
    assert inverse[URIRef(RELATIONSHIP + "sibling")] == URIRef(RELATIONSHIP + "sibling")


def test_the_example_relationship_keeps_who_is_whose_parent() -> None:
    graph = records_to_graph(load_records(EXAMPLE))
    link = URIRef("https://example.org/kent/link/10")
    assert graph.value(link, URIRef(POLE + "person")) == URIRef("https://example.org/kent/nominal/NOM-000456")
    assert graph.value(link, URIRef(POLE + "relative")) == URIRef("https://example.org/kent/nominal/NOM-000789")
    assert graph.value(link, URIRef(POLE + "relationship_type")) == URIRef(RELATIONSHIP + "parent")
    person = URIRef("https://example.org/kent/nominal/NOM-000123")
    assert set(graph.objects(person, URIRef(POLE + "nationalities"))) == {Literal("GB")}
    markers = {graph.value(m, URIRef(POLE + "marker_type")) for m in graph.objects(person, URIRef(POLE + "markers"))}
    assert markers == {URIRef(POLE + "code/person-marker/violent"), URIRef(POLE + "code/person-marker/drugs")}
