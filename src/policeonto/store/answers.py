"""A SPARQL server's answers read as query results: SPARQL 1.1 JSON results, or N-Triples for CONSTRUCT and
DESCRIBE. The answer comes from a server, so nothing in it is trusted: it must be UTF-8, JSON must be SPARQL
results made of well-formed terms, and anything else is a :class:`StoreError` saying what is wrong (never
an error from deeper down). The bytes are decoded, then freed before the text is parsed, so an answer is
never held three times over.

>>> answer = bytearray(b'{"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri", "value": "http://e.org/a"}}]}}')
>>> parse_answer(answer, "application/sparql-results+json", store="http://127.0.0.1:7878").rows
(('<http://e.org/a>',),)
>>> len(answer)  # freed
0
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from policeonto.errors import StoreError
from policeonto.safety import SURROGATE_ESCAPE
from policeonto.store.credentials import printable
from policeonto.store.results import QueryResult
from policeonto.terms import XSD_STRING, blank, iri, literal

__all__ = ["N_TRIPLES", "parse_answer", "values_of"]

N_TRIPLES = "application/n-triples"
#: What an IRIREF may not hold (RDF 1.1 N-Triples): space and control characters, ``<>"{}|^`\``.
_NO_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_LABEL = re.compile(r"[^\x00-\x20<>\"{}|^`\\]+")


def parse_answer(body: bytearray, media: str, *, store: str) -> QueryResult:
    """The query result in *body*, a server's answer of media type *media* (emptied once decoded).

    Raises:
        StoreError: the answer is not UTF-8, not JSON, not SPARQL results, or holds a malformed term.
    """
    surrogates = SURROGATE_ESCAPE.search(body) is not None
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StoreError(f"the server's answer is not UTF-8 (byte {exc.start:,})", store=store) from exc
    finally:
        body.clear()
    if media == N_TRIPLES:
        if surrogates:
            raise StoreError(
                "the server's answer holds a UTF-16 surrogate escape (D800 to DFFF), which is not a character",
                store=store,
            )
        return QueryResult(triples=tuple(line.rstrip("\r") for line in text.split("\n") if line.strip()))
    try:
        # each term becomes its N-Triples string as soon as it is parsed, not a dict kept to the end
        answer = json.loads(text, object_hook=functools.partial(_as_term, store=store))
    except json.JSONDecodeError as exc:
        raise _wrong(f"not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})", store) from exc
    except RecursionError as exc:
        raise _wrong("JSON nested too deeply", store) from exc
    except ValueError as exc:  # an integer of thousands of digits
        raise _wrong("a JSON number of thousands of digits", store) from exc
    del text
    result = _results(answer, store)
    if surrogates:
        _check_characters(result, store)
    return result


def values_of(result: QueryResult, name: str, *, store: str) -> set[str]:
    """The plain values of variable *name* in a server's *result*.

    Raises:
        StoreError: the result has no such variable.
    """
    if name not in result.variables:
        raise _wrong(f"no ?{name} in the results of a query that asked for it", store)
    return result.values(name)


def _wrong(what: str, store: str) -> StoreError:
    return StoreError(f"the server's answer is not SPARQL JSON results: {what}", store=store)


def _results(answer: Any, store: str) -> QueryResult:
    if not isinstance(answer, dict):
        raise _wrong("not a JSON object", store)
    if "boolean" in answer:
        if not isinstance(answer["boolean"], bool):
            raise _wrong("'boolean' is not true or false", store)
        return QueryResult(boolean=answer["boolean"])
    head, results = answer.get("head"), answer.get("results")
    variables = head.get("vars") if isinstance(head, dict) else None
    bindings = results.get("bindings") if isinstance(results, dict) else None
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        raise _wrong("no list of variable names in 'head'", store)
    if not isinstance(bindings, list):
        raise _wrong("no list of 'bindings' in 'results'", store)
    rows = []
    for binding in bindings:
        if not isinstance(binding, dict):
            raise _wrong("a binding is not a JSON object", store)
        row = tuple(binding.get(v) for v in variables)
        for variable, term in zip(variables, row, strict=True):
            if term is not None and not isinstance(term, tuple):  # a term is a 1-tuple by now (_as_term)
                raise _wrong(f"?{printable(variable)} is bound to no term (a term has a 'type' and a 'value')", store)
        rows.append(tuple(term[0] if term is not None else None for term in row))
    return QueryResult(variables=tuple(variables), rows=tuple(rows))


def _as_term(parsed: dict[str, Any], *, store: str) -> Any:
    """A JSON object as parsed: a term (it has a text ``type`` and a ``value``) as a 1-tuple of its
    N-Triples string (JSON makes no tuples, so a tuple in a binding is a term checked here), anything else
    as it is."""
    if isinstance(parsed.get("type"), str) and "value" in parsed:
        return (_term(parsed, store),)
    return parsed


def _term(binding: dict[str, Any], store: str) -> str:
    """A SPARQL JSON term as an N-Triples term."""
    kind, value = binding["type"], binding["value"]
    if not isinstance(value, str):
        raise _wrong(f"a term of type {printable(kind)!r} has a value that is no text", store)
    if kind == "uri":
        return iri(_iri(value, store))
    if kind == "bnode":
        if not _LABEL.fullmatch(value):
            raise _wrong(f"a blank node labelled {printable(value)!r}", store)
        return blank(value)
    if kind not in ("literal", "typed-literal"):
        raise _wrong(f"a term of type {printable(kind)!r}", store)
    language, datatype = binding.get("xml:lang"), binding.get("datatype")
    if language is not None:
        if not isinstance(language, str) or not _LANGUAGE.fullmatch(language):
            raise _wrong(f"a language tag that is none: {printable(str(language))!r}", store)
        return literal(value, language=language)
    if datatype is None or datatype == XSD_STRING:
        return literal(value)
    if not isinstance(datatype, str):
        raise _wrong("a datatype that is no IRI", store)
    return literal(value, datatype=_iri(datatype, store))


def _iri(value: str, store: str) -> str:
    if not value or _NO_IRI.search(value):
        raise _wrong(f"an IRI that is none: {printable(value)!r}", store)
    return value


def _check_characters(result: QueryResult, store: str) -> None:
    """Refuse a term holding a UTF-16 surrogate that pairs with none: it stands for no character, and cannot
    be written out."""
    for row in result.rows:
        for term in row:
            if term is not None and not _encodes(term):
                raise _wrong("a term holds a UTF-16 surrogate (D800 to DFFF), which is not a character", store)


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
