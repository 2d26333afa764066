"""Each OWL fix: the gap is present in gen-owl's raw output, and gone after the fix."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, XSD, BNode, Graph, URIRef
from rdflib.collection import Collection

from policeonto.build import owl_fixes
from policeonto.build.generators import generate_owl
from policeonto.quality import reasoning_problems
from policeonto.vocab import POLE, SCHEMA_PATH, SH

CRIME_TYPE = "https://w3id.org/policeonto/code/crime-type/"


@pytest.fixture(scope="module")
def raw() -> Graph:
    return generate_owl(SCHEMA_PATH)


def _fixed(raw: Graph, view, fix) -> Graph:
    graph = Graph()
    graph += raw
    fix(graph, view)
    return graph


def test_xsd_datatypes_are_not_redefined(raw: Graph, view) -> None:
    assert (XSD.gYearMonth, OWL.equivalentClass, None) in raw
    fixed = _fixed(raw, view, owl_fixes.fix_xsd_redefinition)
    assert not any(str(s).startswith(str(XSD)) for s in fixed.subjects())


def test_pattern_facets_lose_their_anchors(raw: Graph, view) -> None:
    assert any(str(p).startswith("^") for p in raw.objects(None, XSD.pattern))
    fixed = _fixed(raw, view, owl_fixes.fix_pattern_anchors)
    patterns = {str(p) for p in fixed.objects(None, XSD.pattern)}
    assert "[0-9]{3}/[0-9]{2}" in patterns  # Home Office offence code
    assert not any(p.startswith("^") or p.endswith("$") for p in patterns)


def test_class_expressions_leave_no_wrong_axioms(raw: Graph, view) -> None:
    def complements(g: Graph) -> list:
        return [e for e in g.objects(POLE.Event, RDFS.subClassOf) if (e, OWL.complementOf, None) in g]

    assert complements(raw)  # none_of on Event, as the complement of "only xsd:string" restrictions
    fixed = _fixed(raw, view, owl_fixes.fix_class_expressions)
    assert complements(fixed) == []
    assert not list(fixed.triples((None, OWL.disjointUnionOf, None)))


def test_event_known_only_by_reference_is_consistent(ontology: Graph) -> None:
    data = Graph().parse(data="<https://x/c> a <https://w3id.org/policeonto/Crime> .", format="turtle")
    assert reasoning_problems(ontology, data) == []


def test_rule_axioms_are_removed(raw: Graph, view) -> None:
    def general_axioms(g: Graph) -> list:
        return [s for s in g.subjects(RDFS.subClassOf, None) if isinstance(s, BNode)]

    assert general_axioms(raw)
    assert general_axioms(_fixed(raw, view, owl_fixes.fix_rule_axioms)) == []


def test_labels_are_titles_with_definitions(ontology: Graph) -> None:
    assert str(ontology.value(POLE.crime_type, RDFS.label)) == "crime type"
    assert str(ontology.value(URIRef(CRIME_TYPE + "burglary"), RDFS.label)) == "Burglary"
    assert ontology.value(POLE.Postcode, SKOS.definition) is not None
    assert not list(ontology.triples((None, SKOS.inScheme, None)))


def test_type_designator_and_container_are_not_in_the_ontology(ontology: Graph) -> None:
    assert not list(ontology.triples((POLE.type, None, None)))
    assert not list(ontology.triples((POLE.RecordSet, None, None)))
    assert not list(ontology.triples((None, OWL.onProperty, POLE.persons)))


def test_declared_disjointness_is_in_the_ontology(raw: Graph, ontology: Graph) -> None:
    assert not list(raw.triples((None, OWL.disjointWith, None)))
    assert (POLE.Person, OWL.disjointWith, POLE.Object) in ontology
    assert (POLE.Link, OWL.disjointWith, POLE.Entity) in ontology


def test_codes_are_distinct_individuals(ontology: Graph) -> None:
    burglary = URIRef(CRIME_TYPE + "burglary")
    assert (burglary, RDF.type, OWL.NamedIndividual) in ontology
    assert (burglary, RDF.type, POLE.CrimeType) in ontology
    lists = [set(Collection(ontology, head)) for head in ontology.objects(None, OWL.distinctMembers)]
    assert any(burglary in members and URIRef(CRIME_TYPE + "robbery") in members for members in lists)


def test_alignments_live_in_their_own_module(ontology: Graph, alignments: Graph) -> None:
    for predicate in owl_fixes.MAPPING_PREDICATES:
        assert not list(ontology.triples((None, predicate, None)))
    schema_person = URIRef("http://schema.org/Person")
    assert (POLE.Person, SKOS.exactMatch, schema_person) in alignments
    assert (POLE.Person, RDFS.subClassOf, schema_person) in alignments
    assert (POLE.latitude, RDFS.subPropertyOf, URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#lat")) in alignments
    close = URIRef("http://www.w3.org/ns/prov#Activity")
    assert (POLE.Event, SKOS.closeMatch, close) in alignments
    assert (POLE.Event, RDFS.subClassOf, close) not in alignments


def test_owl_and_shacl_use_the_same_code_iris(ontology: Graph, shapes: Graph, view) -> None:
    """For every code-valued property, the SHACL sh:in list equals the OWL code list class's members."""
    checked = 0
    for prop_shape, _, head in shapes.triples((None, SH["in"], None)):
        path = shapes.value(prop_shape, SH.path)
        code_list = ontology.value(path, RDFS.range)
        one_of = ontology.value(code_list, OWL.oneOf)
        assert one_of is not None, path
        assert set(Collection(shapes, head)) == set(Collection(ontology, one_of)), path
        checked += 1
    assert checked > 30


def test_consistent_under_owl_rl(ontology: Graph, alignments: Graph) -> None:
    assert reasoning_problems(ontology, alignments) == []
