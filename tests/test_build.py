"""The build: deterministic, complete, and its --check catches drift."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import DCTERMS, OWL, RDF, Graph, URIRef

from policeonto.build import build, render
from policeonto.vocab import ARTEFACTS
from tests.conftest import ROOT


def test_committed_artefacts_are_current() -> None:
    result = build(ROOT, check=True)
    assert result.changed == []
    assert {a.path for a in result.artefacts} == set(ARTEFACTS.values())


def test_cli_build_check_is_clean() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "policeonto", "build", "--check"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert f"{len(ARTEFACTS)} artefacts" in run.stdout


@pytest.fixture()
def project_copy(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for path in ARTEFACTS.values():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / path, tmp_path / path)
    return tmp_path


def test_check_reports_an_edited_artefact_and_build_restores_it(project_copy: Path) -> None:
    shapes = project_copy / ARTEFACTS["shacl"]
    original = shapes.read_text(encoding="utf-8")
    shapes.write_text(original.replace("sh:closed true", "sh:closed false", 1), encoding="utf-8")
    assert build(project_copy, check=True).changed == [ARTEFACTS["shacl"]]
    assert shapes.read_text(encoding="utf-8") != original  # --check wrote nothing
    assert build(project_copy).changed == [ARTEFACTS["shacl"]]
    assert shapes.read_text(encoding="utf-8") == original


def test_cli_check_exits_1_on_drift(project_copy: Path) -> None:
    (project_copy / ARTEFACTS["owl"]).unlink()
    run = subprocess.run(
        [sys.executable, "-m", "policeonto", "build", "--check", "--root", str(project_copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "ontology/policeonto.ttl: would be changed" in run.stdout


def test_render_is_deterministic_across_processes(view) -> None:
    # A second interpreter with another hash seed must produce byte-identical artefacts.
    code = (
        "import sys; from policeonto.build import render; from policeonto.vocab import schema_view; "
        "sys.stdout.write(''.join(a.text for a in render(schema_view())))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    ).stdout
    assert other == "".join(a.text for a in render(view))


def test_every_artefact_is_stamped_generated() -> None:
    for path in ARTEFACTS.values():
        text = (ROOT / path).read_text(encoding="utf-8")
        if path.suffix != ".jsonld":
            assert "do not edit" in text.splitlines()[0] + text.splitlines()[1], path


def test_ontology_header(ontology: Graph, alignments: Graph) -> None:
    ont = URIRef("https://w3id.org/policeonto")
    assert (ont, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ont, OWL.versionIRI) == URIRef("https://w3id.org/policeonto/0.2.0/policeonto")
    assert str(ontology.value(ont, OWL.versionInfo)) == "0.2.0"
    assert ontology.value(ont, OWL.priorVersion) == URIRef("https://w3id.org/policeonto/0.1.0/policeonto")
    aligned = URIRef("https://w3id.org/policeonto/alignments")
    assert alignments.value(aligned, OWL.priorVersion) == URIRef("https://w3id.org/policeonto/0.1.0/alignments")
    assert isinstance(ontology.value(ont, DCTERMS.license), URIRef)
    assert ontology.value(ont, DCTERMS.title) is not None
    assert ontology.value(ont, DCTERMS.description) is not None
    assert (URIRef("https://w3id.org/policeonto/alignments"), OWL.imports, ont) in alignments
