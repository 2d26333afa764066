"""Hostile tabular exports and mapping files: each is refused with a short error naming the file, or handled,
within bounded memory, and never ends in an internal error.

Every input is generated here (each under 2 MB) and run through the CLI in a subprocess, whose peak memory
is read from the kernel (``ru_maxrss``) and bounded; a timeout guards against hanging.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from policeonto.errors import MappingSpecError
from policeonto.limits import LimitError, Limits
from policeonto.mapping.spec import mappings_dir
from tests.peak import run_measured

MEMORY_KIB = 1 << 20  # 1 GiB
TIMEOUT = 90  # seconds: a guard against hanging, never a measure of speed
MESSAGE = 1000  # characters an error may take

STREET_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
    "Last outcome category,Context"
)
STREET_ROW = (
    ",2024-01,Kent Police,Kent Police,-2.745754,52.119164,On or near Street 704,E01003164,Area 0632E,"
    "Possession of weapons,Offender sentenced as part of another case,"
)
STREET = "police-uk-street"


@dataclass
class Run:
    """How a policeonto process ended."""

    code: int
    stdout: str
    stderr: str
    peak_kib: int


def policeonto(*args: str | Path, cwd: Path) -> Run:
    """Run the CLI in a subprocess; its exit code, output and peak resident memory."""
    out, err = cwd / "stdout.txt", cwd / "stderr.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        code, peak = run_measured(
            [sys.executable, "-m", "policeonto", *args],
            timeout=TIMEOUT,
            peak_file=cwd / "peak.txt",
            cwd=cwd,
            stdout=stdout,
            stderr=stderr,
        )
    return Run(
        code, out.read_text(encoding="utf-8", errors="replace"), err.read_text(encoding="utf-8", errors="replace"), peak
    )


def refused(run: Run, *names: str) -> str:
    """Assert that *run* stopped with a short error (exit 2, no internal error) naming each of *names*."""
    assert run.code == 2, run.stderr[-2000:]
    assert run.peak_kib < MEMORY_KIB
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr, run.stderr[-2000:]
    assert run.stderr.startswith("policeonto: error: ")
    assert len(run.stderr) < MESSAGE, run.stderr[:2000]
    for name in names:
        assert name in run.stderr
    return run.stderr


def street_mapping(folder: Path) -> Path:
    """A copy of the bundled street-level crime mapping (with its source schema, context and crosswalks) in
    *folder*, to make hostile by editing; the path of its transformation file."""
    bundled = mappings_dir()
    (folder / "crosswalks").mkdir(parents=True)
    for name in (f"{STREET}.transform.yaml", f"{STREET}.source.yaml", "context.yaml"):
        shutil.copy(bundled / name, folder / name)
    for crosswalk in bundled.glob("crosswalks/police-uk-*.sssom.tsv"):
        shutil.copy(crosswalk, folder / "crosswalks" / crosswalk.name)
    return folder / f"{STREET}.transform.yaml"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def street_csv(path: Path, *, extra: int = 0, rows: int = 3) -> Path:
    """A street-level crime file with *extra* columns after the format's twelve."""
    header = STREET_HEADER + "".join(f",extra column {i}" for i in range(extra))
    row = STREET_ROW + ",x" * extra
    path.write_text(header + "\n" + (row + "\n") * rows, encoding="utf-8")
    return path


def persons_json(path: Path, *, records: int, nested: str | None = None) -> Path:
    """A Force B export of *records* persons, each with a field no other record has (and *nested*, JSON text,
    as the first one's ``attributes.extra``)."""
    people = [
        {"type": "persons", "id": f"PER-{i:06d}", "attributes": {"name": {"family": "Smith"}, f"note{i}": "x"}}
        for i in range(records)
    ]
    text = json.dumps({"jsonapi": {"version": "1.1"}, "data": [], "included": people})
    if nested is not None:
        text = text.replace('"note0": "x"', f'"extra": {nested}', 1)
    path.write_text(text, encoding="utf-8")
    return path


# --- 1. columns ------------------------------------------------------------------------------------------


def test_a_csv_header_over_the_columns_limit_is_refused_before_its_rows_are_read(tmp_path: Path) -> None:
    export = street_csv(tmp_path / "2024-01-kent-street.csv", extra=100_000, rows=1)
    assert export.stat().st_size < 2 << 20
    message = refused(policeonto("map", export, "-o", "out.nt", cwd=tmp_path), str(export))
    assert "100,012 columns" in message and "--limit columns=N" in message


def test_a_json_export_whose_records_each_add_a_field_is_refused_past_the_columns_limit(tmp_path: Path) -> None:
    export = persons_json(tmp_path / "export.json", records=20_000)
    assert export.stat().st_size < 2 << 20
    message = refused(policeonto("map", export, "-o", "out.nt", cwd=tmp_path), str(export))
    assert "over 2,000 different fields" in message and "--limit columns=N" in message


def test_a_json_export_within_a_raised_columns_limit_is_mapped_in_memory_linear_in_its_size(tmp_path: Path) -> None:
    # 10,000 records, 10,003 columns: building a frame of every column took 2.6 GB and 19 s
    export = persons_json(tmp_path / "export.json", records=10_000)
    run = policeonto("map", export, "-o", "out.nt", "--report", "report.json", "--limit", "columns=20000", cwd=tmp_path)
    assert run.code == 0, run.stderr[-2000:]
    assert run.peak_kib < MEMORY_KIB
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["rows_read"] == report["rows_mapped"] == 10_000
    assert report["finding_counts"]["unexpected-column"] == 10_000


def test_a_wide_csv_within_a_raised_columns_limit_is_mapped(tmp_path: Path) -> None:
    export = street_csv(tmp_path / "2024-01-kent-street.csv", extra=20_000, rows=2)
    run = policeonto("map", export, "-o", "out.nt", "--report", "report.json", "--limit", "columns=30000", cwd=tmp_path)
    assert run.code == 0, run.stderr[-2000:]
    assert run.peak_kib < MEMORY_KIB
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["rows_mapped"] == 2 and report["finding_counts"]["unexpected-column"] == 20_000


def test_an_unrecognised_wide_header_is_named_in_a_short_message(tmp_path: Path) -> None:
    long_name = "N" * 100_000
    export = tmp_path / "export.csv"
    export.write_text(",".join([long_name, *(f"c{i}" for i in range(60_000))]) + "\n1\n", encoding="utf-8")
    run = policeonto("map", export, "-o", "out.nt", "--limit", "columns=200000", cwd=tmp_path)
    message = refused(run, str(export), "no mapping recognises this header")
    assert "60,001 in all" in message and long_name not in message


@pytest.mark.parametrize("name", ["*", "^.*$", "^Crime ID$"])
def test_a_column_named_like_a_polars_pattern_is_an_unexpected_column(tmp_path: Path, name: str) -> None:
    export = tmp_path / "2024-01-kent-street.csv"
    export.write_text(f"{STREET_HEADER},{name}\n{STREET_ROW},x\n", encoding="utf-8")
    run = policeonto("map", export, "-o", "out.nt", "--report", "report.json", cwd=tmp_path)
    assert run.code == 0, run.stderr[-2000:]
    findings = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["findings"]
    assert {(f["code"], f["column"]) for f in findings} == {("unexpected-column", name)}


def test_a_header_field_over_python_csv_default_limit_is_read(tmp_path: Path) -> None:
    long_name = "L" * 200_000  # Python's csv module refuses fields over 128 KiB unless told otherwise
    export = tmp_path / "2024-01-kent-street.csv"
    export.write_text(f"{STREET_HEADER},{long_name}\n{STREET_ROW},x\n", encoding="utf-8")
    run = policeonto("map", export, "-o", "out.nt", cwd=tmp_path)
    assert run.code == 0, run.stderr[-2000:]
    assert "unexpected-column" in run.stderr and len(run.stderr) < 2000


def test_the_columns_limit_is_a_count() -> None:
    limits = Limits.parse(["columns=300", "field-size=1K"])
    assert (limits.columns, limits.field_size, Limits().columns) == (300, 1024, 2000)
    assert limits.hint("columns") == "the columns limit is 300; raise it with --limit columns=N"
    for bad in ["columns=64K", "columns=0", "columns=1.5", "columns=" + "9" * 400]:
        with pytest.raises(LimitError):
            Limits.parse([bad])
    with pytest.raises(LimitError, match="columns=0: a limit must be a whole number, at least one"):
        Limits(columns=0)


def test_a_bad_columns_limit_is_a_usage_error(tmp_path: Path) -> None:
    run = policeonto("map", "x.csv", "--limit", "columns=2M", cwd=tmp_path)
    assert run.code == 2 and "is not a count" in run.stderr and "Traceback" not in run.stderr


# --- 2. patterns from mapping files ----------------------------------------------------------------------


def test_a_file_name_pattern_cannot_backtrack_on_a_crafted_file_name(tmp_path: Path) -> None:
    mapping = street_mapping(tmp_path / "mapping")
    edit(mapping, r"'^(?P<month>[0-9]{4}-[0-9]{2})-(?P<force>[a-z-]+)-street\.csv$'", "'^(?P<force>a+)+$'")
    export = street_csv(tmp_path / ("a" * 60 + "!.csv"))  # Python's re tries 2^60 ways to match it
    run = policeonto("map", export, "--mapping", mapping, "-o", "out.nt", cwd=tmp_path)
    assert run.code == 0, run.stderr[-2000:]


def test_a_file_name_pattern_still_names_the_force(tmp_path: Path) -> None:
    export = street_csv(tmp_path / "2024-01-no-such-force-street.csv")
    policeonto("map", export, "-o", "out.nt", "--report", "report.json", cwd=tmp_path)
    findings = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["findings"]
    assert ("unknown-publisher", "no-such-force") in {(f["code"], f["value"]) for f in findings}


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("pattern: '^[EW]01[0-9]{6}$'", "pattern: '^(?=E)[EW]01[0-9]{6}$'", "column 'LSOA code' (lsoa_code)"),
        ("pattern: '^[EW]01[0-9]{6}$'", r"pattern: '^([EW])\1'", "column 'LSOA code' (lsoa_code)"),
        ("pattern: '^[EW]01[0-9]{6}$'", "pattern: 'a{1000}{1000}'", "column 'LSOA code' (lsoa_code)"),
        ("    title: Month\n", "    title: Month\n    annotations: {date_format: '%H'}\n", "column 'Month' (month)"),
    ],
)
def test_a_source_pattern_the_engine_refuses_is_refused_when_the_mapping_loads(
    tmp_path: Path, old: str, new: str, where: str
) -> None:
    mapping = street_mapping(tmp_path / "mapping")
    edit(mapping.with_name(f"{STREET}.source.yaml"), old, new)
    export = street_csv(tmp_path / "2024-01-kent-street.csv")
    message = refused(policeonto("map", export, "--mapping", mapping, "-o", "out.nt", cwd=tmp_path), str(mapping))
    assert f"{STREET}.source.yaml: {where}" in message and "is refused" in message


def test_a_file_name_pattern_the_engine_refuses_is_refused_when_the_mapping_loads(tmp_path: Path) -> None:
    mapping = street_mapping(tmp_path / "mapping")
    edit(mapping, r"'^(?P<month>[0-9]{4}-[0-9]{2})-(?P<force>[a-z-]+)-street\.csv$'", r"'^(?P<force>[a-z]+)-\1'")
    export = street_csv(tmp_path / "kent-kent.csv")
    message = refused(policeonto("map", export, "--mapping", mapping, "-o", "out.nt", cwd=tmp_path), str(mapping))
    assert "policeonto.file_name pattern" in message and "backreferences are not supported" in message


def test_patterns_match_as_before() -> None:
    from policeonto.mapping.patterns import check_date_format, compile_pattern

    pattern = compile_pattern(r"(?P<month>[0-9]{4}-[0-9]{2})-(?P<force>[a-z-]+)-street\.csv$", where="test")
    assert pattern.groups("2024-01-city-of-london-street.csv") == {"month": "2024-01", "force": "city-of-london"}
    assert pattern.groups("x2024-01-kent-street.csv") is None
    assert compile_pattern("(a+)+$", where="test").groups("a" * 10_000 + "!") is None
    check_date_format("%d/%m/%Y", where="test")
    with pytest.raises(MappingSpecError, match=r"^test pattern '\(' is refused: unclosed group"):
        compile_pattern("(", where="test")


# --- 3. deep nesting, long numbers: errors naming the file, never internal errors ------------------------


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    ("file", "addition"),
    [
        (f"{STREET}.transform.yaml", f"\nextra: {nested(5000)}\n"),
        (f"{STREET}.source.yaml", f"\nextra: {nested(5000)}\n"),
        (f"{STREET}.source.yaml", f"\nextra: {nested(300)}\n"),  # LinkML's loader recursed 3 calls a level
        ("crosswalks/police-uk-crime-type.sssom.tsv", f"#extra: {nested(5000)}\n"),
    ],
)
def test_deeply_nested_yaml_in_a_mapping_folder_is_refused(tmp_path: Path, file: str, addition: str) -> None:
    mapping = street_mapping(tmp_path / "mapping")
    target = mapping.parent / file
    text = target.read_text(encoding="utf-8")
    target.write_text(addition + text if file.endswith(".tsv") else text + addition, encoding="utf-8")
    export = street_csv(tmp_path / "2024-01-kent-street.csv")
    run = policeonto("map", export, "--mapping", mapping, "-o", "out.nt", cwd=tmp_path)
    message = refused(run, str(mapping), Path(file).name)
    assert "nested deeper than 64 levels" in message


def test_a_source_schema_linkml_cannot_load_is_a_mapping_error(tmp_path: Path) -> None:
    mapping = street_mapping(tmp_path / "mapping")
    source = mapping.with_name(f"{STREET}.source.yaml")
    source.write_text(source.read_text(encoding="utf-8") + "\nextra: [[]]\n", encoding="utf-8")
    export = street_csv(tmp_path / "2024-01-kent-street.csv")
    message = refused(policeonto("map", export, "--mapping", mapping, "-o", "out.nt", cwd=tmp_path), str(mapping))
    assert "is not a valid LinkML schema" in message


@pytest.mark.parametrize(
    ("command", "nested_value", "said"),
    [
        ("map", "9" * 5000, "a number has more than 4,300 digits"),
        ("validate", "-" + "9" * 5000, "a number has more than 4,300 digits"),
        ("map", nested(900), "JSON nested deeper than 64 levels"),
        ("map", "[" * 900 + '"\\ud800"' + "]" * 900, "JSON nested deeper than 64 levels"),
        ("validate", nested(200_000), "JSON nested deeper than 64 levels"),
    ],
)
def test_a_json_export_python_cannot_hold_is_refused(
    tmp_path: Path, command: str, nested_value: str, said: str
) -> None:
    export = persons_json(tmp_path / "export.json", records=2, nested=nested_value)
    assert export.stat().st_size < 2 << 20
    assert said in refused(policeonto(command, export, cwd=tmp_path), str(export))


def test_a_json_export_with_an_unpaired_surrogate_is_mapped(tmp_path: Path) -> None:
    export = persons_json(tmp_path / "export.json", records=2, nested='{"deep": ["\\udc00 lone"]}')
    run = policeonto("map", export, "-o", "out.nt", "--report", "report.json", cwd=tmp_path)
    assert run.code == 0, run.stderr[-2000:]
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["rows_mapped"] == 2
