"""RDF terms as N-Triples strings, the one currency of the columnar engine.

An IRI is ``<iri>``, a blank node ``_:label``, a literal ``"lexical"``, ``"lexical"@lang`` or
``"lexical"^^<datatype>``, escaped as canonical N-Triples escapes it and with ``xsd:string`` left
implicit, so that two equal terms are two equal strings.

>>> from rdflib import Literal, URIRef, XSD
>>> term(Literal("say \\"hi\\"\\n", datatype=XSD.string)), term(URIRef("http://example.org/a"))
('"say \\\\"hi\\\\"\\\\n"', '<http://example.org/a>')
>>> node(term(Literal("7", datatype=XSD.integer))) == Literal("7", datatype=XSD.integer)
True
"""

from __future__ import annotations

import polars as pl
from rdflib import BNode, Literal, Node, URIRef
from rdflib.util import from_n3

__all__ = [
    "RDFS_SUBCLASS_OF",
    "RDF_LANG_STRING",
    "RDF_TYPE",
    "XSD",
    "XSD_STRING",
    "escape",
    "is_blank",
    "is_iri",
    "is_literal",
    "lexical",
    "node",
    "term",
    "text",
    "unescape",
]

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_SUBCLASS_OF = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
LITERAL = r'^"((?s:.*))"(?:\^\^<([^>]*)>|@([A-Za-z][A-Za-z0-9-]*))?$'


def escape(text: str) -> str:
    """Escape a lexical form as canonical N-Triples does."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def term(value: Node) -> str:
    """The N-Triples string of an rdflib term."""
    if isinstance(value, URIRef):
        return f"<{value}>"
    if isinstance(value, BNode):
        return f"_:{value}"
    if isinstance(value, Literal):
        quoted = f'"{escape(str(value))}"'
        if value.language:
            return f"{quoted}@{value.language}"
        if value.datatype is not None and str(value.datatype) != XSD_STRING:
            return f"{quoted}^^<{value.datatype}>"
        return quoted
    raise TypeError(f"not an RDF term: {value!r}")


def node(text: str) -> Node:
    """The rdflib term of an N-Triples string."""
    if text.startswith("_:"):
        return BNode(text[2:])
    return from_n3(text)


def is_iri(column: pl.Expr) -> pl.Expr:
    return column.str.starts_with("<")


def is_blank(column: pl.Expr) -> pl.Expr:
    return column.str.starts_with("_:")


def is_literal(column: pl.Expr) -> pl.Expr:
    return column.str.starts_with('"')


def unescape(column: pl.Expr) -> pl.Expr:
    """Undo N-Triples escapes in lexical forms (only where there is a backslash)."""
    undone = (
        column.str.replace_all("\\\\", "\x00", literal=True)
        .str.replace_all('\\"', '"', literal=True)
        .str.replace_all("\\n", "\n", literal=True)
        .str.replace_all("\\r", "\r", literal=True)
        .str.replace_all("\\t", "\t", literal=True)
        .str.replace_all("\x00", "\\", literal=True)
    )
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
