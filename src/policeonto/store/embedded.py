"""The embedded store: Oxigraph (pyoxigraph) on disk, or in memory without a path."""

from __future__ import annotations

from collections.abc import Iterable
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
from policeonto.store.graph_names import GraphNames, graph_pointers, new_version, read_names, rewrite
from policeonto.store.results import QueryResult
from policeonto.store.triples import triples_of
from policeonto.terms import from_oxigraph

__all__ = ["LOCK_FILE", "EmbeddedStore", "query_dataset"]

_JOURNAL = ox.NamedNode(f"{STAGING}journal")  # graphs being loaded for the first time
_LOADING = ox.NamedNode("https://w3id.org/policeonto/loading")
LOCK_FILE = folder.LOCK_FILE
_Entailing = tuple[Entailment | None, Path | None]  # the tables, and the file of what they entail if written


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
        self._path = path
        self._names = GraphNames()
        self._pointers: dict[str, str] = {}  # the version holding each replaced graph
        self._loaded = False  # a graph was loaded: compact the store when it is closed
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
        found = folder.read_versions(path, location=self.location) if path is not None else None
        self._pointers = graph_pointers(self._store) if found is None else found
        self._refresh(self._unfinished())
        if read_only:
            return
        if found is None and self._pointers:  # a store that kept its pointers in a graph: they move to the file
            self._switch(self._pointers)
        # one process at a time opens a store: what no query sees is from a load or replacement that was killed
        # (a new graph the journal names, staging graphs, a version never switched to) or from one whose old
        # version was not deleted yet; the graph a replacement was killed over is whole, old or new
        for name in self._names.hidden:
            self._drop(name)
        self._refresh()

    def _refresh(self, unfinished: Iterable[str] = ()) -> None:
        """Read the store's graph names again, and the graphs a query runs over."""
        self._names = read_names(self._store, self._pointers, unfinished)
        self._dataset = query_dataset(self._store, self._names)

    def _switch(self, pointers: dict[str, str]) -> None:
        """Make *pointers* say which version holds each replaced graph, in one atomic step (the versions file
        replaced), once every quad they point to is on disk.

        Raises:
            StoreError: the file cannot be written; the pointers are then as they were.
        """
        self._store.flush()
        if self._path is not None:
            folder.write_versions(self._path, pointers, location=self.location)
        self._pointers = pointers

    def _unfinished(self) -> list[str]:
        """The graphs a killed load of a new graph left, the journal naming them, and their entailments."""
        found = []
        for quad in self._store.quads_for_pattern(None, _LOADING, None, _JOURNAL):
            if isinstance(quad.subject, ox.NamedNode):
                found += [quad.subject.value, f"{quad.subject.value}{ENTAILED}"]
        return found

    def _drop(self, graph: str) -> None:
        """Delete *graph*, which no query sees (SPARQL's DROP deletes faster than ``remove_graph``)."""
        self._store.update(f"DROP SILENT GRAPH <{graph}>")

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
                self._drop(name.value)
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
        entailed: Path | None = None,
    ) -> int:
        """Replace named graph *graph* with the triples of *path*, all or nothing, and return how many it
        then holds. Every triple of the file, in its default graph or in any graph it names (N-Quads, TriG,
        JSON-LD), goes into *graph*: a load writes no other graph but ``<graph>/entailed``, where *entail*
        puts what the triples entail, bulk-loaded: from *entailed* (N-Triples of what *path* entails by
        *entail*, as the mapping pipeline writes them) when given, else read from the loaded graph's indexes.
        *update* (SPARQL Update, run against the staged graph ``?staged`` before it is published) is the
        slower way to add entailments; it reaches nothing outside.

        Raises:
            OptionError: *graph* is not an absolute IRI, or is a staging or entailed graph.
            StoreError: the file cannot be read or loaded, or *update* fails or reaches outside.
        """
        self._writable()
        target = ox.NamedNode(check_graph(graph, dataset=False))
        if update:
            check_reach(update, store=self.location)
        try:
            if graph in self._names.versions or self._store.contains_named_graph(target):
                stored = self._replace(path, graph, syntax, update, (entail, entailed))
            else:
                self._add(path, target, syntax, update, (entail, entailed))
                stored = graph
        finally:
            self._refresh()
        self._store.flush()
        self._loaded = True
        return self._count(stored)

    def _count(self, graph: str) -> int:
        """How many triples *graph* holds."""
        count = self._store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(next(iter(count))[0].value)  # type: ignore[call-overload]

    def _bulk_load(self, path: Path, syntax: RdfSyntax, target: ox.NamedNode) -> None:
        """Load every triple of *path* into *target* with the bulk loader (fast, not atomic), whatever graph
        the file puts it in."""
        if by_name(syntax).names_graphs:
            self._store.bulk_extend(ox.Quad(*triple, target) for triple in triples_of(path, syntax))
        else:
            self._store.bulk_load(path=str(path), format=by_name(syntax).oxigraph, to_graph=target)

    def _entail(self, source: ox.NamedNode, graph: str, entail: _Entailing) -> ox.NamedNode:
        """Bulk-load what *source* entails into a new companion graph of *graph*, and return it: the file of
        what it entails when given, else what the store's indexes of *source* entail."""
        target = ox.NamedNode(Entailment.entailed_graph(graph))
        self._store.remove_graph(target)
        table, entailed = entail
        if table is not None and entailed is not None:
            self._store.bulk_load(path=str(entailed), format=ox.RdfFormat.N_TRIPLES, to_graph=target)
        elif table is not None:
            self._store.bulk_extend(entailed_quads(self._store, source, target, table))
        return target

    def _add(self, path: Path, target: ox.NamedNode, syntax: RdfSyntax, update: str | None, entail: _Entailing) -> None:
        """A new graph: bulk-loaded straight under its name, with a journal entry while it is incomplete, so a
        failed load removes it here and a killed one when the store is next opened."""
        entry = ox.Quad(target, _LOADING, ox.Literal("true"), _JOURNAL)
        self._store.add(entry)
        complete = False
        try:
            self._bulk_load(path, syntax, target)
            if entail[0] is not None:
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
            self._store.remove_graph(_JOURNAL)  # not left named, empty: a query need hide nothing

    def _replace(self, path: Path, graph: str, syntax: RdfSyntax, update: str | None, entail: _Entailing) -> str:
        """An existing graph: bulk-loaded under a new version name with its entailments beside it, the
        pointer switched to it in one atomic step, then the old version deleted; return the version.
        Until the switch, the new version is garbage a killed load leaves (no pointer names it); after it, the
        old one is (see :mod:`policeonto.store.graph_names`)."""
        version, old = new_version(), self._names.stored(graph)
        switched = False
        try:
            # the bulk loader is fast and not atomic; what it writes stays invisible until the switch
            self._bulk_load(path, syntax, ox.NamedNode(version))
            self._store.add_graph(ox.NamedNode(version))  # an empty file still makes the graph, empty
            if entail[0] is not None:
                self._entail(ox.NamedNode(version), version, entail)
            if update:
                names = GraphNames(versions={graph: version, Entailment.entailed_graph(graph): f"{version}{ENTAILED}"})
                staged = update.replace("?staged", f"<{version}>")
                self._update(rewrite(staged, names, store=self.location, join=False)[0])
            interrupts.check()  # a swallowed Ctrl-C still keeps the graph as it was
            self._switch(self._pointers | {graph: version})
            switched = True
        except (OSError, SyntaxError, ValueError, StoreError) as exc:
            reason = exc.reason if isinstance(exc, StoreError) else exc
            raise StoreError(f"cannot load {path} into <{graph}>: {reason}", store=self.location, graph=graph) from exc
        finally:  # the version switched from, or the one never switched to, also when interrupted
            gone = old if switched else version
            self._drop(gone)
            self._drop(f"{gone}{ENTAILED}")
        return version

    def _settle(self) -> None:
        """Put every replaced graph back under its own name (copied, the pointers removed in one step, the
        versions deleted), so that an update reads and writes graphs by the names it gives."""
        pointers = self._pointers
        for user, version in pointers.items():
            for source, target in ((version, user), (f"{version}{ENTAILED}", f"{user}{ENTAILED}")):
                self._drop(target)  # hidden while the pointer is there: a killed copy leaves garbage, not a mix
                name = ox.NamedNode(target)
                found = self._store.quads_for_pattern(None, None, None, ox.NamedNode(source))
                self._store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, name) for q in found)
        self._switch({})
        for version in pointers.values():
            self._drop(version)
            self._drop(f"{version}{ENTAILED}")

    def query(self, sparql: str, *, federate: Iterable[str] = ()) -> QueryResult:
        """Run a SPARQL 1.1 query over the union of every named graph. It reaches no other endpoint: a
        ``SERVICE`` is refused before the query runs unless *federate* lists its endpoint.

        Raises:
            StoreError: the query is not valid, fails, or reaches an endpoint *federate* does not list.
        """
        check_reach(sparql, allowed=federate, store=self.location)
        sparql, added = rewrite(sparql, self._names, store=self.location)
        try:
            found = self._store.query(sparql, **self._dataset)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"query failed: {exc}", store=self.location) from exc
        if isinstance(found, ox.QueryBoolean):
            return QueryResult(boolean=bool(found))
        if isinstance(found, ox.QuerySolutions):
            kept = [i for i, v in enumerate(found.variables) if f"?{v.value}" not in added]
            variables = tuple(found.variables[i].value for i in kept)
            rows = tuple(tuple(None if (t := s[i]) is None else from_oxigraph(t) for i in kept) for s in found)
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
        try:
            if self._names.versions:
                self._settle()
            self._update(sparql)
        finally:
            self._refresh()

    def _update(self, sparql: str) -> None:
        try:
            self._store.update(sparql)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"update failed: {exc}", store=self.location) from exc

    def graphs(self) -> list[str]:
        return sorted(user for _, user in self._names.shown)

    def close(self) -> None:
        """Flush and release the store and its lock; closing a closed store does nothing. A store that was
        loaded is compacted first: the bulk loader leaves its files as it wrote them, and an aggregate over a
        freshly loaded store of 13.5M quads took 34 s, 5 s once compacted (which took 17 s)."""
        if self._oxigraph is None:
            return
        try:
            if not self.read_only:
                self._oxigraph.flush()
                if self._loaded and self._path is not None:
                    self._oxigraph.optimize()
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


def query_dataset(store: ox.Store, names: GraphNames) -> dict[str, Any]:
    """How a query over *store* is given its graphs (keywords of ``pyoxigraph.Store.query``): the union of
    every graph, unless a graph *names* hides holds a quad; then the graphs shown, listed by the names they
    are stored under. Hidden graphs that are empty are left out of the named graphs only (``GRAPH ?g {}``
    would name them); a current version is an ordinary graph of the union, its name rewritten by
    :func:`~policeonto.store.graph_names.rewrite`.

    Oxigraph answers a pattern over its union default graph with one index lookup, as fast as over one
    graph; over a list of graphs it makes one lookup per graph listed, which the example queries measured
    at about twice the time (``benchmarks/query_benchmark.py``). So the list is kept for a store that has
    something to hide: a graph a killed load left half-written, or an old version not deleted yet.

    >>> store = ox.Store()
    >>> kept, staged = ox.NamedNode("https://example.org/kept"), ox.NamedNode("https://example.org/staged")
    >>> store.add(ox.Quad(kept, kept, kept, kept))
    >>> names = GraphNames(shown=((kept.value, kept.value),), hidden=(staged.value,))
    >>> store.add_graph(staged)
    >>> query_dataset(store, names)
    {'use_default_graph_as_union': True, 'named_graphs': [<NamedNode value=https://example.org/kept>]}
    >>> store.add(ox.Quad(staged, staged, staged, staged))
    >>> query_dataset(store, names)["default_graph"]
    [<NamedNode value=https://example.org/kept>]
    """
    if not names.hidden:
        return {"use_default_graph_as_union": True}
    shown = [ox.NamedNode(stored) for stored, _ in names.shown]
    if not any(_holds_quads(store, ox.NamedNode(graph)) for graph in names.hidden):
        return {"use_default_graph_as_union": True, "named_graphs": shown}
    default = [ox.DefaultGraph()] if _holds_quads(store, ox.DefaultGraph()) else []
    return {"default_graph": [*default, *shown], "named_graphs": shown}


def _holds_quads(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> bool:
    return next(iter(store.quads_for_pattern(None, None, None, graph)), None) is not None
