"""XSD datatypes: which lexical forms are valid, and how values of a datatype compare.

>>> frame = pl.DataFrame({"x": ["2024-02-29", "2023-02-29", "2024-13-01", " 2024-01-01"]})
>>> frame.select(valid(pl.col("x"), XSD + "date")).to_series().to_list()
[True, False, False, False]
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from policeonto.fastshacl.terms import XSD

__all__ = ["NUMERIC", "TEMPORAL", "comparable", "valid"]

_SIGN_INT = r"[+-]?[0-9]+"
_TZ = r"(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?"
_DATE = r"-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = r"(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
_DECIMAL = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
_INTEGERS = {
    "integer": None,
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-128, 127),
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
}
_PATTERNS = {
    "decimal": _DECIMAL,
    "double": rf"({_DECIMAL}([eE][+-]?[0-9]+)?|[+-]?INF|NaN)",
    "float": rf"({_DECIMAL}([eE][+-]?[0-9]+)?|[+-]?INF|NaN)",
    "boolean": r"(true|false|1|0)",
    "date": _DATE + _TZ,
    "dateTime": _DATE + "T" + _TIME + _TZ,
    "time": _TIME + _TZ,
    "gYearMonth": r"-?[0-9]{4,}-(0[1-9]|1[0-2])" + _TZ,
    "gYear": r"-?[0-9]{4,}" + _TZ,
} | {name: _SIGN_INT for name in _INTEGERS}
NUMERIC = frozenset(XSD + name for name in ("decimal", "double", "float", *_INTEGERS))
TEMPORAL = frozenset(XSD + name for name in ("date", "dateTime"))


def valid(lexical: pl.Expr, datatype: str) -> pl.Expr:
    """Whether each lexical form is valid for *datatype*; any form is valid for a datatype not known here."""
    name = datatype.removeprefix(XSD) if datatype.startswith(XSD) else None
    pattern = _PATTERNS.get(name or "")
    if pattern is None:
        return lexical.is_not_null()
    ok = lexical.str.contains(f"^{pattern}$")
    if name in ("date", "dateTime"):  # the day must exist in its month
        ok = ok & lexical.str.extract(r"^(-?[0-9]{4,}-[0-9]{2}-[0-9]{2})", 1).str.to_date(strict=False).is_not_null()
    limits = _INTEGERS.get(name or "")
    if limits:
        number = lexical.cast(pl.Int128, strict=False)
        low, high = limits
        ok = ok & number.is_not_null()
        if low is not None:
            ok = ok & (number >= low)
        if high is not None:
            ok = ok & (number <= high)
    return ok


def _instant(lexical: str, datatype: str) -> datetime | None:
    """A date or dateTime as a timezone-aware instant, or None if it has no timezone."""
    try:
        if datatype == XSD + "date":
            body, zone = lexical[:10], lexical[10:]
            moment = datetime.combine(date.fromisoformat(body), datetime.min.time())
            value = datetime.fromisoformat(moment.isoformat() + zone) if zone else moment
        else:
            value = datetime.fromisoformat(lexical)
    except ValueError:
        return None
    return value.astimezone(UTC) if value.tzinfo is not None else value


def comparable(lexical: str, datatype: str, bound_lexical: str, bound_datatype: str) -> float | None:
    """The signed difference value - bound where the two compare, None where they do not.

    Numbers compare with numbers; dates and dateTimes with their own kind, and only both with a timezone
    or both without (otherwise the order is indeterminate).
    """
    if datatype in NUMERIC and bound_datatype in NUMERIC:
        try:
            return float(lexical) - float(bound_lexical)
        except ValueError:
            return None
    if datatype == bound_datatype and datatype in TEMPORAL:
        value, bound = _instant(lexical, datatype), _instant(bound_lexical, bound_datatype)
        if value is None or bound is None or (value.tzinfo is None) != (bound.tzinfo is None):
            return None
        return (value - bound).total_seconds()
    if datatype == bound_datatype:
        return None if lexical == bound_lexical else (1.0 if lexical > bound_lexical else -1.0)
    return None
