"""The embedded store: Oxigraph (pyoxigraph) on disk, or in memory without a path."""

from __future__ import annotations

import os
import socket
import time
import uuid
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from policeonto import interrupts
from policeonto.errors import StoreBusyError, StoreError
from policeonto.store.base import STAGING, ClosedOnExit, RdfSyntax
from policeonto.store.results import QueryResult

try:
    import fcntl
except ImportError:  # not POSIX: RocksDB's own lock still keeps a second process out
    fcntl = None  # type: ignore[assignment]

__all__ = ["EmbeddedStore"]

_JOURNAL = ox.NamedNode(f"{STAGING}journal")  # graphs being loaded for the first time
_LOADING = ox.NamedNode("https://w3id.org/policeonto/loading")
LOCK_FILE = "policeonto.lock"  # in the store's directory: held while a process has the store open

_FORMATS = {
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "ttl": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


class EmbeddedStore(ClosedOnExit):
    """An Oxigraph store in a directory (created if missing), or in memory when *path* is None.

    One process at a time has a store open: the others wait up to *wait* seconds for it (0: not at all)
    and then fail, naming the process that has it. The store is a context manager that closes it on leaving;
    :meth:`close` may be called more than once, and a closed store refuses work with :class:`StoreError`.

    >>> with EmbeddedStore() as store:
    ...     store.query("ASK { ?s ?p ?o }").boolean
    False

    Raises:
        StoreBusyError: another process has the store open, and kept it for *wait* seconds.
        StoreError: the directory cannot be opened.
    """

    def __init__(self, path: Path | str | None = None, *, wait: float = 0.0) -> None:
        path = Path(path) if path is not None else None
        self.location = str(path) if path is not None else "memory"
        self._lock = _lock(path, wait=wait, location=self.location) if path is not None else None
        try:
            self._oxigraph: ox.Store | None = ox.Store(str(path)) if path is not None else ox.Store()
        except OSError as exc:
            self._unlock()
            raise StoreError(
                f"cannot open the store: {exc} (is another program, such as oxigraph serve, using it?)",
                store=self.location,
            ) from exc
        # one process at a time opens a store: a graph the journal names, and staging graphs, are from a load
        # that was killed; a new graph is removed whole, a replaced one was never touched
        for quad in list(self._store.quads_for_pattern(None, _LOADING, None, _JOURNAL)):
            if isinstance(quad.subject, ox.NamedNode):
                self._store.remove_graph(quad.subject)
                self._store.remove_graph(ox.NamedNode(f"{quad.subject.value}/entailed"))
        self._store.remove_graph(_JOURNAL)
        self.clean_staging()

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
        dropped = []
        for name in list(self._store.named_graphs()):
            if isinstance(name, ox.NamedNode) and name.value.startswith(STAGING) and name != _JOURNAL:
                self._store.remove_graph(name)
                dropped.append(name.value)
        return sorted(dropped)

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
        complete = False
        try:
            self._store.bulk_load(path=str(path), format=_FORMATS[syntax], to_graph=target)
            if update:
                self.update(update.replace("?staged", f"<{target.value}>"))
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
                self._store.remove_graph(ox.NamedNode(f"{target.value}/entailed"))
            self._store.remove(entry)

    def _replace(self, path: Path, graph: str, syntax: RdfSyntax, update: str | None) -> None:
        """An existing graph: bulk-loaded under a staging name, then swapped in by one transaction."""
        staged = f"{STAGING}{uuid.uuid4()}"
        try:
            # the bulk loader is fast and not atomic; what it writes stays invisible under the staging name
            self._store.bulk_load(path=str(path), format=_FORMATS[syntax], to_graph=ox.NamedNode(staged))
            publish = f"{update.replace('?staged', f'<{staged}>')} ;\n" if update else ""
            interrupts.check()  # a swallowed Ctrl-C still keeps the graph as it was
            # SILENT: an empty file stages no graph, and then empties the target, as it should
            self.update(f"{publish}MOVE SILENT GRAPH <{staged}> TO GRAPH <{graph}>")
        except (OSError, SyntaxError, ValueError, StoreError) as exc:
            reason = exc.reason if isinstance(exc, StoreError) else exc
            raise StoreError(f"cannot load {path} into <{graph}>: {reason}", store=self.location, graph=graph) from exc
        finally:  # moved already if the update ran; else what was staged goes, also when interrupted
            self._store.remove_graph(ox.NamedNode(staged))

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
        """Flush and release the store and its lock; closing a closed store does nothing."""
        if self._oxigraph is None:
            return
        try:
            self._oxigraph.flush()
        finally:
            self._oxigraph = None
            self._unlock()

    def _unlock(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing the file releases the lock
            self._lock = None


def _lock(path: Path, *, wait: float, location: str) -> BinaryIO | None:
    """Hold the store's lock file, waiting up to *wait* seconds for another process to let it go.

    Raises:
        StoreBusyError: another process holds it still.
    """
    if fcntl is None:
        return None
    try:
        path.mkdir(parents=True, exist_ok=True)
        handle = (path / LOCK_FILE).open("a+b")
    except OSError as exc:
        raise StoreError(f"cannot open the store: {exc}", store=location) from exc
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            left = deadline - time.monotonic()
            if left > 0:
                time.sleep(min(0.2, left))
                continue
            handle.seek(0)
            holder = handle.read(200).decode("utf-8", "replace").split()
            handle.close()
            pid = int(holder[0]) if holder and holder[0].isdigit() else None
            who = f"pid {pid}" + (f" on {holder[1]}" if len(holder) > 1 else "") if pid else "pid unknown"
            waited = f"; waited {wait:g} s" if wait > 0 else "; `--wait SECONDS` waits for it"
            raise StoreBusyError(
                f"the store is in use by another process ({who}){waited}", store=location, pid=pid
            ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()} {socket.gethostname()}\n".encode())
    handle.flush()
    return handle
