"""What a dataset entails, from the ontology's class and property hierarchy: two small tables (each
policeonto class or property and its policeonto superclasses or super-properties), read once from the
ontology graph, applied to a dataset's triples as they are loaded.

The embedded store applies the tables itself: it looks up, in the indexes of the graph just bulk-loaded,
the nodes of each class in the table and the triples of each property, and bulk-loads what they entail, so
the entailments cost what the bulk loader costs, not a SPARQL update (a transaction, one quad at a time). A
SPARQL server is sent the same tables as one update (:meth:`Entailment.update`), which it runs where the
data is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from policeonto.store.base import ENTAILED
from policeonto.vocab import POLE

__all__ = ["NAMESPACE", "Entailment", "entailed_quads"]

NAMESPACE = str(POLE)
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@dataclass(frozen=True)
class Entailment:
    """The superclasses of each class and the super-properties of each property (IRIs), policeonto's own
    terms only (``owl:Thing`` and ``rdfs:Resource`` would add a triple per node and answer nothing).

    >>> entail = Entailment(superclasses={"https://w3id.org/policeonto/Crime": ("https://w3id.org/policeonto/Event",)})
    >>> "INSERT" in entail.update("https://example.org/g"), entail.entailed_graph("https://example.org/g")
    (True, 'https://example.org/g/entailed')
    """

    superclasses: Mapping[str, tuple[str, ...]]
    superproperties: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @staticmethod
    def entailed_graph(graph: str) -> str:
        """The companion graph that holds what *graph* entails."""
        return f"{graph}{ENTAILED}"

    def update(self, graph: str) -> str:
        """SPARQL Update that writes what the staged graph ``?staged`` entails to ``<graph>/entailed``
        (for a server, where the data is): the tables as ``VALUES``, joined with the staged triples."""
        entailed = self.entailed_graph(graph)
        classes = _values(self.superclasses)
        properties = _values(self.superproperties)
        return f"""DROP SILENT GRAPH <{entailed}> ;
INSERT {{ GRAPH <{entailed}> {{ ?s a ?super }} }}
WHERE {{ VALUES (?sub ?super) {{ {classes} }} GRAPH ?staged {{ ?s a ?sub }} }} ;
INSERT {{ GRAPH <{entailed}> {{ ?s ?super ?o }} }}
WHERE {{ VALUES (?sub ?super) {{ {properties} }} GRAPH ?staged {{ ?s ?sub ?o }} }}"""


def entailed_quads(
    store: ox.Store, source: ox.NamedNode, target: ox.NamedNode, entail: Entailment
) -> Iterator[ox.Quad]:
    """What the triples of graph *source* in *store* entail, as quads of graph *target*, read from the
    store's indexes: only the nodes of a class in the table, and the triples of a property in it, are read.
    A quad may come more than once (a node of two subclasses of one class); the store keeps it once."""
    for sub, supers in entail.superclasses.items():
        above = [ox.NamedNode(s) for s in supers]
        for quad in store.quads_for_pattern(None, _TYPE, ox.NamedNode(sub), source):
            for superclass in above:
                yield ox.Quad(quad.subject, _TYPE, superclass, target)
    for sub, supers in entail.superproperties.items():
        above = [ox.NamedNode(s) for s in supers]
        for quad in store.quads_for_pattern(None, ox.NamedNode(sub), None, source):
            for superproperty in above:
                yield ox.Quad(quad.subject, superproperty, quad.object, target)


def _values(table: Mapping[str, tuple[str, ...]]) -> str:
    return " ".join(f"(<{sub}> <{sup}>)" for sub, supers in sorted(table.items()) for sup in supers)
