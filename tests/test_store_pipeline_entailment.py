"""Entailments computed in the mapping pipeline, as each node's rdf:type is written, and bulk-loaded beside the
dataset: the store ends with the same quads, one for one, as when it reads them back from the loaded graph;
a replacement and `policeonto load` keep them; tables that differ from the store's are not trusted."""

from __future__ import annotations

from pathlib import Path

import pytest

from policeonto.mapping import MapOptions
from policeonto.mapping.entailing import Entailer
from policeonto.mapping.writing import dataset_file, entailed_file
from policeonto.scale.executor import Executor
from policeonto.store import EmbeddedStore
from policeonto.store.entailment import Entailment
from policeonto.store.jobs import _mapped_into, _Publisher, load_inputs
from policeonto.store.reasoning import ONTOLOGY_GRAPH, ensure_ontology, entailment_of, ontology_entailment

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [
    *sorted((ROOT / "examples" / "force-a").glob("*.csv")),
    ROOT / "examples" / "force-b" / "export.json",
    *sorted((ROOT / "examples" / "police-uk").glob("*.csv")),
    ROOT / "tests" / "data" / "sources" / "outcomes-sample.csv",
]
Quads = set[tuple[str, ...]]


def _quads(store: EmbeddedStore) -> Quads:
    """Every quad outside the ontology graph (whose blank nodes are labelled afresh by each load), a replaced
    graph's version under the graph's name."""
    names = {f"<{v}{end}>": f"<{g}{end}>" for g, v in store._pointers.items() for end in ("", "/entailed")}
    found = {tuple(str(t) for t in (q.subject, q.predicate, q.object, q.graph_name)) for q in store._store}
    return {(*q[:3], names.get(q[3], q[3])) for q in found if q[3] != f"<{ONTOLOGY_GRAPH}>"}


def _mapped(folder: Path, entail: Entailment) -> list[str]:
    files = _mapped_into(folder, EXAMPLES, (None, None), False, MapOptions(), Executor(), entail)
    return sorted({f.dataset for f in files if f.dataset})


def _load(folder: Path, datasets: list[str], *, written: bool, times: int = 1) -> Quads:
    with EmbeddedStore() as store:
        ensure_ontology(store)
        entail = entailment_of(store)
        for _ in range(times):
            for dataset in datasets:
                entailed = entailed_file(folder, dataset) if written else None
                store.load(dataset_file(folder, dataset), graph=dataset, syntax="nt", entail=entail, entailed=entailed)
        return _quads(store)


@pytest.fixture(scope="module")
def mapped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("mapped")
    with EmbeddedStore() as memory:
        return folder, _mapped(folder, ontology_entailment(memory))


def test_the_pipeline_writes_what_the_store_would_read_back(mapped: tuple[Path, list[str]]) -> None:
    folder, datasets = mapped
    assert len(datasets) > 3 and all(entailed_file(folder, d).stat().st_size for d in datasets)
    read_back = _load(folder, datasets, written=False)
    assert sum(q[3].endswith("/entailed>") for q in read_back) > 1000
    assert _load(folder, datasets, written=True) == read_back  # quad for quad
    assert _load(folder, datasets, written=True, times=2) == read_back  # replaced: a version, the same quads


def test_the_ontology_tables_are_the_stores(tmp_path: Path) -> None:
    with EmbeddedStore() as empty, EmbeddedStore(tmp_path / "store") as store:
        outside = ontology_entailment(empty)
        assert not empty.graphs()  # read in memory: the store is left untouched
        ensure_ontology(store)
        assert ontology_entailment(store) == outside == entailment_of(store)


def test_entailed_lines_of_a_batch_and_of_provenance() -> None:
    import polars as pl
    import rdflib

    pole = "https://w3id.org/policeonto/"
    entailer = Entailer({f"{pole}Crime": (f"{pole}Event", f"{pole}Entity")}, {f"{pole}suspect": (f"{pole}person",)})
    subjects = pl.DataFrame({"s": ["<https://ex.org/c1>", "<https://ex.org/c2>"]})
    columns = [
        ("<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", pl.Series([f"<{pole}Crime>", f"<{pole}Person>"])),
        (f"<{pole}suspect>", pl.Series(["<https://ex.org/p1>", None])),
    ]
    lines = sorted(line for series in entailer.lines(subjects, columns) for line in series)
    assert lines == sorted(
        [
            f"<https://ex.org/c1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{pole}Entity> .",
            f"<https://ex.org/c1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{pole}Event> .",
            f"<https://ex.org/c1> <{pole}person> <https://ex.org/p1> .",
        ]
    )
    graph = rdflib.Graph()
    graph.add((rdflib.URIRef("https://ex.org/c3"), rdflib.RDF.type, rdflib.URIRef(f"{pole}Crime")))
    assert len(entailer.graph_lines(graph)) == 2


def test_tables_other_than_the_stores_are_not_trusted(mapped: tuple[Path, list[str]], tmp_path: Path) -> None:
    folder, datasets = mapped
    read_back = _load(folder, datasets[:1], written=False)
    # What other tables entailed: a type no table of the store's gives, which would show if the file were used.
    other = tmp_path / "other.entailed.nt"
    other.write_text("<https://ex.org/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://ex.org/Y> .\n")
    with EmbeddedStore() as store:
        publish = _Publisher(store, kept=set(), mapped_with=Entailment(superclasses={}))
        publish(dataset_file(folder, datasets[0]), datasets[0], "nt", other)
        assert _quads(store) == read_back
        assert publish.mapped_with != publish.entail
    with EmbeddedStore() as store:  # the same file, under the store's own tables, is what is loaded
        ensure_ontology(store)
        publish = _Publisher(store, kept=set(), mapped_with=entailment_of(store))
        publish(dataset_file(folder, datasets[0]), datasets[0], "nt", other)
        assert ("<https://ex.org/x>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<https://ex.org/Y>") in {
            q[:3] for q in _quads(store)
        }


def test_load_writes_the_pipelines_entailments(tmp_path: Path) -> None:
    street = ROOT / "examples" / "police-uk" / "2024-01-kent-street.csv"
    with EmbeddedStore(tmp_path / "store") as store:
        [done] = load_inputs(store, [street])
        event = "<https://w3id.org/policeonto/Event>"
        entailed = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{done.graph}/entailed> {{ ?s a {event} }} }}")
        assert done.loaded and int(entailed.values("n").pop()) > 0
