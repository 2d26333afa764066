"""Shared fixtures: the generated artefacts, parsed once per test session."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import settings
from linkml_runtime.utils.schemaview import SchemaView
from rdflib import Graph

from policeonto.store import EmbeddedStore, RemoteStore, Store
from policeonto.vocab import ARTEFACTS, schema_view

# `make test` replays the same examples on every run, so a red run is reproducible; `make fuzz`
# (HYPOTHESIS_PROFILE=fuzz) explores new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("fuzz", max_examples=1000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
POLICE_UK = ROOT.parent / "shared" / "data" / "police-uk"
SHACL_SUITE = ROOT.parent / "shared" / "data" / "shacl-test-suite"


def script_module(path: Path) -> ModuleType:
    """A script of the project (a generator under examples/ or benchmarks/) imported as a module."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def view() -> SchemaView:
    return schema_view()


@pytest.fixture(scope="session")
def ontology() -> Graph:
    return Graph().parse(ROOT / ARTEFACTS["owl"], format="turtle")


@pytest.fixture(scope="session")
def alignments() -> Graph:
    return Graph().parse(ROOT / ARTEFACTS["alignments"], format="turtle")


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return Graph().parse(ROOT / ARTEFACTS["shacl"], format="turtle")


@pytest.fixture(scope="session")
def codelists() -> Graph:
    return Graph().parse(ROOT / ARTEFACTS["codelists"], format="turtle")


OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(process: subprocess.Popen[bytes], endpoint: str, what: str, *, within: float) -> None:
    """Wait until the server *process* answers ``ASK {}`` at *endpoint*; fail with its stderr if it dies or
    does not answer *within* seconds."""
    deadline = time.monotonic() + within
    while True:
        try:
            urllib.request.urlopen(f"{endpoint}?query=ASK%7B%7D", timeout=1).read()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                assert process.stderr is not None
                pytest.fail(f"{what} did not start: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real Oxigraph server on loopback, with its data on disk."""
    port = _free_port()
    process = subprocess.Popen(
        [str(OXIGRAPH), "serve", "--location", str(tmp_path / "server"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    _wait_until_up(process, f"{url}/query", "oxigraph serve", within=30)
    yield url, process
    process.terminate()
    process.wait(10)


VIRTUOSO = Path("/usr/bin/virtuoso-t")
ISQL = Path("/usr/bin/isql-vt")
# Virtuoso's SPARQL user may update, and use the graph store protocol; nothing else is changed
_VIRTUOSO_GRANTS = 'GRANT SPARQL_UPDATE TO "SPARQL";'


def _virtuoso_ini(folder: Path, sql_port: int, http_port: int) -> Path:
    ini = folder / "virtuoso.ini"
    ini.write_text(
        "\n".join(
            [
                "[Database]",
                f"DatabaseFile = {folder / 'virtuoso.db'}",
                f"ErrorLogFile = {folder / 'virtuoso.log'}",
                f"LockFile = {folder / 'virtuoso.lck'}",
                f"TransactionFile = {folder / 'virtuoso.trx'}",
                f"xa_persistent_file = {folder / 'virtuoso.pxa'}",
                "TempStorage = TempDatabase",
                "[TempDatabase]",
                f"DatabaseFile = {folder / 'virtuoso-temp.db'}",
                f"TransactionFile = {folder / 'virtuoso-temp.trx'}",
                "[Parameters]",
                f"ServerPort = 127.0.0.1:{sql_port}",
                "DisableUnixSocket = 1",
                "CaseMode = 2",
                f"DirsAllowed = ., {folder}",
                "NumberOfBuffers = 10000",
                "MaxDirtyBuffers = 6000",
                "[HTTPServer]",
                f"ServerPort = 127.0.0.1:{http_port}",
                "ServerThreads = 10",
                "Charset = UTF-8",
                "[SPARQL]",
                "ResultSetMaxRows = 10000000",
                "MaxQueryExecutionTime = 300",
                "",
            ]
        )
    )
    return ini


def start_virtuoso(folder: Path) -> tuple[str, subprocess.Popen[bytes]]:
    """A real OpenLink Virtuoso server (Debian's virtuoso-opensource) on loopback, with its data in *folder*;
    its SPARQL endpoint answers queries and updates at /sparql and the graph store protocol at
    /sparql-graph-crud. Returns its URL and process."""
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = _free_port(), _free_port()
    process = subprocess.Popen(
        [str(VIRTUOSO), "-c", str(_virtuoso_ini(folder, sql_port, http_port)), "+foreground"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{http_port}"
    _wait_until_up(process, f"{url}/sparql", "virtuoso", within=60)
    subprocess.run(
        [str(ISQL), f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={_VIRTUOSO_GRANTS}"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return url, process


def virtuoso_store(url: str, **options: Any) -> RemoteStore:
    """The remote store of a Virtuoso at *url*: its endpoints are not laid out as Oxigraph's."""
    return RemoteStore(
        url, query_url=f"{url}/sparql", update_url=f"{url}/sparql", store_url=f"{url}/sparql-graph-crud", **options
    )


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One Virtuoso for the session: it takes seconds to start on a busy machine (a new database each time)."""
    url, process = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield url
    process.terminate()
    process.wait(30)


@pytest.fixture
def virtuoso(virtuoso_server: str) -> Iterator[str]:
    """The session's Virtuoso, emptied of every graph a test left in it (the server's own stay)."""
    yield virtuoso_server
    with virtuoso_store(virtuoso_server, timeout=60) as left:
        left.clean_staging()
        for graph in left.graphs():
            left.update(f"DROP SILENT GRAPH <{graph}>")


@pytest.fixture(params=["embedded", "server", "virtuoso"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "embedded":
        opened: Store = EmbeddedStore(tmp_path / "store")
    elif request.param == "server":
        url, _ = request.getfixturevalue("server")
        opened = RemoteStore(url, timeout=60)
    else:
        opened = virtuoso_store(request.getfixturevalue("virtuoso"), timeout=60)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> object:
    """The documentation site, built once per session."""
    from policeonto.docs.site import build_site

    return build_site(tmp_path_factory.mktemp("docs") / "site")
