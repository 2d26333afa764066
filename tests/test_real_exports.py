"""Every real data.police.uk file in ../shared/data/police-uk maps with no row lost, and its RDF conforms
to the SHACL shapes under pySHACL (findings on the source data are reported, not hidden)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rdflib import Graph

from policeonto.conversion import conform
from policeonto.mapping import map_files
from policeonto.vocab import POLE
from tests.conftest import POLICE_UK

REAL = sorted(POLICE_UK.glob("*/*.csv"))


def _map(path: Path) -> tuple:
    sink = io.BytesIO()
    result = map_files([path], sink)
    return result, Graph().parse(data=sink.getvalue().decode("utf-8"), format="nt")


def test_the_real_files_are_there() -> None:
    assert len(REAL) == 5


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_file_maps_without_losing_a_row_and_conforms(path: Path, shapes: Graph) -> None:
    result, graph = _map(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        import csv

        rows = sum(1 for _ in csv.reader(handle)) - 1
    assert result.rows_read == rows
    assert result.rows_read == result.rows_mapped + result.rows_rejected
    assert result.rows_rejected == 0, result.rejected_by_reason
    assert len(set(graph.subjects(POLE.source_row, None))) >= result.rows_mapped
    conforms, violations = conform(graph, shapes)
    assert violations == []
    assert conforms


def test_outcomes_link_to_their_street_crimes() -> None:
    _, street = _map(POLICE_UK / "street" / "2024-07-metropolitan-street.burglary-subset.csv")
    _, outcomes = _map(POLICE_UK / "outcomes" / "2024-07-metropolitan-outcomes.burglary-subset.csv")
    crimes = set(street.subjects(POLE.crime_type, None))
    linked = set(outcomes.objects(None, POLE.outcome_of))
    assert linked and linked <= crimes
