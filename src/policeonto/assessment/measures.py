"""The measures: each turns the :class:`~policeonto.assessment.evidence.Evidence` of a pass into a score
from 0 to 1 with the counts and the worst offenders behind it. The criteria file names them.

>>> from policeonto.assessment.evidence import Evidence
>>> MEASURES["keys-unique"](Evidence(inputs=()))
Measured(score=1.0, counts={'rows_read': 0, 'duplicate-key': 0, 'duplicate-row': 0}, offenders=())
"""

from __future__ import annotations

from collections.abc import Callable

from policeonto.assessment.consistency import label_consistency
from policeonto.assessment.evidence import Evidence
from policeonto.assessment.measured import Measured, share

__all__ = ["MEASURES", "Measured", "share"]

_BROKEN = ("wrong-field-count", "unterminated-quote", "line-too-long", "field-too-large")
_EXACT, _TRANSLATING = "skos:exactMatch", {"skos:exactMatch", "skos:broadMatch"}


def _per_row(evidence: Evidence, *codes: str) -> Measured:
    found = sum(evidence.mapped.finding_counts[c] for c in codes)
    counts = {"rows_read": evidence.mapped.rows_read, **{c: evidence.mapped.finding_counts[c] for c in codes}}
    return Measured(
        share(evidence.mapped.rows_read - found, evidence.mapped.rows_read), counts, tuple(evidence.files_with(*codes))
    )


def _per_file(evidence: Evidence, *codes: str) -> Measured:
    bad = evidence.files_with(*codes)
    files = len(evidence.mapped.files)
    return Measured(share(files - len(bad), files), {"files": files, "files_with_findings": len(bad)}, tuple(bad))


def rows_read_whole(evidence: Evidence) -> Measured:
    """Rows read whole: not lost to a broken row (rows rejected for other reasons count at their level)."""
    found = _per_row(evidence, *_BROKEN)
    counts = {
        "rows_mapped": evidence.mapped.rows_mapped,
        "rows_rejected": evidence.mapped.rows_read - evidence.mapped.rows_mapped,
    }
    return Measured(found.score, {**found.counts, **counts}, found.offenders)


def manifest(evidence: Evidence) -> Measured:
    """Files listed with their SHA-256 in a manifest beside them."""
    files = [str(p) for p in evidence.inputs]
    missing = tuple(f for f in files if f not in evidence.manifested)
    return Measured(
        share(len(files) - len(missing), len(files)),
        {"files": len(files), "listed": len(files) - len(missing)},
        missing,
    )


def provenance(evidence: Evidence) -> Measured:
    """Records with their source dataset and run."""
    both = min(evidence.tally.records, evidence.tally.generated)
    return Measured(
        share(both, evidence.mapped.rows_mapped),
        {"rows_mapped": evidence.mapped.rows_mapped, "records_with_provenance": both},
    )


def shape_conformance(evidence: Evidence) -> Measured:
    """Records validated without a shape violation."""
    counts = {"records_validated": evidence.tally.validated, "records_violating": evidence.tally.violated_records}
    return Measured(share(evidence.tally.validated - evidence.tally.violated_records, evidence.tally.validated), counts)


def coded_values(evidence: Evidence) -> Measured:
    """Coded values reaching a code list, each occurrence counted."""
    unknown = evidence.unmapped
    unmapped = sum(unknown.values())
    worst = tuple(f"{column}: {label}" for (column, label), _ in unknown.most_common(10))
    counts = {"coded_values": evidence.tally.coded_values, "unknown_codes": unmapped}
    return Measured(share(evidence.tally.coded_values, evidence.tally.coded_values + unmapped), counts, worst)


def unmapped_labels(evidence: Evidence) -> Measured:
    """Distinct labels left unmapped, of the distinct labels seen."""
    unknown = evidence.unmapped
    distinct = len(unknown)
    seen = distinct + len(evidence.tally.codes)
    counts = {"distinct_codes": len(evidence.tally.codes), "distinct_unmapped_labels": distinct}
    return Measured(share(seen - distinct, seen), counts, tuple(f"{c}: {v}" for c, v in sorted(unknown)))


def _crosswalk_rows(
    evidence: Evidence, good: Callable[[dict[str, str]], bool], among: Callable[[dict[str, str]], bool], name: str
) -> Measured:
    total = found = 0
    offenders = []
    for path, crosswalk in sorted(evidence.tally.crosswalks.items()):
        rows = [r for r in crosswalk.rows if among(r)]
        fine = sum(1 for r in rows if good(r))
        total, found = total + len(rows), found + fine
        if fine < len(rows):
            offenders.append(path.name)
    return Measured(share(found, total), {"crosswalk_rows": total, name: found}, tuple(offenders))


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
    return Measured(share(found, evidence.tally.records), {"records": evidence.tally.records, name: found})


def agreements_in_force(evidence: Evidence) -> Measured:
    """Agreements given that are in force on the assessment date (checked, not ended, with a DPV purpose
    and legal basis); 0 when none is given."""
    given = evidence.agreements
    if not given:
        return Measured(0.0, {"agreements": 0, "in_force": 0}, ("no agreements given",))
    in_force = sum(a.in_force for a in given)
    offenders = tuple(f"{a.path}: {a.state}" for a in given if not a.in_force)
    return Measured(share(in_force, len(given)), {"agreements": len(given), "in_force": in_force}, offenders)


def records_shareable(evidence: Evidence) -> Measured:
    """Records that at least one agreement in force (sharing records, not only counts) would let leave."""
    counts = {"records": evidence.records_judged, "shareable": evidence.records_shareable}
    if not any(a.in_force and a.agreement is not None and not a.agreement.aggregates_only for a in evidence.agreements):
        return Measured(0.0, counts, ("no agreement in force shares records",))
    return Measured(share(evidence.records_shareable, evidence.records_judged), counts)


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
    "label-consistency": label_consistency,
    "unmapped-labels": unmapped_labels,
    "crosswalk-justified": crosswalk_justified,
    "security-marking": lambda e: _per_record(e.tally.marked, e, "marked"),
    "mopi-group": lambda e: _per_record(e.tally.grouped, e, "grouped"),
    "review-dates": lambda e: _per_record(e.tally.reviewable, e, "reviewable"),
    "agreements-in-force": agreements_in_force,
    "records-shareable": records_shareable,
}
