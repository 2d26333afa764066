"""What the ontology entails: its OWL 2 RL closure, computed once at build time.

owlrl closes the ontology with its code lists and alignments (a few seconds of CPU at today's size, growing
faster than the model); the store loads the result as it is, so no load, query or share pays for it again.
"""

from __future__ import annotations

import owlrl
from rdflib import Graph, Literal, URIRef

from policeonto.store.base import ONTOLOGY_GRAPH
from policeonto.vocab import POLE

__all__ = ["entailed_graph"]


def entailed_graph(*graphs: Graph, version: str) -> Graph:
    """The union of *graphs* closed under the OWL 2 RL rules, without OWL RL's generalised triples (a
    literal as subject is not RDF), stamped with the ontology *version* the store checks before loading.

    >>> from rdflib import RDF, RDFS
    >>> g = Graph()
    >>> _ = g.add((POLE.Crime, RDFS.subClassOf, POLE.Event)).add((POLE.Event, RDFS.subClassOf, POLE.Record))
    >>> closed = entailed_graph(g, version="9.9.9")
    >>> (POLE.Crime, RDFS.subClassOf, POLE.Record) in closed
    True
    >>> closed.value(URIRef(ONTOLOGY_GRAPH), POLE.ontology_version)
    rdflib.term.Literal('9.9.9')
    """
    graph = Graph()
    for part in graphs:
        graph += part
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    for triple in [t for t in graph if isinstance(t[0], Literal)]:
        graph.remove(triple)
    graph.add((URIRef(ONTOLOGY_GRAPH), POLE.ontology_version, Literal(version)))
    return graph
