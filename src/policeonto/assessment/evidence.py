"""The evidence an assessment scores, gathered in one pass of the mapping stream through the fast engine
(the same pass ``policeonto validate`` makes): each file's counts and findings by code, the unmapped labels,
how many records carry provenance, markings and MoPI groups, the coded values that reached a code list, the
records with a shape violation, and the crosswalks the mappings used.

>>> evidence = gather(["tests/data/sources/street-sample.csv"])
>>> evidence.rows_read, evidence.records, evidence.coded_values, evidence.violated_records
(4, 4, 6, 0)
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from policeonto.limits import Limits
from policeonto.mapping import MapOptions, MappingCatalogue, MappingChoice, map_stream
from policeonto.mapping.crosswalk import Crosswalk
from policeonto.mapping.events import FileEnded, FileStarted, FileSummary, RecordsUnread, RowsMapped
from policeonto.validation.pipeline import ShapesChecked, validating
from policeonto.vocab import POLE

__all__ = ["CODE_BASE", "Evidence", "gather"]

#: Where the national code lists' codes live.
CODE_BASE = f"<{POLE}code/"
_DERIVED, _GENERATED = f"<{POLE}derived_from>", f"<{POLE}generated_by>"
_MARKING, _GROUP = f"<{POLE}security_marking>", f"<{POLE}retention_group>"
_NOT_CODED = {f"<{POLE}source_force>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"}  # not the data's codes
_MANIFESTS = ("SHA256SUMS", "SHA256SUMS.txt", "sha256sums.txt")


@dataclass
class Evidence:
    """What one pass over an export found, as counts (see the module's description)."""

    inputs: tuple[Path, ...]
    files: list[FileSummary] = field(default_factory=list)
    findings: Counter[str] = field(default_factory=Counter)
    unmapped: Counter[tuple[str, str]] = field(default_factory=Counter)  # (column, label) of unknown-code
    records: int = 0  # records with pole:derived_from (the rows' own records, not shared nodes)
    generated: int = 0
    marked: int = 0
    grouped: int = 0
    coded_values: int = 0
    codes: set[str] = field(default_factory=set)
    validated: int = 0
    violated_records: int = 0
    crosswalks: dict[Path, Crosswalk] = field(default_factory=dict)
    manifested: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        """Rows read over all files."""
        return sum(f.rows_read for f in self.files)

    @property
    def rows_mapped(self) -> int:
        """Rows mapped over all files."""
        return sum(f.rows_mapped for f in self.files)

    def files_with(self, *codes: str) -> list[str]:
        """The files with a finding of any of *codes*."""
        return [f.file for f in self.files if any(f.finding_counts[c] for c in codes)]


def _listed(path: Path) -> bool:
    """True when a manifest gives *path*'s SHA-256: ``<file>.sha256`` beside it, or ``SHA256SUMS`` in its
    folder or the two above it (naming the file by its path from the manifest's folder)."""
    path = path.resolve()
    candidates = [(path.with_name(path.name + ".sha256"), None)]
    for folder in path.parents[:3]:
        candidates += [(folder / m, path.relative_to(folder).as_posix()) for m in _MANIFESTS]
    present = [(c, name) for c, name in candidates if c.is_file()]
    if not present:
        return False
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    for manifest, name in present:
        for line in manifest.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split()
            if parts and parts[0].lower() == digest and (name is None or parts[-1].lstrip("*") in {name, "./" + name}):
                return True
    return False


def _count_batch(evidence: Evidence, event: RowsMapped) -> None:
    for made in event.made:
        for predicate, values in made.objects:
            present = values.len() - values.null_count()
            if not present:
                continue
            if predicate == _DERIVED:
                evidence.records += present
            elif predicate == _GENERATED:
                evidence.generated += present
            elif predicate == _MARKING:
                evidence.marked += present
            elif predicate == _GROUP:
                evidence.grouped += present
            elif predicate not in _NOT_CODED and values.dtype == pl.String:
                coded = values.drop_nulls().filter(values.drop_nulls().str.starts_with(CODE_BASE))
                evidence.coded_values += coded.len()
                evidence.codes.update(coded.unique().to_list())
    for finding in event.findings:
        if finding.code == "unknown-code":
            evidence.unmapped[(finding.column or "", str(finding.value))] += 1


def gather(
    inputs: list[Path] | list[str] | tuple[Path, ...],
    *,
    mapping: MappingChoice = None,
    catalogue: MappingCatalogue | None = None,
    limits: Limits = Limits(),
) -> Evidence:
    """Map and validate *inputs* (one pass, nothing written) and return the evidence found.

    Raises:
        MappingInputError: a file cannot be mapped at all.
        MappingSpecError: *mapping* names no mapping.
    """
    paths = tuple(Path(p) for p in inputs)
    evidence = Evidence(paths)
    options = MapOptions(limits=limits, keep_findings=1_000_000)
    for event in validating(map_stream(paths, mapping=mapping, catalogue=catalogue, options=options)):
        if isinstance(event, FileStarted):
            evidence.crosswalks.update(
                {c.crosswalk.path: c.crosswalk for c in event.mapping.columns if c.crosswalk is not None}
            )
        elif isinstance(event, RowsMapped):
            _count_batch(evidence, event)
        elif isinstance(event, FileEnded | RecordsUnread):
            evidence.files.append(event.summary)
            evidence.findings.update(event.summary.finding_counts)
        elif isinstance(event, ShapesChecked):
            evidence.validated = event.records
            violations = [v.filter(pl.col("severity").str.contains("Violation")) for v in event.violations]
            evidence.violated_records = pl.concat(violations)["focus"].n_unique() if violations else 0
    evidence.manifested = [str(p) for p in paths if p.is_file() and _listed(p)]
    return evidence
