"""The embedded store: Oxigraph (pyoxigraph) on disk, or in memory without a path."""

from __future__ import annotations

import uuid
from pathlib import Path

import pyoxigraph as ox

from policeonto.errors import StoreError
from policeonto.store.base import STAGING, RdfSyntax
from policeonto.store.results import QueryResult

__all__ = ["EmbeddedStore"]

_JOURNAL = ox.NamedNode(f"{STAGING}journal")  # graphs being loaded for the first time
_LOADING = ox.NamedNode("https://w3id.org/policeonto/loading")

_FORMATS = {
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "ttl": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


class EmbeddedStore:
    """An Oxigraph store in a directory (created if missing), or in memory when *path* is None.

    Raises:
        StoreError: the directory cannot be opened (another process holds it, say).
    """

    def __init__(self, path: Path | None = None) -> None:
        self.location = str(path) if path is not None else "memory"
        try:
            self._store = ox.Store(str(path)) if path is not None else ox.Store()
        except OSError as exc:
            raise StoreError(f"cannot open the store: {exc}", store=self.location) from exc
        # one process at a time opens a store for writing: a graph the journal names, and staging graphs, are
        # from a load that was killed; a new graph is removed whole, a replaced one was never touched
        for quad in list(self._store.quads_for_pattern(None, _LOADING, None, _JOURNAL)):
            if isinstance(quad.subject, ox.NamedNode):
                self._store.remove_graph(quad.subject)
                self._store.remove_graph(ox.NamedNode(f"{quad.subject.value}/entailed"))
        for name in list(self._store.named_graphs()):
            if isinstance(name, ox.NamedNode) and name.value.startswith(STAGING):
                self._store.remove_graph(name)

    def load(self, path: Path, *, graph: str, syntax: RdfSyntax, update: str | None = None) -> int:
        target = ox.NamedNode(graph)
        if self._store.contains_named_graph(target):
            self._replace(path, graph, syntax, update)
        else:
            self._add(path, target, syntax, update)
        self._store.flush()
        count = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(count.values("n").pop())

    def _add(self, path: Path, target: ox.NamedNode, syntax: RdfSyntax, update: str | None) -> None:
        """A new graph: bulk-loaded straight under its name, with a journal entry while it is incomplete, so a
        failed load removes it here and a killed one when the store is next opened."""
        entry = ox.Quad(target, _LOADING, ox.Literal("true"), _JOURNAL)
        self._store.add(entry)
        try:
            self._store.bulk_load(path=str(path), format=_FORMATS[syntax], to_graph=target)
            if update:
                self.update(update.replace("?staged", f"<{target.value}>"))
        except (OSError, SyntaxError, ValueError, StoreError) as exc:
            self._store.remove_graph(target)
            self._store.remove_graph(ox.NamedNode(f"{target.value}/entailed"))
            self._store.remove(entry)
            reason = exc.reason if isinstance(exc, StoreError) else exc
            raise StoreError(f"cannot load {path} into <{target.value}>: {reason}", store=self.location) from exc
        self._store.remove(entry)

    def _replace(self, path: Path, graph: str, syntax: RdfSyntax, update: str | None) -> None:
        """An existing graph: bulk-loaded under a staging name, then swapped in by one transaction."""
        staged = f"{STAGING}{uuid.uuid4()}"
        try:
            # the bulk loader is fast and not atomic; what it writes stays invisible under the staging name
            self._store.bulk_load(path=str(path), format=_FORMATS[syntax], to_graph=ox.NamedNode(staged))
            publish = f"{update.replace('?staged', f'<{staged}>')} ;\n" if update else ""
            self.update(f"{publish}MOVE SILENT GRAPH <{staged}> TO GRAPH <{graph}>")
        except (OSError, SyntaxError, ValueError, StoreError) as exc:
            self._store.remove_graph(ox.NamedNode(staged))
            reason = exc.reason if isinstance(exc, StoreError) else exc
            raise StoreError(f"cannot load {path} into <{graph}>: {reason}", store=self.location) from exc

    def query(self, sparql: str) -> QueryResult:
        try:
            found = self._store.query(sparql, use_default_graph_as_union=True)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"query failed: {exc}", store=self.location) from exc
        if isinstance(found, ox.QueryBoolean):
            return QueryResult(boolean=bool(found))
        if isinstance(found, ox.QuerySolutions):
            variables = tuple(v.value for v in found.variables)
            rows = tuple(tuple(None if t is None else str(t) for t in solution) for solution in found)
            return QueryResult(variables=variables, rows=rows)
        return QueryResult(triples=tuple(f"{t.subject} {t.predicate} {t.object} ." for t in found))

    def update(self, sparql: str) -> None:
        try:
            self._store.update(sparql)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"update failed: {exc}", store=self.location) from exc

    def graphs(self) -> list[str]:
        names = (g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))
        return sorted(n for n in names if not n.startswith(STAGING))

    def close(self) -> None:
        self._store.flush()
        del self._store
