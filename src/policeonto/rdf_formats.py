"""The RDF syntaxes policeonto reads and writes: one entry each, with pyoxigraph's ``RdfFormat`` (which
knows the media type, the canonical extension and whether the syntax can name graphs), rdflib's name for
it, and the file extensions taken to mean it.

>>> from pathlib import Path
>>> syntax = from_extension(Path("export.owl"))
>>> syntax.name, syntax.rdflib, syntax.media_type, syntax.names_graphs
('xml', 'xml', 'application/rdf+xml', False)
>>> from_media_type("application/n-quads").name, by_name("json-ld").name
('nq', 'jsonld')
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pyoxigraph as ox

from policeonto.errors import OptionError

__all__ = [
    "EXTENSIONS",
    "SNIFFED",
    "SYNTAXES",
    "RdfFormat",
    "Syntax",
    "by_name",
    "from_extension",
    "from_media_type",
]


@dataclass(frozen=True)
class Syntax:
    """One RDF syntax: its short *name* (the store's syntax name and the extension policeonto writes),
    pyoxigraph's format, rdflib's parser and serializer name, and the file extensions that name it."""

    name: str
    oxigraph: ox.RdfFormat
    rdflib: str
    extensions: tuple[str, ...]

    @property
    def media_type(self) -> str:
        """The syntax's IANA media type, as pyoxigraph gives it."""
        return self.oxigraph.media_type

    @property
    def names_graphs(self) -> bool:
        """Whether a file in this syntax can put a triple in a named graph (N-Quads, TriG, JSON-LD)."""
        return self.oxigraph.supports_datasets


#: The registry: every RDF syntax policeonto knows.
SYNTAXES = (
    Syntax("nt", ox.RdfFormat.N_TRIPLES, "nt", (".nt",)),
    Syntax("nq", ox.RdfFormat.N_QUADS, "nquads", (".nq",)),
    Syntax("ttl", ox.RdfFormat.TURTLE, "turtle", (".ttl",)),
    Syntax("trig", ox.RdfFormat.TRIG, "trig", (".trig",)),
    Syntax("xml", ox.RdfFormat.RDF_XML, "xml", (".rdf", ".owl", ".xml")),
    Syntax("jsonld", ox.RdfFormat.JSON_LD, "json-ld", (".jsonld", ".json")),
)
_BY_EXTENSION = {extension: syntax for syntax in SYNTAXES for extension in syntax.extensions}
_BY_NAME = {name: syntax for syntax in SYNTAXES for name in (syntax.name, syntax.rdflib)}
#: Every file extension read as RDF.
EXTENSIONS = frozenset(_BY_EXTENSION)
#: The extension that is JSON-LD only when the content says so: other JSON files are source exports.
SNIFFED = ".json"


def from_extension(path: Path | str) -> Syntax | None:
    """The syntax a file name's extension (any case) names, or None.

    >>> from_extension("out.TTL").name, from_extension("out.csv")
    ('ttl', None)
    """
    return _BY_EXTENSION.get(Path(path).suffix.lower())


def from_media_type(media_type: str) -> Syntax | None:
    """The syntax of a media type (parameters such as ``; charset=utf-8`` allowed), or None.

    >>> from_media_type("text/turtle; charset=utf-8").name
    'ttl'
    """
    found = ox.RdfFormat.from_media_type(media_type)
    return next((syntax for syntax in SYNTAXES if syntax.oxigraph == found), None)


def by_name(name: str) -> Syntax:
    """The syntax with this short name (``nt``, ``nq``, ``ttl``, ``trig``, ``xml``, ``jsonld``) or rdflib
    name (``turtle``, ``nquads``, ``json-ld``...).

    Raises:
        KeyError: no syntax has that name.
    """
    return _BY_NAME[name]


class RdfFormat(StrEnum):
    """The RDF syntaxes policeonto writes, by their short names in the registry."""

    TURTLE = "ttl"
    NTRIPLES = "nt"
    JSONLD = "jsonld"

    @classmethod
    def from_extension(cls, path: Path) -> RdfFormat:
        """The format a file name's extension names: its short name or rdflib's (``.turtle``, ``.json-ld``).

        Raises:
            OptionError: the extension names none of them.

        >>> RdfFormat.from_extension(Path("out.nt"))
        <RdfFormat.NTRIPLES: 'nt'>
        """
        syntax = _BY_NAME.get(path.suffix.lower().lstrip("."))
        if syntax is None or syntax.name not in cls._value2member_map_:
            raise OptionError(
                f"{path}: unknown RDF file extension {path.suffix!r} (use .ttl, .nt or .jsonld)",
                option="format",
                value=path.suffix,
            )
        return cls(syntax.name)

    @property
    def syntax(self) -> Syntax:
        """The registry's entry for the format."""
        return _BY_NAME[self.value]

    @property
    def rdflib_name(self) -> str:
        """rdflib's name for the syntax."""
        return self.syntax.rdflib
