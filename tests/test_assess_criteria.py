"""The criteria file and the answers file: every way one can be wrong is a CriteriaError naming the file and
the item."""

from __future__ import annotations

from pathlib import Path

import pytest

from policeonto.assessment import read_answers, read_criteria
from policeonto.assessment.criteria import BUNDLED, LEVELS
from policeonto.errors import CriteriaError, PoliceOntoError

ITEM = "{id: owner, level: organisational, description: d, measure: attested, how: h, weight: 1}"


def test_the_bundled_criteria_cover_every_level_with_a_gate() -> None:
    criteria = read_criteria()
    assert criteria.path == BUNDLED and criteria.version == "0.2.0"
    assert criteria.gates == dict.fromkeys(LEVELS, 0.8)
    assert {item.level for item in criteria.items} == set(LEVELS)
    assert len(criteria.items) == 24


def test_a_gate_per_level_overrides_the_default(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        f'version: "2"\ngate: 0.5\nlevels:\n  semantic: {{gate: 0.9}}\nitems:\n  - {ITEM}\n', encoding="utf-8"
    )
    criteria = read_criteria(path)
    assert criteria.gates == {"foundational": 0.5, "structural": 0.5, "semantic": 0.9, "organisational": 0.5}


@pytest.mark.parametrize(
    ("items", "item", "words"),
    [
        (ITEM.replace("organisational", "cultural"), "owner", "cultural"),
        (ITEM.replace("attested", "guesswork"), "owner", "guesswork"),
        (ITEM.replace("weight: 1", "weight: -1"), "owner", "weight"),
        (ITEM.replace("weight: 1", "weight: yes"), "owner", "weight"),
        (ITEM.replace("how: h, ", ""), "owner", "missing ['how']"),
        (ITEM.replace("}", ", colour: red}"), "owner", "unknown ['colour']"),
        (ITEM + "\n  - " + ITEM, "owner", "twice"),
        (ITEM.replace("id: owner, ", ""), None, "item 1 has no id"),
    ],
)
def test_a_bad_item_is_an_error_naming_it(tmp_path: Path, items: str, item: str | None, words: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(f'version: "1"\nitems:\n  - {items}\n', encoding="utf-8")
    with pytest.raises(CriteriaError) as caught:
        read_criteria(path)
    assert caught.value.item == item and caught.value.path == path
    assert words in str(caught.value)
    assert isinstance(caught.value, PoliceOntoError) and isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "text",
    ["items: []\n", 'version: "1"\n', "[1, 2]\n", 'version: "1"\nlevels: {cultural: {}}\nitems: []\n', ":\n  - ["],
)
def test_a_file_without_a_version_list_of_items_or_known_levels_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CriteriaError) as caught:
        read_criteria(path)
    assert caught.value.item is None


def test_answers_must_be_true_or_false(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("data-owner-named: true\nchange-process: maybe\n", encoding="utf-8")
    with pytest.raises(CriteriaError) as caught:
        read_answers(path)
    assert caught.value.item == "change-process"
    path.write_text("data-owner-named: true\n", encoding="utf-8")
    assert read_answers(path) == {"data-owner-named": True}
