"""A diff between two releases as text for a terminal, as Markdown for the documentation site, or as JSON.

>>> from policeonto.releases.diff import Change, Diff
>>> diff = Diff("0.1.0", "0.2.0", (Change("removed", "CrimeType:arson", "code", "arson", None, True),))
>>> print(as_text(diff))
0.1.0 -> 0.2.0: breaking (1 change, 1 breaking)
  removed  code  CrimeType:arson  (breaking)
"""

from __future__ import annotations

import json

from policeonto.releases.diff import Change, Diff

__all__ = ["as_json", "as_markdown", "as_text", "verdict"]


def verdict(diff: Diff) -> str:
    """One line: the versions, whether old data stays valid, and how many changes there are."""
    breaking = sum(1 for change in diff.changes if change.breaking)
    count = f"{len(diff.changes)} change{'' if len(diff.changes) == 1 else 's'}, {breaking} breaking"
    state = "compatible" if diff.compatible else "breaking"
    return f"{diff.old_version} -> {diff.new_version}: {state} ({count})"


def _detail(change: Change) -> str:
    if change.kind == "changed" and change.old == change.new:
        return "its conditions changed"
    if change.kind == "changed":
        return f"{change.old or '(none)'} -> {change.new or '(none)'}"
    if change.kind == "deprecated":
        return f"replaced by {change.new}" if change.new else "no replacement"
    return ""


def as_text(diff: Diff) -> str:
    """The verdict, then a line per change."""
    lines = [verdict(diff)]
    kind = max((len(c.kind) for c in diff.changes), default=0)
    what = max((len(c.what) for c in diff.changes), default=0)
    for change in diff.changes:
        columns = [change.kind.ljust(kind), change.what.ljust(what), change.term, _detail(change)]
        line = "  " + "  ".join(column for column in columns if column)
        lines.append(line + ("  (breaking)" if change.breaking else ""))
    return "\n".join(lines)


def _cell(text: str | None) -> str:
    return (text or "").replace("\\", "\\\\").replace("|", "\\|").replace("`", "'").replace("\n", " ")


def as_markdown(diff: Diff, *, heading_level: int = 2, note: str = "") -> str:
    """The verdict and a table of changes (kind, term, what, detail, breaking), under a heading naming
    both versions, with *note* (Markdown, such as where the old release was read from) under the heading.
    """
    hashes = "#" * heading_level
    state = (
        "Data valid under the old release stays valid under the new one."
        if diff.compatible
        else "**Breaking**: data valid under the old release may be invalid under the new one."
    )
    lines = [f"{hashes} {diff.new_version} against {diff.old_version}", ""]
    lines += [note, "", state, ""] if note else [state, ""]
    if not diff.changes:
        return "\n".join([*lines, "No term or code changed.", ""])
    lines += ["| Change | Term | What | Detail | Breaks old data |", "|---|---|---|---|---|"]
    for change in diff.changes:
        cells = [change.kind, f"`{_cell(change.term)}`", change.what, _cell(_detail(change))]
        lines.append("| " + " | ".join([*cells, "yes" if change.breaking else "no"]) + " |")
    return "\n".join([*lines, ""])


def as_json(diff: Diff) -> str:
    """The diff as indented JSON."""
    return json.dumps(diff.as_dict(), indent=2)
