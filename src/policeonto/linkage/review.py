"""The grey zone for people to decide: the pairs between two probabilities as a CSV a spreadsheet opens
safely (no cell runs as a formula), with the evidence of each pair and empty columns for the decision."""

from __future__ import annotations

import csv
import io

from policeonto.errors import OptionError
from policeonto.linkage.graphs import match_iri
from policeonto.linkage.pairs import Match
from policeonto.validation.html import spreadsheet_safe

__all__ = ["DECISION_FIELDS", "grey_zone", "review_csv"]

#: The columns a reviewer fills in: same or not same, who decided, when (ISO 8601).
DECISION_FIELDS = ("decision", "decided_by", "decided_at")


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
    >>> print(review_csv((pair,)).splitlines()[1].split(",")[-4])
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
        writer.writerow([spreadsheet_safe(cell) for cell in [*cells, "", "", ""]])
    return out.getvalue()
