"""What every store offers: load a file into a named graph (replacing it, all or nothing), query, update,
list the graphs. The embedded Oxigraph store and any SPARQL 1.1 server implement it."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

from policeonto.store.results import QueryResult

__all__ = ["STAGING", "RdfSyntax", "Store", "staged_at", "staging_graph", "syntax_of"]

# A graph is loaded under a staging name first, then moved over its real name in one transaction.
STAGING = "https://w3id.org/policeonto/graph/staging/"
_STAMP = "%Y%m%dT%H%M%SZ"
_STAGED = re.compile(re.escape(STAGING) + r"(\d{8}T\d{6}Z)-")

_SYNTAXES = {
    ".nt": "nt",
    ".nq": "nq",
    ".ttl": "ttl",
    ".trig": "trig",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".jsonld": "jsonld",
}
RdfSyntax = str  # one of the values of _SYNTAXES


def syntax_of(path: Path) -> RdfSyntax | None:
    """The RDF syntax a file name says, or None."""
    return _SYNTAXES.get(path.suffix.lower())


def staging_graph(now: datetime | None = None) -> str:
    """A new staging graph name, which says when it was made (UTC), so a load can tell a graph left by a
    client that died long ago from one another client is loading now.

    >>> staged_at(staging_graph(datetime(2025, 3, 1, 12, 0, tzinfo=UTC)))
    datetime.datetime(2025, 3, 1, 12, 0, tzinfo=datetime.timezone.utc)
    """
    made = (now or datetime.now(UTC)).strftime(_STAMP)
    return f"{STAGING}{made}-{uuid.uuid4()}"


def staged_at(graph: str) -> datetime | None:
    """When staging graph *graph* was made, or None if its name does not say."""
    found = _STAGED.match(graph)
    return datetime.strptime(found.group(1), _STAMP).replace(tzinfo=UTC) if found else None


class ClosedOnExit:
    """A store used in a ``with`` block is closed on leaving it."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


class Store(Protocol):
    """A triple store policeonto can load and query."""

    location: str

    def load(self, path: Path, *, graph: str, syntax: RdfSyntax, update: str | None = None) -> int:
        """Replace named graph *graph* with the triples of *path*, all or nothing; *update* (SPARQL Update,
        run against the staged graph ``?staged`` before it is published) adds entailments. Return the number
        of triples the graph then holds."""

    def query(self, sparql: str) -> QueryResult:
        """Run a SPARQL 1.1 query over the union of every named graph."""

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 update, all or nothing."""

    def graphs(self) -> list[str]:
        """The named graphs, sorted (staging graphs excluded)."""

    def clean_staging(self, *, older_than: float | None = None) -> list[str]:
        """Drop the staging graphs that loads which never finished left behind (those made more than
        *older_than* seconds ago, or all of them); return their names."""

    def close(self) -> None:
        """Release the store; closing it again does nothing."""

    def __enter__(self) -> Self:
        """The store itself, closed on leaving the ``with`` block."""

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        """Close the store."""
