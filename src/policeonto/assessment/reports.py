"""An assessment as a report: terminal text, JSON, and RDF in the W3C Data Quality Vocabulary (DQV) with
PROV-O, so that assessments of many forces and months can be loaded into the store and compared in SPARQL.

Each item is a ``dqv:Metric`` (its level a ``dqv:Dimension`` of the policeonto assessment ``dqv:Category``);
each result a ``dqv:QualityMeasurement`` of the assessed dataset, ``prov:wasGeneratedBy`` the assessment
(a ``prov:Activity``); attested results are ``prov:wasAttributedTo`` the answers file rather than derived
from the data. Level scores are measurements of a metric per level.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from policeonto.assessment.scoring import Assessment

__all__ = ["DQV", "as_dict", "as_dqv", "text_lines"]

DQV = Namespace("http://www.w3.org/ns/dqv#")
_BASE = "https://w3id.org/policeonto/assessment/"


def as_dict(assessment: Assessment) -> dict[str, object]:
    """The assessment as JSON-ready data: criteria version, level scores and gates, the level reached and
    every item's result with its counts and offenders."""
    criteria = assessment.criteria
    return {
        "criteria_version": criteria.version,
        "inputs": list(assessment.inputs),
        "at_level": assessment.at_level,
        "levels": {
            level: {
                "score": assessment.scores[level],
                "gate": criteria.gates[level],
                "reached": assessment.reached(level),
            }
            for level in criteria.levels
        },
        "items": [
            {
                "id": r.item.id,
                "level": r.item.level,
                "description": r.item.description,
                "how": r.item.how,
                "weight": r.item.weight,
                "score": r.measured.score,
                "attested": r.attested,
                "counts": r.measured.counts,
                "offenders": list(r.measured.offenders),
            }
            for r in assessment.results
        ],
    }


def text_lines(assessment: Assessment, *, verbose: bool = False) -> list[str]:
    """The terminal summary: the level reached, each level's score against its gate, and the items below
    1 (every item with *verbose*) with their counts and first offenders."""
    reached = assessment.at_level or "none (foundational not reached)"
    lines = [f"at level: {reached} (criteria {assessment.criteria.version})"]
    for level in assessment.criteria.levels:
        mark = "reached" if assessment.reached(level) else "below gate"
        lines.append(f"{level}: {assessment.scores[level]:.2f} (gate {assessment.criteria.gates[level]:.2f}, {mark})")
        for r in assessment.results:
            if r.item.level != level or (r.measured.score >= 1 and not verbose):
                continue
            kind = "attested" if r.attested else "measured"
            counts = ", ".join(f"{k} {v:,}" for k, v in r.measured.counts.items())
            lines.append(f"  {r.item.id}: {r.measured.score:.2f} {kind} ({counts})")
            for offender in r.measured.offenders[:3]:
                lines.append(f"    {offender}")
    return lines


def as_dqv(assessment: Assessment, *, at: datetime | None = None) -> Graph:
    """The assessment as a DQV and PROV-O graph (see the module's description); *at* is when it was made
    (now by default), which names the assessment activity."""
    at = at or datetime.now(UTC).replace(microsecond=0)
    inputs = "\n".join(sorted(assessment.inputs))
    key = hashlib.sha256(f"{inputs}\n{at.isoformat()}".encode()).hexdigest()[:16]
    graph = Graph()
    for prefix, namespace in (("dqv", DQV), ("prov", PROV), ("dcterms", DCTERMS), ("skos", SKOS)):
        graph.bind(prefix, namespace)
    version = assessment.criteria.version
    scheme = URIRef(f"{_BASE}criteria/{version}/")
    category = URIRef(f"{scheme}interoperability")
    activity = URIRef(f"{_BASE}run/{key}")
    dataset = URIRef(f"{_BASE}assessed/{hashlib.sha256(inputs.encode()).hexdigest()[:16]}")
    graph.add((category, RDF.type, DQV.Category))
    graph.add((category, SKOS.prefLabel, Literal("Interoperability maturity", lang="en")))
    graph.add((activity, RDF.type, PROV.Activity))
    graph.add((activity, PROV.endedAtTime, Literal(at.isoformat(), datatype=XSD.dateTime)))
    graph.add((activity, DCTERMS.conformsTo, scheme))
    graph.add((dataset, RDF.type, PROV.Entity))
    for path in assessment.inputs:
        graph.add((dataset, DCTERMS.source, Literal(path)))
        graph.add((activity, PROV.used, dataset))
    answers = URIRef(f"{_BASE}answers/{key}")
    for level in assessment.criteria.levels:
        dimension = URIRef(f"{scheme}{level}")
        graph.add((dimension, RDF.type, DQV.Dimension))
        graph.add((dimension, SKOS.prefLabel, Literal(level, lang="en")))
        graph.add((dimension, DQV.inCategory, category))
        metric = URIRef(f"{scheme}{level}-score")
        graph.add((metric, RDF.type, DQV.Metric))
        graph.add((metric, DQV.inDimension, dimension))
        graph.add((metric, DQV.expectedDataType, XSD.decimal))
        _measurement(graph, f"{activity}/{level}", metric, dataset, activity, assessment.scores[level])
    for r in assessment.results:
        metric = URIRef(f"{scheme}{r.item.id}")
        graph.add((metric, RDF.type, DQV.Metric))
        graph.add((metric, DQV.inDimension, URIRef(f"{scheme}{r.item.level}")))
        graph.add((metric, SKOS.definition, Literal(r.item.description, lang="en")))
        graph.add((metric, RDFS.comment, Literal(r.item.how, lang="en")))
        graph.add((metric, DQV.expectedDataType, XSD.decimal))
        measurement = _measurement(graph, f"{activity}/{r.item.id}", metric, dataset, activity, r.measured.score)
        if r.attested:
            graph.add((measurement, PROV.wasAttributedTo, answers))
        else:
            graph.add((measurement, PROV.wasDerivedFrom, dataset))
        for name, count in r.measured.counts.items():
            node = BNode()
            graph.add((measurement, RDFS.seeAlso, node))
            graph.add((node, RDFS.label, Literal(name)))
            graph.add((node, RDF.value, Literal(count)))
    return graph


def _measurement(graph: Graph, iri: str, metric: URIRef, dataset: URIRef, activity: URIRef, value: float) -> URIRef:
    measurement = URIRef(iri)
    graph.add((measurement, RDF.type, DQV.QualityMeasurement))
    graph.add((measurement, DQV.isMeasurementOf, metric))
    graph.add((measurement, DQV.computedOn, dataset))
    graph.add((measurement, DQV.value, Literal(f"{value:.4f}", datatype=XSD.decimal)))
    graph.add((measurement, PROV.wasGeneratedBy, activity))
    return measurement
