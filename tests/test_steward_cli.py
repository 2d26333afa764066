"""A data steward's checks of the command line: every bad value is named, nothing is dropped silently."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from policeonto.cli import main
from policeonto.validation import validate
from tests.conftest import POLICE_UK

STREET = POLICE_UK / "street" / "2018-04-city-of-london-street.csv"
CRIME_ID = "839ba596457ef1a68ad091e7c4f7ece39ad3ea1389617d2b3a57b9b28fa53612"


def _policeonto(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policeonto", *map(str, args)], capture_output=True, text=True, check=False
    )


def _street_file(tmp_path: Path, *rows: str, name: str = "street.csv") -> Path:
    """A street file: the real export's header and the given data rows."""
    header = STREET.read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _street_row(
    *, longitude: str = "-0.1", latitude: str = "51.5", crime_type: str = "Other theft", crime_id: str = CRIME_ID
) -> str:
    return (
        f"{crime_id},2018-04,City of London Police,City of London Police,{longitude},{latitude},"
        f"On or near X,E01000916,Camden 027B,{crime_type},,"
    )


def _findings(path: Path) -> list[tuple[str, int | None, str | None, str | None]]:
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    return [(f["code"], f.get("row"), f.get("column"), f.get("value")) for f in report["findings"]]


def test_words_that_look_like_null_are_values_to_check_not_blanks(tmp_path: Path) -> None:
    words = ["NA", "NaN", "nan", "NULL", "N/A", "null"]
    rows = [_street_row(longitude=word, crime_type=word, crime_id=f"{n:064x}") for n, word in enumerate(words, 1)]
    findings = _findings(_street_file(tmp_path, *rows))
    for row, word in enumerate(words, 1):
        assert ("invalid-value", row, "Longitude", word) in findings
        assert ("unknown-code", row, "Crime type", word) in findings
    assert not any(code == "missing-value" for code, *_ in findings)


def test_a_usage_error_inside_a_command_is_a_usage_error_not_an_internal_error(tmp_path: Path) -> None:
    no_query = _policeonto("query", "--store", tmp_path)
    assert no_query.returncode == 2
    assert "internal error" not in no_query.stderr
    assert "Error: give a query file or --query" in no_query.stderr
    assert "not both" not in no_query.stderr
    jsonld = _policeonto("map", STREET, "--syntax", "jsonld")
    assert jsonld.returncode == 2
    assert "internal error" not in jsonld.stderr
    assert "Error: JSON-LD needs an output file (-o)" in jsonld.stderr


def test_query_on_a_store_that_does_not_exist_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-store"
    result = _policeonto("query", "--query", "ASK {}", "--store", missing)
    assert result.returncode == 2
    assert f"policeonto: error: {missing}: no store here" in result.stderr
    assert not missing.exists()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-be"])
def test_a_utf16_export_is_named_as_such_not_as_an_unrecognised_header(tmp_path: Path, encoding: str) -> None:
    lines = STREET.read_text(encoding="utf-8").splitlines()[:3]
    source = tmp_path / "street-unicode-text.csv"
    body = "\n".join(lines) + "\n"
    source.write_bytes(("\ufeff" + body).encode(encoding) if encoding.endswith("-be") else body.encode(encoding))
    result = CliRunner().invoke(main, ["validate", str(source)])
    assert result.exit_code == 2
    assert f"{source}: the file is UTF-16 or UTF-32 text" in result.stderr
    assert "no mapping recognises" not in result.stderr


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_a_misspelt_finding_code_is_a_usage_error_not_a_clean_report(tmp_path: Path, option: str) -> None:
    source = _street_file(tmp_path, _street_row(crime_type="Space piracy"))
    result = CliRunner().invoke(main, ["validate", str(source), option, "unknwon-code"])
    assert result.exit_code == 2
    assert "no finding code starts with 'unknwon-code'; did you mean unknown-code" in result.stderr
    kept = CliRunner().invoke(main, ["validate", str(source), option, "unknown-", option, "shape-"])
    assert kept.exit_code == (1 if option == "--select" else 0), kept.output


def test_findings_cut_by_max_issues_are_still_said_in_the_text_report(tmp_path: Path) -> None:
    rows = [_street_row(crime_type="Space piracy", longitude="x", crime_id=f"{n:064x}") for n in range(1, 4)]
    result = CliRunner().invoke(main, ["validate", str(_street_file(tmp_path, *rows)), "--max-issues", "1"])
    assert result.exit_code == 1
    sections = result.stdout.split("\n")
    first = sections.index("invalid-value:")
    assert sections[first + 2] == "  ... 2 more"
    assert sections[sections.index("unknown-code:") + 1] == "  ... 3 more"


def test_map_quiet_still_names_the_rejected_rows(tmp_path: Path) -> None:
    source = _street_file(tmp_path, _street_row(), _street_row(crime_type="Space piracy", crime_id="f" * 64))
    result = CliRunner().invoke(main, ["map", str(source), "-q", "-o", str(tmp_path / "out.nt")])
    assert result.exit_code == 1
    assert "rows read 2, mapped 1, rejected 1" in result.stderr
    assert "rejected 1: unknown-code (Crime type)" in result.stderr
    clean = CliRunner().invoke(main, ["map", str(_street_file(tmp_path, _street_row(), name="ok.csv")), "-q"])
    assert clean.exit_code == 0
    assert clean.stderr == ""


def test_a_column_given_twice_is_a_duplicate_column_naming_its_position(tmp_path: Path) -> None:
    lines = STREET.read_text(encoding="utf-8").splitlines()[:4]
    path = tmp_path / STREET.name
    path.write_text("\n".join([lines[0] + ",Crime type"] + [line + ",Burglary" for line in lines[1:]]) + "\n")
    report = validate([path])
    (finding,) = [f for f in report.findings if f.code == "duplicate-column"]
    position = len(lines[0].split(",")) + 1
    assert finding.file == str(path) and finding.column == "Crime type" and finding.value == str(position)
    assert f"appears again as column {position}" in finding.message
    assert not report.valid and "unexpected-column" not in report.finding_counts
