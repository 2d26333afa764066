"""The YAML form of an agreement, for stewards: a few keys, compiled to the ODRL 2.2 Turtle it stands for.

The compiled Turtle is the agreement; the YAML is only a shorter way to write it. Compiling checks the YAML's
keys and the kinds of their values; everything else (a missing assignee, a malformed date, an unknown
class) is left in the Turtle for the same checks every ODRL agreement meets, so the two forms are refused
for the same reasons with the same findings.

Names of classes and properties are the model's (``Person``, ``date_of_birth``); purposes and legal bases
are DPV's (``dpv:PublicBenefit``); any of them may also be a full IRI.

>>> text, findings = compile_form({"agreement": "https://example.org/a", "classes": ["Person"]}, "a.yaml")
>>> findings, "pole:Person odrl:partOf <https://example.org/a#assets> ." in text
([], True)
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from rdflib import Literal

from policeonto.findings import Finding, make
from policeonto.sharing.terms import CAVEAT, DPV, GSC, POA, SCHEME
from policeonto.vocab import POLE

__all__ = ["CEILINGS", "GENERALISED_FORMS", "KEYS", "compile_form"]

#: The ceilings a steward writes, and the right operand each stands for.
CEILINGS = {
    "OFFICIAL": GSC.OFFICIAL,
    "OFFICIAL-SENSITIVE": POA.officialSensitive,
    "SECRET": GSC.SECRET,
    "TOP-SECRET": GSC["TOP-SECRET"],
}
#: The generalised forms a steward writes, and the profile's action for each.
GENERALISED_FORMS = {
    "year": POA.generaliseToYear,
    "age-band": POA.generaliseToAgeBand,
    "lsoa": POA.generaliseToLsoa,
    "postcode-sector": POA.generaliseToPostcodeSector,
}
_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "odrl": "http://www.w3.org/ns/odrl/2/",
    "poa": str(POA),
    "pole": str(POLE),
    "dpv": str(DPV),
    "dcterms": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "gsc": str(GSC),
    "caveat": str(CAVEAT),
    "scheme": str(SCHEME),
}
_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_IRI = re.compile(r"[a-z][a-z0-9+.-]*:[^\s<>\"{}|^`\\]+")

#: Every key of the YAML form, and the kind of value it takes.
KEYS = {
    "agreement": "an IRI",
    "title": "text",
    "assigner": "an IRI",
    "assignee": "an IRI",
    "purpose": "a DPV purpose",
    "legal_basis": "a DPV legal basis",
    "valid_until": "a date (YYYY-MM-DD)",
    "ceiling": "one of " + ", ".join(CEILINGS),
    "national_caveats": "a list of caveat codes",
    "handling_codes": "a list of handling codes (P, C)",
    "past_review": "withhold or share",
    "aggregates_only": "true or false",
    "classes": "a list of class names",
    "properties": "a list of property names",
    "prohibit": "a list of property names",
    "pseudonymise": "a mapping with classes and identifier_schemes (lists)",
    "generalise": "a mapping of property names to " + ", ".join(GENERALISED_FORMS),
    "k_anonymity": "a mapping with k (a whole number) and quasi_identifiers (a list of property names)",
}


class _Form:
    """The YAML's values read one by one, each problem a finding."""

    def __init__(self, data: dict[str, Any], file: str) -> None:
        self.data = data
        self.file = file
        self.findings: list[Finding] = []

    def wrong(self, key: str, message: str) -> None:
        self.findings.append(make("agreement-yaml-key", file=self.file, path=key, value=message))

    def iri(self, key: str, value: object, namespace: str = "") -> str | None:
        """*value* as an IRI: a full IRI, a CURIE of a known prefix, or a name in *namespace*."""
        if not isinstance(value, str) or not value:
            self.wrong(key, f"{value!r} is not {KEYS.get(key.split('.')[0], 'a name')}")
            return None
        prefix, colon, local = value.partition(":")
        if colon and prefix in _PREFIXES and not local.startswith("//"):
            value = _PREFIXES[prefix] + local
        elif namespace and _LOCAL.fullmatch(value):
            value = namespace + value
        if not _IRI.fullmatch(value):
            self.wrong(key, f"{value!r} is not an IRI")
            return None
        return value

    def names(self, key: str, value: object, namespace: str) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.wrong(key, f"{value!r} is not a list")
            return []
        return [iri for item in value if (iri := self.iri(key, item, namespace))]

    def mapping(self, key: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        value = self.data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.wrong(key, f"{value!r} is not {KEYS[key]}")
            return {}
        for extra in sorted(set(value) - set(allowed), key=str):
            self.wrong(f"{key}.{extra}", f"unknown key; {key} has {', '.join(allowed)}")
        return value


def _term(iri: str) -> str:
    """*iri* as Turtle: prefixed where a prefix fits, else in angle brackets."""
    for prefix, namespace in _PREFIXES.items():
        if iri.startswith(namespace) and _LOCAL.fullmatch(local := iri[len(namespace) :]):
            return f"{prefix}:{local}"
    return f"<{iri}>"


def _constraint(left: str, operator: str, rights: list[str]) -> str:
    return f"[ odrl:leftOperand {left} ; odrl:operator {operator} ; odrl:rightOperand {' , '.join(rights)} ]"


def _list(items: list[str], indent: str) -> str:
    return (" ,\n" + indent).join(items)


def compile_form(data: object, file: str) -> tuple[str | None, list[Finding]]:
    """The ODRL Turtle of the YAML form *data* (read from *file*), or None and the findings on its keys."""
    if not isinstance(data, dict):
        return None, [make("agreement-yaml-key", file=file, path="(document)", value="not a mapping of keys")]
    form = _Form(data, file)
    for key in sorted(set(data) - set(KEYS), key=str):
        form.wrong(str(key), "unknown key; docs/sharing.md lists the keys")
    iri = form.iri("agreement", data.get("agreement")) if "agreement" in data else None
    if iri is None:
        if "agreement" not in data:
            form.wrong("agreement", "missing: the agreement's IRI")
        return None, form.findings
    policy: list[str] = ["a odrl:Agreement", "odrl:profile poa:"]
    if "title" in data:
        policy.append(f"dcterms:title {Literal(str(data['title'])).n3()}")
    for key, predicate, namespace in (
        ("assigner", "odrl:assigner", ""),
        ("assignee", "odrl:assignee", ""),
        ("legal_basis", "dpv:hasLegalBasis", str(DPV)),
    ):
        if key in data and (value := form.iri(key, data[key], namespace)):
            policy.append(f"{predicate} {_term(value)}")
    constraints = _constraints(form)
    duties = _duties(form)
    permitted = form.names("classes", data.get("classes"), str(POLE)) + form.names(
        "properties", data.get("properties"), str(POLE)
    )
    prohibited = form.names("prohibit", data.get("prohibit"), str(POLE))
    if form.findings:
        return None, form.findings
    assets = f"<{iri}#assets>"
    permission = ["a odrl:Permission", "odrl:action odrl:distribute", f"odrl:target {assets}"]
    if constraints:
        permission.append("odrl:constraint\n            " + _list(constraints, "            "))
    if duties:
        permission.append("odrl:duty\n            " + _list(duties, "            "))
    policy.append("odrl:permission [\n        " + " ;\n        ".join(permission) + "\n    ]")
    for target in prohibited:
        policy.append(
            f"odrl:prohibition [ a odrl:Prohibition ; odrl:action odrl:distribute ; odrl:target {_term(target)} ]"
        )
    lines = [
        f"# Compiled from {Path(file).name} by `policeonto agreement compile`: edit the YAML, not this file.",
        *(f"@prefix {prefix}: <{namespace}> ." for prefix, namespace in _PREFIXES.items()),
        "",
        f"{_term(iri)}\n    " + " ;\n    ".join(policy) + " .",
        "",
        f"{assets} a odrl:AssetCollection .",
        *(f"{_term(target)} odrl:partOf {assets} ." for target in sorted(set(permitted))),
        "",
    ]
    return "\n".join(lines), []


def _constraints(form: _Form) -> list[str]:
    data = form.data
    out = []
    if "purpose" in data and (purpose := form.iri("purpose", data["purpose"], str(DPV))):
        out.append(_constraint("odrl:purpose", "odrl:eq", [_term(purpose)]))
    if "valid_until" in data:
        value = data["valid_until"]
        if not isinstance(value, (date, str)):
            form.wrong("valid_until", f"{value!r} is not {KEYS['valid_until']}")
        else:
            lexical = Literal(str(value)).n3()
            out.append(_constraint("odrl:dateTime", "odrl:lteq", [f"{lexical}^^xsd:date"]))
    if "ceiling" in data:
        if data["ceiling"] not in CEILINGS:
            form.wrong("ceiling", f"{data['ceiling']!r} is not {KEYS['ceiling']}")
        else:
            out.append(_constraint("poa:classification", "odrl:lteq", [_term(str(CEILINGS[data["ceiling"]]))]))
    caveats = form.names("national_caveats", data.get("national_caveats"), str(CAVEAT))
    if caveats:
        out.append(_constraint("poa:nationalCaveat", "odrl:isAnyOf", [_term(c) for c in caveats]))
    codes = data.get("handling_codes") or []
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        form.wrong("handling_codes", f"{codes!r} is not {KEYS['handling_codes']}")
    elif codes:
        out.append(_constraint("poa:handlingCode", "odrl:isAnyOf", [Literal(c).n3() for c in sorted(set(codes))]))
    review = data.get("past_review", "withhold")
    if review not in ("withhold", "share"):
        form.wrong("past_review", f"{review!r} is not {KEYS['past_review']}")
    elif review == "share":
        out.append(_constraint("poa:mopiReview", "odrl:isAnyOf", ["poa:pastReview"]))
    aggregates = data.get("aggregates_only", False)
    if not isinstance(aggregates, bool):
        form.wrong("aggregates_only", f"{aggregates!r} is not {KEYS['aggregates_only']}")
    elif aggregates:
        out.append(_constraint("poa:disclosure", "odrl:eq", ["poa:aggregatesOnly"]))
    return out


def _duties(form: _Form) -> list[str]:
    out = []

    def duty(action: str, targets: list[str]) -> str:
        return f"[ a odrl:Duty ; odrl:action {action} ; odrl:target {' , '.join(_term(t) for t in targets)} ]"

    pseudonymise = form.mapping("pseudonymise", ("classes", "identifier_schemes"))
    classes = form.names("pseudonymise.classes", pseudonymise.get("classes"), str(POLE))
    schemes = form.names("pseudonymise.identifier_schemes", pseudonymise.get("identifier_schemes"), str(SCHEME))
    if classes or schemes:
        out.append(duty("poa:pseudonymise", classes + schemes))
    given = form.data.get("generalise")
    generalise = form.mapping("generalise", tuple(str(k) for k in given) if isinstance(given, dict) else ())
    for name, kind in generalise.items():
        target = form.iri(f"generalise.{name}", name, str(POLE))
        if kind not in GENERALISED_FORMS:
            form.wrong(f"generalise.{name}", f"{kind!r} is not one of {', '.join(GENERALISED_FORMS)}")
        elif target:
            out.append(duty(_term(str(GENERALISED_FORMS[kind])), [target]))
    anonymity = form.mapping("k_anonymity", ("k", "quasi_identifiers"))
    if anonymity:
        k = anonymity.get("k")
        quasi = form.names("k_anonymity.quasi_identifiers", anonymity.get("quasi_identifiers"), str(POLE))
        if not isinstance(k, int) or isinstance(k, bool):
            form.wrong("k_anonymity.k", f"{k!r} is not a whole number")
        else:
            action = f"[ rdf:value poa:kAnonymise ; odrl:refinement {_constraint('poa:k', 'odrl:gteq', [str(k)])} ]"
            targets = f" ; odrl:target {' , '.join(_term(t) for t in quasi)}" if quasi else ""
            out.append(f"[ a odrl:Duty ; odrl:action {action}{targets} ]")
    return out
