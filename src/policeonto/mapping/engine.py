"""Map source files onto the shared vocabulary and write N-Triples: the mapping stream
(:func:`~policeonto.mapping.stream.map_stream`) with the N-Triples writer at its end, and its summary
folded from the stream's values.

Memory stays flat whatever the input size: each batch of rows is checked, turned into N-Triples lines by
vectorised expressions and written before the next is read. Every row read is either mapped or counted as
rejected with a reason: ``rows_read == rows_mapped + rows_rejected`` always holds, per file and in total.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import BinaryIO, TypeVar

from policeonto.findings import Finding
from policeonto.mapping.catalogue import MappingCatalogue
from policeonto.mapping.events import (
    Event,
    FileEnded,
    FileStarted,
    FileSummary,
    MapOptions,
    PartEnded,
    RecordsUnread,
    RowsMapped,
)
from policeonto.mapping.spec import MappingChoice
from policeonto.mapping.stream import map_stream
from policeonto.mapping.writing import writing_ntriples
from policeonto.paths import Inputs
from policeonto.scale.executor import Executor

__all__ = ["MapResult", "map_files", "map_result"]

E = TypeVar("E")


@dataclass
class MapResult:
    """The closing summary of a mapping run."""

    files: list[FileSummary] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    finding_counts: Counter[str] = field(default_factory=Counter)
    outputs: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows_read(self) -> int:
        """Rows read, over all files."""
        return sum(f.rows_read for f in self.files)

    @property
    def rows_mapped(self) -> int:
        """Rows mapped, over all files."""
        return sum(f.rows_mapped for f in self.files)

    @property
    def rows_rejected(self) -> int:
        """Rows rejected, over all files."""
        return sum(f.rows_rejected for f in self.files)

    @property
    def rejected_by_reason(self) -> Counter[str]:
        """Rejected rows by reason, over all files."""
        total: Counter[str] = Counter()
        for summary in self.files:
            total.update(summary.rejected_by_reason)
        return total

    @property
    def triples(self) -> int:
        """N-Triples lines written."""
        return sum(f.triples for f in self.files)

    def add(self, event: Event | object, *, keep_findings: int = MapOptions().keep_findings) -> None:
        """Fold *event* of a mapping stream into the summary (an event of another kind is passed over):
        each file's counts from its closing value, its findings where they were found (the first
        *keep_findings* of the run kept). A part of a file (a Dask task's) is counted as a file of its own."""
        if isinstance(event, FileStarted | RowsMapped | RecordsUnread):
            self.findings.extend(event.findings[: max(keep_findings - len(self.findings), 0)])
        if isinstance(event, FileEnded | RecordsUnread | PartEnded):
            self.files.append(event.summary)
            self.finding_counts.update(event.summary.finding_counts)

    def extend(self, other: MapResult, *, keep_findings: int = MapOptions().keep_findings) -> None:
        """Fold *other*, the summary of the files mapped after this one's (a Dask task's), into this one, as
        if its events had been added here."""
        self.files.extend(other.files)
        self.findings.extend(other.findings[: max(keep_findings - len(self.findings), 0)])
        self.finding_counts.update(other.finding_counts)

    def as_dict(self) -> dict[str, object]:
        """The summary as JSON-ready data (the ``--report`` file)."""
        return {
            "rows_read": self.rows_read,
            "rows_mapped": self.rows_mapped,
            "rows_rejected": self.rows_rejected,
            "rejected_by_reason": dict(sorted(self.rejected_by_reason.items())),
            "triples_written": self.triples,
            "outputs": self.outputs,
            "files": [
                {
                    "file": f.file,
                    "mapping": f.mapping,
                    "sha256": f.sha256,
                    "rows_read": f.rows_read,
                    "rows_mapped": f.rows_mapped,
                    "rows_rejected": f.rows_rejected,
                    "rejected_by_reason": dict(sorted(f.rejected_by_reason.items())),
                    "triples": f.triples,
                }
                for f in self.files
            ],
            "finding_counts": dict(sorted(self.finding_counts.items())),
            "findings": [f.as_dict() for f in self.findings],
            "seconds": round(self.seconds, 3),
        }


def map_result(
    events: Iterable[Event | E],
    *,
    keep_findings: int = MapOptions().keep_findings,
    progress: Callable[[int], None] | None = None,
) -> MapResult:
    """Pull every event of a mapping stream (through whatever consumers it passes) and fold them into its
    summary: each file's counts from its closing value, findings from where they were found (the first
    *keep_findings* kept, all counted). *progress* is called with the rows of each batch."""
    result = MapResult()
    for event in events:
        result.add(event, keep_findings=keep_findings)
        if isinstance(event, RowsMapped) and progress is not None:
            progress(event.rows)
    return result


def map_files(
    inputs: Inputs,
    out: BinaryIO,
    *,
    mapping: MappingChoice = None,
    catalogue: MappingCatalogue | None = None,
    options: MapOptions = MapOptions(),
    progress: Callable[[int], None] | None = None,
    executor: Executor = Executor(),
) -> MapResult:
    """Map every file in *inputs* onto the shared vocabulary, writing N-Triples to *out*.

    Args:
        inputs: source files (a single path is one file); each is recognised from its header (a JSON export
            from its record types) among the mappings of *catalogue*, unless *mapping* names the mapping, or
            several to recognise it among (each a name or a ``.transform.yaml`` path). The files of one
            export are mapped so that a table comes after the tables it refers to, and their foreign keys
            are checked across the files.
        out: a binary stream for the N-Triples.
        catalogue: where mappings are found (default: ``POLICEONTO_MAPPINGS``'s folders, then the bundled
            ones; :class:`~policeonto.mapping.catalogue.MappingCatalogue`).
        options: IRI base, publishing force, batch size, findings kept.
        progress: called with the number of rows after each batch (each file, on a Dask cluster).
        executor: where the files are mapped: here (the default), or as tasks of a Dask cluster; the
            triples written, counts and findings are the same.

    Returns:
        The summary: rows read, mapped and rejected (by reason), triples written, findings.

    Raises:
        MappingInputError: a file cannot be mapped at all; files before it have been written.
        MappingSpecError: *mapping* names no mapping, a mapping is malformed, or a folder of *catalogue* is
            gone.
        OptionError: ``options.base`` is no absolute IRI ending with ``/`` or ``#``, or ``options.force`` is no
            police force code.

    >>> import io
    >>> result = map_files("tests/data/sources/street-sample.csv", io.BytesIO())
    >>> result.rows_read == result.rows_mapped + result.rows_rejected, result.files[0].mapping
    (True, 'police-uk-street')
    """
    started = time.perf_counter()
    if not executor.local:
        from policeonto.scale.mapping import map_on_cluster

        result = map_on_cluster(
            inputs, executor, mapping=mapping, catalogue=catalogue, options=options, out=out, progress=progress
        ).mapped
        result.seconds = time.perf_counter() - started
        return result
    events = writing_ntriples(map_stream(inputs, mapping=mapping, catalogue=catalogue, options=options), out)
    result = map_result(events, keep_findings=options.keep_findings, progress=progress)
    result.seconds = time.perf_counter() - started
    return result
