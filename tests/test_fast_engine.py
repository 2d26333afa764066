"""The fast engine against pySHACL, the reference: the same results (focus node, path, value, constraint
component, severity) on the invalid fixtures, on real data.police.uk files mapped and then broken on
purpose, and on hypothesis-generated faults; and the streaming, batch-at-a-time validation of mapped tables
against validating the whole mapped graph at once."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef

from policeonto.fastshacl import TripleTable, evaluate
from policeonto.fastshacl.report import report_keys, result_keys
from policeonto.instances import load_records, records_to_graph
from policeonto.mapping import MapOptions, map_files, map_stream
from policeonto.shacl import run_pyshacl
from policeonto.validation import validate
from policeonto.validation.fast import project_shapes
from policeonto.validation.pipeline import validating
from tests.conftest import DATA, POLICE_UK

POLE = "https://w3id.org/policeonto/"


def _graph(path: Path) -> Graph:
    if path.suffix == ".ttl":
        return Graph().parse(path, format="turtle")
    return records_to_graph(load_records(path))


def _both(graph: Graph, shapes: Graph) -> tuple[set, set]:
    table = TripleTable.from_graph(graph)
    fast = result_keys(evaluate(project_shapes(), table))
    assert result_keys(evaluate(project_shapes(), table.encoded())) == fast  # on codes: the same
    _, report, _ = run_pyshacl(graph, shapes)
    return fast, report_keys(report)


def _anonymous(keys: set) -> set:
    return {tuple("_:" if isinstance(k, str) and k.startswith("_:") else k for k in key) for key in keys}


@pytest.mark.parametrize("path", sorted((DATA / "invalid").glob("*.*[!t]")), ids=lambda p: p.name)
def test_invalid_fixtures_same_results(path: Path, shapes: Graph) -> None:
    fast, reference = _both(_graph(path), shapes)
    assert fast, "every invalid fixture has at least one result"
    assert _anonymous(fast) == _anonymous(reference)


def _mapped_sample(path: Path, tmp_path: Path, rows: int) -> tuple[Path, Graph]:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)[: rows + 1]
    sample = tmp_path / path.name
    sample.write_text("".join(lines), encoding="utf-8")
    sink = io.BytesIO()
    map_files([sample], sink)
    return sample, Graph().parse(data=sink.getvalue().decode("utf-8"), format="nt")


def _break(graph: Graph, seed: int) -> Graph:
    """A copy of *graph* with one of each kind of fault on different records."""
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    subjects = sorted({s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)}, key=str)
    pick = subjects[seed % len(subjects) :: 7]
    faults = [
        lambda s: broken.remove((s, RDF.type, None)) or broken.add((s, RDF.type, URIRef(POLE + "Person"))),
        lambda s: broken.add((s, URIRef(POLE + "unknown_property"), Literal("x"))),
        lambda s: broken.set((s, URIRef(POLE + "source_row"), Literal("twelve", datatype=XSD.integer))),
        lambda s: broken.add((s, URIRef(POLE + "source_system"), Literal("a second system"))),
        lambda s: broken.remove((s, URIRef(POLE + "derived_from"), None)),
        lambda s: broken.set((s, URIRef(POLE + "latitude"), Literal("91.5", datatype=XSD.decimal))),
        lambda s: broken.set((s, URIRef(POLE + "area_code"), Literal("X01"))),
        lambda s: broken.add((s, URIRef(POLE + "occurred_at"), BNode())),
    ]
    for i, subject in enumerate(pick[: len(faults) * 3]):
        faults[i % len(faults)](subject)
    return broken


@pytest.mark.parametrize("name", sorted(str(p.relative_to(POLICE_UK)) for p in POLICE_UK.rglob("*.csv")))
def test_real_files_mapped_and_broken_same_results(name: str, tmp_path: Path, shapes: Graph) -> None:
    _, graph = _mapped_sample(POLICE_UK / name, tmp_path, 400)
    fast, reference = _both(graph, shapes)
    assert fast == reference == set()
    fast, reference = _both(_break(graph, seed=len(name)), shapes)
    assert len(fast) >= 8
    assert fast == reference


@st.composite
def _faulty_graph(draw: st.DrawFn, base: Graph) -> Graph:
    graph = Graph()
    for triple in base:
        graph.add(triple)
    subjects = sorted(set(base.subjects()), key=str)
    predicates = sorted(set(base.predicates()), key=str)
    for _ in range(draw(st.integers(1, 6))):
        subject = draw(st.sampled_from(subjects))
        kind = draw(st.sampled_from(["drop", "add", "retype", "literal", "iri"]))
        if kind == "drop":
            present = sorted(graph.predicate_objects(subject), key=str)
            if present:
                graph.remove((subject, *draw(st.sampled_from(present))))
        elif kind == "retype":
            graph.set((subject, RDF.type, draw(st.sampled_from(sorted(set(base.objects(None, RDF.type)), key=str)))))
        else:
            value = {
                "add": draw(st.sampled_from(sorted(set(base.objects()), key=str))),
                "literal": Literal(
                    draw(st.text(min_size=0, max_size=12)),
                    datatype=draw(st.sampled_from([None, XSD.integer, XSD.decimal, XSD.dateTime, XSD.gYearMonth])),
                ),
                "iri": URIRef(POLE + draw(st.sampled_from(["Crime", "code/nope/x", "nowhere"]))),
            }[kind]
            graph.add((subject, draw(st.sampled_from(predicates)), value))
    return graph


_EXAMPLE = records_to_graph(load_records(Path(__file__).resolve().parents[1] / "examples" / "pole-example.yaml"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(graph=_faulty_graph(_EXAMPLE))
def test_hypothesis_faults_same_results(graph: Graph, shapes: Graph) -> None:
    fast, reference = _both(graph, shapes)
    assert _anonymous(fast) == _anonymous(reference)


def test_streamed_batches_equal_the_whole_graph(tmp_path: Path, shapes: Graph) -> None:
    """Validated 50 rows at a time, with a clash between batches on a node rows share (one LSOA code, two
    names), a mapped table gives what the whole mapped graph gives, and pySHACL agrees."""
    source = next(iter(sorted(POLICE_UK.rglob("*-street.csv"))))
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)[:301]
    header = lines[0].rstrip("\r\n").split(",")
    code, name = header.index("LSOA code"), header.index("LSOA name")
    first = lines[1].rstrip("\r\n").split(",")
    last = lines[-1].rstrip("\r\n").split(",")
    last[code], last[name] = first[code], first[name] + " renamed"
    lines[-1] = ",".join(last) + "\n"
    sample = tmp_path / source.name
    sample.write_text("".join(lines), encoding="utf-8")

    *_, checked = validating(map_stream([sample], options=MapOptions(batch_rows=50)))
    import polars as pl

    streamed = result_keys(pl.concat(checked.violations))
    sink = io.BytesIO()
    map_files([sample], sink)
    graph = Graph().parse(data=sink.getvalue().decode("utf-8"), format="nt")
    fast, reference = _both(graph, shapes)
    assert any(k[3].endswith("MaxCountConstraintComponent") for k in streamed)
    assert streamed == fast == reference


def test_mapped_findings_name_file_row_and_column(tmp_path: Path) -> None:
    source = next(iter(sorted(POLICE_UK.rglob("*-street.csv"))))
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)[:6]
    header = lines[0].rstrip("\r\n").split(",")
    code, name = header.index("LSOA code"), header.index("LSOA name")
    row = lines[5].rstrip("\r\n").split(",")
    first = lines[1].rstrip("\r\n").split(",")
    row[code], row[name] = first[code], "Somewhere else 001A"
    lines[5] = ",".join(row) + "\n"
    sample = tmp_path / source.name
    sample.write_text("".join(lines), encoding="utf-8")
    report = validate([sample])
    clash = [f for f in report.findings if f.code == "shape-max-count"]
    assert not report.valid
    assert len(clash) == 1
    assert (clash[0].file, clash[0].row, clash[0].column) == (str(sample), 1, "LSOA name")
    assert clash[0].path == POLE + "name"


def test_findings_catalogue_page_is_current() -> None:
    from policeonto.findings import CATALOGUE, catalogue_markdown

    page = (Path(__file__).resolve().parents[1] / "docs" / "findings.md").read_text(encoding="utf-8")
    assert page == catalogue_markdown(), "regenerate with: python -m policeonto.findings > docs/findings.md"
    assert all(f"## {code}\n" in page for code in CATALOGUE)


def test_validation_benchmark_runs(tmp_path: Path) -> None:
    """The benchmark script itself (at a tiny size): every engine it runs must find the data valid."""
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "validate_benchmark.py"
    run = subprocess.run(
        [sys.executable, str(script), "--sizes", "300", "--pyshacl-max", "300"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "policeonto fast, CSV" in run.stdout and "pySHACL, N-Triples" in run.stdout
    assert "x vs CSV" in run.stdout


@settings(max_examples=60, deadline=None)
@given(
    lexicals=st.lists(st.text(max_size=20), min_size=1, max_size=8),
    language=st.sampled_from([None, "en", "en-GB", "cy"]),
)
def test_ntriples_split_agrees_with_the_full_reader(lexicals: list[str], language: str | None) -> None:
    """Whatever the vectorised split accepts, it reads as rdflib does, but that it writes language tags in lower
    case (one term whatever their case, as Oxigraph's parser writes them); what it cannot, it hands over."""
    from policeonto.fastshacl import parse_ntriples

    graph = Graph()
    for i, text in enumerate(lexicals):
        subject = URIRef(f"{POLE}thing/{i}")
        graph.add((subject, URIRef(POLE + "name"), Literal(text, lang=language)))
        graph.add((subject, URIRef(POLE + "source_row"), Literal(i, datatype=XSD.integer)))
        graph.add((subject, URIRef(POLE + "occurred_at"), BNode(f"b{i}")))
    data = graph.serialize(format="nt", encoding="utf-8")
    frame = parse_ntriples(data)
    if frame is None:
        assert b"\\u" in data or b"\\t" in data or b"\\b" in data or b"\\f" in data
        return
    expected = TripleTable.from_graph(Graph().parse(data=data, format="nt"))
    got = TripleTable.from_frame(frame)
    lower = lambda row: tuple(re.sub(r'"@[A-Za-z0-9-]+$', lambda m: m[0].lower(), t) for t in row)  # noqa: E731
    assert {p: sorted(f.rows()) for p, f in got.by_predicate.items() if not p.endswith("occurred_at>")} == {
        p: sorted(map(lower, f.rows())) for p, f in expected.by_predicate.items() if not p.endswith("occurred_at>")
    }
    assert not language or all(o.endswith(f'"@{language.lower()}') for o in got.pairs(f"<{POLE}name>")["o"])
    assert got.pairs(f"<{POLE}occurred_at>").height == len(lexicals)


def test_every_batch_keeps_its_findings_in_file_order(tmp_path: Path) -> None:
    """Findings about the nodes each row makes, from every batch (several in flight at once), arrive in
    file order with their rows, exactly as validating the whole mapped graph finds them."""
    import polars as pl

    from policeonto.fastshacl import compile_shapes

    source = next(iter(sorted(POLICE_UK.rglob("*-street.csv"))))
    sample = tmp_path / source.name
    sample.write_text("".join(source.read_text(encoding="utf-8").splitlines(keepends=True)[:301]), encoding="utf-8")
    rule = Graph().parse(
        data=f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <urn:rule> a sh:NodeShape ; sh:targetSubjectsOf <{POLE}source_row> ;
            sh:property [ sh:path <{POLE}source_row> ; sh:maxInclusive "10"^^xsd:integer ] .""",
        format="turtle",
    )
    shapes = compile_shapes(rule)
    *_, checked = validating(map_stream([sample], options=MapOptions(batch_rows=50)), shapes=shapes)
    streamed = pl.concat(checked.violations)

    sink = io.BytesIO()
    map_files([sample], sink)
    whole = evaluate(shapes, TripleTable.from_graph(Graph().parse(data=sink.getvalue().decode(), format="nt")))
    assert result_keys(streamed) == result_keys(whole)
    rows = streamed["row"].to_list()
    assert rows == sorted(rows) and min(rows) == 11 and max(rows) == 300
    assert set(streamed["value"].str.extract(r'^"([0-9]+)"').cast(pl.Int64)) == set(rows)
