"""Fixtures that state their own results, judged by both engines.

An invalid fixture under ``tests/data/invalid/`` states each SHACL result it must produce on a line of its own:
``# expect: FOCUS PATH COMPONENT``, where FOCUS is the focus node's IRI (``_`` for a blank node), PATH the
result path with ``pole:`` for the vocabulary (``-`` for none) and COMPONENT the constraint component's local
name (``PatternConstraintComponent``). The fast engine must give exactly pySHACL's results, and both exactly
the stated ones.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from policeonto.fastshacl import TripleTable, evaluate
from policeonto.fastshacl.report import report_keys, result_keys
from policeonto.shacl import run_pyshacl
from policeonto.validation.fast import project_shapes

POLE = "https://w3id.org/policeonto/"
SH = "http://www.w3.org/ns/shacl#"

Stated = set[tuple[str, str, str]]


def fast_results(graph: Graph) -> set:
    """The fast engine's results on *graph*, as comparable keys (the same on the dictionary-encoded table)."""
    table = TripleTable.from_graph(graph)
    found = result_keys(evaluate(project_shapes(), table))
    assert result_keys(evaluate(project_shapes(), table.encoded())) == found
    return found


def both_engines(graph: Graph, shapes: Graph) -> set:
    """The fast engine's results on *graph*, checked to be exactly pySHACL's."""
    fast = fast_results(graph)
    _, report, _ = run_pyshacl(graph, shapes)
    assert fast == report_keys(report)
    return fast


def as_stated(results: set) -> Stated:
    """*results* in the form a fixture states them: (focus, path, component)."""
    return {
        ("_" if focus.startswith("_:") else focus.strip("<>"), path or "", component)
        for focus, path, _value, component, _severity in results
    }


def stated(path: Path) -> Stated:
    """The results the fixture at *path* states on its ``# expect:`` lines."""
    expected = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:"):
            focus, result_path, component = line.removeprefix("# expect:").split()
            result_path = "" if result_path == "-" else result_path.replace("pole:", POLE)
            expected.add((focus.strip("<>"), result_path, SH + component))
    return expected


def check_stated(path: Path, shapes: Graph) -> None:
    """Assert that both engines give exactly the results the Turtle fixture at *path* states."""
    assert as_stated(both_engines(Graph().parse(path, format="turtle"), shapes)) == stated(path)
