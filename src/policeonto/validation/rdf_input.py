"""Read RDF from outside safely: nothing is fetched, nothing is expanded, size is bounded.

- JSON-LD: a ``@context`` may only be an inline object or the policeonto context's IRI (resolved to the
  packaged copy); any other remote or ``file:`` context is refused before parsing, wherever it appears
  (in a node, in ``@graph``, or scoped inside a term definition), and so is ``@import``.
- RDF/XML: a document with a DOCTYPE or entity declaration is refused before parsing (no billion laughs,
  no external entities), whatever encoding it declares.
- ``owl:imports`` are data like any other triple: never followed.
- Inputs larger than ``Limits.file_size`` (default 2 GiB) are refused, and so are literals larger than
  ``Limits.field_size``, IRIs longer than ``Limits.iri_size`` and N-Triples or N-Quads lines longer than
  ``Limits.line_size``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.sax import SAXParseException

import pyoxigraph as ox
import rdflib
from rdflib import Dataset, Graph
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax

from policeonto.errors import InstanceDataError, UnsafeInputError, shorten
from policeonto.limits import Limits, number_error, read_bounded
from policeonto.quiet import RDFLIB_LITERALS, quieted
from policeonto.rdf_formats import EXTENSIONS, SNIFFED, by_name, from_extension
from policeonto.safety import SURROGATE_ESCAPE, screen_xml
from policeonto.vocab import ARTEFACTS, artefact_path

__all__ = [
    "CONTEXT_IRI",
    "MAX_BYTES",
    "check_iri",
    "is_rdf",
    "raw_literals",
    "rdf_format_of",
    "read_rdf",
    "safe_rdf_bytes",
    "screen_terms",
]

MAX_BYTES = Limits().file_size
CONTEXT_IRI = "https://w3id.org/policeonto/context.jsonld"
_JSONLD_KEYWORDS = (b'"@context"', b'"@id"', b'"@graph"', b'"@type"')


def is_rdf(path: Path) -> bool:
    """Whether *path* is read as RDF: by its extension, and for ``.json`` only when it is JSON-LD (a
    keyword such as ``@context`` near the start); other JSON files are source exports.

    >>> is_rdf(Path("export.ttl")), is_rdf(Path("export.csv"))
    (True, False)
    """
    if from_extension(path) is None:
        return False
    if path.suffix.lower() != SNIFFED or not path.is_file():
        return True  # reading it as RDF reports what it is (a FIFO is not opened)
    try:
        with path.open("rb") as handle:
            head = handle.read(1 << 16)
    except OSError:
        return True  # reading it as RDF reports the error
    return any(keyword in head for keyword in _JSONLD_KEYWORDS)


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
    RecursionError,
    LookupError,  # an XML declaration naming an encoding that does not exist
)


def rdf_format_of(path: Path) -> str:
    """rdflib's format name for a file, from its extension.

    Raises:
        InstanceDataError: the extension is not an RDF syntax policeonto reads.
    """
    syntax = from_extension(path)
    if syntax is None:
        raise InstanceDataError(f"not an RDF file extension ({', '.join(sorted(EXTENSIONS))})", path=path)
    return syntax.rdflib


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
        # a term definition may carry a scoped context of its own, which a JSON-LD 1.1 processor fetches
        return _context_member(value, path)
    return value


def _context_member(value: Any, path: Path) -> Any:
    """A term definition (or anything inside a context): its scoped ``@context`` members are screened."""
    if isinstance(value, dict):
        if "@import" in value:
            raise InstanceDataError("refused a JSON-LD context with @import", path=path)
        return {
            key: _context(item, path) if key == "@context" else _context_member(item, path)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_context_member(item, path) for item in value]
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


def _long_line(data: bytes, limit: int) -> int | None:
    """The number of the first line of *data* longer than *limit* bytes, or None."""
    start, number = 0, 1
    while (end := data.find(b"\n", start)) != -1 or start < len(data):
        end = len(data) if end == -1 else end
        if end - start > limit:
            return number
        start, number = end + 1, number + 1
    return None


def safe_rdf_bytes(path: Path, *, limits: Limits = Limits()) -> tuple[str, bytes]:
    """The rdflib format and the bytes of the RDF file at *path*, once they are known safe to hand to a
    parser: within the size limits, RDF/XML without a DTD, JSON-LD with no context from outside (the
    policeonto context is replaced by its packaged copy).

    Raises:
        InstanceDataError: the file is too large, has a line over the limit (N-Triples, N-Quads), declares
            a DOCTYPE or entities, or names a context outside.
    """
    fmt = rdf_format_of(path)
    data = read_bounded(path, limits)
    if fmt in {"nt", "nquads"} and len(data) > limits.line_size and (line := _long_line(data, limits.line_size)):
        raise InstanceDataError(f"the line is over the limit ({limits.hint('line_size')})", path=path, line=line)
    if fmt == "xml":
        try:
            screen_xml(data)
        except UnsafeInputError as exc:
            raise InstanceDataError(f"RDF/XML refused: {exc}", path=path) from exc
    elif fmt == "json-ld":
        try:
            document = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InstanceDataError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno, column=exc.colno) from exc
        except (UnicodeDecodeError, RecursionError) as exc:
            raise InstanceDataError(f"not valid JSON: {exc}", path=path) from exc
        except ValueError as exc:  # Python's refusal of a number with thousands of digits
            raise InstanceDataError(f"not valid JSON: {number_error(exc)}", path=path) from exc
        try:
            data = json.dumps(_local_contexts(document, path)).encode("utf-8")
        except RecursionError as exc:
            raise InstanceDataError("JSON-LD nested too deeply", path=path) from exc
    return fmt, data


def _check_terms(graph: Graph, path: Path, limits: Limits) -> None:
    """Refuse an IRI longer than ``limits.iri_size`` or a literal larger than ``limits.field_size``."""
    literal, iri = limits.field_size // 4, limits.iri_size // 4  # a character is at most four bytes of UTF-8
    for subject, predicate, obj in graph:
        for term in (subject, predicate, obj):
            if isinstance(term, rdflib.URIRef) and len(term) > iri:
                check_iri(str(term), path, limits)
        if isinstance(obj, rdflib.Literal) and len(obj) > literal:
            _check_literal(str(obj), f"<{shorten(str(subject))}> <{shorten(str(predicate))}>", path, limits)


def check_iri(iri: str, path: Path, limits: Limits) -> None:
    """Refuse *iri*, read from the file at *path*, if it is longer than ``limits.iri_size`` bytes.

    >>> try:
    ...     check_iri("https://example.org/" + "x" * 9000, Path("in.ttl"), Limits())
    ... except InstanceDataError as exc:
    ...     print(str(exc)[:52], "...", str(exc)[-12:])
    in.ttl: an IRI of 9,020 bytes, over the limit (the i ... xxxxxxxxxx…'
    """
    if len(iri) > limits.iri_size // 4 and (size := len(iri.encode("utf-8", "surrogatepass"))) > limits.iri_size:
        raise InstanceDataError(
            f"an IRI of {size:,} bytes, over the limit ({limits.hint('iri_size')}): {shorten(iri)!r}", path=path
        )


def _check_literal(value: str, where: str, path: Path, limits: Limits) -> None:
    if (size := len(value.encode("utf-8", "surrogatepass"))) > limits.field_size:
        raise InstanceDataError(
            f"the literal of {where} is {size:,} bytes, over the limit ({limits.hint('field_size')})", path=path
        )


def screen_terms(path: Path, *, syntax: str, limits: Limits = Limits(), data: bytes | None = None) -> int:
    """Read the RDF file at *path* (or its screened bytes *data*) with Oxigraph's parser, as a store would,
    without keeping it: the check made before a file goes to a store unvalidated. Returns the triples read.

    Raises:
        InstanceDataError: an IRI over ``limits.iri_size``, a literal over ``limits.field_size``, a token
            over the 16 MiB Oxigraph's parser holds, or not valid in its syntax.
    """
    source = {"input": data} if data is not None else {"path": str(path)}
    count = 0
    try:
        for quad in ox.parse(**source, format=by_name(syntax).oxigraph):  # type: ignore[arg-type]
            count += 1
            for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
                if isinstance(term, ox.NamedNode):
                    check_iri(term.value, path, limits)
                elif isinstance(term, ox.Literal) and len(term.value) > limits.field_size // 4:
                    _check_literal(term.value, f"<{shorten(str(quad.subject.value))}>", path, limits)
    except SyntaxError as exc:
        raise InstanceDataError(f"not valid {syntax}: {shorten(str(exc).splitlines()[0], 300)}", path=path) from exc
    except MemoryError as exc:  # Oxigraph's parser: "Reached the buffer maximal size of 16777216"
        raise InstanceDataError(
            "a token (an IRI or literal) is over 16M, the most Oxigraph's parser reads", path=path
        ) from exc
    return count


def _parse_into(graph: Graph, data: bytes, fmt: str) -> None:
    """Parse *data* in rdflib's *fmt* into *graph*; the triples of every graph of N-Quads or TriG."""
    if fmt in {"xml", "json-ld"}:
        graph.parse(data=data, format=fmt)
    elif fmt in {"nquads", "trig"}:  # the triples of every graph, named or default, are validated
        dataset = Dataset()
        dataset.parse(data=data.decode("utf-8"), format=fmt)
        for subject, predicate, obj, _ in dataset.quads((None, None, None, None)):
            graph.add((subject, predicate, obj))
    else:
        graph.parse(data=data.decode("utf-8"), format=fmt)


def read_rdf(path: Path, *, limits: Limits = Limits()) -> Graph:
    """Parse the RDF file at *path* without fetching anything; the triples of every graph of an N-Quads or
    TriG file are read into the one graph returned.

    Raises:
        InstanceDataError: the file is too large, unreadable, refers to something outside, declares a
            DOCTYPE or entities, has a literal over the field limit, or is not valid in its syntax (with the
            parser's line where it gives one).
    """
    fmt, data = safe_rdf_bytes(path, limits=limits)
    graph = Graph(bind_namespaces="none")
    try:
        with quieted(RDFLIB_LITERALS):  # rdflib logs a traceback per ill-typed literal; validation finds them
            _parse_into(graph, data, fmt)
    except UnicodeDecodeError as exc:
        raise InstanceDataError("not UTF-8 text", path=path) from exc
    except _PARSE_ERRORS as exc:
        line = getattr(exc, "lines", None) or getattr(exc, "line", None)
        raise InstanceDataError(
            f"not valid {fmt}: {str(exc).splitlines()[0][:300]}",
            path=path,
            line=line if isinstance(line, int) else None,
        ) from exc
    if SURROGATE_ESCAPE.search(data):
        _check_surrogates(graph, path)
    _check_terms(graph, path, limits)
    return graph


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_surrogates(graph: Graph, path: Path) -> None:
    """Refuse a term holding a UTF-16 surrogate escape: it is no character, and cannot be written out."""
    for triple in graph:
        for term in triple:
            if _SURROGATE.search(str(term)):
                raise InstanceDataError(
                    f"{str(term).encode('utf-8', 'backslashreplace').decode()[:120]!r} holds a \\u escape of "
                    "a UTF-16 surrogate (D800 to DFFF), which is not a character",
                    path=path,
                )
