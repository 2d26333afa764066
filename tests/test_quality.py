"""The ROBOT-style quality report and the OWL RL consistency check: clean on the ontology, and each
check fires on an ontology made to fail it."""

from __future__ import annotations

import pytest
from rdflib import Graph

from policeonto.findings import CATALOGUE, Severity
from policeonto.quality import QUERIES, reasoning_problems, report
from tests.conftest import DATA

HEAD = """@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix pole: <https://w3id.org/policeonto/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
GOOD = 'pole:A a owl:Class ; rdfs:label "a" ; skos:definition "An A." .\n'


def test_the_ontology_has_no_findings(ontology: Graph) -> None:
    assert list(report(ontology)) == []


def test_every_check_is_declared_once() -> None:
    assert set(QUERIES) <= set(CATALOGUE)
    assert all(CATALOGUE[code].severity in Severity for code in QUERIES)


@pytest.mark.parametrize(
    ("code", "turtle", "focus"),
    [
        ("missing-label", 'pole:B a owl:Class ; skos:definition "B." .', "https://w3id.org/policeonto/B"),
        ("missing-definition", 'pole:B a owl:ObjectProperty ; rdfs:label "b" .', "https://w3id.org/policeonto/B"),
        (
            "duplicate-label",
            'pole:B a owl:Class ; rdfs:label "A"@en ; skos:definition "B." .',
            "https://w3id.org/policeonto/B",
        ),
        (
            "deprecated-term-in-use",
            'pole:B a owl:Class ; rdfs:label "b" ; skos:definition "B." ; owl:deprecated true . '
            'pole:C a owl:Class ; rdfs:label "c" ; skos:definition "C." ; rdfs:subClassOf pole:B .',
            "https://w3id.org/policeonto/B",
        ),
        ("missing-ontology-metadata", "<https://w3id.org/policeonto> a owl:Ontology .", "https://w3id.org/policeonto"),
        (
            "undeclared-term",
            'pole:B a owl:Class ; rdfs:label "b" ; skos:definition "B." ; rdfs:subClassOf pole:Missing .',
            "https://w3id.org/policeonto/Missing",
        ),
    ],
)
def test_each_check_fires(code: str, turtle: str, focus: str) -> None:
    graph = Graph().parse(data=HEAD + GOOD + turtle, format="turtle")
    findings = [f for f in report(graph) if f.code == code]
    assert focus in {f.focus_node for f in findings}
    assert {f.code for f in report(Graph().parse(data=HEAD + GOOD, format="turtle"))} == set()


def test_missing_metadata_names_each_missing_property() -> None:
    graph = Graph().parse(
        data=HEAD + '<https://w3id.org/policeonto> a owl:Ontology ; owl:versionInfo "1" .', format="turtle"
    )
    missing = {f.path for f in report(graph) if f.code == "missing-ontology-metadata"}
    assert missing == {
        "http://www.w3.org/2002/07/owl#versionIRI",
        "http://purl.org/dc/terms/license",
        "http://purl.org/dc/terms/title",
        "http://purl.org/dc/terms/description",
    }


def test_valid_records_are_consistent_with_the_ontology(ontology: Graph, alignments: Graph) -> None:
    data = Graph().parse(DATA / "valid" / "records-system.ttl", format="turtle")
    assert reasoning_problems(ontology, alignments, data) == []


def test_disjoint_pole_classes_clash(ontology: Graph) -> None:
    data = Graph().parse(data=HEAD + "<https://x/p> a pole:Officer , pole:Vehicle .", format="turtle")
    (problem,) = reasoning_problems(ontology, data)
    assert "https://w3id.org/policeonto/Person" in problem and "https://x/p" in problem


def test_two_codes_where_one_is_allowed_clash(ontology: Graph) -> None:
    data = Graph().parse(
        data=HEAD
        + """<https://x/c> a pole:Crime ;
        pole:crime_type <https://w3id.org/policeonto/code/crime-type/burglary> ,
                        <https://w3id.org/policeonto/code/crime-type/robbery> .""",
        format="turtle",
    )
    problems = reasoning_problems(ontology, data)
    assert any("crime-type/burglary" in p and "crime-type/robbery" in p for p in problems)


def test_inheritance_is_entailed(ontology: Graph) -> None:
    """What the ontology entails for queries: a burglary recorded as a crime is an event and an entity."""
    from owlrl import DeductiveClosure, OWLRL_Semantics
    from rdflib import RDF, URIRef

    from policeonto.vocab import POLE

    graph = Graph()
    graph += ontology
    graph.parse(data=HEAD + "<https://x/c> a pole:Crime .", format="turtle")
    DeductiveClosure(OWLRL_Semantics).expand(graph)
    crime = URIRef("https://x/c")
    assert {POLE.Event, POLE.Entity, POLE.Record} <= set(graph.objects(crime, RDF.type))
