"""Check digits and other value rules of identifier schemes, as SHACL-SPARQL constraints.

A scheme's format is a LinkML rule on ``Identifier`` (a pattern on the notation when the scheme is X),
which gen-shacl's output carries as core SHACL. What a pattern cannot say, such as a check digit, is named
on the scheme's code in the schema (the annotation ``check``) and defined here once, as a SPARQL 1.1
expression over the notation ``?value``: SUBSTR, xsd:integer casts and arithmetic, so that pySHACL
(rdflib) and the fast engine (Oxigraph) compute it alike. The constraint judges only a notation in the
scheme's format (the format rule reports the others), and its message names the value. A slot whose
values have a check of their own (the ``imei`` of a device, the ``iccid`` of a SIM card) names it with the
same annotation, and its pattern is the format.

>>> sorted(CHECKS)
['cro-check-letter', 'iccid-luhn', 'imei-luhn', 'nhs-modulus-11', 'ni-number-prefix', 'pnc-check-letter']
>>> print(_digit(3))
xsd:integer(SUBSTR(?value, 3, 1))
"""

from __future__ import annotations

from dataclasses import dataclass

from linkml_runtime.linkml_model.meta import ClassDefinition
from linkml_runtime.utils.schemaview import SchemaView
from rdflib import RDF, BNode, Graph, Literal, URIRef

from policeonto.errors import SchemaError
from policeonto.vocab import SH

__all__ = ["CHECKS", "Check", "check_query", "fix_check_digits", "fix_slot_checks"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
#: The check letters of the PNC ID and the CRO number: the alphabet without I, O and S, Z first.
_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"


@dataclass(frozen=True)
class Check:
    """A rule on a notation that a pattern cannot state.

    Attributes:
        title: what is checked, for the docs.
        ok: a SPARQL boolean expression over ``?value`` (the notation, already in the scheme's format) and
            ``?n``, the number *number* computes.
        message: the finding's message, with ``{?value}`` for the notation.
        source: where the algorithm is published.
        number: a SPARQL expression over ``?value`` bound to ``?n``, or None.
        applies: a further pattern the notation must match to be checked (a form of the format that has
            the check), or None.
    """

    title: str
    ok: str
    message: str
    source: str
    number: str | None = None
    applies: str | None = None


def _digit(position: int, text: str = "?value") -> str:
    """The digit at *position* (from 1) of *text* as an xsd:integer."""
    return f"xsd:integer(SUBSTR({text}, {position}, 1))"


def _mod(expression: str, modulus: int) -> str:
    """*expression* modulo *modulus* (SPARQL 1.1 has no modulo operator)."""
    return f"(({expression}) - {modulus} * FLOOR(({expression}) / {modulus}))"


def _letter(number: str) -> str:
    """The check letter of *number*: the letter at *number* modulo 23 in the alphabet without I, O and S."""
    return f'SUBSTR("{_CHECK_LETTERS}", xsd:integer({_mod(number, 23)}) + 1, 1)'


#: The NHS number's digits weighted 10 down to 2, and its check digit.
_NHS_SUM = " + ".join([*(f"{11 - i} * {_digit(i)}" for i in range(1, 10)), _digit(10)])


def _luhn_sum(length: int) -> str:
    """The Luhn sum of *length* digits: every second digit from the right but the check digit is doubled,
    and "0246813579" gives the sum of a doubled digit's digits (9 -> 18 -> 9)."""
    return " + ".join(
        f'xsd:integer(SUBSTR("0246813579", {_digit(i)} + 1, 1))' if (length - i) % 2 else _digit(i)
        for i in range(1, length + 1)
    )


#: A PNC ID's number: the last two digits of the year, then the serial number padded to 7 digits.
_PNC_NUMBER = (
    'xsd:integer(SUBSTR(STRBEFORE(?value, "/"), STRLEN(STRBEFORE(?value, "/")) - 1)) * 10000000'
    ' + xsd:integer(SUBSTR(STRAFTER(?value, "/"), 1, STRLEN(STRAFTER(?value, "/")) - 1))'
)

#: A standard CRO number's number: the 2-digit year, then the serial number padded to 6 digits.
_CRO_NUMBER = 'xsd:integer(SUBSTR(STRAFTER(?value, "/"), 1, 2)) * 1000000 + xsd:integer(STRBEFORE(?value, "/"))'

_LAST = "SUBSTR(?value, STRLEN(?value))"

_NI_EXCLUDED = ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ")

#: Every check, by the name a scheme's ``check`` annotation gives.
CHECKS: dict[str, Check] = {
    "nhs-modulus-11": Check(
        "modulus 11 check digit",
        f"{_mod('?n', 11)} = 0",
        "NHS number {?value} fails its modulus 11 check digit",
        "NHS Data Dictionary, NHS NUMBER (the weights 10 to 2 on the first nine digits)",
        number=_NHS_SUM,
    ),
    "ni-number-prefix": Check(
        "prefix HMRC allocates (not BG, GB, KN, NK, NT, TN or ZZ)",
        "!(SUBSTR(?value, 1, 2) IN (" + ", ".join(f'"{p}"' for p in _NI_EXCLUDED) + "))",
        "National Insurance number {?value} has a prefix HMRC does not allocate",
        "HMRC National Insurance Manual NIM39110",
    ),
    "imei-luhn": Check(
        "Luhn check digit",
        f"{_mod('?n', 10)} = 0",
        "IMEI {?value} fails its Luhn check digit",
        "3GPP TS 23.003, annex B (the check digit of the IMEI)",
        number=_luhn_sum(15),
    ),
    "iccid-luhn": Check(
        "Luhn check digit of a 19-digit ICCID",
        f"{_mod('?n', 10)} = 0",
        "ICCID {?value} fails its Luhn check digit",
        "ITU-T E.118 (the check digit of the ICCID, by the Luhn formula of ISO/IEC 7812-1)",
        number=_luhn_sum(19),
        applies="^[0-9]{19}$",
    ),
    "pnc-check-letter": Check(
        "check letter: the last two digits of the year and the 7-digit serial number, modulo 23",
        f"{_letter('?n')} = {_LAST}",
        "PNC ID {?value} has the wrong check letter",
        "CJS Data Standards Catalogue 6, as Ministry of Justice services validate it",
        number=_PNC_NUMBER,
    ),
    "cro-check-letter": Check(
        "check letter of the standard form: the 2-digit year and the 6-digit serial number, modulo 23",
        f"{_letter('?n')} = {_LAST}",
        "CRO number {?value} has the wrong check letter",
        "CJS Data Standards Catalogue 6, as Ministry of Justice services validate it",
        number=_CRO_NUMBER,
        applies="^[0-9]",
    ),
}


def _format(view: SchemaView, cls: ClassDefinition, scheme: str) -> str:
    """The pattern a rule of *cls* gives the notation of identifiers of *scheme*.

    Raises:
        SchemaError: no rule gives one.
    """
    for rule in cls.rules or []:
        pre = (rule.preconditions.slot_conditions or {}).get("scheme") if rule.preconditions else None
        post = (rule.postconditions.slot_conditions or {}).get("notation") if rule.postconditions else None
        if pre is not None and pre.equals_string == scheme and post is not None and post.pattern:
            return post.pattern
    raise SchemaError(f"scheme {scheme!r} has a check but no format rule", element=cls.name)


def check_query(
    check: Check, *, scheme: URIRef | None, scheme_path: URIRef | None, notation: URIRef, pattern: str
) -> str:
    """The SELECT query of a check: identifiers of *scheme* whose notation is in its format (*pattern*)
    and fails the check, with the notation as ``?value`` and its property as ``?path`` (so that a finding
    names the source column the notation came from). Without a scheme, the values of *notation* (a slot
    with a check of its own) are checked."""
    guards = [f'REGEX(?value, "{pattern}")'] + ([f'REGEX(?value, "{check.applies}")'] if check.applies else [])
    if scheme is None:
        triples = [f"  $this <{notation}> ?value ."]
    else:
        triples = [f"  $this <{scheme_path}> <{scheme}> ;", f"    <{notation}> ?value ."]
    lines = [
        f"PREFIX xsd: <{_XSD}>",
        "SELECT $this ?path ?value WHERE {",
        *triples,
        f"  FILTER ({' && '.join(guards)})",
        f"  BIND (<{notation}> AS ?path)",
        *([f"  BIND ({check.number} AS ?n)"] if check.number else []),
        f"  FILTER (!({check.ok}))",
        "}",
    ]
    return "\n".join(lines)


def fix_check_digits(g: Graph, view: SchemaView) -> None:
    """Each identifier scheme whose code names a ``check`` gets that check as a SHACL-SPARQL constraint on
    the shape of ``Identifier``, judging the notations in the scheme's format. LinkML has no way to state
    a check digit (project choice, not a generator bug).
    """
    cls = view.get_class("Identifier")
    shape = URIRef(view.get_uri(cls, expand=True))
    scheme_path = URIRef(view.get_uri(view.get_slot("scheme"), expand=True))
    notation = URIRef(view.get_uri(view.get_slot("notation"), expand=True))
    enum = view.get_enum(view.get_slot("scheme").range)
    for code, pv in (enum.permissible_values or {}).items():
        annotation = (pv.annotations or {}).get("check")
        if annotation is None:
            continue
        check = _check(str(annotation.value), code)
        pattern = _format(view, cls, code)
        if "\\" in pattern or '"' in pattern:
            raise SchemaError("a format with a backslash or quote cannot be written into SPARQL", element=code)
        query = check_query(
            check, scheme=URIRef(view.expand_curie(pv.meaning)), scheme_path=scheme_path, notation=notation,
            pattern=pattern,
        )  # fmt: skip
        _add_constraint(g, shape, query, check, f"{pv.title}: {check.title}")


def _check(name: str, element: str) -> Check:
    check = CHECKS.get(name)
    if check is None:
        raise SchemaError(f"unknown check {name!r}; known: {sorted(CHECKS)}", element=element)
    return check


def _add_constraint(g: Graph, shape: URIRef, query: str, check: Check, name: str) -> None:
    constraint = BNode()
    g.add((shape, SH.sparql, constraint))
    g.add((constraint, RDF.type, SH.SPARQLConstraint))
    g.add((constraint, SH.select, Literal(query)))
    g.add((constraint, SH.message, Literal(check.message, lang="en")))
    g.add((constraint, SH.name, Literal(name, lang="en")))


def fix_slot_checks(g: Graph, view: SchemaView) -> None:
    """Each slot whose ``check`` annotation names a check gets it as a SHACL-SPARQL constraint on the shape
    of every concrete class with the slot, judging the values in the slot's pattern (a device's IMEI, a
    SIM card's ICCID). Project choice, as for identifier schemes.
    """
    for slot in view.all_slots().values():
        annotation = (slot.annotations or {}).get("check")
        if annotation is None:
            continue
        check = _check(str(annotation.value), slot.name)
        if not slot.pattern or "\\" in slot.pattern or '"' in slot.pattern:
            raise SchemaError("a checked slot needs a pattern without a backslash or quote", element=slot.name)
        path = URIRef(view.get_uri(slot, expand=True))
        query = check_query(check, scheme=None, scheme_path=None, notation=path, pattern=slot.pattern)
        for cls in view.all_classes().values():
            if not cls.abstract and slot.name in view.class_slots(cls.name):
                _add_constraint(g, URIRef(view.get_uri(cls, expand=True)), query, check, f"{slot.title}: {check.title}")
