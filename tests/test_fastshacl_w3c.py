"""The W3C SHACL test suite against the fast engine: every test whose shapes it supports must pass; the
others must be refused with :class:`UnsupportedShapes` (and are handed to pySHACL in use)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace
from rdflib.namespace import SH

from policeonto.fastshacl import TripleTable, UnsupportedShapes, compile_shapes, evaluate
from policeonto.fastshacl.report import ResultKey, report_keys, result_keys
from policeonto.validation.rdf_input import raw_literals
from tests.conftest import SHACL_SUITE

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
# What the fast engine hands to pySHACL, by test: the features its shapes use that it does not evaluate.
HANDED_OVER = {
    "core/complex/shacl-shacl.ttl",
    "core/node/qualified-001.ttl",
    "core/path/path-alternative-001.ttl",
    "core/path/path-complex-001.ttl",
    "core/path/path-complex-002.ttl",
    "core/path/path-oneOrMore-001.ttl",
    "core/path/path-sequence-001.ttl",
    "core/path/path-sequence-002.ttl",
    "core/path/path-sequence-duplicate-001.ttl",
    "core/path/path-strange-001.ttl",
    "core/path/path-strange-002.ttl",
    "core/path/path-zeroOrMore-001.ttl",
    "core/path/path-zeroOrOne-001.ttl",
    "core/property/qualifiedMinCountDisjoint-001.ttl",
    "core/property/qualifiedValueShape-001.ttl",
    "core/property/qualifiedValueShapesDisjoint-001.ttl",
    "sparql/component/nodeValidator-001.ttl",
    "sparql/component/optional-001.ttl",
    "sparql/component/propertyValidator-select-001.ttl",
    "sparql/component/validator-001.ttl",
    "sparql/pre-binding/shapesGraph-001.ttl",
}


def _tests() -> list[Path]:
    files = sorted(SHACL_SUITE.glob("*/*/*.ttl"))
    return [f for f in files if f.name != "manifest.ttl" and "sht:Validate" in f.read_text(encoding="utf-8")]


def _anonymous(keys: set[ResultKey]) -> set[ResultKey]:
    """Blank nodes compared by position only: the suite's results name them by structure, not label."""
    return {tuple("_:" if isinstance(k, str) and k.startswith("_:") else k for k in key) for key in keys}


def _case(path: Path) -> tuple[Graph, Graph, bool | None, set[ResultKey]]:
    """Data graph, shapes graph, whether it conforms (None where validation must fail), expected results."""
    with raw_literals():
        manifest = Graph().parse(path, format="turtle")
    test = next(manifest.subjects(RDF.type, SHT.Validate))
    action = manifest.value(test, MF.action)
    graphs = []
    for which in (SHT.dataGraph, SHT.shapesGraph):
        source = manifest.value(action, which)
        if str(source) == path.as_uri():
            graphs.append(manifest)
        else:
            with raw_literals():
                graphs.append(Graph().parse(str(source), format="turtle"))
    expected = manifest.value(test, MF.result)
    if expected == SHT.Failure:
        return graphs[0], graphs[1], None, set()
    conforms = manifest.value(expected, SH.conforms).toPython()
    results = set(manifest.objects(expected, SH.result))
    return graphs[0], graphs[1], conforms, report_keys(_only(manifest, results))


def _only(report: Graph, results: set) -> Graph:
    """The sub-graph describing *results* (with their inverse-path nodes)."""
    out = Graph()
    for result in results:
        for p, o in report.predicate_objects(result):
            out.add((result, p, o))
            for p2, o2 in report.predicate_objects(o):
                out.add((o, p2, o2))
    return out


@pytest.mark.parametrize("encoded", [False, True], ids=["terms", "codes"])
@pytest.mark.parametrize("path", _tests(), ids=lambda p: str(p.relative_to(SHACL_SUITE)))
def test_w3c_suite(path: Path, encoded: bool) -> None:
    """Every supported test gives the suite's results, on a table of terms and on one dictionary-encoded."""
    data, shapes_graph, conforms, expected = _case(path)
    name = str(path.relative_to(SHACL_SUITE))
    if name in HANDED_OVER or conforms is None:
        with pytest.raises(UnsupportedShapes):
            compile_shapes(shapes_graph)
        return
    shapes = compile_shapes(shapes_graph)
    table = TripleTable.from_graph(data)
    violations = evaluate(shapes, table.encoded() if encoded else table)
    assert violations.is_empty() == conforms
    assert _anonymous(result_keys(violations)) == _anonymous(expected)


def test_suite_is_there() -> None:
    assert len(_tests()) > 100
