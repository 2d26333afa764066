"""What a load writes: the triples of an RDF file, every graph name it gives dropped, so that the whole file
lands in the one graph the load owns (as validation reads it: every graph, named or default, as one graph).

A syntax that can name graphs (N-Quads, TriG, JSON-LD) is stream-parsed and its quads rewritten; one that
cannot (N-Triples, Turtle, RDF/XML) is handed to the store's bulk loader as it is, its parser refusing any
graph name.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from policeonto.rdf_formats import by_name
from policeonto.store.base import RdfSyntax

__all__ = ["as_ntriples", "triples_of"]


def triples_of(path: Path, syntax: RdfSyntax) -> Iterator[ox.Triple]:
    """The triples of the RDF file at *path*, from its default graph and every named graph alike, read as
    they are needed (the file is never held whole).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "in.nq"
    ...     _ = path.write_text("<http://e/s> <http://e/p> <http://e/o> <http://e/g> .\\n")
    ...     [str(t) for t in triples_of(path, "nq")]
    ['<http://e/s> <http://e/p> <http://e/o>']

    Raises:
        SyntaxError: the file is not valid in *syntax* (raised while iterating).
        OSError: the file cannot be read.
    """
    for quad in ox.parse(path=str(path), format=by_name(syntax).oxigraph):
        yield quad.triple


def as_ntriples(path: Path, syntax: RdfSyntax, folder: Path) -> Path:
    """*path* as a file a server can load into one graph: itself when *syntax* names no graph, else its
    triples written as N-Triples in *folder*.

    Raises:
        SyntaxError: the file is not valid in *syntax*.
        OSError: the file cannot be read, or the copy written.
    """
    if not by_name(syntax).names_graphs:
        return path
    target = folder / "graph.nt"
    with target.open("wb") as stream:
        ox.serialize(triples_of(path, syntax), stream, ox.RdfFormat.N_TRIPLES)
    return target
