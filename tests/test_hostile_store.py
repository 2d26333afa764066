"""The store as a trust boundary: hostile files, queries and folders against a real embedded store and a
real `oxigraph serve` on loopback.

- A load writes only the graph it owns, whatever graph names an N-Quads, TriG or JSON-LD file gives; both
  stores then hold the same triples, and the count is right.
- ``--graph`` / ``graph=`` must be an absolute IRI and not a graph policeonto reserves.
- A query or update reaches no endpoint the caller did not list (a loopback listener counts connections).
- The store's folder: a planted lock link is never followed, a folder of other files is refused, a query
  writes nothing, and a killed load's graphs stay hidden from a read-only query.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from policeonto.errors import OptionError, StoreBusyError, StoreError
from policeonto.store import EmbeddedStore, RemoteStore, Store
from policeonto.store.base import STAGING, VERSIONS
from policeonto.store.embedded import LOCK_FILE
from policeonto.store.jobs import load_inputs
from policeonto.store.reasoning import ONTOLOGY_GRAPH
from policeonto.store.remote import SERVER_GRAPHS
from tests.conftest import ROOT, virtuoso_store

POLE = "https://w3id.org/policeonto/"
JOURNAL = f"{STAGING}journal"
RECORDS = ROOT / "tests" / "data" / "valid" / "records-system.ttl"
HOSTILE = "https://example.org/hostile"


def _quads(store: Store) -> dict[str, set[tuple[str | None, ...]]]:
    """Every triple of every named graph, by graph: staging graphs and the journal too (a server is asked
    directly, as RemoteStore.query leaves staging graphs out); not the graphs a server keeps for itself."""
    sparql = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    if isinstance(store, RemoteStore):
        request = urllib.request.Request(
            store.query_url,
            data=urllib.parse.urlencode({"query": sparql}).encode(),
            headers={"Accept": "application/sparql-results+json"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            bindings = json.load(answer)["results"]["bindings"]
        rows = [tuple(_term(b[v]) for v in "gspo") for b in bindings]
    else:
        rows = [tuple(row) for row in store.query(sparql).rows]
    graphs: dict[str, set[tuple[str | None, ...]]] = {}
    for g, *triple in rows:
        assert g is not None
        graphs.setdefault(g.strip("<>"), set()).add(tuple(triple))
    return {g: triples for g, triples in graphs.items() if g not in SERVER_GRAPHS}


def _term(binding: dict[str, str]) -> str:
    """A term of SPARQL JSON results as the embedded store writes it (enough to compare IRIs and literals)."""
    if binding["type"] == "uri":
        return f"<{binding['value']}>"
    if binding["type"] == "bnode":
        return f"_:{binding['value']}"
    literal = '"' + binding["value"].replace("\\", "\\\\").replace('"', '\\"') + '"'
    return literal + (f"^^<{binding['datatype']}>" if binding.get("datatype") else "")


def _others(graphs: dict[str, set[tuple[str | None, ...]]], graph: str) -> dict[str, set[tuple[str | None, ...]]]:
    return {g: triples for g, triples in graphs.items() if g not in {graph, f"{graph}/entailed"}}


@pytest.fixture
def dataset(store: Store) -> str:
    """The store holds the ontology and one dataset's graph (and its entailments); its graph's name."""
    (done,) = load_inputs(store, RECORDS, check=False)
    assert done.triples > 0
    return done.graph


def _attacks(dataset: str) -> dict[str, tuple[str, str, int]]:
    """Each attack: a file name, its text, and the triples it holds."""
    triple = "<https://example.org/s> <https://example.org/p>"
    return {
        "nquads-journal": (
            "attack.nq",
            f'{triple} "1" <{dataset}> .\n<{dataset}> <{POLE}loading> "true" <{JOURNAL}> .\n',
            2,
        ),
        "trig-ontology": (
            "attack.trig",
            f"@prefix pole: <{POLE}> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            f'{triple} "default" .\nGRAPH <{ONTOLOGY_GRAPH}> {{ pole:Person rdfs:subClassOf pole:Vehicle }}\n'
            f'<{dataset}> {{ {triple} "2" }}\n',
            3,
        ),
        "many-graphs": (
            "many.nq",
            "".join(f'{triple} "{i}" <https://example.org/g{i}> .\n' for i in range(2000)),
            2000,
        ),
        "jsonld-named": (
            "attack.jsonld",
            f'{{"@id": "{ONTOLOGY_GRAPH}", "@graph": [{{"@id": "https://example.org/s", '
            f'"https://example.org/p": "jsonld"}}]}}',
            1,
        ),
    }


@pytest.mark.parametrize("attack", ["nquads-journal", "trig-ontology", "many-graphs", "jsonld-named"])
def test_a_quad_file_loads_only_into_its_own_graph(store: Store, dataset: str, tmp_path: Path, attack: str) -> None:
    name, text, triples = _attacks(dataset)[attack]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = _quads(store)
    (done,) = load_inputs(store, path, check=False)
    after = _quads(store)
    assert done.loaded and done.triples == triples
    assert len(after[done.graph]) == triples
    assert _others(after, done.graph) == before  # every other graph byte for byte as it was
    if isinstance(store, EmbeddedStore):  # the journal trick acted on the next open
        location = Path(store.location)
        store.close()
        with EmbeddedStore(location) as reopened:
            assert _quads(reopened) == after


@pytest.mark.parametrize("syntax", ["nq", "trig"])
def test_store_load_called_directly_rewrites_graph_names(
    store: Store, dataset: str, tmp_path: Path, syntax: str
) -> None:
    path = tmp_path / f"direct.{syntax}"
    body = f'<https://example.org/s> <https://example.org/p> "x" <{ONTOLOGY_GRAPH}> .\n'
    path.write_text(body if syntax == "nq" else f"<{ONTOLOGY_GRAPH}> {{ {body.rsplit(' <', 1)[0]} }}\n")
    before = _quads(store)
    assert store.load(path, graph=HOSTILE, syntax=syntax) == 1
    assert _others(_quads(store), HOSTILE) == before


@pytest.mark.parametrize("kind", ["server", "virtuoso"])
def test_embedded_and_server_hold_the_same_triples(tmp_path: Path, request: pytest.FixtureRequest, kind: str) -> None:
    if kind == "server":
        url, _ = request.getfixturevalue("server")
        remote = RemoteStore(url, timeout=60)
    else:
        remote = virtuoso_store(request.getfixturevalue("virtuoso"), timeout=60)
    pairs = [(i % 7, i % 50, i % 13) for i in range(400)]  # the same triple in several graphs, and the default
    text = "".join(
        f'<https://example.org/s{s}> <https://example.org/p> "{o}" <https://example.org/g{g}> .\n' for s, o, g in pairs
    )
    path = tmp_path / "mixed.nq"
    path.write_text(text + '<https://example.org/s0> <https://example.org/p> "0" .\n')
    distinct = len({(s, o) for s, o, _ in pairs})
    held = []
    for opened in (EmbeddedStore(tmp_path / "store"), remote):
        with opened as store:
            count = store.load(path, graph=HOSTILE, syntax="nq")
            graphs = _quads(store)
            assert set(graphs) == {HOSTILE} and count == len(graphs[HOSTILE]) == distinct
            held.append(graphs)
    assert held[0] == held[1]


_BAD_GRAPHS = {
    "not-an-iri": "my graph",
    "relative": "graphs/mine",
    "ontology": ONTOLOGY_GRAPH,
    "journal": JOURNAL,
    "staging": f"{STAGING}20250101T000000Z-x",
    "version": f"{VERSIONS}0b8c3f0e-5d2a-4f4e-9c1e-2f6a7f1d9e01",
    "pointers": f"{VERSIONS}current",
    "entailed": "https://example.org/data/entailed",
    "injection": "https://example.org/g> } ; DROP ALL ; INSERT DATA { GRAPH <https://example.org/x",
}


@pytest.mark.parametrize("kind", list(_BAD_GRAPHS))
def test_load_refuses_a_graph_it_must_not_write(tmp_path: Path, kind: str) -> None:
    graph = _BAD_GRAPHS[kind]
    data = tmp_path / "one.nt"
    data.write_text('<https://example.org/s> <https://example.org/p> "x" .\n')
    with EmbeddedStore() as store, pytest.raises(OptionError) as caught:
        load_inputs(store, data, graph=graph, check=False)
    assert caught.value.option == "graph"
    run = _policeonto("load", str(data), "--graph", graph, "--no-validate", "--store", str(tmp_path / "store"))
    assert run.returncode == 2, run.stderr
    assert "policeonto: error:" in run.stderr and "Traceback" not in run.stderr and "internal" not in run.stderr
    assert not (tmp_path / "store").exists()  # refused before the store was made


@pytest.mark.parametrize(
    "graph", [JOURNAL, f"{STAGING}x", f"{VERSIONS}x", f"{VERSIONS}current", "https://example.org/g/entailed", "no iri"]
)
def test_store_load_refuses_a_reserved_graph(store: Store, tmp_path: Path, graph: str) -> None:
    data = tmp_path / "one.nt"
    data.write_text('<https://example.org/s> <https://example.org/p> "x" .\n')
    with pytest.raises(OptionError):
        store.load(data, graph=graph, syntax="nt")


# --- federation -----------------------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[tuple[str, list[bytes]]]:
    """A loopback TCP listener that records what each connection sends, and answers HTTP 500."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    seen: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(2)
                try:
                    seen.append(connection.recv(4096))
                    connection.sendall(b"HTTP/1.1 500 No\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    seen.append(b"")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", seen
    stop.set()
    thread.join(5)
    server.close()


_SERVICE_QUERIES = {
    "plain": "SELECT * WHERE { SERVICE <{u}/x> { ?s ?p ?o } }",
    "silent-lower-case": "select * where { service silent <{u}/x> { ?s ?p ?o } }",
    "comments": "SELECT * WHERE { # a comment\n SERVICE # another\n SILENT <{u}/x> { ?s ?p ?o } }",
    "prefixed-name": "PREFIX ex: <{u}/> SELECT * WHERE { SERVICE SILENT ex:x { ?s ?p ?o } }",
    "variable": "SELECT * WHERE { VALUES ?e { <{u}/x> } SERVICE SILENT ?e { ?s ?p ?o } }",
    "subquery": "SELECT * WHERE { { SELECT * WHERE { SERVICE SILENT <{u}/x> { ?s ?p ?o } } } }",
    "escaped-iri": "SELECT * WHERE { SERVICE SILENT <{u}/\\u0078> { ?s ?p ?o } }",
    "after-a-number": "SELECT * WHERE { ?s ?p 1.SERVICE SILENT <{u}/x> { ?s ?p ?o } }",
    "less-than-and-hash": "SELECT * WHERE { ?s ?p ?o FILTER(?o<?s)SERVICE SILENT ?e#>\n { ?s ?p ?o } }",
    # '<?s)SERVICE?e#>' looks like an IRI, but Oxigraph reads '<' as "less than" here
    "hidden-in-an-iri": "SELECT * WHERE { VALUES ?e { <{u}/x> } ?s ?p ?o FILTER(?o<?s)SERVICE?e#>\n { ?s ?p ?o } }",
    "long-string": "SELECT * WHERE { ?s ?p ?o FILTER(?o != '''a ' b''') SERVICE SILENT <{u}/x> { ?s ?p ?o } }",
}


def _sparql(template: str, url: str) -> str:
    return template.replace("{u}", url)


@pytest.mark.parametrize("variant", list(_SERVICE_QUERIES))
def test_a_query_reaches_no_endpoint_unlisted(store: Store, listener: tuple[str, list[bytes]], variant: str) -> None:
    url, seen = listener
    store.update("INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/s> <https://example.org/p> 1 } }")
    with pytest.raises(StoreError, match="refused: SERVICE"):
        store.query(_sparql(_SERVICE_QUERIES[variant], url))
    assert seen == []


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <{u}/data.ttl>",
        "load silent <{u}/data.ttl> into graph <https://example.org/g>",
        "INSERT { GRAPH <https://example.org/g> { ?s ?p ?o } } WHERE { SERVICE SILENT <{u}/x> { ?s ?p ?o } }",
    ],
)
def test_an_update_reaches_nothing_unlisted(store: Store, listener: tuple[str, list[bytes]], update: str) -> None:
    url, seen = listener
    with pytest.raises(StoreError, match="refused"):
        store.update(_sparql(update, url))
    assert seen == []


@pytest.mark.parametrize("endpoint", ["/x", "/load/service#1"])
def test_a_listed_endpoint_is_reached(listener: tuple[str, list[bytes]], endpoint: str) -> None:
    url, seen = listener
    with EmbeddedStore() as store:
        store.update(
            "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/s> <https://example.org/p> 1 } }"
        )
        sparql = f"SELECT * WHERE {{ SERVICE SILENT <{url}{endpoint}> {{ ?s ?p ?o }} }}"
        store.query(sparql, federate=[f"{url}{endpoint}"])
    assert seen and seen[0].startswith((b"GET", b"POST"))


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s <https://example.org/service> ?o . ?s <https://example.org/load> ?o }",
        "PREFIX ex: <https://example.org/> SELECT * WHERE { ?s ex:service ?o ; ex:load ?x }",
        "SELECT * WHERE { ?s ?p 'SERVICE <http://127.0.0.1:9/x> { }' } # SERVICE <http://127.0.0.1:9/x>",
        "SELECT * WHERE { ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ?o FILTER(?o < 3) }",
        "SELECT * WHERE {\n ?s <https://example.org/ns/service#provider> ?p .\n ?p <https://example.org/load#x> ?q }",
    ],
)
def test_a_query_that_only_names_service_runs(text: str) -> None:
    with EmbeddedStore() as store:
        assert store.query(text).rows == ()


def test_cli_query_refuses_service_and_names_the_endpoint(tmp_path: Path, listener: tuple[str, list[bytes]]) -> None:
    url, seen = listener
    location = tmp_path / "store"
    EmbeddedStore(location).close()
    text = _sparql(_SERVICE_QUERIES["silent-lower-case"], url)
    run = _policeonto("query", "--query", text, "--store", str(location))
    assert run.returncode == 2 and f"SERVICE <{url}/x>" in run.stderr and "Traceback" not in run.stderr
    assert run.stderr.count("\n") == 1
    assert seen == []
    allowed = _policeonto("query", "--query", text, "--store", str(location), "--federate", f"{url}/x")
    assert allowed.returncode == 0, allowed.stderr
    assert seen  # asked only when listed


# --- the store's folder ---------------------------------------------------------------------------------


def _policeonto(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policeonto", *args], capture_output=True, text=True, timeout=120, check=False
    )


def _made_with_records(location: Path) -> None:
    with EmbeddedStore(location) as store:
        assert store.load(RECORDS, graph="https://example.org/records", syntax="ttl") > 0


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(folder.rglob("*"))
    }


def test_a_lock_link_is_never_followed(tmp_path: Path) -> None:
    location = tmp_path / "store"
    EmbeddedStore(location).close()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (location / LOCK_FILE).unlink()
    (location / LOCK_FILE).symlink_to(victim)
    for command in (("query", "--query", "ASK { ?s ?p ?o }"), ("load", str(RECORDS), "--no-validate")):
        run = _policeonto(*command, "--store", str(location))
        assert run.returncode == 2 and "symbolic link" in run.stderr and "Traceback" not in run.stderr
    assert victim.read_text() == "precious\n"
    with pytest.raises(StoreError, match="symbolic link"):
        EmbeddedStore(location)


def test_a_lock_that_is_no_regular_file_is_refused(tmp_path: Path) -> None:
    location = tmp_path / "store"
    EmbeddedStore(location).close()
    (location / LOCK_FILE).unlink()
    os.link(tmp_path / "store" / "CURRENT", location / LOCK_FILE)  # a hard link to another file
    with pytest.raises(StoreError, match="regular file with one link"):
        EmbeddedStore(location)


def test_a_folder_of_other_files_is_refused_and_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "theirs"
    folder.mkdir()
    (folder / "LOG").write_text("their log\n")
    (folder / "notes.txt").write_text("their notes\n")
    before = _snapshot(folder)
    run = _policeonto("load", str(RECORDS), "--no-validate", "--store", str(folder))
    assert run.returncode == 2 and "not a policeonto store" in run.stderr and "Traceback" not in run.stderr
    assert _policeonto("query", "--query", "ASK {}", "--store", str(folder)).returncode == 2
    assert _snapshot(folder) == before
    with pytest.raises(StoreError, match="not a policeonto store"):
        EmbeddedStore(folder)


def test_a_store_made_before_the_marker_is_still_a_store(tmp_path: Path) -> None:
    location = tmp_path / "store"
    with EmbeddedStore(location) as store:
        store.update(
            "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/s> <https://example.org/p> 1 } }"
        )
    (location / "policeonto-store").unlink()  # as an older policeonto left it: the lock and Oxigraph's files
    with EmbeddedStore(location, read_only=True) as store:
        assert store.graphs() == ["https://example.org/g"]
    assert not (location / "policeonto-store").exists()
    EmbeddedStore(location).close()
    assert (location / "policeonto-store").is_file()


def test_a_query_writes_nothing_in_the_store(tmp_path: Path) -> None:
    location = tmp_path / "store"
    _made_with_records(location)
    before = _snapshot(location)
    run = _policeonto("query", "--query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--store", str(location))
    assert run.returncode == 0, run.stderr
    assert _snapshot(location) == before
    with EmbeddedStore(location, read_only=True) as store, pytest.raises(StoreError, match="read-only"):
        store.update("CLEAR ALL")


def test_a_read_only_query_hides_what_a_killed_load_left(tmp_path: Path) -> None:
    location = tmp_path / "store"
    kept, half = ox.NamedNode("https://example.org/kept"), ox.NamedNode("https://example.org/half")
    staged = ox.NamedNode(f"{STAGING}20250101T000000Z-x")
    triple = (ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"))
    raw = ox.Store(str(location))  # a store as a load killed mid-way left it
    for graph in (kept, half, staged, ox.NamedNode(f"{half.value}/entailed")):
        raw.add(ox.Quad(*triple, ox.Literal(graph.value), graph))
    raw.add(ox.Quad(half, ox.NamedNode(f"{POLE}loading"), ox.Literal("true"), ox.NamedNode(JOURNAL)))
    raw.flush()
    del raw
    (location / LOCK_FILE).touch()
    sparql = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    with EmbeddedStore(location, read_only=True) as store:
        assert store.graphs() == [kept.value]
        assert store.query(sparql).rows == ((f"<{kept.value}>", '"1"^^<http://www.w3.org/2001/XMLSchema#integer>'),)
        assert store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").values("n") == {"1"}
    with EmbeddedStore(location) as store:  # the next writer removes them
        assert store.graphs() == [kept.value]


def _read_only_mounts() -> bool:
    """Whether this process may mount a folder read-only in a mount namespace of its own (root, unshare)."""
    probe = ["unshare", "-m", "sh", "-c", "mount --bind / /mnt && mount -o remount,bind,ro /mnt"]
    try:
        return os.geteuid() == 0 and subprocess.run(probe, capture_output=True, timeout=10, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.skipif(not _read_only_mounts(), reason="needs root and unshare to mount a folder read-only")
def test_a_store_on_a_read_only_file_system_can_be_queried(tmp_path: Path) -> None:
    location = tmp_path / "store"
    _made_with_records(location)
    query = [sys.executable, "-m", "policeonto", "query", "--query", "ASK { ?s ?p ?o }", "--store", str(location)]
    script = f'mount --bind "{location}" "{location}" && mount -o remount,bind,ro "{location}" && exec "$@"'
    run = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", *query], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    assert "true" in run.stdout


def test_queries_share_the_store_and_a_load_waits_for_them(tmp_path: Path) -> None:
    location = tmp_path / "store"
    _made_with_records(location)
    with EmbeddedStore(location, read_only=True) as first, EmbeddedStore(location, read_only=True) as second:
        assert first.graphs() == second.graphs() == ["https://example.org/records"]
        with pytest.raises(StoreBusyError, match=r"pid unknown"):  # not the pid of the load that made it
            EmbeddedStore(location)
    EmbeddedStore(location).close()
