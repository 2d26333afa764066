"""What the ontology entails, so queries over superclasses and super-properties answer correctly.

The build computes the OWL 2 RL closure of the ontology (with its code lists and alignments) once, as an
artefact; the store keeps it in the ontology graph. Each loaded dataset then gets, in a companion graph
``<dataset>/entailed`` written in the same transaction as the dataset itself, every ``rdf:type`` its nodes'
classes entail (a stop and search is an Event, a Record, an Entity) and every triple its properties'
super-properties entail. Queries simply ask for the superclass: ``?e a pole:Event`` finds crimes, searches
and arrests from every force.
"""

from __future__ import annotations

from functools import cache

from rdflib import Graph

from policeonto.store.base import ONTOLOGY_GRAPH, Store
from policeonto.terms import literal
from policeonto.vocab import ARTEFACTS, POLE, artefact_path, schema_view

__all__ = ["ONTOLOGY_GRAPH", "ensure_ontology", "entailed_ontology", "entailment_update"]

_NAMESPACE = "https://w3id.org/policeonto/"


@cache
def entailed_ontology() -> Graph:
    """The ontology, its code lists and alignments, closed under the OWL 2 RL rules: the build's artefact
    (:func:`policeonto.build.entailment.entailed_graph`)."""
    return Graph().parse(artefact_path(ARTEFACTS["entailed"]), format="turtle")


def ensure_ontology(store: Store) -> bool:
    """Load the entailed ontology into *store* unless this version is there already; True if loaded."""
    version = f"<{ONTOLOGY_GRAPH}> <{POLE.ontology_version}> {literal(_version())}"
    present = store.query(f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ {version} }} }}")
    if present.boolean:
        return False
    store.load(artefact_path(ARTEFACTS["entailed"]), graph=ONTOLOGY_GRAPH, syntax="ttl")
    return True


def entailment_update(graph: str) -> str:
    """SPARQL Update that writes what the staged graph ``?staged`` entails to ``<graph>/entailed``."""
    entailed = f"{graph}/entailed"
    within = f'FILTER(isIRI(?super) && ?super != ?sub && STRSTARTS(STR(?super), "{_NAMESPACE}"))'
    return f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
DROP SILENT GRAPH <{entailed}> ;
INSERT {{ GRAPH <{entailed}> {{ ?s a ?super }} }}
WHERE {{ GRAPH ?staged {{ ?s a ?sub }} GRAPH <{ONTOLOGY_GRAPH}> {{ ?sub rdfs:subClassOf ?super {within} }} }} ;
INSERT {{ GRAPH <{entailed}> {{ ?s ?super ?o }} }}
WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?sub rdfs:subPropertyOf ?super {within} }} GRAPH ?staged {{ ?s ?sub ?o }} }}"""


def _version() -> str:
    return str(schema_view().schema.version)
