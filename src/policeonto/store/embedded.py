"""The embedded store: Oxigraph (pyoxigraph) on disk, or in memory without a path."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from policeonto import interrupts
from policeonto.errors import StoreError
from policeonto.rdf_formats import by_name
from policeonto.store import folder
from policeonto.store.base import ENTAILED, STAGING, ClosedOnExit, RdfSyntax, check_graph
from policeonto.store.entailment import Entailment, entailed_quads
from policeonto.store.federation import check_reach
from policeonto.store.results import QueryResult
from policeonto.store.triples import triples_of
from policeonto.terms import from_oxigraph

__all__ = ["LOCK_FILE", "EmbeddedStore", "query_dataset"]

_JOURNAL = ox.NamedNode(f"{STAGING}journal")  # graphs being loaded for the first time
_LOADING = ox.NamedNode("https://w3id.org/policeonto/loading")
LOCK_FILE = folder.LOCK_FILE


def query_dataset(store: ox.Store, hidden: Sequence[ox.NamedNode]) -> dict[str, Any]:
    """How a query over *store* is given its graphs (keywords of ``pyoxigraph.Store.query``): the union of
    every graph, unless one of *hidden* holds a quad; then every other graph, listed.

    Oxigraph answers a pattern over its union default graph with one index lookup, as fast as over one
    graph; over a list of graphs it makes one lookup per graph listed, which the example queries measured
    at about twice the time (``benchmarks/query_benchmark.py``). So the list is kept for a store that has
    something to hide, a graph a killed load left half-written; the journal and staging graphs a finished
    load leaves are empty, and hide nothing.

    >>> store = ox.Store()
    >>> staged = ox.NamedNode("https://example.org/staged")
    >>> store.add_graph(staged)
    >>> query_dataset(store, [staged])
    {'use_default_graph_as_union': True}
    >>> store.add(ox.Quad(staged, staged, staged, staged))
    >>> query_dataset(store, [staged])
    {'default_graph': [], 'named_graphs': []}
    """
    if not any(_holds_quads(store, graph) for graph in hidden):
        return {"use_default_graph_as_union": True}
    shown = [g for g in store.named_graphs() if g not in hidden]
    default = [ox.DefaultGraph()] if _holds_quads(store, ox.DefaultGraph()) else []
    return {"default_graph": [*default, *shown], "named_graphs": shown}


def _holds_quads(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> bool:
    return next(iter(store.quads_for_pattern(None, None, None, graph)), None) is not None


class EmbeddedStore(ClosedOnExit):
    """An Oxigraph store in a directory (made if missing or empty), or in memory when *path* is None.

    A folder that holds other files is refused, never written in (see :mod:`policeonto.store.folder`). One
    process at a time has a store open for writing: the others wait up to *wait* seconds for it (0: not at
    all) and then fail, naming the process that has it. *read_only* opens an existing store for queries
    only: it writes nothing in the folder, may be shared by several readers, and hides the graphs a killed
    load left half-written (which the next writer removes). The store is a context manager that closes it on
    leaving; :meth:`close` may be called more than once, and a closed store refuses work with
    :class:`StoreError`.

    >>> with EmbeddedStore() as store:
    ...     store.query("ASK { ?s ?p ?o }").boolean
    False

    Raises:
        StoreBusyError: another process has the store open, and kept it for *wait* seconds.
        StoreError: the directory cannot be opened, holds other files, or (*read_only*) is no store.
    """

    def __init__(self, path: Path | str | None = None, *, wait: float = 0.0, read_only: bool = False) -> None:
        path = Path(path) if path is not None else None
        self.location = str(path) if path is not None else "memory"
        self.read_only = read_only
        self._hidden: list[ox.NamedNode] = []
        self._dataset: dict[str, Any] = {"use_default_graph_as_union": True}
        self._lock: BinaryIO | None = None
        if path is not None:
            folder.prepare(path, create=not read_only, location=self.location)
            self._lock = folder.lock(path, wait=wait, location=self.location, shared=read_only)
        try:
            if path is None:
                self._oxigraph: ox.Store | None = ox.Store()
            else:
                self._oxigraph = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
        except OSError as exc:
            self._unlock()
            raise StoreError(
                f"cannot open the store: {exc} (is another program, such as oxigraph serve, using it?)",
                store=self.location,
            ) from exc
        if read_only:
            self._hidden = self._unfinished()
            self._dataset = query_dataset(self._store, self._hidden)
            return
        # one process at a time opens a store: a graph the journal names, and staging graphs, are from a load
        # that was killed; a new graph is removed whole, a replaced one was never touched
        for graph in self._unfinished():
            if not graph.value.startswith(STAGING):
                self._store.remove_graph(graph)
        self._store.remove_graph(_JOURNAL)
        self.clean_staging()

    def _unfinished(self) -> list[ox.NamedNode]:
        """The graphs a killed load left: those the journal names, their entailments, every staging graph."""
        found = []
        for quad in self._store.quads_for_pattern(None, _LOADING, None, _JOURNAL):
            if isinstance(quad.subject, ox.NamedNode):
                found += [quad.subject, ox.NamedNode(f"{quad.subject.value}{ENTAILED}")]
        staging = (g for g in self._store.named_graphs() if isinstance(g, ox.NamedNode) and g.value.startswith(STAGING))
        return found + list(staging)

    @property
    def _store(self) -> ox.Store:
        """The Oxigraph store.

        Raises:
            StoreError: the store is closed.
        """
        if self._oxigraph is None:
            raise StoreError("the store is closed", store=self.location)
        return self._oxigraph

    def clean_staging(self, *, older_than: float | None = None) -> list[str]:
        """Drop every staging graph: no other process can be loading while this one has the store open
        (*older_than* is accepted for the :class:`Store` protocol and changes nothing)."""
        self._writable()
        dropped = []
        for name in list(self._store.named_graphs()):
            if isinstance(name, ox.NamedNode) and name.value.startswith(STAGING) and name != _JOURNAL:
                self._store.remove_graph(name)
                dropped.append(name.value)
        return sorted(dropped)

    def load(
        self,
        path: Path,
        *,
        graph: str,
        syntax: RdfSyntax,
        update: str | None = None,
        entail: Entailment | None = None,
    ) -> int:
        """Replace named graph *graph* with the triples of *path*, all or nothing, and return how many it
        then holds. Every triple of the file, in its default graph or in any graph it names (N-Quads, TriG,
        JSON-LD), goes into *graph*: a load writes no other graph but ``<graph>/entailed``, where *entail*
        puts what the triples entail (bulk-loaded, read from the loaded graph's indexes). *update* (SPARQL
        Update, run against the staged graph ``?staged`` before it is published) is the slower way to add
        entailments; it reaches nothing outside.

        Raises:
            OptionError: *graph* is not an absolute IRI, or is a staging or entailed graph.
            StoreError: the file cannot be read or loaded, or *update* fails or reaches outside.
        """
        self._writable()
        target = ox.NamedNode(check_graph(graph, dataset=False))
        if update:
            check_reach(update, store=self.location)
        if self._store.contains_named_graph(target):
            self._replace(path, graph, syntax, update, entail)
        else:
            self._add(path, target, syntax, update, entail)
        self._store.flush()
        count = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(count.values("n").pop())

    def _bulk_load(self, path: Path, syntax: RdfSyntax, target: ox.NamedNode) -> None:
        """Load every triple of *path* into *target* with the bulk loader (fast, not atomic), whatever graph
        the file puts it in."""
        if by_name(syntax).names_graphs:
            self._store.bulk_extend(ox.Quad(*triple, target) for triple in triples_of(path, syntax))
        else:
            self._store.bulk_load(path=str(path), format=by_name(syntax).oxigraph, to_graph=target)

    def _entail(self, source: ox.NamedNode, graph: str, entail: Entailment | None) -> ox.NamedNode:
        """Bulk-load what *source* entails into a new companion graph of *graph*, and return it."""
        target = ox.NamedNode(Entailment.entailed_graph(graph))
        self._store.remove_graph(target)
        if entail is not None:
            self._store.bulk_extend(entailed_quads(self._store, source, target, entail))
        return target

    def _add(
        self, path: Path, target: ox.NamedNode, syntax: RdfSyntax, update: str | None, entail: Entailment | None
    ) -> None:
        """A new graph: bulk-loaded straight under its name, with a journal entry while it is incomplete, so a
        failed load removes it here and a killed one when the store is next opened."""
        entry = ox.Quad(target, _LOADING, ox.Literal("true"), _JOURNAL)
        self._store.add(entry)
        complete = False
        try:
            self._bulk_load(path, syntax, target)
            if entail is not None:
                self._entail(target, target.value, entail)
            if update:
                self._update(update.replace("?staged", f"<{target.value}>"))
            interrupts.check()  # a swallowed Ctrl-C still keeps the graph out
            complete = True
        except (OSError, SyntaxError, ValueError, StoreError) as exc:
            reason = exc.reason if isinstance(exc, StoreError) else exc
            raise StoreError(
                f"cannot load {path} into <{target.value}>: {reason}", store=self.location, graph=target.value
            ) from exc
        finally:  # also when interrupted (Ctrl-C): the graph is removed, not left half-loaded
            if not complete:
                self._store.remove_graph(target)
                self._store.remove_graph(ox.NamedNode(f"{target.value}{ENTAILED}"))
            self._store.remove(entry)

    def _replace(
        self, path: Path, graph: str, syntax: RdfSyntax, update: str | None, entail: Entailment | None
    ) -> None:
        """An existing graph: bulk-loaded under a staging name with its entailments under another, then both
        swapped in by one transaction."""
        staged = f"{STAGING}{uuid.uuid4()}"
        try:
            # the bulk loader is fast and not atomic; what it writes stays invisible under the staging names
            self._bulk_load(path, syntax, ox.NamedNode(staged))
            publish = f"{update.replace('?staged', f'<{staged}>')} ;\n" if update else ""
            if entail is not None:
                entailed = self._entail(ox.NamedNode(staged), staged, entail).value
                publish += f"MOVE SILENT GRAPH <{entailed}> TO GRAPH <{Entailment.entailed_graph(graph)}> ;\n"
            interrupts.check()  # a swallowed Ctrl-C still keeps the graph as it was
            # SILENT: an empty file stages no graph, and then empties the target, as it should
            self._update(f"{publish}MOVE SILENT GRAPH <{staged}> TO GRAPH <{graph}>")
        except (OSError, SyntaxError, ValueError, StoreError) as exc:
            reason = exc.reason if isinstance(exc, StoreError) else exc
            raise StoreError(f"cannot load {path} into <{graph}>: {reason}", store=self.location, graph=graph) from exc
        finally:  # moved already if the update ran; else what was staged goes, also when interrupted
            self._store.remove_graph(ox.NamedNode(staged))
            self._store.remove_graph(ox.NamedNode(Entailment.entailed_graph(staged)))

    def query(self, sparql: str, *, federate: Iterable[str] = ()) -> QueryResult:
        """Run a SPARQL 1.1 query over the union of every named graph. It reaches no other endpoint: a
        ``SERVICE`` is refused before the query runs unless *federate* lists its endpoint.

        Raises:
            StoreError: the query is not valid, fails, or reaches an endpoint *federate* does not list.
        """
        check_reach(sparql, allowed=federate, store=self.location)
        try:
            found = self._store.query(sparql, **self._dataset)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"query failed: {exc}", store=self.location) from exc
        if isinstance(found, ox.QueryBoolean):
            return QueryResult(boolean=bool(found))
        if isinstance(found, ox.QuerySolutions):
            variables = tuple(v.value for v in found.variables)
            rows = tuple(tuple(None if t is None else from_oxigraph(t) for t in solution) for solution in found)
            return QueryResult(variables=variables, rows=rows)
        terms = ((from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object)) for t in found)
        return QueryResult(triples=tuple(f"{s} {p} {o} ." for s, p, o in terms))

    def update(self, sparql: str, *, federate: Iterable[str] = ()) -> None:
        """Run a SPARQL 1.1 update, all or nothing. A ``LOAD`` or ``SERVICE`` is refused before it runs
        unless *federate* lists what it reaches.

        Raises:
            StoreError: the update is not valid, fails, reaches outside unlisted, or the store is read-only.
        """
        self._writable()
        check_reach(sparql, allowed=federate, store=self.location)
        self._update(sparql)

    def _update(self, sparql: str) -> None:
        try:
            self._store.update(sparql)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"update failed: {exc}", store=self.location) from exc

    def graphs(self) -> list[str]:
        names = (g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode) and g not in self._hidden)
        return sorted(n for n in names if not n.startswith(STAGING))

    def close(self) -> None:
        """Flush and release the store and its lock; closing a closed store does nothing."""
        if self._oxigraph is None:
            return
        try:
            if not self.read_only:
                self._oxigraph.flush()
        finally:
            self._oxigraph = None
            self._unlock()

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError("the store was opened read-only (for queries)", store=self.location)

    def _unlock(self) -> None:
        if self._lock is not None:
            folder.unlock(self._lock)
            self._lock = None
