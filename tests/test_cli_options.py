"""One option vocabulary across the commands: ``--format json`` gives each command's summary as one JSON
document, ``-q`` keeps only what is wrong, ``-v`` adds the detail, ``--syntax`` names the RDF syntax written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from policeonto.cli import main
from tests.conftest import DATA, ROOT

SAMPLE = DATA / "sources" / "street-sample.csv"
RECORDS = ROOT / "examples" / "pole-example.yaml"
FORCE_A = ROOT / "examples" / "force-a"


def _run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_map_gives_its_summary_as_json_on_standard_error_while_the_rdf_goes_to_standard_output() -> None:
    code, out, err = _run("map", SAMPLE, "--format", "json")
    summary = json.loads(err)
    assert code == 0 and summary["rows_read"] == summary["rows_mapped"] + summary["rows_rejected"] > 0
    assert out.count("\n") == summary["triples_written"]


def test_convert_gives_its_summary_as_json(tmp_path: Path) -> None:
    code, _, err = _run("convert", RECORDS, "-o", tmp_path / "out.nt", "--syntax", "nt", "--format", "json")
    (entry,) = json.loads(err)["files"]
    assert code == 0 and entry["conforms"] is True and entry["triples"] > 0
    assert entry["output"] == str(tmp_path / "out.nt") and (tmp_path / "out.nt").stat().st_size > 0


def test_load_gives_each_file_as_json(tmp_path: Path) -> None:
    code, out, _ = _run("load", SAMPLE, "--store", tmp_path / "store", "--format", "json")
    summary = json.loads(out)
    (entry,) = summary["files"]
    assert code == 0 and summary["store"] == str(tmp_path / "store")
    assert entry["loaded"] is True and entry["valid"] is True and entry["triples"] > 0


def test_load_quiet_says_only_the_files_held_back(tmp_path: Path) -> None:
    export = tmp_path / "force-a"
    shutil.copytree(FORCE_A, export)
    code, out, _ = _run("load", *sorted(export.glob("*.csv")), SAMPLE, "--store", tmp_path / "store", "-q")
    assert code == 1
    assert "not loaded" in out and SAMPLE.name not in out and "store:" not in out


def test_validate_quiet_keeps_the_errors_and_verbose_shows_every_finding(tmp_path: Path) -> None:
    export = sorted(FORCE_A.glob("*.csv"))
    _, plain, _ = _run("validate", *export)
    _, quiet, _ = _run("validate", *export, "-q")
    _, verbose, _ = _run("validate", *export, "-v")
    assert "INVALID" in quiet and "dangling-reference" in quiet
    assert "warning" in plain and "warning" not in quiet  # the warnings' rows are left out
    assert len(verbose.splitlines()) > len(plain.splitlines()) > len(quiet.splitlines())
    assert "more" in plain  # 20 of each code by default, every kept finding with -v
    assert all("... " not in line or "more" not in line for line in verbose.splitlines())


@pytest.mark.parametrize("command", ["build", "docs"])
def test_every_command_that_makes_something_takes_format_json(command: str) -> None:
    code, out, _ = _run(command, "--help")
    assert code == 0 and "--format [text|json]" in out and "-q, --quiet" in out and "-v, --verbose" in out


def test_build_check_gives_its_summary_as_json() -> None:
    code, out, _ = _run("build", "--check", "--format", "json")
    summary = json.loads(out)
    assert code == 0 and summary["check"] is True and not any(a["changed"] for a in summary["artefacts"])


def test_the_old_format_for_the_rdf_syntax_is_told_where_it_went() -> None:
    code, _, err = _run("map", SAMPLE, "--format", "ttl")
    assert code == 2 and "--syntax ttl" in err


def test_quiet_and_verbose_together_are_refused() -> None:
    code, _, err = _run("map", SAMPLE, "-q", "-v")
    assert code == 2 and "give one" in err
