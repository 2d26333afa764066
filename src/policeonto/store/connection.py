"""HTTP connections to a SPARQL server: a timeout to connect and to each read, a deadline for the whole
exchange, and nothing but ``http`` and ``https`` spoken, with no redirect followed.

A per-read timeout alone does not bound a request: a server that sends a byte a second never lets a read
time out. :class:`Deadline` ends the connection when the exchange's time is up, whatever it is doing
(sending, waiting for headers, reading the body), by shutting the socket down from a timer thread; the
blocked read then returns, and the caller finds :attr:`Deadline.expired` set.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import socket
import threading
import urllib.request
from types import TracebackType

__all__ = ["Deadline", "opener"]


class Deadline:
    """The time one request may take in all, *seconds*, from entering the ``with`` block to leaving it.

    >>> with Deadline(60) as deadline:
    ...     pass
    >>> deadline.expired
    False
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._over = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._timer.cancel()
        with self._lock:
            self._over = True
            for watched in self._sockets:
                watched.close()
            self._sockets.clear()

    def watch(self, connection: socket.socket) -> None:
        """Shut *connection* down when the time is up (at once if it is up already)."""
        copy = connection.dup()  # the same connection: shutting the copy down ends it, TLS wrapped or not
        with self._lock:
            if self._over:
                copy.close()
                return
            self._sockets.append(copy)
            if self.expired:
                _shut(copy)

    def _expire(self) -> None:
        with self._lock:
            if self._over:
                return
            self.expired = True
            for watched in self._sockets:
                _shut(watched)


def _shut(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the other end
        connection.shutdown(socket.SHUT_RDWR)


def opener(*, read_timeout: float, deadline: Deadline) -> urllib.request.OpenerDirector:
    """An opener for one request: ``http`` and ``https`` only (through the proxy the environment names, if
    any), each read waiting at most *read_timeout* seconds, the connection watched by *deadline*, and any
    3xx answer raised as an ``HTTPError`` instead of followed."""
    built = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        _HttpHandler(read_timeout, deadline),
        _HttpsHandler(read_timeout, deadline),
        urllib.request.UnknownHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        built.add_handler(handler)
    return built


class _Watched:
    """A connection that connects within the connect timeout, then waits at most *read_timeout* per read,
    its socket watched by *deadline* from the moment it exists (before any TLS handshake)."""

    def __init__(self, *args: object, read_timeout: float, deadline: Deadline, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.read_timeout = read_timeout
        self.deadline = deadline
        self._create_connection = self._create_watched

    def _create_watched(self, *args: object, **kwargs: object) -> socket.socket:
        made = socket.create_connection(*args, **kwargs)  # type: ignore[arg-type]
        self.deadline.watch(made)
        return made

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self.sock.settimeout(self.read_timeout)  # type: ignore[attr-defined]


class _Connection(_Watched, http.client.HTTPConnection):
    """HTTP with a read timeout and a deadline."""


class _SecureConnection(_Watched, http.client.HTTPSConnection):
    """HTTPS with a read timeout and a deadline."""


class _HttpHandler(urllib.request.HTTPHandler):
    def __init__(self, read_timeout: float, deadline: Deadline) -> None:
        super().__init__()
        self.connection = functools.partial(_Connection, read_timeout=read_timeout, deadline=deadline)

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self.connection, req)  # type: ignore[arg-type]


class _HttpsHandler(urllib.request.HTTPSHandler):
    def __init__(self, read_timeout: float, deadline: Deadline) -> None:
        super().__init__()
        self.connection = functools.partial(_SecureConnection, read_timeout=read_timeout, deadline=deadline)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self.connection, req, context=self._context)  # type: ignore[arg-type,attr-defined]
