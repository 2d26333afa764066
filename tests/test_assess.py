"""The maturity assessment calibrated on fixtures of known maturity (tests/assess_fixtures.py): a clean
street-crime export and four variants, each degrading one level. Scores are exact; each variant lowers its
own level below its gate and leaves the other three exactly as the clean export has them (tolerance 0)."""

from __future__ import annotations

from pathlib import Path

import pytest

from policeonto.assessment import LEVELS, gather, read_answers, read_criteria, score
from policeonto.assessment.scoring import Assessment
from tests.assess_fixtures import VARIANTS, write_variant

#: Level scores of each fixture (foundational, structural, semantic, organisational) and the level reached.
EXPECTED = {
    "clean": ((1.0, 1.0, 1.0, 0.4286), "semantic"),
    "foundational": ((0.5875, 1.0, 1.0, 0.4286), None),
    "structural": ((1.0, 0.7333, 1.0, 0.4286), "foundational"),
    "semantic": ((1.0, 1.0, 0.7302, 0.4286), "structural"),
    "organisational": ((1.0, 1.0, 1.0, 0.0), "semantic"),
}
#: The items each degraded variant lowers, with their scores; every other item scores as in the clean export.
LOWERED = {
    "clean": {},
    "foundational": {"rows-read-whole": 0.9, "encoding-as-declared": 0.0, "manifest": 0.0},
    "structural": {"columns-covered": 0.0, "required-values": 0.8, "typed-values": 0.6, "keys-unique": 0.8},
    "semantic": {"coded-values-national": 0.5714, "unmapped-labels": 0.6667},
    "organisational": {"data-owner-named": 0.0, "transport-security": 0.0, "change-process": 0.0},
}
TOLERANCE = 0.0  # the levels a variant does not degrade score exactly as the clean export's


def _assess(variant: str, folder: Path) -> Assessment:
    files, answers = write_variant(variant, folder / variant)
    return score(read_criteria(), gather(files), read_answers(answers))


@pytest.fixture(scope="module")
def assessed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Assessment]:
    folder = tmp_path_factory.mktemp("assess")
    return {variant: _assess(variant, folder) for variant in VARIANTS}


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_fixture_scores_exactly(assessed: dict[str, Assessment], variant: str) -> None:
    scores, level = EXPECTED[variant]
    assessment = assessed[variant]
    assert tuple(assessment.scores[name] for name in LEVELS) == scores
    assert assessment.at_level == level
    clean = {r.item.id: r.measured.score for r in assessed["clean"].results}
    expected = {**clean, **LOWERED[variant]}
    assert {r.item.id: r.measured.score for r in assessment.results} == expected


@pytest.mark.parametrize("variant", VARIANTS[1:])
def test_a_variant_lowers_its_own_level_below_the_gate_and_leaves_the_others(
    assessed: dict[str, Assessment], variant: str
) -> None:
    clean, degraded = assessed["clean"], assessed[variant]
    assert degraded.scores[variant] < clean.scores[variant]
    assert not degraded.reached(variant)
    for level in LEVELS:
        if level != variant:
            assert abs(degraded.scores[level] - clean.scores[level]) <= TOLERANCE


def test_results_carry_the_counts_and_offenders_behind_them(assessed: dict[str, Assessment]) -> None:
    results = {r.item.id: r for r in assessed["semantic"].results}
    coded = results["coded-values-national"]
    assert coded.measured.counts == {"coded_values": 80, "unknown_codes": 60}
    assert sorted(coded.measured.offenders) == [  # 15 rows each: most frequent first, ties as met
        "Crime type: BURG-DW",
        "Crime type: SHOP-L1",
        "Crime type: THEFT-OTH-L",
        "Crime type: VEH-INT",
    ]
    structural = {r.item.id: r for r in assessed["structural"].results}
    assert structural["typed-values"].measured.counts == {
        "rows_read": 100,
        "invalid-value": 40,
        "value-out-of-range": 0,
    }
    assert structural["keys-unique"].measured.counts == {"rows_read": 100, "duplicate-key": 20, "duplicate-row": 0}
    foundational = {r.item.id: r for r in assessed["foundational"].results}
    assert foundational["rows-read-whole"].measured.counts["wrong-field-count"] == 10
    assert foundational["encoding-as-declared"].measured.offenders[0].endswith("street-export.csv")
    attested = {r.item.id: r for r in assessed["organisational"].results}["change-process"]
    assert attested.attested and attested.measured.counts == {"answered": 1, "yes": 0}
