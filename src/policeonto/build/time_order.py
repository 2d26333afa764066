"""Times that must come in order, as SHACL-SPARQL constraints.

A slot whose value can never come before another slot's value on the same record (a release before the
arrival in custody, an answer date before the bail began) names the earlier slot in its ``not_before``
annotation. LinkML cannot compare two slots, and ``sh:lessThanOrEquals`` reports only one of the two
values, so each becomes a SHACL-SPARQL constraint here whose finding names the later slot's value (with
the slot as its path) and whose message gives both values. Values of the same datatype, both with a
timezone or both without, compare as SPARQL orders them; otherwise (a date against a date-time, a time
with a timezone against one without, which SPARQL engines order differently or not at all) the calendar
days written are compared, so a warrant executed in the morning of the day it was issued is in order.

>>> print(order_query(URIRef("https://e.org/release"), URIRef("https://e.org/arrival")))
SELECT $this ?path ?value ?earlier WHERE {
  $this <https://e.org/release> ?value ;
    <https://e.org/arrival> ?earlier .
  BIND (<https://e.org/release> AS ?path)
  FILTER (IF(DATATYPE(?value) = DATATYPE(?earlier)
      && REGEX(STR(?value), "(Z|[+-][0-9][0-9]:[0-9][0-9])$") = REGEX(STR(?earlier), "(Z|[+-][0-9][0-9]:[0-9][0-9])$"),
    ?value < ?earlier, SUBSTR(STR(?value), 1, 10) < SUBSTR(STR(?earlier), 1, 10)))
}
"""

from __future__ import annotations

from linkml_runtime.utils.schemaview import SchemaView
from rdflib import RDF, BNode, Graph, Literal, URIRef

from policeonto.errors import SchemaError
from policeonto.vocab import SH

__all__ = ["fix_time_order", "order_query"]

#: A timezone at the end of a date or date-time's lexical form.
_ZONE = "(Z|[+-][0-9][0-9]:[0-9][0-9])$"


def order_query(later: URIRef, earlier: URIRef) -> str:
    """The SELECT query finding records whose *later* value comes before their *earlier* value, with the
    later value as ``?value``, its property as ``?path`` and the earlier value as ``?earlier``."""
    before = "SUBSTR(STR(?value), 1, 10) < SUBSTR(STR(?earlier), 1, 10)"
    zoned = f'REGEX(STR(?value), "{_ZONE}") = REGEX(STR(?earlier), "{_ZONE}")'
    return "\n".join(
        [
            "SELECT $this ?path ?value ?earlier WHERE {",
            f"  $this <{later}> ?value ;",
            f"    <{earlier}> ?earlier .",
            f"  BIND (<{later}> AS ?path)",
            "  FILTER (IF(DATATYPE(?value) = DATATYPE(?earlier)",
            f"      && {zoned},",
            f"    ?value < ?earlier, {before}))",
            "}",
        ]
    )


def _title(view: SchemaView, name: str) -> str:
    return view.get_slot(name).title or name


def fix_time_order(g: Graph, view: SchemaView) -> None:
    """Each slot with a ``not_before`` annotation gets an order constraint on the shape of every concrete
    class that has both slots. Project choice: LinkML has no way to compare two slots of a record.

    Raises:
        SchemaError: the annotation names a slot that does not exist.
    """
    for slot in view.all_slots().values():
        annotation = (slot.annotations or {}).get("not_before")
        if annotation is None:
            continue
        earlier = str(annotation.value)
        if view.get_slot(earlier) is None:
            raise SchemaError(f"not_before names no slot: {earlier!r}", element=slot.name)
        later_iri = URIRef(view.get_uri(view.get_slot(slot.name), expand=True))
        earlier_iri = URIRef(view.get_uri(view.get_slot(earlier), expand=True))
        message = f"{_title(view, slot.name)} {{?value}} is before {_title(view, earlier)} {{?earlier}}"
        constraint = BNode()
        g.add((constraint, RDF.type, SH.SPARQLConstraint))
        g.add((constraint, SH.select, Literal(order_query(later_iri, earlier_iri))))
        g.add((constraint, SH.message, Literal(message, lang="en")))
        g.add(
            (constraint, SH.name, Literal(f"{_title(view, slot.name)} not before {_title(view, earlier)}", lang="en"))
        )
        for cls in view.all_classes().values():
            if cls.abstract or cls.tree_root:
                continue
            names = set(view.class_slots(cls.name))
            if {slot.name, earlier} <= names:
                g.add((URIRef(view.get_uri(cls, expand=True)), SH.sparql, constraint))
