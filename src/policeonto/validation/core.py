"""The validation stage: inputs in, a :class:`ValidationReport` of findings out."""

from __future__ import annotations

import io
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import polars as pl
from rdflib import Graph, Literal, Node, URIRef

from policeonto.errors import OptionError
from policeonto.fastshacl import RESULT_SCHEMA
from policeonto.fastshacl.report import report_graph
from policeonto.fastshacl.table import TripleTable
from policeonto.fastshacl.terms import text
from policeonto.findings import Finding, Severity, has_errors
from policeonto.instances import is_records, read_records
from policeonto.mapping import MapOptions, map_files
from policeonto.mapping.engine import BatchSink, TeeSink
from policeonto.paths import Inputs, input_paths
from policeonto.quiet import RDFLIB_LITERALS, quieted
from policeonto.shacl import run_pyshacl
from policeonto.validation.fast import read_table, violations_of
from policeonto.validation.mapped import MappedValidator
from policeonto.validation.nodes import dangling_findings
from policeonto.validation.rdf_input import is_rdf, read_rdf
from policeonto.validation.shape_findings import code_for
from policeonto.vocab import POLE, SH

__all__ = ["Engine", "ValidationReport", "validate"]


class Engine(StrEnum):
    """The SHACL engine: the columnar fast path, or pySHACL, the reference."""

    FAST = "fast"
    PYSHACL = "pyshacl"


@dataclass
class ValidationReport:
    """Whether the inputs are valid, counts and timing, and the findings."""

    findings: list[Finding] = field(default_factory=list)
    finding_counts: Counter[str] = field(default_factory=Counter)
    rows: int = 0
    records: int = 0
    triples: int = 0
    seconds: float = 0.0
    shacl: Graph = field(default_factory=Graph)  # pySHACL's report
    violations: list[pl.DataFrame] = field(default_factory=list)  # the fast engine's results

    def shacl_report(self) -> Graph:
        """The shape results as a SHACL ``sh:ValidationReport``, from whichever engine ran."""
        if len(self.shacl):
            return self.shacl
        frames = [v.select(list(RESULT_SCHEMA)) for v in self.violations]
        return report_graph(pl.concat(frames) if frames else pl.DataFrame(schema=RESULT_SCHEMA))

    @property
    def valid(self) -> bool:
        """No error-level finding (counted, whether or not kept)."""
        return not has_errors(self.finding_counts)

    def as_dict(self) -> dict[str, object]:
        """The report as JSON-ready data."""
        return {
            "valid": self.valid,
            "stats": {
                "rows": self.rows,
                "records": self.records,
                "triples": self.triples,
                "findings": sum(self.finding_counts.values()),
                "seconds": round(self.seconds, 3),
                "by_code": dict(sorted(self.finding_counts.items())),
            },
            "findings": [f.as_dict() for f in self.findings],
        }


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


def _validate_fast(
    paths: list[Path], mapping: str | None, report: ValidationReport, also: BatchSink | None, options: MapOptions
) -> list[Finding]:
    if is_rdf(paths[0]) or is_records(paths[0]):
        (path,) = paths
        if is_rdf(path):
            table = read_table(path, limits=options.limits)
        else:
            table = TripleTable.from_graph(read_records(path, limits=options.limits))
        report.triples += len(table)
        report.records += table.subjects().str.starts_with("<").sum()
        violations = violations_of(table)
        report.violations.append(violations)
        return fast_findings(violations, file=str(path))
    validator = MappedValidator()
    sink = validator if also is None else TeeSink(validator, also)
    mapped = map_files(paths, sink, mapping=mapping, options=options)  # which finishes the validator
    report.rows += mapped.rows_read
    report.records += validator.records
    report.triples += validator.triples
    report.finding_counts.update(mapped.finding_counts)
    found = []
    for violations in validator.found:  # in the order the files were mapped; the shared nodes' last
        report.violations.append(violations)
        for (file,), part in violations.partition_by("file", as_dict=True, maintain_order=True).items():
            rest, dangling = dangling_findings(part, file=str(file))
            found += dangling + fast_findings(rest, file=str(file))
    return mapped.findings + found


def _validate_pyshacl(
    paths: list[Path], mapping: str | None, report: ValidationReport, also: BatchSink | None, options: MapOptions
) -> list[Finding]:
    if also is not None:
        raise OptionError("only the fast engine writes while it validates", option="also", value=also)
    found: list[Finding] = []
    if is_rdf(paths[0]):
        (path,) = paths
        graph = read_rdf(path, limits=options.limits)
    elif is_records(paths[0]):
        (path,) = paths
        graph = read_records(path, limits=options.limits)
    else:
        sink = io.BytesIO()
        mapped = map_files(paths, sink, mapping=mapping, options=options)
        report.rows += mapped.rows_read
        found += mapped.findings
        report.finding_counts.update(mapped.finding_counts)
        with quieted(RDFLIB_LITERALS):
            graph = Graph().parse(data=sink.getvalue().decode("utf-8"), format="nt")
    report.triples += len(graph)
    report.records += len({s for s in graph.subjects() if isinstance(s, URIRef)})
    shape_findings, shacl = shacl_findings(graph, file=", ".join(str(p) for p in paths))
    report.shacl += shacl
    return found + shape_findings


def validate(
    inputs: Inputs,
    *,
    mapping: str | None = None,
    engine: Engine = Engine.FAST,
    max_issues: int | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    also: BatchSink | None = None,
    options: MapOptions | None = None,
) -> ValidationReport:
    """Validate every input: RDF files (by extension) and records in the shared vocabulary (a RecordSet in
    YAML, as ``policeonto convert`` reads) against the shapes, one by one; the other files as tabular
    exports, all together (the files of one export refer to each other), through their mapping and then
    against the shapes.

    Args:
        inputs: the files; a single path is one file.
        also: a sink that also receives everything the tabular exports map to (the fast engine only), so
            an export is validated and written in one pass.
        options: how tabular exports are mapped (instance IRI base, publishing force), and the size limits
            on every input (``options.limits``).
        engine: the fast columnar engine (the default) or pySHACL, the reference.
        select, ignore: finding-code prefixes to keep or drop.
        max_issues: keep at most this many findings (all are counted).

    Raises:
        InstanceDataError: an input cannot be read at all (a mapping error for tables, a parse error or a
            refused reference for RDF, YAML that does not fit the schema for records).
        MappingSpecError: *mapping* names no mapping, or the mapping is malformed.
        OptionError: *engine* is no :class:`Engine`, *also* is given to pySHACL, or *options* are wrong (see
            :func:`~policeonto.mapping.map_files`).
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
        file_findings = run(group, mapping, report, also, options or MapOptions())
        report.finding_counts.update(f.code for f in file_findings if f.constraint is not None)
        found += file_findings
    kept = [f for f in found if _keep(f.code, select, ignore)]
    report.finding_counts = Counter({c: n for c, n in report.finding_counts.items() if _keep(c, select, ignore)})
    report.findings = kept[:max_issues] if max_issues is not None else kept
    report.seconds = time.perf_counter() - started
    return report
