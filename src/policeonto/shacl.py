"""The project's SHACL shapes and the pySHACL reference engine, shared by conversion and validation."""

from __future__ import annotations

import pyshacl
from rdflib import Graph, Node

from policeonto.vocab import ARTEFACTS, SH, artefact_path

__all__ = ["run_pyshacl", "shapes_graph"]


def shapes_graph() -> Graph:
    """The project's SHACL shapes."""
    return Graph().parse(artefact_path(ARTEFACTS["shacl"]), format="turtle")


def run_pyshacl(graph: Graph, shapes: Graph | None = None) -> tuple[bool, Graph, list[Node]]:
    """Validate *graph* with pySHACL.

    Returns:
        Whether it conforms, the ``sh:ValidationReport`` graph, and its top-level results (not those nested
        under ``sh:detail``), sorted.
    """
    conforms, report, _ = pyshacl.validate(
        graph, shacl_graph=shapes or shapes_graph(), allow_warnings=True, do_owl_imports=False
    )
    nested = set(report.objects(None, SH.detail))
    results = sorted(set(report.subjects(SH.sourceConstraintComponent, None)) - nested, key=str)
    return bool(conforms), report, results
