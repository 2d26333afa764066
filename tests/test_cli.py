"""The command line: output, exit codes (0 ok, 1 problems, 2 cannot run) and no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph, URIRef

from policeonto.cli import main
from tests.conftest import DATA, ROOT


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_version() -> None:
    result = _run("--version")
    assert result.exit_code == 0
    assert "0.1.0" in result.output


def test_stats_as_json() -> None:
    result = _run("stats", "--format", "json")
    counts = json.loads(result.output)
    assert result.exit_code == 0
    assert counts["code_lists"] == 46
    assert counts["classes"] >= 40


def test_report_is_clean() -> None:
    result = _run("report", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output) == {"valid": True, "findings": [], "inconsistencies": []}


def test_convert_writes_conforming_turtle(tmp_path: Path) -> None:
    out = tmp_path / "example.ttl"
    result = _run("convert", str(ROOT / "examples" / "pole-example.yaml"), "-o", str(out))
    assert result.exit_code == 0
    graph = Graph().parse(out, format="turtle")
    assert (URIRef("https://example.org/kent/occurrence/OCC-2024-0042"), None, None) in graph


def test_convert_jsonld_round_trips(tmp_path: Path) -> None:
    out = tmp_path / "street.jsonld"
    source = DATA / "valid" / "street-crime.json"
    assert _run("convert", str(source), "-o", str(out), "--syntax", "jsonld").exit_code == 0
    ttl = tmp_path / "street.ttl"
    assert _run("convert", str(source), "-o", str(ttl)).exit_code == 0
    from rdflib.compare import isomorphic

    assert isomorphic(Graph().parse(out, format="json-ld"), Graph().parse(ttl, format="turtle"))


def test_convert_reports_violations_and_exits_1(tmp_path: Path) -> None:
    source = DATA / "invalid" / "stop-and-search-named-operation.yaml"
    result = _run("convert", str(source), "-o", str(tmp_path / "out.ttl"))
    assert result.exit_code == 1
    assert "https://example.org/sas-1" in result.output
    assert "NodeConstraintComponent" in result.output


def test_missing_input_exits_2_naming_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = _run("convert", str(missing))
    assert result.exit_code == 2
    assert str(missing) in result.output
    assert "Traceback" not in result.output


def test_build_is_the_function_and_loads_only_when_asked_for() -> None:
    import subprocess
    import sys

    code = (
        "import sys, policeonto; assert 'linkml.generators' not in sys.modules; "
        "from policeonto import build, BuildResult; assert callable(build) and policeonto.build is build; "
        "assert BuildResult.__name__ == 'BuildResult'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_records_in_yaml_are_converted_validated_and_loaded_but_not_mapped(tmp_path: Path) -> None:
    example = ROOT / "examples" / "pole-example.yaml"
    runner = CliRunner()
    mapped = runner.invoke(main, ["map", str(example), "-o", str(tmp_path / "out.nt")])
    assert mapped.exit_code == 2 and f"{example}: records in the shared vocabulary (YAML) are no" in mapped.output
    assert "policeonto convert" in mapped.output and not (tmp_path / "out.nt").exists()
    store = tmp_path / "store"
    loaded = runner.invoke(main, ["load", str(example), "--store", str(store)])
    assert loaded.exit_code == 0, loaded.output
    converted = tmp_path / "example.ttl"
    assert runner.invoke(main, ["convert", str(example), "-o", str(converted)]).exit_code == 0
    expected = len(Graph().parse(converted))
    assert f"{example}: {expected} triples in <" in loaded.output
    faulty = tmp_path / "faulty.yaml"
    faulty.write_text(example.read_text(encoding="utf-8").replace("postcode: ME14 1XX", "postcode: NOWHERE"))
    refused = runner.invoke(main, ["load", str(faulty), "--store", str(store)])
    assert refused.exit_code == 1 and f"{faulty}: invalid (1 findings" in refused.output


def test_records_that_do_not_fit_the_schema_are_told_in_its_words(tmp_path: Path) -> None:
    cases = {
        "persons:\n  - id: https://example.org/p/1\n    shoe_size: 9\n": "Person has no slot 'shoe_size'",
        "persons:\n  - id: https://example.org/p/1\n  - gender: male\n": "record 2 of persons has no id",
        "persons:\n  - W1\n": "record 1 of persons is 'W1', not a mapping of slots to values",
        "persons:\n  - id: W1\n": "record 1 of persons has id 'W1', not an IRI",
    }
    for number, (text, said) in enumerate(cases.items()):
        path = tmp_path / f"records-{number}.yaml"
        path.write_text(text, encoding="utf-8")
        outcome = CliRunner().invoke(main, ["convert", str(path)])
        assert outcome.exit_code == 2 and f"{path}: does not fit the schema: {said}" in outcome.output
    unknown = tmp_path / "unknown-prefix.yaml"
    unknown.write_text('persons:\n  - id: "nowhere:p1"\n', encoding="utf-8")
    for command in (["convert"], ["validate"], ["load", "--store", str(tmp_path / "store")]):
        outcome = CliRunner().invoke(main, [*command, str(unknown)])
        assert outcome.exit_code == 2, outcome.output
        assert f"{unknown}: cannot be written as RDF: " in outcome.output
        assert "Unknown CURIE prefix: nowhere" in outcome.output
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    outcome = CliRunner().invoke(main, ["convert", str(folder)])
    assert outcome.exit_code == 2 and f"{folder}: not a regular file (a folder)" in outcome.output
