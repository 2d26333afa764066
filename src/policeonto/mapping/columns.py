"""Match a file's header to a source format's columns (:mod:`policeonto.mapping.recognition` recognises which
format a file is).

Columns are matched by name, not position: re-ordered columns are fine; a header that differs only in case,
spacing or underscores, or that is one of the column's declared aliases, is read as that column (a
``renamed-column`` finding says so). A missing required column stops the file with an error that lists what
was expected and what was found (at most ten names of each, long names cut, and how many in all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from policeonto.errors import shorten
from policeonto.findings import Finding, make
from policeonto.mapping.reader import SourceFile, normalise_header
from policeonto.mapping.spec import Mapping

__all__ = ["LISTED", "ColumnMatch", "listed", "match_columns"]

#: How many column names a message lists at most.
LISTED = 10


@dataclass
class ColumnMatch:
    """How a file's header lines up with a mapping's source columns."""

    mapping: Mapping
    slots: dict[str, str]  # header name -> source slot
    missing_required: list[str] = field(default_factory=list)
    missing_optional: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    file: str = ""
    #: (code, column, value) of the header's findings, in header order; made into findings only when asked
    #: for, so matching a wide header against every mapping costs little
    notes: list[tuple[str, str, str | None]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every required column is there."""
        return not self.missing_required

    @property
    def findings(self) -> list[Finding]:
        """What the header says about the file: unexpected, repeated, renamed and missing optional columns."""
        found = [make(code, file=self.file, column=column, value=value) for code, column, value in self.notes]
        return found + [make("missing-optional-column", file=self.file, column=t) for t in self.missing_optional]


def match_columns(mapping: Mapping, source: SourceFile) -> ColumnMatch:
    """Line up *source*'s header with *mapping*'s columns (never raises)."""
    file = str(source.path)
    exact = {c.title: c for c in mapping.columns}
    loose = {normalise_header(name): c for c in mapping.columns for name in (c.title, *c.aliases)}
    match = ColumnMatch(mapping, {}, file=file)
    taken: set[str] = set()
    for position, header in enumerate(source.header, start=1):
        column = exact.get(header.replace("\ufeff", "")) or loose.get(normalise_header(header))
        if column is None or column.slot in taken:
            match.unexpected.append(header)
            if column is None:
                match.notes.append(("unexpected-column", shorten(header), None))
            else:
                match.notes.append(("duplicate-column", shorten(header), str(position)))
            continue
        taken.add(column.slot)
        match.slots[header] = column.slot
        if header != column.title:
            match.notes.append(("renamed-column", column.title, shorten(header)))
    for column in mapping.columns:
        if column.slot not in taken:
            (match.missing_required if column.required else match.missing_optional).append(column.title)
    return match


def listed(names: Sequence[str]) -> str:
    """Column names for a message: the first few, each cut short, and how many in all if there are more.

    >>> listed(["Month", "Crime type"])
    "'Month', 'Crime type'"
    >>> listed([f"c{i}" for i in range(100_000)])
    "'c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9' and 99,990 more (100,000 in all)"
    """
    shown = ", ".join(repr(shorten(name, 40)) for name in names[:LISTED])
    more = len(names) - LISTED
    return shown if more <= 0 else f"{shown} and {more:,} more ({len(names):,} in all)"
