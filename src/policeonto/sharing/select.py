"""Select what may leave under an agreement: ODRL's default deny, applied to a table of triples.

A *record* (an instance of a descendant of Record: a person, object, location, event or link) leaves only
if its class is permitted, its security marking is within the agreement's ceiling, sensitivity and caveats,
it is not past its MoPI review date, and its intelligence handling code is one the agreement allows. A link
to a withheld record is withheld too, and so is every other triple whose object is a withheld record. A
*part* (a name, an identifier, a marking, a dataset: a node that is no record) leaves only when a record
that leaves reaches it through a permitted property, its own class is permitted and it is not withheld for
its own marking, review date or handling code (so an intelligence report is judged by its handling code
whether or not the vocabulary counts it a record yet). Of what leaves, only permitted properties and
classes do. Every node withheld for a reason of its own is counted by that reason, every other part left
behind by its class, and every triple dropped from what leaves by its reason: nothing is left out silently.

Selection works on the records' terms dictionary-encoded (:mod:`~policeonto.sharing.records`): the
decisions that need the whole run (which records are withheld, so which links and parts go with them) are
made on the compact table, and what may leave stays encoded: its text is read a slice at a time, when it
is checked and written (:mod:`~policeonto.sharing.share`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import polars as pl

from policeonto.sharing.agreement import Agreement
from policeonto.sharing.model import (
    CLASSIFICATION,
    CLASSIFICATIONS,
    HANDLING_CODE,
    HANDLING_CODES,
    NATIONAL_CAVEAT,
    NATIONAL_CAVEATS,
    RECORDED_AT,
    RETENTION_GROUP,
    SECURITY_MARKING,
    SENSITIVE,
    VocabularyFacts,
    vocabulary_facts,
)
from policeonto.sharing.records import TERMS
from policeonto.terms import RDF_TYPE, iri

__all__ = ["LEVELS", "Dropped", "Selection", "Withheld", "select"]

#: The Government Security Classifications, lowest first.
LEVELS = ("OFFICIAL", "SECRET", "TOP-SECRET")
_TRUE = frozenset(
    {'"true"^^<http://www.w3.org/2001/XMLSchema#boolean>', '"1"^^<http://www.w3.org/2001/XMLSchema#boolean>'}
)


class Withheld(StrEnum):
    """Why a record is withheld, in the order the reasons are tried (a record is counted under the first)."""

    CLASS_NOT_PERMITTED = "class-not-permitted"
    MARKING_UNKNOWN = "marking-unknown"  # a marking whose classification is missing or no known code
    ABOVE_CEILING = "above-ceiling"
    OFFICIAL_SENSITIVE = "official-sensitive"
    CAVEAT_NOT_ALLOWED = "caveat-not-allowed"
    REVIEW_DATE_UNKNOWN = "review-date-unknown"  # a retention group, but no date recorded or no known period
    PAST_REVIEW = "past-review"
    HANDLING_CODE_NOT_ALLOWED = "handling-code-not-allowed"
    LINK_TO_WITHHELD = "link-to-withheld"


class Dropped(StrEnum):
    """Why a triple of a node that leaves is left out of the copy."""

    PROPERTY_NOT_PERMITTED = "property-not-permitted"
    PROHIBITED = "prohibited"
    CLASS_NOT_PERMITTED = "class-not-permitted"  # an rdf:type triple naming a class not permitted
    OBJECT_WITHHELD = "object-withheld"  # its object is a record or part withheld
    UNKNOWN_RECORD = "reference-to-unknown-record"  # its object is a record the inputs do not describe


@dataclass(frozen=True)
class Selection:
    """What may leave: the *triples* (dictionary-encoded) of the records and parts that leave, before generalising and
    pseudonymising; the nodes that leave (*nodes*) and which of them are *records*; withheld records
    counted by reason, withheld parts by class, and dropped triples by reason."""

    triples: pl.DataFrame
    nodes: pl.Series
    records: pl.Series
    withheld: Counter[str]
    parts_withheld: Counter[str]
    dropped: Counter[str]
    records_shared: int
    dropped_by_property: Counter[tuple[str, str]]  # (predicate, reason): triples left out, those of nodes
    # of records and parts that do not leave, under the reason "withheld-with-its-record"


def _allowed_levels(agreement: Agreement) -> set[str]:
    top = LEVELS.index(agreement.ceiling) if agreement.ceiling in LEVELS else -1
    return {f"{CLASSIFICATIONS}{level}>" for level in LEVELS[: top + 1]}


def _pairs(triples: pl.DataFrame, predicate: str, *, s: str = "s", o: str = "o") -> pl.DataFrame:
    return triples.filter(pl.col("p") == predicate).select(pl.col("s").alias(s), pl.col("o").alias(o))


def _marking_reasons(triples: pl.DataFrame, agreement: Agreement) -> list[pl.DataFrame]:
    """Records withheld for their security marking (a record with none is OFFICIAL, as every record is)."""
    marks = _pairs(triples, SECURITY_MARKING, o="m")
    levels = _pairs(triples, CLASSIFICATION, s="m", o="c")
    known = {f"{CLASSIFICATIONS}{level}>" for level in LEVELS}
    classified = marks.join(levels, on="m", how="left")
    out = [
        classified.filter(pl.col("c").is_null() | ~pl.col("c").is_in(list(known))).select(
            "s", reason=pl.lit(Withheld.MARKING_UNKNOWN.value)
        ),
        classified.filter(pl.col("c").is_in(list(known - _allowed_levels(agreement)))).select(
            "s", reason=pl.lit(Withheld.ABOVE_CEILING.value)
        ),
    ]
    if not agreement.sensitive_allowed:
        sensitive = _pairs(triples, SENSITIVE, s="m", o="v").filter(pl.col("v").is_in(list(_TRUE)))
        out.append(marks.join(sensitive, on="m").select("s", reason=pl.lit(Withheld.OFFICIAL_SENSITIVE.value)))
    allowed = [f"{NATIONAL_CAVEATS}{c}>" for c in agreement.caveats_allowed]
    caveats = _pairs(triples, NATIONAL_CAVEAT, s="m", o="v").filter(~pl.col("v").is_in(allowed))
    out.append(marks.join(caveats, on="m").select("s", reason=pl.lit(Withheld.CAVEAT_NOT_ALLOWED.value)))
    return out


def _review_reasons(triples: pl.DataFrame, facts: VocabularyFacts, today: date) -> list[pl.DataFrame]:
    """Records past their MoPI review date: the date recorded (``recorded_at``, when the source system
    recorded or last updated the record) plus its group's review period. A group without a known period,
    or a record without a date, cannot be judged, and is withheld as such."""
    groups = _pairs(triples, RETENTION_GROUP, o="g")
    recorded = _pairs(triples, RECORDED_AT, o="at").with_columns(
        pl.col("at")
        .cast(pl.String)
        .str.extract(r'^"([0-9]{4}-[0-9]{2}-[0-9]{2})', 1)
        .str.to_date(strict=False)
        .alias("at")
    )
    rows = groups.join(recorded, on="s", how="left").group_by("s", "g").agg(pl.col("at").max())
    unknown, past = [], []
    for s, g, at in rows.iter_rows():
        years = facts.review_years.get(g)
        if years is None or at is None:
            unknown.append(s)
        elif _add_years(at, years) < today:
            past.append(s)
    return [
        pl.DataFrame({"s": unknown, "reason": Withheld.REVIEW_DATE_UNKNOWN.value}, schema=_REASONS),
        pl.DataFrame({"s": past, "reason": Withheld.PAST_REVIEW.value}, schema=_REASONS),
    ]


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


_REASONS = {"s": pl.Categorical, "reason": pl.String}


def _among(values: pl.Series) -> pl.Series:
    """*values* as one set to test membership in (``is_in``), whatever their type."""
    return values.implode()


def select(
    triples: pl.DataFrame, agreement: Agreement, *, today: date, facts: VocabularyFacts | None = None
) -> Selection:
    """The triples of *triples* (``s``, ``p``, ``o`` N-Triples terms) that may leave under *agreement* on
    the date *today*, with what is withheld counted."""
    facts = facts or vocabulary_facts()
    triples = triples.cast(TERMS)  # a no-op on records as read; text given here is encoded once
    classes = [iri(c) for c in agreement.classes]
    properties = [iri(p) for p in agreement.properties - agreement.prohibited]
    prohibited = [iri(p) for p in agreement.prohibited]
    types = _pairs(triples, RDF_TYPE, o="c")
    subjects = triples.get_column("s").unique()
    records = types.filter(pl.col("c").is_in(list(facts.records))).get_column("s").unique()
    permitted = types.filter(pl.col("c").is_in(classes)).get_column("s").unique()
    reasons = [
        pl.DataFrame({"s": records})
        .filter(~pl.col("s").is_in(_among(permitted)))
        .with_columns(reason=pl.lit(Withheld.CLASS_NOT_PERMITTED.value)),
        *_marking_reasons(triples, agreement),
        *(_review_reasons(triples, facts, today) if agreement.withhold_past_review else []),
        _pairs(triples, HANDLING_CODE, o="h")
        .filter(~pl.col("h").is_in([f"{HANDLING_CODES}{c}>" for c in agreement.handling_codes]))
        .select("s", reason=pl.lit(Withheld.HANDLING_CODE_NOT_ALLOWED.value)),
    ]
    order = {reason.value: i for i, reason in enumerate(Withheld)}
    first = (
        pl.concat([r.cast(_REASONS) for r in reasons])
        .filter(pl.col("s").is_in(_among(subjects)))
        .with_columns(rank=pl.col("reason").replace_strict(order, return_dtype=pl.Int32))
        .sort("rank")
        .unique("s", keep="first", maintain_order=True)
        .select("s", "reason")
    )
    edges = triples.filter((pl.col("p") != RDF_TYPE) & pl.col("o").is_in(_among(subjects)))
    links = types.filter(pl.col("c").is_in(list(facts.links))).get_column("s").unique()
    withheld = first
    while True:  # a link to a withheld record is withheld, and so on (a link to a link)
        held = withheld.get_column("s")
        more = (
            edges.filter(
                pl.col("s").is_in(_among(links)) & ~pl.col("s").is_in(_among(held)) & pl.col("o").is_in(_among(held))
            )
            .select("s")
            .unique()
            .with_columns(reason=pl.lit(Withheld.LINK_TO_WITHHELD.value))
        )
        if more.is_empty():
            break
        withheld = pl.concat([withheld, more])
    kept = pl.DataFrame({"s": records}).filter(~pl.col("s").is_in(_among(withheld.get_column("s")))).get_column("s")
    nodes = _reached(kept, edges, types, records.append(withheld.get_column("s")), classes, properties)
    selected, dropped, by_property = _triples_of(triples, nodes, subjects, classes, properties, prohibited, facts)
    held = records.append(withheld.get_column("s"))
    parts = types.filter(~pl.col("s").is_in(_among(held)) & ~pl.col("s").is_in(_among(nodes)))
    untyped = subjects.filter(
        ~subjects.is_in(_among(types.get_column("s"))) & ~subjects.is_in(_among(nodes)) & ~subjects.is_in(_among(held))
    )
    parts_withheld: Counter[str] = Counter(dict(parts.group_by("c").agg(pl.col("s").n_unique()).iter_rows()))
    if untyped.len():
        parts_withheld["(no class)"] = untyped.len()
    return Selection(
        triples=selected,
        nodes=nodes.cast(pl.String),
        records=kept.cast(pl.String),
        withheld=Counter(dict(withheld.group_by("reason").len().iter_rows())),
        parts_withheld=parts_withheld,
        dropped=dropped,
        records_shared=kept.len(),
        dropped_by_property=by_property,
    )


def _reached(
    kept: pl.Series,
    edges: pl.DataFrame,
    types: pl.DataFrame,
    excluded: pl.Series,
    classes: list[str],
    properties: list[str],
) -> pl.Series:
    """The records *kept* and the parts they reach, transitively, through permitted properties, when the
    part's class is permitted (and it is neither a record nor withheld: *excluded*)."""
    parts = types.filter(~pl.col("s").is_in(_among(excluded)) & pl.col("c").is_in(classes)).get_column("s").unique()
    steps = edges.filter(pl.col("p").is_in(properties) & pl.col("o").is_in(_among(parts))).select("s", "o")
    nodes, frontier = kept, kept
    while frontier.len():
        frontier = (
            steps.filter(pl.col("s").is_in(_among(frontier)) & ~pl.col("o").is_in(_among(nodes)))
            .get_column("o")
            .unique()
        )
        nodes = pl.concat([nodes, frontier])
    return nodes


_WITH = "withheld-with-its-record"  # the triples of a node that does not leave
#: Why a triple is left out, a byte a triple while every triple is judged.
_DROPPED = pl.Enum([*(reason.value for reason in Dropped), _WITH])


def _triples_of(
    triples: pl.DataFrame,
    nodes: pl.Series,
    subjects: pl.Series,
    classes: list[str],
    properties: list[str],
    prohibited: list[str],
    facts: VocabularyFacts,
) -> tuple[pl.DataFrame, Counter[str], Counter[tuple[str, str]]]:
    """The triples of *nodes* that may leave, those left out counted by reason, and every triple left out
    (those of nodes that do not leave too) counted by predicate and reason."""
    p, o = pl.col("p"), pl.col("o")
    typed = p == RDF_TYPE
    reason = (
        pl.when(typed & ~o.is_in(classes))
        .then(pl.lit(Dropped.CLASS_NOT_PERMITTED.value, dtype=_DROPPED))
        .when(~typed & p.is_in(prohibited))
        .then(pl.lit(Dropped.PROHIBITED.value, dtype=_DROPPED))
        .when(~typed & ~p.is_in(properties))
        .then(pl.lit(Dropped.PROPERTY_NOT_PERMITTED.value, dtype=_DROPPED))
        .when(~typed & o.is_in(_among(subjects)) & ~o.is_in(_among(nodes)))
        .then(pl.lit(Dropped.OBJECT_WITHHELD.value, dtype=_DROPPED))
        .when(p.is_in(list(facts.references)) & ~o.cat.starts_with('"') & ~o.is_in(_among(subjects)))
        .then(pl.lit(Dropped.UNKNOWN_RECORD.value, dtype=_DROPPED))
        .otherwise(None)
    )
    leaving = pl.col("s").is_in(_among(nodes))
    judged = triples.select(
        "p", leaving=leaving, reason=pl.when(leaving).then(reason).otherwise(pl.lit(_WITH, dtype=_DROPPED))
    )
    out = judged.group_by("p", "leaving", "reason").len().filter(pl.col("reason").is_not_null())
    dropped = Counter(dict(out.filter("leaving").group_by("reason").agg(pl.col("len").sum()).iter_rows()))
    by_property: Counter[tuple[str, str]] = Counter(
        {(p, r): n for p, r, n in out.group_by("p", "reason").agg(pl.col("len").sum()).iter_rows()}
    )
    return triples.filter(judged.get_column("reason").is_null()), dropped, by_property
