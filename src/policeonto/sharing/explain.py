"""What would leave under an agreement, and why, field by field: the lines ``policeonto share --dry-run``
prints, made from a :class:`~policeonto.sharing.share.Copy` (nothing is written).

Each field (predicate) of the records says how many of its values would leave (as they are, in a coarser
form, or as pseudonyms) and how many would not, by reason: counts and terms only, never a value.
"""

from __future__ import annotations

from collections import Counter

import polars as pl

from policeonto.sharing.aggregates import OBS_VALUE, QB, dimensions
from policeonto.sharing.agreement import Agreement
from policeonto.sharing.model import vocabulary_facts
from policeonto.sharing.share import Copy
from policeonto.terms import RDF_TYPE

__all__ = ["explain"]


def _name(term: str) -> str:
    return term.removeprefix("<").removesuffix(">")


def explain(copy: Copy, agreement: Agreement) -> list[str]:
    """The lines of a dry run of *copy* under *agreement*: records, then each field in turn."""
    lines = [f"under {agreement.iri} ({agreement.title}) to {agreement.assignee}:"]
    if agreement.aggregates_only:
        tables = copy.encoded.filter((pl.col("p") == RDF_TYPE) & (pl.col("o") == f"<{QB}DataSet>")).height
        cells = copy.encoded.filter(pl.col("p") == OBS_VALUE).height
        lines.append(
            f"  only counts would leave: {cells:,} cells in {tables:,} tables ({copy.encoded.height:,} triples)"
        )
    else:
        lines.append(f"  {copy.records_shared:,} records would leave ({copy.encoded.height:,} triples)")
    for reason, count in sorted(copy.withheld.items()):
        lines.append(f"  {count:,} records withheld: {reason}")
    for table, count in sorted(copy.suppressed_cells.items()):
        lines.append(f"  {count:,} cells suppressed (fewer than k records, or telling those that are): {table}")
    said = copy.encoded
    if agreement.aggregates_only:  # the fields are the dimensions; the Data Cube's own terms are no field
        said = said.filter(pl.col("p").is_in(dimensions(agreement, vocabulary_facts())))
    leaving = Counter(dict(said.group_by("p").len().iter_rows()))
    generalised = {key.rsplit(" ", 1)[0]: (key.rsplit(" ", 1)[1], n) for key, n in copy.generalised.items()}
    out: dict[str, Counter[str]] = {}
    for (predicate, reason), count in copy.left_out.items():
        out.setdefault(predicate, Counter())[reason] += count
    lines.append("  field by field:")
    for predicate in sorted(set(leaving) | set(out)):
        parts = []
        total = leaving.get(predicate, 0)
        renamed = copy.pseudonymised_by_property.get(predicate, 0)
        form, shaped = generalised.get(_name(predicate), ("", 0))
        as_they_are = total - renamed - shaped
        if as_they_are > 0:
            parts.append(
                f"a dimension of {as_they_are:,} cells"
                if agreement.aggregates_only
                else f"{as_they_are:,} leave as they are"
            )
        if renamed:
            parts.append(f"{renamed:,} leave as pseudonyms")
        if shaped:
            parts.append(f"{shaped:,} leave as {form}")
        for reason, count in sorted(out.get(predicate, Counter()).items()):
            parts.append(f"{count:,} stay: {reason}")
        lines.append(f"    {_name(predicate)}: " + "; ".join(parts))
    return lines
