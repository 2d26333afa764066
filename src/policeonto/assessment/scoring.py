"""Scoring: each item's result, each level's weighted score, and the level a system is at (the highest L
such that every level up to L reaches its gate). Attested items come from an answers file.

>>> from policeonto.assessment.criteria import read_criteria
>>> from policeonto.assessment.evidence import Evidence
>>> assessment = score(read_criteria(), Evidence(inputs=()), {})
>>> assessment.scores["foundational"], assessment.scores["organisational"], assessment.at_level
(1.0, 0.4615, 'semantic')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from policeonto.assessment.criteria import Criteria, Item
from policeonto.assessment.evidence import Evidence
from policeonto.assessment.measures import MEASURES, Measured
from policeonto.errors import CriteriaError, UnsafeInputError
from policeonto.safety import load_yaml

__all__ = ["Assessment", "Result", "read_answers", "score"]


@dataclass(frozen=True)
class Result:
    """An item's result: measured from the data, or attested (answered by a person)."""

    item: Item
    measured: Measured
    attested: bool


@dataclass(frozen=True)
class Assessment:
    """The results of every item, each level's score, and the level reached (None: not foundational)."""

    criteria: Criteria
    inputs: tuple[str, ...]
    results: tuple[Result, ...]
    scores: dict[str, float]
    at_level: str | None

    def reached(self, level: str) -> bool:
        """True when *level*'s score reaches its gate."""
        return self.scores[level] >= self.criteria.gates[level]


def read_answers(path: Path) -> dict[str, bool]:
    """The answers file: a YAML mapping of attested item id to true or false.

    Raises:
        CriteriaError: the file cannot be read, or an answer is not true or false (naming the item).
    """
    try:
        raw = load_yaml(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, UnsafeInputError, ValueError, yaml.YAMLError) as exc:
        raise CriteriaError(f"cannot be read: {exc}", path=path) from exc
    if not isinstance(raw, dict):
        raise CriteriaError("must map item ids to true or false", path=path)
    for key, value in raw.items():
        if not isinstance(value, bool):
            raise CriteriaError(f"answer {value!r} is not true or false", path=path, item=str(key))
    return {str(k): v for k, v in raw.items()}


def _attested(item: Item, answers: dict[str, bool]) -> Measured:
    if item.id not in answers:
        return Measured(0.0, {"answered": 0}, ("not answered",))
    return Measured(1.0 if answers[item.id] else 0.0, {"answered": 1, "yes": int(answers[item.id])})


def score(criteria: Criteria, evidence: Evidence, answers: dict[str, bool]) -> Assessment:
    """Score *evidence* and *answers* against *criteria*.

    Raises:
        CriteriaError: an answer names no attested item of the criteria.
    """
    attested = {i.id for i in criteria.items if i.attested}
    for key in answers:
        if key not in attested:
            raise CriteriaError("is no attested item of the criteria", path=criteria.path, item=key)
    results = tuple(
        Result(i, _attested(i, answers), True) if i.attested else Result(i, MEASURES[i.measure](evidence), False)
        for i in criteria.items
    )
    scores = {}
    for level in criteria.levels:
        own = [r for r in results if r.item.level == level]
        weight = sum(r.item.weight for r in own)
        scores[level] = round(sum(r.item.weight * r.measured.score for r in own) / weight, 4) if weight else 1.0
    at_level = None
    for level in criteria.levels:
        if scores[level] < criteria.gates[level]:
            break
        at_level = level
    inputs = tuple(str(p) for p in evidence.inputs)
    return Assessment(criteria, inputs, results, scores, at_level)
