"""A validation report: one entry per input file (whether it is valid, its counts and findings) and the
run's totals."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import polars as pl
from rdflib import Graph

from policeonto.fastshacl import RESULT_SCHEMA
from policeonto.fastshacl.report import report_graph
from policeonto.findings import CATALOGUE, Finding, Severity, has_errors

__all__ = ["FileReport", "ValidationReport"]


@dataclass
class FileReport:
    """What validation found in one input file: the rows read from it (a tabular export), the triples it
    made or held, its findings counted by code (kept or not) and those kept. A tabular file also has the
    *dataset* its records were mapped into, and the *export* (its source schema) whose files refer to each
    other, if it is one of them."""

    file: str
    dataset: str | None = None
    export: str | None = None
    rows: int = 0
    triples: int = 0
    finding_counts: Counter[str] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """No error-level finding in this file (counted, whether or not kept)."""
        return not has_errors(self.finding_counts)

    def errors(self) -> dict[str, int]:
        """Its error-level findings, counted by code."""
        return {c: n for c, n in sorted(self.finding_counts.items()) if n and CATALOGUE[c].severity is Severity.ERROR}

    def as_dict(self) -> dict[str, object]:
        """The entry as JSON-ready data."""
        return {
            "file": self.file,
            "valid": self.valid,
            "stats": {
                "rows": self.rows,
                "triples": self.triples,
                "findings": sum(self.finding_counts.values()),
                "by_code": dict(sorted(self.finding_counts.items())),
            },
            "findings": [f.as_dict() for f in self.findings],
        }


@dataclass
class ValidationReport:
    """Whether the inputs are valid, each file's entry, the run's counts and timing, and the findings (a
    finding on no input file, if any, is in the run's findings only)."""

    findings: list[Finding] = field(default_factory=list)
    finding_counts: Counter[str] = field(default_factory=Counter)
    rows: int = 0
    records: int = 0
    triples: int = 0
    seconds: float = 0.0
    shacl: Graph = field(default_factory=Graph)  # pySHACL's report
    violations: list[pl.DataFrame] = field(default_factory=list)  # the fast engine's results
    files: list[FileReport] = field(default_factory=list)

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

    def file(self, name: str) -> FileReport:
        """The entry of the input file *name*.

        Raises:
            KeyError: no input file is named so.
        """
        for entry in self.files:
            if entry.file == name:
                return entry
        raise KeyError(name)

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
            "files": [f.as_dict() for f in self.files],
        }
