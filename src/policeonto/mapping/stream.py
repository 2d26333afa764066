"""Map source files as a stream of plain values that consumers pull: read, check, derive, in batches.

Memory stays flat whatever the input size: each batch of rows is checked and turned into triples by
vectorised expressions, and yielded, before the next is read. Every row read is either mapped or counted as
rejected with a reason: ``rows_read == rows_mapped + rows_rejected`` holds in each file's closing value.

>>> from pathlib import Path
>>> events = list(map_stream([Path("tests/data/sources/street-sample.csv")]))
>>> [type(e).__name__ for e in (events[0], events[-1])]
['FileStarted', 'FileEnded']
>>> end = events[-1].summary
>>> end.rows_read == end.rows_mapped + end.rows_rejected == sum(e.rows for e in events if isinstance(e, RowsMapped))
True
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from policeonto.errors import MappingInputError
from policeonto.findings import Finding, make
from policeonto.instances import is_records
from policeonto.mapping.catalogue import MappingCatalogue
from policeonto.mapping.checks import check_batch, code_text
from policeonto.mapping.columns import ColumnMatch
from policeonto.mapping.events import (
    Event,
    FileEnded,
    FilePart,
    FileStarted,
    FileSummary,
    KeysKept,
    MapOptions,
    PartEnded,
    RecordsUnread,
    RowsMapped,
    triple_frames,
)
from policeonto.mapping.jsonsource import JsonDocument, is_json
from policeonto.mapping.keys import KeyIndex
from policeonto.mapping.plan import compile_plan, enum_codes
from policeonto.mapping.provenance import check_base, file_context, file_force, provenance_graph
from policeonto.mapping.reader import ROW, Batch, SourceFile, inspect, read_batches
from policeonto.mapping.recognition import recognise
from policeonto.mapping.spec import Mapping, MappingChoice, chosen_mappings, list_mappings
from policeonto.paths import Inputs, input_paths
from policeonto.vocab import schema_view

__all__ = ["map_part", "map_stream", "planned_files"]


def map_stream(
    inputs: Inputs,
    *,
    mapping: MappingChoice = None,
    catalogue: MappingCatalogue | None = None,
    options: MapOptions = MapOptions(),
    after: KeyIndex | None = None,
) -> Iterator[Event]:
    """Map every file in *inputs* onto the shared vocabulary, yielding what each makes as it is made.

    Args:
        inputs: source files (a single path is one file); each is recognised from its header (a JSON export
            from its record types) among the mappings of *catalogue*, unless *mapping* names the mapping, or
            several to recognise it among (each a name or a ``.transform.yaml`` path). The files of one
            export are mapped so that a table comes after the tables it refers to, and their foreign keys
            are checked across the files.
        catalogue: where mappings are found (default: ``POLICEONTO_MAPPINGS``'s folders, then the bundled
            ones; :class:`~policeonto.mapping.catalogue.MappingCatalogue`).
        options: IRI base, publishing force, batch size, findings kept per file, size limits.
        after: the keys of the files of the run mapped before these, when a run is mapped in parts (Dask
            tasks): foreign keys and repeated keys are checked against them too (they are not changed).

    Yields:
        For each file (each table of a JSON export), a :class:`FileStarted`, its :class:`RowsMapped` batches
        and a :class:`FileEnded`; a :class:`RecordsUnread` for a JSON export's records of no mapped type;
        with *after*, a :class:`KeysKept` last, with those keys and the files' own.

    Raises:
        MappingInputError: a file cannot be mapped at all; the files before it have been yielded.
        MappingSpecError: *mapping* names no mapping, a mapping is malformed, or a folder of *catalogue* is
            gone.
        OptionError: ``options.base`` is no absolute IRI ending with ``/`` or ``#``, or ``options.force`` is no
            police force code.
    """
    check_base(options.base)
    chosen, known = _mappings(mapping, catalogue)
    keys = KeyIndex() if after is None else KeyIndex().joined(after)  # the keys of the run's rows so far
    for path in _files_in_order(input_paths(inputs), known, one=len(chosen) == 1):
        if is_json(path):
            yield from _json_stream(path, known, bool(chosen), options, keys)
        elif is_records(path):
            raise MappingInputError(
                "records in the shared vocabulary (YAML) are no export to map: "
                "policeonto convert turns them into RDF, policeonto validate checks them",
                path=path,
            )
        else:
            source = inspect(path, limits=options.limits)
            match = _recognised(source, chosen, known)
            batches = read_batches(source, batch_rows=options.batch_rows, limits=options.limits)
            yield from _file_stream(source, match, batches, options, keys, media_type="text/csv")
    if after is not None:
        yield KeysKept(keys)


def map_part(
    part: FilePart,
    *,
    mapping: MappingChoice = None,
    catalogue: MappingCatalogue | None = None,
    options: MapOptions = MapOptions(),
    after: KeyIndex,
) -> Iterator[Event]:
    """Map the rows of *part* of a CSV file as :func:`map_stream` maps them when it maps the whole file after
    the files whose keys are *after*: the same batches, triples and findings, rows numbered as in the file.

    Yields:
        A :class:`FileStarted` (its findings only in the file's first part), the part's :class:`RowsMapped`
        batches, a :class:`FileEnded` if the part is the file's last (else a :class:`PartEnded`), and a
        :class:`KeysKept` with the keys of *after* and the part's own.

    Raises:
        MappingInputError, MappingSpecError, OptionError: as :func:`map_stream`.
    """
    check_base(options.base)
    chosen, known = _mappings(mapping, catalogue)
    keys = KeyIndex().joined(after)
    match = _recognised(part.source, chosen, known)
    batches = read_batches(part.source, batch_rows=options.batch_rows, limits=options.limits, span=part.span)
    yield from _file_stream(part.source, match, batches, options, keys, media_type="text/csv", part=part)
    yield KeysKept(keys)


def _mappings(
    mapping: MappingChoice, catalogue: MappingCatalogue | None
) -> tuple[tuple[Mapping, ...], tuple[Mapping, ...]]:
    """The mappings *mapping* chose (none: recognise each file), and those files are recognised among."""
    catalogue = catalogue or MappingCatalogue.search()
    chosen = chosen_mappings(mapping, catalogue=catalogue)
    return chosen, chosen or tuple(list_mappings(catalogue=catalogue))


def _recognised(source: SourceFile, chosen: Sequence[Mapping], known: Sequence[Mapping]) -> ColumnMatch:
    """How *source*'s columns match the mapping chosen for it, or the one it is recognised as."""
    mappings = list(chosen) or [m for m in known if m.json is None]
    return recognise(source, mappings, name=chosen[0].name if len(chosen) == 1 else None)


def planned_files(
    inputs: Inputs, *, mapping: MappingChoice = None, catalogue: MappingCatalogue | None = None
) -> list[tuple[Path, str | None]]:
    """The files of *inputs* in the order :func:`map_stream` maps them, each with the export it belongs to
    when it may refer to, or be referred to by, other files of the run (a JSON export: ``"json"``; a CSV
    table that refers to others or that others refer to: its source schema), None when it stands alone.
    From the files' headers; a file that cannot be recognised stands alone (mapping it says why)."""
    chosen, known = _mappings(mapping, catalogue)
    tables = list(chosen) or [m for m in known if m.json is None]
    planned: list[tuple[Path, str | None]] = []
    for path in _files_in_order(input_paths(inputs), known, one=len(chosen) == 1):
        header = _header(path)
        export = "json" if is_json(path) else None
        if header is not None:
            source = SourceFile(path, "", 0, "utf-8", False, 0, 0, True, header)
            try:
                table = recognise(source, tables, name=chosen[0].name if len(chosen) == 1 else None).mapping
                export = str(table.source_schema) if table.referenced or table.depends_on else None
            except MappingInputError:
                export = None
        planned.append((path, export))
    return planned


def _json_stream(
    path: Path, known: Sequence[Mapping], chosen: bool, options: MapOptions, keys: KeyIndex
) -> Iterator[Event]:
    """Map a JSON export: each of its format's tables in turn, tables others refer to first; when the
    mappings were *chosen*, the JSON ones of *known* (each table even if no record is of its type)."""
    document = JsonDocument.read(path, limits=options.limits)
    tables = ([m for m in known if m.json is not None] or list(known)) if chosen else _json_package(document, known)
    if any(t.json is None for t in tables):
        raise MappingInputError(f"{tables[0].name} reads CSV files, not JSON", path=path)
    members = {t.json.records for t in tables if t.json is not None}
    counts = {k: n for k, n in document.types().items() if k[0] in members}
    media_type = "application/vnd.api+json" if "jsonapi" in document.members else "application/json"
    for table in _in_dependency_order(tables):
        assert table.json is not None
        rows = document.table(table.json, limits=options.limits)
        if not rows.rows and not chosen:
            continue
        source = document.source(rows.header, len(rows.rows))
        match = recognise(source, [table], name=table.name)
        batches = rows.batches(match.slots, batch_rows=options.batch_rows, limits=options.limits)
        yield from _file_stream(
            source, match, batches, options, keys, media_type=media_type, rows_total=sum(counts.values())
        )
    if not chosen:
        read = {(t.json.records, t.json.type) for t in tables if t.json is not None and t.json.each is None}
        unread = {k: n for k, n in counts.items() if k not in read and (k[0], None) not in read}
        if unread:
            yield _unread(path, document, tables[0], unread)


def _unread(path: Path, document: JsonDocument, table: Mapping, unread: dict[tuple[str, str], int]) -> RecordsUnread:
    """Records of types no mapping of the format reads: counted as rejected, each type with a finding."""
    summary = FileSummary(str(path), f"{table.source_schema.name} (records of no mapped type)", document.sha256)
    findings = []
    for (member, kind), count in sorted(unread.items()):
        summary.rows_read += count
        summary.rows_rejected += count
        summary.rejected_by_reason[f"unknown-record-type ({member}: {kind or 'no type'})"] += count
        value = f"{count} {member} records of type {kind!r}, which no mapping of this format reads"
        findings.append(make("unknown-record-type", file=str(path), column=member, value=value))
    summary.finding_counts.update(f.code for f in findings)
    return RecordsUnread(str(path), summary, tuple(findings))


def _json_package(document: JsonDocument, known: Sequence[Mapping]) -> list[Mapping]:
    """The JSON mappings of *known*, of the format whose tables read most of *document*'s records.

    Raises:
        MappingInputError: no JSON mapping reads any of its records.
    """
    counts = document.types()
    packages: dict[Path, list[Mapping]] = {}
    for candidate in known:
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


def _opening_findings(source: SourceFile, match: ColumnMatch, context: dict[str, str], keys: KeyIndex) -> list[Finding]:
    """What the file itself is found to be: its columns, encoding, blank lines, publisher, and the references
    to tables not mapped before it (which cannot be checked)."""
    chosen, file = match.mapping, str(source.path)
    findings = list(match.findings)
    if source.encoding == "cp1252":
        findings.append(make("legacy-encoding", file=file))
    if source.blank_lines:
        findings.append(make("blank-lines", file=file, value=str(source.blank_lines)))
    named = file_force(chosen, source.path)
    if named and context["publisher"] is None:
        findings.append(make("unknown-publisher", file=file, value=named))
    known = keys.of(chosen)
    for column in chosen.columns:
        for target in sorted({t for _, t in column.references} - known.keys()):
            findings.append(make("references-not-checked", file=file, column=column.title, value=target))
    return findings


def _file_stream(
    source: SourceFile,
    match: ColumnMatch,
    batches: Iterable[Batch],
    options: MapOptions,
    keys: KeyIndex,
    *,
    media_type: str,
    rows_total: int | None = None,
    part: FilePart | None = None,
) -> Iterator[Event]:
    """Check and derive the batches of one file (one table), or of a *part* of it, noting its keys in *keys*."""
    chosen, file = match.mapping, str(source.path)
    view = schema_view()
    derivations = tuple(compile_plan(chosen, view))
    by_iri = enum_codes(view)
    codes = {c.slot: code_text(by_iri, c) for c in chosen.columns if c.crosswalk is not None}
    started = part.started if part is not None else datetime.now(UTC).replace(microsecond=0)
    run = f"{options.base}run/{started.strftime('%Y%m%dT%H%M%SZ')}-{source.sha256[:12]}"
    if media_type != "text/csv":
        run += f"-{chosen.name}"  # one run per table of the file
    context = file_context(source, chosen, base=options.base, force=options.force, run=run)
    context["media_type"] = media_type
    linked = media_type == "text/csv" and (chosen.referenced or bool(chosen.depends_on))  # JSON: within the file
    export = str(chosen.source_schema) if linked else None
    summary = FileSummary(file, chosen.name, source.sha256, dataset=context["dataset"], export=export)
    opening = _opening_findings(source, match, context, keys) if part is None or part.first else []
    kept = len(opening)
    summary.finding_counts.update(f.code for f in opening)
    provisional = provenance_graph(source, chosen, context, rows_total or 0, started)
    yield FileStarted(file, chosen, derivations, provisional, context["dataset"], tuple(opening))
    missing = [c.slot for c in chosen.columns if c.title in match.missing_optional]
    for batch in batches:
        malformed = _malformed(batch, file, len(source.header))
        summary.rows_read += len(malformed)
        summary.rows_rejected += len(malformed)
        summary.rejected_by_reason.update(f.code for f in malformed)
        summary.finding_counts.update(f.code for f in malformed)
        # the first findings of the file are kept, whichever part of it they are in: a prefix of each batch's
        findings = malformed[: max(options.keep_findings - kept, 0)]
        made, triples, labels = (), 0, Counter[tuple[str, str, bool]]()
        frame = batch.frame
        if frame.height:
            frame = frame.select([pl.col(h).alias(s) for h, s in match.slots.items()] + [pl.col(ROW)])
            frame = frame.with_columns([pl.lit(None, dtype=pl.String).alias(slot) for slot in missing])
            room = max(options.keep_findings - kept - len(findings), 0)
            checked = check_batch(frame, chosen, codes, file=file, keep_findings=room, keys=keys.of(chosen))
            checked = keys.once(chosen, checked, file=file, keep_findings=room - len(checked.findings))
            keys.add(chosen, checked.frame)
            findings += checked.findings
            labels = checked.labels
            summary.finding_counts.update(checked.finding_counts)
            summary.rows_read += frame.height
            summary.rows_rejected += checked.rejected
            summary.rows_mapped += checked.frame.height
            summary.rejected_by_reason.update(checked.rejected_by_reason)
            rows = checked.frame.with_columns(
                pl.col(ROW).cast(pl.String).alias("row"),
                *[pl.lit(value, dtype=pl.String).alias(name) for name, value in context.items()],
            )
            made = tuple(triple_frames(rows, derivation) for derivation in derivations)
            triples = sum(m.triples for m in made)
            summary.triples += triples
        elif not batch.rejected:
            continue
        kept += len(findings)
        yield RowsMapped(file, frame.height + len(batch.rejected), made, triples, tuple(findings), labels)
    assert summary.rows_read == summary.rows_mapped + summary.rows_rejected
    if part is not None and not part.last:
        yield PartEnded(file, summary)
        return
    rows = part.rows if part is not None else rows_total if rows_total is not None else summary.rows_read
    final = provenance_graph(source, chosen, context, rows, started)
    summary.triples += len(final)
    assert summary.rows_read == summary.rows_mapped + summary.rows_rejected
    yield FileEnded(file, context["dataset"], final, summary)


def _malformed(batch: Batch, file: str, width: int) -> list[Finding]:
    """A finding for each row of *batch* the parser could not split or that is over a size limit: each is
    counted as rejected, by its code."""
    findings = []
    for bad in batch.rejected:
        code = bad.code or ("unterminated-quote" if bad.fields == 0 else "wrong-field-count")
        detail = bad.text if bad.fields == 0 or bad.code else f"{bad.fields} fields, expected {width}: {bad.text}"
        findings.append(make(code, file=file, row=bad.row, column=bad.column, value=detail))
    return findings


def _files_in_order(paths: list[Path], known: Sequence[Mapping], *, one: bool) -> list[Path]:
    """*paths*, with every CSV file after the files of the tables it refers to (recognised by header among
    *known*), unless *one* mapping reads them all."""
    if len(paths) < 2 or one:
        return paths
    tables = [m for m in known if m.json is None]
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
