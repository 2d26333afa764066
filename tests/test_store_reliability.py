"""Loads survive faults: a server killed mid-load, a server not up yet or never up, HTTP errors that pass
and ones that do not, two processes loading one embedded store, Ctrl-C mid-load. Real `oxigraph serve`
processes on loopback and real `policeonto` subprocesses throughout."""

from __future__ import annotations

import base64
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import pytest

from policeonto.errors import StoreBusyError, StoreError
from policeonto.store import EmbeddedStore, RemoteStore, RetryNotice
from policeonto.store.base import STAGING, staging_graph
from policeonto.store.embedded import LOCK_FILE
from policeonto.store.jobs import load_inputs
from policeonto.store.reasoning import ONTOLOGY_GRAPH, ensure_ontology
from tests.conftest import OXIGRAPH, ROOT, _free_port, virtuoso_store

POLE = "https://w3id.org/policeonto/"
TARGET = f"{POLE}graph/target"
PROC = Path("/proc/self/fd")
pytestmark = pytest.mark.skipif(not PROC.is_dir(), reason="watches loads through /proc")


def _triples(path: Path, count: int, *, tag: str = "x") -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            out.write(f'<{POLE}{tag}/{i}> <{POLE}name> "{tag} {i}" .\n')
    return path


def _serve(location: Path, port: int) -> subprocess.Popen[bytes]:
    """`oxigraph serve` on *location*, once it answers (it may first recover from being killed)."""
    process = subprocess.Popen(
        [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=1).read()
            return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"oxigraph serve did not start: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            time.sleep(0.1)


@pytest.fixture
def servers() -> Iterator[list[subprocess.Popen[bytes]]]:
    """The servers a test starts, stopped at its end."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.terminate()
            process.wait(10)


def _open_position(pid: int | str, path: Path) -> int | None:
    """Where process *pid* is reading *path*, or None if it does not have it open."""
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(fd) == str(path):
                return int(Path(f"/proc/{pid}/fdinfo/{fd.name}").read_text().split()[1])
        except OSError:
            continue
    return None


def _wait_for(condition: Callable[[], bool], what: str, *, alive: Callable[[], bool]) -> None:
    """Wait until *condition* holds, failing if the work it watches ends first."""
    while not condition():
        if not alive():
            pytest.fail(f"the load ended before {what}: no fault was injected")
        time.sleep(0.01)


def _count(store: EmbeddedStore | RemoteStore, graph: str) -> int:
    found = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(found.values("n").pop())


def _staging(url: str, endpoint: str = "/query") -> set[str]:
    # every staging graph here holds triples: Virtuoso answers GRAPH ?g { } with no graph
    form = urllib.parse.urlencode({"query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"}).encode()
    accept = {"Accept": "application/sparql-results+json"}
    request = urllib.request.Request(f"{url}{endpoint}", data=form, headers=accept)
    with urllib.request.urlopen(request, timeout=10) as answer:
        names = {b["g"]["value"] for b in json.loads(answer.read())["results"]["bindings"]}
    return {n for n in names if n.startswith(STAGING)}


# --- a SPARQL server that goes away ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kill", "phase", "previous"),
    [
        (signal.SIGKILL, "upload", 0),  # a new graph, the server killed while the file is sent
        (signal.SIGTERM, "upload", 500),  # replacing a graph, the server stopped while the file is sent
        (signal.SIGKILL, "publish", 500),  # replacing a graph, the server killed once the file is staged
    ],
    ids=["killed-uploading-new", "stopped-uploading-replacement", "killed-publishing-replacement"],
)
def test_a_server_killed_mid_load_leaves_no_partial_graph(
    tmp_path: Path, servers: list[subprocess.Popen[bytes]], kill: signal.Signals, phase: str, previous: int
) -> None:
    port, data = _free_port(), tmp_path / "server"
    url = f"http://127.0.0.1:{port}"
    servers.append(_serve(data, port))
    store = RemoteStore(url, retries=1, backoff=0.1, timeout=60)
    if previous:
        assert (
            store.load(_triples(tmp_path / "previous.nt", previous, tag="old"), graph=TARGET, syntax="nt") == previous
        )
    big = _triples(tmp_path / "big.nt", 30_000).resolve()
    failure: list[BaseException] = []

    def load() -> None:
        try:
            store.load(big, graph=TARGET, syntax="nt")
        except StoreError as exc:
            failure.append(exc)

    loading = threading.Thread(target=load)
    loading.start()
    if phase == "upload":
        size = big.stat().st_size
        _wait_for(lambda: (_open_position("self", big) or 0) > size // 3, "a third was sent", alive=loading.is_alive)
    else:
        _wait_for(lambda: bool(_staging(url)), "the file was staged", alive=loading.is_alive)
    servers[0].send_signal(kill)
    servers[0].wait(30)
    loading.join(120)

    assert len(failure) == 1, "the load did not fail"
    error = failure[0]
    assert isinstance(error, StoreError) and error.store == url and error.graph == TARGET
    assert f"{url}: cannot load {big} into <{TARGET}>" in str(error)
    assert "never partial" in str(error) or "was not changed" in str(error)

    servers.append(_serve(data, port))  # the same data, as the server left it
    after = RemoteStore(url, retries=1, backoff=0.1)
    if previous:
        assert _count(after, TARGET) == previous
        assert after.query(f'ASK {{ GRAPH <{TARGET}> {{ ?s ?p "old 0" }} }}').boolean is True
    else:
        assert TARGET not in after.graphs()
    after.clean_staging()  # what `policeonto load --resume` does first
    assert _staging(url) == set()
    assert after.load(big, graph=TARGET, syntax="nt") == 30_000
    assert _count(after, TARGET) == 30_000 and _staging(url) == set()


@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_staging_graphs_left_by_dead_clients_are_dropped(
    tmp_path: Path, servers: list[subprocess.Popen[bytes]], request: pytest.FixtureRequest, kind: str
) -> None:
    if kind == "oxigraph":
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        servers.append(_serve(tmp_path / "server", port))
        store, query, graph_store = RemoteStore(url), "/query", "/store"
    else:
        url = request.getfixturevalue("virtuoso")
        store, query, graph_store = virtuoso_store(url), "/sparql", "/sparql-graph-crud"
    small = _triples(tmp_path / "small.nt", 100)
    stale = staging_graph(datetime(2020, 1, 1, tzinfo=UTC))
    live = staging_graph()  # another client loading now: not to be touched by a plain load
    for name in (stale, live):  # what a client killed between staging and publishing leaves
        put = urllib.request.Request(
            f"{url}{graph_store}?{urllib.parse.urlencode({'graph': name})}", data=small.read_bytes(), method="PUT"
        )
        put.add_header("Content-Type", "application/n-triples")
        urllib.request.urlopen(put, timeout=30).read()
    assert store.load(small, graph=TARGET, syntax="nt") == 100
    assert _staging(url, query) == {live}
    assert store.clean_staging() == [live]  # resuming: nobody else is loading
    assert _staging(url, query) == set()


# --- retries -----------------------------------------------------------------------------------------------


def test_a_server_that_comes_up_within_the_retries_is_loaded(
    tmp_path: Path, servers: list[subprocess.Popen[bytes]]
) -> None:
    port = _free_port()
    retried: list[RetryNotice] = []
    first = threading.Event()

    def heard(notice: RetryNotice) -> None:
        retried.append(notice)
        first.set()

    store = RemoteStore(f"http://127.0.0.1:{port}", retries=10, backoff=0.2, on_retry=heard)
    small = _triples(tmp_path / "small.nt", 1000)
    done: list[int] = []
    loading = threading.Thread(target=lambda: done.append(store.load(small, graph=TARGET, syntax="nt")))
    loading.start()
    assert first.wait(60)  # the load has found no server
    servers.append(_serve(tmp_path / "server", port))
    loading.join(120)
    assert done == [1000]
    assert "connection refused" in retried[0].reason and retried[0].attempt == 1


def test_a_server_that_never_comes_up_fails_after_the_retries(tmp_path: Path) -> None:
    port = _free_port()
    retried: list[RetryNotice] = []
    store = RemoteStore(f"http://127.0.0.1:{port}", retries=3, backoff=0.05, on_retry=retried.append)
    with pytest.raises(StoreError) as caught:
        store.load(_triples(tmp_path / "small.nt", 10), graph=TARGET, syntax="nt")
    assert caught.value.store == f"http://127.0.0.1:{port}"
    assert "connection refused" in str(caught.value) and "after 4 attempts" in str(caught.value)
    assert [n.attempt for n in retried] == [1, 2, 3]


class _Scripted(http.server.BaseHTTPRequestHandler):
    """Answers each POST with the next (status, headers) of its script, then with SPARQL JSON results."""

    script: ClassVar[list[tuple[int, dict[str, str]]]] = []
    seen: ClassVar[list[dict[str, str]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).seen.append(dict(self.headers))
        status, headers = type(self).script.pop(0) if type(self).script else (200, {})
        answer = (
            b"{}"
            if status != 200
            else json.dumps(
                {"head": {}, "boolean": True}
                if b"ASK" in body
                else {"head": {"vars": ["g"]}, "results": {"bindings": []}}
            ).encode()
        )
        self.send_response(status)
        for name, value in {"Content-Type": "application/sparql-results+json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[tuple[str, type[_Scripted]]]:
    handler = type("Handler", (_Scripted,), {"script": [], "seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    yield f"http://steward:s3cr%40t@127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()


def test_retry_after_is_honoured_and_credentials_are_sent(scripted: tuple[str, type[_Scripted]]) -> None:
    url, handler = scripted
    handler.script = [(503, {"Retry-After": "1"}), (429, {"Retry-After": "0"}), (502, {})]
    retried: list[RetryNotice] = []
    store = RemoteStore(url, retries=3, backoff=0.01, on_retry=retried.append)
    assert store.query("ASK { }").boolean is True
    assert [n.delay for n in retried[:2]] == [1.0, 0.0]  # what the server asked for
    assert [n.reason.split(":")[0] for n in retried] == ["HTTP 503", "HTTP 429", "HTTP 502"]
    expected = "Basic " + base64.b64encode(b"steward:s3cr@t").decode()
    assert {h["Authorization"] for h in handler.seen} == {expected}
    assert all("s3cr" not in str(n) for n in retried)


@pytest.mark.parametrize("status", [400, 401, 500])
def test_http_errors_that_will_not_pass_fail_at_once(scripted: tuple[str, type[_Scripted]], status: int) -> None:
    url, handler = scripted
    handler.script = [(status, {})]
    retried: list[RetryNotice] = []
    with pytest.raises(StoreError, match=f"HTTP {status}") as caught:
        RemoteStore(url, retries=3, backoff=0.01, on_retry=retried.append).query("ASK { }")
    assert retried == [] and len(handler.seen) == 1
    assert "s3cr" not in str(caught.value) and "steward" not in str(caught.value)


class _LosesOneAnswer(http.server.BaseHTTPRequestHandler):
    """Passes requests on to a server, but hangs up without answering once the update that publishes a load
    has been carried out: the client cannot tell whether it took effect."""

    upstream = ""
    lost: ClassVar[list[str]] = []

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        keep = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept", "content-length")}
        request = urllib.request.Request(self.upstream + self.path, data=body, headers=keep, method=self.command)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                status, media, content = answer.status, answer.headers["Content-Type"], answer.read()
        except urllib.error.HTTPError as exc:
            status, media, content = exc.code, "text/plain", exc.read()
        if body is not None and b"MOVE+" in body and not self.lost:
            type(self).lost.append(self.path)
            self.close_connection = True
            return  # done upstream; the answer never comes back
        self.send_response(status)
        self.send_header("Content-Type", media or "text/plain")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_POST = do_PUT = do_GET = _forward

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_a_publish_whose_answer_is_lost_is_not_repeated_blindly(
    tmp_path: Path, servers: list[subprocess.Popen[bytes]], request: pytest.FixtureRequest, kind: str
) -> None:
    if kind == "oxigraph":
        port = _free_port()
        servers.append(_serve(tmp_path / "server", port))
        upstream = f"http://127.0.0.1:{port}"
    else:  # Virtuoso says any graph exists, and a MOVE of a graph that is gone empties the target
        upstream = request.getfixturevalue("virtuoso")
    handler = type("Handler", (_LosesOneAnswer,), {"upstream": upstream, "lost": []})
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        retried: list[RetryNotice] = []
        through = f"http://127.0.0.1:{proxy.server_address[1]}"
        options = {"retries": 2, "backoff": 0.05, "on_retry": retried.append}
        store = RemoteStore(through, **options) if kind == "oxigraph" else virtuoso_store(through, **options)
        assert store.load(_triples(tmp_path / "old.nt", 100, tag="old"), graph=TARGET, syntax="nt") == 100
        assert len(handler.lost) == 1 and len(retried) == 1  # the first publish lost its answer
        assert store.load(_triples(tmp_path / "new.nt", 200, tag="new"), graph=TARGET, syntax="nt") == 200
        assert _count(store, TARGET) == 200
    finally:
        proxy.shutdown()


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "policeonto", *args]
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_credentials_never_reach_the_cli_output(tmp_path: Path, servers: list[subprocess.Popen[bytes]]) -> None:
    small = _triples(tmp_path / "small.nt", 10)
    nobody = f"http://steward:secret@127.0.0.1:{_free_port()}"
    port = _free_port()
    servers.append(_serve(tmp_path / "server", port))
    runs = [
        _cli("load", str(small), "--no-validate", "--graph", TARGET, "--store", nobody, "--retries", "2"),
        _cli("query", "--query", "SELECT nonsense", "--store", f"http://steward:secret@127.0.0.1:{port}"),
    ]
    said = [(*run.communicate(timeout=120), run.returncode) for run in runs]
    for out, err, code in said:
        assert code == 2, err
        assert "secret" not in out + err and "steward" not in out + err
        assert "Traceback" not in err and "policeonto: error: http://127.0.0.1:" in err
    assert "connection refused" in said[0][1] and "retrying in" in said[0][1]
    assert "HTTP 400" in said[1][1]


@pytest.mark.parametrize("phase", ["upload", "publish"])
def test_ctrl_c_mid_load_into_a_server_leaves_no_partial_graph(
    tmp_path: Path, servers: list[subprocess.Popen[bytes]], phase: str
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    servers.append(_serve(tmp_path / "server", port))
    store = RemoteStore(url)
    assert store.load(_triples(tmp_path / "previous.nt", 500, tag="old"), graph=TARGET, syntax="nt") == 500
    big = _triples(tmp_path / "big.nt", 30_000).resolve()
    run = _cli("load", str(big), "--graph", TARGET, "--no-validate", "--store", url)

    def running() -> bool:
        return run.poll() is None

    _wait_for(lambda: _open_position(run.pid, big) is not None, "the upload began", alive=running)
    if phase == "publish":  # the file sent whole and staged: the client publishes it
        _wait_for(lambda: _open_position(run.pid, big) is None and bool(_staging(url)), "it was staged", alive=running)
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 130, err
    assert "triples in" not in out
    assert err.strip().endswith("unfinished output files were discarded") and "Traceback" not in err
    # the graph is as it was or, once the publish was sent, complete; never partial
    assert _count(store, TARGET) in ((500,) if phase == "upload" else (500, 30_000))
    # what was staged is dropped; an upload the server commits after that drop stays staged, unseen, until
    # `load --resume` (or the next load once it is stale) removes it
    resumed = _cli("load", str(big), "--graph", TARGET, "--no-validate", "--store", url, "--resume")
    out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    assert _staging(url) == set() and _count(store, TARGET) == 30_000


# --- the embedded store: two processes, Ctrl-C ------------------------------------------------------------

PREVIOUS = 500


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """An embedded store holding the ontology and one dataset, copied by each test; its graphs and counts."""
    folder = tmp_path_factory.mktemp("template")
    store = EmbeddedStore(folder / "store")
    ensure_ontology(store)
    done = load_inputs(store, [_triples(folder / "previous.nt", PREVIOUS, tag="old")], check=False)
    counts = {g: _count(store, g) for g in store.graphs()}
    assert counts[done[0].graph] == PREVIOUS and ONTOLOGY_GRAPH in counts
    store.close()
    return folder, counts


def _copy(template: tuple[Path, dict[str, int]], tmp_path: Path) -> Path:
    shutil.copytree(template[0] / "store", tmp_path / "store")
    return tmp_path / "store"


def _graphs(location: Path) -> dict[str, int]:
    store = EmbeddedStore(location)
    try:
        assert not [g for g in store._store.named_graphs() if g.value.startswith(STAGING)]
        return {g: _count(store, g) for g in store.graphs()}
    finally:
        store.close()


def test_a_second_process_is_told_who_has_the_store(tmp_path: Path) -> None:
    first = EmbeddedStore(tmp_path / "store")
    with pytest.raises(StoreBusyError) as caught:
        EmbeddedStore(tmp_path / "store", wait=0.3)
    assert caught.value.pid == os.getpid() and caught.value.store == str(tmp_path / "store")
    assert f"in use by another process (pid {os.getpid()}" in str(caught.value)
    first.close()
    EmbeddedStore(tmp_path / "store").close()  # released on close
    assert (tmp_path / "store" / LOCK_FILE).is_file()


@pytest.mark.parametrize("wait", [None, "60"], ids=["fail-fast", "wait"])
def test_two_processes_loading_one_embedded_store(
    tmp_path: Path, template: tuple[Path, dict[str, int]], wait: str | None
) -> None:
    location = _copy(template, tmp_path)
    files = {f"{POLE}graph/{tag}": _triples(tmp_path / f"{tag}.nt", 20_000, tag=tag) for tag in ("a", "b")}
    waiting = ["--wait", wait] if wait else []
    runs = {
        graph: _cli("load", str(path), "--graph", graph, "--no-validate", "--store", str(location), *waiting)
        for graph, path in files.items()
    }
    said = {graph: (*run.communicate(timeout=120), run.returncode) for graph, run in runs.items()}
    codes = sorted(code for _, _, code in said.values())
    assert codes == [0, 0] if wait else codes in ([0, 0], [0, 2])
    expected = dict(template[1])
    for graph, (out, err, code) in said.items():
        assert "Traceback" not in err
        if code == 0:
            assert f"20,000 triples in <{graph}>" in out
            expected[graph] = 20_000
        else:
            assert f"policeonto: error: {location}: the store is in use by another process (pid " in err
    assert _graphs(location) == expected


@pytest.mark.parametrize("replace", [False, True], ids=["new-graph", "replaced-graph"])
def test_ctrl_c_mid_load_leaves_the_embedded_store_as_it_was(
    tmp_path: Path, template: tuple[Path, dict[str, int]], replace: bool
) -> None:
    location = _copy(template, tmp_path)
    before = _graphs(location)
    graph = next(g for g in before if g.startswith(f"{POLE}data/")) if replace else f"{POLE}graph/new"
    big = _triples(tmp_path / "big.nt", 40_000).resolve()
    run = _cli("load", str(big), "--graph", graph, "--no-validate", "--store", str(location))
    _wait_for(lambda: _open_position(run.pid, big) is not None, "the file was opened", alive=lambda: run.poll() is None)
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 130, err
    assert err.strip().startswith("policeonto: interrupted") and "Traceback" not in err and "triples in" not in out
    assert _graphs(location) == before


def test_resume_keeps_what_was_loaded_and_loads_the_rest(tmp_path: Path, template: tuple[Path, dict[str, int]]) -> None:
    location = _copy(template, tmp_path)
    previous = template[0] / "previous.nt"
    rest = _triples(tmp_path / "rest.nt", 300, tag="rest")
    run = _cli("load", str(previous), str(rest), "--no-validate", "--resume", "--store", str(location))
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    assert f"{previous}: already loaded, {PREVIOUS} triples in <" in out
    assert f"{rest}: 300 triples in <" in out
    assert len(_graphs(location)) == len(template[1]) + 1


@pytest.mark.parametrize(
    "url",
    [
        "http://steward:se#cret@127.0.0.1:{port}",
        "http://steward:se/c?ret@127.0.0.1:{port}/x",
        "http://steward:secret@h:port",
    ],
)
def test_credentials_with_unencoded_characters_are_never_shown(url: str) -> None:
    port = _free_port()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "policeonto",
            "query",
            "--query",
            "ASK {}",
            "--store",
            url.format(port=port),
            "--retries",
            "0",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert run.returncode == 2
    assert "secret" not in run.stdout + run.stderr and "cret" not in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


def test_a_url_the_http_client_refuses_is_not_retried() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "policeonto", "query", "--query", "ASK {}", "--store", "http://127.0.0.1:1/a b"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert run.returncode == 2 and "control characters" in run.stderr
    assert "retry" not in run.stderr.lower() and "Traceback" not in run.stderr


class _Malformed(http.server.BaseHTTPRequestHandler):
    """Answers every query with JSON that is no SPARQL result."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        answer = b'{"head": {"vars": ["s"]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


def test_an_answer_that_is_no_sparql_result_is_a_store_error() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Malformed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        with pytest.raises(StoreError, match="not SPARQL JSON results") as caught:
            RemoteStore(url, retries=0).query("SELECT ?s WHERE { ?s ?p ?o }")
        assert caught.value.store == url
    finally:
        server.shutdown()
        server.server_close()
