"""The grey zone for people to decide: the pairs between two probabilities as a CSV a spreadsheet opens
safely (no cell runs as a formula), with the evidence of each pair and empty columns for the decision."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from policeonto.errors import OptionError
from policeonto.linkage.graphs import match_iri
from policeonto.linkage.pairs import Match
from policeonto.validation.html import spreadsheet_safe

if TYPE_CHECKING:
    from policeonto.linkage import LinkResult
    from policeonto.linkage.decisions import Decision

__all__ = ["DECISION_FIELDS", "decision_lines", "decision_summary", "grey_zone", "review_csv"]

#: The columns a reviewer fills in: same or not-same (blank: undecided), who decided, when (ISO 8601), and
#: why (optional); ``link --decisions`` reads them back.
DECISION_FIELDS = ("decision", "decided_by", "decided_at", "note")


def grey_zone(pairs: tuple[Match, ...], low: float, high: float, *, floor: float) -> tuple[Match, ...]:
    """The pairs at least *low* and below *high* likely, most likely first.

    Raises:
        OptionError: *low* is not below *high*, either is not a probability, or *low* is below *floor*
            (pairs under the floor were never recorded, so the file would miss them).
    """
    if not 0.0 <= low < high <= 1.0:
        raise OptionError(f"--review {low} {high}: give two probabilities, the lower first", option="review", value=low)
    if low < floor:
        raise OptionError(
            f"--review {low} {high}: the lower bound is below --floor {floor}, under which no pair is kept; "
            "lower --floor too",
            option="review",
            value=low,
        )
    return tuple(match for match in pairs if low <= match.probability < high)


def review_csv(pairs: tuple[Match, ...]) -> str:
    """*pairs* as CSV: the match, both records, probability and weight, each comparison's level, and the
    empty decision columns; every cell spreadsheet-safe.

    >>> from policeonto.linkage.pairs import Evidence
    >>> pair = Match("https://x/a", "https://x/b", "g1", "g2", 0.7, 1.2, (Evidence("surname", "=SUM(A1)", 2.0),))
    >>> print(review_csv((pair,)).splitlines()[1].split(",")[-5])
    '=SUM(A1)
    """
    comparisons = sorted({item.comparison for match in pairs for item in match.evidence})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["match", "first_record", "second_record", "probability", "weight", *comparisons, *DECISION_FIELDS])
    for match in pairs:
        levels = {item.comparison: item.level for item in match.evidence}
        cells = [match_iri(match), match.first, match.second, f"{match.probability:.6f}", f"{match.weight:.3f}"]
        cells += [levels.get(name, "") for name in comparisons]
        writer.writerow([spreadsheet_safe(cell) for cell in [*cells, *("" for _ in DECISION_FIELDS)]])
    return out.getvalue()


def _listed(decision: Decision) -> dict[str, str]:
    return {
        "first": decision.first,
        "second": decision.second,
        "decision": decision.verdict,
        "decided_by": decision.decided_by,
        "decided_at": decision.decided_at,
    }


def decision_summary(result: LinkResult) -> dict[str, object]:
    """What a run made of people's decisions, for ``--format json``: how many were read this run, how many
    were followed (same and not-same), and those not followed, listed: stale (a record has gone) and
    contradicted (a same-decision that would join records decided not the same)."""
    same = sum(1 for decision in result.decisions if decision.verdict == "same")
    return {
        "read": len(result.decisions_read),
        "followed": len(result.decisions) - len(result.contradicted),
        "same": same - len(result.contradicted),
        "not_same": len(result.decisions) - same,
        "stale": [_listed(decision) for decision in result.stale],
        "contradicted": [_listed(decision) for decision in result.contradicted],
    }


def decision_lines(result: LinkResult) -> list[str]:
    """The text summary's lines on people's decisions (none when the store has none)."""
    summary = decision_summary(result)
    if not (result.decisions or result.stale or result.decisions_read):
        return []
    lines = [
        f"{summary['read']} decisions read; {summary['followed']} followed "
        f"({summary['same']} same, {summary['not_same']} not-same)"
    ]
    for decision in result.stale:
        lines.append(f"  not applied, a record has gone: {decision.verdict}  {decision.first}  {decision.second}")
    for decision in result.contradicted:
        lines.append(f"  not followed, it would join records decided not the same: {decision.first}  {decision.second}")
    return lines
