"""Shared fixtures: the generated artefacts, parsed once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from linkml_runtime.utils.schemaview import SchemaView
from rdflib import Graph

from policeonto.vocab import ARTEFACTS, schema_view

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
POLICE_UK = ROOT.parent / "shared" / "data" / "police-uk"
SHACL_SUITE = ROOT.parent / "shared" / "data" / "shacl-test-suite"


@pytest.fixture(scope="session")
def view() -> SchemaView:
    return schema_view()


@pytest.fixture(scope="session")
def ontology() -> Graph:
    return Graph().parse(ROOT / ARTEFACTS["owl"], format="turtle")


@pytest.fixture(scope="session")
def alignments() -> Graph:
    return Graph().parse(ROOT / ARTEFACTS["alignments"], format="turtle")


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return Graph().parse(ROOT / ARTEFACTS["shacl"], format="turtle")


@pytest.fixture(scope="session")
def codelists() -> Graph:
    return Graph().parse(ROOT / ARTEFACTS["codelists"], format="turtle")
