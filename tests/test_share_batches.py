"""A share's copy and counts do not depend on how the exports are cut into batches: the whole-run decisions
(records withheld, links to them withheld, pseudonyms of IRIs made from a record's) are made over every
batch, and the records are held dictionary-encoded, batch by batch."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from policeonto.mapping import MapOptions
from policeonto.sharing.keys import MIN_KEY_BYTES
from policeonto.sharing.reading import read_agreement
from policeonto.sharing.records import read_records_for_share
from policeonto.sharing.share import share
from tests.conftest import ROOT

TODAY = date(2026, 12, 5)
KEY = b"k" * MIN_KEY_BYTES
AGREEMENTS = ROOT / "examples" / "agreements"
FORCES = {
    "force-a": sorted((ROOT / "examples" / "force-a").glob("*.csv")),
    "force-b": [ROOT / "examples" / "force-b" / "export.json"],
}
_TIMES = {"started", "ended"}  # the share's own times
#: When a mapping run started, in its IRI and its started_at: the one thing two runs may not share.
_WHEN = re.compile(rb"/run/[0-9]{8}T[0-9]{6}Z-|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\+00:00")


def _copy(path: Path) -> list[bytes]:
    """The copy's lines, each run's time put aside (it moves the run's lines in the sorted copy)."""
    return sorted(_WHEN.sub(b"(when)", line) for line in path.read_bytes().splitlines())


@pytest.mark.parametrize("agreement", ["safeguarding-partnership", "neighbouring-force"])
@pytest.mark.parametrize("force", sorted(FORCES))
def test_a_share_in_small_batches_equals_one_in_a_single_batch(force: str, agreement: str, tmp_path: Path) -> None:
    terms = read_agreement(AGREEMENTS / f"{agreement}.yaml")
    results = {}
    for rows in (7, 1_000_000):  # 7 rows a batch: every file of the examples is cut many times
        out = tmp_path / f"{rows}.nt"
        results[rows] = share(FORCES[force], terms, out, key=KEY, today=TODAY, options=MapOptions(batch_rows=rows))
    small, whole = results[7], results[1_000_000]
    assert _copy(small.copy) == _copy(whole.copy)
    assert whole.facts.records_shared > 0
    for field in fields(small.facts):
        if field.name not in _TIMES | {"copy_name", "copy_sha256"}:  # the copy is compared above
            assert getattr(small.facts, field.name) == getattr(whole.facts, field.name), field.name


def test_the_records_are_held_dictionary_encoded() -> None:
    records = read_records_for_share(FORCES["force-a"]).triples
    assert records.columns == ["s", "p", "o"] and all(dtype == pl.Categorical for dtype in records.dtypes)
    assert records.height == records.unique().height  # each triple once, however many rows repeat it
