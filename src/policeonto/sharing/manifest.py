"""The share manifest that travels with a copy: a PROV-O activity (who, when, under which agreement, from
which inputs with their SHA-256, with which software and vocabulary versions), the DPV purpose and legal
basis, what was shared, withheld by reason and generalised, and the SHA-256 of the copy.

Counts and terms only: no value of any record, and never the key.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV

from policeonto import __version__
from policeonto.sharing.records import InputFile

__all__ = ["DPV", "SHARE", "ShareFacts", "manifest_graph"]

DPV = Namespace("https://w3id.org/dpv#")
SHARE = Namespace("https://w3id.org/policeonto/share#")


@dataclass(frozen=True)
class ShareFacts:
    """What one share did, for its manifest."""

    agreement: str
    agent: str
    recipient: str
    purpose: str
    legal_basis: str
    started: datetime
    ended: datetime
    inputs: tuple[InputFile, ...]
    copy_name: str
    copy_sha256: str
    media_type: str
    vocabulary_version: str
    records_shared: int
    triples_shared: int
    pseudonymised: int
    withheld: Counter[str]
    parts_withheld: Counter[str]
    dropped: Counter[str]
    generalised: Counter[str]
    not_generalised: Counter[str]
    rows_read: int = 0
    rows_rejected: Counter[str] = field(default_factory=Counter)
    suppressed_cells: Counter[str] = field(default_factory=Counter)  # aggregates only: cells under k, by data set


def _counts(graph: Graph, activity: URIRef, link: URIRef, counts: Counter[str], kind: URIRef) -> None:
    for reason, count in sorted(counts.items()):
        node = BNode()
        graph.add((activity, link, node))
        graph.add((node, RDF.type, kind))
        graph.add((node, SHARE.reason, Literal(reason.removeprefix("<").removesuffix(">"))))
        graph.add((node, SHARE["count"], Literal(count, datatype=XSD.integer)))


def manifest_graph(facts: ShareFacts) -> Graph:
    """The manifest of a share as RDF."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in (("prov", PROV), ("dpv", DPV), ("dcterms", DCTERMS), ("share", SHARE), ("xsd", XSD)):
        graph.bind(prefix, namespace)
    activity = URIRef(f"urn:uuid:{uuid.uuid4()}")
    copy = URIRef(f"urn:uuid:{uuid.uuid4()}")
    agreement = URIRef(facts.agreement)
    graph.add((activity, RDF.type, PROV.Activity))
    graph.add((activity, RDF.type, SHARE.Share))
    graph.add((activity, PROV.wasAssociatedWith, URIRef(facts.agent)))
    graph.add((activity, PROV.startedAtTime, Literal(facts.started.isoformat(), datatype=XSD.dateTime)))
    graph.add((activity, PROV.endedAtTime, Literal(facts.ended.isoformat(), datatype=XSD.dateTime)))
    graph.add((activity, SHARE.agreement, agreement))
    graph.add((activity, PROV.used, agreement))
    graph.add((activity, DPV.hasPurpose, URIRef(facts.purpose)))
    graph.add((activity, DPV.hasLegalBasis, URIRef(facts.legal_basis)))
    graph.add((activity, DPV.hasRecipient, URIRef(facts.recipient)))
    graph.add((activity, SHARE.softwareVersion, Literal(__version__)))
    graph.add((activity, SHARE.vocabularyVersion, Literal(facts.vocabulary_version)))
    for item in facts.inputs:
        entity = URIRef(f"urn:sha256:{item.sha256}")
        graph.add((activity, PROV.used, entity))
        graph.add((entity, RDF.type, PROV.Entity))
        graph.add((entity, DCTERMS.title, Literal(item.path.replace("\\", "/").rsplit("/", 1)[-1])))
        graph.add((entity, SHARE.sha256, Literal(item.sha256)))
    graph.add((copy, RDF.type, PROV.Entity))
    graph.add((copy, PROV.wasGeneratedBy, activity))
    graph.add((copy, DCTERMS.title, Literal(facts.copy_name)))
    graph.add((copy, DCTERMS.format, Literal(facts.media_type)))
    graph.add((copy, SHARE.sha256, Literal(facts.copy_sha256)))
    graph.add((activity, SHARE.recordsShared, Literal(facts.records_shared, datatype=XSD.integer)))
    graph.add((activity, SHARE.triplesShared, Literal(facts.triples_shared, datatype=XSD.integer)))
    graph.add((activity, SHARE.pseudonymised, Literal(facts.pseudonymised, datatype=XSD.integer)))
    graph.add((activity, SHARE.rowsRead, Literal(facts.rows_read, datatype=XSD.integer)))
    _counts(graph, activity, SHARE.rowsRejected, facts.rows_rejected, SHARE.RejectedRows)
    _counts(graph, activity, SHARE.withheld, facts.withheld, SHARE.WithheldRecords)
    _counts(graph, activity, SHARE.partsWithheld, facts.parts_withheld, SHARE.WithheldParts)
    _counts(graph, activity, SHARE.dropped, facts.dropped, SHARE.DroppedTriples)
    _counts(graph, activity, SHARE.generalised, facts.generalised, SHARE.GeneralisedValues)
    _counts(graph, activity, SHARE.notGeneralised, facts.not_generalised, SHARE.WithheldValues)
    _counts(graph, activity, SHARE.suppressedCells, facts.suppressed_cells, SHARE.SuppressedCells)
    return graph
