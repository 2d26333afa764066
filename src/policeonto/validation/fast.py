"""The fast path for RDF: a file read into one triple table and validated against the project's shapes
through the columnar engine.

N-Triples in canonical form is split vectorised; N-Triples, N-Quads, Turtle, TriG and RDF/XML otherwise
go through Oxigraph's parser (which streams, fetches nothing and says where a syntax error is); JSON-LD,
whose context must be screened, through the safe reader. Every term is written as
:mod:`policeonto.terms` writes it, whichever parser read it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl
import pyoxigraph as ox

from policeonto.errors import InstanceDataError, shorten
from policeonto.fastshacl import Shapes, TripleTable, compile_shapes, evaluate, parse_ntriples
from policeonto.limits import Limits
from policeonto.rdf_formats import Syntax, by_name
from policeonto.shacl import shapes_graph
from policeonto.terms import blank, iri, literal
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
    fmt, data = safe_rdf_bytes(path, limits=limits)
    syntax = by_name(fmt)
    if syntax.name == "jsonld":
        with raw_literals():
            return TripleTable.from_graph(read_rdf(path, limits=limits))
    frame = parse_ntriples(data) if syntax.name == "nt" else None
    if frame is None:
        frame = _parsed(data, syntax, path)
    _check_terms(frame, path, limits)
    return TripleTable.from_frame(frame)


def _parsed(data: bytes, syntax: Syntax, path: Path) -> pl.DataFrame:
    """The triples of *data* (of every graph, for N-Quads and TriG) through Oxigraph's parser, as terms.

    Raises:
        InstanceDataError: not valid in its syntax, with the line and column Oxigraph gives.
    """
    s: list[str] = []
    p: list[str] = []
    o: list[str] = []
    try:
        for quad in ox.parse(input=data, format=syntax.oxigraph, base_iri=path.resolve().as_uri()):
            s.append(_term(quad.subject))
            p.append(_term(quad.predicate))
            o.append(_term(quad.object))
    except SyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        message = f"not valid {syntax.name}: {shorten(str(exc).splitlines()[0], 300)}"
        raise InstanceDataError(message, path=path, line=line) from exc
    except MemoryError as exc:  # Oxigraph's parser: "Reached the buffer maximal size of 16777216"
        raise InstanceDataError(
            "a token (an IRI or literal) is over 16M, the most Oxigraph's parser reads", path=path
        ) from exc
    return pl.DataFrame({"s": s, "p": p, "o": o}, schema=dict.fromkeys("spo", pl.String))


def _term(value: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """The term as :mod:`policeonto.terms` writes it (a quoted triple, which RDF 1.1 has not, as Oxigraph does)."""
    if isinstance(value, ox.NamedNode):
        return iri(value.value)
    if isinstance(value, ox.BlankNode):
        return blank(value.value)
    if isinstance(value, ox.Literal):
        return literal(value.value, datatype=value.datatype.value, language=value.language)
    return str(value)


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
