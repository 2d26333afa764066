"""The fast path gives the same graph as the reference path (linkml-map's ObjectTransformer and
linkml-runtime's RDF dumper) on samples of every supported format: real files and generated rows with
injected faults."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from policeonto.mapping import MapOptions, map_files
from policeonto.mapping.provenance import file_context
from policeonto.mapping.reader import inspect
from policeonto.mapping.recognition import recognise
from policeonto.mapping.reference import reference_graph, without_string_datatype
from policeonto.mapping.spec import list_mappings, load_mapping
from policeonto.vocab import POLE
from tests.conftest import POLICE_UK


def _compare(path: Path) -> None:
    sink = io.BytesIO()
    result = map_files([path], sink)
    fast = Graph().parse(data=sink.getvalue().decode("utf-8"), format="nt")
    source = inspect(path)
    mapping = recognise(source, list_mappings()).mapping
    run = str(next(iter(set(fast.objects(None, POLE.generated_by))), "urn:run"))
    reference, mapped = reference_graph(
        path, context=file_context(source, mapping, base=MapOptions().base, force=None, run=run)
    )
    rows = {int(o) for o in fast.objects(None, POLE.source_row)}
    assert rows == mapped, "both paths must map the same rows"
    assert result.rows_mapped == len(mapped)
    provenance = {s for s in fast.subjects() if "/dataset/" in str(s) or "/run/" in str(s)}
    fast_rows = Graph()
    for triple in fast:
        if triple[0] not in provenance:
            fast_rows.add(triple)
    left, right = without_string_datatype(fast_rows), without_string_datatype(reference)
    if not isomorphic(left, right):
        _, only_fast, only_reference = graph_diff(to_isomorphic(left), to_isomorphic(right))
        pytest.fail(f"only fast: {sorted(only_fast)[:3]}\nonly reference: {sorted(only_reference)[:3]}")


@pytest.mark.parametrize("path", sorted(POLICE_UK.glob("*/*.csv")), ids=lambda p: p.name)
def test_real_file_sample(path: Path, tmp_path: Path) -> None:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for _, row in zip(range(301), csv.reader(handle), strict=False)]
    sample = tmp_path / path.name
    with sample.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    _compare(sample)


def _labels(mapping: str, title: str) -> list[str]:
    return load_mapping(mapping).labels(title)


def _decimal(low: float, high: float) -> st.SearchStrategy[str]:
    return st.decimals(min_value=low, max_value=high, places=6, allow_nan=False).map(str)


FAULTS = st.sampled_from(["", "", "", "blank", "unknown", "garbage"])


def _faulty(value: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(value, FAULTS).map(
        lambda pair: {"": pair[0], "blank": "", "unknown": "Not a known label", "garbage": "12:xx"}[pair[1]]
    )


def _coded(mapping: str, title: str) -> st.SearchStrategy[str]:
    return _faulty(st.sampled_from(_labels(mapping, title)))


SAS = "police-uk-stop-and-search"
STREET = "police-uk-street"


def _sas_row() -> st.SearchStrategy[list[str]]:
    date = st.datetimes(
        min_value=__import__("datetime").datetime(2015, 1, 1), max_value=__import__("datetime").datetime(2024, 12, 31)
    ).map(lambda d: d.replace(microsecond=0).isoformat() + "+00:00")
    boolean = st.sampled_from(["True", "False", ""])
    return st.tuples(
        _coded(SAS, "Type"),
        _faulty(date),
        boolean,
        st.sampled_from(["", "Operation Example"]),
        _faulty(_decimal(50, 60)),
        _faulty(_decimal(-8, 1)),
        _coded(SAS, "Gender"),
        _coded(SAS, "Age range"),
        _coded(SAS, "Self-defined ethnicity"),
        _coded(SAS, "Officer-defined ethnicity"),
        _coded(SAS, "Legislation"),
        _coded(SAS, "Object of search"),
        _coded(SAS, "Outcome"),
        boolean,
        boolean,
    ).map(list)


def _street_row() -> st.SearchStrategy[list[str]]:
    crime_id = st.one_of(st.just(""), st.binary(min_size=32, max_size=32).map(bytes.hex))
    month = _faulty(st.dates().map(lambda d: d.strftime("%Y-%m")))
    force = _coded(STREET, "Reported by")
    return st.tuples(
        crime_id,
        month,
        force,
        force,
        _faulty(_decimal(-8, 1)),
        _faulty(_decimal(50, 60)),
        st.sampled_from(["On or near High Street", "No Location", ""]),
        _faulty(st.integers(0, 999999).map(lambda n: f"E01{n:06d}")),
        st.just("Somewhere 001A"),
        _coded(STREET, "Crime type"),
        _coded(STREET, "Last outcome category"),
        st.text(max_size=20),
    ).map(list)


def _write(tmp_path: Path, name: str, mapping: str, rows: list[list[str]]) -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")  # so a value with a carriage return is quoted
        writer.writerow([c.title for c in load_mapping(mapping).columns])
        writer.writerows(rows)
    return path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_sas_row(), min_size=1, max_size=12))
def test_generated_stop_and_search_rows(tmp_path: Path, rows: list[list[str]]) -> None:
    _compare(_write(tmp_path, "2020-01-kent-stop-and-search.csv", SAS, rows))


STREET_ROW = [
    "",
    "2000-01",
    "Avon and Somerset Constabulary",
    "Avon and Somerset Constabulary",
    "0.000000",
    "50.000000",
    "On or near High Street",
    "E01000000",
    "Somewhere 001A",
    "Bicycle theft",
    "Action to be taken by another organisation",
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_street_row(), min_size=1, max_size=12))
# Python's str.strip() takes the separators U+001C to U+001F for space; Unicode and polars do not.
@example(rows=[[*STREET_ROW, "\x1f"], [*STREET_ROW, "\x1c \xa0"], [*STREET_ROW, "\u3000x\x85"]])
def test_generated_street_rows(tmp_path: Path, rows: list[list[str]]) -> None:
    _compare(_write(tmp_path, "2020-01-kent-street.csv", STREET, rows))
