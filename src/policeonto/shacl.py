"""The project's SHACL shapes and the pySHACL reference engine, shared by conversion and validation."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import pyshacl
from rdflib import Graph, Node
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result

from policeonto.vocab import ARTEFACTS, SH, artefact_path

__all__ = ["run_pyshacl", "shapes_graph"]


def shapes_graph() -> Graph:
    """The project's SHACL shapes."""
    return Graph().parse(artefact_path(ARTEFACTS["shacl"]), format="turtle")


@lru_cache(maxsize=256)
def _prepared(text: str, namespaces: tuple[tuple[str, str], ...]) -> Query:
    """*text* parsed and translated as rdflib's processor does for a query string."""
    return translateQuery(parseQuery(text), None, dict(namespaces))


class _QueriesParsedOnce(Graph):
    """A view of a graph (its store) that parses each SPARQL query text once.

    pySHACL queries the text of a SHACL-SPARQL constraint again for every focus node, and rdflib parses it
    every time: 15 ms for a short query, 200 ms for a check digit's arithmetic, which over Force A's and
    Force B's 476 identifiers and five checks made pySHACL 16 times slower. The query is translated as
    rdflib translates a query string (with the same namespaces) and evaluated with the same bindings.
    """

    def query(  # type: ignore[override]
        self,
        query_object: str | Query,
        processor: str = "sparql",
        result: str = "sparql",
        initNs: Mapping[str, Any] | None = None,
        initBindings: Mapping[str, Node] | None = None,
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Result:
        namespaces = initNs or dict(self.namespaces())
        if isinstance(query_object, str):
            query_object = _prepared(query_object, tuple(sorted((p, str(n)) for p, n in namespaces.items())))
        return super().query(
            query_object, processor, result, namespaces, initBindings, use_store_provided, **kwargs
        )  # fmt: skip


def run_pyshacl(graph: Graph, shapes: Graph | None = None) -> tuple[bool, Graph, list[Node]]:
    """Validate *graph* with pySHACL.

    Returns:
        Whether it conforms, the ``sh:ValidationReport`` graph, and its top-level results (not those nested
        under ``sh:detail``), sorted.
    """
    data = _QueriesParsedOnce(store=graph.store, identifier=graph.identifier, namespace_manager=graph.namespace_manager)
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes or shapes_graph(), allow_warnings=True, do_owl_imports=False
    )
    nested = set(report.objects(None, SH.detail))
    results = sorted(set(report.subjects(SH.sourceConstraintComponent, None)) - nested, key=str)
    return bool(conforms), report, results
