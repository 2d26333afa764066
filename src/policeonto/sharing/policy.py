"""Read an ODRL 2.2 agreement graph into a :class:`Policy`: what it says, in ODRL's own terms, before the
ontology is asked what its targets are.

The reading is strict. A term of the ODRL or profile namespace that an agreement may not use, a file
without exactly one ``odrl:Agreement``, or permissions whose constraints differ are findings, never guesses.
The graph's shape (cardinalities, operators, datatypes) is checked by the profile's SHACL shapes first
(:mod:`policeonto.sharing.profile`); this module relies on that and reads values only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from policeonto.findings import Finding, make
from policeonto.sharing.terms import DPV, ODRL, ODRL_TERMS, POA, PROFILE
from policeonto.vocab import artefact_path

__all__ = ["PROFILE_PATH", "Policy", "find_policy", "profile_terms", "read_policy", "unknown_terms"]

#: Where the profile's terms are declared.
PROFILE_PATH = Path("ontology/policeonto-odrl-profile.ttl")

_DCTERMS_TITLE = URIRef("http://purl.org/dc/terms/title")


@dataclass(frozen=True)
class Policy:
    """An agreement as ODRL says it: IRIs and values, not yet checked against the ontology."""

    iri: str
    title: str
    assigner: str
    assignee: str
    legal_basis: str
    purpose: str
    ceiling: str  # IRI of the right operand of poa:classification
    valid_until: date | None = None
    caveats: frozenset[str] = frozenset()  # IRIs
    handling_codes: frozenset[str] = frozenset()
    past_review_allowed: bool = False
    aggregates_only: bool = False
    permitted: frozenset[str] = frozenset()
    prohibited: frozenset[str] = frozenset()
    pseudonymised: frozenset[str] = frozenset()
    generalised: tuple[tuple[str, str], ...] = ()  # (property IRI, action IRI), sorted
    k: int | None = None
    quasi_identifiers: tuple[str, ...] = ()  # sorted


@cache
def profile_terms() -> frozenset[URIRef]:
    """Every term the profile declares (``rdfs:isDefinedBy poa:``), and the profile's own IRI."""
    graph = Graph().parse(artefact_path(PROFILE_PATH), format="turtle")
    return frozenset(s for s in graph.subjects(RDFS.isDefinedBy, PROFILE) if isinstance(s, URIRef)) | {PROFILE}


def unknown_terms(graph: Graph, file: str) -> list[Finding]:
    """A finding for each IRI of the ODRL or profile namespace in *graph* that an agreement may not use."""
    known = ODRL_TERMS | profile_terms()
    seen: set[URIRef] = set()
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef) and term not in known and str(term).startswith((str(ODRL), str(POA))):
                seen.add(term)
    return [make("agreement-unknown-term", file=file, value=str(term)) for term in sorted(seen)]


def find_policy(graph: Graph, file: str) -> tuple[URIRef | None, list[Finding]]:
    """The one ``odrl:Agreement`` of *graph*, or the finding that there is not exactly one, named by an IRI."""
    agreements = sorted(graph.subjects(RDF.type, ODRL.Agreement), key=str)
    if len(agreements) == 1 and isinstance(agreements[0], URIRef):
        return agreements[0], []
    if not agreements:
        value = "no odrl:Agreement"
    elif len(agreements) > 1:
        value = f"{len(agreements)} odrl:Agreement policies; an agreement file holds one"
    else:
        value = "the odrl:Agreement is a blank node; name it by an IRI"
    return None, [make("agreement-not-one-policy", file=file, value=value)]


def _one(graph: Graph, subject: Node, predicate: URIRef) -> Node:
    return next(iter(sorted(graph.objects(subject, predicate), key=str)))


def _targets(graph: Graph, rule: Node) -> Iterator[str]:
    """The assets a rule targets: each IRI, and each member (``odrl:partOf``) of an asset collection."""
    for target in graph.objects(rule, ODRL.target):
        if (target, RDF.type, ODRL.AssetCollection) in graph:
            yield from (str(m) for m in graph.subjects(ODRL.partOf, target) if isinstance(m, URIRef))
        else:
            yield str(target)


def _constraints(graph: Graph, permission: Node) -> frozenset[tuple[str, str, frozenset[Node]]]:
    return frozenset(
        (
            str(_one(graph, c, ODRL.leftOperand)),
            str(_one(graph, c, ODRL.operator)),
            frozenset(graph.objects(c, ODRL.rightOperand)),
        )
        for c in graph.objects(permission, ODRL.constraint)
    )


def read_policy(graph: Graph, policy: URIRef, file: str) -> tuple[Policy | None, list[Finding]]:
    """Read the agreement *policy* of *graph* (already checked against the profile's shapes).

    Returns the policy, or None and the findings that stop it being read (permissions that differ in
    their constraints).
    """
    permissions = sorted(graph.objects(policy, ODRL.permission), key=str)
    first = _constraints(graph, permissions[0])
    if any(_constraints(graph, p) != first for p in permissions[1:]):
        return None, [
            make("agreement-constraints-differ", file=file, focus_node=str(policy), value=str(len(permissions)))
        ]
    constraints = {left: (operator, rights) for left, operator, rights in first}
    permitted: set[str] = set()
    pseudonymised: set[str] = set()
    generalised: set[tuple[str, str]] = set()
    k: int | None = None
    quasi: set[str] = set()
    for permission in permissions:
        permitted.update(_targets(graph, permission))
        for duty in graph.objects(permission, ODRL.duty):
            action = _one(graph, duty, ODRL.action)
            targets = set(_targets(graph, duty))
            if isinstance(action, BNode):  # poa:kAnonymise, refined by poa:k
                refinement = _one(graph, action, ODRL.refinement)
                k = int(_one(graph, refinement, ODRL.rightOperand).toPython())  # type: ignore[union-attr]
                quasi |= targets
            elif action == POA.pseudonymise:
                pseudonymised |= targets
            else:
                generalised |= {(target, str(action)) for target in targets}
    prohibited = {t for rule in graph.objects(policy, ODRL.prohibition) for t in _targets(graph, rule)}

    def rights(left: URIRef) -> frozenset[Node]:
        return constraints.get(str(left), ("", frozenset()))[1]

    until = rights(ODRL.dateTime)
    return (
        Policy(
            iri=str(policy),
            title=str(_one(graph, policy, _DCTERMS_TITLE)),
            assigner=str(_one(graph, policy, ODRL.assigner)),
            assignee=str(_one(graph, policy, ODRL.assignee)),
            legal_basis=str(_one(graph, policy, DPV.hasLegalBasis)),
            purpose=str(next(iter(rights(ODRL.purpose)))),
            ceiling=str(next(iter(rights(POA.classification)))),
            valid_until=next(iter(until)).toPython() if until else None,  # type: ignore[attr-defined]
            caveats=frozenset(str(v) for v in rights(POA.nationalCaveat)),
            handling_codes=frozenset(str(v) for v in rights(POA.handlingCode) if isinstance(v, Literal)),
            past_review_allowed=POA.pastReview in rights(POA.mopiReview),
            aggregates_only=POA.aggregatesOnly in rights(POA.disclosure),
            permitted=frozenset(permitted),
            prohibited=frozenset(prohibited),
            pseudonymised=frozenset(pseudonymised),
            generalised=tuple(sorted(generalised)),
            k=k,
            quasi_identifiers=tuple(sorted(quasi)),
        ),
        [],
    )
