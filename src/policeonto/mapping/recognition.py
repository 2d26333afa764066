"""Recognise which mapping reads a file from its header, and refuse to guess.

Each mapping is scored against the file's header as a :class:`Fit`: the columns of the file that are the
mapping's (required and optional), the file's columns that are not (unknown, a repeated column included),
the mapping's optional columns the file lacks, and whether the file's name matches the mapping's
``file_name`` pattern. A mapping fits when the file has every one of its required columns, and then::

    score = columns found - unknown columns - optional columns missing

The fit with the highest score is chosen; between fits of equal score, one whose ``file_name`` pattern
matches the file's name wins. The file is refused (a :class:`~policeonto.errors.MappingInputError` that
names the file, the mappings and ``--mapping``) rather than guessed at when:

- two mappings fit equally well: the same score, and the file name matches both or neither;
- the only fits are **weak**: fewer than half the file's columns are the mapping's (columns found <
  unknown columns), as when a file of another kind happens to hold the two or three columns a mapping
  requires. A file whose name matches the mapping's ``file_name`` pattern is never a weak fit: its name
  says what it is, whatever it adds;
- no mapping has all its required columns (the message names the three that lack the fewest).

:func:`recognition` gives every fit and the verdict as plain values (``policeonto mappings --explain``
prints them); :func:`recognise` gives the chosen mapping's :class:`ColumnMatch` or raises.

>>> from pathlib import Path
>>> from policeonto.mapping.reader import SourceFile
>>> from policeonto.mapping.spec import list_mappings
>>> header = (":START_ID", "role", ":END_ID", ":TYPE")
>>> found = recognition(SourceFile(Path("links.csv"), "", 0, "utf-8", False, 0, 0, True, header), list_mappings())
>>> found.chosen, [(f.mapping, f.score) for f in found.fits[:2]]
('force-c-involved-in', [('force-c-involved-in', 3), ('force-c-occurred-at', 1)])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policeonto.errors import MappingInputError, shorten
from policeonto.limits import Limits
from policeonto.mapping.columns import LISTED, ColumnMatch, listed, match_columns
from policeonto.mapping.jsonsource import is_json
from policeonto.mapping.reader import SourceFile, inspect
from policeonto.mapping.spec import Mapping

__all__ = ["Fit", "Recognition", "explain_files", "recognise", "recognition"]

_NEAREST = 3  # mappings named when none fits: those that lack the fewest required columns


@dataclass(frozen=True)
class Fit:
    """How well one mapping fits one file's header."""

    mapping: str
    required_found: int
    required_total: int
    optional_found: int
    optional_total: int
    #: the file's columns the mapping does not read (not among its columns, or a repeat of one)
    unknown_columns: tuple[str, ...]
    missing_required: tuple[str, ...]
    #: the file's name matches the mapping's ``file_name`` pattern; None when the mapping has none
    file_name: bool | None

    @property
    def found(self) -> int:
        """The file's columns that are the mapping's."""
        return self.required_found + self.optional_found

    @property
    def unknown(self) -> int:
        """How many of the file's columns are not the mapping's."""
        return len(self.unknown_columns)

    @property
    def optional_missing(self) -> int:
        """How many of the mapping's optional columns the file lacks."""
        return self.optional_total - self.optional_found

    @property
    def score(self) -> int:
        """Columns found, less unknown columns and optional columns missing: higher fits better."""
        return self.found - self.unknown - self.optional_missing

    @property
    def complete(self) -> bool:
        """The file has every required column."""
        return not self.missing_required

    @property
    def weak(self) -> bool:
        """Every required column, but fewer than half the file's columns are the mapping's, and the file's name
        does not say it is one."""
        return self.complete and self.found < self.unknown and self.file_name is not True

    @property
    def fits(self) -> bool:
        """The mapping can be chosen: every required column, and not a weak fit."""
        return self.complete and not self.weak

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why it scores as it does, for people: short whatever the header."""
        if not self.complete:
            why = [
                f"lacks required {listed(self.missing_required)} ({self.required_found} of {self.required_total} found)"
            ]
        else:
            why = [
                f"score {self.score} = {self.found} found - {self.unknown} unknown - "
                f"{self.optional_missing} optional missing",
                f"required {self.required_found}/{self.required_total}, "
                f"optional {self.optional_found}/{self.optional_total}",
            ]
            if self.unknown:
                why.append(f"unknown {listed(self.unknown_columns)}")
            if self.weak:
                why.append("weak: fewer than half the file's columns are its")
        if self.file_name is not None:
            why.append("file name matches its pattern" if self.file_name else "file name does not match its pattern")
        return tuple(why)

    def as_dict(self) -> dict[str, Any]:
        """The fit as JSON (at most ten column names in each list, each cut short)."""
        return {
            "mapping": self.mapping,
            "fits": self.fits,
            "score": self.score if self.complete else None,
            "required_found": self.required_found,
            "required_total": self.required_total,
            "optional_found": self.optional_found,
            "optional_total": self.optional_total,
            "unknown": self.unknown,
            "weak": self.weak if self.complete else None,
            "file_name_matches": self.file_name,
            "missing_required": [shorten(n, 40) for n in self.missing_required[:LISTED]],
            "unknown_columns": [shorten(n, 40) for n in self.unknown_columns[:LISTED]],
        }


@dataclass(frozen=True)
class Recognition:
    """Which mapping reads a file: every mapping's fit, best first, and the one chosen or why none is."""

    file: str
    columns: int
    fits: tuple[Fit, ...]
    chosen: str | None
    refusal: str | None  # why no mapping is chosen, when none is
    json: bool = False  # a JSON export, whose mappings its records' types choose, not a header

    def lines(self) -> list[str]:
        """For people: the verdict, then each mapping with all its required columns, best first, and the
        three that lack the fewest (what ``policeonto mappings --explain`` prints)."""
        if self.json:
            return [f"{self.file}: a JSON export: its mappings are chosen by its records' types, not by a header"]
        verdict = f"recognised as {self.chosen}" if self.chosen else f"refused: {self.refusal}"
        lines = [f"{self.file} ({self.columns:,} columns): {verdict}"]
        complete = [f for f in self.fits if f.complete]
        shown = complete + [f for f in self.fits if not f.complete][:_NEAREST]
        lines += [f"  {n}. {f.mapping}: {'; '.join(f.reasons)}" for n, f in enumerate(shown, start=1)]
        if len(self.fits) > len(shown):
            lines.append(
                f"  and {len(self.fits) - len(shown)} more mappings, each lacking as many required columns or more"
            )
        return lines

    def as_dict(self) -> dict[str, Any]:
        """The recognition as JSON."""
        return {
            "file": self.file,
            "columns": self.columns,
            "chosen": self.chosen,
            "refused": self.refusal,
            "fits": [f.as_dict() for f in self.fits],
            "json": self.json,
        }


def recognition(source: SourceFile, mappings: Sequence[Mapping]) -> Recognition:
    """How each of *mappings* fits *source*'s header, best first, and the one chosen or why none is."""
    return _recognition(source, [match_columns(m, source) for m in mappings])


def explain_files(
    paths: Sequence[Path], mappings: Sequence[Mapping], *, limits: Limits = Limits()
) -> list[Recognition]:
    """The :func:`recognition` of each CSV file of *paths* among *mappings*' CSV mappings; a JSON export is
    only marked as one.

    Raises:
        MappingInputError: a file cannot be read (see :func:`~policeonto.mapping.reader.inspect`).
    """
    tables = [m for m in mappings if m.json is None]
    return [
        Recognition(str(path), 0, (), None, None, json=True)
        if is_json(path)
        else recognition(inspect(path, limits=limits), tables)
        for path in paths
    ]


def recognise(source: SourceFile, mappings: Sequence[Mapping], *, name: str | None = None) -> ColumnMatch:
    """The mapping for *source*: the one named, or the one that fits its header best (see the module).

    Raises:
        MappingInputError: the named mapping lacks required columns in this file; or, with no name, no
            mapping fits, two fit equally well, or the only fits are weak. The message names the file, the
            mappings and the columns, and says to name the mapping with ``--mapping``.
    """
    if name is not None:
        candidates = [match_columns(m, source) for m in mappings if m.name == name]
        if candidates and candidates[0].complete:
            return candidates[0]
        missing = listed(candidates[0].missing_required) if candidates else ""
        raise MappingInputError(
            f"not a {name} file: missing required columns [{missing}]; found columns {listed(source.header)}",
            path=source.path,
            line=1,
        )
    matches = {m.name: match_columns(m, source) for m in mappings}
    found = _recognition(source, list(matches.values()))
    if found.chosen is None:
        raise MappingInputError(found.refusal or "", path=source.path, line=1)
    return matches[found.chosen]


def _recognition(source: SourceFile, matches: list[ColumnMatch]) -> Recognition:
    fits = _ordered([_fit(match, source) for match in matches])
    refusal = _refusal(fits, source.header)
    chosen = fits[0].mapping if refusal is None else None
    return Recognition(str(source.path), len(source.header), tuple(fits), chosen, refusal)


def _fit(match: ColumnMatch, source: SourceFile) -> Fit:
    mapping = match.mapping
    required = len(mapping.required_columns)
    optional = len(mapping.columns) - required
    pattern = mapping.file_name
    return Fit(
        mapping=mapping.name,
        required_found=required - len(match.missing_required),
        required_total=required,
        optional_found=optional - len(match.missing_optional),
        optional_total=optional,
        unknown_columns=tuple(match.unexpected),
        missing_required=tuple(match.missing_required),
        file_name=None if pattern is None else pattern.groups(source.path.name) is not None,
    )


def _ordered(fits: list[Fit]) -> list[Fit]:
    """Best first: fits by score (a file-name match first among equals), then weak fits, then the
    mappings that lack the fewest required columns."""
    return sorted(
        fits,
        key=lambda f: (
            (0, f.weak, -f.score, f.file_name is not True, f.mapping)
            if f.complete
            else (1, len(f.missing_required), -f.found, f.mapping)
        ),
    )


def _refusal(fits: list[Fit], header: Sequence[str]) -> str | None:
    """Why no mapping is chosen from *fits* (best first), or None when the first is chosen."""
    if fits and fits[0].fits:
        best = fits[0]
        tied = [f for f in fits if f.fits and (f.score, f.file_name is True) == (best.score, best.file_name is True)]
        if len(tied) < 2:
            return None
        shown = [f.mapping for f in tied[:_NEAREST]]
        named = ", ".join(shown[:-1]) + f" and {shown[-1]}"
        more = f" (and {len(tied) - _NEAREST} more)" if len(tied) > _NEAREST else ""
        if best.file_name:
            clause = "the file name matches the file_name pattern of each"
        elif any(f.file_name is not None for f in tied):
            clause = "the file name matches no file_name pattern of theirs"
        else:
            clause = "none of them has a file_name pattern"
        return (
            f"{named}{more} fit this header equally well (score {best.score} each), and {clause}; refused rather "
            f"than guessed: name one with --mapping {tied[0].mapping} or --mapping {tied[1].mapping}"
        )
    if fits and fits[0].complete:  # every fit is weak
        weak = fits[0]
        return (
            f"only {weak.found:,} of this file's {len(header):,} columns are columns of {weak.mapping}, fewer "
            f"than half (unknown {listed(weak.unknown_columns)}): a weak fit, refused rather than mapped as "
            f"{weak.mapping} rows; if the file is one, name it with --mapping {weak.mapping}"
        )
    nearest = fits[:_NEAREST]  # incomplete ones come ordered by the required columns they lack
    expected = "; ".join(f"{f.mapping} lacks [{listed(f.missing_required)}]" for f in nearest)
    if len(fits) > _NEAREST:
        expected += f"; {len(fits) - _NEAREST} more mappings lack more"
    return f"no mapping recognises this header ({expected}); found columns {listed(header)}"
