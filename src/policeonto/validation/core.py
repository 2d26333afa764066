"""The validation stage: inputs in, a :class:`ValidationReport` of findings out."""

from __future__ import annotations

import io
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from rdflib import Graph, Literal, Node, URIRef

from policeonto.findings import Finding, Severity, has_errors
from policeonto.mapping import map_files
from policeonto.shacl import run_pyshacl
from policeonto.validation.rdf_input import _FORMATS, read_rdf
from policeonto.validation.shape_findings import code_for
from policeonto.vocab import POLE, SH

__all__ = ["Engine", "ValidationReport", "validate"]


class Engine(StrEnum):
    """The SHACL engine: pySHACL, the reference."""

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
    shacl: Graph = field(default_factory=Graph)

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


def validate(
    inputs: Iterable[Path],
    *,
    mapping: str | None = None,
    engine: Engine = Engine.PYSHACL,
    max_issues: int | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> ValidationReport:
    """Validate every input: RDF files (by extension) against the shapes, other files as tabular exports
    through their mapping and then against the shapes.

    Args:
        select, ignore: finding-code prefixes to keep or drop.
        max_issues: keep at most this many findings (all are counted).

    Raises:
        InstanceDataError: an input cannot be read at all (a mapping error for tables, a parse error or a
            refused reference for RDF).
    """
    if engine is not Engine.PYSHACL:
        raise ValueError(f"unknown engine {engine!r}")
    started = time.perf_counter()
    report = ValidationReport()
    found: list[Finding] = []
    for path in inputs:
        path = Path(path)
        if path.suffix.lower() in _FORMATS:
            graph = read_rdf(path)
        else:
            sink = io.BytesIO()
            mapped = map_files([path], sink, mapping=mapping)
            report.rows += mapped.rows_read
            found += mapped.findings
            report.finding_counts.update(mapped.finding_counts)
            graph = Graph().parse(data=sink.getvalue().decode("utf-8"), format="nt")
        report.triples += len(graph)
        report.records += len({s for s in graph.subjects() if isinstance(s, URIRef)})
        shape_findings, shacl = shacl_findings(graph, file=str(path))
        report.shacl += shacl
        report.finding_counts.update(f.code for f in shape_findings)
        found += shape_findings
    kept = [f for f in found if _keep(f.code, select, ignore)]
    report.finding_counts = Counter({c: n for c, n in report.finding_counts.items() if _keep(c, select, ignore)})
    report.findings = kept[:max_issues] if max_issues is not None else kept
    report.seconds = time.perf_counter() - started
    return report
