"""What the share engine needs to know of the vocabulary, read from the schema once: which classes are
records (and which of them links), which properties refer to records, and the MoPI review periods.

>>> facts = vocabulary_facts()
>>> "<https://w3id.org/policeonto/Person>" in facts.records, "<https://w3id.org/policeonto/PersonName>" in facts.records
(True, False)
>>> "<https://w3id.org/policeonto/PersonInvolvement>" in facts.links
True
>>> facts.review_years["<https://w3id.org/policeonto/code/mopi-retention-group/group-3>"]
6
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from policeonto.terms import iri
from policeonto.vocab import POLE, schema_view

__all__ = [
    "CLASSIFICATION",
    "CLASSIFICATIONS",
    "HANDLING_CODE",
    "HANDLING_CODES",
    "IDENTIFIER_SCHEMES",
    "LSOA",
    "NATIONAL_CAVEAT",
    "NATIONAL_CAVEATS",
    "NOTATION",
    "RECORDED_AT",
    "RETENTION_GROUP",
    "SCHEME",
    "SECURITY_MARKING",
    "SENSITIVE",
    "SOURCE_RECORD_ID",
    "WITHIN",
    "VocabularyFacts",
    "vocabulary_facts",
]


def _p(name: str) -> str:
    return iri(f"{POLE}{name}")


SECURITY_MARKING = _p("security_marking")
CLASSIFICATION = _p("classification")
SENSITIVE = _p("sensitive")
NATIONAL_CAVEAT = _p("national_caveats")
RETENTION_GROUP = _p("retention_group")
RECORDED_AT = _p("recorded_at")
HANDLING_CODE = _p("handling_code")  # of intelligence reports (issue 16), handled by its IRI
SOURCE_RECORD_ID = _p("source_record_id")
SCHEME = _p("scheme")
NOTATION = _p("notation")
WITHIN = _p("within")
LSOA = _p("LowerLayerSuperOutputArea")

#: Code namespaces, as N-Triples IRIs without the closing ">": a code is the namespace, the code and ">".
CLASSIFICATIONS = f"<{POLE}code/security-classification/"
NATIONAL_CAVEATS = f"<{POLE}code/national-caveat/"
HANDLING_CODES = f"<{POLE}code/handling-code/"
IDENTIFIER_SCHEMES = f"<{POLE}code/identifier-scheme/"


@dataclass(frozen=True)
class VocabularyFacts:
    """*records*: the classes whose instances are records (descendants of Record), *links* those of them
    that are links; *references*: properties whose values are records; *review_years*: each MoPI retention
    group's review period in years (its review interval, or its clear period). All as N-Triples IRIs."""

    records: frozenset[str]
    links: frozenset[str]
    references: frozenset[str]
    review_years: dict[str, int]


@cache
def vocabulary_facts() -> VocabularyFacts:
    """The facts, read from the schema (the retention periods from the annotations a force may correct)."""
    view = schema_view()

    def uri(name: str) -> str:
        return iri(view.get_uri(name, expand=True))

    records = frozenset(uri(c) for c in view.class_descendants("Record"))
    links = frozenset(uri(c) for c in view.class_descendants("Link"))
    classes = set(view.all_classes())
    references = frozenset(
        iri(view.get_uri(s, expand=True)) for s, slot in view.all_slots().items() if slot.range in classes
    )
    review: dict[str, int] = {}
    for value in view.get_enum("MopiRetentionGroup").permissible_values.values():
        notes = {k: str(a.value) for k, a in value.annotations.items()}
        years = notes.get("review_interval_years") or notes.get("clear_period_years")
        if years is not None and value.meaning:
            review[iri(view.expand_curie(value.meaning))] = int(years)
    return VocabularyFacts(records, links, references, review)
