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
        if slot.range in view.all_enums() and slot.name in terms:
            term = terms[slot.name]
            if isinstance(term, dict) and "@type" not in term:
                term["@type"] = "@id"
                term.pop("@context", None)
    return context
