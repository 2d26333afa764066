"""The records a share starts from, as one table of N-Triples terms (``s``, ``p``, ``o``): exports mapped
through the same stream as ``policeonto map`` (each batch's terms taken as the mapping makes them), RDF
files and records in YAML read as ``policeonto validate`` reads them.

The table is dictionary-encoded (polars ``Categorical``): each distinct term is held once, and each triple
as three small integers, so a run's records cost a few bytes a triple beyond their distinct terms (a
stop-and-search row makes some 24 triples, most of whose terms repeat: its codes, its force, its points).
Each batch is encoded as it is made, so the terms are never all held as text at once.

>>> from pathlib import Path
>>> records = read_records_for_share([Path("tests/data/sources/street-sample.csv")])
>>> records.triples.columns, records.inputs[0].sha256 == records.map_result.files[0].sha256
(['s', 'p', 'o'], True)
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from policeonto.errors import InstanceDataError
from policeonto.fastshacl import TripleTable
from policeonto.instances import is_records, read_records
from policeonto.mapping import MapOptions, MappingCatalogue, MappingChoice, MapResult, map_files, map_result, map_stream
from policeonto.mapping.events import Event, FileEnded, Made, RowsMapped
from policeonto.scale.executor import Executor
from policeonto.store import Store
from policeonto.validation.fast import read_table
from policeonto.validation.rdf_input import is_rdf

__all__ = [
    "TERMS",
    "InputFile",
    "SharedRecords",
    "distinct_triples",
    "made_frames",
    "read_records_for_share",
    "read_store_for_share",
    "table_frame",
]

_SCHEMA = dict.fromkeys("spo", pl.String)
#: The records' columns, dictionary-encoded: each distinct term is held once.
TERMS = dict.fromkeys("spo", pl.Categorical)


@dataclass(frozen=True)
class InputFile:
    """One input of a share, named with the SHA-256 of its bytes (for the manifest)."""

    path: str
    sha256: str


@dataclass(frozen=True)
class SharedRecords:
    """The triples of every input (dictionary-encoded terms), the inputs, and the summary of mapping the
    exports among them (empty when there were none)."""

    triples: pl.DataFrame
    inputs: tuple[InputFile, ...]
    map_result: MapResult


def table_frame(table: TripleTable) -> pl.DataFrame:
    """A triple table as one frame of ``s``, ``p``, ``o`` terms."""
    table = table.decoded()
    parts = [pairs.with_columns(p=pl.lit(p)).select("s", "p", "o") for p, pairs in table.by_predicate.items()]
    return pl.concat(parts) if parts else pl.DataFrame(schema=_SCHEMA)


def _encoded(frame: pl.DataFrame) -> pl.DataFrame:
    """*frame*'s terms dictionary-encoded, as the records hold them."""
    return frame.cast(TERMS)


def distinct_triples(triples: pl.DataFrame) -> pl.DataFrame:
    """Each triple of *triples* (dictionary-encoded) once, in the order first seen: judged predicate by
    predicate on one 64-bit integer a triple, made of its subject's and object's 32-bit codes, so only one
    predicate's keys are hashed at a time (``unique`` on the encoded columns took some 160 bytes a triple at
    its peak, one 128-bit key a triple over the whole table some 70).

    >>> frame = pl.DataFrame({"s": ["<a>", "<a>", "<b>", "<a>"], "p": ["<p>", "<q>", "<p>", "<p>"],
    ...     "o": ["<x>"] * 4}).cast(TERMS)
    >>> distinct_triples(frame).cast(_SCHEMA).rows()
    [('<a>', '<p>', '<x>'), ('<a>', '<q>', '<x>'), ('<b>', '<p>', '<x>')]
    """
    predicates = triples.get_column("p").to_physical()
    s, o = (triples.get_column(c).to_physical().cast(pl.UInt64) for c in "so")
    keys = s * (1 << 32) + o
    first = pl.repeat(False, triples.height, dtype=pl.Boolean, eager=True)
    for code in predicates.unique().to_list():
        rows = (predicates == code).arg_true()
        first.scatter(rows.filter(keys.gather(rows).is_first_distinct()), True)
    return triples.filter(first)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError as exc:
        raise InstanceDataError(f"cannot be read: {exc.strerror or exc}", path=path) from exc
    return digest.hexdigest()


def _mapped(
    paths: list[Path],
    mapping: MappingChoice,
    catalogue: MappingCatalogue | None,
    options: MapOptions,
    executor: Executor,
) -> tuple[list[pl.DataFrame], MapResult]:
    """Map the exports *paths*, each batch's triples parsed into a frame as the batch is made, each file's
    provenance in the order the N-Triples writer gives it (sorted); on the Dask cluster of *executor*, the
    N-Triples the tasks write, read back in the order written: the same triples in the same order."""
    if not executor.local:
        out = io.BytesIO()
        result = map_files(paths, out, mapping=mapping, catalogue=catalogue, options=options, executor=executor)
        return [_encoded(ntriples_frame(out.getvalue()))], result
    frames: list[pl.DataFrame] = []

    def parsed(events: Iterable[Event]) -> Iterator[Event]:
        for event in events:
            if isinstance(event, RowsMapped) and event.triples:
                frames.extend(_encoded(frame) for frame in made_frames(event.made))
            elif isinstance(event, FileEnded):  # the file's dataset and run, which its records point to
                provenance = table_frame(TripleTable.from_graph(event.provenance))
                line = pl.concat_str([pl.col("s"), pl.col("p"), pl.col("o")], separator=" ")
                frames.append(_encoded(provenance.sort(line)))
            yield event

    result = map_result(parsed(map_stream(paths, mapping=mapping, catalogue=catalogue, options=options)))
    return frames, result


def ntriples_frame(data: bytes) -> pl.DataFrame:
    """The triples of N-Triples lines that ``policeonto map`` wrote (no space in a subject or predicate) as
    a frame of ``s``, ``p``, ``o``, in their order.

    >>> ntriples_frame(b'<a:s> <a:p> "x y" .\\n<a:s> <a:q> <a:o> .\\n').rows()
    [('<a:s>', '<a:p>', '"x y"'), ('<a:s>', '<a:q>', '<a:o>')]
    """
    lines = pl.Series("line", data.decode("utf-8").splitlines(), dtype=pl.String)
    parts = lines.str.splitn(" ", 3).struct.rename_fields(["s", "p", "o"]).struct.unnest()
    return parts.with_columns(pl.col("o").str.strip_suffix(" ."))


def made_frames(made: Iterable[Made]) -> Iterator[pl.DataFrame]:
    """The triples of a batch as frames, straight from the terms the mapping made (as
    :func:`~policeonto.mapping.writing.write_made` writes them, without writing them)."""
    for part in made:
        subjects = part.subjects.get_column("s")
        for predicate, objects in part.objects:
            frame = pl.DataFrame({"s": subjects, "o": objects.alias("o")}).filter(pl.col("o").is_not_null())
            yield frame.select("s", pl.lit(predicate, dtype=pl.String).alias("p"), "o")


def read_records_for_share(
    inputs: list[Path],
    *,
    mapping: MappingChoice = None,
    catalogue: MappingCatalogue | None = None,
    options: MapOptions | None = None,
    executor: Executor = Executor(),
) -> SharedRecords:
    """Every triple of *inputs*: exports (CSV, JSON) mapped together as ``policeonto map`` maps them (on the
    Dask cluster of *executor*, when it names one: the same triples in the same order), RDF files and
    records in YAML read one by one.

    Raises:
        MappingInputError, MappingSpecError, InstanceDataError: as mapping, or reading RDF or records, raise.
        ClusterError: the Dask cluster of *executor* cannot be reached or started.
    """
    options = options or MapOptions()
    frames: list[pl.DataFrame] = []
    exports = [p for p in inputs if not is_rdf(p) and not is_records(p)]
    result = MapResult()
    if exports:
        mapped, result = _mapped(exports, mapping, catalogue, options, executor)
        frames += mapped
    for path in inputs:
        if is_rdf(path):
            frames.append(_encoded(table_frame(read_table(path, limits=options.limits))))
        elif is_records(path):
            frames.append(_encoded(table_frame(TripleTable.from_graph(read_records(path, limits=options.limits)))))
    triples = distinct_triples(pl.concat(frames)) if frames else pl.DataFrame(schema=TERMS)
    files = tuple(InputFile(str(p), _sha256(p)) for p in inputs)
    return SharedRecords(triples, files, result)


_EVERY_TRIPLE = "SELECT ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"


def read_store_for_share(store: Store) -> SharedRecords:
    """Every triple of *store* (its default graph and every named graph), as one input named by the store's
    location, whose SHA-256 is that of the triples as sorted N-Triples lines (a store has no file to hash).

    Raises:
        StoreError: the store cannot be queried.
    """
    result = store.query(_EVERY_TRIPLE)
    triples = pl.DataFrame(list(result.rows), schema=_SCHEMA, orient="row").unique().sort("s", "p", "o")
    digest = hashlib.sha256()
    for s, p, o in triples.iter_rows():
        digest.update(f"{s} {p} {o} .\n".encode())
    return SharedRecords(_encoded(triples), (InputFile(store.location, digest.hexdigest()),), MapResult())
