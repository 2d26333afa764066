"""RDF terms as N-Triples text: the one place a term (an rdflib term, a pyoxigraph term, the parts of a
SPARQL JSON binding, a plain value) becomes the string the fast engine, the stores and the mapping share.

The rule: an IRI is ``<iri>``, a blank node ``_:label``, a literal ``"lexical"``, ``"lexical"@lang`` or
``"lexical"^^<datatype>``, with ``xsd:string`` left implicit and the lexical form escaped by
:data:`ESCAPES` (backslash, double quote, line feed, carriage return: what N-Triples must escape, and
nothing else), so two equal terms are two equal strings. The mapping's vectorised polars templates apply
the same :data:`ESCAPES` column-wise (``mapping/plan.py``), so both forms write the same bytes.

One deliberate exception: a term that comes out of Oxigraph (:func:`from_oxigraph`, the embedded store's
query results and the SHACL-SPARQL constraints) keeps Oxigraph's own text, which also escapes tabs
(``\\t``), backspace and form feed (``\\b``, ``\\f``) and the other control characters (``\\u0000``).
Both spellings are valid N-Triples for the same term, and read back (``node``) to the same value.

>>> literal('say "hi"\\n'), literal("7", datatype=XSD + "integer"), literal("Bonjour", language="fr")
('"say \\\\"hi\\\\"\\\\n"', '"7"^^<http://www.w3.org/2001/XMLSchema#integer>', '"Bonjour"@fr')
>>> iri("http://example.org/a"), blank("b0")
('<http://example.org/a>', '_:b0')
>>> node(term(Literal("7", datatype=XSD + "integer"))) == Literal("7", datatype=XSD + "integer")
True
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, Node, URIRef
from rdflib.util import from_n3

__all__ = [
    "ESCAPES",
    "RDFS_SUBCLASS_OF",
    "RDF_LANG_STRING",
    "RDF_TYPE",
    "XSD",
    "XSD_STRING",
    "blank",
    "escape",
    "from_oxigraph",
    "iri",
    "literal",
    "node",
    "term",
]

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_SUBCLASS_OF = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"

#: How a lexical form is escaped, in the order the replacements must run (the backslash first, so the
#: backslashes the others add are not doubled). Used as it is by the scalar :func:`escape` and, column by
#: column, by the mapping's vectorised literal template.
ESCAPES: tuple[tuple[str, str], ...] = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"))


def escape(text: str) -> str:
    """*text*, a lexical form, escaped by :data:`ESCAPES` to go between a literal's quotes.

    >>> print(escape('a\\\\b "c"'))
    a\\\\b \\"c\\"
    """
    for raw, escaped in ESCAPES:
        text = text.replace(raw, escaped)
    return text


def iri(value: str) -> str:
    """The N-Triples term of the IRI *value* (not checked: callers that take IRIs from outside check them)."""
    return f"<{value}>"


def blank(label: str) -> str:
    """The N-Triples term of the blank node labelled *label*."""
    return f"_:{label}"


def literal(lexical: str, *, datatype: str | None = None, language: str | None = None) -> str:
    """The N-Triples term of a literal: *lexical* escaped, with its *language* tag or else its *datatype*
    IRI (none for ``xsd:string`` or None)."""
    quoted = f'"{escape(lexical)}"'
    if language:
        return f"{quoted}@{language}"
    if datatype is not None and datatype != XSD_STRING:
        return f"{quoted}^^<{datatype}>"
    return quoted


def term(value: Node) -> str:
    """The N-Triples term of an rdflib term.

    Raises:
        TypeError: *value* is no IRI, blank node or literal.
    """
    if isinstance(value, URIRef):
        return iri(str(value))
    if isinstance(value, BNode):
        return blank(str(value))
    if isinstance(value, Literal):
        datatype = None if value.datatype is None else str(value.datatype)
        return literal(str(value), datatype=datatype, language=value.language)
    raise TypeError(f"not an RDF term: {value!r}")


def from_oxigraph(value: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """The N-Triples term of a pyoxigraph term, as Oxigraph writes it (see the module's one exception).

    >>> from_oxigraph(ox.Literal("a\\tb"))
    '"a\\\\tb"'
    """
    return str(value)


def node(text: str) -> Node:
    """The rdflib term of an N-Triples term."""
    if text.startswith("_:"):
        return BNode(text[2:])
    return from_n3(text)
