"""What a query or update may reach outside the store: nothing, unless the caller lists it.

SPARQL reaches the network two ways: a ``SERVICE`` clause sends a query to another endpoint (federation),
and an update's ``LOAD`` fetches a document. Neither pyoxigraph nor a SPARQL server can be told not to, so
:func:`check_reach` reads the text first and refuses every ``SERVICE`` or ``LOAD`` whose target is not one
the caller listed, before anything is sent.

The reading is a tokenizer, not a parser, and it fails closed:

- strings, IRIs and comments are skipped as SPARQL's grammar has them, so ``"service"`` or
  ``<http://example.org/load>`` is no keyword;
- where ``<`` could start an IRI or be the operator "less than", and the choice changes what follows (the
  IRI's text before any ``//`` holds ``service``, ``load``, a quote or a ``#``), both readings are followed;
- a keyword is any run of letters in a bare word (``1.SERVICE`` holds one), or after a dot in a prefixed
  name, compared case-insensitively;
- a target is an IRI (its ``\\u`` escapes decoded) or a prefixed name resolved by the query's ``PREFIX``
  declarations; a variable (``SERVICE ?s``), a relative IRI, an undeclared prefix or anything else that
  cannot be told is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from policeonto.errors import StoreError, shorten

__all__ = ["Token", "check_reach", "next_tokens", "skip_space", "unescape"]

_KEYWORDS = {"service": "SERVICE", "load": "LOAD"}
_IRI = re.compile(r"<((?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)>")
_STRING = re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'"
                     r"|\"(?:[^\"\\\n\r]|\\.)*\"", re.DOTALL)  # fmt: skip
_VARIABLE = re.compile(r"[?$]\w*")
_NAME = re.compile(r"(?:[\w\-.:%]|\\.)+")
_BLANK = re.compile(r"\s*")
_LETTERS = re.compile(r"[^\W\d_]+")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_CHOICE = re.compile(r"service|load|['\"#]")  # in an IRI's text: the operator reading may differ after it
# after a keyword, these cannot start a target: the word was no keyword (``<http://e/service>`` read as operators)
_NOT_A_TARGET = set("!\"#%&'()*+,-./;=>@[]^`{|}~")


@dataclass(frozen=True)
class Token:
    kind: str  # iri, name, variable, string, other
    text: str
    end: int


def check_reach(sparql: str, *, allowed: Iterable[str] = (), store: str) -> None:
    """Refuse *sparql* if it has a ``SERVICE`` or ``LOAD`` whose target is not in *allowed*.

    >>> check_reach("SELECT * WHERE { ?s ?p 'SERVICE <http://e/x> {}' }", store="memory")
    >>> check_reach("select * { service <http://e/x> { ?s ?p ?o } }", store="memory")
    Traceback (most recent call last):
    policeonto.errors.StoreError: memory: refused: SERVICE <http://e/x> reaches outside the store; ...
    >>> check_reach("SELECT * { SERVICE <http://e/x> { ?s ?p ?o } }", allowed=["http://e/x"], store="memory")

    Raises:
        StoreError: a target is not allowed, or cannot be told (named by the keyword and the target).
    """
    allowed = set(allowed)
    prefixes = _prefixes(sparql)
    for keyword, target in _uses(sparql):
        for endpoint in _resolved(keyword, target, prefixes, store):
            if endpoint not in allowed:
                raise StoreError(
                    f"refused: {keyword} <{shorten(endpoint)}> reaches outside the store; list it with "
                    "`--federate URL` (`federate=` in the library) to allow it",
                    store=store,
                )


def _resolved(keyword: str, target: Token, prefixes: dict[str, set[str]], store: str) -> set[str]:
    """The IRIs *target* can stand for."""
    if target.kind == "iri":
        endpoint = unescape(target.text)
        if _ABSOLUTE.match(endpoint):
            return {endpoint}
    elif target.kind == "name" and ":" in target.text:
        prefix, _, local = target.text.rstrip(".").partition(":")
        local = re.sub(r"\\(.)", r"\1", local)
        bases = prefixes.get(prefix, set())
        if bases and all(_ABSOLUTE.match(base) for base in bases):
            return {base + local for base in bases}
    what = shorten(target.text, 40)
    raise StoreError(
        f"refused: {keyword} {what}: where it reaches cannot be told before it runs (only an IRI, or a "
        "declared prefixed name, listed with `--federate URL` is reached)",
        store=store,
    )


def _uses(sparql: str) -> Iterator[tuple[str, Token]]:
    """Each keyword that reaches outside and the token naming its target, under every reading."""
    for token in _every_token(sparql):
        if token.kind != "name":
            continue
        # a prefixed name holds no keyword, unless a parser could end it at a dot (``ex:o.SERVICE``)
        words = token.text.split(".")[1:] if ":" in token.text else [token.text]
        for run in (run for word in words for run in _LETTERS.findall(word)):
            keyword = _KEYWORDS.get(run.casefold()) or _KEYWORDS.get(run.upper().lower())
            if keyword is None:
                continue
            for target in _targets(sparql, token.end):
                if target is None or (target.kind == "other" and target.text in _NOT_A_TARGET):
                    continue  # the word was no keyword (or this reading ends in it, and is no query)
                yield keyword, target


def _targets(sparql: str, start: int) -> Iterator[Token | None]:
    """The tokens that can follow *start* as a target: the next one, or the one after ``SILENT`` (where an
    IRI can start, ``<`` read as "less than" is no target)."""
    for first in _candidates(sparql, start):
        if first is not None and first.kind == "name" and first.text.upper() == "SILENT":
            yield from _candidates(sparql, first.end)
        else:
            yield first


def _candidates(sparql: str, start: int) -> list[Token | None]:
    found = next_tokens(sparql, start)
    if any(token.kind == "iri" for token in found):
        return [token for token in found if token.kind == "iri"]
    return list(found) or [None]  # None: the text ends


def _every_token(sparql: str) -> Iterator[Token]:
    """Every token of every reading of *sparql* (each position read once)."""
    seen, todo = set(), [0]
    while todo:
        position = todo.pop()
        if position in seen:
            continue
        seen.add(position)
        for token in next_tokens(sparql, position):
            yield token
            todo.append(token.end)


def next_tokens(sparql: str, position: int) -> list[Token]:
    """The tokens that can start at *position* (after space and comments): two where ``<`` is ambiguous."""
    position = skip_space(sparql, position)
    if position >= len(sparql):
        return []
    char = sparql[position]
    if char == "<" and (iri := _IRI.match(sparql, position)):
        token = Token("iri", iri.group(1), iri.end())
        # read as "less than", '<' leaves a reading alive only until a '//' (never valid outside an IRI, a
        # string or a comment); that reading differs if something before it is a keyword or changes state
        before = iri.group(1).split("//", 1)[0]
        return [token, Token("other", "<", position + 1)] if _CHOICE.search(before.casefold()) else [token]
    if char in "'\"":
        string = _STRING.match(sparql, position)  # unterminated: this reading is no query, and ends
        return [Token("string", "", string.end())] if string else []
    if char in "?$" and (variable := _VARIABLE.match(sparql, position)) and variable.end() > position + 1:
        return [Token("variable", variable.group(), variable.end())]
    if name := _NAME.match(sparql, position):
        return [Token("name", name.group(), name.end())]
    return [Token("other", char, position + 1)]


def unescape(iri: str) -> str:
    """An IRI's text with its ``\\u`` and ``\\U`` escapes decoded."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri)


def skip_space(sparql: str, position: int) -> int:
    """The position after the space and comments at *position*."""
    while True:
        position = _BLANK.match(sparql, position).end()
        if position >= len(sparql) or sparql[position] != "#":
            return position
        ends = [end for end in (sparql.find("\n", position), sparql.find("\r", position)) if end != -1]
        position = min(ends, default=len(sparql))


def _prefixes(sparql: str) -> dict[str, set[str]]:
    """What each prefix the query declares may stand for (every declaration under every reading)."""
    declared: dict[str, set[str]] = {}
    for token in _every_token(sparql):
        if token.kind == "name" and token.text.upper() == "PREFIX":
            for name in next_tokens(sparql, token.end):
                if name.kind == "name" and name.text.endswith(":"):
                    for iri in next_tokens(sparql, name.end):
                        if iri.kind == "iri":
                            value = unescape(iri.text)
                            declared.setdefault(name.text[:-1], set()).add(value)
    return declared
