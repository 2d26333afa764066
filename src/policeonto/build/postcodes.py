"""The postcode hierarchy as SHACL-SPARQL constraints: a place's postcode place is the one its own code
names.

A postcode names its places: SW1A 1AA is in sector SW1A 1, district SW1A and area SW. A pattern checks
each code's form, but not that a unit's ``in_postcode_sector`` is the sector its own postcode names, nor
that an address's ``in_postcode_unit`` is the unit of its ``postcode``. Each such link is a
:class:`Containment`, checked by one SPARQL 1.1 query (SUBSTR, STRBEFORE, REPLACE), so that pySHACL
(rdflib) and the fast engine (Oxigraph) judge it alike. The query judges only a place whose own code is in
the form that names a container (the pattern reports the others); the result's path is the link, its value
the place linked to, and its message names both codes.

>>> [c.link for c in CONTAINMENTS]
['in_postcode_sector', 'in_postcode_district', 'in_postcode_area', 'in_postcode_unit']
>>> CONTAINMENTS[0].expected
'SUBSTR(?code, 1, STRLEN(?code) - 2)'
"""

from __future__ import annotations

from dataclasses import dataclass

from linkml_runtime.utils.schemaview import SchemaView
from rdflib import RDF, BNode, Graph, Literal, URIRef

from policeonto.errors import SchemaError
from policeonto.vocab import SH

__all__ = ["CONTAINMENTS", "Containment", "containment_query", "fix_postcode_hierarchy"]


@dataclass(frozen=True)
class Containment:
    """A link from a place to the postcode place its own code names.

    Attributes:
        place: the class whose records carry the link.
        link: the slot linking the place to its container.
        code: the slot holding the place's own code.
        form: the pattern the place's code must match to name a container (GIR 0AA, Girobank's
            non-geographic postcode, names no sector).
        expected: a SPARQL expression over ``?code``, the place's code: the container's code.
        message: the finding's message, with ``{?code}``, ``{?expected}`` and ``{?found}``.
    """

    place: str
    link: str
    code: str
    form: str
    expected: str
    message: str


_UNIT = "^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$"

#: Every link of the hierarchy, from a unit up to its area, then an address to its unit.
CONTAINMENTS: tuple[Containment, ...] = (
    Containment(
        "PostcodeUnit", "in_postcode_sector", "area_code", _UNIT, "SUBSTR(?code, 1, STRLEN(?code) - 2)",
        "postcode unit {?code} is in sector {?expected}, not {?found}",
    ),
    Containment(
        "PostcodeSector", "in_postcode_district", "area_code", "^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9]$",
        'STRBEFORE(?code, " ")', "postcode sector {?code} is in district {?expected}, not {?found}",
    ),
    Containment(
        "PostcodeDistrict", "in_postcode_area", "area_code", "^[A-Z]{1,2}[0-9][A-Z0-9]?$",
        'REPLACE(?code, "[0-9].*$", "")', "postcode district {?code} is in area {?expected}, not {?found}",
    ),
    Containment(
        "Address", "in_postcode_unit", "postcode", _UNIT, "?code",
        "the address's postcode is {?code}, but its postcode unit is {?found}",
    ),
)  # fmt: skip


def containment_query(*, link: URIRef, code: URIRef, container_code: URIRef, form: str, expected: str) -> str:
    """The SELECT query of a containment: places whose code is in *form* and whose container (the value of
    *link*) has a code other than *expected*, with the container as ``?value`` and *link* as ``?path``."""
    return "\n".join(
        [
            "SELECT $this ?path ?value ?code ?expected ?found WHERE {",
            f"  $this <{link}> ?value ;",
            f"    <{code}> ?code .",
            f"  ?value <{container_code}> ?found .",
            f'  FILTER (REGEX(?code, "{form}"))',
            f"  BIND (<{link}> AS ?path)",
            f"  BIND ({expected} AS ?expected)",
            "  FILTER (STR(?found) != STR(?expected))",
            "}",
        ]
    )


def fix_postcode_hierarchy(g: Graph, view: SchemaView) -> None:
    """Each :data:`CONTAINMENTS` link gets its SHACL-SPARQL constraint on the shape of its place's class.
    LinkML has no way to say that one slot's value is named by another's (project choice, not a generator
    bug).

    Raises:
        SchemaError: the schema lacks a class or slot a containment names.
    """
    for containment in CONTAINMENTS:
        cls = view.get_class(containment.place)
        link = view.get_slot(containment.link)
        if cls is None or link is None or containment.link not in view.class_slots(cls.name):
            raise SchemaError(f"no slot {containment.link!r} on {containment.place}", element=containment.place)
        container = view.get_class(view.induced_slot(containment.link, cls.name).range)
        query = containment_query(
            link=URIRef(view.get_uri(link, expand=True)),
            code=URIRef(view.get_uri(view.get_slot(containment.code), expand=True)),
            container_code=URIRef(view.get_uri(view.get_slot("area_code"), expand=True)),
            form=containment.form,
            expected=containment.expected,
        )
        constraint = BNode()
        g.add((URIRef(view.get_uri(cls, expand=True)), SH.sparql, constraint))
        g.add((constraint, RDF.type, SH.SPARQLConstraint))
        g.add((constraint, SH.select, Literal(query)))
        g.add((constraint, SH.message, Literal(containment.message, lang="en")))
        g.add((constraint, SH.name, Literal(f"{link.title}: the {container.title} its code names", lang="en")))
