"""Fuzz target: the store's load path, with RDF that names graphs (N-Quads, TriG) or cannot (N-Triples,
Turtle).

The first byte of an input picks the syntax; the rest is the file. It is loaded, with its entailments, into
one graph of an in-memory embedded store that already holds an ontology graph and another dataset's graph.
Invariants: every other graph is unchanged, whatever graph names the file gives; a load that succeeds holds
as many triples as the file has distinct ones; a load that fails raises a policeonto error naming the file
and leaves the whole store as it was.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from fuzz.harness import ROOT, Bug, Seeds, expected, main, scratch

if TYPE_CHECKING:
    from policeonto.store import EmbeddedStore
    from policeonto.store.entailment import Entailment

NAME = "store_load"
SUFFIXES = (".nq", ".trig", ".nt", ".ttl")
TARGET = "https://example.org/fuzz/loaded"
_DATASET = "https://w3id.org/policeonto/data/dataset/fuzz-other"
_RECORDS = ROOT / "tests" / "data" / "valid" / "records-system.ttl"
_ONTOLOGY = b"""<https://w3id.org/policeonto/StopAndSearch> <http://www.w3.org/2000/01/rdf-schema#subClassOf> \
<https://w3id.org/policeonto/Event> .
<https://w3id.org/policeonto/Event> <http://www.w3.org/2000/01/rdf-schema#subClassOf> \
<https://w3id.org/policeonto/Entity> .
"""
Quads = set[tuple[str | None, ...]]


@cache
def _store() -> EmbeddedStore:
    """The store every input is loaded into: an ontology graph and another dataset's graph, loaded once."""
    from policeonto.store import EmbeddedStore
    from policeonto.store.reasoning import ONTOLOGY_GRAPH, entailment_of

    store = EmbeddedStore()
    store.load(scratch("ontology.nt", _ONTOLOGY), graph=ONTOLOGY_GRAPH, syntax="nt")
    store.load(_RECORDS, graph=_DATASET, syntax="ttl", entail=entailment_of(store))
    return store


@cache
def _entailment() -> Entailment:
    """The class and property tables of the store's ontology graph, read once."""
    from policeonto.store.reasoning import entailment_of

    return entailment_of(_store())


def _quads(store: EmbeddedStore) -> Quads:
    return set(store.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }").rows)


def check(data: bytes) -> None:
    """Load *data* into the store's target graph; raise :class:`~fuzz.harness.Bug` if an invariant breaks."""
    import pyoxigraph as ox

    from policeonto.rdf_formats import by_name

    if not data:
        return
    suffix = SUFFIXES[data[0] % len(SUFFIXES)]
    path = scratch("input" + suffix, data[1:])
    syntax = suffix[1:]
    store = _store()
    before = _quads(store)
    try:
        count = store.load(path, graph=TARGET, syntax=syntax, entail=_entailment())
    except Exception as exc:
        if not expected(exc, path):
            raise Bug.unexpected(exc, f"loading {path.name}") from exc
        if _quads(store) != before:
            raise Bug(f"{path.name}: a failed load changed the store") from exc
        return
    after = _quads(store)
    ours = {f"<{TARGET}>", f"<{TARGET}/entailed>"}
    if {q for q in after if q[0] not in ours} != {q for q in before if q[0] not in ours}:
        raise Bug(f"{path.name}: loading it changed a graph other than <{TARGET}>")
    try:
        distinct = len(
            {(q.subject, q.predicate, q.object) for q in ox.parse(path=str(path), format=by_name(syntax).oxigraph)}
        )
    except (SyntaxError, ValueError) as exc:
        raise Bug(f"{path.name}: loaded as {count} triples, but pyoxigraph cannot parse it: {exc}") from exc
    if count != distinct or sum(1 for q in after if q[0] == f"<{TARGET}>") != count:
        raise Bug(f"{path.name}: loaded as {count} triples; the file has {distinct} distinct ones")
    store.update(f"DROP SILENT GRAPH <{TARGET}> ; DROP SILENT GRAPH <{TARGET}/entailed>")


def seeds() -> Seeds:
    """A records file written in every syntax, its triples spread over the graphs a hostile file would
    name (the ontology, the other dataset, the journal, a staging graph), and the default graph."""
    from rdflib import Dataset, Graph, URIRef

    from policeonto.store.base import STAGING
    from policeonto.store.reasoning import ONTOLOGY_GRAPH

    graph = Graph().parse(_RECORDS)
    names = [ONTOLOGY_GRAPH, _DATASET, f"{STAGING}journal", f"{STAGING}20250101T000000Z-x", None]
    dataset = Dataset()
    for index, triple in enumerate(sorted(graph)):
        name = names[index % len(names)]
        (dataset.graph(URIRef(name)) if name else dataset.default_context).add(triple)
    for index, suffix in enumerate(SUFFIXES):
        rdflib_format = {".nq": "nquads", ".trig": "trig", ".nt": "nt", ".ttl": "turtle"}[suffix]
        text = (dataset if suffix in {".nq", ".trig"} else graph).serialize(format=rdflib_format)
        yield f"records-system{suffix}", bytes([index]) + text.encode("utf-8")
    journal = f'<{_DATASET}> <https://w3id.org/policeonto/loading> "true" <{STAGING}journal> .\n'
    yield "journal.nq", bytes([0]) + journal.encode("utf-8")


if __name__ == "__main__":
    main(check, imports=("policeonto.store", "policeonto.store.embedded"), packages=("rdflib.plugins.parsers",))
