"""The names a user loaded graphs under, over the names the embedded store keeps them under.

Replacing a graph in Oxigraph under its own name costs the deletion of its old quads inside the swap, which
Oxigraph runs one quad at a time. So a graph that is replaced is written under a new *version* name
(``https://w3id.org/policeonto/graph/version/<uuid>``), and a *pointer* says which version holds the user's
graph: the pointers are kept outside the quads (a file in the store's folder, see
:mod:`policeonto.store.folder`; the store object for a store in memory), so replacing them is the one atomic
step, the old version is deleted after it, and no graph of the store holds them: a query runs over
Oxigraph's union of every graph, as fast as over one graph, unless a graph it must not see holds quads. A
graph never replaced keeps its own name, and needs no pointer.

Queries see the user's names only:

- a graph name written in a query after ``GRAPH``, ``FROM`` or ``FROM NAMED`` (an IRI or a prefixed name)
  is rewritten to the version that holds it;
- ``GRAPH ?g { ... }`` becomes ``{ VALUES (?v ?g) { ... } GRAPH ?v { ... } }``, ``?v`` a new variable and
  the table every visible graph's version and user name: ``?g`` is bound to the user's name, also where
  the pattern inside uses it (a dataset's graph describes itself, its name the subject of its provenance),
  and each solution stays one solution, as the table is one to one. The results leave ``?v`` out.

The reading is the tokenizer of :mod:`policeonto.store.federation`: strings, IRIs and comments are skipped,
so a graph name in a literal is left alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from policeonto.errors import StoreError, shorten
from policeonto.store.base import ENTAILED, STAGING, VERSIONS
from policeonto.store.federation import Token, next_tokens, skip_space, unescape

__all__ = ["POINTERS", "GraphNames", "graph_pointers", "new_version", "read_names", "rewrite"]

# where a store kept its pointers before the file, <user graph> <CURRENT> <version>: read once, then dropped;
# a version name written in a query is sent to it, as it names no graph a query may see
POINTERS = ox.NamedNode(f"{VERSIONS}current")
_CURRENT = ox.NamedNode(f"{VERSIONS}is")
# after these, an IRI or prefixed name is a graph name (in a query or an update; SILENT may come between)
_GRAPH_KEYWORDS = {"GRAPH", "FROM", "NAMED", "WITH", "USING", "INTO", "TO", "ADD", "MOVE", "COPY"}


@dataclass(frozen=True)
class GraphNames:
    """The store's named graphs as a query sees them: *shown* pairs each visible graph's stored name with
    the user's name (the same, unless replaced); *versions* maps a replaced graph's user name (and its
    ``/entailed`` companion's) to the version holding it; *hidden* are the stored graphs no query sees (a
    killed load's, staging graphs, an older store's graph of pointers, old versions): the next writer
    removes them."""

    shown: tuple[tuple[str, str], ...] = ()
    versions: Mapping[str, str] = field(default_factory=dict)
    hidden: tuple[str, ...] = ()

    def stored(self, graph: str) -> str:
        """The name the store keeps the user's *graph* under."""
        return self.versions.get(graph, graph)


def new_version() -> str:
    """A new version name for a graph being replaced."""
    return f"{VERSIONS}{uuid.uuid4()}"


def graph_pointers(store: ox.Store) -> dict[str, str]:
    """The pointers a store made before the versions file kept in the graph :data:`POINTERS`."""
    return {
        q.subject.value: q.object.value
        for q in store.quads_for_pattern(None, _CURRENT, None, POINTERS)
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)
    }


def read_names(store: ox.Store, pointers: Mapping[str, str], unfinished: Iterable[str] = ()) -> GraphNames:
    """The graph names of *store*, *pointers* giving the version holding each replaced graph and
    *unfinished* the graphs a load's journal names (still loading)."""
    current = {version: user for user, version in pointers.items()}
    skipped = set(unfinished)
    shown, hidden = [], []
    for name in (g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)):
        base, entailed = (name[: -len(ENTAILED)], ENTAILED) if name.endswith(ENTAILED) else (name, "")
        if name.startswith(STAGING) or name == POINTERS.value or name in skipped:
            hidden.append(name)
        elif name.startswith(VERSIONS) and base in current:
            shown.append((name, f"{current[base]}{entailed}"))
        elif name.startswith(VERSIONS) or base in pointers:  # an old version, or the name a version replaced
            hidden.append(name)
        else:
            shown.append((name, name))
    versions = dict(pointers) | {f"{user}{ENTAILED}": f"{version}{ENTAILED}" for user, version in pointers.items()}
    return GraphNames(shown=tuple(sorted(shown, key=lambda pair: pair[1])), versions=versions, hidden=tuple(hidden))


def rewrite(sparql: str, names: GraphNames, *, store: str, join: bool = True) -> tuple[str, frozenset[str]]:
    """*sparql* over the stored graph names, and the variables it adds (to leave out of the results). Without
    *join*, only the graph names it writes are rewritten (``GRAPH ?g`` is left as it is).

    >>> names = GraphNames(shown=(("https://e/v1", "https://e/g"),), versions={"https://e/g": "https://e/v1"})
    >>> rewrite("SELECT * { GRAPH <https://e/g> { ?s ?p '<https://e/g>' } }", names, store="memory")[0]
    "SELECT * { GRAPH <https://e/v1> { ?s ?p '<https://e/g>' } }"
    >>> text, added = rewrite("SELECT ?g { GRAPH ?g { ?g ?p ?o } }", names, store="memory")
    >>> text.replace(min(added), "?v")
    'SELECT ?g { { VALUES (?v ?g) { (<https://e/v1> <https://e/g>) } GRAPH ?v { ?g ?p ?o } } }'

    Raises:
        StoreError: a graph's name is a relative IRI under a ``BASE``, or a ``GRAPH ?g`` has no group.
    """
    if not names.versions:
        return sparql, frozenset()
    tokens = list(_tokens(sparql))
    prefixes: dict[str, str] = {}
    edits: list[tuple[int, int, str]] = []
    added: set[str] = set()
    based = False
    for index, (_, token) in enumerate(tokens):
        word = token.text.upper() if token.kind == "name" and ":" not in token.text else ""
        if word == "BASE":
            based = True
        if word == "PREFIX" and index + 2 < len(tokens):
            (_, name), (_, iri) = tokens[index + 1], tokens[index + 2]
            if name.kind == "name" and name.text.endswith(":") and iri.kind == "iri":
                prefixes[name.text[:-1]] = unescape(iri.text)
        if word not in _GRAPH_KEYWORDS:
            continue
        at = index + 1
        if at < len(tokens) and tokens[at][1].kind == "name" and tokens[at][1].text.upper() == "SILENT":
            at += 1
        if at >= len(tokens):
            continue
        start, target = tokens[at]
        if target.kind == "variable" and word == "GRAPH" and join:
            edits += _joined(sparql, tokens, index, at, names, added, store)
            continue
        graph = _resolved(target, prefixes, based, store)
        if graph is not None and graph.startswith(VERSIONS):  # a stored name: no graph a user loaded
            edits.append((start, target.end, f"<{POINTERS.value}>"))
        elif graph in names.versions:
            edits.append((start, target.end, f"<{names.versions[graph]}>"))
    for start, end, text in sorted(edits, reverse=True):
        sparql = sparql[:start] + text + sparql[end:]
    return sparql, frozenset(added)


def _joined(
    sparql: str,
    tokens: list[tuple[int, Token]],
    keyword: int,
    variable: int,
    names: GraphNames,
    added: set[str],
    store: str,
) -> list[tuple[int, int, str]]:
    """The edits that bind ``GRAPH ?g``'s variable to user names: a new variable over the stored names, and
    the table of both, in a group of their own (the table first, so ``SELECT *`` lists ``?g`` where it did)."""
    (start, _), (name_start, name) = tokens[keyword], tokens[variable]
    close = _group_end(tokens, variable + 1)
    if close is None:
        raise StoreError(f"cannot read the query: GRAPH {shorten(name.text, 40)} has no group", store=store)
    stored = _fresh(sparql, added)
    table = " ".join(f"(<{version}> <{user}>)" for version, user in names.shown)
    return [
        (start, start, f"{{ VALUES ({stored} ?{name.text[1:]}) {{ {table} }} "),
        (name_start, name.end, stored),
        (close, close, " }"),
    ]


def _group_end(tokens: list[tuple[int, Token]], at: int) -> int | None:
    """Where the group opened by the token at *at* ends (just after its ``}``)."""
    if at >= len(tokens) or tokens[at][1].text != "{":
        return None
    depth = 0
    for _, token in tokens[at:]:
        if token.kind == "other" and token.text in "{}":
            depth += 1 if token.text == "{" else -1
            if depth == 0:
                return token.end
    return None


def _fresh(sparql: str, added: set[str]) -> str:
    """A variable name that is nowhere in *sparql* and not added yet."""
    number = len(added)
    while f"?policeonto_graph_{number}" in sparql or f"?policeonto_graph_{number}" in added:
        number += 1
    added.add(f"?policeonto_graph_{number}")
    return f"?policeonto_graph_{number}"


def _resolved(token: Token, prefixes: Mapping[str, str], based: bool, store: str) -> str | None:
    """The IRI *token* names, or None if it names none (a prefix not declared: the query is refused)."""
    if token.kind == "iri":
        iri = unescape(token.text)
        if based and ":" not in iri:
            raise StoreError(
                f"cannot tell which graph <{shorten(iri, 40)}> is under BASE: write it as an absolute IRI",
                store=store,
            )
        return iri
    if token.kind == "name" and ":" in token.text:
        prefix, _, local = token.text.rstrip(".").partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local.replace("\\", "")
    return None


def _tokens(sparql: str) -> Iterator[tuple[int, Token]]:
    """Each token of *sparql* with where it starts (``<`` read as an IRI where it can be one, as SPARQL's
    tokenizer reads it)."""
    position = 0
    while found := next_tokens(sparql, position):
        token = found[0]
        yield skip_space(sparql, position), token
        position = token.end
