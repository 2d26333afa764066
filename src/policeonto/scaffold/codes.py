"""Draft the crosswalk of a coded column: each distinct value matched to the national code labels
(preferred, alternative and notation: exactly, normalised, then fuzzily, by
:func:`policeonto.mapping.nearest.nearest_codes`), written as SSSOM rows with ``semapv:LexicalMatching`` and
a confidence. A value with no match good enough is listed for the steward, never written as a row that
would map it wrongly.

The labels of the bundled crosswalks a draft may see count as their codes' labels, and a bundled crosswalk
whose labels are every value of the column is used as it is, by name.

>>> draft = draft_codes(("Male", "Femail", "zzz"), "Gender")
>>> [(m.value, m.code.notation if m.code else None, m.how) for m in draft]
[('Male', 'male', 'exact'), ('Femail', 'female', 'fuzzy'), ('zzz', None, None)]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from policeonto.mapping.crosswalk import read_crosswalk
from policeonto.mapping.nearest import Code, code_list, crosswalk_codes, nearest_codes, normalise_label
from policeonto.mapping.spec import mappings_dir
from policeonto.vocab import schema_view

__all__ = [
    "PAIRED",
    "ValueMatch",
    "bundled_crosswalks",
    "choose_enum",
    "covering_crosswalk",
    "draft_codes",
    "enum_codes",
    "second_list",
]

#: The lowest confidence of a match written as a crosswalk row; weaker ones are left to the steward.
ROW_CONFIDENCE = 0.8
#: Share of a column's values that must match a code list for the column to be coded with it.
ENUM_SHARE = 0.5
#: Characters a crosswalk's TSV row cannot hold in a label: a tab, anything that breaks a line, a quote.
UNWRITABLE = re.compile('[\t\n\r\v\f\x1c-\x1e\x85\u2028\u2029"]')

#: Code lists a column may hold together: a link table's role column with a person's roles and an object's
#: (a suspect, a stolen vehicle), the second list's rows making the second class of involvement.
PAIRED = {"InvolvementRole": "ObjectRole"}

#: Code lists never suggested for a column (they describe records, not what forces export).
SKIPPED = frozenset(
    {
        "SecurityClassification",
        "SecurityDescriptor",
        "NationalCaveat",
        "MopiRetentionGroup",
        "NameType",
        "IdentifierScheme",
        "SelfDefinedEthnicity16",
    }
)


@dataclass(frozen=True)
class ValueMatch:
    """A value of a coded column, how often it occurs, and the code it matched (None: no match good enough)."""

    value: str
    count: int
    code: Code | None
    how: str | None  # exact, normalised or fuzzy
    confidence: float
    nearest: tuple[str, ...] = ()  # for an unmatched value: the codes it most resembles, for the steward


def bundled_crosswalks(hidden: Iterable[str] = ()) -> tuple[Path, ...]:
    """The bundled crosswalks, less those whose file name starts with one of *hidden* (a format being
    measured as if never seen)."""
    folder = mappings_dir() / "crosswalks"
    prefixes = tuple(hidden)
    return tuple(p for p in sorted(folder.glob("*.sssom.tsv")) if not (prefixes and p.name.startswith(prefixes)))


@cache
def enum_codes(enum: str, crosswalks: tuple[Path, ...]) -> tuple[Code, ...]:
    """The codes of *enum*, each with the labels the given crosswalks map to it as alternatives."""
    extra: dict[str, list[str]] = {}
    for path in crosswalks:
        for code in crosswalk_codes(path):
            extra.setdefault(code.iri, []).extend(code.alternatives)
    return tuple(
        Code(c.iri, c.notation, c.label, tuple(dict.fromkeys((*c.alternatives, *extra.get(c.iri, ())))))
        for c in code_list(enum)
    )


def draft_codes(
    values: Sequence[str],
    enum: str,
    *,
    counts: Sequence[int] = (),
    crosswalks: tuple[Path, ...] = (),
    also: str | None = None,
) -> tuple[ValueMatch, ...]:
    """Match each value to a code of *enum* (or of *also*, a second list the column holds); a match below
    ROW_CONFIDENCE, or two codes scoring alike, leaves the value unmatched, with the codes it most resembles;
    so does a value with a character a crosswalk row cannot hold (UNWRITABLE).

    >>> [m.code for m in draft_codes(["Ma\\x1dle", 'Male"'], "Gender")]
    [None, None]
    """
    codes = enum_codes(enum, crosswalks) + (enum_codes(also, crosswalks) if also else ())
    found = []
    for position, value in enumerate(values):
        count = counts[position] if position < len(counts) else 0
        if UNWRITABLE.search(value):  # a crosswalk row cannot hold it: the steward decides
            found.append(ValueMatch(value, count, None, None, 0.0))
            continue
        matches = nearest_codes(value, codes)
        best = matches[0] if matches else None
        tied = len(matches) > 1 and matches[1].score == matches[0].score
        joined = _joined(value, codes) if best is None or best.how == "fuzzy" else None
        short = _abbreviated(value, codes) if joined is None and (best is None or best.how == "fuzzy") else None
        if joined is not None:
            found.append(ValueMatch(value, count, joined, "normalised", 1.0))
        elif short is not None:
            found.append(ValueMatch(value, count, short, "prefix", ROW_CONFIDENCE))
        elif best is not None and best.score >= ROW_CONFIDENCE and not tied:
            found.append(ValueMatch(value, count, best.code, best.how, best.score))
        else:
            found.append(ValueMatch(value, count, None, None, 0.0, tuple(str(m) for m in matches)))
    return tuple(found)


def _joined(value: str, codes: Sequence[Code]) -> Code | None:
    """The one code one of whose labels is *value* with the spaces left out or put in (``Motor Cycle``,
    ``Motorcycle``), if just one."""
    wanted = normalise_label(value).replace(" ", "")
    found = {c.notation: c for c in codes for label in c.labels if normalise_label(label).replace(" ", "") == wanted}
    return next(iter(found.values())) if wanted and len(found) == 1 else None


def _abbreviated(value: str, codes: Sequence[Code]) -> Code | None:
    """The one code a short value (up to four letters, as ``M``, ``SUS``) begins a label of, if just one.

    >>> [_abbreviated(v, code_list("Gender")).notation for v in ("M", "f", "U")]
    ['male', 'female', 'not-known']
    """
    short = normalise_label(value)
    if not short.isalpha() or len(short) > 4:
        return None
    found = {c.notation: c for c in codes for label in c.labels if normalise_label(label).startswith(short)}
    return next(iter(found.values())) if len(found) == 1 else None


def choose_enum(values: Sequence[str], hints: Sequence[str] = (), *, crosswalks: tuple[Path, ...] = ()) -> str | None:
    """The code list a coded column's *values* belong to: the first of *hints* (the code lists of the slots
    its header suggests) that at least ENUM_SHARE of them match, else the code list most of them match,
    if that is at least ENUM_SHARE; None when none is.

    >>> choose_enum(["M", "F", "U"], ["Gender"]), choose_enum(["Robbery", "Burglary", "Drugs"])
    ('Gender', 'CrimeType')
    """

    def matched(enum: str) -> float:
        return sum(m.code is not None for m in draft_codes(values, enum, crosswalks=crosswalks)) / max(len(values), 1)

    for hint in hints:
        if hint not in SKIPPED and matched(hint) >= ENUM_SHARE:
            return hint
    scores = {enum: matched(enum) for enum in sorted(schema_view().all_enums()) if enum not in SKIPPED}
    best = max(scores, key=lambda e: (scores[e], e in hints), default=None)
    if best is not None and scores[best] >= ENUM_SHARE:
        return best
    return next((first for first in PAIRED if second_list(values, first, crosswalks=crosswalks)), None)


def second_list(values: Sequence[str], enum: str, *, crosswalks: tuple[Path, ...] = ()) -> str | None:
    """The second code list a column of *enum* holds (PAIRED), when some of its values match only that one
    and together the two match at least ENUM_SHARE of them.

    >>> second_list(["SUSPECT", "VICTIM", "STOLEN", "USED"], "InvolvementRole")
    'ObjectRole'
    >>> second_list(["SUSPECT", "VICTIM"], "InvolvementRole") is None
    True
    """
    other = PAIRED.get(enum)
    if other is None:
        return None
    alone = {m.value for m in draft_codes(values, enum, crosswalks=crosswalks) if m.code is not None}
    both = draft_codes(values, enum, crosswalks=crosswalks, also=other)
    seconds = {c.iri for c in code_list(other)}
    extra = [m for m in both if m.code is not None and m.code.iri in seconds and m.value not in alone]
    matched = sum(m.code is not None for m in both)
    return other if extra and matched >= ENUM_SHARE * len(values) else None


def covering_crosswalk(
    values: Iterable[str], enum: str, crosswalks: tuple[Path, ...], *, also: str | None = None
) -> Path | None:
    """A crosswalk of *crosswalks* onto *enum* (and *also*) alone whose labels are every one of *values*, if
    any (one that gives codes of another list cannot be the column's: the mapping would refuse it)."""
    wanted = set(values)
    allowed = {c.iri for c in code_list(enum)} | ({c.iri for c in code_list(also)} if also else set())
    for path in crosswalks:
        labels = read_crosswalk(path).codes()
        if wanted <= set(labels) and set(labels.values()) <= allowed:
            return path
    return None
