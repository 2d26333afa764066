"""Values held masked (a card number, a bank account number), as SHACL-SPARQL constraints that never show
the full value.

A slot whose values must be masked names its mask with the annotation ``masked``. A pattern (``sh:pattern``)
cannot check it: its finding carries the value as found, so a full card number written by mistake would be
copied into every report. The mask's constraint instead reports the value masked (``?value`` is bound to
the masked form), so a finding shows no more of a number than the masked form may hold. For the same
reason the slot's property shapes carry no datatype constraint, whose finding would show the value too
(the mask's constraint reads any literal through STR).

>>> sorted(MASKS)
['account-number', 'card-number']
>>> print(MASKS["account-number"].shown)
CONCAT(REPLACE(SUBSTR(?raw, 1, STRLEN(?raw) - 4), ".", "*"), SUBSTR(?raw, STRLEN(?raw) - 3))
"""

from __future__ import annotations

from dataclasses import dataclass

from linkml_runtime.utils.schemaview import SchemaView
from rdflib import RDF, BNode, Graph, Literal, URIRef

from policeonto.errors import SchemaError
from policeonto.vocab import SH

__all__ = ["MASKS", "Mask", "fix_masked_slots", "mask_query"]


@dataclass(frozen=True)
class Mask:
    """The masked form a slot's values must take.

    Attributes:
        title: what the mask keeps, for the docs.
        pattern: the masked form (an XPath regular expression without a backslash or quote).
        shown: a SPARQL expression over ``?raw`` (the value as found): what a finding shows of it.
        message: the finding's message, with ``{?value}`` for the value as shown.
        source: where the rule is published.
    """

    title: str
    pattern: str
    shown: str
    message: str
    source: str


def _mask(keep_first: int, keep_last: int) -> str:
    """A SPARQL expression: ``?raw`` with every character but its first *keep_first* and last *keep_last*
    replaced by *; a value too short to keep both keeps only its last *keep_last* characters."""
    last = f"SUBSTR(?raw, STRLEN(?raw) - {keep_last - 1})"
    short = f'CONCAT(REPLACE(SUBSTR(?raw, 1, STRLEN(?raw) - {keep_last}), ".", "*"), {last})'
    if keep_first == 0:
        return short
    middle = f'REPLACE(SUBSTR(?raw, {keep_first + 1}, STRLEN(?raw) - {keep_first + keep_last}), ".", "*")'
    long = f"CONCAT(SUBSTR(?raw, 1, {keep_first}), {middle}, {last})"
    return f"IF(STRLEN(?raw) > {keep_first + keep_last}, {long}, {short})"


#: Every mask, by the name a slot's ``masked`` annotation gives.
MASKS: dict[str, Mask] = {
    "card-number": Mask(
        "at most the first 6 and the last 4 digits, the middle masked with *",
        "^[0-9]{0,6}[*]{2,15}[0-9]{0,4}$",
        _mask(6, 4),
        "card number {?value} is not masked: hold at most its first 6 and last 4 digits, the middle as *",
        "PCI DSS v4.0, requirement 3.4.1 (at most the BIN and the last four digits may be displayed)",
    ),
    "account-number": Mask(
        "the last 4 digits only, after up to 6 *",
        "^[*]{0,6}[0-9]{4}$",
        _mask(0, 4),
        "account number {?value} is not masked: hold only its last 4 digits",
        "policeonto's own rule (data minimisation, UK GDPR article 5(1)(c))",
    ),
}


def mask_query(mask: Mask, *, path: URIRef) -> str:
    """The SELECT query of a mask: values of *path* not in the masked form, shown masked as ``?value``.

    >>> print(mask_query(MASKS["account-number"], path=URIRef("https://example.org/n")).splitlines()[1])
      $this <https://example.org/n> ?raw .
    """
    return "\n".join(
        [
            "SELECT $this ?path ?value WHERE {",
            f"  $this <{path}> ?raw .",
            f'  FILTER (!REGEX(STR(?raw), "{mask.pattern}"))',
            f"  BIND (<{path}> AS ?path)",
            f"  BIND ({mask.shown.replace('?raw', 'STR(?raw)')} AS ?value)",
            "}",
        ]
    )


def fix_masked_slots(g: Graph, view: SchemaView) -> None:
    """Each slot whose ``masked`` annotation names a mask gets it as a SHACL-SPARQL constraint on the shape
    of every concrete class with the slot, and loses the datatype constraints of its property shapes.
    LinkML has no way to state a masked value (project choice, not a generator bug).
    """
    for slot in view.all_slots().values():
        annotation = (slot.annotations or {}).get("masked")
        if annotation is None:
            continue
        mask = MASKS.get(str(annotation.value))
        if mask is None:
            raise SchemaError(f"unknown mask {annotation.value!r}; known: {sorted(MASKS)}", element=slot.name)
        if slot.pattern:
            raise SchemaError("a masked slot has no pattern: its finding would show the value", element=slot.name)
        path = URIRef(view.get_uri(slot, expand=True))
        for prop_shape in list(g.subjects(SH.path, path)):
            g.remove((prop_shape, SH.datatype, None))
        for cls in view.all_classes().values():
            if cls.abstract or slot.name not in view.class_slots(cls.name):
                continue
            constraint = BNode()
            g.add((URIRef(view.get_uri(cls, expand=True)), SH.sparql, constraint))
            g.add((constraint, RDF.type, SH.SPARQLConstraint))
            g.add((constraint, SH.select, Literal(mask_query(mask, path=path))))
            g.add((constraint, SH.message, Literal(mask.message, lang="en")))
            g.add((constraint, SH.name, Literal(f"{slot.title}: {mask.title}", lang="en")))
