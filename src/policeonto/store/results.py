"""SPARQL query results as plain data, and their renderings: a terminal table, CSV and SPARQL JSON.

A result is either a table of bindings (SELECT), a boolean (ASK) or N-Triples lines (CONSTRUCT, DESCRIBE).
Terms are kept as N-Triples strings, so results from the embedded store and from a server compare equal.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from policeonto.errors import OptionError
from policeonto.terminal import visible
from policeonto.terms import node

__all__ = ["QueryResult", "plain", "render"]


@dataclass(frozen=True)
class QueryResult:
    """What a query returned: ``variables`` and ``rows`` (N-Triples terms, None when unbound), or
    ``boolean`` for ASK, or ``triples`` (N-Triples lines) for CONSTRUCT and DESCRIBE."""

    variables: tuple[str, ...] = ()
    rows: tuple[tuple[str | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[str, ...] = field(default=())

    def column(self, name: str) -> list[str | None]:
        """The values of one variable, in row order."""
        index = self.variables.index(name)
        return [row[index] for row in self.rows]

    def values(self, name: str) -> set[str]:
        """The distinct plain values of one variable: IRIs without brackets, literals' lexical forms."""
        return {plain(v) for v in self.column(name) if v is not None}


def plain(term: str) -> str:
    """An N-Triples term as people read it: an IRI without brackets, a literal's lexical form.

    >>> plain("<http://example.org/a>"), plain('"7"^^<http://www.w3.org/2001/XMLSchema#integer>')
    ('http://example.org/a', '7')
    """
    if term.startswith("<") and term.endswith(">"):
        return term[1:-1]
    if term.startswith('"'):
        return str(node(term))
    return term


def render(result: QueryResult, fmt: str) -> str:
    """*result* as ``table`` (aligned text for people, control characters shown as escapes), ``csv``
    (SPARQL 1.1 CSV: plain values) or ``json`` (SPARQL 1.1 Query Results JSON); both keep values exact.

    Raises:
        OptionError: *fmt* is none of them.
    """
    if fmt not in ("table", "csv", "json"):
        raise OptionError(f"result format {fmt!r} is none of table, csv, json", option="format", value=fmt)
    if fmt == "json":
        return json.dumps(_json(result), indent=2, ensure_ascii=False) + "\n"
    if result.boolean is not None:
        return ("true" if result.boolean else "false") + "\n"
    if result.triples:  # N-Triples; the table shows each line's control characters as escapes
        return "".join((line if fmt == "csv" else visible(line)) + "\n" for line in result.triples)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(result.variables)
        writer.writerows([_cell(v) for v in row] for row in result.rows)
        return out.getvalue()
    return _table(result)


def _cell(term: str | None) -> str:
    text = "" if term is None else plain(term)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text  # safe to open in a spreadsheet


def _table(result: QueryResult) -> str:
    cells = [[visible(plain(v)) if v is not None else "" for v in row] for row in result.rows]
    names = [visible(name) for name in result.variables]
    widths = [max([len(name)] + [len(row[i]) for row in cells]) for i, name in enumerate(names)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()  # noqa: E731
    rows = [line(names), line(["-" * w for w in widths])] + [line(row) for row in cells]
    rows.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(rows) + "\n"


def _json(result: QueryResult) -> dict[str, object]:
    if result.boolean is not None:
        return {"head": {}, "boolean": result.boolean}
    bindings = [
        {name: _json_term(value) for name, value in zip(result.variables, row, strict=True) if value is not None}
        for row in result.rows
    ]
    return {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}


def _json_term(term: str) -> dict[str, str]:
    if term.startswith("<"):
        return {"type": "uri", "value": term[1:-1]}
    if term.startswith("_:"):
        return {"type": "bnode", "value": term[2:]}
    value = plain(term)
    tail = term[term.rindex('"') + 1 :]
    if tail.startswith("@"):
        return {"type": "literal", "value": value, "xml:lang": tail[1:]}
    if tail.startswith("^^<"):
        return {"type": "literal", "value": value, "datatype": tail[3:-1]}
    return {"type": "literal", "value": value}
