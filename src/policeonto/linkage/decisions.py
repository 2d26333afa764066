"""People decide the grey zone: the review CSV read back with its decisions filled in, each decision a
``MatchDecision`` in a graph of its own kept across runs, and clusters that follow the decisions over the
model (records decided the same are joined, records decided not the same never are)."""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pyoxigraph as ox
from rdflib import RDF, XSD, Graph, Namespace, URIRef
from rdflib.term import Literal as Term

from policeonto.errors import InstanceDataError
from policeonto.linkage.pairs import Match
from policeonto.linkage.records import LINKAGE_GRAPHS
from policeonto.store.base import Store
from policeonto.store.results import plain

__all__ = [
    "DECISIONS_GRAPH",
    "Decision",
    "decided_clusters",
    "decision_graph",
    "merge",
    "read_decisions",
    "stored_decisions",
]

DECISIONS_GRAPH = LINKAGE_GRAPHS + "decisions"
POLE = Namespace("https://w3id.org/policeonto/")
_CODES = "https://w3id.org/policeonto/code/match-decision/"
_NEEDED = ("first_record", "second_record", "decision", "decided_by", "decided_at")

Verdict = Literal["same", "not-same"]


@dataclass(frozen=True)
class Decision:
    """A person's decision on two records (``first`` sorts before ``second``): ``same`` or ``not-same``, who
    decided (an agent's IRI: a mailto: IRI for an email address) and when (ISO 8601, as written to
    ``xsd:dateTime``), and a note ("" for none)."""

    first: str
    second: str
    verdict: Verdict
    decided_by: str
    decided_at: str
    note: str = ""

    @property
    def iri(self) -> str:
        """The decision's IRI: one per pair of records, so a later decision on the pair replaces it."""
        digest = hashlib.sha256(f"{self.first}\n{self.second}".encode()).hexdigest()[:24]
        return f"https://w3id.org/policeonto/data/linkage/decision/{digest}"


def _verdict(text: str) -> Verdict | None:
    """A decision cell as a verdict: blank is undecided (None); else same or not-same, any case, with a
    space or underscore for the hyphen.

    >>> _verdict(" Same "), _verdict("NOT SAME"), _verdict("not_same"), _verdict("")
    ('same', 'not-same', 'not-same', None)
    """
    folded = "-".join(text.strip().lower().replace("_", " ").split())
    if not folded:
        return None
    if folded in ("same", "not-same"):
        return folded  # type: ignore[return-value]
    raise ValueError(f"unknown decision {text!r}: write same or not-same, or leave it blank")


_EMAIL = re.compile(r"[^@\s:/<>]+@[^@\s/<>]+\.[^@\s/<>]+")  # as the vocabulary's email slot, and no scheme
_SCHEMES = ("http", "https", "mailto", "urn")


def _agent(text: str) -> str:
    """A decided_by cell as the IRI of who decided: an email address as a mailto: IRI, an IRI (http, https,
    mailto or urn) as it is.

    >>> _agent(" PS4121@force-a.police.uk "), _agent("https://force-a.police.uk/staff/4121")
    ('mailto:PS4121@force-a.police.uk', 'https://force-a.police.uk/staff/4121')
    >>> _agent("PS 4121 Intelligence Unit")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: not an email address or IRI 'PS 4121 Intelligence Unit': write who decided as their email ...
    """
    value = text.strip()
    if not value:
        raise ValueError("blank: say who decided, as their email address or an IRI")
    iri = f"mailto:{value}" if _EMAIL.fullmatch(value) else value
    scheme = iri.split(":", 1)[0].lower()
    try:
        ox.NamedNode(iri)
    except ValueError:
        scheme = ""
    if scheme not in _SCHEMES or iri == f"{scheme}:":
        raise ValueError(
            f"not an email address or IRI {text!r}: write who decided as their email address "
            "(name@force.police.uk) or an IRI (https://..., mailto:..., urn:...)"
        )
    return iri


def _when(text: str) -> str:
    """A decided_at cell as an ``xsd:dateTime`` lexical form: an ISO 8601 date (midnight) or date and time.

    >>> _when("2024-07-05"), _when("2024-07-05 14:30"), _when("2024-07-05T14:30:00+01:00")
    ('2024-07-05T00:00:00', '2024-07-05T14:30:00', '2024-07-05T14:30:00+01:00')
    """
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"not a date or date and time {text!r}: write it as 2024-07-05 or 2024-07-05T14:30") from None
    return moment.isoformat(timespec="seconds")


def read_decisions(path: Path, records: Iterable[str]) -> tuple[Decision, ...]:
    """The decided rows of the review CSV at *path* (rows with a blank decision are undecided and skipped),
    in file order. Every value stays data: a cell that looks like a formula is kept as text, never run.

    Raises:
        InstanceDataError: naming the file and row (the header is row 1) and the column and value: the file
            cannot be read or lacks a column, a decision is unknown, a date is not ISO 8601, decided_by is
            neither an email address nor an IRI, the two records are one, or a record is not among
            *records* (the store's).
    """
    known = set(records)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InstanceDataError(f"cannot read the decisions file: {exc}", path=path) from exc
    missing = [name for name in _NEEDED if name not in header]
    if missing:
        raise InstanceDataError(f"no {', '.join(missing)} column (the review CSV of link --review has them)", path=path)
    found = []
    for number, row in enumerate(rows, start=2):

        def wrong(column: str, message: str, row_number: int = number) -> InstanceDataError:
            return InstanceDataError(f"column {column}: {message}", path=path, line=row_number)

        try:
            verdict = _verdict(row["decision"] or "")
        except ValueError as exc:
            raise wrong("decision", str(exc)) from None
        if verdict is None:
            continue
        first, second = (row["first_record"] or "").strip(), (row["second_record"] or "").strip()
        for column, record in (("first_record", first), ("second_record", second)):
            if record not in known:
                raise wrong(column, f"{record!r} is not a record in the store")
        if first == second:
            raise wrong("second_record", f"{second!r} is the first record too")
        try:
            by = _agent(row["decided_by"] or "")
        except ValueError as exc:
            raise wrong("decided_by", str(exc)) from None
        try:
            when = _when(row["decided_at"] or "")
        except ValueError as exc:
            raise wrong("decided_at", str(exc)) from None
        low, high = sorted((first, second))
        found.append(Decision(low, high, verdict, by, when, (row.get("note") or "").strip()))
    return tuple(found)


def _moment(decision: Decision) -> datetime:
    """When *decision* was made, comparable whether or not it gives a time zone (naive reads as UTC)."""
    moment = datetime.fromisoformat(decision.decided_at)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def merge(kept: tuple[Decision, ...], new: tuple[Decision, ...]) -> tuple[Decision, ...]:
    """*kept* with *new* added: on a pair decided twice the later decision (by decided_at) stays, and on a
    tie the one read last. Sorted by pair.

    >>> old = Decision("a", "b", "same", "PC 1", "2024-07-01T09:00:00")
    >>> [d.verdict for d in merge((old,), (Decision("a", "b", "not-same", "PS 2", "2024-07-02T09:00:00"),))]
    ['not-same']
    >>> [d.verdict for d in merge((old,), (Decision("a", "b", "not-same", "PS 2", "2024-06-30T09:00:00"),))]
    ['same']
    """
    chosen: dict[tuple[str, str], Decision] = {}
    for decision in (*kept, *new):
        pair = (decision.first, decision.second)
        if pair not in chosen or _moment(decision) >= _moment(chosen[pair]):
            chosen[pair] = decision
    return tuple(chosen[pair] for pair in sorted(chosen))


_STORED = """PREFIX pole: <https://w3id.org/policeonto/>
SELECT ?first ?second ?decision ?by ?at ?note WHERE {{ GRAPH <{graph}> {{
  ?d a pole:MatchDecision ; pole:first_record ?first ; pole:second_record ?second ; pole:decision ?decision ;
     pole:decided_by ?by ; pole:decided_at ?at . OPTIONAL {{ ?d pole:decision_note ?note }} }} }}
ORDER BY ?first ?second"""


def stored_decisions(store: Store, graph: str = DECISIONS_GRAPH) -> tuple[Decision, ...]:
    """The decisions in *store*'s decisions *graph* (none when it has no such graph); by default the
    person records' (each kind of record has its own: :data:`policeonto.linkage.kinds.KINDS`)."""
    found = []
    for row in store.query(_STORED.format(graph=graph)).rows:
        first, second, code, by, at, note = (None if value is None else plain(value) for value in row)
        verdict: Verdict = "same" if code == _CODES + "same" else "not-same"
        found.append(Decision(first or "", second or "", verdict, by or "", at or "", note or ""))
    return tuple(found)


def decision_graph(decisions: tuple[Decision, ...]) -> Graph:
    """Each of *decisions* as a MatchDecision."""
    graph = Graph()
    for decision in decisions:
        node = URIRef(decision.iri)
        graph.add((node, RDF.type, POLE.MatchDecision))
        graph.add((node, POLE.first_record, URIRef(decision.first)))
        graph.add((node, POLE.second_record, URIRef(decision.second)))
        graph.add((node, POLE.decision, URIRef(_CODES + decision.verdict)))
        graph.add((node, POLE.decided_by, URIRef(decision.decided_by)))
        graph.add((URIRef(decision.decided_by), RDF.type, POLE.Agent))
        graph.add((node, POLE.decided_at, Term(decision.decided_at, datatype=XSD.dateTime)))
        if decision.note:
            graph.add((node, POLE.decision_note, Term(decision.note)))
    return graph


Cluster = tuple[tuple[str, ...], tuple[Match, ...]]


def decided_clusters(
    found: tuple[Match, ...], threshold: float, decisions: tuple[Decision, ...]
) -> tuple[tuple[Cluster, ...], tuple[Decision, ...]]:
    """The clusters of *found* at *threshold*, overridden by *decisions*: pairs decided the same are joined
    first, whatever their probability, then the model's pairs, most likely first, each unless it would put
    two records decided not the same in one cluster. Returns the clusters (members sorted, each with the
    model's matches that joined it) and the same-decisions that could not be followed because they would
    join a pair decided not the same (contradicting decisions).

    >>> pair = lambda a, b: Match(a, b, "g1", "g2", 0.99, 7.0, ())
    >>> apart = Decision("a", "c", "not-same", "PC 1", "2024-07-01T09:00:00")
    >>> together = Decision("d", "e", "same", "PC 1", "2024-07-01T09:00:00")
    >>> formed, _ = decided_clusters((pair("a", "b"), pair("b", "c")), 0.9, (apart, together))
    >>> [members for members, _ in formed]
    [('a', 'b'), ('d', 'e')]
    """
    parent: dict[str, str] = {}
    members: dict[str, set[str]] = {}

    def root(record: str) -> str:
        if record not in parent:
            parent[record], members[record] = record, {record}
        while parent[record] != record:
            parent[record] = parent[parent[record]]
            record = parent[record]
        return record

    apart = {frozenset((d.first, d.second)) for d in decisions if d.verdict == "not-same"}

    def join(first: str, second: str) -> bool:
        a, b = root(first), root(second)
        if a == b:
            return True
        if any(frozenset((x, y)) in apart for x in members[a] for y in members[b]):
            return False
        parent[a] = b
        members[b] |= members.pop(a)
        return True

    refused = tuple(d for d in decisions if d.verdict == "same" and not join(d.first, d.second))
    joined = [m for m in found if m.probability >= threshold and frozenset((m.first, m.second)) not in apart]
    kept = [match for match in joined if join(match.first, match.second)]
    by_root: dict[str, list[Match]] = {}
    for match in kept:
        by_root.setdefault(root(match.first), []).append(match)
    formed = [(tuple(sorted(group)), tuple(by_root.get(key, ()))) for key, group in members.items() if len(group) > 1]
    return tuple(sorted(formed, key=lambda cluster: cluster[0])), refused
