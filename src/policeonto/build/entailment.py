"""What the ontology entails: its OWL 2 RL closure, computed once at build time.

owlrl closes the ontology with its code lists and alignments (a quarter of a minute of CPU at today's size,
growing faster than the model); the store loads the result as it is, so no load, query or share pays for it
again. The artefact holds what the closure adds about named terms, as sorted N-Triples (the same schema
always gives the same bytes); the class expressions and lists that OWL writes with blank nodes stay in the
ontology's own artefacts, which the store loads beside it.
"""

from __future__ import annotations

import owlrl
from rdflib import BNode, Graph, Literal, URIRef

from policeonto.store.base import ONTOLOGY_GRAPH
from policeonto.vocab import POLE

__all__ = ["entailed_graph", "entailed_ntriples"]


def entailed_graph(*graphs: Graph, version: str) -> Graph:
    """What the union of *graphs* closed under the OWL 2 RL rules says about named terms (no triple with a
    blank node, and none of OWL RL's generalised triples with a literal subject), stamped with the ontology
    *version* the store checks before loading.

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
    for triple in [t for t in graph if isinstance(t[0], Literal) or any(isinstance(n, BNode) for n in t)]:
        graph.remove(triple)
    graph.add((URIRef(ONTOLOGY_GRAPH), POLE.ontology_version, Literal(version)))
    return graph


def entailed_ntriples(graph: Graph, *, header: str) -> str:
    """*graph* as sorted N-Triples under a comment *header*: the same graph always gives the same text."""
    lines = sorted(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in graph)
    comments = [f"# {line}".rstrip() for line in header.strip().splitlines()]
    return "\n".join([*comments, "", *lines]) + "\n"
