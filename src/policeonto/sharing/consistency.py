"""Check a :class:`~policeonto.sharing.policy.Policy` against the ontology, DPV and itself, and make the
:class:`~policeonto.sharing.agreement.Agreement` it stands for.

Refused, each with its finding: a target the ontology does not define, a purpose or legal basis that is
not DPV's, a caveat or identifier scheme not in the code lists, and an agreement that contradicts itself
(a target both permitted and prohibited, a duty on something not permitted, a property generalised twice
or to a form it cannot take, k without quasi-identifiers, aggregates only without k).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import OWL, RDF, RDFS, XSD, Graph, URIRef
from rdflib.namespace import SKOS

from policeonto.findings import Finding, make
from policeonto.sharing.agreement import Agreement, Generalisation, GeneralisedForm, Pseudonymised
from policeonto.sharing.policy import Policy
from policeonto.sharing.terms import CAVEAT, CLASSIFICATIONS, LEGAL_BASES, POA, PURPOSES, SCHEME
from policeonto.vocab import ARTEFACTS, POLE, artefact_path

__all__ = ["FORMS", "Ontology", "make_agreement", "ontology"]

#: Each generalising action, the form it makes, and the ranges of the properties it fits.
FORMS: dict[URIRef, tuple[GeneralisedForm, frozenset[URIRef]]] = {
    POA.generaliseToYear: (GeneralisedForm.YEAR, frozenset({XSD.date, XSD.dateTime})),
    POA.generaliseToAgeBand: (GeneralisedForm.AGE_BAND, frozenset({XSD.date})),
    POA.generaliseToLsoa: (GeneralisedForm.LSOA, frozenset({POLE.Point, POLE.Location})),
    POA.generaliseToPostcodeSector: (GeneralisedForm.POSTCODE_SECTOR, frozenset({POLE.Postcode})),
}


@dataclass(frozen=True)
class Ontology:
    """What an agreement may name: the ontology's classes, its properties with their ranges, and codes."""

    classes: frozenset[str]
    ranges: dict[str, frozenset[URIRef]]  # every property, with its declared ranges (maybe none)
    codes: frozenset[str]  # every SKOS concept of the code lists


@cache
def ontology() -> Ontology:
    """The ontology and code lists as shipped (read once per process)."""
    owl = Graph().parse(artefact_path(ARTEFACTS["owl"]), format="turtle")
    codelists = Graph().parse(artefact_path(ARTEFACTS["codelists"]), format="turtle")
    classes = frozenset(str(c) for c in owl.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef))
    properties = {
        p
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
        for p in owl.subjects(RDF.type, kind)
        if isinstance(p, URIRef)
    }
    ranges = {str(p): frozenset(r for r in owl.objects(p, RDFS.range) if isinstance(r, URIRef)) for p in properties}
    codes = frozenset(str(c) for c in codelists.subjects(RDF.type, SKOS.Concept) if isinstance(c, URIRef))
    return Ontology(classes=classes, ranges=ranges, codes=codes)


def _local(iri: str, namespace: object) -> str:
    return iri.removeprefix(str(namespace))


def make_agreement(policy: Policy, file: Path | str) -> tuple[Agreement | None, list[Finding]]:
    """The agreement *policy* stands for, or None and every finding that refuses it.

    >>> from policeonto.sharing.terms import DPV, GSC
    >>> policy = Policy("https://example.org/a", "A", "https://example.org/x", "https://example.org/y",
    ...     str(DPV.PublicInterest), str(DPV.PublicBenefit), str(GSC.OFFICIAL),
    ...     permitted=frozenset({str(POLE.Person), str(POLE.date_of_birth)}))
    >>> agreement, findings = make_agreement(policy, "a.ttl")
    >>> sorted(agreement.classes), findings
    (['https://w3id.org/policeonto/Person'], [])
    """
    known = ontology()
    file = str(file)
    findings: list[Finding] = []

    def refuse(code: str, value: str, constraint: str | None = None) -> None:
        findings.append(make(code, file=file, focus_node=policy.iri, value=value, constraint=constraint))

    if URIRef(policy.purpose) not in PURPOSES:
        refuse("agreement-unknown-purpose", policy.purpose)
    if URIRef(policy.legal_basis) not in LEGAL_BASES:
        refuse("agreement-unknown-legal-basis", policy.legal_basis)
    for target in sorted(policy.permitted):
        if target not in known.classes and target not in known.ranges:
            refuse("agreement-undefined-target", target, "class or property")
    for target in sorted(policy.prohibited):
        if target not in known.ranges:
            refuse("agreement-undefined-target", target, "property")
    for caveat in sorted(policy.caveats):
        if caveat not in known.codes or not caveat.startswith(str(CAVEAT)):
            refuse("agreement-unknown-code", caveat, "the national caveats")
    for target in sorted(policy.permitted & policy.prohibited):
        refuse("agreement-permitted-and-prohibited", target)
    schemes, pseudonymised_classes = set(), set()
    for target in sorted(policy.pseudonymised):
        if target.startswith(str(SCHEME)):
            if target not in known.codes:
                refuse("agreement-unknown-code", target, "the identifier schemes")
            schemes.add(_local(target, SCHEME))
        elif target not in known.classes:
            refuse("agreement-undefined-target", target, "class")
        elif target not in policy.permitted:
            refuse("agreement-duty-not-permitted", target, "pseudonymise")
        else:
            pseudonymised_classes.add(target)
    generalised = []
    forms: dict[str, set[str]] = {}
    for target, action in policy.generalised:
        forms.setdefault(target, set()).add(action)
        form, fits = FORMS[URIRef(action)]
        if target not in known.ranges:
            refuse("agreement-undefined-target", target, "property")
        elif target not in policy.permitted:
            refuse("agreement-duty-not-permitted", target, "generalise")
        elif not known.ranges[target] & fits:
            refuse("agreement-form-does-not-fit", target, form.value)
        generalised.append(Generalisation(target, form))
    for target in sorted(t for t, actions in forms.items() if len(actions) > 1):
        refuse("agreement-generalised-twice", target)
    for target in policy.quasi_identifiers:
        if target not in known.ranges:
            refuse("agreement-undefined-target", target, "property")
        elif target not in policy.permitted:
            refuse("agreement-duty-not-permitted", target, "use as a quasi-identifier")
    if policy.k is not None and not policy.quasi_identifiers:
        refuse("agreement-k-without-quasi-identifiers", str(policy.k))
    if policy.aggregates_only and policy.k is None:
        refuse("agreement-aggregates-without-k", policy.iri)
    if findings:
        return None, findings
    ceiling, sensitive = CLASSIFICATIONS[URIRef(policy.ceiling)]
    return (
        Agreement(
            iri=policy.iri,
            title=policy.title,
            assigner=policy.assigner,
            assignee=policy.assignee,
            purpose=policy.purpose,
            legal_basis=policy.legal_basis,
            classes=frozenset(t for t in policy.permitted if t in known.classes),
            properties=frozenset(t for t in policy.permitted if t in known.ranges),
            ceiling=ceiling,
            sensitive_allowed=sensitive,
            caveats_allowed=frozenset(_local(c, CAVEAT) for c in policy.caveats),
            handling_codes=policy.handling_codes,
            withhold_past_review=not policy.past_review_allowed,
            valid_until=policy.valid_until,
            pseudonymised=Pseudonymised(frozenset(schemes), frozenset(pseudonymised_classes)),
            generalised=tuple(sorted(generalised, key=lambda g: (g.property, g.form.value))),
            prohibited=policy.prohibited,
            k=policy.k,
            quasi_identifiers=policy.quasi_identifiers,
            aggregates_only=policy.aggregates_only,
        ),
        [],
    )
