"""The measures: each turns the :class:`~policeonto.assessment.evidence.Evidence` of a pass into a score
from 0 to 1 with the counts and the worst offenders behind it. The criteria file names them.

>>> from policeonto.assessment.evidence import Evidence
>>> MEASURES["keys-unique"](Evidence(inputs=()))
Measured(score=1.0, counts={'rows_read': 0, 'duplicate-key': 0, 'duplicate-row': 0}, offenders=())
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from policeonto.assessment.evidence import Evidence

__all__ = ["MEASURES", "Measured"]

_BROKEN = ("wrong-field-count", "unterminated-quote", "line-too-long", "field-too-large")
_EXACT, _TRANSLATING = "skos:exactMatch", {"skos:exactMatch", "skos:broadMatch"}


@dataclass(frozen=True)
class Measured:
    """A measure's result: the score (0..1), the counts it was computed from, and the offenders (files,
    columns or labels) that lowered it, worst first."""

    score: float
    counts: dict[str, int]
    offenders: tuple[str, ...] = ()


def _share(good: int, total: int) -> float:
    """*good* of *total*, from 0 to 1; 1 when there is nothing to count."""
    return 1.0 if total <= 0 else round(max(0.0, min(1.0, good / total)), 4)


def _per_row(evidence: Evidence, *codes: str) -> Measured:
    found = sum(evidence.findings[c] for c in codes)
    counts = {"rows_read": evidence.rows_read, **{c: evidence.findings[c] for c in codes}}
    return Measured(_share(evidence.rows_read - found, evidence.rows_read), counts, tuple(evidence.files_with(*codes)))


def _per_file(evidence: Evidence, *codes: str) -> Measured:
    bad = evidence.files_with(*codes)
    files = len(evidence.files)
    return Measured(_share(files - len(bad), files), {"files": files, "files_with_findings": len(bad)}, tuple(bad))


def rows_read_whole(evidence: Evidence) -> Measured:
    """Rows read whole: not lost to a broken row (rows rejected for other reasons count at their level)."""
    found = _per_row(evidence, *_BROKEN)
    counts = {"rows_mapped": evidence.rows_mapped, "rows_rejected": evidence.rows_read - evidence.rows_mapped}
    return Measured(found.score, {**found.counts, **counts}, found.offenders)


def manifest(evidence: Evidence) -> Measured:
    """Files listed with their SHA-256 in a manifest beside them."""
    files = [str(p) for p in evidence.inputs]
    missing = tuple(f for f in files if f not in evidence.manifested)
    return Measured(
        _share(len(files) - len(missing), len(files)),
        {"files": len(files), "listed": len(files) - len(missing)},
        missing,
    )


def provenance(evidence: Evidence) -> Measured:
    """Records with their source dataset and run."""
    both = min(evidence.records, evidence.generated)
    return Measured(
        _share(both, evidence.rows_mapped), {"rows_mapped": evidence.rows_mapped, "records_with_provenance": both}
    )


def shape_conformance(evidence: Evidence) -> Measured:
    """Records validated without a shape violation."""
    counts = {"records_validated": evidence.validated, "records_violating": evidence.violated_records}
    return Measured(_share(evidence.validated - evidence.violated_records, evidence.validated), counts)


def coded_values(evidence: Evidence) -> Measured:
    """Coded values reaching a code list, each occurrence counted."""
    unmapped = sum(evidence.unmapped.values())
    worst = tuple(f"{column}: {label}" for (column, label), _ in evidence.unmapped.most_common(10))
    counts = {"coded_values": evidence.coded_values, "unknown_codes": unmapped}
    return Measured(_share(evidence.coded_values, evidence.coded_values + unmapped), counts, worst)


def unmapped_labels(evidence: Evidence) -> Measured:
    """Distinct labels left unmapped, of the distinct labels seen."""
    distinct = len(evidence.unmapped)
    seen = distinct + len(evidence.codes)
    counts = {"distinct_codes": len(evidence.codes), "distinct_unmapped_labels": distinct}
    return Measured(_share(seen - distinct, seen), counts, tuple(f"{c}: {v}" for c, v in sorted(evidence.unmapped)))


def _crosswalk_rows(
    evidence: Evidence, good: Callable[[dict[str, str]], bool], among: Callable[[dict[str, str]], bool], name: str
) -> Measured:
    total = found = 0
    offenders = []
    for path, crosswalk in sorted(evidence.crosswalks.items()):
        rows = [r for r in crosswalk.rows if among(r)]
        fine = sum(1 for r in rows if good(r))
        total, found = total + len(rows), found + fine
        if fine < len(rows):
            offenders.append(path.name)
    return Measured(_share(found, total), {"crosswalk_rows": total, name: found}, tuple(offenders))


def exact_matches(evidence: Evidence) -> Measured:
    """Exact matches among the crosswalk rows that translate."""
    return _crosswalk_rows(
        evidence, lambda r: r["predicate_id"] == _EXACT, lambda r: r["predicate_id"] in _TRANSLATING, "exact"
    )


def crosswalk_justified(evidence: Evidence) -> Measured:
    """Crosswalk rows with a mapping justification."""
    return _crosswalk_rows(
        evidence, lambda r: bool((r.get("mapping_justification") or "").strip()), lambda r: True, "justified"
    )


def _per_record(found: int, evidence: Evidence, name: str) -> Measured:
    return Measured(_share(found, evidence.records), {"records": evidence.records, name: found})


MEASURES: dict[str, Callable[[Evidence], Measured]] = {
    "rows-read-whole": rows_read_whole,
    "encoding-as-declared": lambda e: _per_file(e, "legacy-encoding"),
    "file-naming": lambda e: _per_file(e, "unknown-publisher"),
    "manifest": manifest,
    "provenance": provenance,
    "columns-covered": lambda e: _per_file(e, "missing-optional-column", "unexpected-column", "duplicate-column"),
    "required-values": lambda e: _per_row(e, "missing-value"),
    "typed-values": lambda e: _per_row(e, "invalid-value", "value-out-of-range"),
    "keys-unique": lambda e: _per_row(e, "duplicate-key", "duplicate-row"),
    "references-resolved": lambda e: _per_row(e, "dangling-reference"),
    "shape-conformance": shape_conformance,
    "coded-values-national": coded_values,
    "exact-matches": exact_matches,
    "unmapped-labels": unmapped_labels,
    "crosswalk-justified": crosswalk_justified,
    "security-marking": lambda e: _per_record(e.marked, e, "marked"),
    "mopi-group": lambda e: _per_record(e.grouped, e, "grouped"),
}
