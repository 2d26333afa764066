"""Force C's intelligence graph, exported in neo4j-admin import format (node files with a global ``:ID``,
typed headers, relationship files with ``:START_ID,:END_ID,:TYPE``): the generator is reproducible, the
mapping loses no row, validation finds exactly the planted faults, the fast engine gives pySHACL's results,
and the export loads into a store. A foreign key may name a row of any of several tables."""

from __future__ import annotations

import csv
import filecmp
import importlib.util
import io
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from policeonto.errors import MappingSpecError
from policeonto.fastshacl.report import report_keys
from policeonto.mapping import DEFAULT_BASE, MapOptions, map_files
from policeonto.mapping.spec import load_mapping
from policeonto.store import EmbeddedStore
from policeonto.store.jobs import load_inputs
from policeonto.store.results import plain
from policeonto.validation import validate
from policeonto.vocab import SH
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"
FORCE_C = sorted((EXAMPLES / "force-c").glob("*.csv"))
POLE = "https://w3id.org/policeonto/"
DATA = "https://w3id.org/policeonto/data/force-c/"


def graph_generator() -> Any:
    spec = importlib.util.spec_from_file_location("generate_graph_export", EXAMPLES / "generate_graph_export.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def truth() -> dict[str, Any]:
    return json.loads((EXAMPLES / "graph-ground-truth.json").read_text(encoding="utf-8"))


def _planted(truth: dict[str, Any]) -> list[tuple[str, str, int, str, str]]:
    return sorted((f["code"], f["file"], f["row"], f["column"], f["value"]) for f in truth["faults"])


def _found(findings: list[Any], folder: Path) -> list[tuple[str, str, int | None, str | None, str | None]]:
    return sorted((f.code, Path(f.file).relative_to(folder).as_posix(), f.row, f.column, f.value) for f in findings)


def test_the_bundled_export_is_what_the_seeded_generator_writes(tmp_path: Path) -> None:
    graph_generator().generate(tmp_path, seed=7, scale=1.0)
    files = ["force-c/" + p.name for p in FORCE_C] + ["graph-ground-truth.json"]
    _, mismatch, errors = filecmp.cmpfiles(EXAMPLES, tmp_path, files, shallow=False)
    assert (mismatch, errors) == ([], []), "regenerate with: make examples"


def test_the_files_are_in_neo4j_admin_import_format() -> None:
    tables = {p.name: list(csv.reader(p.read_text(encoding="utf-8").splitlines())) for p in FORCE_C}
    headers = {name: rows[0] for name, rows in tables.items()}
    assert headers["people.csv"] == ["personId:ID", "name", "born:date", ":LABEL"]
    assert headers["locations.csv"][2:4] == ["latitude:double", "longitude:double"]
    assert headers["involved_in.csv"] == [":START_ID", "role", ":END_ID", ":TYPE", "recorded:datetime"]
    assert headers["occurred_at.csv"] == [":START_ID", ":END_ID", ":TYPE", "recorded:datetime"]
    ids = [row[0] for name, rows in tables.items() if rows[0][0].endswith(":ID") for row in rows[1:]]
    assert len(ids) == len(set(ids)) == 650  # one global ID space: no ID in two node files


def test_mapping_loses_no_row_and_rejects_only_the_dangling_relationships(truth: dict[str, Any]) -> None:
    summary = map_files(FORCE_C, io.BytesIO())
    dangling = sum(f["code"] == "dangling-reference" for f in truth["faults"])
    assert summary.rows_read == sum(truth["rows"].values()) == 1347
    assert (summary.rows_mapped, summary.rows_rejected) == (1347 - dangling, dangling)
    assert summary.rows_read == summary.rows_mapped + summary.rows_rejected
    assert summary.rejected_by_reason == {"dangling-reference (:START_ID)": 10, "dangling-reference (:END_ID)": 4}
    assert summary.triples == 12204


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_validation_finds_exactly_the_planted_faults(engine: str, truth: dict[str, Any]) -> None:
    report = validate(FORCE_C, engine=engine)
    assert _found(report.findings, EXAMPLES) == _planted(truth)
    assert Counter(f.code for f in report.findings) == {"dangling-reference": 14, "invalid-value": 4}
    assert not report.valid


def test_the_fast_engine_gives_pyshacls_results_on_the_export() -> None:
    fast = report_keys(validate(FORCE_C, engine="fast").shacl_report())
    reference = report_keys(validate(FORCE_C, engine="pyshacl").shacl_report())
    assert fast == reference


def _kinds(truth: dict[str, Any]) -> Counter[str]:
    """What the relationship rows the mapping keeps should become, read from the files themselves."""
    rejected = {(f["file"], f["row"]) for f in truth["faults"] if f["code"] == "dangling-reference"}
    kinds: Counter[str] = Counter()
    for name, kind in (("involved_in", None), ("occurred_at", "EventLocation")):
        with (EXAMPLES / "force-c" / f"{name}.csv").open(encoding="utf-8") as stream:
            for row, record in enumerate(csv.DictReader(stream), start=1):
                if (f"force-c/{name}.csv", row) not in rejected:
                    person = record.get("role") in {"SUSPECT", "VICTIM", "WITNESS"}
                    kinds[kind or ("PersonInvolvement" if person else "ObjectInvolvement")] += 1
    return kinds


def test_the_export_loads_and_every_involvement_names_a_person_or_vehicle_and_an_event(
    truth: dict[str, Any],
) -> None:
    store = EmbeddedStore()
    load_inputs(store, FORCE_C, load_invalid=True)  # the planted faults are errors
    counts = store.query(
        f"PREFIX pole: <{POLE}> SELECT ?kind (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?i a ?kind . "
        "VALUES ?kind { pole:PersonInvolvement pole:ObjectInvolvement pole:EventLocation } } } GROUP BY ?kind"
    )
    by_kind = {plain(kind).rsplit("/", 1)[-1]: int(plain(n)) for kind, n in counts.rows}
    assert by_kind == _kinds(truth) == {"PersonInvolvement": 340, "ObjectInvolvement": 133, "EventLocation": 210}
    broken = store.query(
        f"PREFIX pole: <{POLE}> SELECT ?i WHERE {{ GRAPH ?g {{ ?i pole:event ?e }} "
        "FILTER NOT EXISTS { GRAPH ?h { ?e a ?c . VALUES ?c { pole:Crime pole:Incident } } } }"
    )
    assert broken.rows == ()


def _export(folder: Path, tables: dict[str, list[list[str]]]) -> list[Path]:
    """Write a Force C export of the given tables (file stem -> data rows) with the generator's headers."""
    headers = graph_generator().HEADERS
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows in tables.items():
        path = folder / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as stream:
            csv.writer(stream, lineterminator="\n").writerows([headers[name], *rows])
        paths.append(path)
    return paths


TABLES = {
    "people": [["1", "Alys Dunn", "1990-01-02", "Person"]],
    "vehicles": [["2", "AB24CDE", "Ford", "Red", "Vehicle"]],
    "crimes": [["3", "C/1", "2024-03-01T10:00:00", "Burglary", "Crime"]],
    "incidents": [["4", "INC/1", "2024-03-02T11:00:00", "Noise nuisance", "Incident"]],
}


def test_a_reference_may_name_a_row_of_any_of_its_tables(tmp_path: Path) -> None:
    relationships = [
        ["1", "SUSPECT", "3", "INVOLVED_IN", ""],  # a person in a crime
        ["2", "USED", "4", "INVOLVED_IN", ""],  # a vehicle in an incident
        ["3", "WITNESS", "4", "INVOLVED_IN", ""],  # a crime is neither a person nor a vehicle
        ["1", "VICTIM", "2", "INVOLVED_IN", ""],  # a vehicle is neither a crime nor an incident
    ]
    paths = _export(tmp_path, TABLES | {"involved_in": relationships})
    report = validate(paths)
    dangling = [(f.row, f.column, f.value) for f in report.findings if f.code == "dangling-reference"]
    assert dangling == [(3, ":START_ID", "3"), (4, ":END_ID", "2")]
    summary = map_files(paths, io.BytesIO())
    assert (summary.rows_mapped, summary.rows_rejected) == (6, 2)


def test_a_reference_to_several_tables_is_not_checked_without_all_of_them(tmp_path: Path) -> None:
    relationships = [["1", "SUSPECT", "3", "INVOLVED_IN", ""], ["99", "SUSPECT", "3", "INVOLVED_IN", ""]]
    paths = _export(tmp_path, {"people": TABLES["people"], "crimes": TABLES["crimes"], "involved_in": relationships})
    report = validate(paths)  # no vehicles.csv (or incidents.csv): 99 may be a vehicle of a file not given
    unchecked = sorted((f.column, f.value) for f in report.findings if f.code == "references-not-checked")
    assert unchecked == [(":END_ID", "IncidentNode"), (":START_ID", "VehicleNode")]
    # the mapper cannot tell, and maps the row; the shapes then judge the link against every record of the
    # run, and 99 is none of them
    dangling = [(f.row, f.column, f.value, f.constraint) for f in report.findings if f.code == "dangling-reference"]
    assert dangling == [(2, ":START_ID", f"{DEFAULT_BASE}force-c/node/99", f"{SH}OrConstraintComponent")]
    assert map_files(paths, io.BytesIO()).rows_rejected == 0


def test_a_role_of_the_other_kind_of_node_is_a_class_finding_in_both_engines(tmp_path: Path) -> None:
    relationships = [["2", "SUSPECT", "3", "INVOLVED_IN", ""], ["1", "STOLEN", "4", "INVOLVED_IN", ""]]
    paths = _export(tmp_path, TABLES | {"involved_in": relationships})
    fast = report_keys(validate(paths, engine="fast").shacl_report())
    reference = report_keys(validate(paths, engine="pyshacl").shacl_report())
    assert fast == reference
    assert {(focus, path, value) for focus, path, value, *_ in reference} >= {
        (f"<{DATA}involved-in/row-1>", f"{POLE}person", f"<{DATA}node/2>"),
        (f"<{DATA}involved-in/row-2>", f"{POLE}object", f"<{DATA}node/1>"),
    }


def test_the_force_a_form_of_references_still_picks_one_table_by_another_column() -> None:
    entity = next(c for c in load_mapping("force-a-links").columns if c.slot == "entity_ref")
    assert (entity.references, entity.references_by) == ((("NOM", "NominalRow"), ("VEH", "ObjectRow")), "entity_type")
    start = next(c for c in load_mapping("force-c-involved-in").columns if c.slot == "involved_start")
    assert (start.references, start.references_by) == (((None, "PersonNode"), (None, "VehicleNode")), None)


def test_a_blank_references_annotation_is_refused(tmp_path: Path) -> None:
    source = (ROOT / "mappings" / "force-c.source.yaml").read_text(encoding="utf-8")
    (tmp_path / "force-c.source.yaml").write_text(
        source.replace("{references: LocationNode}", "{references: ''}"), encoding="utf-8"
    )
    (tmp_path / "context.yaml").write_text((ROOT / "mappings" / "context.yaml").read_text(), encoding="utf-8")
    transform = tmp_path / "occurred.transform.yaml"
    transform.write_text((ROOT / "mappings" / "force-c-occurred-at.transform.yaml").read_text(), encoding="utf-8")
    with pytest.raises(MappingSpecError, match="references must be row classes"):
        load_mapping(str(transform))


def test_options_base_names_the_nodes(tmp_path: Path) -> None:
    paths = _export(tmp_path, {"people": TABLES["people"]})
    sink = io.BytesIO()
    map_files(paths, sink, options=MapOptions(base="https://data.example.org/c/"))
    assert b"<https://data.example.org/c/force-c/node/1> " in sink.getvalue()


def test_an_id_of_two_node_files_is_a_duplicate_key_naming_both_rows(tmp_path: Path) -> None:
    tables = TABLES | {"vehicles": [["1", "AB24CDE", "Ford", "Red", "Vehicle"]]}  # ID 1 is also a person
    paths = _export(tmp_path, tables)
    report = validate(paths)
    (duplicate,) = [f for f in report.findings if f.code == "duplicate-key"]
    assert duplicate.file == str(tmp_path / "vehicles.csv") and duplicate.row == 1
    assert duplicate.column == "vehicleId:ID" and f"row 1 of {tmp_path / 'people.csv'}, a PersonNode" in duplicate.value
    summary = map_files(paths, io.BytesIO())
    assert summary.rejected_by_reason == {"duplicate-key (vehicleId:ID)": 1}
    fast = report_keys(validate(paths, engine="fast").shacl_report())
    assert fast == report_keys(validate(paths, engine="pyshacl").shacl_report())
