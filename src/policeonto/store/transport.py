"""HTTP for SPARQL servers: a timeout on every request (to connect, then to each read), transient failures
retried a bounded number of times with exponential backoff and jitter, and user names and passwords taken
out of URLs, sent as HTTP basic authentication and never shown.

Transient failures are a refused, reset or closed connection, a timeout, and HTTP 429, 502, 503 and 504
(``Retry-After`` is honoured). Any other HTTP error fails at once.
"""

from __future__ import annotations

import base64
import email.utils
import functools
import http.client
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from policeonto.errors import StoreError

__all__ = ["RetryNotice", "Transport", "redacted", "split_credentials"]

TRANSIENT_STATUS = frozenset({429, 502, 503, 504})
MAX_DELAY = 300.0  # the longest wait between two attempts, whatever Retry-After says


@dataclass(frozen=True)
class RetryNotice:
    """A request failed in a way that may pass, and will be sent again after *delay* seconds.

    *request* is the method and URL (without credentials); *attempt* the attempt that failed, from 1, of
    at most *attempts*.
    """

    request: str
    reason: str
    attempt: int
    attempts: int
    delay: float

    def __str__(self) -> str:
        return (
            f"{self.request}: {self.reason}; retrying in {self.delay:.1f} s "
            f"(attempt {self.attempt + 1} of {self.attempts})"
        )


class _Transient(Exception):
    """One attempt failed in a way worth retrying (internal to the retry loop)."""

    def __init__(self, reason: str, *, sent: bool = True, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.sent = sent  # False when the server certainly did not act on the request
        self.retry_after = retry_after


class Transport:
    """Sends requests to one server for the store at *location* (already redacted).

    *connect_timeout* bounds making the connection, *timeout* each read and write after it; *retries* is
    how many times a transient failure is retried (0: never), waiting ``backoff * 2**n`` seconds (halved
    to full at random) before retry *n*, or what the server's ``Retry-After`` says; *on_retry* hears of
    each retry.
    """

    def __init__(
        self,
        location: str,
        *,
        credentials: tuple[str, str] | None = None,
        connect_timeout: float = 10.0,
        timeout: float = 300.0,
        retries: int = 5,
        backoff: float = 1.0,
        on_retry: Callable[[RetryNotice], None] | None = None,
    ) -> None:
        if retries < 0 or backoff < 0:
            raise ValueError("retries and backoff cannot be negative")
        self.location = location
        self.connect_timeout = connect_timeout
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.on_retry = on_retry
        self._authorization = None
        if credentials is not None:
            token = base64.b64encode(":".join(credentials).encode("utf-8")).decode("ascii")
            self._authorization = f"Basic {token}"
        self._opener = urllib.request.build_opener(_HttpHandler(timeout), _HttpsHandler(timeout))

    def send(
        self,
        method: str,
        url: str,
        *,
        body: bytes | Path | None = None,
        headers: Mapping[str, str] | None = None,
        retries: int | None = None,
        repeatable: bool = True,
        settled: Callable[[], bool] | None = None,
    ) -> tuple[bytes, str]:
        """Send a request; return the response body and media type.

        *body* is bytes or a file (read again for each attempt). A request that is not *repeatable* is
        retried only when the server certainly did not act on it (the connection was refused, HTTP 429
        or 503), unless *settled* is given: asked before each retry, it says whether an earlier attempt
        took effect after all (its answer was lost); the request is then not sent again, and the result
        is empty.

        Raises:
            StoreError: an HTTP error that is not transient, or a transient failure on every attempt.
        """
        retries = self.retries if retries is None else retries
        shown = f"{method} {redacted(url).partition('?')[0]}"  # a staging graph's name in the query says nothing
        attempts, first = retries + 1, None
        for attempt in range(1, attempts + 1):
            try:
                return self._once(method, url, body, headers or {})
            except _Transient as failure:
                first = first or failure.reason
                what = failure.reason if first == failure.reason else f"{first}, then {failure.reason}"
                if attempt == attempts or (failure.sent and not repeatable and settled is None):
                    tried = f"after {attempt} attempts" if attempt > 1 else "not retried"
                    raise StoreError(f"{shown}: {what} ({tried})", store=self.location) from failure
                delay = self._delay(attempt, failure.retry_after)
                if self.on_retry is not None:
                    self.on_retry(RetryNotice(shown, failure.reason, attempt, attempts, delay))
                time.sleep(delay)
                if settled is not None and settled():
                    return b"", ""
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(MAX_DELAY, retry_after)
        full = min(MAX_DELAY, self.backoff * 2 ** (attempt - 1))
        return full / 2 + random.uniform(0, full / 2)

    def _once(self, method: str, url: str, body: bytes | Path | None, headers: Mapping[str, str]) -> tuple[bytes, str]:
        stream = body.open("rb") if isinstance(body, Path) else None  # an unreadable file is no network failure
        try:
            request = urllib.request.Request(url, data=stream if stream is not None else body, method=method)
            for name, value in headers.items():
                request.add_header(name, value)
            if stream is not None:
                request.add_header("Content-Length", str(Path(stream.name).stat().st_size))
            if self._authorization is not None:
                request.add_unredirected_header("Authorization", self._authorization)
            try:
                with self._opener.open(request, timeout=self.connect_timeout) as response:
                    return response.read(), response.headers.get_content_type()
            except urllib.error.HTTPError as exc:
                detail = _detail(exc)
                if exc.code in TRANSIENT_STATUS:
                    declined = exc.code in (429, 503)
                    raise _Transient(
                        f"HTTP {exc.code}: {detail}", sent=not declined, retry_after=_retry_after(exc)
                    ) from exc
                raise StoreError(f"{method} {redacted(url)}: HTTP {exc.code}: {detail}", store=self.location) from exc
            except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
                cause = exc.reason if isinstance(exc, urllib.error.URLError) else exc
                if _is_transient(cause):
                    refused = isinstance(cause, ConnectionRefusedError)
                    raise _Transient(_describe(cause, self), sent=not refused) from exc
                raise StoreError(f"{method} {redacted(url)}: {cause}", store=self.location) from exc
        finally:
            if stream is not None:
                stream.close()


def _is_transient(cause: object) -> bool:
    if isinstance(cause, http.client.InvalidURL):  # the URL itself is wrong: asking again will not help
        return False
    return isinstance(cause, (ConnectionError, TimeoutError, http.client.HTTPException))


def _describe(cause: object, transport: Transport) -> str:
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    if isinstance(cause, TimeoutError):
        limits = f"{transport.connect_timeout:g} s to connect, {transport.timeout:g} s to read"
        return f"no answer within the timeout ({limits})"
    if isinstance(cause, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
        return f"the server closed the connection ({type(cause).__name__})"
    if isinstance(cause, http.client.HTTPException):
        return f"the server's answer was cut short ({type(cause).__name__})"
    return str(cause)


def _detail(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read().decode("utf-8", "replace").strip()[:500]
    except (OSError, http.client.HTTPException):
        return exc.reason if isinstance(exc.reason, str) else ""


def _retry_after(exc: urllib.error.HTTPError) -> float | None:
    """Seconds the server asked to wait (``Retry-After``: seconds, or an HTTP date), or None."""
    value = exc.headers.get("Retry-After") if exc.headers is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


#: A URL with a user name (and password) before its host. The user part runs to the last ``@`` that a host
#: (and port) follows, so a password holding ``#``, ``/``, ``?`` or ``@`` unencoded is still taken out.
_USERINFO = re.compile(
    r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>.*)@"
    r"(?P<host>[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(?P<port>:[0-9]*)?(?P<rest>[/?#].*)?$",
    re.DOTALL,
)


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """*url* without a user name and password, and them (percent-decoded) if it had any.

    >>> split_credentials("http://steward:s%40cret@127.0.0.1:7878/base")
    ('http://127.0.0.1:7878/base', ('steward', 's@cret'))
    >>> split_credentials("http://steward:se#cr/et@127.0.0.1:7878")
    ('http://127.0.0.1:7878', ('steward', 'se#cr/et'))
    >>> split_credentials("https://example.org/sparql")
    ('https://example.org/sparql', None)

    Raises:
        ValueError: the URL's port is not a number (the message does not repeat the URL).
    """
    match = _USERINFO.match(url)
    if match is None:
        clean, credentials = url, None
    else:
        user, _, password = match["userinfo"].partition(":")
        clean = match["scheme"] + match["host"] + (match["port"] or "") + (match["rest"] or "")
        credentials = (urllib.parse.unquote(user), urllib.parse.unquote(password))
    try:
        urllib.parse.urlsplit(clean).port  # noqa: B018 (raises on a port that is no number)
    except ValueError as exc:
        raise ValueError("the URL's port is not a number") from exc
    return clean, credentials


def redacted(url: str) -> str:
    """*url* without any user name or password in it.

    >>> redacted("http://user:secret@127.0.0.1:7878/store?graph=x")
    'http://127.0.0.1:7878/store?graph=x'
    """
    match = _USERINFO.match(url)
    if match is None:  # not a URL a store could be at; still, say nothing that stood before an @
        return re.sub(r"://.*@", "://", url, count=1, flags=re.DOTALL)
    return match["scheme"] + match["host"] + (match["port"] or "") + (match["rest"] or "")


class _ReadTimeout:
    """A connection that connects within the connect timeout, then waits at most *read_timeout* per read."""

    def __init__(self, *args: object, read_timeout: float, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.read_timeout = read_timeout

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self.sock.settimeout(self.read_timeout)  # type: ignore[attr-defined]


class _Connection(_ReadTimeout, http.client.HTTPConnection):
    """HTTP with a read timeout."""


class _SecureConnection(_ReadTimeout, http.client.HTTPSConnection):
    """HTTPS with a read timeout."""


class _HttpHandler(urllib.request.HTTPHandler):
    def __init__(self, read_timeout: float) -> None:
        super().__init__()
        self.read_timeout = read_timeout

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_Connection, read_timeout=self.read_timeout), req)  # type: ignore[arg-type]


class _HttpsHandler(urllib.request.HTTPSHandler):
    def __init__(self, read_timeout: float) -> None:
        super().__init__()
        self.read_timeout = read_timeout

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = functools.partial(_SecureConnection, read_timeout=self.read_timeout)
        return self.do_open(connection, req, context=self._context)  # type: ignore[arg-type,attr-defined]
