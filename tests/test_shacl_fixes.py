"""Each SHACL fix: the gap is present in gen-shacl's raw output, and gone after the fix; the shapes are
well-formed SHACL and refer only to terms the ontology declares."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from linkml_runtime.utils.schemaview import SchemaView
from rdflib import OWL, RDF, Graph, URIRef
from rdflib.collection import Collection

from policeonto.build import shacl_fixes
from policeonto.build.generators import generate_shacl
from policeonto.errors import SchemaError
from policeonto.vocab import POLE, SCHEMA_PATH, SH


@pytest.fixture(scope="module")
def raw() -> Graph:
    return generate_shacl(SCHEMA_PATH)


def _paths(g: Graph) -> set:
    return set(g.objects(None, SH.path))


def test_identifier_slot_has_no_shape(raw: Graph, shapes: Graph) -> None:
    assert POLE.id in _paths(raw)
    assert POLE.id not in _paths(shapes)


def test_type_designator_has_no_shape(raw: Graph, shapes: Graph) -> None:
    assert RDF.type in _paths(raw)
    assert RDF.type not in _paths(shapes)


def test_class_level_expressions_become_core_shacl(raw: Graph, shapes: Graph) -> None:
    # none_of on Event, inherited by every concrete event class
    assert not list(raw.triples((None, SH["not"], None)))
    for event in (POLE.Crime, POLE.StopAndSearch, POLE.AntiSocialBehaviour, POLE.CourtOutcome):
        assert (event, SH["not"], None) in shapes, event
    # any_of on PersonName
    assert (POLE.PersonName, SH["or"], None) in shapes


def test_rules_become_core_implications(raw: Graph, shapes: Graph) -> None:
    assert not list(raw.triples((None, SH.sparql, None)))  # emit_rules is off; rules are ours
    messages = {str(shapes.value(node, SH.message)) for node in shapes.objects(POLE.Identifier, SH.node)}
    assert any("PNC ID" in m for m in messages)
    assert len(list(shapes.objects(POLE.Identifier, SH.node))) == 12  # a format rule per scheme with a format


def test_unique_keys_become_sparql_constraints(shapes: Graph) -> None:
    constraint = shapes.value(POLE.PoliceForce, SH.sparql)
    assert constraint is not None
    assert str(POLE.force_code) in str(shapes.value(constraint, SH.select))


def test_class_ranges_accept_subclasses(raw: Graph, shapes: Graph) -> None:
    occurred = next(s for s in raw.subjects(SH.path, POLE.occurred_at))
    assert raw.value(occurred, SH["class"]) == POLE.Location
    for prop_shape in shapes.subjects(SH.path, POLE.occurred_at):
        options = {shapes.value(o, SH["class"]) for o in Collection(shapes, shapes.value(prop_shape, SH["or"]))}
        assert {POLE.Address, POLE.Point, POLE.LowerLayerSuperOutputArea} <= options
        assert POLE.Location not in options  # abstract: nothing is typed with it


def _tiny_schema(tmp_path: Path, body: str) -> tuple[Path, SchemaView]:
    schema = tmp_path / "s.yaml"
    schema.write_text(
        "id: https://example.org/s\nname: s\nprefixes: {linkml: 'https://w3id.org/linkml/', ex: 'https://example.org/'}\n"
        "default_prefix: ex\nimports: [linkml:types]\n" + body,
        encoding="utf-8",
    )
    return schema, SchemaView(str(schema))


def test_unsupported_slot_condition_fails_the_build(tmp_path: Path) -> None:
    schema, view = _tiny_schema(
        tmp_path,
        "classes:\n  A:\n    slots: [x]\n    any_of:\n      - slot_conditions: {x: {range: integer}}\n"
        "slots:\n  x: {}\n",
    )
    with pytest.raises(SchemaError, match="range"):
        shacl_fixes.fix_class_expressions(generate_shacl(schema), view)


def test_enum_without_meaning_fails_the_build(tmp_path: Path) -> None:
    schema, view = _tiny_schema(
        tmp_path,
        "classes:\n  A:\n    slots: [x]\nslots:\n  x: {range: E}\nenums:\n  E:\n    permissible_values: {a: {}}\n",
    )
    with pytest.raises(SchemaError, match="without a meaning"):
        shacl_fixes.check_enum_agreement(generate_shacl(schema), view)


def test_shapes_conform_to_shacl_for_shacl(shapes: Graph) -> None:
    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=shapes, meta_shacl=True)
    assert conforms, text


def test_every_target_class_and_path_is_declared_in_the_ontology(shapes: Graph, ontology: Graph) -> None:
    classes = set(ontology.subjects(RDF.type, OWL.Class))
    properties = set(ontology.subjects(RDF.type, OWL.ObjectProperty)) | set(
        ontology.subjects(RDF.type, OWL.DatatypeProperty)
    )
    targets = set(shapes.objects(None, SH.targetClass))
    assert targets and targets <= classes, targets - classes
    paths = {p for p in shapes.objects(None, SH.path) if isinstance(p, URIRef)}
    assert paths and paths <= properties, paths - properties
    referenced = set(shapes.objects(None, SH["class"]))
    assert referenced <= classes, referenced - classes
