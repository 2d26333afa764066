"""Bounds on what policeonto reads from outside: bytes per file, line, field and IRI, columns per table, and
bytes in a SPARQL server's answer.

A whole file over a bound cannot be read at all and is refused with an error naming the file, the bound and
how to raise it. A single line or field over its bound in a table (a CSV row, a JSON record) is a finding:
the row is rejected and counted, the rest of the file is read. Sizes are bytes of UTF-8 text; the columns
limit is a count.

>>> limits = Limits.parse(["file-size=10M", "field-size=64K", "columns=300"])
>>> limits.file_size, limits.field_size, limits.line_size == Limits().line_size, limits.columns
(10485760, 65536, True, 300)
>>> format_size(limits.file_size)
'10M'
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import Field, dataclass, field, fields, replace
from pathlib import Path

from policeonto.errors import InstanceDataError, PoliceOntoError, shorten

__all__ = [
    "LIMIT_NAMES",
    "LimitError",
    "Limits",
    "check_file_size",
    "format_size",
    "number_error",
    "parse_count",
    "parse_size",
    "read_blocks",
    "read_bounded",
    "refuse_special",
]

_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


class LimitError(PoliceOntoError, ValueError):
    """A ``--limit`` setting is malformed or names no limit."""


def parse_size(text: str) -> int:
    """A byte count written with an optional binary suffix (K, M, G, T; a trailing B or iB is allowed).

    >>> parse_size("2G"), parse_size("512k"), parse_size("1000"), parse_size("1.5MiB")
    (2147483648, 524288, 1000, 1572864)

    Raises:
        LimitError: not a positive size.
    """
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?)(?:i?b)?\s*", text, re.IGNORECASE)
    if not match:
        raise LimitError(f"{text!r} is not a size (such as 4096, 64K, 16M or 2G)")
    try:
        value = int(float(match.group(1)) * _UNITS[match.group(2).upper()])
    except OverflowError as exc:
        raise LimitError(f"{text[:40]!r}: too large a size") from exc
    if value < 1:
        raise LimitError(f"{text!r}: a limit must be at least one byte")
    return value


def number_error(exc: ValueError) -> str:
    """What a parser's ``ValueError`` says, in words: Python's refusal to read an integer of more than
    ``sys.get_int_max_str_digits()`` digits (4,300) named as such, anything else cut short.

    >>> number_error(ValueError("Exceeds the limit (4300 digits) for integer string conversion: value has 5000 digits"))
    'a number has more than 4,300 digits'
    """
    if "integer string conversion" in str(exc):
        return f"a number has more than {sys.get_int_max_str_digits():,} digits"
    return shorten(str(exc), 300)


def parse_count(text: str) -> int:
    """A count written as a whole number (at most 18 digits).

    >>> parse_count("2000"), parse_count(" 64 ")
    (2000, 64)

    Raises:
        LimitError: not a whole number, at least one.
    """
    match = re.fullmatch(r"\s*([0-9]{1,18})\s*", text)
    if not match:
        raise LimitError(f"{text[:40]!r} is not a count (a whole number such as 500)")
    if int(match.group(1)) < 1:
        raise LimitError(f"{text!r}: a limit must be at least one")
    return int(match.group(1))


def format_size(value: int) -> str:
    """A byte count in the largest binary unit that writes it exactly.

    >>> format_size(2 << 30), format_size(1536), format_size(1000)
    ('2G', '1536', '1000')
    """
    for unit in ("T", "G", "M", "K"):
        if value % _UNITS[unit] == 0:
            return f"{value // _UNITS[unit]}{unit}"
    return str(value)


@dataclass(frozen=True, kw_only=True)
class Limits:
    """How large an input, a line of it and a field of it may be, in bytes, and how many columns a table may have.

    Attributes:
        file_size: bytes per input file (CSV, JSON, YAML, RDF); larger files are refused whole.
        line_size: bytes per line: a CSV or JSON row (its fields together) and a line of N-Triples or
            N-Quads; a longer row is rejected with a ``line-too-long`` finding.
        field_size: bytes per field: a CSV cell, a JSON string (a flattened record value) and an RDF
            literal; a row with a larger field is rejected with a ``field-too-large`` finding, an RDF
            file with a larger literal is refused.
        answer_size: bytes in one answer from a SPARQL server (query results, an error page); a larger
            answer is refused with a ``StoreError``, and no more of it is read.
        iri_size: bytes per IRI read from outside: a subject, property or object of an RDF or JSON-LD
            input, a record's identifier or reference; a file with a longer one is refused.
        columns: columns per table: the fields of a CSV header, the distinct flattened keys of a JSON
            export's records of one table; a file with more is refused before its rows are read. The
            default is above the widest table of common databases (PostgreSQL allows 1,600 columns).

    Raises:
        LimitError: a limit is not a whole number (of bytes), at least one.

    >>> Limits(file_size=0)
    Traceback (most recent call last):
    ...
    policeonto.limits.LimitError: file_size=0: a limit must be a whole number of bytes, at least one
    """

    file_size: int = 2 << 30
    line_size: int = 16 << 20
    field_size: int = 4 << 20
    answer_size: int = 256 << 20
    iri_size: int = 8 << 10
    columns: int = field(default=2_000, metadata={"count": True})

    def __post_init__(self) -> None:
        for limit in fields(self):
            value = getattr(self, limit.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                unit = "" if _is_count(limit) else " of bytes"
                raise LimitError(f"{limit.name}={value!r}: a limit must be a whole number{unit}, at least one")

    @classmethod
    def parse(cls, settings: Iterable[str], *, base: Limits | None = None) -> Limits:
        """Limits from ``NAME=SIZE`` settings (``file-size=2G``), others as in *base* (default: the defaults).

        Raises:
            LimitError: a setting is not ``NAME=SIZE`` or names no limit.
        """
        limits = base or cls()
        for setting in settings:
            name, equals, value = setting.partition("=")
            key = name.strip().lower().replace("-", "_")
            if not equals or key not in LIMIT_NAMES.values():
                known = ", ".join(f"{n}={_METAVAR[_is_count(_FIELDS[a])]}" for n, a in LIMIT_NAMES.items())
                raise LimitError(f"--limit {setting[:80]!r}: give one of {known}")
            limits = replace(limits, **{key: (parse_count if _is_count(_FIELDS[key]) else parse_size)(value)})
        return limits

    def hint(self, attribute: str) -> str:
        """How to raise a limit, for messages.

        >>> Limits().hint("file_size")
        'the file-size limit is 2G; raise it with --limit file-size=SIZE'
        >>> Limits().hint("columns")
        'the columns limit is 2,000; raise it with --limit columns=N'
        """
        name, value, count = attribute.replace("_", "-"), getattr(self, attribute), _is_count(_FIELDS[attribute])
        shown = f"{value:,}" if count else format_size(value)
        return f"the {name} limit is {shown}; raise it with --limit {name}={_METAVAR[count]}"


def _is_count(limit: Field[int]) -> bool:
    """Whether a limit is a count (written as a plain number) rather than a size in bytes."""
    return bool(limit.metadata.get("count"))


_FIELDS = {f.name: f for f in fields(Limits)}
_METAVAR = {False: "SIZE", True: "N"}

#: The limit names the CLI accepts -> the :class:`Limits` attribute.
LIMIT_NAMES = {f.name.replace("_", "-"): f.name for f in fields(Limits)}


def check_file_size(path: Path, limits: Limits, *, error: type[InstanceDataError] = InstanceDataError) -> int:
    """The size of *path* in bytes, if it is a regular file (links followed) within ``limits.file_size``.

    Nothing is opened: a FIFO, a device (``/dev/zero``), a socket or a folder is refused from its ``stat``,
    as opening a FIFO blocks and a device's size says nothing of what reading it gives.

    Raises:
        InstanceDataError (or the subclass *error*): the file is no regular file, is larger than the limit,
            or cannot be read.
    """
    try:
        info = path.stat()
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror or exc}", path=path) from exc
    _refuse_special(path, info.st_mode, error)
    if info.st_size > limits.file_size:
        raise error(f"the file is {info.st_size:,} bytes, over the limit ({limits.hint('file_size')})", path=path)
    return info.st_size


def refuse_special(path: Path, *, error: type[InstanceDataError] = InstanceDataError) -> None:
    """Refuse *path* if it is there and is no regular file (links followed); a missing file is left to the
    reader, which says it cannot read it. Nothing is opened.

    >>> refuse_special(Path("/dev/null"))
    Traceback (most recent call last):
    ...
    policeonto.errors.InstanceDataError: /dev/null: not a regular file (a character device); only files are read
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    _refuse_special(path, mode, error)


def _refuse_special(path: Path, mode: int, error: type[InstanceDataError]) -> None:
    if not stat.S_ISREG(mode):
        raise error(f"not a regular file ({_kind(mode)}); only files are read", path=path)


def _kind(mode: int) -> str:
    """What a file that is not a regular file is, for messages.

    >>> _kind(stat.S_IFIFO), _kind(stat.S_IFCHR)
    ('a FIFO', 'a character device')
    """
    kinds = {
        stat.S_ISDIR: "a folder",
        stat.S_ISFIFO: "a FIFO",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
        stat.S_ISSOCK: "a socket",
    }
    return next((name for test, name in kinds.items() if test(mode)), "not a file")


def read_bounded(path: Path, limits: Limits, *, error: type[InstanceDataError] = InstanceDataError) -> bytes:
    """The bytes of *path*, a regular file no larger than ``limits.file_size``: at most one byte more than
    the limit is ever read, whatever the file's ``stat`` says, and what is opened is checked to be the
    regular file that was checked (opened without blocking, so a FIFO put in its place cannot hang).

    Raises:
        InstanceDataError (or the subclass *error*): as :func:`check_file_size`, or the file grew past the
            limit while it was read.
    """
    return b"".join(read_blocks(path, limits, size=limits.file_size + 1, error=error))


def read_blocks(
    path: Path, limits: Limits, *, size: int = 16 << 20, error: type[InstanceDataError] = InstanceDataError
) -> Iterator[bytes]:
    """The bytes of *path* in blocks of at most *size* bytes, checked as :func:`read_bounded` checks them
    (a regular file, no more than ``limits.file_size`` bytes read), without holding the file.

    Raises:
        InstanceDataError (or the subclass *error*): as :func:`read_bounded`.
    """
    check_file_size(path, limits, error=error)
    total = 0
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as handle:
            _refuse_special(path, os.fstat(handle.fileno()).st_mode, error)
            while block := handle.read(min(size, limits.file_size + 1 - total)):
                total += len(block)
                if total > limits.file_size:
                    raise error(
                        f"the file grew past the limit while it was read ({limits.hint('file_size')})", path=path
                    )
                yield block
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror or exc}", path=path) from exc
