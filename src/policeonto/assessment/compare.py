"""The change since an earlier assessment (its JSON report): each level's and each item's score before and
after, and the level reached then and now.

>>> from policeonto.assessment import Evidence, read_criteria, score
>>> from policeonto.assessment.reports import as_dict
>>> now = score(read_criteria(), Evidence(inputs=()), {"change-process": True})
>>> before = as_dict(score(read_criteria(), Evidence(inputs=()), {}))
>>> compare(before, now)["items"]
{'change-process': {'before': 0.0, 'after': 1.0}}
"""

from __future__ import annotations

import json
from pathlib import Path

from policeonto.assessment.scoring import Assessment
from policeonto.errors import CriteriaError

__all__ = ["compare", "compare_lines", "read_report"]


def read_report(path: Path) -> dict[str, object]:
    """An earlier assessment's JSON report.

    Raises:
        CriteriaError: the file cannot be read or is no assessment report.
    """
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CriteriaError(f"cannot be read as an assessment report: {exc}", path=path) from exc
    if (
        not isinstance(report, dict)
        or not isinstance(report.get("levels"), dict)
        or not isinstance(report.get("items"), list)
    ):
        raise CriteriaError("is no assessment report (levels and items)", path=path)
    return report


def compare(before: dict[str, object], after: Assessment) -> dict[str, object]:
    """The levels and items whose score changed (an item new or gone has None on one side)."""
    old_levels = {k: v["score"] for k, v in before["levels"].items() if isinstance(v, dict)}  # type: ignore[union-attr]
    old_items = {i["id"]: i["score"] for i in before["items"] if isinstance(i, dict)}  # type: ignore[union-attr]
    new_items = {r.item.id: r.measured.score for r in after.results}
    levels = {
        level: {"before": old_levels.get(level), "after": score}
        for level, score in after.scores.items()
        if old_levels.get(level) != score
    }
    items = {
        item: {"before": old_items.get(item), "after": new_items.get(item)}
        for item in [*new_items, *(i for i in old_items if i not in new_items)]
        if old_items.get(item) != new_items.get(item)
    }
    return {"at_level": {"before": before.get("at_level"), "after": after.at_level}, "levels": levels, "items": items}


def compare_lines(change: dict[str, dict[str, object]]) -> list[str]:
    """The change for people: the level reached, then each level and item that moved."""
    reached = change["at_level"]
    lines = [f"since the earlier assessment: at level {reached['before'] or 'none'} -> {reached['after'] or 'none'}"]
    for kind in ("levels", "items"):
        for name, moved in change[kind].items():
            assert isinstance(moved, dict)
            lines.append(f"  {name}: {moved['before']} -> {moved['after']}")
    return lines
