"""policeonto's own expression functions in plain Python, for linkml-map: the reference path gives them to
its ObjectTransformer as ``extension_functions``, and so can anyone running a mapping with linkml-map.

They are written apart from the Polars ones (:mod:`policeonto.mapping.functions`,
:mod:`policeonto.mapping.dates`), with Python's ``re``, ``datetime`` and ``zoneinfo``, so that the
differential tests compare two implementations. A missing argument gives a missing value, as linkml-map's
functions do.

>>> EXTENSION_FUNCTIONS["regex_replace"]("AB12 CDE", r"\\s+", "")
'AB12CDE'
>>> EXTENSION_FUNCTIONS["parse_datetime"]("31/03/2024 01:30", "%d/%m/%Y %H:%M", "Europe/London") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["EXTENSION_FUNCTIONS"]

_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_READ = {
    "Y": r"\d{4}",
    "y": r"\d{2}",
    "m": r"1[0-2]|0?[1-9]",
    "d": r"3[01]|[12]\d|0?[1-9]",
    "H": r"2[0-3]|[01]?\d",
    "I": r"1[0-2]|0?[1-9]",
    "p": r"[aApP][mM]",
    "M": r"[0-5]?\d",
    "S": r"[0-5]?\d",
    "b": "|".join(m[:3] for m in _MONTHS),
    "B": "|".join(_MONTHS),
    "z": r"Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d",
}


def _null_safe(function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any) -> Any:
        return None if any(a is None for a in args) else function(*args)

    wrapper.__name__ = function.__name__
    return wrapper


def regex_match(text: str, pattern: str) -> bool:
    """Whether *pattern* is found anywhere in *text*."""
    return re.search(pattern, text) is not None


def regex_extract(text: str, pattern: str, group: int = 0) -> str | None:
    """Group *group* (0: the whole match) of the first match of *pattern* in *text*; None if none."""
    found = re.search(pattern, text)
    return None if found is None else found.group(group)


def regex_replace(text: str, pattern: str, replacement: str) -> str:
    """Every match of *pattern* in *text* replaced by *replacement* (``\\1``, ``\\g<name>``), left to right;
    an empty match just where the previous match ended is not replaced (as Rust's regex finds matches)."""
    compiled = re.compile(pattern)
    out, kept, position, last_end = [], 0, 0, -1
    while position <= len(text):
        found = compiled.search(text, position)
        if found is None:
            break
        start, end = found.span()
        if start == end == last_end:
            position = start + 1
            continue
        out += [text[kept:start], found.expand(replacement)]
        kept = last_end = end
        position = end if end > start else end + 1
    return "".join(out) + text[kept:]


def zfill(text: str, width: int) -> str:
    """*text* padded with zeros to *width*, after a leading sign."""
    return text.zfill(width)


def pad_left(text: str, width: int, fill: str) -> str:
    """*text* padded on the left with *fill* to *width* characters."""
    return text.rjust(width, fill)


def pad_right(text: str, width: int, fill: str) -> str:
    """*text* padded on the right with *fill* to *width* characters."""
    return text.ljust(width, fill)


@cache
def _reader(fmt: str) -> re.Pattern[str]:
    parts = []
    for letter, literal in re.findall(r"%(.)|([^%]+)", fmt, re.DOTALL):
        if letter == "%" or not letter:
            parts.append(re.escape(literal or "%"))
        else:
            parts.append(f"(?P<{letter}>{_READ[letter]})")
    return re.compile("".join(parts), re.IGNORECASE | re.ASCII)


def _read(text: str, fmt: str) -> tuple[datetime, str | None] | None:
    """The date and time *text* gives in *fmt*, and its offset text (None if *fmt* has no ``%z``)."""
    found = _reader(fmt).fullmatch(text)
    if found is None:
        return None
    got = found.groupdict()
    year = int(got["Y"]) if got.get("Y") else int(got["y"]) + (2000 if int(got["y"]) < 69 else 1900)
    if got.get("m"):
        month = int(got["m"])
    else:
        name = (got.get("B") or got.get("b") or "").lower()
        month = next(n for n, m in enumerate(_MONTHS, 1) if (m if got.get("B") else m[:3]) == name)
    hour = int(got.get("H") or 0)
    if got.get("I"):
        hour = int(got["I"]) % 12 + (12 if got["p"].lower() == "pm" else 0)
    try:
        moment = datetime(year, month, int(got["d"]), hour, int(got.get("M") or 0), int(got.get("S") or 0))
    except ValueError:
        return None
    return moment, got.get("z")


def parse_date(text: str, fmt: str) -> str | None:
    """*text* read as a date in *fmt*, written ``YYYY-MM-DD``; None if it is not one."""
    read = _read(text, fmt)
    return None if read is None else _iso(read[0])[:10]


def parse_datetime(text: str, fmt: str, zone: str | None = None) -> str | None:
    """*text* read as a date and time in *fmt*, written ``YYYY-MM-DDTHH:MM:SS``, or in UTC with ``Z`` when
    the format has ``%z`` or *zone* names the zone (None for a local time the clocks skipped)."""
    read = _read(text, fmt)
    if read is None:
        return None
    moment, offset = read
    if offset is None and zone is None:
        return _iso(moment)
    if zone is not None:
        local = moment.replace(tzinfo=ZoneInfo(zone), fold=0)
        utc = local.astimezone(UTC)
        if utc.astimezone(ZoneInfo(zone)).replace(tzinfo=None) != moment:
            return None  # the clocks went forward over it
    else:
        digits = offset.replace(":", "")
        minutes = 0 if digits == "Z" else int(digits[1:3]) * 60 + int(digits[3:5])
        sign = -1 if digits.startswith("-") else 1
        utc = moment.replace(tzinfo=timezone(timedelta(minutes=sign * minutes))).astimezone(UTC)
    return _iso(utc) + "Z"


def _iso(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` (``strftime("%Y")`` writes year 1 as ``1``)."""
    day = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
    return f"{day}T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"


_ISO = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)(?:T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?)?", re.ASCII
)


def format_date(text: str, fmt: str) -> str | None:
    """*text*, an ISO date or date and time (its fraction and zone left as written), in *fmt*."""
    found = _ISO.fullmatch(text)
    if found is None:
        return None
    numbers = [int(n) for n in found.groups(default="0")]
    try:
        moment = datetime(*numbers[:6])
    except ValueError:
        return None
    day_of_year = (moment.date() - date(moment.year, 1, 1)).days + 1
    hour12 = moment.hour % 12 or 12
    directives = {
        "Y": f"{moment.year:04d}",
        "y": f"{moment.year % 100:02d}",
        "m": f"{moment.month:02d}",
        "d": f"{moment.day:02d}",
        "H": f"{moment.hour:02d}",
        "I": f"{hour12:02d}",
        "p": "PM" if moment.hour >= 12 else "AM",
        "M": f"{moment.minute:02d}",
        "S": f"{moment.second:02d}",
        "b": _MONTHS[moment.month - 1][:3].title(),
        "B": _MONTHS[moment.month - 1].title(),
        "j": f"{day_of_year:03d}",
        "%": "%",
    }
    return "".join(directives[letter] if letter else literal for letter, literal in re.findall(r"%(.)|([^%]+)", fmt))


_POSTCODE = re.compile("([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")


def postcode(text: str, part: str) -> str | None:
    """The postcode in *text* (any case, white space anywhere) as its *part*: ``unit`` (``SW1A 1AA``),
    ``sector`` (``SW1A 1``), ``district`` (``SW1A``) or ``area`` (``SW``); None if *text* is no postcode.
    GIR 0AA is a unit in no sector."""
    compact = "".join(text.upper().split())
    if compact == "GIR0AA":
        return "GIR 0AA" if part == "unit" else None
    found = _POSTCODE.fullmatch(compact)
    if found is None:
        return None
    outward, inward = found.groups()
    parts = {
        "unit": f"{outward} {inward}",
        "sector": f"{outward} {inward[0]}",
        "district": outward,
        "area": outward[:2] if outward[1].isalpha() else outward[:1],
    }
    return parts[part]


#: Name -> function, for ``ObjectTransformer(extension_functions=...)``.
EXTENSION_FUNCTIONS: dict[str, Callable[..., Any]] = {
    f.__name__: _null_safe(f)
    for f in (
        regex_match,
        regex_extract,
        regex_replace,
        zfill,
        pad_left,
        pad_right,
        parse_date,
        parse_datetime,
        format_date,
        postcode,
    )
}
