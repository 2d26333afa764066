"""Involvement roles (issue 16): the neutral "party to" and "mentioned in", and the fuller lists of people's
and objects' parts in events. Each fixture is checked in both engines: the fast engine must report exactly
what pySHACL reports, and both what the fixture states."""

from __future__ import annotations

import pytest
from rdflib import SKOS, Graph, Literal, URIRef

from policeonto.mapping.crosswalk import read_crosswalk
from policeonto.validation import validate
from policeonto.vocab import schema_view
from tests.conftest import DATA, ROOT
from tests.stated import both_engines, check_stated

POLE = "https://w3id.org/policeonto/"
ROLE = "https://w3id.org/policeonto/code/involvement-role/"
OBJECT_ROLE = "https://w3id.org/policeonto/code/object-role/"

NEW_PERSON_ROLES = [
    "party-to",
    "mentioned-in",
    "informant",
    "complainant",
    "driver",
    "passenger",
    "owner",
    "keeper",
    "appropriate-adult",
    "interpreter",
    "legal-representative",
    "detained-person",
    "missing-person",
    "wanted-person",
]
NEW_OBJECT_ROLES = ["mentioned-in", "lost", "searched", "exhibit", "returned", "attempted-theft"]
#: The codes the lists had before issue 16: none may go (deprecation, never deletion).
OLD_PERSON_ROLES = [
    "suspect",
    "victim",
    "witness",
    "offender",
    "reporting-person",
    "officer",
    "officer-in-case",
    "searched-person",
    "arrested-person",
    "charged-person",
]
OLD_OBJECT_ROLES = ["stolen", "damaged", "used", "seized", "recovered", "found", "involved"]


def test_every_role_is_a_code_of_its_list_with_a_definition() -> None:
    view = schema_view()
    person = view.get_enum("InvolvementRole").permissible_values
    objects = view.get_enum("ObjectRole").permissible_values
    assert set(OLD_PERSON_ROLES + NEW_PERSON_ROLES) <= set(person)
    assert set(OLD_OBJECT_ROLES + NEW_OBJECT_ROLES) <= set(objects)
    for code in NEW_PERSON_ROLES:
        assert person[code].meaning == f"involvementrole:{code}" and person[code].description
    for code in NEW_OBJECT_ROLES:
        assert objects[code].meaning == f"objectrole:{code}" and objects[code].description


def test_the_new_roles_are_published_in_the_skos_code_lists(codelists: Graph) -> None:
    for code in NEW_PERSON_ROLES:
        assert (URIRef(ROLE + code), SKOS.inScheme, URIRef(ROLE.rstrip("/"))) in codelists, code
    assert (URIRef(ROLE + "party-to"), SKOS.prefLabel, Literal("Party to", lang="en")) in codelists
    assert (URIRef(OBJECT_ROLE + "mentioned-in"), SKOS.inScheme, URIRef(OBJECT_ROLE.rstrip("/"))) in codelists


def test_every_new_role_conforms_in_both_engines(shapes: Graph) -> None:
    graph = Graph().parse(DATA / "valid" / "roles.ttl", format="turtle")
    roles = {str(o) for o in graph.objects(None, URIRef(POLE + "involvement_role"))}
    assert roles == {ROLE + code for code in NEW_PERSON_ROLES}
    assert both_engines(graph, shapes) == set()


def test_a_role_outside_its_list_is_exactly_the_stated_result_in_both_engines(shapes: Graph) -> None:
    check_stated(DATA / "invalid" / "involvement-unknown-role.ttl", shapes)


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_person_given_an_object_role_is_a_finding_naming_node_path_and_value(engine: str) -> None:
    findings = validate([DATA / "invalid" / "involvement-unknown-role.ttl"], engine=engine).findings
    (finding,) = [f for f in findings if f.focus_node == "https://example.org/roles/stolen-person"]
    assert finding.path == POLE + "involvement_role"
    assert finding.value == OBJECT_ROLE + "stolen"


@pytest.mark.parametrize("name", ["force-a-role", "force-b-person-role", "force-b-vehicle-role", "force-c-role"])
def test_the_forces_role_crosswalks_still_map_onto_codes_of_the_lists(name: str) -> None:
    view = schema_view()
    codes = {
        pv.meaning.replace("involvementrole:", ROLE).replace("objectrole:", OBJECT_ROLE)
        for enum in ("InvolvementRole", "ObjectRole")
        for pv in view.get_enum(enum).permissible_values.values()
    }
    walk = read_crosswalk(ROOT / "mappings" / "crosswalks" / f"{name}.sssom.tsv")
    assert walk.codes() and set(walk.codes().values()) <= codes
