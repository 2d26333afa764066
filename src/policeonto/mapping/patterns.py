"""The regular expressions a mapping supplies (its ``file_name`` pattern, the ``pattern`` of a source column),
all run by one engine whose time is linear in the text: Rust's regex crate, through Polars (the checks of
:mod:`policeonto.mapping.checks` run a column's pattern with ``str.contains``).

Python's ``re`` backtracks, so a pattern such as ``^(a+)+$`` takes time exponential in the length of a
crafted file name or value. Rust's regex never backtracks; in exchange it has no look-around and no
backreferences. A pattern it cannot compile (one of those, a syntax error, or one that compiles to more
than its size limit, 10 MiB) is refused when the mapping loads, so it never fails on data. So is a
column's ``date_format`` that Polars' date parser refuses.

>>> pattern = compile_pattern(r"(?P<month>[0-9]{4}-[0-9]{2})-(?P<force>[a-z-]+)-street\\.csv$", where="file_name")
>>> pattern.groups("2024-01-kent-street.csv")
{'month': '2024-01', 'force': 'kent'}
>>> pattern.groups("notes-2024-01-kent-street.csv") is None  # matched from the start, as re.match does
True
>>> compile_pattern(r"^(?=E)[EW]01", where="lsoa_code")  # doctest: +NORMALIZE_WHITESPACE
Traceback (most recent call last):
...
policeonto.errors.MappingSpecError: lsoa_code pattern '^(?=E)[EW]01' is refused: look-around, including
look-ahead and look-behind, is not supported (mapping patterns are run by Rust's regex engine)
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from policeonto.errors import MappingSpecError, shorten

__all__ = ["Pattern", "check_date_format", "compile_pattern"]


@dataclass(frozen=True)
class Pattern:
    """A regular expression compiled for (and checked against) Rust's regex engine."""

    pattern: str

    def groups(self, text: str) -> dict[str, str | None] | None:
        """The named groups of a match at the start of *text* (as ``re.match``), or None if it does not match."""
        anchored = f"^(?:{self.pattern})"
        value = pl.Series([text], dtype=pl.String)
        if not value.str.contains(anchored).item():
            return None
        found = value.str.extract_groups(anchored).item()
        return {name: group for name, group in found.items() if not name.isdigit()}


def compile_pattern(text: str, *, where: str) -> Pattern:
    """*text* as a :class:`Pattern`, once Rust's regex engine has compiled it.

    Args:
        where: what the pattern belongs to, for the message (the file and the field or column).

    Raises:
        MappingSpecError: the engine refuses it; the message says where it is and why, in the engine's words.
    """
    try:
        pl.Series([""], dtype=pl.String).str.contains(text)
    except pl.exceptions.ComputeError as exc:
        raise MappingSpecError(
            f"{where} pattern {shorten(text)!r} is refused: {_reason(exc)} "
            "(mapping patterns are run by Rust's regex engine)"
        ) from exc
    return Pattern(text)


def check_date_format(text: str, *, where: str) -> None:
    """Refuse a ``date_format`` that Polars' date parser, which reads the column with it, refuses.

    >>> check_date_format("%d/%m/%Y", where="occ_date")
    >>> check_date_format("%H", where="occ_date")  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    policeonto.errors.MappingSpecError: occ_date date_format '%H' is refused: Invalid format string: Please
    either specify both hour and minute, or neither.

    Raises:
        MappingSpecError: it does; the message says where the format is and why.
    """
    try:
        sample = pl.Series(["2024-01-31"], dtype=pl.String).str.strptime(pl.Date, text, strict=False)
        sample.dt.strftime("%Y-%m-%d")
    except pl.exceptions.ComputeError as exc:
        raise MappingSpecError(f"{where} date_format {shorten(text)!r} is refused: {_reason(exc)}") from exc


def _reason(error: pl.exceptions.ComputeError) -> str:
    """The engine's reason, from Polars' message (which goes on to quote the whole expression)."""
    lines = str(error).splitlines() or [""]
    reason = next((line.removeprefix("error: ") for line in lines if line.startswith("error: ")), None)
    return shorten(reason or lines[0].removeprefix("regex error: "), 200)
