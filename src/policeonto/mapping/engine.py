"""Map source files onto the shared vocabulary: read, check, derive, write N-Triples, in batches.

Memory stays flat whatever the input size: each batch of rows is checked, turned into N-Triples lines by
vectorised expressions and written before the next is read. Every row read is either mapped or counted as
rejected with a reason: ``rows_read == rows_mapped + rows_rejected`` always holds, per file and in total.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol

import polars as pl
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from policeonto import __version__
from policeonto.errors import PoliceOntoError
from policeonto.findings import Finding, make
from policeonto.mapping.checks import check_batch, code_text
from policeonto.mapping.columns import ColumnMatch, recognise
from policeonto.mapping.plan import Derivation, compile_plan, enum_codes
from policeonto.mapping.reader import ROW, Batch, ReadAgain, SourceFile, inspect, read_batches
from policeonto.mapping.spec import Mapping, list_mappings, load_mapping
from policeonto.vocab import POLE, schema_view

__all__ = [
    "DEFAULT_BASE",
    "BatchSink",
    "FileSummary",
    "MapOptions",
    "MapResult",
    "NTriplesSink",
    "map_file",
    "map_files",
    "provenance_graph",
    "triple_frames",
]

DEFAULT_BASE = "https://w3id.org/policeonto/data/"


@dataclass(frozen=True)
class MapOptions:
    """How to map: instance IRI base, the publishing force when the file name does not say, batch size,
    and how many findings to keep as objects (all are counted)."""

    base: str = DEFAULT_BASE
    force: str | None = None
    batch_rows: int = 20_000
    keep_findings: int = 1000


@dataclass
class FileSummary:
    """What happened to one input file."""

    file: str
    mapping: str
    sha256: str
    rows_read: int = 0
    rows_mapped: int = 0
    rows_rejected: int = 0
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    triples: int = 0


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


def _check_base(base: str) -> str:
    if not re.match(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]*[/#]$", base, re.IGNORECASE):
        raise PoliceOntoError(f"base IRI {base!r} must be an absolute IRI ending with / or #")
    return base


def _file_force(mapping: Mapping, path: Path) -> str | None:
    """The force a file's name gives, if the mapping's file-name pattern has a ``force`` group."""
    match = mapping.file_name.match(path.name) if mapping.file_name is not None else None
    return match.groupdict().get("force") if match else None


def _force_codes() -> dict[str, str]:
    """Police force code -> its IRI."""
    enum = schema_view().get_enum("PoliceForceCode")
    return {text: schema_view().expand_curie(pv.meaning) for text, pv in enum.permissible_values.items()}


def _context(source: SourceFile, mapping: Mapping, options: MapOptions, run: str) -> dict[str, str]:
    """The values every row of *source* shares: base, dataset and run IRIs, file key, publishing force.

    Raises:
        PoliceOntoError: ``options.force`` is not a police force code. A force named by the file name that is
            not a code is left out (``map_file`` reports it).
    """
    forces = _force_codes()
    if options.force is not None and options.force not in forces:
        raise PoliceOntoError(f"--force {options.force!r} is not a police force code (such as kent, metropolitan)")
    force = options.force or _file_force(mapping, source.path)
    key = re.sub(r"[^a-z0-9]+", "-", source.path.stem.lower()).strip("-") or "data"
    return {
        "base": options.base,
        "dataset": f"{options.base}dataset/{source.sha256}",
        "run": run,
        "dataset_key": key,
        "publisher": force if force in forces else None,
    }


def provenance_graph(
    source: SourceFile, mapping: Mapping, context: dict[str, str], rows: int, started: datetime
) -> Graph:
    """The PROV-O description of the source file (a SourceDataset) and of the mapping run."""
    g = Graph()
    dataset, run = URIRef(context["dataset"]), URIRef(context["run"])
    g.add((dataset, RDF.type, POLE.SourceDataset))
    g.add((dataset, POLE.file_name, Literal(source.path.name)))
    g.add((dataset, POLE.sha256, Literal(source.sha256)))
    g.add((dataset, POLE.media_type, Literal("text/csv")))
    g.add((dataset, POLE.byte_size, Literal(source.size, datatype=XSD.integer)))
    g.add((dataset, POLE.row_count, Literal(rows, datatype=XSD.integer)))
    if context["publisher"]:
        g.add((dataset, POLE.publisher, URIRef(_force_codes()[context["publisher"]])))
    g.add((run, RDF.type, POLE.MappingRun))
    g.add((run, POLE.started_at, Literal(started.isoformat(timespec="seconds"), datatype=XSD.dateTime)))
    g.add((run, POLE.mapping_name, Literal(mapping.name)))
    g.add((run, POLE.mapping_version, Literal(mapping.version)))
    g.add((run, POLE.ontology_version, Literal(str(schema_view().schema.version))))
    g.add((run, POLE.software_version, Literal(__version__)))
    g.add((run, POLE.used, dataset))
    return g


def triple_frames(frame: pl.DataFrame, derivation: Derivation) -> tuple[pl.DataFrame, list[tuple[str, pl.Series]]]:
    """What one derived class makes from a batch: its subjects with their source rows (unique for classes
    several rows share), and for each predicate the object terms aligned with the subjects."""
    objects = [obj.alias(f"o{i}") for i, (_, obj) in enumerate(derivation.triples)]
    made = (
        frame.lazy()
        .select(derivation.subject.alias("s"), pl.col(ROW), *objects)
        .filter(pl.col("s").is_not_null())
        .collect()
    )
    if derivation.shared:
        made = made.unique(subset=["s", *(f"o{i}" for i in range(len(objects)))], keep="first", maintain_order=True)
    return made.select("s", ROW), [(p, made[f"o{i}"]) for i, (p, _) in enumerate(derivation.triples)]


class BatchSink(Protocol):
    """Where mapped batches go: an N-Triples stream, or a validator."""

    def begin(self, mapping: Mapping, derivations: Sequence[Derivation], provenance: Graph) -> None:
        """A file starts, mapped by *mapping*; *provenance* describes its dataset and run (row counts still
        open)."""

    def batch(self, frame: pl.DataFrame, derivations: Sequence[Derivation]) -> int:
        """Take the triples one batch of checked rows makes; return how many."""

    def end(self, provenance: Graph) -> int:
        """The file is done; take its final provenance; return how many triples that added."""


@dataclass
class NTriplesSink:
    """Writes every triple as N-Triples to a binary stream."""

    stream: BinaryIO

    def begin(self, mapping: Mapping, derivations: Sequence[Derivation], provenance: Graph) -> None:
        pass

    def batch(self, frame: pl.DataFrame, derivations: Sequence[Derivation]) -> int:
        written = 0
        for derivation in derivations:
            subjects, columns = triple_frames(frame, derivation)
            lines = pl.concat(
                [
                    subjects.select(pl.concat_str([pl.col("s"), pl.lit(f" {predicate} "), objects, pl.lit(" .")]))
                    .to_series()
                    .drop_nulls()
                    for predicate, objects in columns
                ]
            )
            lines.to_frame("line").write_csv(self.stream, include_header=False, quote_style="never")
            written += lines.len()
        return written

    def end(self, provenance: Graph) -> int:
        text = provenance.serialize(format="nt")
        self.stream.write(text.encode("utf-8"))
        return text.count("\n")


def map_file(
    path: Path,
    sink: BinaryIO | BatchSink,
    result: MapResult,
    *,
    mapping: str | None = None,
    options: MapOptions = MapOptions(),
    progress: Callable[[int], None] | None = None,
) -> FileSummary:
    """Map one file, writing N-Triples to *sink* (a binary stream or a :class:`BatchSink`) and adding its
    summary and findings to *result*.

    Raises:
        MappingInputError: the file cannot be mapped at all (unreadable, empty, unrecognised, a required
            column missing).
    """
    base = _check_base(options.base)
    source = inspect(path)
    mappings = [load_mapping(mapping)] if mapping else list_mappings()
    match: ColumnMatch = recognise(source, mappings, name=mapping)
    chosen = match.mapping
    view = schema_view()
    derivations = compile_plan(chosen, view)
    by_iri = enum_codes(view)
    codes = {c.slot: code_text(by_iri, c) for c in chosen.columns if c.crosswalk is not None}
    started = datetime.now(UTC).replace(microsecond=0)
    run = f"{base}run/{started.strftime('%Y%m%dT%H%M%SZ')}-{source.sha256[:12]}"
    context = _context(source, chosen, options, run)
    summary = FileSummary(str(path), chosen.name, source.sha256)
    findings = list(match.findings)
    if source.encoding == "cp1252":
        findings.append(make("legacy-encoding", file=str(path)))
    if source.blank_lines:
        findings.append(make("blank-lines", file=str(path), value=str(source.blank_lines)))
    named = _file_force(chosen, path)
    if named and context["publisher"] is None:
        findings.append(make("unknown-publisher", file=str(path), value=named))
    result.finding_counts.update(f.code for f in findings)
    if not hasattr(sink, "batch"):
        sink = NTriplesSink(sink)
    sink.begin(chosen, derivations, provenance_graph(source, chosen, context, 0, started))
    batches = _Batches(source, chosen, match, derivations, codes, context, options, sink, summary, findings, result)
    try:
        batches.run(read_batches(source, batch_rows=options.batch_rows), progress)
    except ReadAgain as again:  # rows before the malformed block are written and right; carry on after them
        batches.run(read_batches(source, batch_rows=options.batch_rows, careful=True, skip=again.rows), progress)
    summary.triples += sink.end(provenance_graph(source, chosen, context, summary.rows_read, started))
    assert summary.rows_read == summary.rows_mapped + summary.rows_rejected
    result.files.append(summary)
    room = options.keep_findings - len(result.findings)
    result.findings.extend(findings[: max(room, 0)])
    return summary


@dataclass
class _Batches:
    """Checks, derives and writes batches of one file, adding to its summary and findings."""

    source: SourceFile
    mapping: Mapping
    match: ColumnMatch
    derivations: Sequence[Derivation]
    codes: dict[str, dict[str, str]]
    context: dict[str, str]
    options: MapOptions
    sink: BatchSink
    summary: FileSummary
    findings: list[Finding]
    result: MapResult

    def run(self, batches: Iterable[Batch], progress: Callable[[int], None] | None) -> None:
        """Process every batch."""
        file = str(self.source.path)
        missing = [c.slot for c in self.mapping.columns if c.title in self.match.missing_optional]
        for batch in batches:
            self.reject_malformed(batch, file)
            frame = batch.frame
            if frame.height == 0:
                continue
            frame = frame.select([pl.col(h).alias(s) for h, s in self.match.slots.items()] + [pl.col(ROW)])
            frame = frame.with_columns([pl.lit(None, dtype=pl.String).alias(slot) for slot in missing])
            room = max(self.options.keep_findings - len(self.findings), 0)
            checked = check_batch(frame, self.mapping, self.codes, file=file, keep_findings=room)
            self.findings.extend(checked.findings)
            self.result.finding_counts.update(checked.finding_counts)
            self.summary.rows_read += frame.height
            self.summary.rows_rejected += checked.rejected
            self.summary.rows_mapped += checked.frame.height
            self.summary.rejected_by_reason.update(checked.rejected_by_reason)
            rows = checked.frame.with_columns(
                pl.col(ROW).cast(pl.String).alias("row"),
                *[pl.lit(value, dtype=pl.String).alias(name) for name, value in self.context.items()],
            )
            self.summary.triples += self.sink.batch(rows, self.derivations)
            if progress is not None:
                progress(frame.height + len(batch.rejected))

    def reject_malformed(self, batch: Batch, file: str) -> None:
        """Count the rows the parser could not split as rejected, each with a finding."""
        for bad in batch.rejected:
            code = "unterminated-quote" if bad.fields == 0 else "wrong-field-count"
            self.summary.rows_read += 1
            self.summary.rows_rejected += 1
            self.summary.rejected_by_reason[code] += 1
            self.result.finding_counts[code] += 1
            width = len(self.source.header)
            detail = bad.text if bad.fields == 0 else f"{bad.fields} fields, expected {width}: {bad.text}"
            self.findings.append(make(code, file=file, row=bad.row, value=detail))


def map_files(
    inputs: Sequence[Path],
    sink: BinaryIO | BatchSink,
    *,
    mapping: str | None = None,
    options: MapOptions = MapOptions(),
    progress: Callable[[int], None] | None = None,
) -> MapResult:
    """Map every file in *inputs* onto the shared vocabulary, writing N-Triples to *sink*.

    Args:
        inputs: source files; each is recognised from its header unless *mapping* names the mapping.
        sink: a binary stream for the N-Triples, or a :class:`BatchSink`.
        options: IRI base, publishing force, batch size, findings kept.
        progress: called with the number of rows after each batch.

    Returns:
        The summary: rows read, mapped and rejected (by reason), triples written, findings.

    Raises:
        MappingInputError: a file cannot be mapped at all; files before it have been written.
    """
    started = time.perf_counter()
    result = MapResult()
    for path in inputs:
        map_file(Path(path), sink, result, mapping=mapping, options=options, progress=progress)
    result.seconds = time.perf_counter() - started
    return result
