"""A short run of every atheris fuzz target: a fixed number of inputs from a fixed seed, each in its own
process, failing on any crash. ``make fuzz`` runs them for longer."""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzz.run import TARGETS, run_target

pytest.importorskip("atheris")

RUNS = 150


@pytest.mark.parametrize("target", TARGETS)
def test_fuzz_target_survives_a_short_run(tmp_path: Path, target: str) -> None:
    outcome = run_target(target, runs=RUNS, seed=1, keep_corpus=False, crashes=tmp_path / "crashes")
    crashes = [p.name for p in outcome.crashes]
    assert outcome.status == 0 and not crashes, f"{target} crashed ({crashes}):\n{outcome.log[-6000:]}"
    assert outcome.executed >= RUNS
