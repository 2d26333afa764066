"""What each source mapping fills in the vocabulary, and which source values crosswalk to each code.

Read from the declarative mappings themselves (their ``class_derivations`` and SSSOM crosswalks), so the
pages always say what the engine does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from policeonto.mapping.checks import LABEL
from policeonto.mapping.crosswalk import TRANSLATING
from policeonto.mapping.spec import CONTEXT_NAMES, Mapping

__all__ = ["CodeSource", "Coverage", "SlotSource", "code_sources", "coverage"]

_CLASS_IN_EXPRESSION = re.compile(r"'pole:([A-Z][A-Za-z]+)'")


@dataclass(frozen=True)
class SlotSource:
    """How one mapping fills one slot: from a column, a value the engine supplies for every row (the row's
    number, the file's dataset, the run, the publishing force), an expression or a constant."""

    slot: str
    kind: str  # "column", "context", "expression" or "constant"
    source: str  # the column's title, the context value's name, the expression, or the constant
    note: str = ""  # how the column's value is taken, when not as its crosswalk gives it


@dataclass
class Coverage:
    """The classes one mapping makes and, for each, the slots it fills."""

    mapping: Mapping
    classes: dict[str, list[SlotSource]] = field(default_factory=dict)

    @property
    def slots(self) -> set[str]:
        """Every slot the mapping fills, whatever the class."""
        return {source.slot for sources in self.classes.values() for source in sources}


@dataclass(frozen=True)
class CodeSource:
    """A source value that a mapping's crosswalk translates to a code."""

    mapping: str
    column: str
    value: str
    predicate: str  # skos:exactMatch or skos:broadMatch
    crosswalk: str  # the crosswalk file's name


def _slot_source(mapping: Mapping, slot: str, derivation: dict[str, object] | None) -> SlotSource:
    titles = {column.slot: column.title for column in mapping.columns}
    derivation = derivation or {}
    if "populated_from" in derivation:
        column = str(derivation["populated_from"])
        if column not in titles and column in CONTEXT_NAMES:
            return SlotSource(slot, "context", column)
        if column not in titles and column.endswith(LABEL) and column.removesuffix(LABEL) in titles:
            return SlotSource(slot, "column", titles[column.removesuffix(LABEL)], "as written, not crosswalked")
        return SlotSource(slot, "column", titles.get(column, column))
    if "expr" in derivation:
        return SlotSource(slot, "expression", str(derivation["expr"]))
    if "value" in derivation:
        return SlotSource(slot, "constant", str(derivation["value"]))
    return SlotSource(slot, "column", titles.get(slot, slot))


def coverage(mappings: Iterable[Mapping]) -> list[Coverage]:
    """For each mapping, the classes it makes and the slots it fills (``id`` and ``type`` left out).

    A class named in a ``type`` expression (``'pole:AntiSocialBehaviour' if ...``) counts as made too, with
    the same slots as the class whose derivation names it.

    >>> from policeonto.mapping.spec import load_mapping
    >>> (street,) = coverage([load_mapping("police-uk-street")])
    >>> sorted(street.classes)[:3], [s.source for s in street.classes["Crime"] if s.slot == "month"]
    (['AntiSocialBehaviour', 'Crime', 'LowerLayerSuperOutputArea'], ['Month'])
    >>> [(s.kind, s.source) for s in street.classes["Crime"] if s.slot in ("source_force", "generated_by")]
    [('column', 'Reported by'), ('context', 'run')]
    """
    found = []
    for mapping in mappings:
        covered = Coverage(mapping)
        for cls, derivation in mapping.derivations:  # a class derived twice fills the slots of both
            slots = derivation.get("slot_derivations") or {}
            sources = [_slot_source(mapping, slot, d) for slot, d in slots.items() if slot not in ("id", "type")]
            known = covered.classes.setdefault(cls, [])
            known += [source for source in sources if source not in known]
            typed = (slots.get("type") or {}) if isinstance(slots.get("type"), dict) else {}
            for other in _CLASS_IN_EXPRESSION.findall(str(typed.get("expr", "")) + str(typed.get("value", ""))):
                covered.classes.setdefault(other, sources)
        found.append(covered)
    return found


def code_sources(mappings: Iterable[Mapping]) -> dict[str, list[CodeSource]]:
    """Code IRI -> the source values (with their mapping, column and crosswalk) that translate to it.

    >>> from policeonto.mapping.spec import list_mappings
    >>> sources = code_sources(list_mappings())
    >>> sorted(s.value for s in sources["https://w3id.org/policeonto/code/crime-type/burglary"])[:3]
    ['BURG-BUS', 'BURG-RES', 'Burglary']
    """
    found: dict[str, set[CodeSource]] = {}
    for mapping in mappings:
        for column in mapping.columns:
            crosswalk = column.crosswalk
            if crosswalk is None:
                continue
            for row in crosswalk.rows:
                if row["predicate_id"] not in TRANSLATING:
                    continue
                source = CodeSource(
                    mapping.name, column.title, row["subject_label"], row["predicate_id"], crosswalk.path.name
                )
                found.setdefault(crosswalk.expand(row["object_id"]), set()).add(source)
    return {iri: sorted(sources, key=lambda s: (s.mapping, s.column, s.value)) for iri, sources in found.items()}
