"""What every store offers: load a file into a named graph (replacing it, all or nothing), query, update,
list the graphs. The embedded Oxigraph store and any SPARQL 1.1 server implement it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

import pyoxigraph as ox

from policeonto.errors import OptionError, shorten
from policeonto.rdf_formats import SNIFFED, from_extension
from policeonto.store.results import QueryResult

if TYPE_CHECKING:  # entailment names graphs as this module says
    from policeonto.store.entailment import Entailment

__all__ = [
    "ENTAILED",
    "ONTOLOGY_GRAPH",
    "STAGING",
    "VERSIONS",
    "RdfSyntax",
    "Store",
    "check_graph",
    "staged_at",
    "staging_graph",
    "syntax_of",
]

# The graphs policeonto keeps for itself: the ontology; staging graphs and the journal (under STAGING); each
# dataset graph's entailments, <g>/entailed. No load of a dataset may name one.
ONTOLOGY_GRAPH = "https://w3id.org/policeonto/graph/ontology"
# A graph is loaded under a staging name first, then moved over its real name in one transaction.
STAGING = "https://w3id.org/policeonto/graph/staging/"
ENTAILED = "/entailed"
# A replaced graph is kept under a version name, and a pointer says which (policeonto.store.graph_names).
VERSIONS = "https://w3id.org/policeonto/graph/version/"
_STAMP = "%Y%m%dT%H%M%SZ"
_STAGED = re.compile(re.escape(STAGING) + r"(\d{8}T\d{6}Z)-")

RdfSyntax = str  # the name of one of policeonto.rdf_formats.SYNTAXES


def syntax_of(path: Path) -> RdfSyntax | None:
    """The RDF syntax a file name says, or None (also for ``.json``, JSON-LD only when its content says so).

    >>> syntax_of(Path("data.TriG")), syntax_of(Path("data.json"))
    ('trig', None)
    """
    syntax = from_extension(path)
    return None if syntax is None or path.suffix.lower() == SNIFFED else syntax.name


def check_graph(graph: str, *, dataset: bool = True) -> str:
    """*graph* if a load may write it: an absolute IRI, neither a staging graph (nor the journal, named
    under :data:`STAGING`), a version of a graph (or the pointers to them, under :data:`VERSIONS`) nor an
    entailed graph ``<g>/entailed``; nor, for a *dataset*, the ontology graph.
    A store's own ``load`` passes ``dataset=False``, as it also loads the ontology graph.

    >>> check_graph("https://example.org/graph/a")
    'https://example.org/graph/a'
    >>> check_graph("https://w3id.org/policeonto/graph/ontology")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    policeonto.errors.OptionError: graph <https://w3id.org/policeonto/graph/ontology> is reserved by policeonto ...

    Raises:
        OptionError: *graph* is not one a load may write (names the option ``graph`` and the value).
    """
    try:
        ox.NamedNode(graph)
    except ValueError as exc:
        raise OptionError(
            f"graph {shorten(graph)!r} is not an absolute IRI ({exc})", option="graph", value=graph
        ) from exc
    if graph.startswith((STAGING, VERSIONS)) or (dataset and graph == ONTOLOGY_GRAPH):
        raise OptionError(
            f"graph <{shorten(graph)}> is reserved by policeonto (the ontology, staging graphs, the journal and "
            "versions of graphs); "
            "name another",
            option="graph",
            value=graph,
        )
    if graph.endswith(ENTAILED):
        raise OptionError(
            f"graph <{shorten(graph)}> is reserved by policeonto (the entailments of <g> are kept in <g>{ENTAILED}); "
            "name another",
            option="graph",
            value=graph,
        )
    return graph


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
        """Replace named graph *graph* with the triples of *path*, all or nothing, with what they entail by
        *entail* in ``<graph>/entailed`` (a store may take them from *entailed*, N-Triples of what *path*
        entails by *entail*, where given); *update* (SPARQL Update, run against the staged graph ``?staged``
        before it is published) may add more. Return the number
        of triples the graph then holds. Every triple of the file goes into *graph*, whatever graph an
        N-Quads, TriG or JSON-LD file puts it in: a load writes no other graph. *graph* must pass
        :func:`check_graph` (with ``dataset=False``)."""

    def query(self, sparql: str, *, federate: Iterable[str] = ()) -> QueryResult:
        """Run a SPARQL 1.1 query over the union of every named graph; a ``SERVICE`` to an endpoint not in
        *federate* is refused before anything is sent."""

    def update(self, sparql: str, *, federate: Iterable[str] = ()) -> None:
        """Run a SPARQL 1.1 update, all or nothing; a ``LOAD`` or ``SERVICE`` reaching anything not in
        *federate* is refused before anything is sent."""

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
