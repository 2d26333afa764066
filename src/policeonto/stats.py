"""Counts of what the vocabulary defines, for the README, the docs and release notes."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from linkml_runtime.utils.schemaview import SchemaView

__all__ = ["VocabularyStats", "vocabulary_stats"]


@dataclass(frozen=True)
class VocabularyStats:
    """How many classes, slots, code lists, codes and formats the vocabulary has."""

    classes: int
    abstract_classes: int
    slots: int
    code_lists: int
    codes: int
    alternative_labels: int
    formats: int

    def as_dict(self) -> dict[str, int]:
        """The counts as a dictionary."""
        return asdict(self)


def vocabulary_stats(view: SchemaView) -> VocabularyStats:
    """Count the vocabulary's own elements (not LinkML's built-in types, not the RecordSet container).

    >>> from policeonto.vocab import schema_view
    >>> stats = vocabulary_stats(schema_view())
    >>> stats.code_lists >= 20 and stats.codes >= 200
    True
    """
    classes = [c for c in view.all_classes().values() if not c.tree_root]
    container = {s for c in view.all_classes().values() if c.tree_root for s in c.slots}
    slots = [s for s in view.all_slots().values() if s.name not in container]
    enums = list(view.all_enums().values())
    values = [pv for e in enums for pv in (e.permissible_values or {}).values()]
    types = [t for t in view.all_types().values() if t.typeof]  # LinkML's built-in types derive from none
    return VocabularyStats(
        classes=len(classes),
        abstract_classes=sum(1 for c in classes if c.abstract),
        slots=len(slots),
        code_lists=len(enums),
        codes=len(values),
        alternative_labels=sum(len(pv.aliases or []) for pv in values),
        formats=len(types),
    )
