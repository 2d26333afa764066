"""The ground truth of record linkage: which pairs of records are one person (or vehicle), and which only
look alike, read from a CSV file such as ``examples/linkage-truth.csv``.

The file has a header and the columns ``entity`` (``person``, ``vehicle`` or ``address``), ``case`` (why
the pair is there, such as ``transposed-birth-date`` or ``twins``), ``same`` (``true`` or ``false``) and
``record_a``, ``record_b`` (the two records' IRIs). It lists every pair of records of one entity; a pair
it does not list is two entities. Pairs are unordered.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from policeonto.errors import InstanceDataError, shorten

__all__ = ["COLUMNS", "ENTITIES", "Truth", "TruthPair", "pair_key", "read_truth"]

COLUMNS = ("entity", "case", "same", "record_a", "record_b")
ENTITIES = ("person", "vehicle", "address")
_BOOLEANS = {"true": True, "false": False}
_IRI_SCHEMES = ("http://", "https://", "urn:")


def pair_key(record_a: str, record_b: str) -> tuple[str, str]:
    """An unordered pair of record IRIs as a value: the two in order.

    >>> pair_key("urn:b", "urn:a") == pair_key("urn:a", "urn:b") == ("urn:a", "urn:b")
    True
    """
    return (record_a, record_b) if record_a <= record_b else (record_b, record_a)


@dataclass(frozen=True)
class TruthPair:
    """One pair of the ground truth: two records, whether they are one entity, and the case that put them
    there."""

    entity: str
    case: str
    same: bool
    record_a: str
    record_b: str

    @property
    def key(self) -> tuple[str, str]:
        """The pair as :func:`pair_key` writes it."""
        return pair_key(self.record_a, self.record_b)


@dataclass(frozen=True)
class Truth:
    """The pairs of a ground-truth file, in file order."""

    pairs: tuple[TruthPair, ...]

    def of(self, entity: str) -> Truth:
        """The pairs of one kind of entity."""
        return Truth(tuple(p for p in self.pairs if p.entity == entity))

    @property
    def matches(self) -> frozenset[tuple[str, str]]:
        """Every pair of records of one entity."""
        return frozenset(p.key for p in self.pairs if p.same)

    @property
    def cases(self) -> tuple[str, ...]:
        """The cases, each once, in the order the file first names them."""
        return tuple(dict.fromkeys(p.case for p in self.pairs))


def read_truth(path: Path | str) -> Truth:
    """Read a ground-truth CSV file.

    Raises:
        InstanceDataError: the file cannot be read, lacks a column, or a row has an unknown entity, an
            empty case, a ``same`` other than true or false, a record that is not an absolute IRI, one record
            twice, or a pair listed twice (names the file, row, column and value).
    """
    path = Path(path)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise InstanceDataError(f"no column {', '.join(missing)} (expected {', '.join(COLUMNS)})", path=path)
            pairs = _pairs(path, enumerate(reader, start=2))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InstanceDataError(f"cannot read the ground truth: {exc}", path=path) from exc
    if not pairs:
        raise InstanceDataError("no pairs: the ground truth is empty", path=path)
    return Truth(tuple(pairs))


def _pairs(path: Path, rows: Iterable[tuple[int, dict[str, str | None]]]) -> list[TruthPair]:
    pairs: list[TruthPair] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in rows:
        values = {c: (row.get(c) or "").strip() for c in COLUMNS}

        def bad(column: str, why: str, line: int = line, values: dict[str, str] = values) -> InstanceDataError:
            return InstanceDataError(f"column {column}: {why}: {shorten(values[column])!r}", path=path, line=line)

        if values["entity"] not in ENTITIES:
            raise bad("entity", f"not one of {', '.join(ENTITIES)}")
        if not values["case"]:
            raise bad("case", "empty")
        if values["same"].lower() not in _BOOLEANS:
            raise bad("same", "not true or false")
        for column in ("record_a", "record_b"):
            if not values[column].startswith(_IRI_SCHEMES) or any(c in values[column] for c in ' <>"{}|\\^`'):
                raise bad(column, "not an absolute IRI")
        if values["record_a"] == values["record_b"]:
            raise bad("record_b", "the same record as record_a")
        pair = TruthPair(
            values["entity"], values["case"], _BOOLEANS[values["same"].lower()], values["record_a"], values["record_b"]
        )
        key = (pair.entity, *pair.key)
        if key in seen:
            raise bad("record_b", f"this pair is listed already, in row {seen[key]}")
        seen[key] = line
        pairs.append(pair)
    return pairs
