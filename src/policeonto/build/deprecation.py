"""Deprecation instead of deletion: the schema's deprecated classes, slots, enums and codes, with what
replaces them, as the OWL and the SKOS code lists publish them (``owl:deprecated true``,
``dcterms:isReplacedBy``, and the reason as ``skos:historyNote``).

gen-owl 1.12.1 drops LinkML's ``deprecated`` and ``deprecated_element_has_exact_replacement`` altogether
(no upstream issue found), so a term retired from the model would vanish from the OWL; here it keeps its
IRI and says what to use instead.

>>> from policeonto.vocab import schema_view
>>> deprecations(schema_view())
[]
"""

from __future__ import annotations

from dataclasses import dataclass

from linkml_runtime.linkml_model.meta import Element, EnumDefinition, PermissibleValue
from linkml_runtime.utils.schemaview import SchemaView
from rdflib import DCTERMS, OWL, SKOS, XSD, Graph, Literal, URIRef

__all__ = ["Deprecation", "deprecations", "mark_deprecated"]


@dataclass(frozen=True)
class Deprecation:
    """A deprecated term: its IRI, the IRI of the term that replaces it (if any) and why."""

    iri: URIRef
    replacement: URIRef | None
    reason: str


def _term(view: SchemaView, name: str) -> URIRef:
    """The IRI of the element called *name*, or *name* read as a CURIE or IRI."""
    element = view.get_element(name)
    if element is not None:
        return URIRef(view.get_uri(element, native=True, expand=True))
    return URIRef(view.expand_curie(name))


def _code(view: SchemaView, enum: EnumDefinition, name: str) -> URIRef:
    """The IRI of code *name* of *enum*, or *name* read as a CURIE or IRI."""
    value = (enum.permissible_values or {}).get(name)
    return URIRef(view.expand_curie(value.meaning if value is not None and value.meaning else name))


def _deprecation(iri: URIRef, replacement: URIRef | None, item: Element | PermissibleValue) -> Deprecation:
    return Deprecation(iri, replacement, str(item.deprecated))


def deprecations(view: SchemaView) -> list[Deprecation]:
    """Every deprecated term of the schema behind *view*, classes, slots and enums first, then codes."""
    found = []
    elements: list[Element] = [*view.all_classes().values(), *view.all_slots().values(), *view.all_enums().values()]
    for element in sorted(elements, key=lambda e: e.name):
        if element.deprecated:
            replacement = element.deprecated_element_has_exact_replacement
            iri = URIRef(view.get_uri(element, native=True, expand=True))
            found.append(_deprecation(iri, _term(view, replacement) if replacement else None, element))
    for enum in sorted(view.all_enums().values(), key=lambda e: e.name):
        for value in (enum.permissible_values or {}).values():
            if value.deprecated and value.meaning:
                replacement = value.deprecated_element_has_exact_replacement
                iri = URIRef(view.expand_curie(value.meaning))
                found.append(_deprecation(iri, _code(view, enum, replacement) if replacement else None, value))
    return found


def mark_deprecated(g: Graph, view: SchemaView) -> None:
    """Say in *g*, of each deprecated term of the schema that *g* describes, that it is deprecated, why, and
    what replaces it."""
    for item in deprecations(view):
        if (item.iri, None, None) not in g:
            continue
        g.add((item.iri, OWL.deprecated, Literal(True, datatype=XSD.boolean)))
        g.add((item.iri, SKOS.historyNote, Literal(item.reason, lang="en")))
        if item.replacement is not None:
            g.add((item.iri, DCTERMS.isReplacedBy, item.replacement))
