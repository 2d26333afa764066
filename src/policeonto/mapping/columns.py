"""Match a file's header to a source format's columns, and recognise which format a file is.

Columns are matched by name, not position: re-ordered columns are fine; a header that differs only in case,
spacing or underscores, or that is one of the column's declared aliases, is read as that column (a
``renamed-column`` finding says so). A missing required column stops the file with an error that lists what
was expected and what was found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from policeonto.errors import MappingInputError
from policeonto.findings import Finding, make
from policeonto.mapping.reader import SourceFile, normalise_header
from policeonto.mapping.spec import Mapping

__all__ = ["ColumnMatch", "match_columns", "recognise"]


@dataclass
class ColumnMatch:
    """How a file's header lines up with a mapping's source columns."""

    mapping: Mapping
    slots: dict[str, str]  # header name -> source slot
    missing_required: list[str] = field(default_factory=list)
    missing_optional: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every required column is there."""
        return not self.missing_required


def match_columns(mapping: Mapping, source: SourceFile) -> ColumnMatch:
    """Line up *source*'s header with *mapping*'s columns (never raises)."""
    file = str(source.path)
    exact = {c.title: c for c in mapping.columns}
    loose = {normalise_header(name): c for c in mapping.columns for name in (c.title, *c.aliases)}
    match = ColumnMatch(mapping, {})
    taken: set[str] = set()
    for position, header in enumerate(source.header, start=1):
        column = exact.get(header.replace("\ufeff", "")) or loose.get(normalise_header(header))
        if column is None or column.slot in taken:
            match.unexpected.append(header)
            if column is None:
                match.findings.append(make("unexpected-column", file=file, column=header))
            else:
                match.findings.append(make("duplicate-column", file=file, column=header, value=str(position)))
            continue
        taken.add(column.slot)
        match.slots[header] = column.slot
        if header != column.title:
            match.findings.append(make("renamed-column", file=file, column=column.title, value=header))
    for column in mapping.columns:
        if column.slot not in taken:
            (match.missing_required if column.required else match.missing_optional).append(column.title)
    match.findings += [make("missing-optional-column", file=file, column=title) for title in match.missing_optional]
    return match


def recognise(source: SourceFile, mappings: Sequence[Mapping], *, name: str | None = None) -> ColumnMatch:
    """The mapping for *source*: the one named, or the one whose columns its header matches best.

    Raises:
        MappingInputError: the named mapping lacks required columns in this file, or no mapping fits;
            the message says which columns were expected and which were found.
    """
    found = ", ".join(repr(h) for h in source.header)
    candidates = [m for m in mappings if name is None or m.name == name]
    matches = [match_columns(m, source) for m in candidates]
    complete = [m for m in matches if m.complete]
    if complete:
        return min(complete, key=lambda m: (len(m.unexpected) + len(m.missing_optional), m.mapping.name))
    if name is not None and matches:
        (only,) = matches
        raise MappingInputError(
            f"not a {name} file: missing required columns {only.missing_required}; found columns {found}",
            path=source.path,
            line=1,
        )
    expected = "; ".join(f"{m.mapping.name} lacks {m.missing_required}" for m in matches)
    raise MappingInputError(
        f"no mapping recognises this header ({expected}); found columns {found}", path=source.path, line=1
    )
