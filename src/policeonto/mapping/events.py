"""The values a mapping run yields, in order, for consumers to pull: one :class:`FileStarted` per file (per
table of a JSON export), its :class:`RowsMapped` batches, one :class:`FileEnded`; and :class:`RecordsUnread`
for a JSON export's records no mapping of its format reads.

A batch carries the triples its rows make (:func:`triple_frames`, the one way a batch becomes triples) and
what was found in it; the closing value carries the file's counts, so a consumer folds counts from the
stream and never counts again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import polars as pl
from rdflib import Graph

from policeonto.findings import Finding
from policeonto.limits import Limits
from policeonto.mapping.keys import KeyIndex
from policeonto.mapping.plan import RDF_TYPE, Derivation
from policeonto.mapping.reader import ROW, RowSpan, SourceFile
from policeonto.mapping.spec import Mapping

__all__ = [  # with the names the values carry, so that consumers need nothing else of mapping
    "DEFAULT_BASE",
    "RDF_TYPE",
    "ROW",
    "Derivation",
    "Event",
    "FileEnded",
    "FilePart",
    "FileStarted",
    "FileSummary",
    "KeysKept",
    "Made",
    "MapOptions",
    "Mapping",
    "PartEnded",
    "RecordsUnread",
    "RowsMapped",
    "triple_frames",
]

DEFAULT_BASE = "https://w3id.org/policeonto/data/"


@dataclass(frozen=True)
class MapOptions:
    """How to map: instance IRI base, the publishing force when the file name does not say, batch size,
    how many findings to keep as objects (all are counted), and the size limits on the inputs."""

    base: str = DEFAULT_BASE
    force: str | None = None
    batch_rows: int = 20_000
    keep_findings: int = 1000
    limits: Limits = Limits()


@dataclass
class FileSummary:
    """What happened to one input file (one table of a JSON export): rows read, mapped and rejected (by
    reason), triples made, and its findings counted by code (kept or not).

    *dataset* is the IRI of the dataset its records are in (a JSON export's tables share one); *export* names
    the export format (its source schema) when the file is one of several files that refer to each other
    (its table refers to another, or is referred to), and is None for a file that stands alone."""

    file: str
    mapping: str
    sha256: str
    rows_read: int = 0
    rows_mapped: int = 0
    rows_rejected: int = 0
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    triples: int = 0
    finding_counts: Counter[str] = field(default_factory=Counter)
    dataset: str = ""
    export: str | None = None


class Made(NamedTuple):
    """What one derived class makes from a batch: its subjects (column ``s``) with their source rows
    (``_row``), and for each predicate the object terms aligned with the subjects (null: no triple)."""

    derivation: Derivation
    subjects: pl.DataFrame
    objects: tuple[tuple[str, pl.Series], ...]

    @property
    def triples(self) -> int:
        """How many triples it makes."""
        return sum(o.len() - o.null_count() for _, o in self.objects)


def triple_frames(frame: pl.DataFrame, derivation: Derivation) -> Made:
    """What *derivation* makes from *frame*, a batch of checked rows: subjects unique for classes several rows
    share (the first row that made each)."""
    objects = [obj.alias(f"o{i}") for i, (_, obj) in enumerate(derivation.triples)]
    made = (
        frame.lazy()
        .select(derivation.subject.alias("s"), pl.col(ROW), *objects)
        .filter(pl.col("s").is_not_null())
        .collect()
    )
    if derivation.shared:
        made = made.unique(subset=["s", *(f"o{i}" for i in range(len(objects)))], keep="first", maintain_order=True)
    columns = tuple((p, made[f"o{i}"]) for i, (p, _) in enumerate(derivation.triples))
    return Made(derivation, made.select("s", ROW), columns)


@dataclass(frozen=True)
class FileStarted:
    """A file (a table of a JSON export) starts, mapped by *mapping* into the dataset *dataset*.

    *provenance* describes its dataset and run, row counts still open; *findings* are what the file itself
    was found to be (columns, encoding, publisher)."""

    file: str
    mapping: Mapping
    derivations: tuple[Derivation, ...]
    provenance: Graph
    dataset: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class RowsMapped:
    """A batch of *file*: the rows read (*rows*, rejected ones too), the triples the mapped rows make, and the
    findings of the batch that were kept (``MapOptions.keep_findings`` a file), and every label of its coded
    columns counted by (column, label, whether it reached a code), all of them whether findings are kept or
    not."""

    file: str
    rows: int
    made: tuple[Made, ...]
    triples: int
    findings: tuple[Finding, ...]
    labels: Counter[tuple[str, str, bool]] = field(default_factory=Counter)


@dataclass(frozen=True)
class FileEnded:
    """*file* is done: its final *provenance* (with its row count) and *summary* (rows read, mapped,
    rejected by reason, triples with the provenance's, findings counted by code)."""

    file: str
    dataset: str
    provenance: Graph
    summary: FileSummary


@dataclass(frozen=True)
class RecordsUnread:
    """Records of a JSON export that no mapping of its format reads: counted as rejected in *summary*, each
    type with a finding (counted in the summary)."""

    file: str
    summary: FileSummary
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class PartEnded:
    """The rows of a :class:`FilePart` that is not the file's last are done: *summary* counts them alone (the
    file's summary is the sum of its parts')."""

    file: str
    summary: FileSummary


@dataclass(frozen=True)
class FilePart:
    """The rows of *span* of a CSV file (*source*, read once by whoever cut it), mapped apart from the rest
    of the file (a Dask task): the run began at *started*, and the file has *rows* rows in all. Only the
    first part says what the file itself is found to be; only the last describes the file's provenance."""

    source: SourceFile
    span: RowSpan
    rows: int
    started: datetime
    last: bool

    @property
    def first(self) -> bool:
        """Whether the part starts at the file's first row."""
        return self.span.rows_before == 0


@dataclass(frozen=True)
class KeysKept:
    """The last value of a stream that was given the keys of the files mapped before it (a part of a run,
    mapped as a Dask task): those keys and its own, for the part after it."""

    keys: KeyIndex


Event = FileStarted | RowsMapped | FileEnded | RecordsUnread | KeysKept | PartEnded
