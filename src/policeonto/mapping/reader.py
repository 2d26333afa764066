"""Read source files safely and fast: one pass to fingerprint and decode-check the bytes, then rows in
batches with their data-row numbers.

Well-formed files are parsed by Arrow's streaming CSV reader. If it meets a malformed row (wrong number of
fields, an unterminated quote), the rest of the file, after the rows already yielded, is read by Python's
csv module, which knows where each row starts, so every rejected row is named by number. Blank lines are
skipped (the first pass counts them). Row 1 is the first data row after the header.

A file larger than ``Limits.file_size`` or with more columns than ``Limits.columns`` is refused. A row longer
than ``Limits.line_size`` (its fields together) or with a field larger than ``Limits.field_size`` is rejected
on its own, as a malformed row is.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from policeonto.errors import MappingInputError, shorten
from policeonto.limits import Limits, check_file_size

__all__ = [
    "ROW",
    "Batch",
    "RejectedRow",
    "RowSpan",
    "SourceFile",
    "bounded",
    "column_names",
    "inspect",
    "normalise_header",
    "over_limits",
    "read_batches",
    "row_spans",
]

_CHUNK = 8 << 20
_CELLS = 1 << 21  # fields per batch of the careful reader: a wide file makes batches of fewer rows
_BLANK = re.compile(rb"\n(?=\r?\n)")
ROW = "_row"


@dataclass(frozen=True)
class SourceFile:
    """What the first pass learnt about a file."""

    path: Path
    sha256: str
    size: int
    encoding: str  # a Python codec name: utf-8, utf-8-sig or cp1252
    crlf: bool
    lines: int
    blank_lines: int
    quotes_balanced: bool
    header: tuple[str, ...]


@dataclass(frozen=True)
class RejectedRow:
    """A row the parser could not split into the header's columns, or one over a size limit (then *code*
    says which: ``line-too-long`` or ``field-too-large``, and *column* names the field)."""

    row: int
    fields: int
    text: str
    code: str | None = None
    column: str | None = None


@dataclass(frozen=True)
class RowSpan:
    """Rows of a file read apart from the others (a chunk, mapped as a Dask task): the bytes from *start* to
    *end*, cut where a row ends, holding *rows* rows of which the first is row ``rows_before + 1`` of the
    file; the header is the file's first *header_end* bytes."""

    start: int
    end: int
    rows_before: int
    rows: int
    header_end: int


@dataclass
class Batch:
    """Rows of one file, each column a string (missing values null), plus the data-row number ``_row``."""

    frame: pl.DataFrame
    rejected: list[RejectedRow] = field(default_factory=list)
    blank_lines: int = 0


def normalise_header(name: str) -> str:
    """A header compared loosely: case, spacing, underscores and a BOM do not matter.

    >>> normalise_header(" Crime_ID\\ufeff")
    'crime id'
    """
    return re.sub(r"[\s_]+", " ", name.replace("\ufeff", "")).strip().casefold()


def inspect(path: Path, *, limits: Limits = Limits()) -> SourceFile:
    """Fingerprint *path* (SHA-256), find its encoding (UTF-8, UTF-8 with BOM, else Windows-1252) and
    line endings, count its lines and read its header.

    Raises:
        MappingInputError: the file cannot be read, is larger than ``limits.file_size``, is empty, is
            neither UTF-8 nor Windows-1252, or its header has more than ``limits.columns`` columns.
    """
    check_file_size(path, limits, error=MappingInputError)
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, size, lines, blank, quotes, head, crlf, tail = True, 0, 0, 0, 0, b"", False, b""
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                if not head:
                    head = chunk[: 1 << 16]
                    crlf = b"\r\n" in head
                digest.update(chunk)
                size += len(chunk)
                lines += chunk.count(b"\n")
                quotes += chunk.count(b'"')
                blank += len(_BLANK.findall(tail + chunk))  # tail: the byte before, for a blank line at the seam
                tail = chunk[-1:]
                if utf8:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        utf8 = False
            if utf8:
                decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        utf8 = False
    except OSError as exc:
        raise MappingInputError(f"cannot read: {exc.strerror or exc}", path=path) from exc
    if size == 0 or not head.strip(b"\xef\xbb\xbf \t\r\n"):
        raise MappingInputError("the file is empty", path=path)
    encoding = ("utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8") if utf8 else "cp1252"
    if not utf8 and head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)):  # and UTF-32 LE
        raise MappingInputError(
            "the file is UTF-16 or UTF-32 text (a byte-order mark says so); save it as UTF-8", path=path
        )
    if not utf8:
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    chunk.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise MappingInputError("the file is neither UTF-8 nor Windows-1252 text", path=path) from exc
    if b"\n" not in head and size > len(head):  # a header line longer than the first chunk read
        head = _first_line(path, limits)
    text = head.decode(encoding, errors="replace")
    with _csv_fields(limits.line_size + 1):  # one header field may be as long as the line
        header = next(csv.reader(text.splitlines()[:1] or [""]), [])
    if not any(h.strip() for h in header):
        raise MappingInputError("the first line is not a header", path=path, line=1)
    if len(header) > limits.columns:
        raise MappingInputError(
            f"the header has {len(header):,} columns, over the limit ({limits.hint('columns')})", path=path, line=1
        )
    return SourceFile(path, digest.hexdigest(), size, encoding, crlf, lines, blank, quotes % 2 == 0, tuple(header))


@contextlib.contextmanager
def _csv_fields(size: int) -> Iterator[None]:
    """Let Python's csv module read fields of up to *size* characters (its default is 128 KiB) in the block."""
    before = csv.field_size_limit()
    csv.field_size_limit(max(before, size))
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _first_line(path: Path, limits: Limits) -> bytes:
    """The first line of *path*, if it is within ``limits.line_size``.

    Raises:
        MappingInputError: the line is longer than the limit, or the file cannot be read.
    """
    try:
        with path.open("rb") as handle:
            line = handle.readline(limits.line_size + 1)
    except OSError as exc:
        raise MappingInputError(f"cannot read: {exc.strerror or exc}", path=path) from exc
    if len(line.rstrip(b"\r\n")) > limits.line_size:
        raise MappingInputError(
            f"the header is longer than the line limit ({limits.hint('line_size')})", path=path, line=1
        )
    return line


def column_names(header: tuple[str, ...]) -> list[str]:
    """The frame's column names: the header's, a repeated name given its position after a NUL (the first
    of the name is the column matched; the others are unexpected columns).

    A column named like the row-number column is renamed the same way, so it never overwrites the numbers.

    >>> column_names(("Extra", "Month", "Extra"))
    ['Extra', 'Month', 'Extra\\x002']
    >>> column_names(("_row", "Month"))
    ['_row\\x000', 'Month']
    """
    seen: set[str] = {ROW}
    names = []
    for position, name in enumerate(header):
        names.append(name if name not in seen else f"{name}\x00{position}")
        seen.add(name)
    return names


def read_batches(
    source: SourceFile,
    *,
    batch_rows: int = 100_000,
    careful: bool = False,
    skip: int = 0,
    limits: Limits = Limits(),
    span: RowSpan | None = None,
) -> Iterator[Batch]:
    """Yield the rows of *source* (of its *span*, when given) in batches, each column named as in the header.

    Batch *n* holds the rows numbered from ``n * size + 1`` to ``(n + 1) * size`` (:func:`batch_size`), the
    rejected ones too, whichever reader reads them and wherever the span starts (a span starts on a batch's
    first row), so the file's batches are the same read whole or in spans.

    The fast reader (Arrow) reads until it meets a malformed row; the batches it yielded before are complete
    and right, and the careful reader (Python's csv module, or *careful* from the start) reads on after them,
    skipping the first *skip* data rows and reporting malformed rows in ``Batch.rejected``. Either reader
    rejects the rows over *limits* (line or field size) in ``Batch.rejected``.
    """
    if not source.quotes_balanced:  # an odd number of quotes: a field is never closed; Arrow would accept it
        careful = True
    size = batch_size(source, batch_rows)
    return _careful(source, size, skip, limits, span) if careful else _fast(source, size, batch_rows, limits, span)


def batch_size(source: SourceFile, batch_rows: int) -> int:
    """The rows in a batch of *source*: *batch_rows*, fewer for a wide file (a bounded number of fields)."""
    return max(1, min(batch_rows, _CELLS // max(len(source.header), 1)))


def row_spans(source: SourceFile, rows: int, *, limits: Limits = Limits()) -> list[RowSpan]:
    """*source* cut into spans of *rows* rows each (the last may have fewer), each cut where a row ends, as
    the careful reader reads the file: the rows of a quoted field over several lines stay together, blank
    lines are no rows. No span (the file is read whole) when its quotes are not balanced, or when the careful
    reader cannot read it row by row from its lines (a field over the size limit, a carriage return alone).
    """
    whole: list[RowSpan] = []
    if not source.quotes_balanced or rows < 1:
        return whole
    read = 0  # bytes handed to the parser: a row the parser gives ends there

    def lines(handle: BinaryIO) -> Iterator[str]:
        nonlocal read
        for line in handle:
            read += len(line)
            yield line.decode(source.encoding, errors="replace")

    spans, row = [], 0
    with source.path.open("rb") as handle, _csv_fields(limits.field_size + 1):
        reader = csv.reader(lines(handle))
        try:
            next(reader, None)
            header_end = start = read
            for fields in reader:
                if fields and (len(fields) > 1 or fields[0].strip()):
                    row += 1
                    if row % rows == 0:
                        spans.append(RowSpan(start, read, row - rows, rows, header_end))
                        start = read
        except csv.Error:  # a field over the limit, a carriage return alone: read it whole
            return whole
    if row % rows:
        spans.append(RowSpan(start, source.size, row - row % rows, row % rows, header_end))
    return spans


def bounded(frame: pl.DataFrame, names: list[str] | tuple[str, ...], limits: Limits) -> Batch:
    """The rows of *frame* within *limits*, and the others as rejected rows: a row whose fields (columns
    *names*) come to more than ``limits.line_size`` bytes, or with a field over ``limits.field_size``.

    >>> frame = pl.DataFrame({"a": ["x", "y" * 50], "b": ["1", "2"], ROW: [1, 2]})
    >>> batch = bounded(frame, ["a", "b"], Limits(field_size=10))
    >>> batch.frame[ROW].to_list(), [(r.row, r.code, r.column) for r in batch.rejected]
    ([1], [(2, 'field-too-large', 'a')])
    """
    names = [name for name in names if name != ROW]  # the row numbers, not a field
    if frame.height == 0 or not names:
        return Batch(frame)
    # columns by position: pl.col reads a name such as "*" or "^.*$" as a pattern. One expression over them
    # all, summed across the frame: an expression per column costs more per column the more there are.
    positions = [frame.get_column_index(name) for name in names]
    sizes = frame.select(pl.nth(positions).str.len_bytes().cast(pl.Int64).fill_null(0))
    over = (sizes.sum_horizontal() + (len(names) - 1) > limits.line_size) | (sizes.max_horizontal() > limits.field_size)
    if not over.any():
        return Batch(frame)
    rejected = []
    for row in frame.filter(over).iter_rows(named=True):
        found = over_limits(row[ROW], {name: row[name] or "" for name in names}, len(names), limits)
        assert found is not None
        rejected.append(found)
    return Batch(frame.filter(~over), rejected)


def over_limits(row: int, values: dict[str, str], width: int, limits: Limits) -> RejectedRow | None:
    """The rejection of a row of *width* fields, of which *values* are given (the others blank), if its
    fields come to more than ``limits.line_size`` bytes or one is over ``limits.field_size``.

    >>> over_limits(3, {"a": "x" * 20, "b": "1"}, 2, Limits(field_size=10)).code
    'field-too-large'
    >>> over_limits(3, {"a": "x"}, 2, Limits(field_size=10)) is None
    True
    """
    sizes = {name: len(value.encode(errors="replace")) for name, value in values.items()}
    length = sum(sizes.values()) + width - 1
    if length > limits.line_size:
        start = ",".join(values.values())[:80]
        text = f"{length:,} bytes, over the limit ({limits.hint('line_size')}); starts {start!r}"
        return RejectedRow(row, width, text, "line-too-long")
    column = next((name for name, size in sizes.items() if size > limits.field_size), None)
    if column is None:
        return None
    start = values[column][:80]
    text = (
        f"{shorten(column)} is {sizes[column]:,} bytes, over the limit ({limits.hint('field_size')}); starts {start!r}"
    )
    return RejectedRow(row, width, text, "field-too-large", column)


def _fast(source: SourceFile, size: int, batch_rows: int, limits: Limits, span: RowSpan | None) -> Iterator[Batch]:
    names = column_names(source.header)

    malformed_rows: list[int] = []

    def malformed(_row: pacsv.InvalidRow) -> str:
        malformed_rows.append(1)  # raising here would be swallowed by Arrow; note it and stop after the block
        return "skip"

    block = max(1 << 16, min(1 << 24, source.size // max(source.lines, 1) * batch_rows))
    first = 1 + (span.rows_before if span is not None else 0)  # the number of the next row to yield
    held: list[pl.DataFrame] = []  # rows read, not yet a whole batch
    try:
        reader = pacsv.open_csv(
            _bytes(source, span) if span is not None else source.path,
            read_options=pacsv.ReadOptions(
                encoding="utf8" if source.encoding.startswith("utf-8") else "cp1252",
                block_size=block,
                use_threads=False,
                column_names=[f"c{i}" for i in range(len(names))],
                skip_rows=1,
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=malformed),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(len(names))},
                null_values=[""],  # only a blank field is missing: "NA", "NULL", "NaN" are values to check
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
        for record_batch in reader:
            if malformed_rows:  # this block has one: it is read again, carefully, with the rest
                break
            frame = pl.from_arrow(record_batch)
            assert isinstance(frame, pl.DataFrame)
            held.append(frame.rename({f"c{i}": name for i, name in enumerate(names)}))
            while sum(f.height for f in held) >= size - (first - 1) % size:
                rows = pl.concat(held)
                whole = size - (first - 1) % size
                held = [rows.slice(whole)]
                yield bounded(_numbered(rows.head(whole), first), names, limits)
                first += whole
    except pa.ArrowInvalid:  # an unterminated quote, or a malformed row reported as invalid
        malformed_rows.append(1)
    if malformed_rows:  # the rows before the batch were yielded, complete and right: read on after them
        yield from _careful(source, size, first - 1, limits, span)
    elif held and (rows := pl.concat(held)).height:
        yield bounded(_numbered(rows, first), names, limits)


def _numbered(frame: pl.DataFrame, first: int) -> pl.DataFrame:
    return frame.with_columns(pl.int_range(first, first + frame.height, dtype=pl.Int64).alias(ROW))


def _bytes(source: SourceFile, span: RowSpan) -> io.BytesIO:
    """The header and the rows of *span* of *source*, as a file to read."""
    with source.path.open("rb") as handle:
        header = handle.read(span.header_end)
        handle.seek(span.start)
        return io.BytesIO(header + handle.read(span.end - span.start))


def _careful(source: SourceFile, size: int, skip: int, limits: Limits, span: RowSpan | None) -> Iterator[Batch]:
    names = column_names(source.header)
    width = len(names)
    with _csv_fields(limits.field_size + 1):  # larger fields: a row rejected, not the file
        yield from _careful_rows(source, size, skip, limits, names, width, span)


def _careful_rows(
    source: SourceFile, size: int, skip: int, limits: Limits, names: list[str], width: int, span: RowSpan | None
) -> Iterator[Batch]:
    opened = (
        io.TextIOWrapper(_bytes(source, span), encoding=source.encoding, errors="replace", newline="")
        if span is not None
        else source.path.open(encoding=source.encoding, errors="replace", newline="")
    )
    with opened as handle:
        reader = csv.reader(handle, strict=not source.quotes_balanced)
        row = span.rows_before if span is not None else 0
        columns: list[list[str | None]] = [[] for _ in range(width)]
        numbers: list[int] = []
        batch = Batch(pl.DataFrame())
        try:
            next(reader, None)
        except csv.Error as exc:  # a quote in the header is never closed: the rest of the file is in it
            batch.rejected.append(RejectedRow(1, 0, f"unterminated quote in the header ({exc})"))
            yield _careful_batch(names, columns, numbers, batch, limits)
            return
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                row += 1
                if "field limit" in str(exc):  # the rest of the line is dropped; the reader goes on after it
                    if row > skip:  # rows up to *skip* were read, and reported, by the fast reader
                        text = f"a field is over the limit ({limits.hint('field_size')})"
                        batch.rejected.append(RejectedRow(row, 0, text, "field-too-large"))
                    if row % size == 0 and (numbers or batch.rejected):
                        yield _careful_batch(names, columns, numbers, batch, limits)
                        columns, numbers, batch = [[] for _ in range(width)], [], Batch(pl.DataFrame())
                    continue
                # an unterminated quote: the rest of the file is one broken field
                batch.rejected.append(RejectedRow(row, 0, f"unterminated quote ({exc})"))
                break
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                batch.blank_lines += 1
                continue
            row += 1
            if row <= skip:
                continue
            if len(fields) != width:
                batch.rejected.append(RejectedRow(row, len(fields), ",".join(fields)[:200]))
            else:
                for column, value in zip(columns, fields, strict=True):
                    column.append(value if value != "" else None)
                numbers.append(row)
            if row % size == 0:  # the batch's last row: batches are the same whichever reader reads them
                yield _careful_batch(names, columns, numbers, batch, limits)
                columns, numbers, batch = [[] for _ in range(width)], [], Batch(pl.DataFrame())
        if numbers or batch.rejected:
            yield _careful_batch(names, columns, numbers, batch, limits)


def _careful_batch(
    names: list[str], columns: list[list[str | None]], numbers: list[int], batch: Batch, limits: Limits
) -> Batch:
    data = {name: pl.Series(name, column, dtype=pl.String) for name, column in zip(names, columns, strict=True)}
    data[ROW] = pl.Series(ROW, numbers, dtype=pl.Int64)
    checked = bounded(pl.DataFrame(data), names, limits)
    batch.frame = checked.frame
    batch.rejected.extend(checked.rejected)
    return batch
