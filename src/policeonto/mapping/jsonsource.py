"""Read the records of a JSON export (such as a JSON:API document) as rows of named columns.

A mapping's ``json`` block says which records make its rows: the top-level member that holds them
(``data`` or ``included``), the record ``type`` to keep, and optionally ``each``, the path of a list inside
each record (such as ``relationships.involvedPersons.data``) that makes one row per item. Nested objects
are flattened into dotted column names (``attributes.name.given``); an item's fields are named under the
``each`` path and keep the record's ``id`` and ``type`` beside them. Numbers and booleans become their JSON
text, other lists their JSON; nulls are missing values.

A row's number is the record's 1-based position in its member array, so a finding about
``included`` row 12 names the twelfth record of ``included``; the rows an ``each`` list makes share their
record's number.

A table's columns are every name its records flatten to, so records with a different key each would make
a table as wide as it is long: the names are counted as the records are flattened, and a table with more
than ``Limits.columns`` is refused before any frame is built. Frames hold only the columns a mapping
reads, a batch of rows at a time.

>>> text = b'{"data": [{"type": "people", "id": "p1", "attributes": {"name": {"given": "Ann"}}}]}'
>>> document = JsonDocument.parse(text)
>>> table = document.table(JsonRecords("data", "people"))
>>> table.header
('type', 'id', 'attributes.name.given')
>>> [batch.frame.row(0) for batch in table.batches(["id", "attributes.name.given"])]
[('p1', 'Ann', 1)]
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from policeonto.errors import MappingInputError, UnsafeInputError
from policeonto.limits import Limits, read_bounded
from policeonto.mapping.reader import ROW, Batch, SourceFile, over_limits
from policeonto.mapping.spec import JsonRecords
from policeonto.safety import MAX_NESTING, SURROGATE_ESCAPE, check_nesting

__all__ = ["JsonDocument", "JsonTable", "is_json"]


def is_json(path: Path) -> bool:
    """Whether *path* is read as a JSON export (by its extension)."""
    return path.suffix.lower() in {".json", ".jsonapi"}


@dataclass(frozen=True)
class JsonDocument:
    """A parsed JSON export: its top-level members and what is known about the file."""

    members: dict[str, Any]
    path: Path | None = None
    sha256: str = ""
    size: int = 0

    @classmethod
    def read(cls, path: Path, *, limits: Limits = Limits()) -> JsonDocument:
        """Read and parse *path* (parsed whole, so refused when larger than ``limits.file_size``).

        Raises:
            MappingInputError: the file cannot be read, is too large, is not UTF-8 JSON, or is not an object.
        """
        return cls.parse(read_bounded(path, limits, error=MappingInputError), path=path)

    @classmethod
    def parse(cls, data: bytes, *, path: Path | None = None) -> JsonDocument:
        """Parse JSON bytes.

        Raises:
            MappingInputError: not UTF-8 JSON, nested too deeply, a number with more digits than Python
                converts, or not a JSON object.
        """
        try:
            members = json.loads(data.decode("utf-8-sig"))
            check_nesting(members)
        except UnicodeDecodeError as exc:
            raise MappingInputError(f"not UTF-8 (byte {exc.start})", path=path) from exc
        except json.JSONDecodeError as exc:
            raise MappingInputError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno) from exc
        except (RecursionError, UnsafeInputError) as exc:
            raise MappingInputError(f"JSON nested deeper than {MAX_NESTING} levels", path=path) from exc
        except ValueError as exc:  # int() refuses a number longer than sys.get_int_max_str_digits()
            raise MappingInputError(
                f"a number has more than {sys.get_int_max_str_digits():,} digits", path=path
            ) from exc
        if not isinstance(members, dict):
            raise MappingInputError("the document is not a JSON object", path=path)
        if SURROGATE_ESCAPE.search(data):
            members = _scrub(members)
        return cls(members, path, hashlib.sha256(data).hexdigest(), len(data))

    def records(self, member: str) -> list[Any]:
        """The records of a top-level member (an object alone counts as a list of one)."""
        found = self.members.get(member)
        if found is None:
            return []
        return found if isinstance(found, list) else [found]

    def types(self) -> Counter[tuple[str, str]]:
        """How many records of each (member, type) the document holds, for every list-valued member."""
        counts: Counter[tuple[str, str]] = Counter()
        for member, value in self.members.items():
            if isinstance(value, list | dict) and member not in {"meta", "jsonapi", "links", "errors"}:
                for record in self.records(member):
                    kind = record.get("type") if isinstance(record, dict) else None
                    counts[(member, kind if isinstance(kind, str) else "")] += 1
        return counts

    def source(self, header: tuple[str, ...], rows: int) -> SourceFile:
        """The file as the mapping engine knows a source file."""
        assert self.path is not None
        return SourceFile(self.path, self.sha256, self.size, "utf-8", False, rows, 0, True, header)

    def table(self, selection: JsonRecords, *, limits: Limits = Limits()) -> JsonTable:
        """The rows *selection* makes, flattened, with the header: every column seen, in order.

        Raises:
            MappingInputError: the rows have more than ``limits.columns`` columns between them.
        """
        columns: dict[str, None] = {}
        rows = []
        for number, row in self._rows(selection):
            rows.append((number, row))
            columns.update(dict.fromkeys(row))
            if len(columns) > limits.columns:
                kind = f" of type {selection.type!r}" if selection.type else ""
                raise MappingInputError(
                    f"the {selection.records} records{kind} have over {limits.columns:,} different fields "
                    f"(from record {number:,} on), over the limit ({limits.hint('columns')})",
                    path=self.path,
                )
        return JsonTable(tuple(columns), rows)

    def _rows(self, selection: JsonRecords) -> Iterator[tuple[int, dict[str, str]]]:
        for number, record in enumerate(self.records(selection.records), start=1):
            if not isinstance(record, dict) or (selection.type is not None and record.get("type") != selection.type):
                continue
            if selection.each is None:
                yield number, _flatten(record)
                continue
            items = _at(record, selection.each)
            for item in items if isinstance(items, list) else [items] if items is not None else []:
                row = {k: v for k, v in _flatten(record).items() if k in {"id", "type"}}
                row.update(_flatten(item, selection.each) if isinstance(item, dict) else {selection.each: _text(item)})
                yield number, row


@dataclass(frozen=True)
class JsonTable:
    """The rows one mapping reads from a JSON export: each a record's number and its flattened fields."""

    header: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]]

    def batches(
        self, columns: Iterable[str], *, batch_rows: int = 100_000, limits: Limits = Limits()
    ) -> Iterator[Batch]:
        """The rows in batches of *batch_rows*: frames of strings with only *columns* (names of the header;
        the others are never built) and the row numbers in ``_row``. A row whose fields (all of them) are
        over ``limits.line_size`` or ``limits.field_size`` is rejected, as a CSV row is.
        """
        names = list(columns)
        width = len(self.header)
        for start in range(0, len(self.rows), batch_rows):
            kept: list[tuple[int, dict[str, str]]] = []
            rejected = []
            for number, row in self.rows[start : start + batch_rows]:
                over = over_limits(number, row, width, limits)
                if over is None:
                    kept.append((number, row))
                else:
                    rejected.append(over)
            data = {name: pl.Series(name, [row.get(name) for _, row in kept], dtype=pl.String) for name in names}
            data[ROW] = pl.Series(ROW, [number for number, _ in kept], dtype=pl.Int64)
            yield Batch(pl.DataFrame(data), rejected)


def _at(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _scrub(value: Any) -> Any:
    """*value* with every unpaired surrogate replaced by U+FFFD, as invalid bytes are when a CSV is decoded.

    >>> _scrub({"a\\ud800": ["x\\udfff", 1]})
    {'a\ufffd': ['x\ufffd', 1]}
    """
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, dict):
        return {_scrub(key): _scrub(item) for key, item in value.items()}
    return value


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _flatten(value: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested objects as dotted names; nulls left out."""
    flat: dict[str, str] = {}
    for key, item in value.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(item, dict):
            flat.update(_flatten(item, name))
        elif item is not None:
            flat[name] = _text(item)
    return flat
