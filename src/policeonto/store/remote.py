"""A SPARQL 1.1 server: queries and updates over the SPARQL 1.1 Protocol, loads over the Graph Store
Protocol. Endpoints follow Oxigraph's layout under one base URL (``/query``, ``/update``, ``/store``);
others can be given one by one.

Queries see the union of the named graphs: the protocol's ``default-graph-uri`` and ``named-graph-uri``
name each of them, so any conforming server answers the same as the embedded store.
"""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from policeonto.errors import StoreError
from policeonto.fastshacl.terms import escape
from policeonto.store.base import STAGING, RdfSyntax
from policeonto.store.results import QueryResult

__all__ = ["RemoteStore"]

_MEDIA = {
    "nt": "application/n-triples",
    "nq": "application/n-quads",
    "ttl": "text/turtle",
    "trig": "application/trig",
    "xml": "application/rdf+xml",
    "jsonld": "application/ld+json",
}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class RemoteStore:
    """A SPARQL 1.1 server at *url* (the base of Oxigraph-style endpoints), with a *timeout* in seconds."""

    def __init__(
        self,
        url: str,
        *,
        query_url: str | None = None,
        update_url: str | None = None,
        store_url: str | None = None,
        timeout: float = 300.0,
    ) -> None:
        base = url.rstrip("/")
        self.location = _redacted(base)
        self.query_url = query_url or f"{base}/query"
        self.update_url = update_url or f"{base}/update"
        self.store_url = store_url or f"{base}/store"
        self.timeout = timeout

    def load(self, path: Path, *, graph: str, syntax: RdfSyntax, update: str | None = None) -> int:
        staged = f"{STAGING}{uuid.uuid4()}"
        target = f"{self.store_url}?{urllib.parse.urlencode({'graph': staged})}"
        try:
            with path.open("rb") as body:
                request = urllib.request.Request(target, data=body, method="PUT")
                request.add_header("Content-Type", _MEDIA[syntax])
                request.add_header("Content-Length", str(path.stat().st_size))
                self._send(request)
            publish = f"{update.replace('?staged', f'<{staged}>')} ;\n" if update else ""
            self.update(f"{publish}MOVE SILENT GRAPH <{staged}> TO GRAPH <{graph}>")
        except StoreError as exc:
            self._drop_quietly(staged)
            raise StoreError(f"cannot load {path} into <{graph}>: {exc.reason}", store=self.location) from exc
        count = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(count.values("n").pop())

    def query(self, sparql: str) -> QueryResult:
        graphs = self.graphs()
        form = (
            [("query", sparql)] + [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]
        )
        return self._query(form)

    def update(self, sparql: str) -> None:
        data = urllib.parse.urlencode({"update": sparql}).encode("utf-8")
        request = urllib.request.Request(self.update_url, data=data, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        self._send(request)

    def graphs(self) -> list[str]:
        found = self._query([("query", "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")])
        return sorted(g for g in found.values("g") if not g.startswith(STAGING))

    def close(self) -> None:
        pass

    def _query(self, form: list[tuple[str, str]]) -> QueryResult:
        request = urllib.request.Request(self.query_url, data=urllib.parse.urlencode(form).encode("utf-8"))
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("Accept", "application/sparql-results+json, application/n-triples;q=0.9")
        body, media = self._send(request)
        if media == "application/n-triples":
            return QueryResult(triples=tuple(line for line in body.decode("utf-8").splitlines() if line.strip()))
        try:
            answer = json.loads(body)
        except ValueError as exc:
            raise StoreError(f"the server's answer is not SPARQL JSON results: {exc}", store=self.location) from exc
        if "boolean" in answer:
            return QueryResult(boolean=bool(answer["boolean"]))
        variables = tuple(answer["head"]["vars"])
        rows = tuple(tuple(_term(b[v]) if v in b else None for v in variables) for b in answer["results"]["bindings"])
        return QueryResult(variables=variables, rows=rows)

    def _send(self, request: urllib.request.Request) -> tuple[bytes, str]:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read(), response.headers.get_content_type()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip()[:500]
            raise StoreError(
                f"{request.get_method()} {_redacted(request.full_url)}: HTTP {exc.code}: {detail}", store=self.location
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreError(
                f"{request.get_method()} {_redacted(request.full_url)}: {reason}", store=self.location
            ) from exc

    def _drop_quietly(self, graph: str) -> None:
        with contextlib.suppress(StoreError):  # the server is gone; queries never name a staging graph
            self.update(f"DROP SILENT GRAPH <{graph}>")


def _term(binding: dict[str, str]) -> str:
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return f"_:{value}"
    literal = f'"{escape(value)}"'
    if "xml:lang" in binding:
        return f"{literal}@{binding['xml:lang']}"
    datatype = binding.get("datatype")
    return literal if datatype in (None, _XSD_STRING) else f"{literal}^^<{datatype}>"


def _redacted(url: str) -> str:
    """*url* without any user name or password in it."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
