"""The functions of mapping expressions, as Polars expressions: text, regular expressions, padding, numbers
and lists. :mod:`policeonto.mapping.expressions` checks the arguments and calls these; dates are in
:mod:`policeonto.mapping.dates`.

Each follows linkml-map's function of the same name (Python's ``str`` method) where linkml-map has one, and
gives a missing value for a missing argument. The reference path computes the same values with the plain
Python of :mod:`policeonto.mapping.reference_functions`.

>>> frame = pl.DataFrame({"x": ["  ab 12 ", None]})
>>> frame.select(strip(pl.col("x"))).to_series().to_list()
['ab 12', None]
"""

from __future__ import annotations

import re
import warnings

import polars as pl

from policeonto.errors import MappingSpecError, shorten
from policeonto.mapping.patterns import compile_pattern

__all__ = [
    "MAX_WIDTH",
    "POSTCODE_PARTS",
    "WHITESPACE",
    "postcode_part",
    "regex_groups",
    "regex_replacement",
    "slice_text",
    "split_whitespace",
    "strip",
    "to_float",
    "to_int",
]

#: The widest padding a mapping may ask for: an identifier needs a dozen characters.
MAX_WIDTH = 255

#: What Python's ``str.strip()`` and ``str.split()`` take for white space (``str.isspace``): Unicode White_Space
#: and the separators U+001C to U+001F. Polars' ``strip_chars()`` without an argument leaves the separators.
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
_SPACE_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]"

#: Python's ``float()`` and ``int()`` grammars, ASCII digits (with underscores between them): what the fast
#: path reads as a number, once white space around it is stripped and its underscores dropped.
_DIGITS = "[0-9](?:_?[0-9])*"
_NUMBER = rf"^[+-]?(?:(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][+-]?{_DIGITS})?|(?i:inf|infinity|nan))$"
_INTEGER = rf"^[+-]?{_DIGITS}$"


def strip(value: pl.Expr, chars: str | None = None, *, side: str = "both") -> pl.Expr:
    """``str.strip`` (``lstrip``: *side* ``start``, ``rstrip``: ``end``), white space by default."""
    chars = WHITESPACE if chars is None else chars
    if side == "start":
        return value.str.strip_chars_start(chars)
    if side == "end":
        return value.str.strip_chars_end(chars)
    return value.str.strip_chars(chars)


def split_whitespace(value: pl.Expr) -> pl.Expr:
    """``str.split()`` with no separator: the runs of characters other than white space."""
    return value.str.extract_all(f"[^{_SPACE_CLASS[1:-1]}]+")


def to_float(value: pl.Expr) -> pl.Expr:
    """The number a text holds, as Python's ``float()`` reads it (ASCII digits), missing if none; NaN is
    missing too, so that every comparison with it is false, as in Python.

    >>> frame = pl.DataFrame({"x": [" 1_000 ", "2.5e1", "-inf", "nan", "1__0", "٣"]})
    >>> frame.select(to_float(pl.col("x"))).to_series().to_list()
    [1000.0, 25.0, -inf, None, None, None]
    """
    text = value.str.strip_chars()  # Unicode White_Space, as float() and int() strip (not U+001C to U+001F)
    number = pl.when(text.str.contains(_NUMBER)).then(text.str.replace_all("_", "", literal=True).cast(pl.Float64))
    return pl.when(number.is_nan()).then(None).otherwise(number)


def to_int(value: pl.Expr) -> pl.Expr:
    """The integer a text holds, as Python's ``int()`` reads it (ASCII digits, 64 bits), missing if none."""
    text = value.str.strip_chars()  # Unicode White_Space, as float() and int() strip (not U+001C to U+001F)
    return pl.when(text.str.contains(_INTEGER)).then(
        text.str.replace_all("_", "", literal=True).cast(pl.Int64, strict=False)
    )


#: What ``postcode(x, part)`` gives: the postcode unit (the postcode itself), sector, district or area.
POSTCODE_PARTS = ("unit", "sector", "district", "area")
#: A postcode without spaces: the outward code (area letters, district digit and an optional character),
#: then the inward code (the sector digit and the unit's two letters).
_POSTCODE = "^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$"


def postcode_part(value: pl.Expr, part: str) -> pl.Expr:
    """The postcode in *value*, written in capitals without white space or with any, as its *part*: the
    unit (``SW1A 1AA``), sector (``SW1A 1``), district (``SW1A``) or area (``SW``); missing if *value*
    is no postcode. Girobank's GIR 0AA is a unit in no sector.

    >>> frame = pl.DataFrame({"x": [" sw1a1aa", "B33  8TH", "GIR 0AA", "SW1A 1A"]})
    >>> [frame.select(postcode_part(pl.col("x"), p)).to_series().to_list() for p in POSTCODE_PARTS]
    ... # doctest: +NORMALIZE_WHITESPACE
    [['SW1A 1AA', 'B33 8TH', 'GIR 0AA', None], ['SW1A 1', 'B33 8', None, None],
     ['SW1A', 'B33', None, None], ['SW', 'B', None, None]]
    """
    compact = value.str.to_uppercase().str.replace_all(f"{_SPACE_CLASS}+", "")
    outward, inward = compact.str.extract(_POSTCODE, 1), compact.str.extract(_POSTCODE, 2)
    match part:
        case "unit":
            return (
                pl.when(compact == "GIR0AA")
                .then(pl.lit("GIR 0AA"))
                .otherwise(pl.concat_str([outward, inward], separator=" "))
            )
        case "sector":
            return pl.concat_str([outward, inward.str.slice(0, 1)], separator=" ")
        case "district":
            return outward
        case "area":
            return outward.str.extract("^([A-Z]+)", 1)
    raise ValueError(f"no postcode part {part!r}; one of {POSTCODE_PARTS}")


def slice_text(value: pl.Expr, start: int | None, end: int | None) -> pl.Expr:
    """``value[start:end]`` with Python's meaning of negative and out-of-range bounds.

    >>> frame = pl.DataFrame({"x": ["abcdef", "ab"]})
    >>> frame.select(slice_text(pl.col("x"), 1, -1)).to_series().to_list()
    ['bcde', '']
    """
    if (start is None or start >= 0) and (end is None or end >= 0):
        first = start or 0
        return value.str.slice(first, None if end is None else max(end - first, 0))
    size = value.str.len_chars().cast(pl.Int64)

    def bound(index: int | None, default: pl.Expr) -> pl.Expr:
        if index is None:
            return default
        if index >= 0:
            return pl.min_horizontal(pl.lit(index, dtype=pl.Int64), size)
        return pl.max_horizontal(size + index, pl.lit(0, dtype=pl.Int64))

    low, high = bound(start, pl.lit(0, dtype=pl.Int64)), bound(end, size)
    return value.str.slice(low, pl.max_horizontal(high - low, pl.lit(0, dtype=pl.Int64)))


def regex_groups(pattern: str, *, where: str) -> tuple[int, tuple[str, ...]]:
    """How many groups *pattern* has and the names of its named ones, once both engines accept it: Rust's
    regex (the fast path) and Python's ``re`` (the reference path, and linkml-map with policeonto's functions).

    Raises:
        MappingSpecError: either engine refuses the pattern.
    """
    compile_pattern(pattern, where=where)
    try:
        with warnings.catch_warnings():  # Python reads '[[:alpha:]]' as a set of characters, and warns
            warnings.simplefilter("error", FutureWarning)
            compiled = re.compile(pattern)
    except (re.error, FutureWarning, RecursionError, OverflowError) as exc:
        raise MappingSpecError(
            f"{where} pattern {shorten(pattern)!r} is refused: Python's re cannot read it alike ({exc}); a "
            "mapping's regular expressions must read alike in Rust's regex and Python's re"
        ) from exc
    return compiled.groups, tuple(compiled.groupindex)


_REFERENCE = re.compile(r"\\(?:([1-9])(?![0-9])|g<([A-Za-z_][A-Za-z0-9_]*|[0-9]+)>|(\\))")


def regex_replacement(template: str, groups: int, names: tuple[str, ...], *, where: str) -> str:
    """*template* (Python's ``re.sub`` form: ``\\1`` to ``\\9``, ``\\g<name>``, ``\\g<12>``, ``\\\\``) in
    Rust's form for Polars (``${1}``, ``${name}``, ``$$``).

    >>> regex_replacement(r"\\2-\\g<area>$", 2, ("area",), where="x")
    '${2}-${area}$$'
    >>> regex_replacement(r"\\3", 2, (), where="x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    policeonto.errors.MappingSpecError: x replacement '\\\\3' names group 3, which the pattern lacks ...

    Raises:
        MappingSpecError: another backslash escape, or a group the pattern lacks.
    """
    out, position = [], 0
    while position < len(template):
        char = template[position]
        if char != "\\":
            out.append("$$" if char == "$" else char)
            position += 1
            continue
        found = _REFERENCE.match(template, position)
        if found is None:
            raise MappingSpecError(
                f"{where} replacement {shorten(template)!r}: a backslash must start \\1 to \\9, \\g<name> or \\\\"
            )
        number, name, backslash = found.groups()
        group = number or name
        if backslash:
            out.append("\\")
        elif group is not None and (int(group) > groups if group.isdigit() else group not in names):
            raise MappingSpecError(
                f"{where} replacement {shorten(template)!r} names group {group}, which the pattern lacks "
                f"(it has {groups})"
            )
        else:
            out.append(f"${{{group}}}")
        position = found.end()
    return "".join(out)
