"""The mapping stream and its consumers: the values it yields, writing and validating composed over one
pass, the reader carrying on after a malformed block, per-file reports, and load deciding per file."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from click.testing import CliRunner

from policeonto.cli import main
from policeonto.mapping import (
    FileEnded,
    FileStarted,
    MapOptions,
    RowsMapped,
    map_files,
    map_stream,
    writing_ntriples,
)
from policeonto.mapping.reader import inspect, read_batches
from policeonto.store import EmbeddedStore
from policeonto.store.jobs import load_inputs
from policeonto.validation import validate, validate_stream
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"
FORCE_A = sorted((EXAMPLES / "force-a").glob("*.csv"))
STOP_AND_SEARCH, STREET = sorted((EXAMPLES / "police-uk").glob("*.csv"))


def test_the_stream_opens_batches_and_closes_each_file_in_dependency_order() -> None:
    """Given in reverse order, force-a's tables come out with every table after those it refers to, each
    as one opening value, its batches, one closing value; the closing counts are what the batches carried."""
    events = list(map_stream(list(reversed(FORCE_A)), options=MapOptions(batch_rows=300)))
    files = [e.file for e in events if isinstance(e, FileStarted)]
    assert sorted(files) == sorted(map(str, FORCE_A)) and len(set(files)) == len(files)
    assert files.index(str(EXAMPLES / "force-a" / "links.csv")) > files.index(
        str(EXAMPLES / "force-a" / "nominals.csv")
    )
    for file in files:
        mine = [e for e in events if e.file == file]
        assert isinstance(mine[0], FileStarted) and isinstance(mine[-1], FileEnded)
        batches = mine[1:-1]
        assert batches and all(isinstance(b, RowsMapped) for b in batches)
        summary = mine[-1].summary
        assert summary.rows_read == sum(b.rows for b in batches) == summary.rows_mapped + summary.rows_rejected
        assert summary.triples == sum(b.triples for b in batches) + len(mine[-1].provenance)
        assert sum(len(b.findings) for b in batches) + len(mine[0].findings) == sum(summary.finding_counts.values())
    starts = [i for i, e in enumerate(events) if isinstance(e, FileStarted)]
    ends = [i for i, e in enumerate(events) if isinstance(e, FileEnded)]
    assert all(s < e for s, e in zip(starts, ends, strict=True)) and all(
        e < s for e, s in zip(ends, starts[1:], strict=False)
    )


def _same_run(text: str) -> list[str]:
    """N-Triples lines with the run's start time taken out (two runs a second apart name two runs)."""
    text = re.sub(r"run/[0-9]{8}T[0-9]{6}Z", "run/T", text)
    text = re.sub(r'"[0-9-]{10}T[0-9:]{8}[^"]*"\^\^<http://www.w3.org/2001/XMLSchema#dateTime>', '"T"', text)
    return sorted(text.splitlines())


def test_validating_and_writing_in_one_pass_write_what_map_writes_and_report_what_validate_reports() -> None:
    options = MapOptions(batch_rows=250)
    out = io.BytesIO()
    report = validate_stream(writing_ntriples(map_stream(FORCE_A, options=options), out))
    alone = io.BytesIO()
    mapped = map_files(FORCE_A, alone, options=options)
    assert _same_run(out.getvalue().decode()) == _same_run(alone.getvalue().decode())
    assert out.getvalue().count(b"\n") == mapped.triples
    reference = validate(FORCE_A, options=options)
    assert report.finding_counts == reference.finding_counts and report.rows == reference.rows == mapped.rows_read
    assert [(f.code, f.file, f.row, f.column, f.value) for f in report.findings] == [
        (f.code, f.file, f.row, f.column, f.value) for f in reference.findings
    ]


def test_a_malformed_block_is_read_on_carefully_with_no_restart_seen_by_the_caller(tmp_path: Path) -> None:
    """The reader yields the rows before the malformed block once, then every row after it, the malformed
    one rejected by number: no exception reaches the caller."""
    header, good = STREET.read_text(encoding="utf-8").splitlines()[:2]
    lines = [header] + [good] * 30000
    lines[20000] = good[:60]  # data row 20000 is truncated
    path = tmp_path / "2024-01-kent-street.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    batches = list(read_batches(inspect(path), batch_rows=1000))
    rows = [n for b in batches for n in b.frame["_row"].to_list()]
    assert rows == [n for n in range(1, 30001) if n != 20000]
    assert [r.row for b in batches for r in b.rejected] == [20000]


def _bad_stop_and_search(folder: Path) -> Path:
    """The first three stop-and-search rows, the first with a search type the format does not have."""
    lines = STOP_AND_SEARCH.read_text(encoding="utf-8").splitlines(keepends=True)[:4]
    header = lines[0].rstrip("\r\n").split(",")
    row = lines[1].rstrip("\r\n").split(",")
    row[header.index("Type")] = "Not a search type"
    bad = folder / STOP_AND_SEARCH.name
    bad.write_text(lines[0] + ",".join(row) + "\n" + "".join(lines[2:]), encoding="utf-8")
    return bad


def test_the_report_has_an_entry_per_file_with_its_counts_and_findings(tmp_path: Path) -> None:
    bad = _bad_stop_and_search(tmp_path)
    report = validate([bad, STREET])
    assert [e.file for e in report.files] == [str(bad), str(STREET)]
    stop, street = report.files
    assert (stop.valid, street.valid, report.valid) == (False, True, False)
    assert stop.rows == 3 and stop.finding_counts["unknown-code"] == 1
    assert [(f.row, f.column) for f in stop.findings if f.code == "unknown-code"] == [(1, "Type")]
    assert all(f.file == str(street) for f in street.findings)
    assert sum(e.rows for e in report.files) == report.rows
    assert sum(e.triples for e in report.files) == report.triples
    total = sum((e.finding_counts for e in report.files), start=type(report.finding_counts)())
    assert total == report.finding_counts

    shown = CliRunner().invoke(main, ["validate", str(bad), str(STREET), "--format", "json"])
    data = json.loads(shown.stdout)
    assert {"valid", "stats", "findings", "files"} <= data.keys()
    assert [(f["file"], f["valid"], f["stats"]["rows"]) for f in data["files"]] == [
        (str(bad), False, 3),
        (str(STREET), True, street.rows),
    ]
    assert data["files"][0]["stats"]["by_code"]["unknown-code"] == 1
    text = CliRunner().invoke(main, ["validate", str(bad), str(STREET)]).stdout.splitlines()
    assert text[1].startswith(f"  {bad}: INVALID, 3 rows, ") and text[1].endswith("(errors: unknown-code x1)")
    assert text[2].startswith(f"  {STREET}: valid, {street.rows:,} rows, ")


def test_load_holds_back_a_linked_export_whole_and_decides_a_file_that_stands_alone_on_its_own(
    tmp_path: Path,
) -> None:
    """force-a's export has errors planted in six of its eight tables: every table is held back (the
    valid ones would link to records not loaded), each saying why; a data.police.uk file given with them
    stands alone and is loaded. --load-invalid loads them all."""
    store = EmbeddedStore(tmp_path / "store")
    try:
        done = {item.source: item for item in load_inputs(store, [*FORCE_A, STREET])}
    finally:
        store.close()
    assert set(done) == {*map(str, FORCE_A), str(STREET)}
    assert done[str(STREET)].loaded and done[str(STREET)].triples > 0 and done[str(STREET)].reason is None
    report = validate(FORCE_A)
    invalid = [e.file for e in report.files if not e.valid]  # in the order they were mapped
    assert len(invalid) == 6  # nominals, locations and links; phones, calls and family links
    for path in map(str, FORCE_A):
        item = done[path]
        assert (item.loaded, item.triples, item.valid) == (False, 0, path not in invalid)
        if path in invalid:
            errors = report.file(path).errors()
            assert item.reason == "errors: " + ", ".join(f"{c} x{n:,}" for c, n in errors.items())
        else:
            named = f"{', '.join(invalid[:3])} and {len(invalid) - 3} more"  # the first three named
            assert item.reason is not None and item.reason.startswith(f"held back with {named}, files")

    output = CliRunner().invoke(main, ["load", *map(str, FORCE_A), "--store", str(tmp_path / "cli")]).output
    assert f"{EXAMPLES / 'force-a' / 'links.csv'}: invalid (22 findings; errors: dangling-reference x22)" in output
    assert f"{EXAMPLES / 'force-a' / 'objects.csv'}: not loaded: held back with " in output
    forced = CliRunner().invoke(main, ["load", *map(str, FORCE_A), "--store", str(tmp_path / "cli"), "--load-invalid"])
    assert forced.exit_code == 1 and forced.output.count(" triples in <") == len(FORCE_A), forced.output


def test_load_without_validation_holds_nothing_back(tmp_path: Path) -> None:
    """Without validation no file is judged: force-a's tables, which have mapping findings, are all loaded."""
    store = EmbeddedStore(tmp_path / "store")
    try:
        done = load_inputs(store, FORCE_A, check=False)
    finally:
        store.close()
    assert [(d.source, d.loaded, d.valid, d.findings, d.reason) for d in done] == [
        (d.source, True, None, 0, None) for d in done
    ]
    assert sorted(d.source for d in done) == sorted(map(str, FORCE_A)) and all(d.triples > 0 for d in done)
