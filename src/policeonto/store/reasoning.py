"""What the ontology entails, so queries over superclasses and super-properties answer correctly.

The build computes the OWL 2 RL closure of the ontology (with its code lists and alignments) once, as an
artefact; the store keeps it in the ontology graph. Each loaded dataset then gets, in a companion graph
``<dataset>/entailed`` written in the same transaction as the dataset itself, every ``rdf:type`` its nodes'
classes entail (a stop and search is an Event, a Record, an Entity) and every triple its properties'
super-properties entail. Queries simply ask for the superclass: ``?e a pole:Event`` finds crimes, searches
and arrests from every force.
"""

from __future__ import annotations

import pyoxigraph as ox

from policeonto.output import scratch_directory
from policeonto.rdf_formats import from_extension
from policeonto.store.base import ONTOLOGY_GRAPH, Store
from policeonto.store.entailment import NAMESPACE, Entailment
from policeonto.store.results import plain
from policeonto.store.triples import triples_of
from policeonto.terms import literal
from policeonto.vocab import ARTEFACTS, POLE, artefact_path, schema_view

__all__ = ["ONTOLOGY_GRAPH", "ensure_ontology", "entailment_of", "ontology_entailment"]


#: The artefacts the store's ontology graph holds: the ontology, its code lists and alignments as written,
#: and what their OWL 2 RL closure adds about named terms.
_ONTOLOGY_PARTS = ("owl", "codelists", "alignments", "entailed")


def ensure_ontology(store: Store) -> bool:
    """Load the entailed ontology into *store* unless this version is there already; True if loaded."""
    if _holds_ontology(store):
        return False
    with scratch_directory("policeonto-ontology-") as folder:
        path = folder / "ontology.nt"
        with path.open("wb") as stream:
            for name in _ONTOLOGY_PARTS:
                part = artefact_path(ARTEFACTS[name])
                ox.serialize(triples_of(part, from_extension(part).name), stream, ox.RdfFormat.N_TRIPLES)
        store.load(path, graph=ONTOLOGY_GRAPH, syntax="nt")
    return True


def entailment_of(store: Store) -> Entailment:
    """The class and property tables of the ontology graph in *store* (:func:`ensure_ontology` loads it):
    each class's and property's policeonto superclasses and super-properties, itself left out."""
    tables = []
    for relation in ("subClassOf", "subPropertyOf"):
        found = store.query(
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            f"SELECT ?sub ?super WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?sub rdfs:{relation} ?super "
            f'FILTER(isIRI(?sub) && isIRI(?super) && ?super != ?sub && STRSTARTS(STR(?super), "{NAMESPACE}")) }} }}'
        )
        table: dict[str, list[str]] = {}
        for sub, sup in found.rows:
            table.setdefault(plain(str(sub)), []).append(plain(str(sup)))
        tables.append({sub: tuple(sorted(supers)) for sub, supers in sorted(table.items())})
    return Entailment(superclasses=tables[0], superproperties=tables[1])


def ontology_entailment(store: Store) -> Entailment:
    """The class and property tables of this version of the ontology, as :func:`entailment_of` reads them
    from a store holding it: from *store* if it does, else from the ontology loaded in memory (*store* is left
    untouched). The mapping pipeline writes what a dataset entails by them before the store is written."""
    if _holds_ontology(store):
        return entailment_of(store)
    from policeonto.store.embedded import EmbeddedStore

    with EmbeddedStore() as memory:
        ensure_ontology(memory)
        return entailment_of(memory)


def _holds_ontology(store: Store) -> bool:
    """Whether *store* holds this version of the ontology."""
    version = f"<{ONTOLOGY_GRAPH}> <{POLE.ontology_version}> {literal(_version())}"
    return store.query(f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ {version} }} }}").boolean is True


def _version() -> str:
    return str(schema_view().schema.version)
