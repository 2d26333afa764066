"""Large CSV files cut into chunks of rows, each a task of a Dask run, and the chunks' summaries put back
together as the file's.

A file is cut by :func:`~policeonto.mapping.reader.row_spans` (where a row ends, as the careful reader reads
it) into spans of a whole number of batches, so that each chunk's batches, triples and findings are those of
the same rows in the whole file. Only files that stand alone are cut (a table of an export that other tables
refer to, or that refers to them, and a JSON export are mapped whole): the keys two chunks share are decided
on the client, as those of two files are.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from policeonto.errors import MappingInputError
from policeonto.instances import is_records
from policeonto.mapping.engine import MapResult
from policeonto.mapping.events import FilePart, FileSummary, MapOptions
from policeonto.mapping.jsonsource import is_json
from policeonto.mapping.reader import batch_size, inspect, row_spans

__all__ = ["Piece", "file_parts", "pieces", "whole_file"]

#: What a task maps: files (a file), or a part of one; and the export its file belongs to (None: alone).
Piece = tuple[Path | FilePart, str | None]


def pieces(files: Sequence[tuple[Path, str | None]], rows: int, options: MapOptions) -> list[Piece]:
    """The tasks of a run of *files* (in the order they are mapped, each with its export): each file that
    stands alone and has more than *rows* rows cut into parts of about *rows* rows, the others whole."""
    found: list[Piece] = []
    for path, export in files:
        parts = file_parts(path, rows, options) if export is None else []
        found.extend([(part, None) for part in parts] or [(path, export)])
    return found


def file_parts(path: Path, rows: int, options: MapOptions) -> list[FilePart]:
    """*path* cut into parts of about *rows* rows (a whole number of batches), in order; none when it is
    read whole: it is no CSV file, has fewer rows, cannot be cut where rows end, or cannot be read (mapping
    it whole says why), or is no regular file (a pipe is read once, by the task that maps it)."""
    if is_json(path) or is_records(path) or not path.is_file():
        return []
    try:
        source = inspect(path, limits=options.limits)
    except MappingInputError:
        return []
    size = batch_size(source, options.batch_rows)
    every = -(-rows // size) * size
    if source.lines <= every:  # a row ends each line but maybe the last: no more rows than that
        return []
    spans = row_spans(source, every, limits=options.limits)
    if len(spans) < 2:
        return []
    started = datetime.now(UTC).replace(microsecond=0)
    total = spans[-1].rows_before + spans[-1].rows
    return [FilePart(source, span, total, started, last=span is spans[-1]) for span in spans]


def whole_file(parts: Sequence[MapResult], *, keep_findings: int) -> MapResult:
    """The summary of a file mapped in *parts* (each a task's, in order): its counts summed, and the first
    *keep_findings* of its findings, as mapping it whole keeps them."""
    summaries = [summary for part in parts for summary in part.files]
    first = summaries[0]
    joined = FileSummary(first.file, first.mapping, first.sha256, dataset=first.dataset, export=first.export)
    for summary in summaries:
        joined.rows_read += summary.rows_read
        joined.rows_mapped += summary.rows_mapped
        joined.rows_rejected += summary.rows_rejected
        joined.rejected_by_reason.update(summary.rejected_by_reason)
        joined.triples += summary.triples
        joined.finding_counts.update(summary.finding_counts)
    findings = [finding for part in parts for finding in part.findings][:keep_findings]
    return MapResult([joined], findings, joined.finding_counts.copy())
