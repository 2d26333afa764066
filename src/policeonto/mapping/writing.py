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

from policeonto.mapping.events import Event, FileEnded, FileStarted, Made, RowsMapped

__all__ = ["dataset_file", "write_made", "writing_datasets", "writing_ntriples"]

E = TypeVar("E")


def write_made(made: Iterable[Made], out: BinaryIO) -> None:
    """Write the triples of a batch as N-Triples lines to *out*."""
    for part in made:
        lines = pl.concat(
            [
                part.subjects.select(pl.concat_str([pl.col("s"), pl.lit(f" {predicate} "), objects, pl.lit(" .")]))
                .to_series()
                .drop_nulls()
                for predicate, objects in part.objects
            ]
        )
        lines.to_frame("line").write_csv(out, include_header=False, quote_style="never")


def _write(event: Event | E, out: BinaryIO) -> None:
    if isinstance(event, RowsMapped):
        write_made(event.made, out)
    elif isinstance(event, FileEnded):  # in order: the graph's own order is the process's hashing's
        lines = event.provenance.serialize(format="nt").splitlines(keepends=True)
        out.write("".join(sorted(line for line in lines if line.strip())).encode("utf-8"))


def writing_ntriples(events: Iterable[Event | E], out: BinaryIO) -> Iterator[Event | E]:
    """Write every triple the stream carries (each file's provenance at its end) to *out* as N-Triples, and
    yield each event on once it is written."""
    for event in events:
        _write(event, out)
        yield event


def dataset_file(folder: Path, dataset: str) -> Path:
    """The file in *folder* that :func:`writing_datasets` writes the dataset *dataset* to."""
    return folder / f"{hashlib.sha256(dataset.encode()).hexdigest()[:32]}.nt"


def writing_datasets(events: Iterable[Event | E], folder: Path) -> Iterator[Event | E]:
    """Write each dataset's triples (a source file's, a JSON export's tables together) as N-Triples to a file
    of its own in *folder* (:func:`dataset_file`), and yield each event on once it is written."""
    out: BinaryIO | None = None
    try:
        for event in events:
            if isinstance(event, FileStarted):
                out = dataset_file(folder, event.dataset).open("ab")
            if out is not None:
                _write(event, out)
            if isinstance(event, FileEnded) and out is not None:
                out.close()
                out = None
            yield event
    finally:
        if out is not None:
            out.close()
