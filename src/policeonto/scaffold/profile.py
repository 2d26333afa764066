"""Profile the tables of an export never seen before: for each column, what its values look like.

A table is a CSV file, or the records of one type in one member of a JSON export (``data`` and
``included`` of a JSON:API document). Each column is profiled from its values as text: how many rows fill
it, how many distinct values it has, the type they all share (integer, decimal, date, also day-first,
datetime, boolean, else string), a pattern when they share one shape (codes and identifiers), and what
kind of value they are (a UK registration mark, a postcode, an LSOA code, a PNC ID, a year and month).
A column unique and never blank is a key; a column whose values are keys of other tables is a foreign key.

At most *max_rows* rows of each table are read (the profile says so), so the work is bounded whatever the
export's size; the reader is the mapping engine's, with its limits.

>>> shape_pattern(["N0000001", "N0000002", "V0000017"])
'^[A-Z][0-9]{7}$'
>>> column_range(["01/02/2024", "31/12/2023"])
('date', '%d/%m/%Y')
"""

from __future__ import annotations

import keyword
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from policeonto.limits import Limits
from policeonto.mapping.jsonsource import JsonDocument, is_json
from policeonto.mapping.reader import ROW, column_names, inspect, read_batches
from policeonto.mapping.spec import CONTEXT_NAMES, JsonRecords

__all__ = [
    "ColumnProfile",
    "TableProfile",
    "column_range",
    "names_records",
    "profile_export",
    "shape_pattern",
    "snake",
    "value_kind",
]

#: Rows of a table read at most.
MAX_ROWS = 200_000
#: A column with at most this many distinct values, repeated, is a coded column.
CODED_DISTINCT = 40
#: Share of a column's distinct values that must be keys of another table for it to be a foreign key.
REFERENCE_SHARE = 0.9

#: Share of a column's distinct values that must be of a type (or kind) for the column to be of it: the
#: rest are faults the mapping will report.
SHARE = 0.95

#: Words of a header that say the column refers to another record, so is no key of its own.
REFERRING = frozenset({"start", "end", "from", "to", "source", "target", "parent", "ref"})

#: Value kinds, each a pattern every value (upper-cased, trimmed) of the column matches.
KINDS: dict[str, str] = {
    "vrm": r"^([A-Z]{2}[0-9]{2} ?[A-Z]{3}|[A-Z][0-9]{1,3} ?[A-Z]{3}|[A-Z]{3} ?[0-9]{1,3}[A-Z])$",
    "postcode": r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$",
    "lsoa": r"^[EW]01[0-9]{6}$",
    "pnc": r"^[0-9]{2,4}/[0-9]{1,7}[A-Z]$",
    "month": r"^[0-9]{4}-(0[1-9]|1[0-2])$",
    "email": r"^[^@ ]+@[^@ ]+\.[A-Z]{2,}$",
    "json": r"^[\[{]",  # a list or object of a JSON export, kept as its JSON text
}

#: Date formats tried, ISO first, then day-first (as UK systems write), then month-first.
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%m/%d/%Y")
_DATETIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$"


@dataclass(frozen=True)
class ColumnProfile:
    """What one column's values look like."""

    header: str
    slot: str  # the source schema's slot name for it
    filled: int  # rows with a value (not blank)
    distinct: int
    range: str  # integer, decimal, date, datetime, boolean or string
    date_format: str | None = None  # for a date column not written YYYY-MM-DD
    pattern: str | None = None  # the shape its values share (codes and identifiers)
    kind: str | None = None  # a value kind of KINDS
    values: tuple[tuple[str, int], ...] = ()  # a coded column's distinct values and counts, commonest first
    minimum: float | None = None
    maximum: float | None = None
    references: tuple[str, ...] = ()  # the tables whose keys its values are

    @property
    def coded(self) -> bool:
        """A column of a few repeated labels (its values are kept)."""
        return bool(self.values)


@dataclass(frozen=True)
class TableProfile:
    """One table of the export and its columns."""

    name: str  # the table's name: the file's stem, or the JSON records' type
    path: Path
    row_class: str  # the source schema's class for its rows
    rows: int  # rows profiled
    truncated: bool  # the table has more rows than were profiled
    columns: tuple[ColumnProfile, ...]
    key: str | None = None  # the header of its key column
    json: JsonRecords | None = None

    def column(self, header: str) -> ColumnProfile:
        """The column with this header.

        Raises:
            KeyError: no such column.
        """
        for column in self.columns:
            if column.header == header:
                return column
        raise KeyError(header)


def snake(text: str) -> str:
    """A header as a LinkML slot name and Python name: lower case, words joined by ``_``.

    >>> snake("personId:ID"), snake("Crime type"), snake(":START_ID"), snake("2nd name"), snake("class")
    ('person_id', 'crime_type', 'start_id', 'c_2nd_name', 'class_')
    """
    text = re.sub(r"(?<=.):[A-Za-z_]+(\[\])?$", "", text)  # neo4j's type suffix: born:date, personId:ID
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    name = "_".join(re.findall(r"[a-z0-9]+", words.lower())) or "column"
    name = f"c_{name}" if name[0].isdigit() else name
    return f"{name}_" if keyword.iskeyword(name) or name in CONTEXT_NAMES else name


def row_class_name(table: str) -> str:
    """A table's name as a LinkML class name: ``involved_in`` -> ``InvolvedInRow``."""
    words = re.findall(r"[A-Za-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", table))
    name = "".join(w[:1].upper() + w[1:].lower() for w in words) or "Table"
    return f"{'T' if name[0].isdigit() else ''}{name}Row"


def shape_pattern(values: Iterable[str], *, most: int = 3) -> str | None:
    """A pattern the values share: letters as ``[A-Z]`` or ``[a-z]``, digits as ``[0-9]``, runs counted,
    punctuation as written; None when they have more than *most* shapes or are free text (spaces).

    >>> shape_pattern(["OCC/24/000001", "OCC/24/000002"])
    '^[A-Z]{3}/[0-9]{2}/[0-9]{6}$'
    >>> shape_pattern(["12", "345"])
    '^([0-9]{2}|[0-9]{3})$'
    >>> shape_pattern(["a b"]) is None
    True
    """
    shapes: set[str] = set()
    for value in values:
        if not value or " " in value or len(value) > 40:
            return None
        runs = []
        for match in re.finditer(r"[A-Z]+|[a-z]+|[0-9]+|[^A-Za-z0-9]", value):
            text = match.group()
            cls = "[A-Z]" if text.isupper() else "[a-z]" if text.islower() else "[0-9]" if text.isdigit() else None
            runs.append(re.escape(text) if cls is None else cls + (f"{{{len(text)}}}" if len(text) > 1 else ""))
        shapes.add("".join(runs))
        if len(shapes) > most:
            return None
    if not shapes:
        return None
    ordered = sorted(shapes)
    return f"^{ordered[0]}$" if len(ordered) == 1 else f"^({'|'.join(ordered)})$"


def column_range(values: Sequence[str], *, share: float = 1.0) -> tuple[str, str | None]:
    """The type at least *share* of *values* (distinct, filled, trimmed) are: ``(range, date_format or None)``.
    The others will be ``invalid-value`` findings when the export is mapped.

    >>> column_range(["1", "-2"]), column_range(["1.5", "2"]), column_range(["TRUE", "false"])
    (('integer', None), ('decimal', None), ('boolean', None))
    >>> column_range(["2024-01-01T10:00:00"]), column_range(["2024-01-31"]), column_range(["x"])
    (('datetime', None), ('date', None), ('string', None))
    """
    if not values:
        return "string", None
    series = pl.Series(values, dtype=pl.String)
    enough = share * series.len()

    def fits(matches: pl.Series) -> bool:
        return int(matches.fill_null(False).sum()) >= enough

    if fits(series.str.to_lowercase().is_in(["true", "false"])):
        return "boolean", None
    if fits(series.str.contains(r"^-?[0-9]{1,15}$")) and not series.str.contains(r"^-?0[0-9]").any():
        return "integer", None
    if fits(series.str.contains(r"^-?[0-9]{0,15}\.?[0-9]+$")):
        return "decimal", None
    if fits(series.str.contains(_DATETIME)):
        return "datetime", None
    shaped = series.str.contains(r"^[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}$")
    for form in DATE_FORMATS:
        if fits(shaped & series.str.strptime(pl.Date, form, strict=False).is_not_null()):
            return "date", (None if form == "%Y-%m-%d" else form)
    return "string", None


def value_kind(values: Sequence[str], *, share: float = 1.0) -> str | None:
    """The kind of value of KINDS that at least *share* of *values* are, if any.

    >>> value_kind(["AB12 CDE", "XY19ABC"]), value_kind(["ME14 1XX"]), value_kind(["E01000001"])
    ('vrm', 'postcode', 'lsoa')
    """
    if not values:
        return None
    series = pl.Series(values, dtype=pl.String).str.to_uppercase()
    for kind, pattern in KINDS.items():
        if int(series.str.contains(pattern).sum()) >= share * series.len():
            return kind
    return None


def _read_csv(path: Path, max_rows: int, limits: Limits) -> tuple[tuple[str, ...], pl.DataFrame, bool]:
    """A CSV file's header, its first *max_rows* rows (as text) and whether it has more. Rows the reader
    rejects (a wrong number of fields, a quote never closed) are left out of the profile."""
    source = inspect(path, limits=limits)
    batches = read_batches(source, limits=limits)
    frames, read, more = [], 0, False
    for batch in batches:
        frames.append(batch.frame)
        read += batch.frame.height
        if read >= max_rows:
            more = read > max_rows or next(batches, None) is not None
            break
    names = column_names(source.header)
    empty = pl.DataFrame({name: pl.Series(name, [], dtype=pl.String) for name in names})
    frame = pl.concat(frames, how="vertical_relaxed") if frames else empty
    return source.header, frame.select([c for c in frame.columns if c != ROW]).head(max_rows), more


def _json_tables(
    path: Path, max_rows: int, limits: Limits
) -> list[tuple[str, JsonRecords, tuple[str, ...], pl.DataFrame, bool]]:
    document = JsonDocument.read(path, limits=limits)
    tables = []
    for (member, kind), count in sorted(document.types().items()):
        selection = JsonRecords(member, kind or None)
        table = document.table(selection, limits=limits)
        rows = [row for _, row in table.rows[:max_rows]]
        frame = pl.DataFrame({h: pl.Series(h, [r.get(h) for r in rows], dtype=pl.String) for h in table.header})
        tables.append((kind or member, selection, table.header, frame, count > max_rows))
    return tables


def _profile_column(header: str, slot: str, values: pl.Series) -> ColumnProfile:
    text = values.cast(pl.String).str.strip_chars()
    filled = text.filter(text.is_not_null() & (text != ""))
    distinct = filled.unique()
    sample = distinct.to_list()
    kind_range, date_format = column_range(sample, share=SHARE)
    counts = filled.value_counts(sort=True)
    kind = value_kind(sample, share=SHARE) if kind_range == "string" else None
    repeated = filled.len() > distinct.len()
    coded = kind_range in {"string", "integer"} and kind is None and 1 < distinct.len() <= CODED_DISTINCT and repeated
    coded = coded and filled.str.len_chars().max() <= 160 and (kind_range == "string" or distinct.len() <= 12)
    pattern = None
    if distinct.len() == 1 and repeated:
        pattern = f"^{re.escape(sample[0])}$"  # a constant: the node's label, the relationship's type
        coded = kind_range == "string" and kind is None  # kept, in case it is a code (the publishing force)
    elif kind_range == "string" and not coded and kind is None:
        pattern = shape_pattern(sample)
    elif kind_range == "integer" and not coded and not repeated and names_records(header):
        kind_range, pattern = "string", r"^[0-9]+$"  # unique whole numbers are identifiers, not quantities
    number = filled.cast(pl.Float64, strict=False) if kind_range in {"integer", "decimal"} else None
    return ColumnProfile(
        header=header,
        slot=slot,
        filled=filled.len(),
        distinct=distinct.len(),
        range=kind_range,
        date_format=date_format,
        pattern=pattern,
        kind=kind,
        values=tuple((str(v), int(n)) for v, n in counts.iter_rows()) if coded else (),
        minimum=number.min() if number is not None and number.len() else None,
        maximum=number.max() if number is not None and number.len() else None,
    )


def profile_export(
    paths: Sequence[Path], *, max_rows: int = MAX_ROWS, limits: Limits = Limits()
) -> tuple[TableProfile, ...]:
    """Profile every table of the export made of *paths* (CSV files, JSON exports), with keys and foreign
    keys found across tables.

    Raises:
        MappingInputError: a file cannot be read (unreadable, empty, not CSV or JSON, over a limit).
    """
    raw: list[tuple[str, Path, JsonRecords | None, tuple[str, ...], pl.DataFrame, bool]] = []
    for path in paths:
        if is_json(path):
            raw += [
                (name, path, sel, header, frame, cut)
                for name, sel, header, frame, cut in _json_tables(path, max_rows, limits)
            ]
        else:
            header, frame, cut = _read_csv(path, max_rows, limits)
            raw.append((path.stem, path, None, header, frame, cut))
    names = Counter(name for name, *_ in raw)
    seen: Counter[str] = Counter()
    for position, (name, *rest) in enumerate(raw):  # two files of one name (in two folders): numbered
        seen[name] += 1
        if names[name] > 1:
            raw[position] = (f"{name}-{seen[name]}", *rest)  # type: ignore[assignment]
    headers = Counter(snake(h) for _, _, _, header, _, _ in raw for h in dict.fromkeys(header))
    tables = []
    candidates: dict[str, list[ColumnProfile]] = {}
    for name, path, selection, header, frame, cut in raw:
        columns, seen = [], set()
        for position, title in enumerate(header):
            if title in seen or title not in frame.columns:
                continue
            seen.add(title)
            slot = snake(title) if headers[snake(title)] == 1 else f"{snake(name)}_{snake(title)}"
            columns.append(_profile_column(title, slot, frame.get_column(title)))
            del position
        candidates[name] = _key_candidates(columns, frame.height)
        tables.append(
            TableProfile(name, path, row_class_name(name), frame.height, cut, tuple(columns), None, selection)
        )
    frames = {t.name: _frame_of(raw, t.name) for t in tables}
    keys = _keys(tables, candidates, frames)
    return _with_references([replace(t, key=keys.get(t.name)) for t in tables], frames)


def _key_candidates(columns: list[ColumnProfile], rows: int) -> list[ColumnProfile]:
    """The columns that could be the table's key: unique and never blank, of identifiers; those whose
    header says ID first."""
    keys = [c for c in columns if rows and c.filled == c.distinct == rows and c.range == "string" and c.kind is None]
    return sorted(keys, key=lambda c: "id" not in snake(c.header).split("_"))


def names_records(header: str) -> bool:
    """Whether a header says its column holds identifiers (``personId:ID``, ``Ref``, ``Offence No``)."""
    return bool({"id", "ref", "no", "number", "key", "reference"} & set(snake(header).split("_")))


def _refers(header: str) -> bool:
    """Whether a header says its column refers to another record (``:START_ID``, ``OCC_REF``)."""
    return bool(REFERRING & set(snake(header).split("_")))


def _keys(
    tables: list[TableProfile], candidates: dict[str, list[ColumnProfile]], frames: dict[str, pl.DataFrame]
) -> dict[str, str]:
    """Each table's key: its first candidate whose header does not say it refers to another record; else
    its first candidate whose values are not (almost all) keys of other tables (a relationship file whose
    ``:START_ID`` happens to be unique is no table of its own)."""
    chosen = {t.name: next((c.header for c in candidates[t.name] if not _refers(c.header)), None) for t in tables}

    def values(table: str, header: str) -> set[str]:
        return set(frames[table].get_column(header).str.strip_chars().to_list())

    for table in tables:
        if chosen[table.name] is not None:
            continue
        others = set().union(*(values(t, k) for t, k in chosen.items() if k is not None and t != table.name))
        for column in candidates[table.name]:
            mine = values(table.name, column.header)
            if len(mine & others) < REFERENCE_SHARE * len(mine):
                chosen[table.name] = column.header
                break
    return {name: key for name, key in chosen.items() if key is not None}


def _frame_of(
    raw: list[tuple[str, Path, JsonRecords | None, tuple[str, ...], pl.DataFrame, bool]], name: str
) -> pl.DataFrame:
    return next(frame for table, _, _, _, frame, _ in raw if table == name)


def _with_references(tables: list[TableProfile], frames: dict[str, pl.DataFrame]) -> tuple[TableProfile, ...]:
    """*tables* with each column whose values are (almost all) keys of other tables marked as a foreign key."""
    keys = {
        t.name: set(frames[t.name].get_column(t.key).str.strip_chars().to_list()) for t in tables if t.key is not None
    }
    found = []
    for table in tables:
        columns = []
        for column in table.columns:
            if column.header == table.key or column.range not in {"string", "integer"} or column.kind:
                columns.append(column)
                continue
            values = frames[table.name].get_column(column.header).str.strip_chars()
            distinct = set(values.filter(values.is_not_null() & (values != "")).to_list())
            hits = {other: len(distinct & ids) for other, ids in keys.items() if other != table.name}
            targets = tuple(sorted(other for other, n in hits.items() if n))
            covered = sum(hits.values())
            if len(distinct) > 1 and targets and covered >= REFERENCE_SHARE * len(distinct):
                pattern = next(
                    (c.pattern for t in tables if t.name in targets for c in t.columns if c.header == t.key), None
                )
                column = replace(column, references=targets, range="string", pattern=pattern, values=())
            columns.append(column)
        found.append(replace(table, columns=tuple(columns)))
    return tuple(found)
