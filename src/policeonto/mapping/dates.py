"""Dates in mapping expressions, as Polars expressions: ``parse_date``, ``parse_datetime`` and
``format_date``.

Dates are text in ISO 8601 form, so they pass between functions and into slots as any value does:
``parse_date`` gives ``2024-01-31``, ``parse_datetime`` gives ``2024-01-31T09:05:00``, or
``2024-01-31T08:05:00Z`` when the zone is known (a ``%z`` in the format, or a zone name), converted to UTC.

A format is made of these directives and literal characters, each literal matched exactly:

- ``%Y`` four-digit year; ``%y`` two-digit year (69 to 99 are 1969 to 1999, 00 to 68 are 2000 to 2068, as
  Python reads them);
- ``%m`` month, ``%d`` day, ``%H`` hour (0 to 23), ``%I`` hour (1 to 12) with ``%p`` (AM or PM), ``%M``
  minute, ``%S`` second: one or two digits;
- ``%b`` and ``%B`` an English month name, short (``Jan``) or long (``January``), in any case;
- ``%z`` ``Z``, or an offset ``+01:00`` or ``+0100`` (parsing only);
- ``%j`` day of the year, three digits (formatting only); ``%%`` a percent sign.

A value that does not match the format, or that is no real date or time (31 February, 25:00), is missing.

>>> frame = pl.DataFrame({"x": ["31/01/2024", "30/02/2024", "1/2/2024", None]})
>>> frame.select(parse_date(pl.col("x"), "%d/%m/%Y", where="x")).to_series().to_list()
['2024-01-31', None, '2024-02-01', None]
>>> frame = pl.DataFrame({"d": ["2024-01-31", "2024-01-31T23:30:00+01:00", "31/01/2024"]})
>>> frame.select(format_date(pl.col("d"), "%Y-%m", where="d")).to_series().to_list()
['2024-01', '2024-01', None]
"""

from __future__ import annotations

import re

import polars as pl

from policeonto.errors import MappingSpecError, shorten

__all__ = ["MONTHS", "check_zone", "format_date", "parse_date", "parse_datetime"]

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_SHORT = "|".join(m[:3] for m in MONTHS)
_LONG = "|".join(MONTHS)

#: What each parsing directive matches (its group is named after the letter).
_PARSE = {
    "Y": "[0-9]{4}",
    "y": "[0-9]{2}",
    "m": "0?[1-9]|1[0-2]",
    "d": "0?[1-9]|[12][0-9]|3[01]",
    "H": "[01]?[0-9]|2[0-3]",
    "I": "0?[1-9]|1[0-2]",
    "p": "(?i:am|pm)",
    "M": "[0-5]?[0-9]",
    "S": "[0-5]?[0-9]",
    "b": f"(?i:{_SHORT})",
    "B": f"(?i:{_LONG})",
    "z": "Z|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9]",
}
_FORMAT = set("YymdHIpMSbBj")
_DIRECTIVE = re.compile(r"%(.)|([^%]+)", re.DOTALL)
_ISO = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?)?$"
)


def _directives(fmt: str, allowed: set[str], *, where: str) -> list[tuple[str | None, str]]:
    """(directive letter or None, literal text) for each piece of *fmt*.

    Raises:
        MappingSpecError: a directive outside *allowed*, a lone ``%``, or a directive given twice.
    """
    pieces: list[tuple[str | None, str]] = []
    seen: set[str] = set()
    position = 0
    while position < len(fmt):
        found = _DIRECTIVE.match(fmt, position)
        if found is None:  # a lone % at the end
            raise MappingSpecError(f"{where} format {shorten(fmt)!r} ends with a lone %")
        letter, text = found.groups()
        if letter == "%":
            pieces.append((None, "%"))
        elif letter is not None:
            if letter not in allowed:
                known = " ".join(f"%{c}" for c in sorted(allowed))
                raise MappingSpecError(f"{where} format {shorten(fmt)!r}: %{letter} is not one of {known} %%")
            if letter in seen:
                raise MappingSpecError(f"{where} format {shorten(fmt)!r} gives %{letter} twice")
            seen.add(letter)
            pieces.append((letter, ""))
        else:
            pieces.append((None, text))
        position = found.end()
    return pieces


def _reading(fmt: str, *, where: str, time: bool) -> tuple[str, set[str]]:
    """The regular expression that reads *fmt* (a named group per directive) and the directives it has.

    Raises:
        MappingSpecError: the format is not one this module reads, or lacks a date (or a time, for *time*).
    """
    pieces = _directives(fmt, set(_PARSE), where=where)
    given = {letter for letter, _ in pieces if letter}
    needs = [("Y", "y"), ("m", "b", "B"), ("d",)] + ([("H", "I"), ("M",)] if time else [])
    for choices in needs:
        if not given & set(choices):
            raise MappingSpecError(f"{where} format {shorten(fmt)!r} has none of {' '.join('%' + c for c in choices)}")
    if ("I" in given) != ("p" in given) or ("H" in given and "I" in given):
        raise MappingSpecError(f"{where} format {shorten(fmt)!r}: %I needs %p (and %H neither)")
    pattern = "^" + "".join(f"(?P<{k}>{_PARSE[k]})" if k else re.escape(text) for k, text in pieces) + "$"
    return pattern, given


def _date_and_clock(given: set[str]) -> tuple[pl.Expr, pl.Expr]:
    """The date ``YYYY-MM-DD`` and the time ``HH:MM:SS`` from the columns named by the directives' letters."""
    if "Y" in given:
        year = pl.col("Y")
    else:
        short = pl.col("y").cast(pl.Int64)
        year = (pl.when(short < 69).then(short + 2000).otherwise(short + 1900)).cast(pl.String)
    if "m" in given:
        month = pl.col("m").str.zfill(2)
    else:
        names = MONTHS if "B" in given else tuple(m[:3] for m in MONTHS)
        lookup = {name.lower(): f"{n:02d}" for n, name in enumerate(names, 1)}
        month = pl.col("B" if "B" in given else "b").str.to_lowercase().replace_strict(lookup, default=None)
    date = pl.concat_str([year, pl.lit("-"), month, pl.lit("-"), pl.col("d").str.zfill(2)])
    if "I" in given:
        twelve = pl.col("I").cast(pl.Int64) % 12
        hour = (twelve + pl.when(pl.col("p").str.to_lowercase() == "pm").then(12).otherwise(0)).cast(pl.String)
    else:
        hour = pl.col("H") if "H" in given else pl.lit("0")
    minute = pl.col("M") if "M" in given else pl.lit("0")
    second = pl.col("S") if "S" in given else pl.lit("0")
    clock = pl.concat_str([hour.str.zfill(2), pl.lit(":"), minute.str.zfill(2), pl.lit(":"), second.str.zfill(2)])
    return date, clock


def _utc(moment: pl.Expr, zone: str | None) -> pl.Expr:
    """*moment*, a local time in *zone* (or with the offset in column ``z``), in UTC as ``...Z``."""
    if zone is not None:
        utc = moment.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null").dt.convert_time_zone("UTC")
    else:
        offset = pl.col("z").str.replace(":", "", literal=True)
        sign = pl.when(offset.str.starts_with("-")).then(-1).otherwise(1)
        minutes = pl.when(offset == "Z").then(0)
        minutes = minutes.otherwise(
            sign * (offset.str.slice(1, 2).cast(pl.Int64) * 60 + offset.str.slice(3, 2).cast(pl.Int64))
        )
        utc = moment - pl.duration(minutes=minutes)
    return utc.dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(value: pl.Expr, fmt: str, zone: str | None, *, where: str, time: bool) -> pl.Expr:
    """*value* read with *fmt*: the date (not *time*), or the date and time, in UTC when the zone is known.

    The batch is read once by the regular expression and its groups used as columns (an expression that
    took each group from the match would run the regular expression again for each)."""
    pattern, given = _reading(fmt, where=where, time=time)
    if "z" in given and zone is not None:
        raise MappingSpecError(f"{where} format {shorten(fmt)!r} gives the offset (%z): no zone name as well")
    if zone is not None:
        check_zone(zone, where=where)
    date, clock = _date_and_clock(given)
    local = pl.concat_str([pl.col("_date"), pl.lit("T"), pl.col("_clock")])
    if not time:
        result = pl.col("_date")
    elif "z" not in given and zone is None:
        result = local
    else:
        result = _utc(local.str.strptime(pl.Datetime("us"), "%Y-%m-%dT%H:%M:%S", strict=False), zone)

    def read(values: pl.Series) -> pl.Series:
        groups = values.to_frame("_v").select(pl.col("_v").str.extract_groups(pattern).alias("_g")).unnest("_g")
        parts = groups.with_columns(date.alias("_date"), clock.alias("_clock"))
        real = pl.col("_date").str.strptime(pl.Date, "%Y-%m-%d", strict=False).is_not_null()
        return parts.select(pl.when(real).then(result)).to_series().alias(values.name)

    return value.map_batches(read, return_dtype=pl.String, is_elementwise=True)


def parse_date(value: pl.Expr, fmt: str, *, where: str) -> pl.Expr:
    """The date *value* gives in format *fmt*, as ``YYYY-MM-DD`` (a time in the format is read and dropped).

    Raises:
        MappingSpecError: *fmt* is not a format this module reads, or has no year, month or day.
    """
    return _parse(value, fmt, None, where=where, time=False)


def parse_datetime(value: pl.Expr, fmt: str, zone: str | None = None, *, where: str) -> pl.Expr:
    """The date and time *value* gives in format *fmt*, as ``YYYY-MM-DDTHH:MM:SS``; in UTC with a ``Z`` when
    the zone is known: a ``%z`` in the format, or *zone*, the IANA name of the zone the local times are in
    (a time the clocks skipped is missing; a time they passed twice is the earlier).

    Raises:
        MappingSpecError: *fmt* is not a format this module reads, lacks a date or a time, or has ``%z`` as
            well as a *zone*; or *zone* is not a zone name.
    """
    return _parse(value, fmt, zone, where=where, time=True)


def check_zone(zone: str, *, where: str) -> None:
    """Refuse a zone name Polars does not know.

    Raises:
        MappingSpecError: it does not.
    """
    try:
        pl.Series([0], dtype=pl.Datetime("us")).dt.replace_time_zone(zone)
    except (pl.exceptions.ComputeError, pl.exceptions.InvalidOperationError) as exc:
        raise MappingSpecError(f"{where}: {shorten(zone)!r} is not a time zone name (such as Europe/London)") from exc


def format_date(value: pl.Expr, fmt: str, *, where: str) -> pl.Expr:
    """*value*, a date (``YYYY-MM-DD``) or a date and time (``YYYY-MM-DDTHH:MM:SS``, maybe with a fraction and a
    zone, which are left as written), in format *fmt*; missing if *value* is neither.

    Raises:
        MappingSpecError: *fmt* has a directive this module does not write.
    """
    pieces = _directives(fmt, _FORMAT, where=where)
    chrono = "".join(f"%{letter}" if letter else text.replace("%", "%%") for letter, text in pieces)
    given = pl.col("_v")
    text = pl.when(given.str.len_chars() == 10).then(pl.concat_str([given, pl.lit("T00:00:00")]))
    text = text.otherwise(given.str.slice(0, 19))
    moment = pl.when(given.str.contains(_ISO)).then(text)
    written = moment.str.strptime(pl.Datetime("us"), "%Y-%m-%dT%H:%M:%S", strict=False).dt.strftime(chrono)

    def write(values: pl.Series) -> pl.Series:  # the value once, however it is made (an expression would
        return values.to_frame("_v").select(written).to_series().alias(values.name)  # make it for each use)

    return value.map_batches(write, return_dtype=pl.String, is_elementwise=True)
