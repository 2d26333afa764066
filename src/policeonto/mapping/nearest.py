"""The national codes a label most resembles: the suggestion of an ``unknown-code`` finding, and the first
draft of a crosswalk for a format never seen before.

A national code list is an enum of the vocabulary (published as a SKOS concept scheme): each code has a
notation, a preferred label and alternative labels. A label is matched, best first, exactly (to a label or
notation as written), then normalised (case, accents, punctuation, ``&`` as ``and``, spacing), then fuzzily
with rapidfuzz's token-set ratio on the normalised forms, which scores ``Burglary - residential`` against
``Burglary`` highly and ``Burglery`` against ``Burglary`` at about 0.9. The labels a crosswalk already maps
to a code count as that code's labels too: a force's own spelling is the nearest thing to its typos.

>>> codes = code_list("StopSearchOutcome")
>>> [(m.code.notation, m.how) for m in nearest_codes("Suspect Arested", codes)][:1]
[('arrest', 'fuzzy')]
>>> [(m.code.notation, m.how, m.score) for m in nearest_codes("ARREST", codes)][:1]
[('arrest', 'normalised', 1.0)]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from policeonto.mapping.crosswalk import read_crosswalk
from policeonto.vocab import schema_view

__all__ = [
    "Code",
    "CodeMatch",
    "code_list",
    "code_list_of",
    "crosswalk_codes",
    "nearest_codes",
    "normalise_label",
    "suggestions",
    "with_labels",
]

#: The lowest fuzzy score (0 to 1) worth suggesting: below it, labels share little more than a word.
CUTOFF = 0.6


@dataclass(frozen=True)
class Code:
    """One code of a national code list."""

    iri: str
    notation: str  # the enum's permissible value
    label: str  # skos:prefLabel
    alternatives: tuple[str, ...] = ()  # skos:altLabel, and labels a crosswalk maps to this code

    @property
    def labels(self) -> tuple[str, ...]:
        """Every text this code is known by: preferred label, notation, alternatives."""
        return (self.label, self.notation, *self.alternatives)


@dataclass(frozen=True)
class CodeMatch:
    """A code a label resembles: how it was matched, the text it matched, and a score from 0 to 1."""

    code: Code
    matched: str
    how: str  # "exact", "normalised" or "fuzzy"
    score: float

    def __str__(self) -> str:
        return f"{self.code.notation} ({self.code.label!r}, {self.score:.2f})"


def normalise_label(text: str) -> str:
    """A label reduced to what matters for matching: letters and digits, lower case, single spaces.

    >>> normalise_label("  Violence & Sexual-Offences ")
    'violence and sexual offences'
    >>> normalise_label("Café  No. 1")
    'cafe no 1'
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded.lower().replace("&", " and ")).split())


@cache
def code_list(enum: str) -> tuple[Code, ...]:
    """The codes of the vocabulary's enum *enum*, in the enum's order.

    Raises:
        KeyError: no such enum.
    """
    view = schema_view()
    definition = view.get_enum(enum)
    if definition is None:
        raise KeyError(enum)
    return tuple(
        Code(
            iri=view.expand_curie(value.meaning) if value.meaning else name,
            notation=name,
            label=str(value.title or name),
            alternatives=tuple(str(a) for a in value.aliases or ()),
        )
        for name, value in (definition.permissible_values or {}).items()
    )


@cache
def _enum_by_iri() -> dict[str, str]:
    view = schema_view()
    return {
        view.expand_curie(value.meaning): enum.name
        for enum in view.all_enums().values()
        for value in (enum.permissible_values or {}).values()
        if value.meaning
    }


def code_list_of(iris: Iterable[str]) -> str | None:
    """The enum most of these code IRIs belong to (a crosswalk's target list), or None if none does.

    >>> code_list_of(["https://w3id.org/policeonto/code/search-outcome/arrest"])
    'StopSearchOutcome'
    """
    by_iri = _enum_by_iri()
    counts: dict[str, int] = {}
    for iri in iris:
        if iri in by_iri:
            counts[by_iri[iri]] = counts.get(by_iri[iri], 0) + 1
    return max(sorted(counts), key=counts.__getitem__) if counts else None


def with_labels(codes: Iterable[Code], labels: Mapping[str, str]) -> tuple[Code, ...]:
    """*codes* with each source label of *labels* (label -> code IRI) added to its code's alternatives."""
    extra: dict[str, list[str]] = {}
    for label, iri in labels.items():
        extra.setdefault(iri, []).append(label)
    return tuple(replace(c, alternatives=(*c.alternatives, *extra.get(c.iri, ()))) for c in codes)


def nearest_codes(label: str, codes: Iterable[Code], *, limit: int = 3, cutoff: float = CUTOFF) -> list[CodeMatch]:
    """The codes *label* most resembles, best first, at most *limit*, each once (by its best label).

    An exact or normalised match is returned alone (score 1); otherwise fuzzy matches scoring at least
    *cutoff*, ties broken by notation.

    >>> [str(m) for m in nearest_codes("Theft from person", code_list("CrimeType"))]
    ["theft-from-the-person ('Theft from the person', 1.00)", "other-theft ('Other theft', 0.64)"]
    >>> nearest_codes("zzz", code_list("CrimeType"))
    []
    """
    codes = tuple(codes)
    for code in codes:
        if label in code.labels:
            return [CodeMatch(code, label, "exact", 1.0)]
    wanted = normalise_label(label)
    if not wanted:
        return []
    choices = {(i, text): normalise_label(text) for i, code in enumerate(codes) for text in code.labels}
    for (i, text), normal in choices.items():
        if normal == wanted:
            return [CodeMatch(codes[i], text, "normalised", 1.0)]
    best: dict[int, CodeMatch] = {}
    for normal, score, (i, text) in process.extract(
        wanted, choices, scorer=fuzz.token_set_ratio, score_cutoff=cutoff * 100, limit=None
    ):
        del normal
        if i not in best or score / 100 > best[i].score:
            best[i] = CodeMatch(codes[i], text, "fuzzy", round(score / 100, 4))
    return sorted(best.values(), key=lambda m: (-m.score, m.code.notation))[:limit]


@cache
def crosswalk_codes(path: Path) -> tuple[Code, ...]:
    """The national codes a crosswalk maps onto (its target list), with the crosswalk's labels as
    alternatives; empty when its codes belong to no list of the vocabulary."""
    walk = read_crosswalk(path)
    labels = walk.codes()
    enum = code_list_of(labels.values())
    return with_labels(code_list(enum), labels) if enum else ()


@lru_cache(maxsize=4096)
def suggestions(path: Path, label: str, limit: int = 3) -> tuple[str, ...]:
    """The codes an unknown *label* of the crosswalk at *path* most resembles, for a finding: each as
    ``notation ('Preferred label', score)``.

    >>> from policeonto.mapping.spec import mappings_dir
    >>> suggestions(mappings_dir() / "crosswalks/police-uk-crime-type.sssom.tsv", "Burglery")
    ("burglary ('Burglary', 0.88)",)
    """
    return tuple(str(m) for m in nearest_codes(label, crosswalk_codes(path), limit=limit))
