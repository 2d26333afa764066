"""Read RDF from outside safely: nothing is fetched, nothing is expanded, size is bounded.

- JSON-LD: a ``@context`` may only be an inline object or the policeonto context's IRI (resolved to the
  packaged copy); any other remote or ``file:`` context is refused before parsing.
- RDF/XML: a document with a DOCTYPE or entity declaration is refused before parsing (no billion laughs,
  no external entities).
- ``owl:imports`` are data like any other triple: never followed.
- Inputs larger than a bound (default 2 GiB) are refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.sax import SAXParseException

import rdflib
from rdflib import Dataset, Graph
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax

from policeonto.errors import InstanceDataError
from policeonto.vocab import ARTEFACTS, artefact_path

__all__ = ["CONTEXT_IRI", "MAX_BYTES", "is_rdf", "raw_literals", "rdf_format_of", "read_bounded", "read_rdf"]

MAX_BYTES = 2 << 30
CONTEXT_IRI = "https://w3id.org/policeonto/context.jsonld"
_FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".nq": "nquads",
    ".trig": "trig",
}
_JSONLD_KEYWORDS = (b'"@context"', b'"@id"', b'"@graph"', b'"@type"')


def is_rdf(path: Path) -> bool:
    """Whether *path* is read as RDF: by its extension, and for ``.json`` only when it is JSON-LD (a
    keyword such as ``@context`` near the start); other JSON files are source exports.

    >>> is_rdf(Path("export.ttl")), is_rdf(Path("export.csv"))
    (True, False)
    """
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        return False
    if suffix != ".json":
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(1 << 16)
    except OSError:
        return True  # reading it as RDF reports the error
    return any(keyword in head for keyword in _JSONLD_KEYWORDS)


_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
# What rdflib's parsers raise for bad input: notation3's BadSyntax, SAX errors, plain value, key and index
# errors (a Turtle literal with ^^ and no datatype), and assertions (a Turtle string without its quote).
_PARSE_ERRORS = (
    BadSyntax,
    SAXParseException,
    ParserError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    AssertionError,
)


def rdf_format_of(path: Path) -> str:
    """rdflib's format name for a file, from its extension.

    Raises:
        InstanceDataError: the extension is not an RDF syntax policeonto reads.
    """
    try:
        return _FORMATS[path.suffix.lower()]
    except KeyError:
        raise InstanceDataError(f"not an RDF file extension ({', '.join(sorted(_FORMATS))})", path=path) from None


def _local_contexts(node: Any, path: Path) -> Any:
    """Replace the policeonto context IRI by the packaged context; refuse any other remote context."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "@context":
                out[key] = _context(value, path)
            else:
                out[key] = _local_contexts(value, path)
        return out
    if isinstance(node, list):
        return [_local_contexts(item, path) for item in node]
    return node


def _context(value: Any, path: Path) -> Any:
    if isinstance(value, list):
        return [_context(item, path) for item in value]
    if isinstance(value, str):
        if value == CONTEXT_IRI:
            return json.loads(artefact_path(ARTEFACTS["context"]).read_text(encoding="utf-8"))["@context"]
        raise InstanceDataError(
            f"refused to fetch the JSON-LD context {value!r}: only inline contexts and {CONTEXT_IRI} are allowed",
            path=path,
        )
    if isinstance(value, dict):
        if "@import" in value:
            raise InstanceDataError("refused a JSON-LD context with @import", path=path)
        return value
    return value


@contextmanager
def raw_literals() -> Iterator[None]:
    """Parse literals as written: rdflib otherwise rewrites lexical forms (``"1"^^xsd:boolean`` becomes
    ``"true"``, an ill-typed ``"none"`` becomes ``"false"``), which hides what a validator must see."""
    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = before


def read_bounded(path: Path, *, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of *path*, if it is no larger than *max_bytes*.

    Raises:
        InstanceDataError: the file is unreadable or too large.
    """
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InstanceDataError(f"is {size:,} bytes, over the limit of {max_bytes:,}", path=path)
        return path.read_bytes()
    except OSError as exc:
        raise InstanceDataError(f"cannot read: {exc.strerror or exc}", path=path) from exc


def read_rdf(path: Path, *, max_bytes: int = MAX_BYTES) -> Graph:
    """Parse the RDF file at *path* without fetching anything; the triples of every graph of an N-Quads or
    TriG file are read into the one graph returned.

    Raises:
        InstanceDataError: the file is too large, unreadable, refers to something outside, declares a
            DOCTYPE or entities, or is not valid in its syntax (with the parser's line where it gives one).
    """
    fmt = rdf_format_of(path)
    data = read_bounded(path, max_bytes=max_bytes)
    graph = Graph(bind_namespaces="none")
    try:
        if fmt == "xml":
            if _DOCTYPE.search(data):
                raise InstanceDataError("RDF/XML with a DOCTYPE or entity declaration is refused", path=path)
            graph.parse(data=data, format="xml")
        elif fmt == "json-ld":
            try:
                document = json.loads(data)
            except json.JSONDecodeError as exc:
                raise InstanceDataError(
                    f"not valid JSON: {exc.msg}", path=path, line=exc.lineno, column=exc.colno
                ) from exc
            graph.parse(data=json.dumps(_local_contexts(document, path)), format="json-ld")
        elif fmt in {"nquads", "trig"}:  # the triples of every graph, named or default, are validated
            dataset = Dataset()
            dataset.parse(data=data.decode("utf-8"), format=fmt)
            for subject, predicate, obj, _ in dataset.quads((None, None, None, None)):
                graph.add((subject, predicate, obj))
        else:
            graph.parse(data=data.decode("utf-8"), format=fmt)
    except InstanceDataError:
        raise
    except UnicodeDecodeError as exc:
        raise InstanceDataError("not UTF-8 text", path=path) from exc
    except _PARSE_ERRORS as exc:
        line = getattr(exc, "lines", None) or getattr(exc, "line", None)
        raise InstanceDataError(
            f"not valid {fmt}: {str(exc).splitlines()[0][:300]}",
            path=path,
            line=line if isinstance(line, int) else None,
        ) from exc
    return graph
