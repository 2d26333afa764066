"""What every store offers: load a file into a named graph (replacing it, all or nothing), query, update,
list the graphs. The embedded Oxigraph store and any SPARQL 1.1 server implement it."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from policeonto.store.results import QueryResult

__all__ = ["STAGING", "RdfSyntax", "Store", "syntax_of"]

# A graph is loaded under a staging name first, then moved over its real name in one transaction.
STAGING = "https://w3id.org/policeonto/graph/staging/"

_SYNTAXES = {
    ".nt": "nt",
    ".nq": "nq",
    ".ttl": "ttl",
    ".trig": "trig",
    ".rdf": "xml",
    ".owl": "xml",
    ".jsonld": "jsonld",
}
RdfSyntax = str  # one of the values of _SYNTAXES


def syntax_of(path: Path) -> RdfSyntax | None:
    """The RDF syntax a file name says, or None."""
    return _SYNTAXES.get(path.suffix.lower())


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

    def close(self) -> None:
        """Release the store."""
