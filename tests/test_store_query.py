"""The graphs a query over the embedded store runs over: the union of every graph, as fast as one graph,
unless a killed load left something to hide; the same rows either way, and per-dataset graphs still seen
through ``GRAPH ?g``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest

from policeonto.store import EmbeddedStore
from policeonto.store.base import STAGING
from policeonto.store.embedded import query_dataset
from policeonto.store.graph_names import GraphNames
from policeonto.store.jobs import load_inputs
from policeonto.terms import from_oxigraph
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"
FORCES = [*sorted((EXAMPLES / "force-a").glob("*.csv")), EXAMPLES / "force-b" / "export.json"]
QUERIES = sorted((EXAMPLES / "queries").glob("*.rq"))
UNION = {"use_default_graph_as_union": True}
EVENTS_BY_CLASS_LOOKING_UP_EVENT = """PREFIX pole: <https://w3id.org/policeonto/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?class (COUNT(DISTINCT ?event) AS ?events)
WHERE {
  ?event a pole:Event ;
         a ?class .
  GRAPH <https://w3id.org/policeonto/graph/ontology> { ?class rdfs:subClassOf pole:Event }
  FILTER(?class != pole:Event)
}
GROUP BY ?class
ORDER BY DESC(?events) ?class"""
EVENTS_BY_CLASS = {"Crime": 600, "StopAndSearch": 200, "Communication": 150, "PhoneCall": 150}
EVENTS_BY_CLASS |= {"IntelligenceReport": 23, "Warrant": 15}


@pytest.fixture(scope="module")
def location(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding both forces' examples, one graph per dataset, as `policeonto load` leaves it."""
    folder = tmp_path_factory.mktemp("forces") / "store"
    with EmbeddedStore(folder) as store:
        load_inputs(store, FORCES, load_invalid=True)  # the planted faults are errors
    return folder


def test_a_store_a_finished_load_left_is_queried_through_the_union(location: Path) -> None:
    with EmbeddedStore(location, read_only=True) as store:
        assert store._dataset == UNION
        names = store._names
    raw = ox.Store.read_only(str(location))
    assert not [g for g in raw.named_graphs() if g.value.startswith(STAGING)]  # a load leaves no journal named
    assert query_dataset(raw, names) == UNION


def test_a_graph_a_killed_load_left_is_listed_out(tmp_path: Path) -> None:
    raw = ox.Store(str(tmp_path / "store"))
    kept, half = ox.NamedNode("https://example.org/kept"), ox.NamedNode("https://example.org/half")
    names = GraphNames(shown=((kept.value, kept.value),), hidden=(half.value,))
    raw.add(ox.Quad(kept, kept, kept, kept))
    raw.add_graph(half)  # hidden and empty: the union, its name kept out of GRAPH ?g
    assert query_dataset(raw, names) == UNION | {"named_graphs": [kept]}
    raw.add(ox.Quad(half, half, half, half))
    assert query_dataset(raw, names) == {"default_graph": [kept], "named_graphs": [kept]}
    raw.add(ox.Quad(half, half, half))  # the store's own default graph, when it holds quads, is kept
    assert query_dataset(raw, names) == {"default_graph": [ox.DefaultGraph(), kept], "named_graphs": [kept]}


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_every_example_query_answers_the_same_rows_through_the_union_as_through_the_graphs_listed(
    location: Path, query: Path
) -> None:
    text = query.read_text(encoding="utf-8")
    with EmbeddedStore(location, read_only=True) as store:
        answered = _unordered(store.query(text).rows)
    raw = ox.Store.read_only(str(location))
    graphs = [g for g in raw.named_graphs() if not g.value.startswith(STAGING)]
    found = raw.query(text, default_graph=graphs, named_graphs=graphs)
    listed = _unordered(tuple(None if t is None else from_oxigraph(t) for t in row) for row in found)
    assert answered == listed
    if not query.stem.endswith("-resolved-across-forces"):  # needs `policeonto link` first
        assert answered


def _unordered(rows: Iterable[tuple[str | None, ...]]) -> list[tuple[str | None, ...]]:
    """The rows in order, each GROUP_CONCAT's parts in order (SPARQL leaves both undefined)."""
    return sorted(tuple(" | ".join(sorted(c.strip('"').split(" | "))) if c else c for c in row) for row in rows)


def test_graph_queries_still_see_each_dataset_graph(location: Path) -> None:
    sparql = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    with EmbeddedStore(location, read_only=True) as store:
        graphs = {g[1:-1]: int(n.split('"')[1]) for g, n in store.query(sparql).rows}
        assert sorted(graphs) == store.graphs()
    raw = ox.Store.read_only(str(location))
    for graph, count in graphs.items():
        assert count == sum(1 for _ in raw.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    assert any(g.endswith("/entailed") for g in graphs) and len(graphs) >= 4  # datasets, entailments, ontology


@pytest.fixture(scope="module")
def replaced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same store with every dataset loaded again over itself: each graph held by a version."""
    folder = tmp_path_factory.mktemp("replaced") / "store"
    with EmbeddedStore(folder) as store:
        load_inputs(store, FORCES, load_invalid=True)
        load_inputs(store, FORCES, load_invalid=True)
        assert store._names.versions
    return folder


@pytest.mark.parametrize("which", ["loaded", "replaced"])
def test_events_by_class_counts_each_class_as_looking_up_every_event_type_did(
    location: Path, replaced: Path, which: str
) -> None:
    """The example reads the classes from the ontology's closure and leaves out the lookup of each node's
    Event type (the store holds what the ontology entails): the same rows as the query that looked it up."""
    text = (EXAMPLES / "queries" / "events-by-class.rq").read_text(encoding="utf-8")
    with EmbeddedStore(location if which == "loaded" else replaced, read_only=True) as store:
        answered = store.query(text).rows
        assert answered == store.query(EVENTS_BY_CLASS_LOOKING_UP_EVENT).rows
    by_class = {c[1:-1].removeprefix("https://w3id.org/policeonto/"): int(n.split('"')[1]) for c, n in answered}
    assert by_class == EVENTS_BY_CLASS
