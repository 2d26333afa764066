"""Candidate pairs as plain values: Splink's predictions read into :class:`Match` records with the
comparison levels that decided them, and the pairs above a threshold joined into clusters."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ["Evidence", "Match", "clusters", "matches"]


@dataclass(frozen=True)
class Evidence:
    """How one comparison of a pair came out: its level (Splink's label) and the Bayes factor it gave."""

    comparison: str
    level: str
    bayes_factor: float

    @property
    def weight(self) -> float:
        """The level's match weight, log2 of its Bayes factor: above 0 for a match, below for a non-match."""
        return math.log2(self.bayes_factor) if self.bayes_factor > 0 else -math.inf


@dataclass(frozen=True)
class Match:
    """A candidate pair: two records of different graphs (``first`` sorts before ``second``), the chance
    that they are one person and its match weight, and the evidence of each comparison, strongest first."""

    first: str
    second: str
    first_graph: str
    second_graph: str
    probability: float
    weight: float
    evidence: tuple[Evidence, ...]


def _labels(settings: dict[str, Any]) -> dict[str, dict[int, str]]:
    """For each comparison, its levels' labels by comparison vector value (null -1; the rest counted down to
    0 in the order the settings list them)."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in settings["comparisons"]:
        levels = comparison["comparison_levels"]
        counted = [level for level in levels if not level.get("is_null_level", False)]
        by_value = {len(counted) - 1 - index: level["label_for_charts"] for index, level in enumerate(counted)}
        for level in levels:
            if level.get("is_null_level", False):
                by_value[-1] = level["label_for_charts"]
        labels[comparison["output_column_name"]] = by_value
    return labels


def matches(predictions: pd.DataFrame, settings: dict[str, Any]) -> tuple[Match, ...]:
    """Splink's *predictions* (with its ``gamma_`` and ``bf_`` columns) as matches, most likely first."""
    labels = _labels(settings)
    found = []
    for row in predictions.to_dict("records"):
        evidence = sorted(
            (
                Evidence(name, by_value[int(row[f"gamma_{name}"])], float(row[f"bf_{name}"]))
                for name, by_value in labels.items()
            ),
            key=lambda item: (-abs(item.weight), item.comparison),
        )
        (first, first_graph), (second, second_graph) = sorted(
            [(row["record_l"], row["graph_l"]), (row["record_r"], row["graph_r"])]
        )
        found.append(
            Match(
                first=first,
                second=second,
                first_graph=first_graph,
                second_graph=second_graph,
                probability=float(row["match_probability"]),
                weight=float(row["match_weight"]),
                evidence=tuple(evidence),
            )
        )
    return tuple(sorted(found, key=lambda match: (-match.probability, match.first, match.second)))


def clusters(found: tuple[Match, ...], threshold: float) -> tuple[tuple[tuple[str, ...], tuple[Match, ...]], ...]:
    """The records joined by matches at or above *threshold*, each cluster with the matches that formed it:
    connected components, members sorted, clusters by their first member.

    >>> pair = lambda a, b: Match(a, b, "g1", "g2", 0.99, 7.0, ())
    >>> [members for members, _ in clusters((pair("a", "b"), pair("b", "c"), pair("d", "e")), 0.9)]
    [('a', 'b', 'c'), ('d', 'e')]
    """
    parent: dict[str, str] = {}

    def root(record: str) -> str:
        while parent.setdefault(record, record) != record:
            parent[record] = parent[parent[record]]
            record = parent[record]
        return record

    kept = [match for match in found if match.probability >= threshold]
    for match in kept:
        parent[root(match.first)] = root(match.second)
    groups: dict[str, list[str]] = {}
    for record in parent:
        groups.setdefault(root(record), []).append(record)
    formed: dict[str, list[Match]] = {}
    for match in kept:
        formed.setdefault(root(match.first), []).append(match)
    return tuple(
        sorted(((tuple(sorted(members)), tuple(formed[key])) for key, members in groups.items()), key=lambda c: c[0])
    )
