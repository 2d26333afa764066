"""Identifier schemes and their rules: each scheme's format (a LinkML rule, core SHACL) and, where the scheme
publishes one, its check digit or letter (SHACL-SPARQL), against pySHACL and the fast engine alike.

The fixtures are ``tests/data/valid/identifiers.ttl`` (every scheme, in its format, with right check
digits) and ``tests/data/invalid/identifier-<scheme>.ttl`` (wrong formats, wrong check digits, prefixes
not allocated), whose ``# expect:`` lines give each result's focus node, path and component. A format
result's value is the identifier node; a check's is the notation, which its message names.
"""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from policeonto.build.check_digits import CHECKS, check_query
from policeonto.fastshacl import TripleTable, evaluate
from policeonto.fastshacl.report import report_keys, result_keys
from policeonto.shacl import run_pyshacl
from policeonto.terms import term
from policeonto.validation import validate
from policeonto.validation.fast import project_shapes
from tests.conftest import DATA, ROOT
from tests.test_conformance import _expected

POLE = "https://w3id.org/policeonto/"
SCHEME = POLE + "code/identifier-scheme/"
NOTATION = URIRef(POLE + "notation")
VIOLATION = str(SH.Violation)
SCHEMES = ["pnc-id", "cro-number", "nhs-number", "national-insurance-number", "passport-number",
           "driving-licence-number", "imei", "custody-record-number", "collar-number"]  # fmt: skip
INVALID = [DATA / "invalid" / f"identifier-{scheme}.ttl" for scheme in SCHEMES]


def _both(graph: Graph, shapes: Graph) -> tuple[set, set, list[str], list[str]]:
    """The result keys of the fast engine and of pySHACL, and the messages of each."""
    fast = evaluate(project_shapes(), TripleTable.from_graph(graph))
    _, report, _ = run_pyshacl(graph, shapes)
    messages = [str(m) for m in report.objects(None, SH.resultMessage)]
    return result_keys(fast), report_keys(report), fast["message"].to_list(), messages


def _keys(path: Path, graph: Graph) -> set[tuple]:
    """The exact result keys a fixture's ``# expect:`` lines give: a check's value is the notation."""
    keys = set()
    for focus, result_path, component in _expected(path):
        node = URIRef(focus)
        check = component.endswith("SPARQLConstraintComponent")
        value = term(graph.value(node, NOTATION)) if check else term(node)
        keys.add((term(node), result_path or None, value, component, VIOLATION))
    return keys


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_each_scheme_gives_exactly_the_stated_results_in_both_engines(path: Path, shapes: Graph) -> None:
    graph = Graph().parse(path, format="turtle")
    fast, reference, fast_messages, reference_messages = _both(graph, shapes)
    assert fast == reference == _keys(path, graph)
    for _, _, value, component, _ in fast:
        if component.endswith("SPARQLConstraintComponent"):
            notation = value.split('"')[1]
            assert sum(notation in m for m in fast_messages) == 1
            assert sum(notation in m for m in reference_messages) == 1


def test_every_scheme_in_its_format_with_right_check_digits_conforms(shapes: Graph) -> None:
    graph = Graph().parse(DATA / "valid" / "identifiers.ttl", format="turtle")
    schemes = {str(o).removeprefix(SCHEME) for o in graph.objects(None, URIRef(POLE + "scheme"))}
    assert schemes == set(SCHEMES)
    fast, reference, _, _ = _both(graph, shapes)
    assert fast == reference == set()


def test_a_check_digit_finding_names_value_path_and_message() -> None:
    path = DATA / "invalid" / "identifier-nhs-number.ttl"
    report = validate([path])
    checks = sorted((f.code, f.focus_node, f.path, f.value) for f in report.findings if f.code == "shape-sparql")
    assert checks == [
        ("shape-sparql", "https://example.org/nhs-number-check-would-be-10", str(NOTATION), "1000000010"),
        ("shape-sparql", "https://example.org/nhs-number-wrong-check", str(NOTATION), "9434765918"),
    ]
    messages = {f.value: f.message for f in report.findings if f.code == "shape-sparql"}
    assert messages["9434765918"] == "NHS number 9434765918 fails its modulus 11 check digit"


def _nhs(number: str) -> bool:
    """The NHS Data Dictionary's steps: weights 10 to 2, 11 minus the remainder, 11 is 0, 10 is invalid."""
    check = 11 - sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1), strict=True)) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(number[9])


def _luhn(number: str) -> bool:
    total = 0
    for position, digit in enumerate(number, start=1):
        d = int(digit) * (2 if position % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"


def _pnc(notation: str) -> bool:
    year, rest = notation.split("/")
    return _LETTERS[int(year[-2:] + rest[:-1].zfill(7)) % 23] == notation[-1]


def _cro(notation: str) -> bool:
    serial, rest = notation.split("/")
    return _LETTERS[int(rest[:2] + serial.zfill(6)) % 23] == notation[-1]


def _samples(rng: random.Random) -> dict[str, tuple[str, list[str], object]]:
    """check -> (scheme, notations in the scheme's format, the published algorithm in Python)."""
    digits = lambda n: "".join(rng.choice("0123456789") for _ in range(n))  # noqa: E731
    letters = "ABCDEFGHJKLMNPQRTUVWXYZ"
    return {
        "nhs-modulus-11": ("nhs-number", [digits(10) for _ in range(300)], _nhs),
        "imei-luhn": ("imei", [digits(15) for _ in range(300)], _luhn),
        "pnc-check-letter": (
            "pnc-id",
            [f"{digits(rng.choice((2, 4)))}/{digits(rng.randint(1, 7))}{rng.choice(letters)}" for _ in range(300)],
            _pnc,
        ),
        "cro-check-letter": (
            "cro-number",
            [f"{digits(rng.randint(1, 6))}/{digits(2)}{rng.choice(letters)}" for _ in range(300)],
            _cro,
        ),
    }


@pytest.mark.parametrize("name", ["nhs-modulus-11", "imei-luhn", "pnc-check-letter", "cro-check-letter"])
def test_check_queries_agree_with_the_published_algorithm_in_rdflib_and_oxigraph(name: str) -> None:
    """Each check's SPARQL, run by rdflib (pySHACL's engine) and by Oxigraph (the fast engine's), fails
    exactly the notations the algorithm written in Python fails, over random notations in the format."""
    scheme, notations, algorithm = _samples(random.Random(name))[name]
    query = check_query(
        CHECKS[name], scheme=URIRef(SCHEME + scheme), scheme_path=URIRef(POLE + "scheme"), notation=NOTATION,
        pattern="^[0-9/A-Z]+$",
    ).replace("$this", "?this")  # fmt: skip
    graph = Graph()
    for i, notation in enumerate(notations):
        node = URIRef(f"https://example.org/id-{i}")
        graph.add((node, URIRef(POLE + "scheme"), URIRef(SCHEME + scheme)))
        graph.add((node, NOTATION, Literal(notation)))
    store = ox.Store()
    store.bulk_load(graph.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
    by_rdflib = {str(row.value) for row in graph.query(query)}
    by_oxigraph = {solution["value"].value for solution in store.query(query)}
    expected = {n for n in notations if not algorithm(n)}
    assert 0 < len(expected) < len(notations)
    assert by_rdflib == by_oxigraph == expected


def test_ni_number_prefixes_not_allocated_are_found_and_the_rest_pass() -> None:
    query = check_query(
        CHECKS["ni-number-prefix"], scheme=URIRef(SCHEME + "national-insurance-number"),
        scheme_path=URIRef(POLE + "scheme"), notation=NOTATION, pattern="^[A-Z]{2}[0-9]{6}[A-D]$",
    ).replace("$this", "?this")  # fmt: skip
    notations = [f"{a}{b}123456A" for a in "ABGKNTZ" for b in "ABGKNTZ"]
    graph = Graph()
    for i, notation in enumerate(notations):
        node = URIRef(f"https://example.org/id-{i}")
        graph.add((node, URIRef(POLE + "scheme"), URIRef(SCHEME + "national-insurance-number")))
        graph.add((node, NOTATION, Literal(notation)))
    found = {str(row.value)[:2] for row in graph.query(query)}
    assert found == {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def test_the_reference_engine_parsing_each_query_once_reports_what_pyshacl_reports_alone(shapes: Graph) -> None:
    """run_pyshacl hands pySHACL a graph that parses each SPARQL text once; the report is the same."""
    graph = Graph().parse(DATA / "invalid" / "identifier-national-insurance-number.ttl", format="turtle")
    _, alone, _ = pyshacl.validate(graph, shacl_graph=shapes, allow_warnings=True, do_owl_imports=False)
    _, report, _ = run_pyshacl(graph, shapes)
    assert report_keys(report) == report_keys(alone)
    assert {str(m) for m in report.objects(None, SH.resultMessage)} == {
        str(m) for m in alone.objects(None, SH.resultMessage)
    }


def test_a_wrong_check_letter_in_a_mapped_table_names_file_row_column_and_value(tmp_path: Path) -> None:
    """Force A's nominals with one PNC ID's check letter mistyped: one finding, at its row and column."""
    lines = (ROOT / "examples" / "force-a" / "nominals.csv").read_text(encoding="utf-8").splitlines()[:6]
    assert lines[3].split(",")[6] == "84/6182836B"
    lines[3] = lines[3].replace("84/6182836B", "84/6182836C")
    path = tmp_path / "nominals.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate([path])
    found = [(f.file, f.row, f.column, f.value, f.message) for f in report.findings if f.code.startswith("shape-")]
    assert found == [(str(path), 3, "PNC_ID", "84/6182836C", "PNC ID 84/6182836C has the wrong check letter")]
