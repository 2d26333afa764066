"""The validation stage: inputs in, a :class:`ValidationReport` of findings out."""

from __future__ import annotations

import io
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path

import polars as pl
from rdflib import Graph, Literal, Node, URIRef

from policeonto.errors import OptionError
from policeonto.fastshacl.table import TripleTable
from policeonto.fastshacl.terms import text
from policeonto.findings import Finding, Severity
from policeonto.instances import is_records, read_records
from policeonto.mapping import (
    Event,
    FileSummary,
    MapOptions,
    MappingCatalogue,
    MappingChoice,
    MapResult,
    map_files,
    map_stream,
)
from policeonto.paths import Inputs, input_paths
from policeonto.quiet import RDFLIB_LITERALS, quieted
from policeonto.scale.executor import Executor
from policeonto.shacl import run_pyshacl
from policeonto.validation.fast import project_shapes, read_with_shapes, violations_of
from policeonto.validation.nodes import dangling_findings
from policeonto.validation.pipeline import ShapesChecked, validating
from policeonto.validation.rdf_input import is_rdf, read_rdf
from policeonto.validation.report import FileReport, ValidationReport
from policeonto.validation.shape_findings import code_for
from policeonto.vocab import POLE, SH

__all__ = ["Engine", "FileReport", "ValidationReport", "validate", "validate_stream", "validated_run"]


#: The mappings a tabular export is read through: those chosen, and where mappings are found.
_Mappings = tuple[MappingChoice, MappingCatalogue | None]


class Engine(StrEnum):
    """The SHACL engine: the columnar fast path, or pySHACL, the reference."""

    FAST = "fast"
    PYSHACL = "pyshacl"


def _text(node: Node | None) -> str | None:
    return None if node is None else str(node)


def shacl_findings(graph: Graph, *, file: str, shapes: Graph | None = None) -> tuple[list[Finding], Graph]:
    """Validate *graph* with pySHACL; each top-level result becomes a finding (row from ``source_row``)."""
    _, report, results = run_pyshacl(graph, shapes)
    findings = []
    for result in results:
        focus = report.value(result, SH.focusNode)
        row = graph.value(focus, POLE.source_row) if focus is not None else None
        component = str(report.value(result, SH.sourceConstraintComponent))
        severity = str(report.value(result, SH.resultSeverity) or SH.Violation)
        findings.append(
            Finding(
                code=code_for(component),
                severity=Severity.ERROR if severity == str(SH.Violation) else Severity.WARNING,
                message=str(report.value(result, SH.resultMessage) or component),
                file=file,
                row=int(row) if isinstance(row, Literal) else None,
                value=_text(report.value(result, SH.value)),
                focus_node=_text(focus),
                path=_text(report.value(result, SH.resultPath)),
                constraint=component,
            )
        )
    return findings, report


def _keep(code: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    return (not select or any(code.startswith(s) for s in select)) and not any(code.startswith(i) for i in ignore)


def _shown(column: str) -> pl.Expr:
    """A term as a finding shows it: an IRI's text, a literal's lexical form, a blank node's label."""
    term = pl.col(column)
    return pl.when(term.str.starts_with("_:")).then(term).otherwise(text(term))


def fast_findings(violations: pl.DataFrame, *, file: str) -> list[Finding]:
    """Findings from the fast engine's violations (rows and columns where the frame has them)."""
    frame = violations.select(
        "component",
        "severity",
        "message",
        focus_node=_shown("focus"),
        path=pl.col("path"),
        value=_shown("value"),
        shape="shape",
        row=pl.col("row") if "row" in violations.columns else pl.lit(None, pl.Int64),
        column=pl.col("column") if "column" in violations.columns else pl.lit(None, pl.String),
    ).sort("row", "focus_node", "path", "component", "value", nulls_last=True)
    violation = str(SH.Violation)
    return [
        Finding(
            code=code_for(f"{SH}{r['component']}ConstraintComponent"),
            severity=Severity.ERROR if r["severity"] == violation else Severity.WARNING,
            message=r["message"],
            file=file,
            row=r["row"],
            column=r["column"],
            value=r["value"],
            focus_node=r["focus_node"],
            path=r["path"],
            constraint=f"{SH}{r['component']}ConstraintComponent",
        )
        for r in frame.iter_rows(named=True)
    ]


def _shape_findings(violations: Iterable[pl.DataFrame], report: ValidationReport) -> list[Finding]:
    """Findings of the fast engine's *violations* (kept in *report*), each in the file its frame names."""
    found = []
    for frame in violations:  # in the order the files were mapped; the shared nodes' last
        report.violations.append(frame)
        for (file,), part in frame.partition_by("file", as_dict=True, maintain_order=True).items():
            rest, dangling = dangling_findings(part, file=str(file))
            found += dangling + fast_findings(rest, file=str(file))
    return found


def _file_entries(summaries: Iterable[FileSummary], report: ValidationReport) -> None:
    """An entry in *report* for each mapped file (a JSON export's tables together), with its counts."""
    for summary in summaries:
        try:
            entry = report.file(summary.file)
        except KeyError:
            entry = FileReport(summary.file, summary.dataset or None, summary.export)
            report.files.append(entry)
        entry.rows += summary.rows_read
        entry.triples += summary.triples
        entry.finding_counts.update(summary.finding_counts)


def _mapped_fast(events: Iterable[object], report: ValidationReport, keep_findings: int) -> list[Finding]:
    """Fold a mapping stream that passed through :func:`validating` into *report*; return its findings."""
    mapped = MapResult()
    shapes = ShapesChecked((), 0, 0)
    for event in events:
        mapped.add(event, keep_findings=keep_findings)
        if isinstance(event, ShapesChecked):
            shapes = event
    return _checked_findings(mapped, shapes, report)


def _checked_findings(mapped: MapResult, shapes: ShapesChecked, report: ValidationReport) -> list[Finding]:
    """Fold a mapping run's summary and what the shapes found in it into *report*; return its findings."""
    violations = shapes.violations
    report.records += shapes.records
    report.triples += shapes.triples
    report.rows += mapped.rows_read
    report.finding_counts.update(mapped.finding_counts)
    _file_entries(mapped.files, report)
    return mapped.findings + _shape_findings(violations, report)


def _validate_fast(
    paths: list[Path], mappings: _Mappings, report: ValidationReport, options: MapOptions, executor: Executor
) -> list[Finding]:
    if is_rdf(paths[0]) or is_records(paths[0]):
        (path,) = paths
        if is_rdf(path):
            table, shapes = read_with_shapes(path, limits=options.limits)
        else:
            table, shapes = TripleTable.from_graph(read_records(path, limits=options.limits)), project_shapes()
        report.triples += len(table)
        report.records += table.decode(table.subjects()).str.starts_with("<").sum()
        report.files.append(FileReport(str(path), triples=len(table)))
        violations = violations_of(table, shapes)
        report.violations.append(violations)
        return fast_findings(violations, file=str(path))
    mapping, catalogue = mappings
    if not executor.local:
        from policeonto.scale.mapping import map_on_cluster

        run = map_on_cluster(paths, executor, mapping=mapping, catalogue=catalogue, options=options, validate=True)
        assert run.checked is not None
        return _checked_findings(run.mapped, run.checked, report)
    events = validating(map_stream(paths, mapping=mapping, catalogue=catalogue, options=options))
    return _mapped_fast(events, report, options.keep_findings)


def _validate_pyshacl(
    paths: list[Path], mappings: _Mappings, report: ValidationReport, options: MapOptions, executor: Executor
) -> list[Finding]:
    found: list[Finding] = []
    if is_rdf(paths[0]):
        (path,) = paths
        graph = read_rdf(path, limits=options.limits)
        report.files.append(FileReport(str(path), triples=len(graph)))
    elif is_records(paths[0]):
        (path,) = paths
        graph = read_records(path, limits=options.limits)
        report.files.append(FileReport(str(path), triples=len(graph)))
    else:
        sink = io.BytesIO()
        mapping, catalogue = mappings
        mapped = map_files(paths, sink, mapping=mapping, catalogue=catalogue, options=options, executor=executor)
        report.rows += mapped.rows_read
        found += mapped.findings
        report.finding_counts.update(mapped.finding_counts)
        _file_entries(mapped.files, report)
        with quieted(RDFLIB_LITERALS):
            graph = Graph().parse(data=sink.getvalue().decode("utf-8"), format="nt")
    report.triples += len(graph)
    report.records += len({s for s in graph.subjects() if isinstance(s, URIRef)})
    # one file: its findings are its own; the findings on the graph of several files name them all
    shape_findings, shacl = shacl_findings(graph, file=", ".join(str(p) for p in paths))
    report.shacl += shacl
    return found + shape_findings


def _finished(
    report: ValidationReport,
    found: list[Finding],
    *,
    max_issues: int | None,
    select: Sequence[str],
    ignore: Sequence[str],
    started: float,
) -> ValidationReport:
    """*report* with the shape findings of *found* counted (in the run and in their files), the codes
    *select* and *ignore* name kept and left out, at most *max_issues* findings kept."""
    shapes = [f for f in found if f.constraint is not None]
    report.finding_counts.update(f.code for f in shapes)
    for entry in report.files:
        entry.finding_counts.update(f.code for f in shapes if f.file == entry.file)
        entry.finding_counts = Counter({c: n for c, n in entry.finding_counts.items() if _keep(c, select, ignore)})
    kept = [f for f in found if _keep(f.code, select, ignore)]
    report.finding_counts = Counter({c: n for c, n in report.finding_counts.items() if _keep(c, select, ignore)})
    report.findings = kept[:max_issues] if max_issues is not None else kept
    for entry in report.files:
        entry.findings = [f for f in report.findings if f.file == entry.file]
    report.seconds = time.perf_counter() - started
    return report


def validated_run(mapped: MapResult, shapes: ShapesChecked) -> ValidationReport:
    """The report of a mapping run validated apart (as tasks of a Dask cluster): its summary *mapped* and
    what *shapes* found, as :func:`validate_stream` reports the same run."""
    started = time.perf_counter()
    report = ValidationReport()
    found = _checked_findings(mapped, shapes, report)
    return _finished(report, found, max_issues=None, select=(), ignore=(), started=started)


def validate_stream(
    events: Iterable[Event],
    *,
    max_issues: int | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    keep_findings: int = MapOptions().keep_findings,
) -> ValidationReport:
    """Validate a mapping stream with the fast engine, pulling it to its end through whatever consumers
    *events* passes (writing, loading), so that an export is validated and written in one pass.

    Args:
        events: a mapping stream (:func:`~policeonto.mapping.map_stream`), through any consumers.
        select, ignore: finding-code prefixes to keep or drop.
        max_issues: keep at most this many findings (all are counted).
        keep_findings: keep at most this many of the mapping's findings (``MapOptions.keep_findings``).

    >>> from policeonto.mapping import map_stream
    >>> report = validate_stream(map_stream("tests/data/sources/street-sample.csv"))
    >>> [(entry.file, entry.rows == report.rows) for entry in report.files]
    [('tests/data/sources/street-sample.csv', True)]
    """
    started = time.perf_counter()
    report = ValidationReport()
    found = _mapped_fast(validating(events), report, keep_findings)
    return _finished(report, found, max_issues=max_issues, select=select, ignore=ignore, started=started)


def validate(
    inputs: Inputs,
    *,
    mapping: MappingChoice = None,
    catalogue: MappingCatalogue | None = None,
    engine: Engine = Engine.FAST,
    max_issues: int | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    options: MapOptions | None = None,
    executor: Executor = Executor(),
) -> ValidationReport:
    """Validate every input: RDF files (by extension) and records in the shared vocabulary (a RecordSet in
    YAML, as ``policeonto convert`` reads) against the shapes, one by one; the other files as tabular
    exports, all together (the files of one export refer to each other), through their mapping and then
    against the shapes.

    Args:
        inputs: the files; a single path is one file.
        mapping: the mapping of the tabular exports, or several to recognise each among (a name or a
            ``.transform.yaml`` path each); by default each is recognised among every mapping of *catalogue*.
        catalogue: where mappings are found (default: ``POLICEONTO_MAPPINGS``'s folders, then the bundled
            ones).
        options: how tabular exports are mapped (instance IRI base, publishing force), and the size limits
            on every input (``options.limits``).
        engine: the fast columnar engine (the default) or pySHACL, the reference.
        select, ignore: finding-code prefixes to keep or drop.
        max_issues: keep at most this many findings (all are counted).
        executor: where the tabular exports are mapped and validated: here (the default), or as tasks of a
            Dask cluster, with the same report (RDF files and records are validated here either way).

    Returns:
        The report: an entry for each input file (whether it is valid, its counts and findings) and the
        run's totals. A shape finding on a node several rows share is in the file of the first row that made
        it; pySHACL's shape findings on several tabular files validated together name all of them, and are
        in the run's findings only.

    Raises:
        InstanceDataError: an input cannot be read at all (a mapping error for tables, a parse error or a
            refused reference for RDF, YAML that does not fit the schema for records).
        MappingSpecError: *mapping* names no mapping, or the mapping is malformed.
        OptionError: *engine* is no :class:`Engine`, or *options* are wrong (see
            :func:`~policeonto.mapping.map_files`).
        ClusterError: the Dask cluster of *executor* cannot be reached or started.
    """
    try:
        engine = Engine(engine)
    except ValueError as exc:
        raise OptionError(f"engine {engine!r} is none of {', '.join(Engine)}", option="engine", value=engine) from exc
    started = time.perf_counter()
    report = ValidationReport()
    found: list[Finding] = []
    paths = input_paths(inputs)
    tables = [p for p in paths if not is_rdf(p) and not is_records(p)]
    groups = ([tables] if tables else []) + [[p] for p in paths if is_rdf(p) or is_records(p)]
    for group in groups:
        run = _validate_fast if engine is Engine.FAST else _validate_pyshacl
        found += run(group, (mapping, catalogue), report, options or MapOptions(), executor)
    return _finished(report, found, max_issues=max_issues, select=select, ignore=ignore, started=started)
