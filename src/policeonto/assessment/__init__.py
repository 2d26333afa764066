"""The interoperability maturity assessment (``policeonto assess``): a versioned criteria file, evidence
gathered from one pass of mapping and validation, measures per evidence item, weighted scores per level
(foundational, structural, semantic, organisational), and reports (text, JSON, DQV)."""

from __future__ import annotations

from policeonto.assessment.criteria import LEVELS, Criteria, Item, read_criteria
from policeonto.assessment.evidence import Evidence, gather
from policeonto.assessment.measures import MEASURES, Measured
from policeonto.assessment.scoring import Assessment, Result, read_answers, score

__all__ = [
    "LEVELS",
    "MEASURES",
    "Assessment",
    "Criteria",
    "Evidence",
    "Item",
    "Measured",
    "Result",
    "gather",
    "read_answers",
    "read_criteria",
    "score",
]
