"""Alignments with a justification: every mapping the schema makes to another vocabulary has a row in an
SSSOM TSV file under ``schema/alignments/``, the build refuses a mapping without one and a row without a
mapping, and the alignment module and the docs page publish every justification."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef

from policeonto.build import render
from policeonto.build.alignments import (
    ALIGNMENTS_FOLDER,
    SSSOM,
    justified,
    read_alignments,
    schema_mappings,
)
from policeonto.errors import BuildError
from policeonto.vocab import ARTEFACTS, SCHEMA_PATH, schema_view
from tests.conftest import ROOT

FOLDER = SCHEMA_PATH.parent / ALIGNMENTS_FOLDER
POLE = "https://w3id.org/policeonto/"
SCHEMA_ORG = "http://schema.org/"
SEMAPV = "https://w3id.org/semapv/vocab/"


@pytest.fixture()
def schema_copy(tmp_path: Path) -> Path:
    """A copy of the schema folder (with its alignment sets); returns the copy's main file."""
    folder = tmp_path / "schema"
    shutil.copytree(SCHEMA_PATH.parent, folder)
    return folder / SCHEMA_PATH.name


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _core_header() -> str:
    lines = (FOLDER / "core.sssom.tsv").read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if line.startswith("#")).replace("/alignments/core", "/alignments/extra")


_VEHICLE = """    exact_mappings:
      - schema:Vehicle
"""
_CAR_ROW = (
    "pole:Vehicle\tvehicle\tskos:narrowMatch\tschema:Car\tCar\tsemapv:ManualMappingCuration\t"
    "schema.org's Car is a wheeled, self-powered motor vehicle, narrower than a policeonto vehicle.\n"
)


def test_every_mapping_of_the_schema_has_exactly_one_justification() -> None:
    rows = justified(schema_view(), FOLDER)
    assert {row.key for row in rows} == set(schema_mappings(schema_view()))
    assert len(rows) == len(schema_mappings(schema_view())) > 130
    assert all(
        row.comment.endswith(".") and row.justification == URIRef(f"{SEMAPV}ManualMappingCuration") for row in rows
    )


def test_the_build_refuses_a_mapping_without_a_justification(schema_copy: Path) -> None:
    _edit(schema_copy.parent / "object.yaml", _VEHICLE, "    narrow_mappings:\n      - schema:Car\n" + _VEHICLE)
    with pytest.raises(BuildError, match=r"class Vehicle narrow_mappings schema:Car: no justification row"):
        render(schema_view(schema_copy), schema_copy)


def test_the_build_refuses_a_row_without_a_mapping(schema_copy: Path) -> None:
    core = schema_copy.parent / ALIGNMENTS_FOLDER / "core.sssom.tsv"
    lines = core.read_text(encoding="utf-8").splitlines(keepends=True)
    core.write_text("".join(lines) + _CAR_ROW, encoding="utf-8")
    message = (
        rf"core\.sssom\.tsv:{len(lines) + 1} \(pole:Vehicle skos:narrowMatch schema:Car\): the schema makes no such"
    )
    with pytest.raises(BuildError, match=message):
        render(schema_view(schema_copy), schema_copy)


def test_a_mapping_justified_in_another_helpers_file_is_accepted(schema_copy: Path) -> None:
    """Each part of the model keeps its justifications in a file of its own; the build reads them all."""
    _edit(schema_copy.parent / "object.yaml", _VEHICLE, "    narrow_mappings:\n      - schema:Car\n" + _VEHICLE)
    folder = schema_copy.parent / ALIGNMENTS_FOLDER
    (folder / "extra.sssom.tsv").write_text(
        _core_header() + "\nsubject_id\tsubject_label\tpredicate_id\tobject_id\tobject_label\t"
        "mapping_justification\tcomment\n" + _CAR_ROW,
        encoding="utf-8",
    )
    rows = justified(schema_view(schema_copy), folder)
    (car,) = [row for row in rows if row.object_id == "schema:Car"]
    assert car.key == (URIRef(f"{POLE}Vehicle"), SKOS.narrowMatch, URIRef(f"{SCHEMA_ORG}Car"))
    assert car.mapping_set == URIRef("https://w3id.org/policeonto/alignments/extra")
    assert car.where == "extra.sssom.tsv:28"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        pytest.param(_CAR_ROW.rsplit("\t", 1)[0] + "\t\n", r"extra\.sssom\.tsv:28: comment empty", id="no-comment"),
        pytest.param(
            "pole:Vehicle\tvehicle\tskos:exactMatch\tschema:Vehicle\tVehicle\tsemapv:ManualMappingCuration\tAgain.\n",
            r"extra\.sssom\.tsv:28: the same mapping as core\.sssom\.tsv:\d+",
            id="twice",
        ),
        pytest.param(
            _CAR_ROW.replace("semapv:ManualMappingCuration", "semapv:Guesswork"),
            r"extra\.sssom\.tsv:28: mapping_justification .semapv:Guesswork. is not a SEMAPV term",
            id="bad-justification",
        ),
    ],
)
def test_a_malformed_row_is_named_by_file_and_line(tmp_path: Path, row: str, message: str) -> None:
    shutil.copy(FOLDER / "core.sssom.tsv", tmp_path / "core.sssom.tsv")
    (tmp_path / "extra.sssom.tsv").write_text(
        _core_header() + "\nsubject_id\tsubject_label\tpredicate_id\tobject_id\tobject_label\t"
        "mapping_justification\tcomment\n" + row,
        encoding="utf-8",
    )
    with pytest.raises(BuildError, match=message):
        read_alignments(tmp_path)


def test_the_alignment_module_carries_every_justification_as_sssom_rdf(alignments: Graph) -> None:
    rows = read_alignments(FOLDER)
    axioms = {
        (
            alignments.value(axiom, OWL.annotatedSource),
            alignments.value(axiom, OWL.annotatedProperty),
            alignments.value(axiom, OWL.annotatedTarget),
        ): axiom
        for axiom in alignments.subjects(RDF.type, OWL.Axiom)
    }
    assert len(axioms) == len(rows)
    core = URIRef("https://w3id.org/policeonto/alignments/core")
    assert (core, RDF.type, SSSOM.MappingSet) in alignments
    for row in rows:
        assert row.key in alignments, row.where  # the mapping itself
        axiom = axioms[row.key]
        assert (row.mapping_set, RDF.type, SSSOM.MappingSet) in alignments
        assert (row.mapping_set, SSSOM.mappings, axiom) in alignments
        assert alignments.value(axiom, RDFS.comment) == Literal(row.comment, lang="en")
        assert alignments.value(axiom, SSSOM.mapping_justification) == row.justification
        assert alignments.value(axiom, SSSOM.subject_label) == Literal(row.subject_label)


def test_the_docs_page_lists_every_alignment_with_its_justification() -> None:
    page = (ROOT / ARTEFACTS["alignments_page"]).read_text(encoding="utf-8")
    rows = read_alignments(FOLDER)
    assert f"{len(rows)} alignments." in page
    for row in rows:
        assert f"| `{row.subject_id}` | {row.predicate_id.removeprefix('skos:')} | `{row.object_id}` " in page
        assert row.comment in page
