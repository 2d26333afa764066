"""How well a linkage finds the ground truth: precision, recall and F1 of scored pairs at thresholds, the
cases it gets right, and the exact-identifier baseline to compare it with.

A pair of records is predicted to be one entity when its match probability is at or above the threshold.
A predicted pair the ground truth lists as one entity is a true positive; any other predicted pair is a
false positive (the truth lists every pair of one entity); a listed pair not predicted is a false negative.
Precision is 0 when nothing is predicted.

>>> from policeonto.linkage.truth import Truth, TruthPair
>>> truth = Truth((TruthPair("person", "typo", True, "urn:a1", "urn:b1"),
...                TruthPair("person", "twins", False, "urn:a2", "urn:b2"),
...                TruthPair("person", "moved", True, "urn:a3", "urn:b3")))
>>> scored = [("urn:b1", "urn:a1", 0.99), ("urn:a2", "urn:b2", 0.7), ("urn:a3", "urn:b3", 0.6)]
>>> for s in evaluate(scored, truth, thresholds=(0.5, 0.9)):
...     print(s.threshold, s.true_positives, s.false_positives, s.false_negatives, s.precision, s.recall, s.f1)
0.5 2 1 0 0.6667 1.0 0.8
0.9 1 0 1 1.0 0.5 0.6667
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from policeonto.errors import OptionError
from policeonto.linkage.pairs import Match
from policeonto.linkage.truth import ENTITIES, Truth, pair_key
from policeonto.store.base import Store
from policeonto.store.results import plain

__all__ = [
    "THRESHOLDS",
    "CaseOutcome",
    "Scores",
    "baseline_pairs",
    "baseline_query",
    "case_outcomes",
    "evaluate",
    "judge",
    "score",
]

#: The thresholds results are reported at, unless others are asked for.
THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.99)

ScoredPair = tuple[str, str, float]


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1 (rounded to 4 places) of the pairs predicted at one threshold."""

    threshold: float | None
    true_positives: int
    false_positives: int
    false_negatives: int
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class CaseOutcome:
    """For one case of the ground truth: how many of its pairs of one entity were found, and how many of
    its pairs of two entities were joined wrongly."""

    same_found: int
    same: int
    different_joined: int
    different: int


def score(predicted: Iterable[tuple[str, str]], truth: Truth, *, threshold: float | None = None) -> Scores:
    """Precision, recall and F1 of *predicted* pairs (in either order) against *truth*.

    >>> from policeonto.linkage.truth import Truth, TruthPair
    >>> truth = Truth((TruthPair("person", "pnc", True, "urn:a", "urn:b"),))
    >>> score([], truth)
    Scores(threshold=None, true_positives=0, false_positives=0, false_negatives=1, precision=0.0, recall=0.0, f1=0.0)
    """
    found = {pair_key(a, b) for a, b in predicted}
    matches = truth.matches
    tp, fp, fn = len(found & matches), len(found - matches), len(matches - found)
    precision = tp / (tp + fp) if found else 0.0
    recall = tp / len(matches) if matches else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return Scores(threshold, tp, fp, fn, round(precision, 4), round(recall, 4), round(f1, 4))


def evaluate(scored: Iterable[ScoredPair], truth: Truth, *, thresholds: Sequence[float] = THRESHOLDS) -> list[Scores]:
    """:func:`score` of the pairs at or above each threshold, one per threshold in the order given.

    Raises:
        OptionError: a threshold is not between 0 and 1.
    """
    for threshold in thresholds:
        if not 0.0 <= threshold <= 1.0:
            raise OptionError("a threshold is a probability, between 0 and 1", option="--threshold", value=threshold)
    pairs = [(a, b, p) for a, b, p in scored]
    return [score(((a, b) for a, b, p in pairs if p >= t), truth, threshold=t) for t in thresholds]


def case_outcomes(predicted: Iterable[tuple[str, str]], truth: Truth) -> dict[str, CaseOutcome]:
    """Per case of *truth*, in its order: the pairs of one entity found and of two entities joined.

    >>> from policeonto.linkage.truth import Truth, TruthPair
    >>> truth = Truth((TruthPair("person", "twins", True, "urn:a", "urn:b"),
    ...                TruthPair("person", "twins", False, "urn:a", "urn:c")))
    >>> case_outcomes([("urn:c", "urn:a")], truth)
    {'twins': CaseOutcome(same_found=0, same=1, different_joined=1, different=1)}
    """
    found = {pair_key(a, b) for a, b in predicted}
    outcomes = {}
    for case in truth.cases:
        pairs = [p for p in truth.pairs if p.case == case]
        same = [p for p in pairs if p.same]
        different = [p for p in pairs if not p.same]
        outcomes[case] = CaseOutcome(
            sum(p.key in found for p in same), len(same), sum(p.key in found for p in different), len(different)
        )
    return outcomes


_SHARED = {
    "person": """
  GRAPH ?ga { ?a a pole:Person ; pole:identifiers ?id }
  GRAPH ?gb { ?b a pole:Person ; pole:identifiers ?id }
  ?id pole:scheme scheme:pnc-id .""",
    "vehicle": """
  { GRAPH ?ga { ?a a pole:Vehicle ; pole:identifiers ?ida }
    ?ida pole:scheme scheme:vrm ; pole:notation ?va .
    BIND(REPLACE(UCASE(STR(?va)), "[^A-Z0-9]", "") AS ?mark) }
  { GRAPH ?gb { ?b a pole:Vehicle ; pole:identifiers ?idb }
    ?idb pole:scheme scheme:vrm ; pole:notation ?vb .
    BIND(REPLACE(UCASE(STR(?vb)), "[^A-Z0-9]", "") AS ?mark) }""",
    "address": """
  { GRAPH ?ga { ?a a pole:Address ; pole:postcode ?pa ; pole:address_lines ?la }
    BIND(REPLACE(UCASE(STR(?pa)), "[^A-Z0-9]", "") AS ?code)
    BIND(REPLACE(LCASE(STR(?la)), "[^a-z0-9]", "") AS ?lines) }
  { GRAPH ?gb { ?b a pole:Address ; pole:postcode ?pb ; pole:address_lines ?lb }
    BIND(REPLACE(UCASE(STR(?pb)), "[^A-Z0-9]", "") AS ?code)
    BIND(REPLACE(LCASE(STR(?lb)), "[^a-z0-9]", "") AS ?lines) }""",
}


def baseline_query(entity: str = "person") -> str:
    """The SPARQL query of the exact-identifier baseline: pairs of records in different graphs of a store
    (one graph per force's export) with the same PNC ID; vehicles with the same registration mark once
    spaces, punctuation and case are set aside; addresses with the same postcode and the same address
    lines (house, flat and street), spaces, punctuation and case set aside.

    Raises:
        OptionError: *entity* is not ``person``, ``vehicle`` or ``address``.
    """
    if entity not in _SHARED:
        raise OptionError(
            f"the baseline joins people by PNC ID, vehicles by registration mark and addresses by postcode and "
            f"address lines; {entity!r} has nothing to join on (one of {', '.join(ENTITIES)})",
            option="--entity",
            value=entity,
        )
    return f"""PREFIX pole: <https://w3id.org/policeonto/>
PREFIX scheme: <https://w3id.org/policeonto/code/identifier-scheme/>
SELECT DISTINCT ?a ?b WHERE {{{_SHARED[entity]}
  FILTER(?ga != ?gb && STR(?a) < STR(?b))
}}
"""


def baseline_pairs(store: Store, entity: str = "person") -> list[tuple[str, str]]:
    """The pairs :func:`baseline_query` finds in *store*, as ordered pairs of IRIs, sorted.

    Raises:
        OptionError: *entity* has no identifier the baseline joins on.
        StoreError: the store fails.
    """
    result = store.query(baseline_query(entity))
    return sorted(pair_key(plain(a), plain(b)) for a, b in result.rows if a is not None and b is not None)


def judge(store: Store, pairs: Iterable[Match], truth: Truth, entity: str = "person") -> list[Scores]:
    """The scores of the exact-identifier baseline in *store* (threshold None), then of the linkage's
    *pairs* at each of :data:`THRESHOLDS`, against *truth*.

    Raises:
        OptionError: *entity* has no identifier the baseline joins on.
        StoreError: the store fails.
    """
    scored = [(match.first, match.second, match.probability) for match in pairs]
    return [score(baseline_pairs(store, entity), truth), *evaluate(scored, truth)]
