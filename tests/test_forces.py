"""Two forces' records-system exports (Force A's relational CSV files, Force B's JSON:API document): the
generator is reproducible, validation finds exactly the faults it planted, and the cross-force queries
answer what the generator knows to be true, on the embedded store and on a real Oxigraph server."""

from __future__ import annotations

import csv
import filecmp
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from policeonto.mapping import MapOptions, map_result, map_stream
from policeonto.mapping.plan import enum_codes
from policeonto.store import EmbeddedStore, Store
from policeonto.store.jobs import load_inputs
from policeonto.validation import validate
from policeonto.vocab import schema_view
from tests.conftest import ROOT, script_module

EXAMPLES = ROOT / "examples"
FORCE_A = sorted((EXAMPLES / "force-a").glob("*.csv"))
FORCE_B = [EXAMPLES / "force-b" / "export.json"]
POLICE_UK = sorted((EXAMPLES / "police-uk").glob("*.csv"))
QUERIES = EXAMPLES / "queries"
SYSTEMS = {"Force A records system": "A", "Force B case management": "B"}


@pytest.fixture(scope="module")
def truth() -> dict[str, Any]:
    return json.loads((EXAMPLES / "ground-truth.json").read_text(encoding="utf-8"))


def _generator() -> Any:
    return script_module(EXAMPLES / "generate_forces.py")


def test_the_bundled_exports_are_what_the_seeded_generator_writes(tmp_path: Path) -> None:
    _generator().generate(tmp_path, seed=7, scale=1.0)
    files = ["force-a/" + p.name for p in FORCE_A] + ["force-b/export.json", "ground-truth.json", "linkage-truth.csv"]
    _, mismatch, errors = filecmp.cmpfiles(EXAMPLES, tmp_path, files, shallow=False)
    assert (mismatch, errors) == ([], []), "regenerate with: make examples"


def test_another_seed_plants_other_faults_and_validation_finds_exactly_those(tmp_path: Path) -> None:
    other = _generator().generate(tmp_path, seed=8, scale=0.5)
    report = validate([*sorted((tmp_path / "force-a").glob("*.csv")), tmp_path / "force-b" / "export.json"])
    found = sorted(_where(f, tmp_path) for f in report.findings)
    assert found == sorted((f["code"], f["file"], f["row"], f["column"], f["value"]) for f in other["faults"])


def _where(finding: Any, folder: Path = EXAMPLES) -> tuple[str, str, int | None, str | None, str | None]:
    file = Path(finding.file).relative_to(folder).as_posix()
    return finding.code, file, finding.row, finding.column, finding.value


def test_validation_finds_exactly_the_planted_faults(truth: dict[str, Any]) -> None:
    report = validate(FORCE_A + FORCE_B)
    found = sorted(_where(f) for f in report.findings)
    planted = sorted((f["code"], f["file"], f["row"], f["column"], f["value"]) for f in truth["faults"])
    assert found == planted
    assert not report.valid  # a dangling link is an error
    assert Counter(code for code, *_ in found) == {
        "dangling-reference": 36,  # 4 in Force A's calls and family links, 1 warrant and 1 report's subject in Force B
        "invalid-value": 13,  # 3 phone numbers in national form; 2 postcodes without their space (linkage cases)
        "missing-recommended-value": 12,
        "unknown-code": 14,  # 1 family link code, 1 source evaluation "6"
        "value-out-of-range": 3,  # 3 calls of a negative duration
        "shape-node": 1,  # Force B's intelligence report with handling code C and no conditions
    }


def test_every_row_and_record_is_mapped_or_rejected_with_its_reason(truth: dict[str, Any]) -> None:
    result = map_result(map_stream(FORCE_A + FORCE_B))  # pulled, written nowhere
    assert result.rows_read == result.rows_mapped + result.rows_rejected
    counts = truth["counts"]
    a, b = counts["force-a"], counts["force-b"]
    assert result.rows_read == sum(a.values()) + sum(b.values())
    # A fault in a required column rejects its row; one in an optional column (a postcode, a call's phone
    # record or duration) drops the value and the row is mapped.
    required = {
        "ENTITY_REF",
        "id",  # an intelligence report's subject links, when the report is rejected
        "relationships.involvedPersons.data.id",
        "relationships.subject.data.id",
        "TO_REF",
        "PHONE_NUMBER",
        "REL_CODE",
        "attributes.grading.source",
    }
    ungraded = sum(1 for f in truth["faults"] if (f["column"] or "").startswith("attributes.grading."))
    assert ungraded == 1  # a required grade with no crosswalk entry rejects its report
    rejecting = Counter(f"{f['code']} ({f['column']})" for f in truth["faults"] if f["column"] in required)
    assert result.rows_rejected == sum(rejecting.values())
    assert result.rejected_by_reason == rejecting
    assert set(result.rejected_by_reason) == {
        "dangling-reference (ENTITY_REF)",
        "dangling-reference (id)",
        "dangling-reference (relationships.involvedPersons.data.id)",
        "dangling-reference (relationships.subject.data.id)",
        "dangling-reference (TO_REF)",
        "invalid-value (PHONE_NUMBER)",
        "unknown-code (REL_CODE)",
        "unknown-code (attributes.grading.source)",
    }


def test_a_link_table_without_the_tables_it_names_says_its_references_were_not_checked() -> None:
    report = validate([EXAMPLES / "force-a" / "links.csv"])
    unchecked = {(f.column, f.value) for f in report.findings if f.code == "references-not-checked"}
    assert unchecked == {("OCC_REF", "OccurrenceRow"), ("ENTITY_REF", "NominalRow"), ("ENTITY_REF", "ObjectRow")}


def test_records_of_a_type_no_mapping_reads_are_counted_as_rejected(tmp_path: Path) -> None:
    document = json.loads(FORCE_B[0].read_text(encoding="utf-8"))
    document["included"].append({"type": "firearms-certificates", "id": "FC-1", "attributes": {}})
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = map_result(map_stream([path]))
    assert result.rows_read == result.rows_mapped + result.rows_rejected
    assert result.rejected_by_reason["unknown-record-type (included: firearms-certificates)"] == 1
    assert result.finding_counts["unknown-record-type"] == 1


def _text(term: str) -> str:
    return term.split('"')[1] if term.startswith('"') else term.strip("<>")


def _answers(store: Store, name: str) -> list[list[str]]:
    result = store.query((QUERIES / name).read_text(encoding="utf-8"))
    return [[_text(t) if t else "" for t in row] for row in result.rows]


def test_cross_force_questions_answer_what_the_generator_knows(store: Store, truth: dict[str, Any]) -> None:
    load_inputs(store, FORCE_A + FORCE_B, load_invalid=True)  # the planted faults are errors
    load_inputs(store, POLICE_UK)
    media = (
        "PREFIX pole: <https://w3id.org/policeonto/> SELECT ?t WHERE { ?d a pole:SourceDataset ; pole:media_type ?t }"
    )
    assert Counter(_text(t) for (t,) in store.query(media).rows) == {"text/csv": 10, "application/vnd.api+json": 1}

    assert [row[0] for row in _answers(store, "people-in-both-forces.rq")] == truth["shared_people"]
    assert [row[0] for row in _answers(store, "vehicles-in-both-forces.rq")] == truth["shared_vehicles"]

    hops = [{"force": SYSTEMS[s], "kind": k, "id": r} for s, k, r, _ in _answers(store, "within-two-hops.rq")]
    assert (
        sorted(hops, key=lambda h: (h["force"], h["kind"], h["id"])) == truth["person_of_interest"]["within_two_hops"]
    )

    names = enum_codes(schema_view())
    searches: Counter[tuple[str, str, str]] = Counter()
    for source, _, _, count, law, outcome in _answers(store, "searches-by-legislation.rq"):
        searches[(SYSTEMS.get(source, source), names[law], names.get(outcome, ""))] += int(count)
    expected = Counter(
        {(s["force"], s["legislation"], s["outcome"]): s["count"] for s in truth["searches_by_legislation"]}
    )
    assert Counter({k: n for k, n in searches.items() if k[0] in "AB"}) == expected
    with POLICE_UK[0].open(encoding="utf-8") as handle:
        kent = sum(1 for row in csv.DictReader(handle) if row["Legislation"])
    assert sum(n for k, n in searches.items() if k[0] == "Kent Police") == kent

    burglary: Counter[str] = Counter()
    recorded_as: dict[str, set[str]] = {}
    for source, local, count in _answers(store, "offences-of-a-class.rq"):
        burglary[SYSTEMS.get(source, source)] += int(count)
        recorded_as.setdefault(SYSTEMS.get(source, source), set()).add(local)
    assert recorded_as == {  # each force's own code kept beside the national crime type
        "A": {"BURG-RES", "BURG-BUS"},
        "B": {"RESIDENTIAL BURGLARY", "NON-RESIDENTIAL BURGLARY"},
        "Kent Police": {"(national crime type)"},
    }
    with POLICE_UK[1].open(encoding="utf-8") as handle:
        kent = sum(1 for row in csv.DictReader(handle) if row["Crime type"] == "Burglary")
    assert burglary == {**truth["crimes_by_type"]["burglary"], "Kent Police": kent}


def test_a_load_with_another_base_writes_every_iri_under_it() -> None:
    store = EmbeddedStore()
    base = "https://data.example.org/force-a/"
    done = load_inputs(store, FORCE_A, load_invalid=True, options=MapOptions(base=base))
    assert {d.graph.startswith(f"{base}dataset/") for d in done} == {True}
    people = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/policeonto/Person> }")
    assert int(people.values("n").pop()) == 335  # 300 drawn, 35 planted for the linkage cases
    outside = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        'FILTER(STRSTARTS(STR(?s), "https://w3id.org/policeonto/data/")) }'
    )
    assert int(outside.values("n").pop()) == 0
    store.close()
