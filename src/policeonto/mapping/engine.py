"""Map source files onto the shared vocabulary: read, check, derive, write N-Triples, in batches.

Memory stays flat whatever the input size: each batch of rows is checked, turned into N-Triples lines by
vectorised expressions and written before the next is read. Every row read is either mapped or counted as
rejected with a reason: ``rows_read == rows_mapped + rows_rejected`` always holds, per file and in total.
"""

from __future__ import annotations

import csv
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
from policeonto.errors import MappingInputError, OptionError
from policeonto.findings import Finding, make
from policeonto.instances import is_records
from policeonto.limits import Limits
from policeonto.mapping.checks import check_batch, code_text
from policeonto.mapping.columns import ColumnMatch, recognise
from policeonto.mapping.jsonsource import JsonDocument, is_json
from policeonto.mapping.keys import KeyIndex
from policeonto.mapping.plan import Derivation, compile_plan, enum_codes
from policeonto.mapping.reader import ROW, Batch, ReadAgain, SourceFile, inspect, read_batches
from policeonto.mapping.spec import Mapping, list_mappings, load_mapping
from policeonto.paths import Inputs, input_paths
from policeonto.vocab import POLE, schema_view

__all__ = [
    "DEFAULT_BASE",
    "BatchSink",
    "FileSummary",
    "MapOptions",
    "MapResult",
    "NTriplesSink",
    "TeeSink",
    "map_file",
    "map_files",
    "provenance_graph",
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
        raise OptionError(f"base IRI {base!r} must be an absolute IRI ending with / or #", option="base", value=base)
    return base


def _file_force(mapping: Mapping, path: Path) -> str | None:
    """The force a file's name gives, if the mapping's file-name pattern has a ``force`` group."""
    groups = mapping.file_name.groups(path.name) if mapping.file_name is not None else None
    return groups.get("force") if groups else None


def _force_codes() -> dict[str, str]:
    """Police force code -> its IRI."""
    enum = schema_view().get_enum("PoliceForceCode")
    return {text: schema_view().expand_curie(pv.meaning) for text, pv in enum.permissible_values.items()}


def _context(source: SourceFile, mapping: Mapping, options: MapOptions, run: str) -> dict[str, str]:
    """The values every row of *source* shares: base, dataset and run IRIs, file key, publishing force.

    Raises:
        OptionError: ``options.force`` is not a police force code. A force named by the file name that is
            not a code is left out (``map_file`` reports it).
    """
    forces = _force_codes()
    if options.force is not None and options.force not in forces:
        raise OptionError(
            f"force {options.force!r} is not a police force code (such as kent, metropolitan)",
            option="force",
            value=options.force,
        )
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
    g.add((dataset, POLE.media_type, Literal(context.get("media_type", "text/csv"))))
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

    def begin(self, file: str, mapping: Mapping, derivations: Sequence[Derivation], provenance: Graph) -> None:
        """*file* starts, mapped by *mapping*; *provenance* describes its dataset and run (row counts still
        open)."""

    def batch(self, frame: pl.DataFrame, derivations: Sequence[Derivation]) -> int:
        """Take the triples one batch of checked rows makes; return how many."""

    def end(self, provenance: Graph) -> int:
        """The file is done; take its final provenance; return how many triples that added."""


@dataclass
class NTriplesSink:
    """Writes every triple as N-Triples to a binary stream."""

    stream: BinaryIO

    def begin(self, file: str, mapping: Mapping, derivations: Sequence[Derivation], provenance: Graph) -> None:
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


@dataclass
class TeeSink:
    """Sends every batch to two sinks (validate and write in one pass); counts are the first's."""

    first: BatchSink
    second: BatchSink

    def begin(self, file: str, mapping: Mapping, derivations: Sequence[Derivation], provenance: Graph) -> None:
        self.first.begin(file, mapping, derivations, provenance)
        self.second.begin(file, mapping, derivations, provenance)

    def batch(self, frame: pl.DataFrame, derivations: Sequence[Derivation]) -> int:
        self.second.batch(frame, derivations)
        return self.first.batch(frame, derivations)

    def end(self, provenance: Graph) -> int:
        self.second.end(provenance)
        return self.first.end(provenance)

    def finish(self) -> None:
        _finish(self.first)
        _finish(self.second)


def _finish(sink: object) -> None:
    """Tell a sink that waits for every file (the validator, for the nodes rows share) that all are in."""
    finish = getattr(sink, "finish", None)
    if callable(finish):
        finish()


def map_file(
    path: Path,
    sink: BinaryIO | BatchSink,
    result: MapResult,
    *,
    mapping: str | None = None,
    options: MapOptions = MapOptions(),
    progress: Callable[[int], None] | None = None,
    keys: KeyIndex | None = None,
) -> list[FileSummary]:
    """Map one file, writing N-Triples to *sink* (a binary stream or a :class:`BatchSink`) and adding its
    summaries and findings to *result*: one summary for a CSV file, one per table for a JSON export.

    Args:
        keys: the keys of the rows mapped so far by tables other tables refer to, for checking foreign keys
            across the files of one export; this file's keys are added to it.

    Raises:
        MappingInputError: the file cannot be mapped at all (unreadable, empty, unrecognised, a required
            column missing).
    """
    _check_base(options.base)
    keys = keys if keys is not None else KeyIndex()
    sink = sink if hasattr(sink, "batch") else NTriplesSink(sink)  # type: ignore[assignment]
    if is_json(path):
        return _map_json(path, sink, result, mapping, options, progress, keys)  # type: ignore[arg-type]
    if is_records(path):
        raise MappingInputError(
            "records in the shared vocabulary (YAML) are no export to map: "
            "policeonto convert turns them into RDF, policeonto validate checks them",
            path=path,
        )
    source = inspect(path, limits=options.limits)
    mappings = [load_mapping(mapping)] if mapping else [m for m in list_mappings() if m.json is None]
    match: ColumnMatch = recognise(source, mappings, name=mappings[0].name if mapping else None)
    batches = _Batches.start(source, match, sink, result, options, keys, media_type="text/csv")  # type: ignore[arg-type]
    try:
        batches.run(read_batches(source, batch_rows=options.batch_rows, limits=options.limits), progress)
    except ReadAgain as again:  # rows before the malformed block are written and right; carry on after them
        rest = read_batches(source, batch_rows=options.batch_rows, careful=True, skip=again.rows, limits=options.limits)
        batches.run(rest, progress)
    return [batches.finish()]


def _map_json(
    path: Path,
    sink: BatchSink,
    result: MapResult,
    mapping: str | None,
    options: MapOptions,
    progress: Callable[[int], None] | None,
    keys: KeyIndex,
) -> list[FileSummary]:
    """Map a JSON export: each of its format's tables in turn, tables others refer to first."""
    document = JsonDocument.read(path, limits=options.limits)
    tables = [load_mapping(mapping)] if mapping else _json_package(document)
    if any(t.json is None for t in tables):
        raise MappingInputError(f"{tables[0].name} reads CSV files, not JSON", path=path)
    members = {t.json.records for t in tables if t.json is not None}
    counts = {k: n for k, n in document.types().items() if k[0] in members}
    media_type = "application/vnd.api+json" if "jsonapi" in document.members else "application/json"
    summaries = []
    for table in _in_dependency_order(tables):
        assert table.json is not None
        rows = document.table(table.json, limits=options.limits)
        if not rows.rows and mapping is None:
            continue
        source = document.source(rows.header, len(rows.rows))
        match = recognise(source, [table], name=table.name)
        batches = _Batches.start(
            source, match, sink, result, options, keys, media_type=media_type, rows_total=sum(counts.values())
        )
        batches.run(rows.batches(match.slots, batch_rows=options.batch_rows, limits=options.limits), progress)
        summaries.append(batches.finish())
    if mapping is None:
        read = {(t.json.records, t.json.type) for t in tables if t.json is not None and t.json.each is None}
        unread = {k: n for k, n in counts.items() if k not in read and (k[0], None) not in read}
        if unread:
            summaries.append(_unread(path, document, tables[0], unread, result, options))
    return summaries


def _unread(
    path: Path,
    document: JsonDocument,
    table: Mapping,
    unread: dict[tuple[str, str], int],
    result: MapResult,
    options: MapOptions,
) -> FileSummary:
    """Records of types no mapping of the format reads: counted as rejected, each type with a finding."""
    summary = FileSummary(str(path), f"{table.source_schema.name} (records of no mapped type)", document.sha256)
    for (member, kind), count in sorted(unread.items()):
        summary.rows_read += count
        summary.rows_rejected += count
        summary.rejected_by_reason[f"unknown-record-type ({member}: {kind or 'no type'})"] += count
        result.finding_counts["unknown-record-type"] += 1
        if len(result.findings) < options.keep_findings:
            value = f"{count} {member} records of type {kind!r}, which no mapping of this format reads"
            result.findings.append(make("unknown-record-type", file=str(path), column=member, value=value))
    result.files.append(summary)
    return summary


def _json_package(document: JsonDocument) -> list[Mapping]:
    """The JSON mappings of the format whose tables read most of *document*'s records.

    Raises:
        MappingInputError: no JSON mapping reads any of its records.
    """
    counts = document.types()
    packages: dict[Path, list[Mapping]] = {}
    for candidate in list_mappings():
        if candidate.json is not None:
            packages.setdefault(candidate.source_schema, []).append(candidate)

    def covered(tables: list[Mapping]) -> int:  # records read as rows, not through a list inside them
        rows = [t for t in tables if t.json is not None and t.json.each is None]
        return sum(n for (member, kind), n in counts.items() if any(_reads(t, member, kind) for t in rows))

    best = max(packages.values(), key=covered, default=[])
    if not best or covered(best) == 0:
        found = ", ".join(f"{member}: {kind!r} x{n}" for (member, kind), n in sorted(counts.items())) or "none"
        raise MappingInputError(f"no mapping reads this JSON file's records (found {found})", path=document.path)
    return best


def _reads(table: Mapping, member: str, kind: str) -> bool:
    return table.json is not None and table.json.records == member and table.json.type in {None, kind}


def _in_dependency_order(tables: Sequence[Mapping]) -> list[Mapping]:
    """Tables ordered so that every table comes after the tables its foreign keys refer to."""
    by_class = {t.row_class: t for t in tables}

    def depth(table: Mapping, seen: frozenset[str] = frozenset()) -> int:
        deps = [by_class[c] for c in table.depends_on if c in by_class and c not in seen | {table.row_class}]
        return 1 + max((depth(d, seen | {table.row_class}) for d in deps), default=-1)

    return sorted(tables, key=depth)


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
    keys: KeyIndex
    started: datetime
    rows_total: int | None = None

    @classmethod
    def start(
        cls,
        source: SourceFile,
        match: ColumnMatch,
        sink: BatchSink,
        result: MapResult,
        options: MapOptions,
        keys: KeyIndex,
        *,
        media_type: str,
        rows_total: int | None = None,
    ) -> _Batches:
        """Compile the mapping, note what the file itself is found to be, and open the sink."""
        chosen, path = match.mapping, source.path
        view = schema_view()
        derivations = compile_plan(chosen, view)
        by_iri = enum_codes(view)
        codes = {c.slot: code_text(by_iri, c) for c in chosen.columns if c.crosswalk is not None}
        started = datetime.now(UTC).replace(microsecond=0)
        run = f"{options.base}run/{started.strftime('%Y%m%dT%H%M%SZ')}-{source.sha256[:12]}"
        if media_type != "text/csv":
            run += f"-{chosen.name}"  # one run per table of the file
        context = _context(source, chosen, options, run)
        context["media_type"] = media_type
        summary = FileSummary(str(path), chosen.name, source.sha256)
        findings = list(match.findings)
        if source.encoding == "cp1252":
            findings.append(make("legacy-encoding", file=str(path)))
        if source.blank_lines:
            findings.append(make("blank-lines", file=str(path), value=str(source.blank_lines)))
        named = _file_force(chosen, path)
        if named and context["publisher"] is None:
            findings.append(make("unknown-publisher", file=str(path), value=named))
        known = keys.of(chosen)
        for column in chosen.columns:
            for target in sorted({t for _, t in column.references} - known.keys()):
                findings.append(make("references-not-checked", file=str(path), column=column.title, value=target))
        result.finding_counts.update(f.code for f in findings)
        sink.begin(str(path), chosen, derivations, provenance_graph(source, chosen, context, rows_total or 0, started))
        return cls(
            source,
            chosen,
            match,
            derivations,
            codes,
            context,
            options,
            sink,
            summary,
            findings,
            result,
            keys,
            started,
            rows_total,
        )

    def finish(self) -> FileSummary:
        """Close the file: its final provenance, summary and findings."""
        rows = self.rows_total if self.rows_total is not None else self.summary.rows_read
        final = provenance_graph(self.source, self.mapping, self.context, rows, self.started)
        self.summary.triples += self.sink.end(final)
        assert self.summary.rows_read == self.summary.rows_mapped + self.summary.rows_rejected
        self.result.files.append(self.summary)
        room = self.options.keep_findings - len(self.result.findings)
        self.result.findings.extend(self.findings[: max(room, 0)])
        return self.summary

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
            checked = check_batch(
                frame, self.mapping, self.codes, file=file, keep_findings=room, keys=self.keys.of(self.mapping)
            )
            checked = self.keys.once(self.mapping, checked, file=file, keep_findings=room - len(checked.findings))
            self.keys.add(self.mapping, checked.frame)
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
            code = bad.code or ("unterminated-quote" if bad.fields == 0 else "wrong-field-count")
            self.summary.rows_read += 1
            self.summary.rows_rejected += 1
            self.summary.rejected_by_reason[code] += 1
            self.result.finding_counts[code] += 1
            width = len(self.source.header)
            detail = bad.text if bad.fields == 0 or bad.code else f"{bad.fields} fields, expected {width}: {bad.text}"
            self.findings.append(make(code, file=file, row=bad.row, column=bad.column, value=detail))


def map_files(
    inputs: Inputs,
    sink: BinaryIO | BatchSink,
    *,
    mapping: str | None = None,
    options: MapOptions = MapOptions(),
    progress: Callable[[int], None] | None = None,
) -> MapResult:
    """Map every file in *inputs* onto the shared vocabulary, writing N-Triples to *sink*.

    Args:
        inputs: source files (a single path is one file); each is recognised from its header (a JSON export
            from its record types) unless *mapping* names the mapping. The files of one export are mapped so
            that a table comes after the tables it refers to, and their foreign keys are checked across the
            files.
        sink: a binary stream for the N-Triples, or a :class:`BatchSink`.
        options: IRI base, publishing force, batch size, findings kept.
        progress: called with the number of rows after each batch.

    Returns:
        The summary: rows read, mapped and rejected (by reason), triples written, findings.

    Raises:
        MappingInputError: a file cannot be mapped at all; files before it have been written.
        MappingSpecError: *mapping* names no mapping, or the mapping is malformed.
        OptionError: ``options.base`` is no absolute IRI ending with ``/`` or ``#``, or ``options.force`` is no
            police force code.
    """
    started = time.perf_counter()
    result = MapResult()
    keys = KeyIndex()
    paths = input_paths(inputs)
    for path in _files_in_order(paths, mapping):
        map_file(path, sink, result, mapping=mapping, options=options, progress=progress, keys=keys)
    _finish(sink)
    result.seconds = time.perf_counter() - started
    return result


def _files_in_order(paths: list[Path], mapping: str | None) -> list[Path]:
    """*paths*, with every CSV file after the files of the tables it refers to (recognised by header)."""
    if len(paths) < 2 or mapping is not None:
        return paths
    tables = [m for m in list_mappings() if m.json is None]
    depth = {m.name: i for i, m in enumerate(_in_dependency_order(tables))}
    ranks = {}
    for path in paths:
        header = _header(path)
        if header is None:
            ranks[path] = -1
            continue
        source = SourceFile(path, "", 0, "utf-8", False, 0, 0, True, header)
        try:
            ranks[path] = depth[recognise(source, tables).mapping.name]
        except MappingInputError:
            ranks[path] = -1  # mapping the file reports the problem
    return sorted(paths, key=lambda p: ranks[p])


def _header(path: Path) -> tuple[str, ...] | None:
    if is_json(path):
        return None
    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            return tuple(next(csv.reader([handle.readline(1 << 16)]), []))
    except OSError:
        return None
