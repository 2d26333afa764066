"""Property tests for every reader and writer: whatever the input, the outcome is a result (with findings) or
a documented error naming the file, and the counts add up.

Inputs are built from the real formats (the bundled mappings' column sets, the bundled examples' rows,
mapping files and crosswalks) with hostile values put in: blank, unicode, NUL bytes, huge, quotes, wrong
types, bad dates, unknown codes, missing and extra columns, BOMs, CRLF. ``make test`` replays the same
examples every run (the ``ci`` profile); ``make fuzz`` explores new ones (``HYPOTHESIS_PROFILE=fuzz``).
"""

from __future__ import annotations

import copy
import csv
import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pyoxigraph
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD

from policeonto.errors import CrosswalkError, InstanceDataError, MappingInputError, MappingSpecError
from policeonto.findings import CATALOGUE, Finding, Severity
from policeonto.mapping import MapResult, load_mapping, map_files
from policeonto.mapping.crosswalk import read_crosswalk
from policeonto.mapping.plan import compile_plan
from policeonto.mapping.spec import _load, mappings_dir
from policeonto.validation import ValidationReport, validate
from policeonto.validation.html import FIELDS, spreadsheet_safe
from policeonto.validation.rdf_input import read_rdf
from policeonto.validation.render import render
from policeonto.vocab import schema_view
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"


def slow(share: int = 1) -> settings:
    """No deadline (a first call compiles a mapping), and 1/*share* of the profile's examples for the slower
    properties, so the default run stays short and ``make fuzz`` still runs many."""
    return settings(
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        max_examples=max(settings().max_examples // share, 10),
    )


@contextmanager
def scratch() -> Iterator[Path]:
    """A fresh directory per example (pytest's tmp_path is one per test, not per hypothesis example)."""
    with tempfile.TemporaryDirectory(prefix="policeonto-prop-") as folder:
        yield Path(folder)


# --- hostile values -------------------------------------------------------------------------------------

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    '"',
    '""',
    'say "hi"',
    "a,b",
    "line\nbreak",
    "cr\r\nlf",
    "\ufeff",
    "\u202e\u0645\u0631\u062d\u0628\u0627",
    "😀",
    '=HYPERLINK("http://x")',
    "2024-13-45",
    "2024-02-30T25:61:00",
    "31/02/2024",
    "NaN",
    "-1e309",
    "99999999999999999999999",
    "true",
    "None",
    "null",
    "<script>alert(1)</script>",
    "]]>",
    "OCC/24 000001",
    "x" * 5000,
]
cells = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40), st.text(alphabet="0123456789-/:.T ", max_size=25))


def _rows(path: Path, count: int = 6) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for _, row in zip(range(count), csv.DictReader(handle), strict=False)]


#: A bundled CSV format: its file name, its column titles, and real rows of it.
CSV_FORMATS = {
    "police-uk-street": ("2024-01-kent-street.csv", EXAMPLES / "police-uk" / "2024-01-kent-street.csv"),
    "police-uk-stop-and-search": (
        "2024-01-kent-stop-and-search.csv",
        EXAMPLES / "police-uk" / "2024-01-kent-stop-and-search.csv",
    ),
    "police-uk-outcomes": ("2018-05-city-of-london-outcomes.csv", ROOT / "tests/data/sources/outcomes-sample.csv"),
    "force-a-nominals": ("nominals.csv", EXAMPLES / "force-a" / "nominals.csv"),
    "force-a-occurrences": ("occurrences.csv", EXAMPLES / "force-a" / "occurrences.csv"),
    "force-a-links": ("links.csv", EXAMPLES / "force-a" / "links.csv"),
}


@st.composite
def csv_exports(draw: st.DrawFn) -> tuple[str, bytes, int]:
    """A CSV export of a bundled format with hostile changes: (file name, bytes, records written)."""
    name = draw(st.sampled_from(sorted(CSV_FORMATS)))
    file_name, example = CSV_FORMATS[name]
    titles = [c.title for c in load_mapping(name).columns]
    keep = draw(st.lists(st.sampled_from(titles), min_size=2, unique=True)) if draw(st.booleans()) else titles
    extra = draw(st.lists(st.sampled_from(["Extra", "crime id", "", "Notes\ufeff", *HOSTILE[:4]]), max_size=2))
    header = draw(st.permutations([*keep, *extra]))
    real = _rows(example)
    rows: list[list[str]] = []
    for _ in range(draw(st.integers(0, 6))):
        base = draw(st.sampled_from(real))
        row = [base.get(h, "") or "" for h in header]
        for _ in range(draw(st.integers(0, 3))):
            row[draw(st.integers(0, len(row) - 1))] = draw(cells)
        width = draw(st.sampled_from([len(row)] * 4 + [len(row) - 1, len(row) + 1]))
        rows.append(([*row, "extra"])[:width])
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline, quoting=quoting)
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    if draw(st.booleans()):
        text = text.replace(newline, newline + newline, 1)  # a blank line after the header
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    records = sum(1 for r in rows if not (len(r) == 1 and not r[0].strip()))
    return file_name, data, records


def _check_run(result: MapResult, sink: bytes) -> None:
    """The invariants of every mapping run."""
    for summary in result.files:
        assert summary.rows_read == summary.rows_mapped + summary.rows_rejected
        assert sum(summary.rejected_by_reason.values()) == summary.rows_rejected
        for reason in summary.rejected_by_reason:
            assert reason.split(" ", 1)[0] in CATALOGUE, reason
    assert set(result.finding_counts) <= set(CATALOGUE)
    assert all(f.code in CATALOGUE for f in result.findings)
    triples = list(pyoxigraph.parse(sink, format=pyoxigraph.RdfFormat.N_TRIPLES))
    assert len(triples) == result.triples
    assert json.loads(json.dumps(result.as_dict()))["rows_read"] == result.rows_read


@slow()
@given(csv_exports())
def test_csv_export_rows_read_are_mapped_or_rejected_with_a_reason(export: tuple[str, bytes, int]) -> None:
    file_name, data, records = export
    with scratch() as folder:
        path = folder / file_name
        path.write_bytes(data)
        sink = io.BytesIO()
        try:
            result = map_files([path], sink)
        except MappingInputError as exc:
            assert exc.path == path and file_name in str(exc)
            return
        _check_run(result, sink.getvalue())
        assert result.rows_read == records


# --- JSON exports ---------------------------------------------------------------------------------------

FORCE_B = json.loads((EXAMPLES / "force-b" / "export.json").read_text(encoding="utf-8"))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | cells,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside a JSON document (keys and list positions)."""
    found = [prefix] if prefix else []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in items:
        found += _paths(value, (*prefix, key))
    return found


def _mutate(document: Any, draw: st.DrawFn, changes: int) -> Any:
    """*document* with values at random paths replaced by hostile ones or removed."""
    document = copy.deepcopy(document)
    for _ in range(changes):
        paths = _paths(document)
        if not paths:
            break
        *parent_path, last = draw(st.sampled_from(paths))
        parent = document
        for key in parent_path:
            parent = parent[key]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[last]
        else:
            parent[last] = draw(json_values)
    return document


@st.composite
def json_exports(draw: st.DrawFn) -> bytes:
    size = draw(st.integers(0, 4))
    document = {k: (v[: size * 3 : 3] if isinstance(v, list) else v) for k, v in FORCE_B.items()}
    document = _mutate(document, draw, draw(st.integers(0, 6)))
    if draw(st.booleans()):
        document[draw(st.sampled_from(["data", "included", "extra"]))] = draw(json_values)
    text = json.dumps(document, ensure_ascii=draw(st.booleans()))
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + text.encode("utf-8")


@slow(4)
@given(json_exports())
def test_json_export_rows_read_are_mapped_or_rejected_with_a_reason(data: bytes) -> None:
    with scratch() as folder:
        path = folder / "export.json"
        path.write_bytes(data)
        sink = io.BytesIO()
        try:
            result = map_files([path], sink)
        except MappingInputError as exc:
            assert exc.path == path and "export.json" in str(exc)
            return
        _check_run(result, sink.getvalue())
        records = json.loads(data.decode("utf-8-sig"))
        typed = [r for m in ("data", "included") if isinstance(records.get(m), list) for r in records[m]]
        mapped = {"stop-searches", "crime-reports", "persons", "addresses", "vehicles"}
        unmapped = [
            r for r in typed if isinstance(r, dict) and not (isinstance(r.get("type"), str) and r["type"] in mapped)
        ]
        assert result.rows_read >= len(unmapped)  # records of no mapped type are read, and rejected


# --- RDF read for validation ----------------------------------------------------------------------------

SYNTAXES = {".nt": "nt", ".nq": "nquads", ".ttl": "turtle", ".trig": "trig", ".rdf": "xml", ".jsonld": "json-ld"}
iris = st.builds(lambda s: URIRef(f"https://example.org/{s}"), st.text(alphabet="abcxyz0123456789-_/", max_size=12))
literal_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30) | st.sampled_from(HOSTILE[4:])
literals = st.one_of(
    st.builds(Literal, literal_text),
    st.builds(lambda t, lang: Literal(t, lang=lang), literal_text, st.sampled_from(["en", "en-GB", "cy"])),
    st.builds(lambda n: Literal(str(n), datatype=XSD.integer), st.integers()),
    st.builds(lambda t: Literal(t, datatype=XSD.date), st.sampled_from(["2024-01-31", "2024-02-30", "nonsense"])),
)
predicates = st.sampled_from([URIRef(f"https://example.org/vocab#{p}") for p in ("name", "month", "ref")])
triples = st.tuples(iris, predicates, iris | literals)


@slow(4)
@given(st.lists(triples, max_size=6), st.sampled_from(sorted(SYNTAXES)))
def test_rdf_written_in_any_syntax_reads_back_the_same(statements: list, suffix: str) -> None:
    graph = Graph()
    for statement in statements:
        graph.add(statement)
    written: Graph | Dataset = graph
    if suffix in {".nq", ".trig"}:  # every other statement in a named graph
        written = Dataset()
        for i, statement in enumerate(statements):
            (written.graph(URIRef("https://example.org/graph")) if i % 2 else written).add(statement)
    with scratch() as folder:
        path = folder / f"input{suffix}"
        path.write_text(written.serialize(format=SYNTAXES[suffix]), encoding="utf-8")
        read = read_rdf(path)
    assert len(read) == len(graph)
    assert {(s, p) for s, p, _ in read} == {(s, p) for s, p, _ in graph}


@slow()
@given(st.sampled_from(sorted(SYNTAXES)), st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_read_as_rdf_give_a_graph_or_an_error_naming_the_file(suffix: str, data: bytes) -> None:
    with scratch() as folder:
        path = folder / f"hostile{suffix}"
        path.write_bytes(data)
        try:
            read_rdf(path)
        except InstanceDataError as exc:
            assert exc.path == path and f"hostile{suffix}" in str(exc)


# --- mapping files --------------------------------------------------------------------------------------

SPEC_TEXT = (mappings_dir() / "police-uk-street.transform.yaml").read_text(encoding="utf-8")
SPEC = yaml.safe_load(SPEC_TEXT)


@slow(4)
@given(st.data())
def test_mapping_file_loads_or_is_an_error_naming_it(data: st.DataObject) -> None:
    spec = _mutate(SPEC, data.draw, data.draw(st.integers(1, 4)))
    with scratch() as folder:
        shutil.copytree(mappings_dir(), folder / "mappings")
        path = folder / "mappings" / "hostile.transform.yaml"
        path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
        try:
            compile_plan(load_mapping(path), schema_view())
        except MappingSpecError as exc:
            assert "hostile.transform.yaml" in str(exc)
        finally:
            _load.cache_clear()


# --- SSSOM crosswalks -----------------------------------------------------------------------------------

CROSSWALK = (mappings_dir() / "crosswalks" / "police-uk-gender.sssom.tsv").read_text(encoding="utf-8").splitlines()


@slow()
@given(st.data())
def test_crosswalk_reads_or_is_an_error_naming_it(data: st.DataObject) -> None:
    lines = list(CROSSWALK)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(lines) - 1))
        fields = lines[at].split("\t")
        column = data.draw(st.integers(0, len(fields)))
        value = data.draw(cells | st.sampled_from(["#curie_map: [a]", "#license:", "skos:x", "a:b:c", "\t", ":"]))
        fields[column : column + 1] = [value]
        lines[at] = "\t".join(fields)
    with scratch() as folder:
        path = folder / "hostile.sssom.tsv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            walk = read_crosswalk(path)
        except CrosswalkError as exc:
            assert exc.path == path and "hostile.sssom.tsv" in str(exc)
            return
        finally:
            read_crosswalk.cache_clear()
        assert all(code.startswith(("http", "urn")) or ":" in code for code in walk.codes().values())


# --- report writers -------------------------------------------------------------------------------------

texts = st.none() | st.text(max_size=40) | st.sampled_from(HOSTILE)
findings = st.builds(
    Finding,
    code=st.sampled_from(sorted(CATALOGUE)),
    severity=st.sampled_from(list(Severity)),
    message=st.text(max_size=60) | st.sampled_from(HOSTILE),
    file=texts,
    row=st.none() | st.integers(1, 10**9),
    column=texts,
    value=texts,
    focus_node=texts,
    path=texts,
    constraint=texts,
)


@st.composite
def reports(draw: st.DrawFn) -> ValidationReport:
    found = draw(st.lists(findings, max_size=12))
    report = ValidationReport(findings=found, rows=draw(st.integers(0, 10**6)), records=draw(st.integers(0, 10**6)))
    for f in found:
        report.finding_counts[f.code] += 1
    return report


class _Balanced(HTMLParser):
    """Checks that every element is closed in order (void elements excepted) and collects the text."""

    VOID: ClassVar[set[str]] = {"meta", "br", "hr", "img", "input", "link"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@slow()
@given(reports())
def test_report_writers_round_trip(report: ValidationReport) -> None:
    assert json.loads(render(report, "json")) == json.loads(json.dumps(report.as_dict()))

    page = _Balanced()
    page.feed(render(report, "html"))
    page.close()
    assert page.open == []
    shown = "".join(page.text)
    for finding in report.findings:
        assert finding.message.replace("\r\n", "\n").replace("\r", "\n") in shown.replace("\r\n", "\n").replace(
            "\r", "\n"
        )

    table = list(csv.reader(io.StringIO(render(report, "csv"), newline="")))
    assert table[0] == list(FIELDS)
    assert table[1:] == [[spreadsheet_safe(f.as_dict()[name]) for name in FIELDS] for f in report.findings]


HOSTILE_TTL = (ROOT / "tests" / "data" / "invalid" / "month-plain-string.ttl").read_text(encoding="utf-8")


@slow()
@given(st.lists(literal_text, min_size=1, max_size=4))
def test_shacl_report_reparses_with_the_same_triples(months: list[str]) -> None:
    lines = [HOSTILE_TTL]
    for i, month in enumerate(months):
        lines.append(f"<https://example.org/outcome-{i}x> pole:month {Literal(month).n3()} .")
    with scratch() as folder:
        path = folder / "hostile.ttl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        report = validate([path])
    assert not report.valid
    written = report.shacl_report()
    assert len(Graph().parse(data=render(report, "shacl"), format="turtle")) == len(written)


@pytest.mark.parametrize("name", sorted(CSV_FORMATS))
def test_every_csv_format_example_maps_cleanly(name: str) -> None:
    """The generator's starting point: each format's real rows map with nothing rejected."""
    file_name, example = CSV_FORMATS[name]
    with scratch() as folder:
        path = folder / file_name
        header = example.read_text(encoding="utf-8").splitlines()[:4]
        path.write_text("\n".join(header) + "\n", encoding="utf-8")
        sink = io.BytesIO()
        result = map_files([path], sink, mapping=name)
    assert result.rows_read == 3 and result.files[0].mapping == name
    _check_run(result, sink.getvalue())
