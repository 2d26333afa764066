"""Mend gen-jsonld-context's output."""

from __future__ import annotations

from typing import Any

from linkml_runtime.utils.schemaview import SchemaView

__all__ = ["mend_context"]


def mend_context(context: dict[str, Any], view: SchemaView) -> dict[str, Any]:
    """Make every code-valued term read its value as an IRI.

    gen-jsonld-context coerces an enum slot's values to IRIs (``@type: @vocab``) only when every code's
    meaning shares one namespace and ends with the code (linkml/linkml#2497, fixed for that case by
    #3447). Other enum slots (legislation, whose codes are legislation.gov.uk IRIs) get no coercion, so
    their values would become strings; they are given ``@type: @id`` (values are compact or full IRIs).
    """
    terms = context["@context"]
    for slot in view.all_slots().values():
        term = terms.get(slot.name)
        # Inlined objects (identifiers, names, security markings) are nested node objects, not IRIs: coercing
        # them with @type: @id makes JSON-LD writers flatten them to a bare blank-node id and lose their
        # content. No upstream issue found.
        if isinstance(term, dict) and term.get("@type") == "@id" and _inlined(view, slot.name):
            del term["@type"]
        if slot.range in view.all_enums() and slot.name in terms:
            term = terms[slot.name]
            if isinstance(term, dict) and "@type" not in term:
                term["@type"] = "@id"
                term.pop("@context", None)
    return context


def _inlined(view: SchemaView, slot_name: str) -> bool:
    slot = view.get_slot(slot_name)
    cls = view.get_class(slot.range) if slot.range else None
    if cls is None:
        return False
    has_identifier = any(view.induced_slot(s, cls.name).identifier for s in view.class_slots(cls.name))
    return bool(slot.inlined or slot.inlined_as_list or not has_identifier)
