"""The fast path for RDF: a file read into one triple table (N-Triples split vectorised; other syntaxes
through the safe reader) and validated against the project's shapes through the columnar engine.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl

from policeonto.errors import InstanceDataError
from policeonto.fastshacl import Shapes, TripleTable, compile_shapes, evaluate, parse_ntriples
from policeonto.limits import Limits
from policeonto.rdf_formats import from_extension
from policeonto.shacl import shapes_graph
from policeonto.validation.rdf_input import check_iri, raw_literals, read_rdf, safe_rdf_bytes

__all__ = ["project_shapes", "read_table", "violations_of"]

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
    if (syntax := from_extension(path)) is not None and syntax.name == "nt":
        frame = parse_ntriples(safe_rdf_bytes(path, limits=limits)[1])
        if frame is not None:
            _check_terms(frame, path, limits)
            return TripleTable.from_frame(frame)
    with raw_literals():
        return TripleTable.from_graph(read_rdf(path, limits=limits))


def _check_terms(frame: pl.DataFrame, path: Path, limits: Limits) -> None:
    """Refuse an IRI longer than ``limits.iri_size`` bytes, or a literal whose lexical form is larger than
    ``limits.field_size`` bytes."""
    for column in ("s", "p", "o"):
        long = pl.col(column).str.starts_with("<") & (pl.col(column).str.len_bytes() > limits.iri_size + 2)
        for value in frame.filter(long).head(1)[column]:
            check_iri(value[1:-1], path, limits)
    size = pl.col("o").str.extract(r'^"(.*)"', 1).str.len_bytes()
    big = frame.with_columns(size=size).filter(pl.col("size") > limits.field_size).head(1)
    for s, p, _, n in big.iter_rows():
        raise InstanceDataError(
            f"the literal of {s} {p} is {n:,} bytes, over the limit ({limits.hint('field_size')})", path=path
        )


def violations_of(table: TripleTable, shapes: Shapes | None = None) -> pl.DataFrame:
    """Every violation in *table*, with the ``source_row`` of its focus node where it has one."""
    found = evaluate(shapes or project_shapes(), table)
    rows = table.pairs(_SOURCE_ROW).select(
        focus=pl.col("s"), row=pl.col("o").str.extract(r'^"([0-9]+)"', 1).cast(pl.Int64, strict=False)
    )
    return found.join(rows.unique(subset="focus"), on="focus", how="left")
