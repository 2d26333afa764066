"""Inputs a review of the reliability work found to break a reader or a command, each with the finding,
error or result it must give now."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from policeonto.errors import InstanceDataError, MappingSpecError
from policeonto.mapping import map_files
from policeonto.mapping.spec import load_mapping, mappings_dir
from policeonto.validation import validate
from policeonto.validation.rdf_input import read_rdf
from tests.conftest import ROOT

STREET = ROOT / "examples" / "police-uk" / "2024-01-kent-street.csv"


def test_a_column_named_like_the_row_numbers_is_an_unexpected_column(tmp_path: Path) -> None:
    lines = STREET.read_text(encoding="utf-8").splitlines()[:21]
    path = tmp_path / STREET.name
    path.write_text("\n".join([lines[0] + ",_row"] + [line + ",x" for line in lines[1:]]) + "\n", encoding="utf-8")
    result = map_files([path], io.BytesIO())
    assert (result.rows_read, result.rows_mapped) == (20, 20)
    report = validate([path])
    assert "unexpected-column" in {f.code for f in report.findings}


def test_a_json_record_with_a_row_number_member_still_maps(tmp_path: Path) -> None:
    document = json.loads((ROOT / "examples" / "force-b" / "export.json").read_text(encoding="utf-8"))
    document["data"][0]["_row"] = "x"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = map_files([path], io.BytesIO())
    assert result.rows_read == result.rows_mapped + result.rows_rejected > 0


@pytest.mark.parametrize("suffix", [".ttl", ".nt"])
def test_a_surrogate_escape_in_rdf_is_a_read_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"surrogate{suffix}"
    path.write_text('<http://example.org/a> <http://example.org/b> "\\uD800abc" .\n', encoding="utf-8")
    with pytest.raises(InstanceDataError, match="surrogate"):
        read_rdf(path)
    run = subprocess.run(
        [sys.executable, "-m", "policeonto", "validate", str(path)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 2 and "internal error" not in run.stderr and path.name in run.stderr


def test_an_unpaired_surrogate_in_a_json_export_is_replaced_not_a_crash(tmp_path: Path) -> None:
    text = (ROOT / "examples" / "force-b" / "export.json").read_text(encoding="utf-8")
    document = json.loads(text)
    record = document["data"][0]
    key = next(k for k, v in record["attributes"].items() if isinstance(v, str))
    record["attributes"][key] = "bad \ud800 value"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document), encoding="utf-8")  # ensure_ascii writes it as \ud800
    sink = io.BytesIO()
    result = map_files([path], sink)
    assert result.rows_read == result.rows_mapped + result.rows_rejected
    sink.getvalue().decode("utf-8")  # what was written is text


@pytest.mark.parametrize("schema", ["classes: 5\n", "imports: 5\n", "just a string\n"])
def test_a_malformed_source_schema_is_a_mapping_error_naming_the_mapping(tmp_path: Path, schema: str) -> None:
    shutil.copy(mappings_dir() / "police-uk-street.transform.yaml", tmp_path)
    (tmp_path / "police-uk-street.source.yaml").write_text(schema, encoding="utf-8")
    with pytest.raises(MappingSpecError, match=r"police-uk-street\.transform\.yaml"):
        load_mapping(tmp_path / "police-uk-street.transform.yaml")


def test_rdf_xml_named_dot_xml_loads(tmp_path: Path) -> None:
    path = tmp_path / "records.xml"
    path.write_text(
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/a">'
        "<ex:p>v</ex:p></rdf:Description></rdf:RDF>",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "policeonto", "load", str(path), "--store", str(tmp_path / "store"), "--no-validate"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "1 triples" in run.stdout


def test_a_limit_too_large_to_hold_is_a_usage_error(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "policeonto",
            "map",
            str(STREET),
            "-o",
            str(tmp_path / "out.nt"),
            "--limit",
            "file-size=" + "9" * 400,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2 and "too large a size" in run.stderr and "Traceback" not in run.stderr
