"""Violations as a SHACL ``sh:ValidationReport``, and both as comparable result keys.

A result key is (focus node, path, value, constraint component, severity) with terms as N-Triples strings
and an inverse path as ``^`` before its IRI; the differential and conformance tests compare sets of them.
"""

from __future__ import annotations

import polars as pl
from rdflib import RDF, BNode, Graph, Literal, Node, URIRef
from rdflib.namespace import SH

from policeonto.terms import node, term

__all__ = ["ResultKey", "report_graph", "report_keys", "result_keys"]

ResultKey = tuple[str, str | None, str | None, str, str]


def result_keys(violations: pl.DataFrame) -> set[ResultKey]:
    """The result keys of an engine's violations frame."""
    return {
        (focus, path, value, f"{SH}{component}ConstraintComponent", severity)
        for focus, path, value, component, severity in violations.select(
            "focus", "path", "value", "component", "severity"
        ).iter_rows()
    }


def _path_text(report: Graph, path: Node | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    inverse = report.value(path, SH.inversePath)
    return f"^{inverse}" if inverse is not None else f"complex:{path}"


def report_keys(report: Graph, *, top_level_only: bool = True) -> set[ResultKey]:
    """The result keys of an ``sh:ValidationReport`` graph (nested ``sh:detail`` results left out)."""
    nested = set(report.objects(None, SH.detail)) if top_level_only else set()
    keys = set()
    for result in set(report.subjects(SH.sourceConstraintComponent, None)) - nested:
        value = report.value(result, SH.value)
        keys.add(
            (
                term(report.value(result, SH.focusNode)),
                _path_text(report, report.value(result, SH.resultPath)),
                None if value is None else term(value),
                str(report.value(result, SH.sourceConstraintComponent)),
                str(report.value(result, SH.resultSeverity) or SH.Violation),
            )
        )
    return keys


def report_graph(violations: pl.DataFrame) -> Graph:
    """The violations as an ``sh:ValidationReport``."""
    graph = Graph(bind_namespaces="none")
    graph.bind("sh", SH)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(violations.is_empty())))
    for focus, path, value, component, shape, severity, message in violations.iter_rows():
        result = BNode()
        graph.add((report, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.focusNode, node(focus)))
        if path is not None:
            if path.startswith("^"):
                inverse = BNode()
                graph.add((inverse, SH.inversePath, URIRef(path[1:])))
                graph.add((result, SH.resultPath, inverse))
            else:
                graph.add((result, SH.resultPath, URIRef(path)))
        if value is not None:
            graph.add((result, SH.value, node(value)))
        graph.add((result, SH.sourceConstraintComponent, SH[f"{component}ConstraintComponent"]))
        graph.add((result, SH.sourceShape, node(shape)))
        graph.add((result, SH.resultSeverity, URIRef(severity)))
        if message:
            graph.add((result, SH.resultMessage, Literal(message)))
    return graph
