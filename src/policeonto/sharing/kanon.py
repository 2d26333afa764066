"""k-anonymity over an agreement's quasi-identifiers: records whose equivalence class is smaller than k are
suppressed, and so is every link that would reveal them.

A record *carries* quasi-identifiers when it has a value for at least one of the agreement's
quasi-identifier properties (after generalisation: an age band, a postcode sector). Its equivalence class is
its class and its values of every quasi-identifier (a missing value is a value of its own, several values are
one value together). A carrier in a class with fewer than k members is suppressed; a link to a suppressed
record is withheld as a link to any withheld record is; the parts only they reached go with them. Withholding
a link can shrink its own class below k (an involvement carries age range and gender), so suppression repeats
until every class left has at least k members.

>>> frame = pl.DataFrame({"s": ["<a>", "<b>", "<c>"] * 2, "p": [RDF_TYPE] * 3 + ["<g>"] * 3,
...     "o": ["<P>"] * 3 + ['"f"', '"f"', '"m"']})
>>> small_classes(frame, ("g",), 2, records=frozenset({"<P>"})).get_column("s").to_list()
['<c>']
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import polars as pl

from policeonto.sharing.model import VocabularyFacts
from policeonto.terms import RDF_TYPE, iri

__all__ = ["K_ANONYMITY", "Suppressed", "equivalence_classes", "small_classes", "suppress"]

#: The reason records suppressed to reach k are counted under.
K_ANONYMITY = "k-anonymity"
_LINK = "link-to-withheld"


@dataclass(frozen=True)
class Suppressed:
    """The triples left after suppression, the records withheld counted by reason (``k-anonymity`` for those
    in classes under k, ``link-to-withheld`` for links to them), parts left behind by class, triples of nodes
    that leave dropped because their object was suppressed, and the records that still leave."""

    triples: pl.DataFrame
    withheld: Counter[str]
    parts_withheld: Counter[str]
    dropped: int
    records: pl.Series
    left_out: Counter[tuple[str, str]]  # (predicate, reason): the triples suppression took out of the copy


def equivalence_classes(
    triples: pl.DataFrame, quasi_identifiers: tuple[str, ...], *, records: frozenset[str]
) -> pl.DataFrame:
    """Each record of *triples* (an instance of a class in *records*) that carries a quasi-identifier, with
    its equivalence class: ``s``, ``key`` (its class and values) and ``size`` (members of its class)."""
    qis = [iri(q) for q in quasi_identifiers]
    typed = triples.filter((pl.col("p") == RDF_TYPE) & pl.col("o").is_in(list(records)))
    cls = typed.group_by("s").agg(pl.col("o").sort().str.join("|").alias("cls"))
    values = triples.filter(pl.col("p").is_in(qis)).join(cls.select("s"), on="s", how="semi")
    carriers = values.get_column("s").unique()
    if not carriers.len():
        return pl.DataFrame(schema={"s": pl.String, "key": pl.String, "size": pl.UInt32})
    grid = pl.DataFrame({"s": carriers}).join(pl.DataFrame({"p": qis}), how="cross")
    each = (
        grid.join(values.group_by("s", "p").agg(pl.col("o").sort().str.join("|").alias("v")), on=["s", "p"], how="left")
        .with_columns(pl.col("v").fill_null("(none)"))
        .sort("s", "p")
        .group_by("s", maintain_order=True)
        .agg(pl.col("v").str.join("\t").alias("values"))
    )
    keyed = each.join(cls, on="s").select("s", key=pl.concat_str(["cls", "values"], separator="\t"))
    return keyed.with_columns(size=pl.len().over("key").cast(pl.UInt32))


def small_classes(
    triples: pl.DataFrame, quasi_identifiers: tuple[str, ...], k: int, *, records: frozenset[str]
) -> pl.DataFrame:
    """The carriers of *triples* whose equivalence class has fewer than *k* members (``s``, ``key``, ``size``)."""
    return equivalence_classes(triples, quasi_identifiers, records=records).filter(pl.col("size") < k)


def suppress(
    triples: pl.DataFrame,
    agreement_k: int,
    quasi_identifiers: tuple[str, ...],
    facts: VocabularyFacts,
    *,
    kept: pl.Series,
) -> Suppressed:
    """*triples* (what leaves, generalised, not yet pseudonymised) with the records of classes under
    *agreement_k* suppressed, links to them withheld, and the parts only they reached left behind. *kept* are
    the records that leave before suppression."""
    withheld: Counter[str] = Counter()
    gone: set[str] = set()
    links = triples.filter((pl.col("p") == RDF_TYPE) & pl.col("o").is_in(list(facts.links))).get_column("s").unique()
    current = triples
    while True:
        small = small_classes(current, quasi_identifiers, agreement_k, records=facts.records).get_column("s")
        if not small.len():
            break
        withheld[K_ANONYMITY] += small.len()
        held = set(small.to_list())
        edges = current.filter((pl.col("p") != RDF_TYPE) & pl.col("s").is_in(links))
        while True:  # a link to a suppressed record is withheld, and so on (a link to a link)
            more = set(edges.filter(pl.col("o").is_in(list(held))).get_column("s").unique().to_list()) - held
            if not more:
                break
            withheld[_LINK] += len(more)
            held |= more
        gone |= held
        current = _without(current, held, kept.filter(~kept.is_in(list(gone))))
    remaining = kept.filter(~kept.is_in(list(gone)))
    left = set(current.get_column("s").unique().to_list())
    parts = triples.filter((pl.col("p") == RDF_TYPE) & ~pl.col("s").is_in(list(left)) & ~pl.col("s").is_in(list(gone)))
    parts_withheld = Counter(dict(parts.group_by("o").agg(pl.col("s").n_unique()).iter_rows()))
    return Suppressed(
        triples=current,
        withheld=withheld,
        parts_withheld=parts_withheld,
        dropped=_dropped(triples, current, gone),
        records=remaining,
        left_out=_left_out(triples, current),
    )


def _without(triples: pl.DataFrame, held: set[str], kept: pl.Series) -> pl.DataFrame:
    """*triples* without the nodes *held* and the parts no record in *kept* reaches any more."""
    rest = triples.filter(~pl.col("s").is_in(list(held)) & ~pl.col("o").is_in(list(held)))
    subjects = rest.get_column("s").unique()
    steps = rest.filter((pl.col("p") != RDF_TYPE) & pl.col("o").is_in(subjects)).select("s", "o")
    nodes, frontier = kept, kept
    while frontier.len():
        frontier = steps.filter(pl.col("s").is_in(frontier) & ~pl.col("o").is_in(nodes)).get_column("o").unique()
        nodes = pl.concat([nodes, frontier])
    return rest.filter(pl.col("s").is_in(nodes))


def _dropped(before: pl.DataFrame, after: pl.DataFrame, gone: set[str]) -> int:
    """Triples of nodes still leaving whose object was suppressed."""
    left = after.get_column("s").unique()
    return before.filter(pl.col("s").is_in(left) & pl.col("o").is_in(list(gone))).height


def _left_out(before: pl.DataFrame, after: pl.DataFrame) -> Counter[tuple[str, str]]:
    """The triples suppression took out, by predicate and reason: those of nodes still leaving (their object
    was suppressed) and those of nodes that do not leave any more (withheld with their record)."""
    gone = before.join(after, on=["s", "p", "o"], how="anti")
    left = after.get_column("s").unique()
    reason = (
        pl.when(pl.col("s").is_in(left)).then(pl.lit("object-withheld")).otherwise(pl.lit("withheld-with-its-record"))
    )
    counted = gone.with_columns(reason=reason).group_by("p", "reason").len()
    return Counter({(p, r): n for p, r, n in counted.iter_rows()})
