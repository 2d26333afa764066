"""Mapping expressions: each function's values on the fast path, the same values on the reference path
(linkml-map's evaluator with policeonto's extension functions), the forms refused, and one class derived
twice in one mapping."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import polars as pl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from policeonto.errors import MappingSpecError
from policeonto.mapping import MapOptions, map_files
from policeonto.mapping.expressions import compile_expression
from policeonto.mapping.provenance import file_context
from policeonto.mapping.reader import inspect
from policeonto.mapping.spec import load_mapping, mappings_dir
from policeonto.vocab import POLE

BASE = "https://w3id.org/policeonto/data/"

# An export in a layout of its own: registration marks with spaces, phone numbers with punctuation,
# collar numbers inside badge codes, day-first dates, local times, times with offsets, and two kinds of
# relationship row.
ROWS = [
    ["rec_id", "reg", "phone", "badge", "occurred", "stamp", "local", "amount", "kind", "note"],
    [
        "R1",
        "ab12 cde",
        "(0161) 555-0199",
        "GMP-01234-X",
        "31/01/2024",
        "2024-01-31T23:30:00+01:00",
        "31/03/2024 01:30",
        "12.5",
        "OWNS",
        "  o'neil-smith  ",
    ],
    [
        "R2",
        " x1 ",
        "+44 7700 900123",
        "MET-7-A",
        "1/2/24",
        "2024-06-01T10:00:00Z",
        "27/10/2024 01:30",
        "7",
        "DROVE",
        "alpha beta  gamma",
    ],
    ["R3", "", "", "BADGE", "30/02/2024", "2024-06-01 10:00", "1/7/2024 9:05", "abc", "OTHER", ""],
    ["R4", "KX70ABC", "0800-00-00", "WMP-00001-Z", "05/11/2023", "2023-11-05T00:15:00-05:30", "", "-3", "OWNS", "x"],
]

SOURCE = """\
id: https://example.org/source/expr
name: expr_source
prefixes:
  linkml: https://w3id.org/linkml/
  ex: https://example.org/source/expr/
default_prefix: ex
default_range: string
imports:
  - linkml:types
  - context
classes:
  Row:
    mixins: [RowContext]
    slots: [rec_id, reg, phone, badge, occurred, stamp, local, amount, kind, note]
slots:
  rec_id: {identifier: true, required: true}
  reg: {}
  phone: {}
  badge: {}
  occurred: {}
  stamp: {}
  local: {}
  amount: {}
  kind: {}
  note: {}
"""

#: Each expression, and what it gives on the rows above (the fast path; the reference path must agree).
EXPECTED = {
    "upper(replace(reg, ' ', ''))": ["AB12CDE", "X1", None, "KX70ABC"],
    "lower(reg)": ["ab12 cde", "x1", None, "kx70abc"],
    "title(note)": ["O'Neil-Smith", "Alpha Beta  Gamma", None, "X"],
    "strip(note, 'x')": ["o'neil-smith", "alpha beta  gamma", None, ""],
    "rstrip(badge, 'XZ')": ["GMP-01234-", "MET-7-A", "BADGE", "WMP-00001-"],
    "lstrip(badge, 'GMW')": ["P-01234-X", "ET-7-A", "BADGE", "P-00001-Z"],
    "regex_replace(phone, '[^0-9+]', '')": ["01615550199", "+447700900123", None, "08000000"],
    "regex_extract(badge, '-([0-9]+)-', 1)": ["01234", "7", None, "00001"],
    "regex_extract(badge, '[A-Z]+')": ["GMP", "MET", "BADGE", "WMP"],
    "regex_replace(badge, '^([A-Z]+)-0*([0-9]+)-.*$', '\\\\2@\\\\1')": ["1234@GMP", "7@MET", "BADGE", "1@WMP"],
    "zfill(regex_extract(badge, '-([0-9]+)-', 1), 6)": ["001234", "000007", None, "000001"],
    "pad_left(kind, 6, '.')": ["..OWNS", ".DROVE", ".OTHER", "..OWNS"],
    "pad_right(kind, 6, '_')": ["OWNS__", "DROVE_", "OTHER_", "OWNS__"],
    "badge[0:3]": ["GMP", "MET", "BAD", "WMP"],
    "badge[-1:]": ["X", "A", "E", "Z"],
    "substr(badge, 4, 9)": ["01234", "7-A", "E", "00001"],
    "split(badge, '-')[1] if contains(badge, '-') else None": ["01234", "7", None, "00001"],
    "join('/', split(note))": ["o'neil-smith", "alpha/beta/gamma", None, "x"],
    "first(split(badge, '-'))": ["GMP", "MET", "BADGE", "WMP"],
    "last(split(badge, '-'))": ["X", "A", "BADGE", "Z"],
    "str(len(split(badge, '-')))": ["3", "3", "1", "3"],
    "str(strlen(badge))": ["11", "7", "5", "11"],
    "str(int(amount)) if regex_match(amount, '^-?[0-9]+$') else None": [None, "7", None, "-3"],
    "coalesce(reg, phone, 'none')": ["ab12 cde", "x1", "none", "KX70ABC"],
    "case((kind == 'OWNS', 'owner'), (kind == 'DROVE', 'driver'))": ["owner", "driver", None, "owner"],
    "parse_date(occurred, '%d/%m/%Y')": ["2024-01-31", None, None, "2023-11-05"],
    "parse_date(occurred, '%d/%m/%y')": [None, "2024-02-01", None, None],
    "format_date(parse_date(occurred, '%d/%m/%Y'), '%Y-%m')": ["2024-01", None, None, "2023-11"],
    "format_date(stamp, '%d %b %Y %H:%M')": ["31 Jan 2024 23:30", "01 Jun 2024 10:00", None, "05 Nov 2023 00:15"],
    "format_date(parse_date(occurred, '%d/%m/%Y'), '%B %j %I%p')": [
        "January 031 12AM",
        None,
        None,
        "November 309 12AM",
    ],
    "parse_datetime(stamp, '%Y-%m-%dT%H:%M:%S%z')": [
        "2024-01-31T22:30:00Z",
        "2024-06-01T10:00:00Z",
        None,
        "2023-11-05T05:45:00Z",
    ],
    "parse_datetime(local, '%d/%m/%Y %H:%M', 'Europe/London')": [
        None,  # the clocks went forward over 01:30
        "2024-10-27T00:30:00Z",  # 01:30 came twice: the earlier, in summer time
        "2024-07-01T08:05:00Z",
        None,
    ],
    "parse_datetime(local, '%d/%m/%Y %H:%M')": [
        "2024-03-31T01:30:00",
        "2024-10-27T01:30:00",
        "2024-07-01T09:05:00",
        None,
    ],
}

#: Each condition, and which rows it holds for.
CONDITIONS = {
    "kind in ('OWNS', 'DROVE')": [True, True, False, True],
    "kind not in ['OWNS']": [False, True, True, False],
    "reg not in ['x']": [True, True, False, True],  # a missing value is in nothing and not in nothing
    "not (reg in ['x'])": [True, True, True, True],
    "amount > 10": [True, False, False, False],
    "amount <= 7": [False, True, False, True],
    "not amount >= 0": [False, False, True, True],  # 'abc' is no number: the comparison is false
    "-5 < amount < 10.5": [False, True, False, True],
    "regex_match(amount, '^-?[0-9.]+$') and float(amount) >= -3.0": [True, True, False, True],
    "regex_match(amount, '^-?[0-9]+$') and int(amount) == 7": [False, True, False, False],
    "strlen(badge) > 7": [True, False, False, True],
    "regex_match(reg, '^[A-Z]{2}[0-9]{2}')": [False, False, False, True],
    "startswith(badge, 'GMP') or endswith(badge, 'Z')": [True, False, False, True],
    "contains(phone, '555') and not contains(phone, '+')": [True, False, False, False],
    "reg and phone": [True, True, False, True],
}


#: Where linkml-map 0.5.4 stops the run with an error (int() or float() of text that is no number, an index
#: past the end of a list), the fast path gives a missing value.
FAST_ONLY = {
    "str(int(amount))": [None, "7", None, "-3"],
    "split(badge, '-')[1]": ["01234", "7", None, "00001"],
    "split(badge, '-')[-3]": ["GMP", "MET", None, "WMP"],
    "'yes' if float(amount) > 0 else 'no'": ["yes", "yes", "no", "no"],
}


def _frame() -> pl.DataFrame:
    header, *rows = ROWS
    frame = pl.DataFrame([dict(zip(header, row, strict=True)) for row in rows])
    stripped = [pl.col(c).str.strip_chars() for c in header]
    return frame.with_columns([pl.when(c != "").then(c).alias(c.meta.output_name()) for c in stripped])


@pytest.mark.parametrize("expression", sorted(EXPECTED))
def test_each_function_gives_its_values(expression: str) -> None:
    frame = _frame()
    got = frame.select(compile_expression(expression, set(frame.columns))).to_series().to_list()
    assert got == EXPECTED[expression]


@pytest.mark.parametrize("expression", sorted(FAST_ONLY))
def test_what_linkml_map_stops_on_is_missing_on_the_fast_path(expression: str) -> None:
    frame = _frame()
    got = frame.select(compile_expression(expression, set(frame.columns))).to_series().to_list()
    assert got == FAST_ONLY[expression]


@pytest.mark.parametrize("condition", sorted(CONDITIONS))
def test_each_condition_holds_where_expected(condition: str) -> None:
    frame = _frame()
    expression = compile_expression(f"'yes' if {condition} else 'no'", set(frame.columns))
    got = frame.select(expression).to_series().to_list()
    assert got == ["yes" if held else "no" for held in CONDITIONS[condition]]


def _folder(tmp_path: Path, derivations: str) -> tuple[Path, Path]:
    folder = tmp_path / "maps"
    folder.mkdir()
    shutil.copy(mappings_dir() / "context.yaml", folder / "context.yaml")
    (folder / "expr.source.yaml").write_text(SOURCE, encoding="utf-8")
    transform = folder / "expr.transform.yaml"
    transform.write_text(
        "id: https://example.org/mappings/expr\ntitle: expressions\nversion: 0.1.0\n"
        "source_schema: expr.source.yaml\ntarget_schema: policeonto\npoliceonto:\n  row_class: Row\n"
        f"class_derivations:\n{derivations}",
        encoding="utf-8",
    )
    data = tmp_path / "export.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(ROWS)
    return transform, data


def _labelled(expressions: list[str]) -> str:
    """One Vehicle derivation per expression, its label the expression's value: one class derived many times."""
    items = []
    for number, expression in enumerate(expressions):
        quoted = expression.replace("\\", "\\\\").replace('"', '\\"')
        items.append(
            f"  - Vehicle:\n      populated_from: Row\n      slot_derivations:\n"
            f"        id: {{expr: \"base + 'v/' + rec_id + '/{number}'\"}}\n"
            f'        label: {{expr: "{quoted}"}}\n'
        )
    return "".join(items)


def _both(transform: Path, data: Path) -> tuple[Graph, Graph, set[int]]:
    from policeonto.mapping.reference import reference_graph

    sink = io.BytesIO()
    result = map_files([data], sink, mapping=str(transform))
    assert result.rows_read == result.rows_mapped + result.rows_rejected
    fast = Graph().parse(data=sink.getvalue().decode("utf-8"), format="nt")
    run = str(next(iter(set(fast.objects(None, POLE.generated_by))), "urn:run"))
    mapping = load_mapping(transform)
    context = file_context(inspect(data), mapping, base=MapOptions().base, force=None, run=run)
    reference, mapped = reference_graph(data, context=context, mapping=mapping)
    rows = Graph()
    for s, p, o in fast:
        if "/dataset/" not in str(s) and "/run/" not in str(s):
            rows.add((s, p, o))
    return rows, reference, mapped


def _assert_same(fast: Graph, reference: Graph) -> None:
    if not isomorphic(fast, reference):
        _, only_fast, only_reference = graph_diff(to_isomorphic(fast), to_isomorphic(reference))
        pytest.fail(f"only fast: {sorted(only_fast)[:5]}\nonly reference: {sorted(only_reference)[:5]}")


def test_the_reference_path_computes_the_same_values(tmp_path: Path) -> None:
    """linkml-map's evaluator, with policeonto's functions written again in plain Python, gives every value
    the fast path gives, on a real CSV file mapped through a mapping folder of its own."""
    pytest.importorskip("linkml_map")
    expressions = sorted(EXPECTED) + [f"'yes' if {c} else 'no'" for c in sorted(CONDITIONS)]
    transform, data = _folder(tmp_path, _labelled(expressions))
    fast, reference, mapped = _both(transform, data)
    assert mapped == {1, 2, 3, 4}
    _assert_same(fast, reference)
    for number, expression in enumerate(expressions):  # and both are the values above
        want = EXPECTED.get(expression) or [
            "yes" if held else "no"
            for held in CONDITIONS[expression.removeprefix("'yes' if ").removesuffix(" else 'no'")]
        ]
        for row, value in zip(("R1", "R2", "R3", "R4"), want, strict=True):
            labels = list(fast.objects(URIRef(f"{BASE}v/{row}/{number}"), POLE.label))
            assert labels == ([] if value is None else [Literal(value)]), (expression, row)


TWICE = """\
  - PersonInvolvement:
      populated_from: Row
      slot_derivations:
        id: {expr: "(base + 'link/' + rec_id) if kind == 'OWNS' else None"}
        person: {expr: "base + 'person/' + rec_id"}
        event: {expr: "base + 'event/' + rec_id"}
        involvement_role: {value: victim}
        source_record_id: {populated_from: rec_id}
  - Vehicle:
      populated_from: Row
      slot_derivations:
        id: {expr: "(base + 'vehicle/' + upper(replace(reg, ' ', ''))) if reg else None"}
        label: {expr: "upper(replace(reg, ' ', ''))"}
  - name: PersonInvolvement
    populated_from: Row
    slot_derivations:
      id: {expr: "(base + 'link/' + rec_id) if kind in ('DROVE', 'RODE') else None"}
      person: {expr: "base + 'person/' + rec_id"}
      event: {expr: "base + 'event/' + rec_id"}
      involvement_role: {value: suspect}
      source_record_id: {expr: "rec_id + '-driver'"}
"""


def test_one_class_is_derived_twice_each_with_its_own_condition(tmp_path: Path) -> None:
    """Two relationship types make PersonInvolvement: each derivation's id is None where its condition fails."""
    transform, data = _folder(tmp_path, TWICE)
    assert [target for target, _ in load_mapping(transform).derivations] == [
        "PersonInvolvement",
        "Vehicle",
        "PersonInvolvement",
    ]
    fast, reference, _ = _both(transform, data)
    records = {
        str(s).removeprefix(BASE): str(o) for s, o in fast.subject_objects(POLE.source_record_id) if "/link/" in str(s)
    }
    assert records == {"link/R1": "R1", "link/R2": "R2-driver", "link/R4": "R4"}
    vehicles = sorted(str(s).removeprefix(BASE) for s in fast.subjects(POLE.label, None))
    assert vehicles == ["vehicle/AB12CDE", "vehicle/KX70ABC", "vehicle/X1"]
    _assert_same(fast, reference)


def test_the_dict_form_still_names_each_class_once(tmp_path: Path) -> None:
    transform, _ = _folder(
        tmp_path,
        "  Vehicle:\n    populated_from: Row\n    slot_derivations:\n      id: {expr: \"base + 'v/' + rec_id\"}\n",
    )
    assert [target for target, _ in load_mapping(transform).derivations] == ["Vehicle"]


REFUSED = {
    "upper(reg).strip()": "not allowed in a mapping expression",
    "getattr(reg, 'x')": "getattr() is not a function of mapping expressions",
    "upper(reg, 'x')": "upper() takes 1 argument",
    "reg < 'b'": "<, <=, >, >= compare numbers: one side must be a number (x < 5, float(x) < float(y))",
    "reg == 5": "compares text with a whole number",
    "reg in reg": "in takes a list or tuple of text literals: x in ('A', 'B')",
    "reg in ('a', 1)": "in takes a list or tuple of text literals: x in ('A', 'B')",
    "reg[0]": "slice text (x[1:4]) or index a list (split(x, '-')[1])",
    "reg[::-1]": "a slice takes no step",
    "reg[a:3]": "a slice bound must be a whole number literal",
    "zfill(reg, 100000)": "zfill()'s width must be from 0 to 255",
    "pad_left(reg, 5, 'ab')": "pad_left()'s fill must be one character",
    "replace(reg, '', 'x')": "replace() needs text to find",
    "replace(reg, phone, 'x')": "replace()'s text to find must be a text literal",
    "regex_match(reg, badge)": "regex_match()'s pattern must be a text literal",
    "split(reg, '')": "split() needs a separator that is not empty",
    "strlen(reg)": "gives a whole number, not text",
    "split(reg, '-')": "gives a list, not text",
    "'a' if strlen(reg) else 'b'": "a whole number is not a condition: compare it",
    "str(float(reg))": "str() takes text or a whole number, not a number",
    "case(reg)": "case() takes (condition, value) pairs",
    "upper(reg=reg)": "upper() takes its arguments by position, not by name",
    "True": "True and False are conditions only",
}


@pytest.mark.parametrize("expression", sorted(REFUSED))
def test_unsafe_or_meaningless_forms_are_refused_with_a_reason(expression: str) -> None:
    with pytest.raises(MappingSpecError) as caught:
        compile_expression(expression, {"reg", "phone", "badge"})
    assert str(caught.value).startswith(f"expression {expression!r}: {REFUSED[expression]} (")


PATTERNS = {
    "regex_match(reg, '(?<=a)b')": "look-around, including look-ahead and look-behind, is not supported",
    "regex_match(reg, '[[:alpha:]]')": "Python's re cannot read it alike (Possible nested set at position 1)",
    "regex_match(reg, '\\\\pL')": "Python's re cannot read it alike (bad escape \\p at position 0)",
    "regex_replace(reg, '(a)', '\\\\2')": "replacement '\\\\2' names group 2, which the pattern lacks (it has 1)",
    "regex_replace(reg, '(a)', '\\\\n')": "a backslash must start \\1 to \\9, \\g<name> or \\\\",
    "regex_extract(reg, '(a)', 2)": "regex_extract()'s group must be from 0 to 1",
    "parse_date(reg, '%d/%m')": "has none of %Y %y",
    "parse_date(reg, '%d/%m/%Y %Q')": "%Q is not one of",
    "parse_date(reg, '%d/%d/%Y')": "gives %d twice",
    "parse_datetime(reg, '%d/%m/%Y')": "has none of %H %I",
    "parse_datetime(reg, '%d/%m/%Y %H:%M', 'Mars/Olympus')": "'Mars/Olympus' is not a time zone name",
    "parse_datetime(reg, '%d/%m/%Y %H:%M%z', 'Europe/London')": "gives the offset (%z): no zone name as well",
    "format_date(reg, '%A')": "%A is not one of",
}


@pytest.mark.parametrize("expression", sorted(PATTERNS))
def test_patterns_and_formats_are_checked_when_the_mapping_loads(expression: str) -> None:
    with pytest.raises(MappingSpecError) as caught:
        compile_expression(expression, {"reg"})
    assert PATTERNS[expression] in str(caught.value)


def test_a_class_derived_twice_validates_as_pyshacl_does_naming_the_columns_of_both(tmp_path: Path) -> None:
    """The fast engine gives pySHACL's results on what two derivations of one class make, and a finding on a
    slot the two fill from different columns names both columns."""
    from policeonto.fastshacl.report import report_keys
    from policeonto.validation import validate

    twice = TWICE.replace(
        "person: {expr: \"base + 'person/' + rec_id\"}\n      event",
        "person: {expr: \"base + 'person/' + badge\"}\n      event",
    )
    assert twice != TWICE
    transform, data = _folder(tmp_path, twice)
    fast = validate([data], mapping=str(transform))
    reference = validate([data], mapping=str(transform), engine="pyshacl")
    assert report_keys(fast.shacl_report()) == report_keys(reference.shacl_report())
    on_person = {(f.row, f.column) for f in fast.findings if f.column and "badge" in f.column}
    assert on_person == {(1, "rec_id, badge"), (2, "rec_id, badge"), (4, "rec_id, badge")}
