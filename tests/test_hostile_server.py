"""A SPARQL server is outside the trust boundary: one that redirects, drips its answer, sends gigabytes, sends
what is no UTF-8 or no SPARQL results, or echoes the request (credentials and all) in an error page, gets a
clear StoreError, and the credentials in a store URL are never shown, however the URL is written. Real HTTP
servers and sockets on loopback in threads, and real `policeonto` processes."""

from __future__ import annotations

import base64
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from policeonto.errors import StoreError
from policeonto.store import RemoteStore, RetryNotice, open_store, transport
from policeonto.store.credentials import redacted, split_credentials
from policeonto.store.transport import Transport
from tests.conftest import ROOT
from tests.peak import run_measured

USER, SECRET = "steward", "s3cr@t/Pa55#w"
TOKEN = base64.b64encode(f"{USER}:{SECRET}".encode()).decode()
QUOTED = urllib.parse.quote(SECRET, safe="")
FORMS = (SECRET, QUOTED, TOKEN, "s3cr")  # what must never be shown
GiB = 1 << 30

Answer = tuple[int, dict[str, str], bytes]


def _sparql(body: bytes) -> Answer:
    """What a well-behaved server answers: no graphs, ASK true, no rows."""
    if b"GRAPH+%3Fg" in body:
        answer: object = {"head": {"vars": ["g"]}, "results": {"bindings": []}}
    elif b"ASK" in body:
        answer = {"head": {}, "boolean": True}
    else:
        answer = {"head": {"vars": ["s"]}, "results": {"bindings": []}}
    return 200, {"Content-Type": "application/sparql-results+json"}, json.dumps(answer).encode()


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers each request as its server's ``respond`` says, recording the headers it was sent."""

    respond: Callable[[http.server.BaseHTTPRequestHandler, bytes], Answer] = staticmethod(lambda _h, b: _sparql(b))
    seen: list[dict[str, str]]

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append(dict(self.headers))
        status, headers, content = type(self).respond(self, body)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_POST = do_PUT = do_GET = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Callable[..., tuple[int, list[dict[str, str]]]]]:
    """Start a server answering as *respond* does; its port and the headers of each request it got."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(respond: Callable[[http.server.BaseHTTPRequestHandler, bytes], Answer] | None = None) -> tuple[int, list]:
        seen: list[dict[str, str]] = []
        attributes: dict[str, object] = {"seen": seen}
        if respond is not None:
            attributes["respond"] = staticmethod(respond)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Handler,), attributes))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_address[1], seen

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


class _Listener:
    """A TCP listener on loopback that counts the connections made to it (and answers none)."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()


@pytest.fixture
def listener() -> Iterator[_Listener]:
    made = _Listener()
    yield made
    made.socket.close()


def _url(port: int, scheme: str = "http") -> str:
    return f"{scheme}://{USER}:{QUOTED}@127.0.0.1:{port}"


def _cli(*args: str, cwd: Path = ROOT, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "policeonto", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=timeout)


def _shows_no_secret(*texts: str) -> None:
    for text in texts:
        for form in FORMS:
            assert form not in text, text


def _query_fails(url: str, **options: object) -> StoreError:
    with pytest.raises(StoreError) as caught:
        RemoteStore(url, **{"retries": 0, **options}).query("SELECT ?s WHERE { ?s ?p ?o }")
    assert type(caught.value) is StoreError
    _shows_no_secret(str(caught.value), repr(caught.value))
    return caught.value


# --- redirects ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("scheme", ["http", "ftp"])
def test_a_redirect_is_never_followed(serve: Callable, listener: _Listener, status: int, scheme: str) -> None:
    target = f"{scheme}://{USER}:{QUOTED}@127.0.0.1:{listener.port}/elsewhere?x=1"
    port, seen = serve(lambda _h, _b: (status, {"Location": target}, b""))
    error = _query_fails(_url(port))
    assert f"HTTP {status}: the server redirects to {scheme}://127.0.0.1:{listener.port};" in str(error)
    assert "elsewhere" not in str(error) and USER not in str(error)
    assert listener.connections == 0 and len(seen) == 1


def test_a_redirect_through_the_cli_is_an_error_naming_only_where_it_points(
    serve: Callable, listener: _Listener
) -> None:
    port, _ = serve(lambda _h, _b: (302, {"Location": f"ftp://{USER}:{SECRET}@127.0.0.1:{listener.port}/x"}, b""))
    run = _cli("query", "--query", "ASK {}", "--store", _url(port), "--retries", "0")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert f"redirects to ftp://127.0.0.1:{listener.port}; redirects are not followed" in run.stderr
    _shows_no_secret(run.stdout, run.stderr)
    assert listener.connections == 0


def test_credentials_go_only_to_the_stores_own_server(serve: Callable) -> None:
    store_port, at_store = serve()
    other_port, at_other = serve()
    elsewhere, at_elsewhere = serve()
    store = RemoteStore(
        _url(store_port),
        query_url=f"http://127.0.0.1:{other_port}/query",  # another server, no credentials of its own
        store_url=f"http://keeper:kept@127.0.0.1:{elsewhere}/store",  # another, with its own
        retries=0,
    )
    assert store.query("ASK { }").boolean is True
    store.update("CLEAR ALL")
    store._http.send("PUT", store._graph_url("http://e.org/g"), body=b"")
    assert at_other and all("Authorization" not in h for h in at_other)
    assert [h["Authorization"] for h in at_store] == [f"Basic {TOKEN}"]
    assert [h["Authorization"] for h in at_elsewhere] == ["Basic " + base64.b64encode(b"keeper:kept").decode()]


def test_two_passwords_for_one_server_are_refused() -> None:
    with pytest.raises(StoreError, match="different user names or passwords") as caught:
        RemoteStore(_url(9), update_url="http://other:pw@127.0.0.1:9/update")
    _shows_no_secret(str(caught.value))


# --- a server that drips its answer ------------------------------------------------------------------------


def _drip(head: bytes, *, stop: threading.Event) -> int:
    """A server that sends *head*, then a byte at a time every 0.1 s until *stop*; its port."""
    server = socket.create_server(("127.0.0.1", 0))

    def run() -> None:
        while not stop.is_set():
            server.settimeout(0.2)
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.recv(1 << 16)
                try:
                    connection.sendall(head)
                    while not stop.wait(0.1):
                        connection.sendall(b"a")
                except OSError:
                    continue
        server.close()

    threading.Thread(target=run, daemon=True).start()
    return server.getsockname()[1]


@pytest.mark.parametrize(
    "head",
    [
        b"HTTP/1.1 200 OK\r\nX-Dripping: ",  # the headers never end
        b"HTTP/1.1 200 OK\r\nContent-Type: application/n-triples\r\nContent-Length: 100000\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Type: application/n-triples\r\n\r\n",  # to the end of the connection
        b"HTTP/1.1 200 OK\r\nContent-Type: application/n-triples\r\nTransfer-Encoding: chunked\r\n\r\n10000\r\n",
    ],
    ids=["headers", "body-with-length", "body-to-close", "chunked"],
)
def test_a_server_that_drips_its_answer_is_cut_off_at_the_deadline(head: bytes) -> None:
    stop = threading.Event()
    port = _drip(head, stop=stop)
    failed: list[StoreError] = []

    def ask() -> None:
        with pytest.raises(StoreError) as caught:
            RemoteStore(f"http://127.0.0.1:{port}", retries=0, timeout=5, deadline=1).query("ASK { }")
        failed.append(caught.value)

    asking = threading.Thread(target=ask, daemon=True)
    asking.start()
    asking.join(30)  # a guard: before the fix, each byte came within the read timeout, for ever
    stop.set()
    assert not asking.is_alive(), "the client still waits for the dripping server"
    assert "no complete answer within the deadline (1 s)" in str(failed[0])


def test_the_cli_gives_a_dripping_server_its_deadline_and_retries_it() -> None:
    stop = threading.Event()
    port = _drip(b"HTTP/1.1 200 OK\r\nContent-Type: application/n-triples\r\n\r\n", stop=stop)
    try:
        run = _cli("query", "--query", "ASK {}", "--store", _url(port), "--deadline", "0.5", "--retries", "1")
    finally:
        stop.set()
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "no complete answer within the deadline (0.5 s); retrying in" in run.stderr
    assert "(after 2 attempts)" in run.stderr
    _shows_no_secret(run.stdout, run.stderr)


def test_the_deadline_covers_an_upload_the_server_never_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(server.accept()[0]), daemon=True).start()  # and never read
    big = tmp_path / "big.nt"
    big.write_bytes(b"x" * (16 << 20))  # more than the socket buffers hold
    monkeypatch.setattr(transport, "UPLOAD_RATE", 1 << 40)  # no extra time for the upload: the deadline alone
    failed: list[StoreError] = []

    def upload() -> None:
        with pytest.raises(StoreError) as caught:
            Transport("http://127.0.0.1", deadline=1, retries=0).send(
                "PUT", f"http://127.0.0.1:{server.getsockname()[1]}/store", body=big
            )
        failed.append(caught.value)

    uploading = threading.Thread(target=upload, daemon=True)
    uploading.start()
    uploading.join(30)
    server.close()
    for connection in held:
        connection.close()
    assert not uploading.is_alive(), "the upload still waits for the server to read"
    assert "no complete answer within the deadline (1 s)" in str(failed[0])


# --- a huge answer -----------------------------------------------------------------------------------------


class _Flood:
    """A server that answers any request with *size* bytes of N-Triples made on the fly, declaring its
    length or not; counts the bytes it got out before the client hung up."""

    def __init__(self, size: int, *, declared: bool) -> None:
        self.size, self.declared, self.sent = size, declared, 0
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            connection.recv(1 << 16)
            length = f"Content-Length: {self.size}\r\n" if self.declared else "Connection: close\r\n"
            block = b'<http://e.org/s> <http://e.org/p> "' + b"x" * 985 + b'" .\n'
            block *= 1024  # 1 MiB
            try:
                connection.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: application/n-triples\r\n{length}\r\n".encode())
                while self.sent < self.size:
                    connection.sendall(block)
                    self.sent += len(block)
            except OSError:
                return


@pytest.mark.parametrize("declared", [False, True], ids=["streamed", "declared"])
def test_a_huge_answer_is_refused_without_reading_it_whole(declared: bool) -> None:
    flood = _Flood(2 * GiB, declared=declared)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "policeonto", "query", "--query", "CONSTRUCT WHERE { ?s ?p ?o }"]
    process = subprocess.Popen(
        [*command, "--store", _url(flood.port), "--retries", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = process.communicate(timeout=120)
    finally:
        flood.socket.close()
    assert process.returncode == 2 and "Traceback" not in err
    assert "over the size limit (the answer-size limit is 256M; raise it with --limit answer-size=SIZE)" in err
    assert flood.sent < 512 << 20  # it stopped reading at the limit, not at 2 GiB
    _shows_no_secret(out, err)


def test_a_huge_answer_leaves_the_client_under_a_gigabyte(tmp_path: Path) -> None:
    flood = _Flood(2 * GiB, declared=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "policeonto", "query", "--query", "CONSTRUCT WHERE { ?s ?p ?o }"]
    try:
        code, peak = run_measured(
            [*command, "--store", f"http://127.0.0.1:{flood.port}", "--retries", "0"],
            timeout=120,
            peak_file=tmp_path / "peak.txt",
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    finally:
        flood.socket.close()
    assert code == 2
    assert peak < 1 << 20  # KiB: under 1 GiB
    assert flood.sent < 512 << 20


@pytest.mark.parametrize("command", ["query", "load"])
def test_the_answer_size_limit_is_set_with_limit(command: str, tmp_path: Path) -> None:
    flood = _Flood(2 * GiB, declared=False)
    small = tmp_path / "small.nt"
    small.write_text('<http://e.org/a> <http://e.org/b> "c" .\n', encoding="utf-8")
    given = ["--query", "ASK {}"] if command == "query" else [str(small), "--no-validate"]
    try:
        run = _cli(command, *given, "--store", _url(flood.port), "--retries", "0", "--limit", "answer-size=1M")
    finally:
        flood.socket.close()
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "the answer-size limit is 1M" in run.stderr
    assert flood.sent < 64 << 20
    _shows_no_secret(run.stdout, run.stderr)


# --- answers that are no results ---------------------------------------------------------------------------

JSON = "application/sparql-results+json"


def _select(binding: object) -> bytes:
    return json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": [{"s": binding}]}}).encode()


@pytest.mark.parametrize(
    ("media", "body", "said"),
    [
        ("application/n-triples", b'<http://e.org/a> <http://e.org/b> "caf\xe9" .\n', "not UTF-8 (byte 38)"),
        (JSON, b'{"head": {"vars": []}, "boolean": "\xff"}', "not UTF-8"),
        (JSON, '{"head": {}, "boolean": true}'.encode("utf-16"), "not UTF-8"),
        (JSON, b'{"head": {}, "boolean": ' + b"9" * 5000 + b"}", "a JSON number of thousands of digits"),
        (JSON, b"[" * 100_000, "JSON nested too deeply"),
        (JSON, b'{"head": {}, "boolean": "yes"}', "'boolean' is not true or false"),
        (JSON, b"[1, 2]", "not a JSON object"),
        (JSON, b'{"head": {"vars": ["s"]}}', "no list of 'bindings'"),
        (JSON, b'{"head": {"vars": [{}]}, "results": {"bindings": []}}', "no list of variable names"),
        (JSON, _select({"type": "literal", "value": "\ud800"}), "UTF-16 surrogate"),
        ("application/n-triples", b'<http://e.org/a> <http://e.org/b> "\\uD800" .\n', "UTF-16 surrogate"),
        (JSON, _select({"type": "literal", "value": "x", "xml:lang": "en fr"}), "a language tag that is none"),
        (JSON, _select({"type": "uri", "value": "http://e.org/a> <b"}), "an IRI that is none"),
        (JSON, _select({"type": "literal", "value": "x", "datatype": "a b"}), "an IRI that is none"),
        (JSON, _select({"type": "bnode", "value": "a b"}), "a blank node labelled"),
        (JSON, _select({"value": "x"}), "is bound to no term"),
        (JSON, _select({"type": "triple", "value": "x"}), "a term of type 'triple'"),
        (JSON, _select({"type": "literal", "value": 7}), "has a value that is no text"),
        (JSON, _select("<http://e.org/a>"), "is bound to no term"),
        (JSON, b'{"head": {"vars": ["s"]}, "results": {"bindings": [7]}}', "a binding is not a JSON object"),
    ],
)
def test_an_answer_that_is_no_results_is_a_store_error(serve: Callable, media: str, body: bytes, said: str) -> None:
    def respond(_handler: http.server.BaseHTTPRequestHandler, asked: bytes) -> Answer:
        return _sparql(asked) if b"GRAPH+%3Fg" in asked else (200, {"Content-Type": media}, body)

    port, _ = serve(respond)
    error = _query_fails(_url(port))
    assert "the server's answer " in str(error) and said in str(error), str(error)


def test_an_answer_without_the_variable_asked_for_is_a_store_error(serve: Callable) -> None:
    port, _ = serve(
        lambda _h, _b: (200, {"Content-Type": JSON}, b'{"head": {"vars": []}, "results": {"bindings": []}}')
    )
    error = _query_fails(_url(port))
    assert "no ?g in the results" in str(error)


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe<x>", b"[" * 100_000, _select({"type": "literal", "value": "x", "xml:lang": "en fr"})],
    ids=["not-utf8", "deep", "bad-language-tag"],
)
def test_the_cli_reports_an_answer_that_is_no_results_as_an_error(serve: Callable, body: bytes) -> None:
    def respond(_handler: http.server.BaseHTTPRequestHandler, asked: bytes) -> Answer:
        return _sparql(asked) if b"GRAPH+%3Fg" in asked else (200, {"Content-Type": JSON}, body)

    port, _ = serve(respond)
    run = _cli("query", "--query", "SELECT ?s WHERE { ?s ?p ?o }", "--store", _url(port), "--retries", "0")
    assert run.returncode == 2 and "internal error" not in run.stderr and "Traceback" not in run.stderr
    assert "policeonto: error: http://127.0.0.1:" in run.stderr and "the server's answer is not" in run.stderr


def test_well_formed_answers_still_read(serve: Callable) -> None:
    rows = [
        {"s": {"type": "uri", "value": "http://e.org/a"}},
        {"s": {"type": "literal", "value": "line\u2028two\n", "xml:lang": "en-GB"}},
        {"s": {"type": "literal", "value": "7", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}},
        {"s": {"type": "bnode", "value": "b0"}},
        {"s": {"type": "literal", "value": "\U0001f600"}},
        {},
    ]
    answer = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": rows}}).encode()  # \ud83d\ude00 pair
    triples = '<http://e.org/a> <http://e.org/b> "x\u2028y" .\r\n\n<http://e.org/a> <http://e.org/b> "z" .\n'

    def respond(_handler: http.server.BaseHTTPRequestHandler, asked: bytes) -> Answer:
        if b"GRAPH+%3Fg" in asked:
            return _sparql(asked)
        if b"CONSTRUCT" in asked:
            return 200, {"Content-Type": "application/n-triples"}, triples.encode()
        return 200, {"Content-Type": JSON}, answer

    port, _ = serve(respond)
    store = RemoteStore(_url(port), retries=0)
    assert store.query("SELECT ?s WHERE { ?s ?p ?o }").column("s") == [
        "<http://e.org/a>",
        '"line\u2028two\\n"@en-GB',
        '"7"^^<http://www.w3.org/2001/XMLSchema#integer>',
        "_:b0",
        '"\U0001f600"',
        None,
    ]
    assert store.query("CONSTRUCT WHERE { ?s ?p ?o }").triples == (
        '<http://e.org/a> <http://e.org/b> "x\u2028y" .',  # a line separator is no line end in N-Triples
        '<http://e.org/a> <http://e.org/b> "z" .',
    )


# --- error pages that echo the request ---------------------------------------------------------------------


def _echo(status: int) -> Callable[[http.server.BaseHTTPRequestHandler, bytes], Answer]:
    def respond(handler: http.server.BaseHTTPRequestHandler, _body: bytes) -> Answer:
        echoed = (
            f"Bad request.\n{handler.headers}\nyou are {USER}:{SECRET} ({QUOTED}), "
            f"token\n{TOKEN}\n" + "padding " * 10_000
        )
        return status, {"Content-Type": "text/plain"}, echoed.encode()

    return respond


@pytest.mark.parametrize("status", [400, 401, 500, 503])
def test_an_error_page_echoing_the_request_shows_no_credentials(serve: Callable, status: int) -> None:
    port, _ = serve(_echo(status))
    retried: list[RetryNotice] = []
    error = _query_fails(_url(port), retries=1, backoff=0.01, on_retry=retried.append)
    assert f"HTTP {status}: Bad request." in str(error) and "Authorization: Basic ***" in str(error)
    assert len(str(error)) < 1000  # a short excerpt, on one line
    assert "\n" not in str(error)
    for notice in retried:
        _shows_no_secret(str(notice), notice.reason)


@pytest.mark.parametrize("status", [400, 503])
def test_the_cli_shows_no_credentials_an_error_page_echoes(serve: Callable, status: int, tmp_path: Path) -> None:
    port, _ = serve(_echo(status))
    small = tmp_path / "small.nt"
    small.write_text('<http://e.org/a> <http://e.org/b> "c" .\n', encoding="utf-8")
    runs = [
        _cli("query", "--query", "ASK {}", "--store", _url(port), "--retries", "1"),
        _cli("load", str(small), "--no-validate", "--store", _url(port), "--retries", "1"),
    ]
    for run in runs:
        assert run.returncode == 2 and "Traceback" not in run.stderr
        assert f"HTTP {status}: Bad request." in run.stderr
        _shows_no_secret(run.stdout, run.stderr)
    if status == 503:
        assert "retrying in" in runs[0].stderr


# --- credentials in store URLs -----------------------------------------------------------------------------

_WRONG_URLS = [
    "http://{user}:{secret}@store_1.invalid:7878",  # an underscore in the host
    "http://{user}:{secret}@hôte.invalid:7878",  # a host that is not ASCII
    "ftp://{user}:{secret}@127.0.0.1:{port}/",  # a scheme no store speaks
    "Gopher://{user}:{secret}@127.0.0.1:{port}/",
    "http://{user}:{secret}@[::1:{port}",  # no closing bracket
    "http://{user}:{secret}@ho st:{port}/",
    "HTTP://{user}:{secret}@127.0.0.1:x/",
    "http://{user}:{secret}@",
    "http://{user}:{secret}@127.0.0.1:99999",
]


@pytest.mark.parametrize(
    ("command", "url"),
    [("query", url) for url in _WRONG_URLS] + [("load", url) for url in _WRONG_URLS[::2]],  # one open_store
)
def test_a_store_url_never_shows_its_credentials(url: str, command: str, tmp_path: Path) -> None:
    small = tmp_path / "small.nt"
    small.write_text('<http://e.org/a> <http://e.org/b> "c" .\n', encoding="utf-8")
    given = ["--query", "ASK {}"] if command == "query" else [str(small), "--no-validate"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    stores = [url.format(user=USER, secret=secret, port=9) for secret in (SECRET, QUOTED)]
    runs = [  # the password written as it is, and percent-encoded; side by side
        subprocess.Popen(
            [sys.executable, "-m", "policeonto", command, *given, "--store", store, "--retries", "0"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for store in stores
    ]
    for run in runs:
        out, err = run.communicate(timeout=60)
        assert run.returncode == 2 and "Traceback" not in err, err
        assert err.startswith("policeonto: error: ") and "internal error" not in err
        _shows_no_secret(out, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.nt"]  # no store folder made


@pytest.mark.parametrize("command", ["query", "load"])
def test_an_upper_case_scheme_is_a_server_not_a_folder(serve: Callable, command: str, tmp_path: Path) -> None:
    port, seen = serve()
    small = tmp_path / "small.nt"
    small.write_text('<http://e.org/a> <http://e.org/b> "c" .\n', encoding="utf-8")
    given = ["--query", "ASK {}"] if command == "query" else [str(small), "--no-validate"]
    run = _cli(command, *given, "--store", _url(port, "HTTP"), "--retries", "0", cwd=tmp_path)
    _shows_no_secret(run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.nt"]
    assert seen and {h["Authorization"] for h in seen} == {f"Basic {TOKEN}"}
    if command == "query":
        assert run.returncode == 0 and run.stdout == "true\n"


@pytest.mark.parametrize("url", _WRONG_URLS)
def test_redaction_fails_closed(url: str) -> None:
    text = url.format(user=USER, secret=SECRET, port=9)
    _shows_no_secret(redacted(text))
    try:
        clean, credentials = split_credentials(text)
    except ValueError as exc:
        _shows_no_secret(str(exc))
    else:
        _shows_no_secret(clean, repr(credentials))
    with pytest.raises(StoreError) as caught:
        open_store(text, retries=0).query("ASK {}")
    _shows_no_secret(str(caught.value), repr(caught.value))


def test_open_store_takes_a_url_in_any_case_and_refuses_other_schemes() -> None:
    with open_store(f"HTTPS://{USER}:{QUOTED}@127.0.0.1:9", retries=0) as store:
        assert store.location == "https://127.0.0.1:9"
    with pytest.raises(StoreError, match="starts with http:// or https://, not ftp://") as caught:
        open_store(f"ftp://{USER}:{QUOTED}@127.0.0.1:9")
    _shows_no_secret(str(caught.value))
