"""Replacing a graph of the embedded store: the new data goes under a version name and a pointer is switched
to it in one atomic step (the store's versions file replaced), so a replacement costs a bulk load, not a
deletion inside a transaction.

- Queries and updates see the names the user loaded under: every query below answers the same on a store
  where the graph was replaced as on one where the same file was loaded once.
- A store whose graphs were replaced is still queried through Oxigraph's union of every graph: the pointers
  are in a file, not in a graph the union would show.
- A replacement killed at each stage leaves the old graph whole (before the switch) or the new one whole
  (after it), for a reader at once and once the next writer has removed what was left.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from policeonto.errors import StoreError
from policeonto.store import EmbeddedStore
from policeonto.store.base import VERSIONS
from policeonto.store.embedded import LOCK_FILE
from policeonto.store.folder import VERSIONS_FILE
from policeonto.store.graph_names import POINTERS
from policeonto.store.reasoning import ensure_ontology, entailment_of
from policeonto.vocab import ARTEFACTS, artefact_path
from tests.conftest import ROOT

EX = "https://example.org/"
GRAPH = f"{EX}graph/replaced"  # the graph describes itself: its name is the subject of a triple in it
OTHER = f"{EX}graph/kept"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ONTOLOGY = "https://w3id.org/policeonto/graph/ontology"


def _write(path: Path, tag: str, count: int) -> Path:
    lines = [f'<{EX}{tag}/{i}> <{EX}name> "{tag} {i}" .\n' for i in range(count)]
    lines += [f"<{EX}{tag}/{i}> <{TYPE}> <https://w3id.org/policeonto/Crime> .\n" for i in range(count)]
    path.write_text("".join(lines) + f'<{GRAPH}> <{EX}source> "{tag}" .\n', encoding="utf-8")
    return path


QUERIES = [
    f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}",
    f"PREFIX g: <{EX}graph/> SELECT ?o WHERE {{ GRAPH g:replaced {{ g:replaced ?p ?o }} }}",
    f"SELECT ?g ?o WHERE {{ GRAPH ?g {{ ?g <{EX}source> ?o }} }}",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    f"SELECT * WHERE {{ GRAPH ?g {{ ?s <{EX}source> ?o }} }}",
    f"SELECT DISTINCT * WHERE {{ GRAPH ?g {{ ?s a ?class }} FILTER(?g != <{OTHER}> && isIRI(?s)) }}",
    "SELECT ?g WHERE { GRAPH ?g { } }",
    f"SELECT ?x WHERE {{ VALUES ?g {{ <{GRAPH}> }} GRAPH ?g {{ ?x <{EX}source> ?o }} }}",
    f"SELECT ?s WHERE {{ OPTIONAL {{ GRAPH ?h {{ ?s <{EX}source> 'new' }} }} }}",
    f"ASK {{ GRAPH <{GRAPH}/entailed> {{ <{EX}new/1> a <https://w3id.org/policeonto/Event> }} }}",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/policeonto/Event> . GRAPH ?g { ?s ?p ?o } }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
]


def _answers(store: EmbeddedStore) -> list[object]:
    found: list[object] = [store.graphs()]
    for sparql in QUERIES:
        result = store.query(sparql)
        rows = (result.variables, sorted(map(str, result.rows)))
        found.append(result.boolean if result.boolean is not None else rows)
    return found


def _store(location: Path | None, *files: Path) -> EmbeddedStore:
    """A store (in memory without *location*) with OTHER loaded, then GRAPH loaded from each of *files*."""
    store = EmbeddedStore(location)
    ensure_ontology(store)
    entail = entailment_of(store)
    other = (files[0].parent if location is None else location.parent) / "other.nt"
    store.load(_write(other, "other", 3), graph=OTHER, syntax="nt", entail=entail)
    for path in files:
        store.load(path, graph=GRAPH, syntax="nt", entail=entail)
    return store


def test_a_replaced_graph_answers_as_one_loaded_once(tmp_path: Path) -> None:
    old, new = _write(tmp_path / "old.nt", "old", 50), _write(tmp_path / "new.nt", "new", 20)
    once = _store(tmp_path / "once" / "store", new)
    replaced = _store(tmp_path / "replaced" / "store", old, new, old, new)  # replaced three times
    assert GRAPH in replaced._names.versions  # kept under a version name
    assert _answers(replaced) == _answers(once)
    shown = [str(row) for sparql in QUERIES if (rows := replaced.query(sparql).rows) for row in rows]
    assert not [row for row in shown if VERSIONS in row]  # no version name reaches a result
    version = replaced._names.versions[GRAPH]
    assert not replaced.query(f"ASK {{ GRAPH <{version}> {{ ?s ?p ?o }} }}").boolean  # nor is reached by one
    stored = {g.value for g in replaced._store.named_graphs()}  # the old versions are gone
    assert stored == {g for g in {g.value for g in once._store.named_graphs()} if not g.startswith(GRAPH)} | {
        version,
        f"{version}/entailed",
    }
    assert _pointers(tmp_path / "replaced" / "store") == {GRAPH: version}  # the pointer, in the file
    once.close()
    replaced.close()
    with EmbeddedStore(tmp_path / "replaced" / "store", read_only=True) as reader:
        assert _answers(reader) == [*_answers_of(tmp_path / "once" / "store")]


def _pointers(location: Path) -> dict[str, str]:
    return json.loads((location / VERSIONS_FILE).read_text(encoding="utf-8"))


def _answers_of(location: Path) -> list[object]:
    with EmbeddedStore(location, read_only=True) as store:
        return _answers(store)


UPDATES = [
    f"DELETE WHERE {{ GRAPH <{GRAPH}> {{ <{EX}new/1> ?p ?o }} }}",
    f"INSERT {{ GRAPH ?g {{ ?g <{EX}checked> true }} }} WHERE {{ GRAPH ?g {{ ?g <{EX}source> ?o }} }}",
    f"COPY <{GRAPH}> TO <{EX}graph/copy>",
]


def test_updates_write_graphs_by_their_names(tmp_path: Path) -> None:
    old, new = _write(tmp_path / "old.nt", "old", 50), _write(tmp_path / "new.nt", "new", 20)
    once = _store(tmp_path / "once" / "store", new)
    replaced = _store(tmp_path / "replaced" / "store", old, new)
    for update in UPDATES:
        once.update(update)
        replaced.update(update)
        assert _answers(replaced) == _answers(once), update
    replaced.load(old, graph=GRAPH, syntax="nt", entail=entailment_of(replaced))  # and replaced again
    once.load(old, graph=GRAPH, syntax="nt", entail=entailment_of(once))
    assert _answers(replaced) == _answers(once)
    once.close()
    replaced.close()


# The stages of a replacement where the process dies: `stage` is a function the store calls, replaced by one
# that calls the real one (or not) and then kills the process.
_KILL = """
import os, sys
from pathlib import Path
import policeonto.store.embedded as embedded
from policeonto.store import EmbeddedStore
from policeonto.store.reasoning import entailment_of
stage, after = sys.argv[1], sys.argv[2] == "after"
store = EmbeddedStore(Path(sys.argv[3]))
entail = entailment_of(store)
owner = next(o for o in (embedded.folder, embedded, embedded.EmbeddedStore) if hasattr(o, stage))
real = getattr(owner, stage)
def dying(*args, **kwargs):
    if after:
        real(*args, **kwargs)
    os._exit(9)
setattr(owner, stage, dying)
store.load(Path(sys.argv[4]), graph=sys.argv[5], syntax="nt", entail=entail)
"""


@pytest.mark.parametrize(
    ("stage", "after", "survives"),
    [
        ("_bulk_load", "after", "old"),  # the new version written, not switched to
        ("write_versions", "before", "old"),  # about to switch
        ("write_versions", "after", "new"),  # switched, the old version not deleted yet
        ("_drop", "after", "new"),  # the old version deleted, not its entailments
    ],
)
def test_a_replacement_killed_at_each_stage_leaves_one_graph_whole(
    tmp_path: Path, stage: str, after: str, survives: str
) -> None:
    location = tmp_path / "store"
    first, current = _write(tmp_path / "first.nt", "first", 100), _write(tmp_path / "current.nt", "current", 200)
    _store(location, first, current).close()  # replaced once already: the graph as it is is a version
    incoming = _write(tmp_path / "incoming.nt", "incoming", 300)
    run = subprocess.run(
        [sys.executable, "-c", _KILL, stage, after, str(location), str(incoming), GRAPH],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert run.returncode == 9, run.stderr
    expected = 200 * 2 + 1 if survives == "old" else 300 * 2 + 1
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
    with EmbeddedStore(location, read_only=True) as reader:  # at once, with what the killed process left
        assert reader.query(query).values("n") == {str(expected)}
        assert reader.graphs() == sorted([GRAPH, f"{GRAPH}/entailed", OTHER, f"{OTHER}/entailed", ONTOLOGY])
    with EmbeddedStore(location) as store:  # the next writer removes what was left
        assert store.query(query).values("n") == {str(expected)}
        version = store._names.versions[GRAPH]
        stored = {g.value for g in store._store.named_graphs()}
        assert {g for g in stored if g.startswith(VERSIONS)} == {version, f"{version}/entailed"}
        assert not {GRAPH, f"{GRAPH}/entailed"} & stored
        assert _pointers(location) == {GRAPH: version}
    assert (location / LOCK_FILE).exists()


def test_a_physical_version_name_is_no_graph_a_load_may_name(tmp_path: Path) -> None:
    data = _write(tmp_path / "one.nt", "one", 1)
    with EmbeddedStore() as store:
        for graph in (f"{VERSIONS}x", POINTERS.value):
            with pytest.raises(Exception, match="reserved by policeonto"):
                store.load(data, graph=graph, syntax="nt")
        assert store.graphs() == []
        # a version name written in a query reaches nothing, whatever the store holds
        store.load(data, graph=GRAPH, syntax="nt")
        store.load(data, graph=GRAPH, syntax="nt")
        version = store._names.versions[GRAPH]
        for name in (version, POINTERS.value):
            assert not store.query(f"ASK {{ GRAPH <{name}> {{ ?s ?p ?o }} }}").boolean
        assert store.query(f"ASK {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}").boolean


def test_the_ontology_graph_replaced_still_answers(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "store") as store:
        ensure_ontology(store)
        before = entailment_of(store)
        store.load(artefact_path(ARTEFACTS["entailed"]), graph=ONTOLOGY, syntax="nt")
        assert ONTOLOGY in store._names.versions
        after = entailment_of(store)
        assert after.superclasses == before.superclasses and after.superclasses


UNION = {"use_default_graph_as_union": True}
EVERY_TRIPLE = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.mark.parametrize("on_disk", [True, False], ids=["folder", "memory"])
def test_a_store_after_replacements_is_queried_through_the_union(tmp_path: Path, on_disk: bool) -> None:
    old, new = _write(tmp_path / "old.nt", "old", 50), _write(tmp_path / "new.nt", "new", 20)
    once = _store(tmp_path / "once" / "store", new)
    replaced = _store(tmp_path / "replaced" / "store" if on_disk else None, old, new, old, new)
    assert GRAPH in replaced._names.versions
    assert replaced._dataset == UNION  # no graph holds the pointers, none is listed
    counted = once.query(EVERY_TRIPLE).values("n")
    assert replaced.query(EVERY_TRIPLE).values("n") == counted
    assert counted == {str(sum(1 for _ in once._store))}  # every quad of every graph, once
    once.close()
    replaced.close()
    if on_disk:
        with EmbeddedStore(tmp_path / "replaced" / "store", read_only=True) as reader:
            assert reader._dataset == UNION
            assert reader.query(EVERY_TRIPLE).values("n") == counted


def test_pointers_a_store_kept_in_a_graph_move_to_the_versions_file(tmp_path: Path) -> None:
    old, new = _write(tmp_path / "old.nt", "old", 50), _write(tmp_path / "new.nt", "new", 20)
    once = _store(tmp_path / "once" / "store", new)
    location = tmp_path / "replaced" / "store"
    replaced = _store(location, old, new)
    version = replaced._names.versions[GRAPH]
    replaced.close()
    (location / VERSIONS_FILE).unlink()  # as the store kept its pointer before the file
    raw = ox.Store(str(location))
    raw.add(ox.Quad(ox.NamedNode(GRAPH), ox.NamedNode(f"{VERSIONS}is"), ox.NamedNode(version), POINTERS))
    del raw
    with EmbeddedStore(location, read_only=True) as reader:  # read where it is, the graph hidden
        assert _answers(reader) == _answers(once)
        assert POINTERS.value in reader._names.hidden
    with EmbeddedStore(location) as store:  # moved by the next writer
        assert _answers(store) == _answers(once)
        assert POINTERS not in set(store._store.named_graphs())
        assert store._dataset == UNION
    assert _pointers(location) == {GRAPH: version}
    once.close()


def test_a_versions_file_planted_as_a_link_is_refused(tmp_path: Path) -> None:
    location = tmp_path / "store"
    EmbeddedStore(location).close()
    secret = tmp_path / "elsewhere.json"
    secret.write_text("{}", encoding="utf-8")
    (location / VERSIONS_FILE).symlink_to(secret)
    with pytest.raises(StoreError, match="symbolic link"):
        EmbeddedStore(location, read_only=True)


class _Watched:
    """A real Oxigraph store that counts its compactions."""

    def __init__(self, store: ox.Store) -> None:
        self.store: ox.Store | None = store
        self.compacted = 0

    def optimize(self) -> None:
        self.compacted += 1
        self.store.optimize()

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)


def test_a_loaded_store_is_compacted_when_it_is_closed_and_keeps_every_quad(tmp_path: Path) -> None:
    """The bulk loader leaves its files as it wrote them, which slows every index read: closing a store
    that was loaded compacts it (once); closing one that was only opened, or opened read-only, does not."""
    location = tmp_path / "store"
    opened = EmbeddedStore(location)
    untouched = opened._oxigraph = _Watched(opened._oxigraph)
    opened.close()
    untouched.store = None  # the store's files are released with the last reference
    assert untouched.compacted == 0
    store = _store(location, _write(tmp_path / "new.nt", "new", 5), _write(tmp_path / "newer.nt", "newer", 7))
    expected = _answers(store)
    loaded = store._oxigraph = _Watched(store._oxigraph)
    store.close()
    loaded.store = None
    assert loaded.compacted == 1
    reader = EmbeddedStore(location, read_only=True)
    read = reader._oxigraph = _Watched(reader._oxigraph)
    assert _answers(reader) == expected
    reader.close()
    assert read.compacted == 0
