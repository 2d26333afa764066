"""SHACL-SPARQL constraints, run in an embedded Oxigraph store.

The query runs once for all focus nodes: ``$this`` becomes a variable joined with the focus nodes rather
than pre-bound one node at a time. Only the predicates the query names are loaded (with ``rdf:type`` and
``rdfs:subClassOf``), unless it has a variable or path in predicate position, when the whole graph is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import polars as pl
import pyoxigraph as ox
from rdflib.paths import Path as RdfPath
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import URIRef, Variable

from policeonto.fastshacl.shapes import Constraint, Shape
from policeonto.fastshacl.table import TripleTable
from policeonto.terms import RDF_TYPE, RDFS_SUBCLASS_OF, blank, from_oxigraph, node

__all__ = ["violations"]

_SKOLEM = "urn:x-policeonto-bnode:"
_SCHEMA = {"f": pl.String, "v": pl.String, "path": pl.String, "message": pl.String}


@dataclass(frozen=True)
class _Plan:
    predicates: frozenset[str] | None  # the predicates to load, None for all
    joined: bool  # $this may be joined rather than pre-bound


@cache
def _plan(query: str) -> _Plan:
    """Which predicates the query's patterns use, and whether ``$this`` is bound by its one group's triple
    patterns (then a join gives what pre-binding gives)."""
    found: set[str] = set()
    binds_this = False

    def walk(node: object) -> bool:
        nonlocal binds_this
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "triples":
                    for s, p, o in value:
                        binds_this = binds_this or Variable("this") in (s, o)
                        if isinstance(p, URIRef):
                            found.add(f"<{p}>")
                        elif isinstance(p, (Variable, RdfPath)):
                            return False
                elif not walk(value):
                    return False
        elif isinstance(node, (list, tuple)):
            return all(walk(item) for item in node)
        return True

    plain = prepareQuery(query.replace("$", "?")).algebra
    known = walk(plain)
    body = re.sub(r'"[^"\n]*"|<[^>\s]*>|#[^\n]*', "", query)
    simple = body.count("{") == 1 and len(re.findall(r"\bSELECT\b", body, re.IGNORECASE)) == 1
    return _Plan(frozenset(found) if known else None, simple and binds_this)


def _prebound(query: str, focus: str) -> str:
    """*query* with ``$this`` replaced by the focus term (left out of SELECT clauses)."""

    def projection(match: re.Match[str]) -> str:
        head, variables, tail = match.group(1), match.group(2), match.group(3)
        variables = re.sub(r"[?$]this\b", "", variables).strip() or "*"
        return f"{head}{variables} {tail}"

    query = re.sub(r"(\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?)(.*?)(\bWHERE\b|\{)", projection, query,
                   flags=re.IGNORECASE | re.DOTALL)  # fmt: skip
    query = re.sub(r"\bbound\s*\(\s*\$this\s*\)", "(true)", query, flags=re.IGNORECASE)
    return re.sub(r"\$this\b", focus.replace("\\", "\\\\"), query)


def _store(table: TripleTable, predicates: frozenset[str] | None) -> ox.Store:
    store = ox.Store()
    chosen = None if predicates is None else predicates | {RDF_TYPE, RDFS_SUBCLASS_OF}
    store.bulk_load(table.ntriples(chosen, skolem=_SKOLEM), format=ox.RdfFormat.N_TRIPLES)
    return store


def _term(value: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, ox.NamedNode) and value.value.startswith(_SKOLEM):
        return blank(value.value[len(_SKOLEM) :])
    return from_oxigraph(value)


def _skolem(value: str) -> str:
    return f"<{_SKOLEM}{value[2:]}>" if value.startswith("_:") else value


def _get(solution: ox.QuerySolution, name: str) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
    try:
        return solution[name]
    except (KeyError, IndexError):
        return None


def _variables(message: str) -> list[str]:
    """The variables a message names as ``{?name}`` or ``{$name}`` (pySHACL fills in any bound one).

    >>> _variables("release time {?value} is before arrival time {$earlier}")
    ['value', 'earlier']
    """
    return re.findall(r"\{[?$](\w+)\}", message)


def violations(c: Constraint, shape: Shape, focus: list[str], table: TripleTable) -> pl.DataFrame:
    """One row per solution of the constraint's query whose ``this`` is one of the *focus* terms: ``f``,
    ``v``, ``path``, ``message``, terms."""
    query = c.value
    if shape.path is not None:
        query = query.replace("$PATH", ("^" if shape.path.inverse else "") + shape.path.predicate)
    plan = _plan(query)
    if plan.joined and plan.predicates is not None and any(table.pairs(p).is_empty() for p in plan.predicates):
        return pl.DataFrame(schema=_SCHEMA)  # a pattern of its one group matches nothing: no solution at all
    store = _store(table, plan.predicates)
    wanted = focus
    if plan.joined:
        chosen = set(wanted)
        solutions = [(_term(_get(s, "this")), s) for s in store.query(query.replace("$this", "?this"))]
        solutions = [(this, s) for this, s in solutions if this in chosen]
    else:
        solutions = [(f, s) for f in wanted for s in store.query(_prebound(query, _skolem(f)))]
    rows = []
    for this, solution in solutions:
        value = _term(_get(solution, "value"))
        path = _get(solution, "path")
        if value is None and shape.path is None:
            value = this
        message = c.message
        if message is not None:
            for name in _variables(message):
                bound = this if name == "this" else _get(solution, name)
                if bound is not None:
                    shown = bound if isinstance(bound, str) else bound.value
                    message = message.replace(f"{{?{name}}}", shown).replace(f"{{${name}}}", shown)
        rows.append((this, value, path.value if isinstance(path, ox.NamedNode) else None, message))
    frame = pl.DataFrame(rows, schema=_SCHEMA, orient="row")
    if shape.path is not None:
        frame = frame.with_columns(pl.col("path").fill_null(shape.path.text))
    return _as_written(frame, table)


def _as_written(frame: pl.DataFrame, table: TripleTable) -> pl.DataFrame:
    """*frame* with each literal value as the data writes it. Oxigraph returns a date, time or number in
    its canonical form (``"2024-01-20T15:00:00Z"`` for ``...+00:00``), where pySHACL returns the data's own
    term: a value that is not among the focus node's values of the result path becomes the one that equals
    it (as rdflib compares literals, the way pySHACL's terms are made)."""
    rows = []
    for f, v, path, message in frame.iter_rows():
        if v is not None and v.startswith('"') and path is not None:
            pairs = table.pairs(f"<{path}>")
            written = table.decode(pairs.filter(pl.col("s").is_in(table.encode([f])))["o"]).to_list()
            if v not in written:
                v = next((o for o in written if o.startswith('"') and node(o) == node(v)), v)
        rows.append((f, v, path, message))
    return pl.DataFrame(rows, schema=_SCHEMA, orient="row")
