"""Shared fixtures: the generated artefacts, parsed once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings
from linkml_runtime.utils.schemaview import SchemaView
from rdflib import Graph

from policeonto.vocab import ARTEFACTS, schema_view

# `make test` replays the same examples on every run, so a red run is reproducible; `make fuzz`
# (HYPOTHESIS_PROFILE=fuzz) explores new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("fuzz", max_examples=1000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

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
