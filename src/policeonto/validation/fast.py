"""The fast path for RDF: a file read into one triple table and validated against the project's shapes
through the columnar engine.

N-Triples, N-Quads, Turtle and TriG are read a block at a time and dictionary-encoded
(:mod:`policeonto.validation.rdf_stream`), so memory grows with the distinct terms, not with the file;
RDF/XML, whose DTD is screened first, is read whole and goes through Oxigraph's parser; JSON-LD, whose
contexts must be screened, through the safe reader. Every term is written as :mod:`policeonto.terms` writes
it, whichever parser read it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import polars as pl

from policeonto.fastshacl import Shapes, TripleTable, compile_shapes, evaluate
from policeonto.limits import Limits
from policeonto.rdf_formats import by_name
from policeonto.shacl import shapes_graph
from policeonto.validation.rdf_input import raw_literals, rdf_format_of, read_rdf, safe_rdf_bytes
from policeonto.validation.rdf_stream import STREAMED, check_terms, parse_quads, read_streamed

__all__ = ["project_shapes", "read_table", "read_with_shapes", "violations_of"]

_SOURCE_ROW = "<https://w3id.org/policeonto/source_row>"


@cache
def project_shapes() -> Shapes:
    """The project's shapes, compiled once."""
    return compile_shapes(shapes_graph())


def read_table(path: Path, *, limits: Limits = Limits()) -> TripleTable:
    """An RDF file as a triple table, read without fetching anything.

    Raises:
        InstanceDataError: as :func:`~policeonto.validation.rdf_input.read_rdf`.
    """
    syntax = by_name(rdf_format_of(path))
    if syntax.name in STREAMED:
        return read_streamed(path, syntax, limits)
    if syntax.name == "jsonld":
        with raw_literals():
            return TripleTable.from_graph(read_rdf(path, limits=limits))
    _, data = safe_rdf_bytes(path, limits=limits)  # RDF/XML: screened whole, then parsed
    frame = pl.concat(list(parse_quads(data, syntax, path)))
    check_terms(frame, path, limits)
    return TripleTable.from_frame(frame)


def read_with_shapes(path: Path, *, limits: Limits = Limits()) -> tuple[TripleTable, Shapes]:
    """The RDF file at *path* as :func:`read_table` reads it, and the project's shapes: compiled in a thread
    while a file read out of core is read (polars and Oxigraph read without the GIL, rdflib parses the
    shapes beside them); after the file, for the syntaxes rdflib reads (one of them with rdflib's literal
    normalisation turned off, which the shapes must not see).

    Raises:
        InstanceDataError: as :func:`read_table`.
    """
    if by_name(rdf_format_of(path)).name not in STREAMED:
        return read_table(path, limits=limits), project_shapes()
    with ThreadPoolExecutor(max_workers=1) as pool:
        shapes = pool.submit(project_shapes)
        return read_table(path, limits=limits), shapes.result()


def violations_of(table: TripleTable, shapes: Shapes | None = None) -> pl.DataFrame:
    """Every violation in *table*, with the ``source_row`` of its focus node where it has one."""
    found = evaluate(shapes or project_shapes(), table)
    focus = table.encode(found["focus"].unique())  # only the rows of the nodes found are read
    pairs = table.pairs(_SOURCE_ROW).filter(pl.col("s").is_in(focus))
    rows = pl.DataFrame({"focus": table.decode(pairs["s"]), "o": table.decode(pairs["o"])}).select(
        "focus", row=pl.col("o").str.extract(r'^"([0-9]+)"', 1).cast(pl.Int64, strict=False)
    )
    return found.join(rows.unique(subset="focus"), on="focus", how="left")
