"""Consumers of the mapping stream that write it: every triple as N-Triples to one binary stream, or each
dataset's triples to a file of its own. Each takes the events, writes what they carry, and yields them on,
so that writing composes with other consumers (validating) over one pass.

>>> import io
>>> from pathlib import Path
>>> from policeonto.mapping.stream import map_stream
>>> out = io.BytesIO()
>>> ends = [e for e in writing_ntriples(map_stream("tests/data/sources/street-sample.csv"), out)
...         if isinstance(e, FileEnded)]
>>> out.getvalue().count(b"\\n") == sum(e.summary.triples for e in ends)
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, TypeVar

import polars as pl

from policeonto.mapping.entailing import Entailer
from policeonto.mapping.events import Event, FileEnded, FileStarted, Made, RowsMapped

__all__ = ["dataset_file", "entailed_file", "write_made", "writing_datasets", "writing_ntriples"]

E = TypeVar("E")


def write_made(made: Iterable[Made], out: BinaryIO, entailed: tuple[Entailer, BinaryIO] | None = None) -> None:
    """Write the triples of a batch as N-Triples lines to *out*, and what they entail by the entailer of
    *entailed* to its stream."""
    for part in made:
        lines = pl.concat(
            [
                part.subjects.select(pl.concat_str([pl.col("s"), pl.lit(f" {predicate} "), objects, pl.lit(" .")]))
                .to_series()
                .drop_nulls()
                for predicate, objects in part.objects
            ]
        )
        _write_lines(lines, out)
        if entailed is not None and (found := entailed[0].lines(part.subjects, part.objects)):
            _write_lines(pl.concat(found), entailed[1])


def _write_lines(lines: pl.Series, out: BinaryIO) -> None:
    lines.to_frame("line").write_csv(out, include_header=False, quote_style="never")


def _write(event: Event | E, out: BinaryIO, entailed: tuple[Entailer, BinaryIO] | None = None) -> None:
    if isinstance(event, RowsMapped):
        write_made(event.made, out, entailed)
    elif isinstance(event, FileEnded):  # in order: the graph's own order is the process's hashing's
        lines = event.provenance.serialize(format="nt").splitlines(keepends=True)
        out.write("".join(sorted(line for line in lines if line.strip())).encode("utf-8"))
        if entailed is not None:
            entailed[1].write("".join(entailed[0].graph_lines(event.provenance)).encode("utf-8"))


def writing_ntriples(events: Iterable[Event | E], out: BinaryIO) -> Iterator[Event | E]:
    """Write every triple the stream carries (each file's provenance at its end) to *out* as N-Triples, and
    yield each event on once it is written."""
    for event in events:
        _write(event, out)
        yield event


def dataset_file(folder: Path, dataset: str) -> Path:
    """The file in *folder* that :func:`writing_datasets` writes the dataset *dataset* to."""
    return folder / f"{hashlib.sha256(dataset.encode()).hexdigest()[:32]}.nt"


def entailed_file(folder: Path, dataset: str) -> Path:
    """The file in *folder* that :func:`writing_datasets` writes what the dataset *dataset* entails to."""
    return dataset_file(folder, dataset).with_suffix(".entailed.nt")


def writing_datasets(
    events: Iterable[Event | E], folder: Path, entailer: Entailer | None = None
) -> Iterator[Event | E]:
    """Write each dataset's triples (a source file's, a JSON export's tables together) as N-Triples to a file
    of its own in *folder* (:func:`dataset_file`), and, given an *entailer*, what they entail to another
    (:func:`entailed_file`); yield each event on once it is written."""
    out: list[BinaryIO] = []
    try:
        for event in events:
            if isinstance(event, FileStarted):
                out.append(dataset_file(folder, event.dataset).open("ab"))
                if entailer is not None:
                    out.append(entailed_file(folder, event.dataset).open("ab"))
            if out:
                _write(event, out[0], (entailer, out[1]) if entailer is not None else None)
            if isinstance(event, FileEnded):
                _close(out)
            yield event
    finally:
        _close(out)


def _close(streams: list[BinaryIO]) -> None:
    while streams:
        streams.pop().close()
