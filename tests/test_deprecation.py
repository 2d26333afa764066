"""Deprecation instead of deletion: a deprecated term keeps its IRI in the OWL and the SKOS code lists and
says what replaces it; release versions are semantic versions in order."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from linkml_runtime.utils.schemaview import SchemaView
from rdflib import DCTERMS, OWL, RDF, SKOS, Literal, URIRef

from policeonto.build.generators import generate_owl
from policeonto.build.owl_fixes import mend_owl, release_versions
from policeonto.build.skos import codelists_graph
from policeonto.errors import BuildError
from policeonto.quality import report

PETS = "https://w3id.org/policeonto/"  # the quality checks look at terms in policeonto's namespace

SCHEMA = {
    "id": "https://w3id.org/policeonto",
    "name": "pets",
    "version": "1.1.0",
    "prefixes": {
        "linkml": "https://w3id.org/linkml/",
        "pole": PETS,
        "species": "https://w3id.org/policeonto/code/species/",
    },
    "default_prefix": "pole",
    "default_range": "string",
    "license": "https://creativecommons.org/publicdomain/zero/1.0/",
    "imports": ["linkml:types"],
    "classes": {
        "Animal": {"description": "An animal.", "slots": ["name", "nickname", "species"]},
        "Beast": {
            "description": "An animal, by its old name.",
            "deprecated": "Renamed in 1.1.0",
            "deprecated_element_has_exact_replacement": "Animal",
        },
    },
    "slots": {
        "name": {"description": "What the animal is called."},
        "nickname": {
            "description": "What the animal is called, by its old name.",
            "deprecated": "Merged into name in 1.1.0",
            "deprecated_element_has_exact_replacement": "name",
        },
        "species": {"description": "The animal's species.", "range": "Species"},
    },
    "enums": {
        "Kind": {
            "title": "kind",
            "description": "Kinds of animal, by the old list's name.",
            "deprecated": "Renamed in 1.1.0",
            "deprecated_element_has_exact_replacement": "Species",
            "permissible_values": {"mutt": {"meaning": "pole:mutt", "title": "mutt", "description": "A dog."}},
        },
        "Species": {
            "title": "species",
            "description": "Kinds of animal.",
            "permissible_values": {
                "canine": {"meaning": "species:canine", "title": "canine", "description": "A dog."},
                "dog": {
                    "meaning": "species:dog",
                    "title": "dog",
                    "description": "A dog, by its old code.",
                    "deprecated": "Renamed in 1.1.0",
                    "deprecated_element_has_exact_replacement": "canine",
                },
                "cat": {
                    "meaning": "species:cat",
                    "title": "cat",
                    "description": "A cat, with no successor.",
                    "deprecated": "Withdrawn in 1.1.0",
                },
            },
        },
    },
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("deprecation") / "pets.yaml"
    path.write_text(yaml.safe_dump(SCHEMA, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("term", "replacement"),
    [
        (PETS + "Beast", PETS + "Animal"),
        (PETS + "nickname", PETS + "name"),
        ("https://w3id.org/policeonto/code/species/dog", "https://w3id.org/policeonto/code/species/canine"),
        ("https://w3id.org/policeonto/code/species/cat", None),
    ],
)
def test_a_deprecated_term_keeps_its_iri_and_names_its_replacement(
    schema: Path, term: str, replacement: str | None
) -> None:
    view = SchemaView(str(schema))
    owl = mend_owl(generate_owl(schema), view)
    iri = URIRef(term)
    assert any(owl.triples((iri, RDF.type, None)))  # still declared: deprecation, not deletion
    assert owl.value(iri, OWL.deprecated) == Literal(True)
    assert owl.value(iri, DCTERMS.isReplacedBy) == (URIRef(replacement) if replacement else None)
    assert owl.value(iri, SKOS.historyNote) is not None
    if "/code/" in term:
        codes = codelists_graph(view, "https://w3id.org/policeonto/codelists")
        assert (iri, SKOS.inScheme, URIRef("https://w3id.org/policeonto/code/species")) in codes
        assert codes.value(iri, OWL.deprecated) == Literal(True)
        assert codes.value(iri, DCTERMS.isReplacedBy) == (URIRef(replacement) if replacement else None)


def test_a_deprecated_code_list_keeps_its_scheme_and_names_its_successor(schema: Path) -> None:
    view = SchemaView(str(schema))
    owl = mend_owl(generate_owl(schema), view)
    assert owl.value(URIRef(PETS + "Kind"), DCTERMS.isReplacedBy) == URIRef(PETS + "Species")
    codes = codelists_graph(view, "https://w3id.org/policeonto/codelists")
    kind = URIRef("https://w3id.org/policeonto/code/kind")
    assert (kind, RDF.type, SKOS.ConceptScheme) in codes
    assert codes.value(kind, OWL.deprecated) == Literal(True)
    assert codes.value(kind, DCTERMS.isReplacedBy) == URIRef("https://w3id.org/policeonto/code/species")


def test_deprecated_codes_in_their_code_list_are_not_in_use(schema: Path) -> None:
    """A deprecated code stays in its code list's enumeration (old data keeps it): that is no use of it. A
    deprecated slot that a class still has is (a warning: point the class at the replacement)."""
    view = SchemaView(str(schema))
    findings = [f for f in report(mend_owl(generate_owl(schema), view)) if f.code == "deprecated-term-in-use"]
    # Kind's code mutt is still a member of the deprecated code list (and not itself deprecated).
    assert sorted((f.focus_node, f.path) for f in findings) == [
        (PETS + "Kind", PETS + "mutt"),
        (PETS + "nickname", next(f.path for f in findings if f.focus_node == PETS + "nickname")),
    ]


@pytest.mark.parametrize(
    ("version", "prior", "message"),
    [
        ("1.1", None, "'1.1' is not a semantic version"),
        ("1.1.0", "v1.0.0", "'v1.0.0' is not a semantic version"),
        ("1.1.0", "1.1.0", "prior_version 1.1.0 is not lower than its version 1.1.0"),
        ("1.1.0", "1.10.0", "prior_version 1.10.0 is not lower"),
    ],
)
def test_release_versions_are_semantic_and_in_order(
    tmp_path: Path, version: str, prior: str | None, message: str
) -> None:
    schema = {**SCHEMA, "version": version}
    if prior is not None:
        schema["annotations"] = {"prior_version": prior}
    path = tmp_path / "pets.yaml"
    path.write_text(yaml.safe_dump(schema, sort_keys=False), encoding="utf-8")
    with pytest.raises(BuildError, match=message):
        release_versions(SchemaView(str(path)))


def test_release_versions_read_the_prior_version(tmp_path: Path) -> None:
    path = tmp_path / "pets.yaml"
    path.write_text(yaml.safe_dump({**SCHEMA, "annotations": {"prior_version": "1.0.9"}}), encoding="utf-8")
    assert release_versions(SchemaView(str(path))) == ("1.1.0", "1.0.9")
