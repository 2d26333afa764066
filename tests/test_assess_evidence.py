"""The evidence of an assessment as a fold of plain values: unknown-code labels counted in the stream (not
kept as findings), in the order the findings would name them, and the mapping summary's counts reused."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from policeonto.assessment import gather
from policeonto.assessment.evidence import Tally
from policeonto.assessment.organisation import reviewable
from policeonto.mapping import MapOptions, map_stream
from policeonto.mapping.events import ROW, Made, RowsMapped
from policeonto.sharing.model import RECORDED_AT, RETENTION_GROUP
from tests.assess_fixtures import write_variant


def test_unknown_labels_are_counted_in_the_stream_as_the_findings_name_them(tmp_path: Path) -> None:
    files, _ = write_variant("semantic", tmp_path)
    kept = MapOptions(keep_findings=1_000_000, batch_rows=7)
    named: Counter[tuple[str, str]] = Counter()
    for event in map_stream(files, options=kept):
        if isinstance(event, RowsMapped):
            named.update((f.column or "", str(f.value)) for f in event.findings if f.code == "unknown-code")
    evidence = gather(files)
    assert sum(named.values()) == 60
    assert evidence.unmapped == named
    assert evidence.unmapped.most_common(10) == named.most_common(10)  # the worst offenders, ties as met


def test_labels_are_counted_whether_or_not_findings_are_kept(tmp_path: Path) -> None:
    files, _ = write_variant("semantic", tmp_path)
    labels: Counter[tuple[str, str, bool]] = Counter()
    for event in map_stream(files, options=MapOptions(keep_findings=0, batch_rows=30)):
        if isinstance(event, RowsMapped):
            assert not event.findings
            labels.update(event.labels)
    assert sum(n for (_, _, known), n in labels.items() if not known) == 60
    assert labels[("Crime type", "BURG-DW", False)] == 15
    assert labels[("Reported by", "City of London Police", True)] == 100


def test_the_evidence_is_one_plain_value_with_the_mapping_summary_counts(tmp_path: Path) -> None:
    files, _ = write_variant("foundational", tmp_path)
    evidence = gather(files)
    assert evidence.mapped.rows_read == evidence.mapped.rows_mapped + evidence.mapped.rows_rejected == 100
    assert evidence.mapped.finding_counts["wrong-field-count"] == 10
    with pytest.raises(AttributeError):
        evidence.tally.records = 0  # type: ignore[misc]
    assert (Tally(records=2) + Tally(records=3, codes=frozenset({"a"}))).records == 5


def test_a_review_date_is_computable_from_a_known_group_and_a_recorded_date() -> None:
    group = "<https://w3id.org/policeonto/code/mopi-retention-group/"
    recorded = '"2020-02-29T10:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>'
    made = Made(
        None,  # type: ignore[arg-type]  # the derivation is not read
        pl.DataFrame({"s": ["<a>", "<b>", "<c>", "<d>"], ROW: [1, 2, 3, 4]}),
        (
            (RETENTION_GROUP, pl.Series([f"{group}group-3>", f"{group}group-3>", f"{group}group-9>", None])),
            (RECORDED_AT, pl.Series([recorded, None, recorded, recorded])),
        ),
    )
    assert reviewable(made) == 1  # <b> has no date, <c> a group of no known period, <d> no group
