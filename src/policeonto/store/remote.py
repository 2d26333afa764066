"""A SPARQL 1.1 server: queries and updates over the SPARQL 1.1 Protocol, loads over the Graph Store
Protocol. Endpoints follow Oxigraph's layout under one base URL (``/query``, ``/update``, ``/store``);
others can be given one by one.

Queries see the union of the named graphs: the protocol's ``default-graph-uri`` and ``named-graph-uri``
name each of them, so any conforming server answers the same as the embedded store. The graphs a server
keeps for itself (:data:`SERVER_GRAPHS`) are neither listed nor queried.
"""

from __future__ import annotations

import contextlib
import urllib.parse
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from policeonto import interrupts
from policeonto.errors import StoreError
from policeonto.limits import Limits
from policeonto.output import scratch_directory
from policeonto.rdf_formats import by_name
from policeonto.store.answers import parse_answer, values_of
from policeonto.store.base import STAGING, ClosedOnExit, RdfSyntax, check_graph, staged_at, staging_graph
from policeonto.store.credentials import (
    SCHEMES,
    Credentials,
    Origin,
    origin,
    printable,
    redacted,
    split_credentials,
    url_scheme,
)
from policeonto.store.entailment import Entailment
from policeonto.store.federation import check_reach
from policeonto.store.results import QueryResult
from policeonto.store.transport import RetryNotice, Transport
from policeonto.store.triples import as_ntriples

__all__ = ["SERVER_GRAPHS", "RemoteStore"]

_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
STALE_AFTER = 24 * 3600.0  # a staging graph older than this is from a client that died
# Graphs a server keeps for itself in its store, which SPARQL sees as named graphs like any other:
# Virtuoso's metadata (its RDF views), its copy of the LDP vocabulary, and its service description (named
# after the endpoint on its default host). No part of the protocol tells them from a user's graphs.
SERVER_GRAPHS = frozenset(
    {"http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#", "http://localuriqaserver/sparql"}
)
# Every named graph, also an empty one. A server that answers the empty group with one row leaving ?g
# unbound (Virtuoso 7, which keeps no empty graphs) is asked again for the graphs that have a triple.
_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
# (GROUP BY, not DISTINCT: Virtuoso 7 answers DISTINCT by reading every quad, 100x slower)
_GRAPHS_WITH_TRIPLES = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


class RemoteStore(ClosedOnExit):
    """A SPARQL 1.1 server at *url* (the base of Oxigraph-style endpoints).

    A user name and password in the URL (``http://user:secret@host:7878``) are sent as HTTP basic
    authentication, only to that server (scheme, host and port), and never shown: :attr:`location` is the
    URL without them. An endpoint on another server may carry its own. Every request has a timeout: *connect_timeout*
    seconds to connect, *timeout* seconds for each read, and *deadline* seconds (default: *timeout*) for
    the whole request, plus a second per MiB it uploads. Redirects are never followed: a 3xx answer is a
    :class:`StoreError`. An answer over ``limits.answer_size`` bytes (256 MiB by default) is refused
    without reading the rest. Transient failures
    (refused or reset connections, timeouts, HTTP 429, 502, 503, 504) are retried up to *retries* times,
    waiting about ``backoff * 2**n`` seconds, or as long as ``Retry-After`` says; *on_retry* hears of
    each retry. Each load first drops the staging graphs older than *stale_after* seconds.

    >>> RemoteStore("http://steward:secret@127.0.0.1:7878", retries=2).location
    'http://127.0.0.1:7878'
    """

    def __init__(
        self,
        url: str,
        *,
        query_url: str | None = None,
        update_url: str | None = None,
        store_url: str | None = None,
        timeout: float = 300.0,
        connect_timeout: float = 10.0,
        deadline: float | None = None,
        limits: Limits | None = None,
        retries: int = 5,
        backoff: float = 1.0,
        stale_after: float = STALE_AFTER,
        on_retry: Callable[[RetryNotice], None] | None = None,
    ) -> None:
        try:
            base, given = split_credentials(url.rstrip("/"))
            credentials: dict[Origin, Credentials] = {}
            endpoints = []
            for url_given, default in ((query_url, "query"), (update_url, "update"), (store_url, "store")):
                endpoint, also = split_credentials(url_given or f"{base}/{default}")
                endpoints.append(endpoint)
                _credit(credentials, endpoint, also)
            _credit(credentials, base, given)  # the base's credentials go only to endpoints on its server
        except ValueError as exc:
            raise StoreError(str(exc), store=redacted(url)) from exc
        for endpoint in (base, *endpoints):
            scheme = url_scheme(endpoint)
            if scheme not in SCHEMES:
                raise StoreError(
                    f"a store's URL starts with http:// or https://, not {printable(str(scheme))}://",
                    store=redacted(endpoint),
                )
        self.location = base
        self.query_url, self.update_url, self.store_url = endpoints
        self.timeout = timeout
        self.stale_after = stale_after
        self._http = Transport(
            self.location,
            credentials=credentials,
            connect_timeout=connect_timeout,
            timeout=timeout,
            deadline=deadline,
            limits=limits,
            retries=retries,
            backoff=backoff,
            on_retry=on_retry,
        )

    def load(
        self,
        path: Path,
        *,
        graph: str,
        syntax: RdfSyntax,
        update: str | None = None,
        entail: Entailment | None = None,
        entailed: Path | None = None,
    ) -> int:
        """Stage *path* in a graph of its own (HTTP PUT), then publish it over *graph* with one update
        (the entailments of *update*, then those of *entail*, sent as tables and joined where the data is, so
        *entailed* is not sent; then ``MOVE``). A failure at
        any point leaves *graph* as it was or fully loaded, never partial. Every triple of the file, in its
        default graph or in any graph it names (N-Quads, TriG, JSON-LD: sent as N-Triples), goes into
        *graph*, as in the embedded store.

        Raises:
            OptionError: *graph* is not an absolute IRI, or is a staging or entailed graph.
            StoreError: the file is not valid RDF, *update* reaches outside, or the server refused or
                failed, or went away and did not come back within the retries; names the store, the graph
                and what happened.
        """
        check_graph(graph, dataset=False)
        if entail is not None:  # the server joins the tables with the staged triples, where they are
            update = " ;\n".join(u for u in (update, entail.update(graph)) if u)
        if update:
            check_reach(update, store=self.location)
        self.clean_staging(older_than=self.stale_after)
        if not by_name(syntax).names_graphs:
            self._load(path, graph, syntax, update, shown=path)
        else:  # the server would keep each quad's graph: it is sent the triples alone
            with scratch_directory("policeonto-load-") as folder:
                try:
                    triples = as_ntriples(path, syntax, folder)
                except (OSError, SyntaxError, ValueError) as exc:
                    raise StoreError(
                        f"cannot load {path} into <{graph}>: {exc}; the graph was not changed",
                        store=self.location,
                        graph=graph,
                    ) from exc
                self._load(triples, graph, "nt", update, shown=path)
        count = values_of(
            self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"), "n", store=self.location
        )
        if len(count) != 1 or not next(iter(count)).isdigit():
            raise StoreError(f"the server's count of <{graph}> is no number", store=self.location, graph=graph)
        return int(count.pop())

    def _load(self, path: Path, graph: str, syntax: RdfSyntax, update: str | None, *, shown: Path) -> None:
        staged = staging_graph()
        try:
            self._stage_and_publish(path, staged, graph, syntax, update, shown=shown)
        except KeyboardInterrupt:  # what was staged goes; the graph is as it was, or published whole
            self._drop_quietly(staged)
            raise

    def _stage_and_publish(
        self, path: Path, staged: str, graph: str, syntax: RdfSyntax, update: str | None, *, shown: Path
    ) -> None:
        try:
            self._http.send(
                "PUT", self._graph_url(staged), body=path, headers={"Content-Type": by_name(syntax).media_type}
            )
        except StoreError as exc:
            self._drop_quietly(staged)
            raise StoreError(
                f"cannot load {shown} into <{graph}>: {exc.reason}; the graph was not changed",
                store=self.location,
                graph=graph,
            ) from exc
        publish = f"{update.replace('?staged', f'<{staged}>')} ;\n" if update else ""
        interrupts.check()  # a swallowed Ctrl-C still keeps the graph as it was
        # not MOVE SILENT: moving a graph that is not there would empty the target
        sparql = f"{publish}MOVE GRAPH <{staged}> TO GRAPH <{graph}>"
        try:
            # the update is one transaction; if its answer is lost, it took effect when the staged graph is gone
            self._http.send(
                "POST", self.update_url, body=_form(update=sparql), headers=_FORM, settled=lambda: self._gone(staged)
            )
        except StoreError as exc:
            self._drop_quietly(staged)
            raise StoreError(
                f"cannot load {shown} into <{graph}>: {exc.reason}; the graph is as it was or fully loaded, never "
                "partial (`policeonto load --resume` finishes the load)",
                store=self.location,
                graph=graph,
            ) from exc

    def query(self, sparql: str, *, federate: Iterable[str] = ()) -> QueryResult:
        """Run a SPARQL 1.1 query over the union of every named graph. A ``SERVICE`` is refused before
        anything is sent unless *federate* lists its endpoint (the server would reach it).

        Raises:
            StoreError: the query reaches an endpoint *federate* does not list, or the server fails it.
        """
        check_reach(sparql, allowed=federate, store=self.location)
        graphs = self.graphs()
        form = (
            [("query", sparql)] + [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]
        )
        return self._query(form)

    def update(self, sparql: str, *, federate: Iterable[str] = ()) -> None:
        """Run a SPARQL 1.1 update, all or nothing. An update need not be safe to repeat, so it is retried
        only when the server certainly did not act on it (a refused connection, HTTP 429 or 503). A
        ``LOAD`` or ``SERVICE`` is refused before anything is sent unless *federate* lists what it reaches.

        Raises:
            StoreError: the update reaches outside unlisted, or the server refused or failed it.
        """
        check_reach(sparql, allowed=federate, store=self.location)
        self._http.send("POST", self.update_url, body=_form(update=sparql), headers=_FORM, repeatable=False)

    def graphs(self) -> list[str]:
        return sorted(g for g in self._named_graphs() if not g.startswith(STAGING))

    def clean_staging(self, *, older_than: float | None = None) -> list[str]:
        now, dropped = datetime.now(UTC), []
        for name in sorted(g for g in self._named_graphs() if g.startswith(STAGING)):
            made = staged_at(name)
            if older_than is None or (made is not None and (now - made).total_seconds() > older_than):
                self._http.send(
                    "POST", self.update_url, body=_form(update=f"DROP SILENT GRAPH <{name}>"), headers=_FORM
                )
                dropped.append(name)
        return dropped

    def close(self) -> None:
        """Nothing to release: every request has its own connection."""

    def _graph_url(self, graph: str) -> str:
        return f"{self.store_url}?{urllib.parse.urlencode({'graph': graph})}"

    def _named_graphs(self, *, retries: int | None = None) -> set[str]:
        """Every named graph but the server's own, staging graphs among them."""
        found = self._query([("query", _GRAPHS)], retries=retries)
        if "g" in found.variables and None in found.column("g"):
            found = self._query([("query", _GRAPHS_WITH_TRIPLES)], retries=retries)
        return values_of(found, "g", store=self.location) - SERVER_GRAPHS

    def _gone(self, staged: str) -> bool:
        """Whether the staged graph is no longer there (False when the server cannot tell us). Not ``ASK {
        GRAPH <staged> { } }``: Virtuoso says true of any graph, and a MOVE sent again would empty the target."""
        try:
            return staged not in self._named_graphs(retries=0)
        except StoreError:
            return False

    def _query(self, form: list[tuple[str, str]], *, retries: int | None = None) -> QueryResult:
        headers = {**_FORM, "Accept": "application/sparql-results+json, application/n-triples;q=0.9"}
        sent = urllib.parse.urlencode(form).encode("utf-8")
        # the answer is handed on, not kept here: parse_answer frees it before it parses the text
        return parse_answer(
            *self._http.send("POST", self.query_url, body=sent, headers=headers, retries=retries), store=self.location
        )

    def _drop_quietly(self, graph: str) -> None:
        with contextlib.suppress(StoreError):  # the server is gone; queries never name a staging graph
            self._http.send(
                "POST", self.update_url, body=_form(update=f"DROP SILENT GRAPH <{graph}>"), headers=_FORM, retries=0
            )


def _form(**fields: str) -> bytes:
    return urllib.parse.urlencode(fields).encode("utf-8")


def _credit(credentials: dict[Origin, Credentials], url: str, given: Credentials | None) -> None:
    """Send *given* to *url*'s server (its scheme, host and port), and to no other.

    Raises:
        ValueError: two URLs give different credentials for one server.
    """
    if given is None:
        return
    where = origin(url)
    if credentials.setdefault(where, given) != given:
        raise ValueError("the URLs give different user names or passwords for one server")
