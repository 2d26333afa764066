"""Validation: findings located in the source and the graph, report formats, filters, exit codes, and
untrusted RDF that must never make policeonto reach outside (a loopback listener must receive nothing)."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal
from rdflib.namespace import RDF

from policeonto.cli import main
from policeonto.errors import InstanceDataError
from policeonto.limits import Limits
from policeonto.mapping import map_files
from policeonto.validation import validate
from policeonto.validation.rdf_input import CONTEXT_IRI, read_rdf
from policeonto.vocab import SH
from tests.conftest import DATA, POLICE_UK, ROOT
from tests.test_conformance import _expected

INVALID_TTL = sorted((DATA / "invalid").glob("*.ttl"))
PREFIXES = "@prefix pole: <https://w3id.org/policeonto/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"


@pytest.mark.parametrize("path", INVALID_TTL, ids=lambda p: p.name)
def test_invalid_rdf_gives_the_expected_shape_findings(path: Path) -> None:
    report = validate([path])
    assert not report.valid
    expected = {component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent") for _, _, component in _expected(path)}
    assert {f.constraint.rsplit("#", 1)[-1].removesuffix("ConstraintComponent") for f in report.findings} == expected
    assert all(f.code.startswith("shape-") and f.file == str(path) for f in report.findings)


def test_valid_inputs_of_every_kind() -> None:
    report = validate([DATA / "valid" / "records-system.ttl", DATA / "sources" / "street-sample.csv"])
    assert report.valid and report.findings == []
    assert report.rows == 4 and report.triples > 100


def test_shape_finding_names_the_source_row(tmp_path: Path) -> None:
    path = tmp_path / "records.ttl"
    path.write_text(
        PREFIXES + "<https://x/c> a pole:Crime ; pole:source_row 7 ; "
        "pole:crime_type <https://w3id.org/policeonto/code/crime-type/jaywalking> .",
        encoding="utf-8",
    )
    (finding,) = validate([path]).findings
    assert (finding.code, finding.row, finding.focus_node, finding.path) == (
        "shape-in",
        7,
        "https://x/c",
        "https://w3id.org/policeonto/crime_type",
    )
    assert finding.value == "https://w3id.org/policeonto/code/crime-type/jaywalking"


def test_table_findings_name_file_row_column_value(tmp_path: Path) -> None:
    text = (DATA / "sources" / "street-sample.csv").read_text().replace("Other theft", "Jaywalking")
    path = tmp_path / "street.csv"
    path.write_text(text, encoding="utf-8")
    report = validate([path])
    assert not report.valid
    assert [(f.code, f.row, f.column, f.value) for f in report.findings] == [
        ("unknown-code", 1, "Crime type", "Jaywalking")
    ]


def test_select_ignore_and_max_issues() -> None:
    path = DATA / "invalid" / "point-missing-longitude.ttl"
    assert {f.code for f in validate([path]).findings} == {"shape-min-count", "shape-node"}
    assert {f.code for f in validate([path], select=["shape-min"]).findings} == {"shape-min-count"}
    assert {f.code for f in validate([path], ignore=["shape-min"]).findings} == {"shape-node"}
    assert len(validate([path], max_issues=1).findings) == 1


def test_cli_formats_and_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = str(DATA / "invalid" / "duplicate-police-force.ttl")
    text = runner.invoke(main, ["validate", bad])
    assert text.exit_code == 1 and "shape-sparql" in text.output
    as_json = json.loads(runner.invoke(main, ["validate", bad, "--format", "json"]).output)
    assert as_json["valid"] is False and as_json["stats"]["findings"] == 2
    assert {"code", "severity", "message", "file", "row", "column", "value", "focus_node", "path", "constraint"} <= set(
        as_json["findings"][0]
    )
    out = tmp_path / "report.ttl"
    assert runner.invoke(main, ["validate", bad, "--format", "shacl", "-o", str(out)]).exit_code == 1
    shacl = Graph().parse(out, format="turtle")
    (report,) = shacl.subjects(RDF.type, SH.ValidationReport)
    assert shacl.value(report, SH.conforms) == Literal(False)
    assert runner.invoke(main, ["validate", str(DATA / "valid" / "records-system.ttl")]).exit_code == 0
    missing = runner.invoke(main, ["validate", str(tmp_path / "nope.ttl")])
    assert missing.exit_code == 2 and "nope.ttl" in missing.output


@pytest.fixture()
def listener() -> Iterator[tuple[str, list[bytes]]]:
    """A TCP listener on loopback that records every connection it receives."""
    received: list[bytes] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(0.5)
                try:
                    received.append(connection.recv(4096))
                except OSError:
                    received.append(b"")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", received
    time.sleep(0.3)
    stop.set()
    thread.join()
    server.close()


def test_remote_jsonld_context_is_refused(tmp_path: Path, listener) -> None:
    url, received = listener
    path = tmp_path / "remote.jsonld"
    path.write_text(json.dumps({"@context": f"{url}/context.jsonld", "@id": "https://x/p", "@type": "Person"}))
    with pytest.raises(InstanceDataError, match="refused to fetch"):
        read_rdf(path)
    nested = tmp_path / "nested.jsonld"
    nested.write_text(
        json.dumps(
            {
                "@context": {"@vocab": "https://w3id.org/policeonto/"},
                "@graph": [{"@context": "file:///etc/passwd", "@id": "https://x/p"}],
            }
        )
    )
    with pytest.raises(InstanceDataError, match="refused to fetch"):
        read_rdf(nested)
    assert received == []


def test_policeonto_context_is_resolved_locally(tmp_path: Path, listener) -> None:
    _, received = listener
    path = tmp_path / "local.jsonld"
    path.write_text(json.dumps({"@context": CONTEXT_IRI, "@id": "https://x/p", "@type": "Person", "gender": "male"}))
    graph = read_rdf(path)
    assert len(graph) == 2
    assert received == []


def test_owl_imports_are_not_followed(tmp_path: Path, listener) -> None:
    url, received = listener
    path = tmp_path / "imports.ttl"
    path.write_text(
        PREFIXES + f"<https://x/o> a <http://www.w3.org/2002/07/owl#Ontology> ; "
        f"<http://www.w3.org/2002/07/owl#imports> <{url}/ontology.ttl> .\n"
        "<https://x/p> a pole:Person .",
        encoding="utf-8",
    )
    assert validate([path]).valid
    assert received == []


def test_entity_expansion_is_refused_fast(tmp_path: Path, listener) -> None:
    url, received = listener
    laughs = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    path = tmp_path / "laughs.rdf"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE r [{laughs}<!ENTITY ext SYSTEM "{url}/x">]>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&l9;&ext;</rdf:RDF>'
    )
    started = time.perf_counter()
    with pytest.raises(InstanceDataError, match="DOCTYPE"):
        read_rdf(path)
    assert time.perf_counter() - started < 1.0
    assert received == []


def test_oversized_input_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.nt"
    path.write_text("<https://x/a> <https://x/b> <https://x/c> .\n" * 100)
    with pytest.raises(InstanceDataError, match="over the limit"):
        read_rdf(path, limits=Limits(file_size=1000))


def test_syntax_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text("<https://x/a> <https://x/b> .\n")
    with pytest.raises(InstanceDataError) as caught:
        read_rdf(path)
    assert caught.value.path == path and "not valid turtle" in str(caught.value)


def test_html_report_is_self_contained_with_charts(tmp_path: Path) -> None:
    from html.parser import HTMLParser

    out = tmp_path / "report.html"
    inputs = [str(DATA / "invalid" / "point-missing-longitude.ttl"), str(DATA / "invalid" / "lsoa-bad-code.ttl")]
    assert CliRunner().invoke(main, ["validate", *inputs, "--format", "html", "-o", str(out)]).exit_code == 1
    page = out.read_text(encoding="utf-8")

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[tuple[str, dict]] = []

        def handle_starttag(self, tag: str, attrs: list) -> None:
            self.tags.append((tag, dict(attrs)))

    parser = Tags()
    parser.feed(page)
    names = [tag for tag, _ in parser.tags]
    assert names.count("svg") == 2 and names.count("rect") >= 3  # by code (3 codes) and by column
    assert not [attrs for tag, attrs in parser.tags if tag in {"script", "link", "img"} or "src" in attrs]
    assert "shape-pattern" in page and "shape-min-count" in page and "Invalid: 3 findings" in page
    assert oct(out.stat().st_mode & 0o777) != "0o600"


def test_csv_report_is_spreadsheet_safe(tmp_path: Path) -> None:
    path = tmp_path / "street.csv"
    text = (DATA / "sources" / "street-sample.csv").read_text().replace("Other theft", "=HYPERLINK(1)")
    path.write_text(text, encoding="utf-8")
    import csv as csv_module
    import io as io_module

    result = CliRunner().invoke(main, ["validate", str(path), "--format", "csv"])
    rows = list(csv_module.DictReader(io_module.StringIO(result.output)))
    assert [(r["code"], r["row"], r["column"], r["value"]) for r in rows] == [
        ("unknown-code", "1", "Crime type", "'=HYPERLINK(1)")
    ]


@pytest.mark.parametrize("name", ["person-two-genders.ttl", "lsoa-bad-code.ttl", "duplicate-police-force.ttl"])
def test_both_engines_give_the_same_findings(name: str) -> None:
    def located(engine: str) -> set[tuple]:
        report = validate([DATA / "invalid" / name], engine=engine)
        assert not report.valid
        return {(f.code, f.severity, f.focus_node, f.path, f.value, f.constraint) for f in report.findings}

    assert located("fast") == located("pyshacl")


def test_internal_error_exits_2_not_1(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug must never read as "invalid" (exit 1)."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("policeonto.validation.validate", broken)
    run = CliRunner().invoke(main, ["validate", str(DATA / "valid" / "records-system.ttl")])
    assert run.exit_code == 2
    assert "internal error: RuntimeError: boom" in run.output


def test_a_json_file_is_rdf_when_it_is_json_ld_and_a_source_export_otherwise(tmp_path: Path) -> None:
    jsonld = tmp_path / "point.json"
    point = {"@id": "https://example.org/p", "@type": "https://w3id.org/policeonto/Point"}
    jsonld.write_text(json.dumps({"@context": {}, **point}), encoding="utf-8")
    report = validate([jsonld])
    assert report.triples == 1 and report.rows == 0
    assert {(f.code, f.focus_node) for f in report.findings} == {("shape-min-count", "https://example.org/p")}
    export = tmp_path / "export.json"
    export.write_text(json.dumps({"data": [{"type": "parcels", "id": "1"}]}), encoding="utf-8")
    with pytest.raises(InstanceDataError, match=r"export\.json.*no mapping reads this JSON file's records"):
        validate([export])


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_records_in_yaml_are_validated_against_the_shapes(tmp_path: Path, engine: str) -> None:
    examples = [ROOT / "examples" / "pole-example.yaml", ROOT / "examples" / "every-class.yaml"]
    report = validate(examples, engine=engine)
    assert report.valid and report.rows == 0 and report.records > 30 and report.findings == []
    text = examples[0].read_text(encoding="utf-8")
    assert "postcode: ME14 1XX" in text
    faulty = tmp_path / "records.yml"
    faulty.write_text(text.replace("postcode: ME14 1XX", "postcode: NOT A POSTCODE"), encoding="utf-8")
    (finding,) = validate([faulty], engine=engine).findings
    assert finding.code == "shape-pattern" and finding.file == str(faulty)
    assert finding.value == "NOT A POSTCODE" and (finding.path or "").endswith("postcode")
    assert finding.focus_node == "https://example.org/kent/address/ADR-5"
    unfit = tmp_path / "unfit.yaml"
    unfit.write_text(text.replace("gender: male", "gender: 42x"), encoding="utf-8")
    with pytest.raises(InstanceDataError, match="does not fit the schema") as caught:
        validate([unfit], engine=engine)
    assert caught.value.path == unfit
    outcome = CliRunner().invoke(main, ["validate", str(examples[0]), str(faulty)])
    assert outcome.exit_code == 1 and "shape-pattern" in outcome.output and "no mapping" not in outcome.output


def test_validate_counts_the_triples_map_writes(tmp_path: Path) -> None:
    """The provenance of each file is counted too, as the writer counts it."""
    exports = [
        [POLICE_UK / "street" / "2018-04-city-of-london-street.csv"],
        [*sorted((ROOT / "examples" / "force-a").glob("*.csv")), ROOT / "examples" / "force-b" / "export.json"],
    ]
    for paths in exports:
        written = map_files(paths, io.BytesIO())
        assert validate(paths).triples == written.triples > 0


def test_a_node_two_files_describe_differently_is_found_by_both_engines(tmp_path: Path) -> None:
    """A point the street file and the outcomes file both describe, with two different labels: invalid in the
    merged graph, so invalid for the fast engine too, which validates the nodes rows share across files."""
    folder = POLICE_UK / "street"
    street = (folder / "2024-07-metropolitan-street.burglary-subset.csv").read_text(encoding="utf-8").splitlines()
    outcomes_text = POLICE_UK / "outcomes" / "2024-07-metropolitan-outcomes.burglary-subset.csv"
    outcomes = outcomes_text.read_text(encoding="utf-8").splitlines()
    header = outcomes[0].split(",")
    moved = outcomes[1].split(",")
    street_row = street[1].split(",")
    at = street[0].split(",")
    for column in ("Longitude", "Latitude"):  # the outcome at the street crime's point ...
        moved[header.index(column)] = street_row[at.index(column)]
    moved[header.index("Location")] = "On or near Somewhere Else"  # ... under another name
    paths = [tmp_path / "2024-07-metropolitan-street.csv", tmp_path / "2024-07-metropolitan-outcomes.csv"]
    paths[0].write_text("\n".join(street[:4]) + "\n", encoding="utf-8")
    paths[1].write_text("\n".join([outcomes[0], ",".join(moved), *outcomes[2:4]]) + "\n", encoding="utf-8")
    assert all(validate([path]).valid for path in paths)  # each file on its own is fine
    reports = {engine: validate(paths, engine=engine) for engine in ("fast", "pyshacl")}
    seen = {
        engine: sorted((f.code, f.focus_node, f.path) for f in report.findings) for engine, report in reports.items()
    }
    assert seen["fast"] == seen["pyshacl"] != []
    (finding,) = reports["fast"].findings
    assert finding.code == "shape-max-count" and finding.path.endswith("/label")
    assert finding.file in map(str, paths) and finding.row is not None and finding.column == "Location"
