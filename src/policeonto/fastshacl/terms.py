"""RDF terms as N-Triples strings, the one currency of the columnar engine: the column-wise reading of
them (kind, lexical form, datatype, language). Terms are written by :mod:`policeonto.terms`, the one place
terms become N-Triples text; its constants are re-exported here for the engine's modules.

>>> frame = pl.DataFrame({"t": ['"say \\\\"hi\\\\""@en', "<http://example.org/a>"]})
>>> frame.select(text(pl.col("t")), language(pl.col("t")).alias("lang")).rows()
[('say "hi"', 'en'), ('http://example.org/a', None)]
"""

from __future__ import annotations

import polars as pl

from policeonto.terms import ESCAPES, RDF_LANG_STRING, RDF_TYPE, RDFS_SUBCLASS_OF, XSD, XSD_STRING

__all__ = [
    "RDFS_SUBCLASS_OF",
    "RDF_LANG_STRING",
    "RDF_TYPE",
    "XSD",
    "XSD_STRING",
    "datatype",
    "is_blank",
    "is_iri",
    "is_literal",
    "language",
    "lexical",
    "text",
    "unescape",
]

LITERAL = r'^"((?s:.*))"(?:\^\^<([^>]*)>|@([A-Za-z][A-Za-z0-9-]*))?$'
#: The escapes undone, in one pass: those of :data:`policeonto.terms.ESCAPES`, and a tab's, which Oxigraph writes.
_ESCAPED = [escaped for _, escaped in ESCAPES] + ["\\t"]
_RAW = [raw for raw, _ in ESCAPES] + ["\t"]


def is_iri(column: pl.Expr) -> pl.Expr:
    return column.str.starts_with("<")


def is_blank(column: pl.Expr) -> pl.Expr:
    return column.str.starts_with("_:")


def is_literal(column: pl.Expr) -> pl.Expr:
    return column.str.starts_with('"')


def unescape(column: pl.Expr) -> pl.Expr:
    """Undo N-Triples escapes in lexical forms (only where there is a backslash)."""
    undone = column.str.replace_many(_ESCAPED, _RAW)  # left to right, so an escaped backslash is one
    return pl.when(column.str.contains("\\", literal=True)).then(undone).otherwise(column)


def lexical(column: pl.Expr) -> pl.Expr:
    """The lexical form of a literal term (null for other terms)."""
    return unescape(column.str.extract(LITERAL, 1))


def datatype(column: pl.Expr) -> pl.Expr:
    """The datatype IRI of a literal term (null for other terms)."""
    parts = column.str.extract_groups(LITERAL)
    return (
        pl.when(parts.struct.field("3").is_not_null())
        .then(pl.lit(RDF_LANG_STRING))
        .when(is_literal(column))
        .then(parts.struct.field("2").fill_null(XSD_STRING))
    )


def language(column: pl.Expr) -> pl.Expr:
    """The language tag of a literal term (null without one)."""
    return column.str.extract(LITERAL, 3)


def text(column: pl.Expr) -> pl.Expr:
    """The string SHACL matches patterns and lengths against: an IRI's text, a literal's lexical form."""
    return pl.when(is_iri(column)).then(column.str.slice(1, column.str.len_chars() - 2)).otherwise(lexical(column))
