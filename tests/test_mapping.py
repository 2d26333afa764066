"""Mapping force exports: header recognition, bad input of every kind, IRIs, provenance, outputs.

Every test checks the invariant rows read = rows mapped + rows rejected, and asserts on finding codes,
rows, columns and values."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from policeonto.cli import main
from policeonto.errors import MappingInputError, MappingSpecError, PoliceOntoError
from policeonto.mapping import MapOptions, MapResult, load_mapping, map_files
from policeonto.mapping.plan import compile_plan
from policeonto.mapping.spec import mappings_dir
from policeonto.vocab import POLE, schema_view
from tests.conftest import DATA

SOURCES = DATA / "sources"
STREET = (SOURCES / "street-sample.csv").read_text(encoding="utf-8")
HEADER, *ROWS = STREET.splitlines()
CRIME = URIRef(
    "https://w3id.org/policeonto/data/crime/4f1c2b8e9d0a7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b"
)


def _map(path: Path, **options) -> tuple[MapResult, Graph]:
    sink = io.BytesIO()
    mapping = options.pop("mapping", None)
    result = map_files([path], sink, mapping=mapping, options=MapOptions(**options))
    assert result.rows_read == result.rows_mapped + result.rows_rejected
    assert sum(result.rejected_by_reason.values()) == result.rows_rejected
    return result, Graph().parse(data=sink.getvalue().decode("utf-8"), format="nt")


def _write(
    tmp_path: Path,
    text: str,
    *,
    name: str = "2018-04-city-of-london-street.csv",
    encoding: str = "utf-8",
    newline: str = "\n",
) -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def _normalised(graph: Graph) -> set:
    """The graph's triples with the run and dataset (which carry the file's digest and the time) made equal."""

    def term(node):
        text = str(node)
        if "/run/" in text:
            return URIRef("urn:run")
        if "/dataset/" in text:
            return URIRef("urn:dataset")
        return node

    volatile = {POLE.sha256, POLE.byte_size, POLE.file_name, POLE.started_at}
    return {(term(s), p, term(o)) for s, p, o in graph if p not in volatile}


def test_clean_file_maps_every_row() -> None:
    result, graph = _map(SOURCES / "street-sample.csv")
    assert (result.rows_read, result.rows_mapped, result.rows_rejected) == (4, 4, 0)
    assert (CRIME, POLE.crime_type, URIRef("https://w3id.org/policeonto/code/crime-type/other-theft")) in graph
    assert result.findings == []


@pytest.mark.parametrize(("encoding", "newline"), [("utf-8-sig", "\n"), ("utf-8", "\r\n"), ("utf-8-sig", "\r\n")])
def test_bom_and_crlf_give_the_same_records(tmp_path: Path, encoding: str, newline: str) -> None:
    _, plain = _map(_write(tmp_path, STREET))
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    result, other = _map(_write(other_dir, STREET, encoding=encoding, newline=newline))
    assert result.rows_mapped == 4
    assert {s for s in plain.subjects() if "/dataset/" not in s and "/run/" not in s} == {
        s for s in other.subjects() if "/dataset/" not in s and "/run/" not in s
    }


def test_windows_1252_is_read_and_reported(tmp_path: Path) -> None:
    text = STREET.replace("On or near Carter Lane", "On or near Caf\u00e9 Row")
    result, graph = _map(_write(tmp_path, text, encoding="cp1252"))
    assert result.rows_mapped == 4
    assert "legacy-encoding" in {f.code for f in result.findings}
    assert Literal("On or near Caf\u00e9 Row") in set(graph.objects(None, POLE.label))


def test_neither_utf8_nor_windows_1252_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(HEADER.encode() + b"\n\x81\x8d\x8f\x90\n")
    with pytest.raises(MappingInputError, match="neither UTF-8 nor Windows-1252"):
        _map(path)


def test_blank_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    text = HEADER + "\n" + ROWS[0] + "\n\n" + ROWS[1] + "\n\n\n" + ROWS[2] + "\n"
    result, _ = _map(_write(tmp_path, text))
    assert result.rows_read == 3
    assert {(f.code, f.value) for f in result.findings} == {("blank-lines", "3")}


def test_quoted_newlines_stay_in_one_row(tmp_path: Path) -> None:
    text = STREET.replace('"Entered via a ""rear"" window"', '"Entered via a\nrear window"')
    result, graph = _map(_write(tmp_path, text))
    assert result.rows_read == 4
    assert Literal("Entered via a\nrear window") in set(graph.objects(None, POLE.context))


def test_reordered_columns_give_the_same_graph(tmp_path: Path) -> None:
    import csv

    rows = list(csv.reader(io.StringIO(STREET)))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([list(reversed(row)) for row in rows])
    _, plain = _map(SOURCES / "street-sample.csv")
    _, reordered = _map(_write(tmp_path, out.getvalue(), name="street-sample.csv"))
    assert _normalised(plain) == _normalised(reordered)


def test_renamed_and_extra_columns_are_findings(tmp_path: Path) -> None:
    text = STREET.replace("Crime type", "crime_type", 1).replace("Context\n", "Context,Notes\n", 1)
    text = "\n".join(line + ("," if i else "") for i, line in enumerate(text.splitlines())) + "\n"
    result, _ = _map(_write(tmp_path, text))
    assert result.rows_mapped == 4
    found = {(f.code, f.column, f.value) for f in result.findings}
    assert ("renamed-column", "Crime type", "crime_type") in found
    assert ("unexpected-column", "Notes", None) in found


def test_missing_optional_column_is_a_finding(tmp_path: Path) -> None:
    import csv

    rows = list(csv.reader(io.StringIO(STREET)))
    keep = [i for i, name in enumerate(rows[0]) if name != "Context"]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([[r[i] for i in keep] for r in rows])
    result, graph = _map(_write(tmp_path, out.getvalue()))
    assert result.rows_mapped == 4
    assert ("missing-optional-column", "Context") in {(f.code, f.column) for f in result.findings}
    assert not list(graph.objects(None, POLE.context))


def test_missing_required_column_names_expected_and_found(tmp_path: Path) -> None:
    text = "\n".join(",".join(line.split(",")[:9]) for line in STREET.splitlines()) + "\n"
    path = _write(tmp_path, text)
    with pytest.raises(MappingInputError) as caught:
        _map(path, mapping="police-uk-street")
    message = str(caught.value)
    assert "missing required columns ['Crime type']" in message and "'LSOA name'" in message
    assert str(path) in message
    with pytest.raises(MappingInputError, match="no mapping recognises this header"):
        _map(path)


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    with pytest.raises(MappingInputError, match="empty"):
        _map(_write(tmp_path, ""))
    result, graph = _map(_write(tmp_path, HEADER + "\n", name="header-only.csv"))
    assert (result.rows_read, result.rows_mapped) == (0, 0)
    assert set(graph.subjects(None, POLE.SourceDataset))  # the file is described even with no rows


def test_truncated_last_line_is_rejected_with_its_row(tmp_path: Path) -> None:
    text = STREET.rstrip("\n") + "\n" + ROWS[0][:70]
    result, graph = _map(_write(tmp_path, text))
    assert (result.rows_read, result.rows_mapped, result.rows_rejected) == (5, 4, 1)
    assert dict(result.rejected_by_reason) == {"wrong-field-count": 1}
    (finding,) = [f for f in result.findings if f.code == "wrong-field-count"]
    assert finding.row == 5 and finding.file.endswith(".csv")
    assert len(set(graph.subjects(POLE.source_row, None))) == 4


def test_unterminated_quote_is_rejected(tmp_path: Path) -> None:
    text = STREET + ROWS[0].rsplit(",", 1)[0] + ',"never closed\n'
    result, _ = _map(_write(tmp_path, text))
    assert (result.rows_mapped, result.rows_rejected) == (4, 1)
    assert dict(result.rejected_by_reason) == {"unterminated-quote": 1}
    assert [f.row for f in result.findings if f.code == "unterminated-quote"] == [5]


def test_values_out_of_range_and_invalid_are_findings(tmp_path: Path) -> None:
    text = STREET.replace("51.518207", "48.1", 1).replace("E01032739", "X0103273", 1)
    result, graph = _map(_write(tmp_path, text))
    assert result.rows_mapped == 4
    found = {(f.code, f.row, f.column, f.value) for f in result.findings}
    assert ("value-out-of-range", 1, "Latitude", "48.1") in found
    assert ("invalid-value", 2, "LSOA code", "X0103273") in found
    assert not list(graph.objects(CRIME, POLE.occurred_at))  # no point without a valid latitude


def test_required_problems_reject_the_row_with_a_reason(tmp_path: Path) -> None:
    rows = list(ROWS)
    rows[0] = rows[0].replace("Other theft", "Jaywalking")
    rows[1] = rows[1].replace("2018-04", "2018-13")
    rows[2] = rows[2].replace(",2018-04,", ",,")
    result, graph = _map(_write(tmp_path, "\n".join([HEADER, *rows]) + "\n"))
    assert (result.rows_mapped, result.rows_rejected) == (1, 3)
    assert dict(result.rejected_by_reason) == {
        "unknown-code (Crime type)": 1,
        "invalid-value (Month)": 1,
        "missing-value (Month)": 1,
    }
    assert ("unknown-code", 1, "Crime type", "Jaywalking") in {
        (f.code, f.row, f.column, f.value) for f in result.findings
    }
    assert (CRIME, None, None) not in graph


def test_unknown_optional_code_drops_only_the_value(tmp_path: Path) -> None:
    result, graph = _map(_write(tmp_path, STREET.replace("Offender given a caution", "Sent to the moon")))
    assert result.rows_mapped == 4
    assert ("unknown-code", 1, "Last outcome category", "Sent to the moon") in {
        (f.code, f.row, f.column, f.value) for f in result.findings
    }
    assert (CRIME, POLE.last_outcome_category, None) not in graph
    assert (CRIME, POLE.crime_type, None) in graph


def test_unknown_code_names_the_codes_it_most_resembles(tmp_path: Path) -> None:
    rows = [ROWS[0].replace("Other theft", "Burglery"), ROWS[1].replace("Anti-social behaviour", "theft from person")]
    rows.append(ROWS[2].replace("Violence and sexual offences", "Jaywalking"))
    result, _ = _map(_write(tmp_path, "\n".join([HEADER, *rows]) + "\n"))
    found = {f.value: f for f in result.findings if f.code == "unknown-code"}
    assert found["Burglery"].suggestions == ("burglary ('Burglary', 0.88)",)
    assert found["Burglery"].message == (
        "row 1: Crime type 'Burglery' has no crosswalk entry; nearest: burglary ('Burglary', 0.88)"
    )
    assert found["theft from person"].suggestions == (
        "theft-from-the-person ('Theft from the person', 1.00)",
        "other-theft ('Other theft', 0.64)",
    )
    assert found["Jaywalking"].suggestions == ()  # nothing like it: no guess
    assert found["Jaywalking"].as_dict()["suggestions"] == []


def test_impossible_date_rejects_a_search(tmp_path: Path) -> None:
    text = (SOURCES / "2016-05-kent-stop-and-search.csv").read_text().replace("2016-05-01T10:15", "2016-02-30T10:15")
    result, _ = _map(_write(tmp_path, text, name="2016-05-kent-stop-and-search.csv"))
    assert dict(result.rejected_by_reason) == {"invalid-value (Date)": 1}


def test_older_and_newer_labels_map_to_the_same_codes() -> None:
    _, graph = _map(SOURCES / "2016-05-kent-stop-and-search.csv")
    code = "https://w3id.org/policeonto/code/"
    assert URIRef(code + "search-outcome/no-further-action") in set(graph.objects(None, POLE.search_outcome))
    assert URIRef(code + "search-outcome/arrest") in set(graph.objects(None, POLE.search_outcome))
    assert URIRef(code + "self-defined-ethnicity/A4") in set(graph.objects(None, POLE.self_defined_ethnicity))
    _, outcomes = _map(SOURCES / "outcomes-sample.csv")
    assert URIRef(code + "crime-outcome/sentenced-in-another-case") in set(
        outcomes.objects(None, POLE.outcome_category)
    )


def test_iris_are_stable_and_based_where_asked(tmp_path: Path) -> None:
    _, first = _map(SOURCES / "street-sample.csv")
    _, second = _map(SOURCES / "street-sample.csv")
    events = lambda g: set(g.subjects(POLE.month, None))  # noqa: E731
    assert events(first) == events(second)
    asb = URIRef("https://w3id.org/policeonto/data/street/street-sample/row-2")
    assert (asb, None, POLE.AntiSocialBehaviour) in first
    _, based = _map(SOURCES / "street-sample.csv", base="https://data.example.org/kent/")
    assert all(str(s).startswith("https://data.example.org/kent/") for s in events(based))
    with pytest.raises(PoliceOntoError, match="base IRI"):
        _map(SOURCES / "street-sample.csv", base="not an iri")


def test_outcomes_link_to_crimes_by_crime_id_and_keep_duplicates() -> None:
    result, graph = _map(SOURCES / "outcomes-sample.csv")
    assert result.rows_mapped == 3
    outcomes = set(graph.subjects(POLE.outcome_of, CRIME))
    assert len(outcomes) == 2  # two suspects charged: two outcomes, not one
    assert (CRIME, None, POLE.Crime) in graph


def test_provenance_traces_every_record_to_its_row() -> None:
    _, graph = _map(SOURCES / "2016-05-kent-stop-and-search.csv")
    search = URIRef("https://w3id.org/policeonto/data/stop-and-search/2016-05-kent-stop-and-search/row-3")
    assert graph.value(search, POLE.source_row) == Literal(3)
    dataset = graph.value(search, POLE.derived_from)
    assert graph.value(dataset, POLE.file_name) == Literal("2016-05-kent-stop-and-search.csv")
    assert len(str(graph.value(dataset, POLE.sha256))) == 64
    assert graph.value(dataset, POLE.publisher) == URIRef("https://w3id.org/policeonto/code/police-force/kent")
    run = graph.value(search, POLE.generated_by)
    assert graph.value(run, POLE.mapping_name) == Literal("police-uk-stop-and-search")
    assert graph.value(run, POLE.ontology_version) == Literal("0.2.0")
    assert (search, POLE.source_force, URIRef("https://w3id.org/policeonto/code/police-force/kent")) in graph
    vehicle_only = URIRef(str(search) + "/searched-person")
    assert (vehicle_only, None, None) not in graph  # a vehicle search has no searched person


def test_cli_map_writes_formats_and_report(tmp_path: Path) -> None:
    runner = CliRunner()
    source = str(SOURCES / "street-sample.csv")
    report = tmp_path / "report.json"
    result = runner.invoke(main, ["map", source, "-o", str(tmp_path / "out.nt"), "--report", str(report)])
    assert result.exit_code == 0, result.output
    summary = json.loads(report.read_text())
    assert {k: summary[k] for k in ("rows_read", "rows_mapped", "rows_rejected", "rejected_by_reason")} == {
        "rows_read": 4,
        "rows_mapped": 4,
        "rows_rejected": 0,
        "rejected_by_reason": {},
    }
    assert summary["outputs"] == [str(tmp_path / "out.nt")]
    for fmt in ("ttl", "jsonld"):
        assert runner.invoke(main, ["map", source, "-o", str(tmp_path / f"out.{fmt}")]).exit_code == 0
    nt = Graph().parse(tmp_path / "out.nt", format="nt")
    ttl = Graph().parse(tmp_path / "out.ttl", format="turtle")
    jsonld = Graph().parse(tmp_path / "out.jsonld", format="json-ld")
    assert len(nt) == len(ttl) == len(jsonld)
    assert _normalised(nt) == _normalised(ttl) == _normalised(jsonld)


def test_cli_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = _write(tmp_path, STREET.replace("Other theft", "Jaywalking"))
    result = runner.invoke(main, ["map", str(bad), "-o", str(tmp_path / "out.nt")])
    assert result.exit_code == 1
    assert "rejected 1: unknown-code (Crime type)" in result.output
    missing = runner.invoke(main, ["map", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2 and "nope.csv" in missing.output and "Traceback" not in missing.output
    unknown = runner.invoke(main, ["map", str(bad), "--mapping", "no-such-mapping"])
    assert unknown.exit_code == 2 and "no mapping 'no-such-mapping'" in unknown.output


def test_cli_lists_mappings() -> None:
    result = CliRunner().invoke(main, ["mappings", "--format", "json"])
    names = [m["name"] for m in json.loads(result.output)]
    assert names == sorted(p.name.removesuffix(".transform.yaml") for p in mappings_dir().glob("*.transform.yaml"))
    assert {"police-uk-street", "force-a-links", "force-b-person-links"} <= set(names)


def test_failed_run_leaves_no_output(tmp_path: Path) -> None:
    out = tmp_path / "out.nt"
    result = CliRunner().invoke(
        main, ["map", str(SOURCES / "street-sample.csv"), str(tmp_path / "nope.csv"), "-o", str(out)]
    )
    assert result.exit_code == 2
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_malformed_row_deep_in_a_large_file_is_rejected_once(tmp_path: Path) -> None:
    """Arrow streams the first blocks; at the malformed row the careful reader carries on after them."""
    good = ROWS[0]
    lines = [HEADER] + [good.replace("4f1c2b8e", f"{i:08x}", 1) for i in range(1, 30001)]
    lines[20000] = good[:60]  # data row 20000 is truncated
    path = _write(tmp_path, "\n".join(lines) + "\n")
    result, graph = _map(path, batch_rows=1000)
    assert (result.rows_read, result.rows_mapped, result.rows_rejected) == (30000, 29999, 1)
    assert [f.row for f in result.findings if f.code == "wrong-field-count"] == [20000]
    rows = sorted(int(o) for o in graph.objects(None, POLE.source_row))
    assert rows == [n for n in range(1, 30001) if n != 20000]


def test_stdout_streams(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["map", str(SOURCES / "street-sample.csv"), "-q"])
    assert result.exit_code == 0
    assert len(Graph().parse(data=result.stdout, format="nt")) > 50


def test_publishing_force_from_file_name_or_option(tmp_path: Path) -> None:
    text = (SOURCES / "2016-05-kent-stop-and-search.csv").read_text()
    unknown = _write(tmp_path, text, name="2016-05-atlantis-stop-and-search.csv")
    result, graph = _map(unknown)
    assert result.rows_mapped == 3
    assert [(f.code, f.value) for f in result.findings] == [("unknown-publisher", "atlantis")]
    assert not list(graph.objects(None, POLE.source_force)) and not list(graph.objects(None, POLE.publisher))
    _, given = _map(unknown, force="kent")
    kent = URIRef("https://w3id.org/policeonto/code/police-force/kent")
    assert set(given.objects(None, POLE.source_force)) == {kent}
    with pytest.raises(PoliceOntoError, match="not a police force code"):
        _map(unknown, force="atlantis")


@pytest.mark.parametrize("kind", ["street", "stop-and-search"])
def test_bundled_examples_are_what_the_generator_writes(kind: str, tmp_path: Path) -> None:
    """`make examples` output is committed; it must not drift from the generator."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / f"2024-01-kent-{kind}.csv"
    generator = root / "benchmarks" / "generate.py"
    subprocess.run([sys.executable, str(generator), kind, "1000", str(out), "--seed", "7"], check=True)
    assert out.read_bytes() == (root / "examples" / "police-uk" / out.name).read_bytes()


def test_a_crosswalk_giving_codes_of_a_code_list_its_column_does_not_fill_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "mappings"
    shutil.copytree(mappings_dir(), folder)
    links = folder / "force-a-links.transform.yaml"
    assert compile_plan(load_mapping(links), schema_view())  # ROLE_CODE fills person and vehicle roles
    spec = yaml.safe_load(links.read_text(encoding="utf-8"))
    del spec["class_derivations"]["ObjectInvolvement"]  # now it fills person roles only
    persons = folder / "force-a-person-links.transform.yaml"
    persons.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(MappingSpecError) as refused:
        compile_plan(load_mapping(persons), schema_view())
    assert "column ROLE_CODE: crosswalk force-a-role.sssom.tsv" in str(refused.value)
    assert "['involved', 'stolen', 'used']" in str(refused.value)
