"""The linkage benchmark's generated people: seeded, in both forces' formats, mapped without a rejection,
with a ground truth that names records the mappings mint."""

from __future__ import annotations

import csv
import filecmp
from pathlib import Path

from policeonto.linkage.truth import read_truth
from policeonto.mapping import map_result, map_stream
from tests.conftest import ROOT, script_module


def test_the_benchmark_people_are_seeded_mappable_and_their_truth_is_complete(tmp_path: Path) -> None:
    link_data = script_module(ROOT / "benchmarks" / "link_data.py")
    counts = link_data.write(tmp_path / "one", 400, seed=3, share=0.25)
    assert counts == {"force-a": 200, "force-b": 200, "same-person pairs": 50, "look-alike pairs": 4}
    link_data.write(tmp_path / "two", 400, seed=3, share=0.25)
    files = ["force-a/nominals.csv", "force-a/locations.csv", "force-b/export.json", "linkage-truth.csv"]
    assert filecmp.cmpfiles(tmp_path / "one", tmp_path / "two", files, shallow=False)[1:] == ([], [])

    truth = read_truth(tmp_path / "one" / "linkage-truth.csv")
    assert len(truth.matches) == 50 and len(truth.pairs) == 54
    assert len({p.record_b for p in truth.pairs}) == 54  # each Force B record is in one pair at most
    with (tmp_path / "one" / "force-a" / "nominals.csv").open(encoding="utf-8", newline="") as handle:
        pncs = {r["NOMINAL_ID"]: r["PNC_ID"] for r in csv.DictReader(handle)}
    shared = [p for p in truth.pairs if p.case == "shared-pnc"]
    assert shared and all(pncs[p.record_a.rsplit("/", 1)[1]] for p in shared)

    paths = [tmp_path / "one" / f for f in files[:3]]
    result = map_result(map_stream(paths))
    assert result.rows_read == result.rows_mapped == 200 + 200 + 2 * 200 and result.rows_rejected == 0
    assert not result.finding_counts
