"""HTTP for SPARQL servers: a timeout on every request (to connect, then to each read) and a deadline for
the whole of it, answers read up to a size limit, redirects never followed, transient failures retried a
bounded number of times with exponential backoff and jitter, and user names and passwords taken out of
URLs, sent as HTTP basic authentication to their own server only, and never shown.

Transient failures are a refused, reset or closed connection, a timeout or a deadline passed, and HTTP 429,
502, 503 and 504 (``Retry-After`` is honoured). Any other HTTP error fails at once, showing a short excerpt
of the server's answer with the credentials taken out of it.
"""

from __future__ import annotations

import email.utils
import http.client
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from policeonto.errors import OptionError, StoreError
from policeonto.limits import Limits
from policeonto.store.connection import Deadline, opener
from policeonto.store.credentials import (
    Credentials,
    Origin,
    conceal,
    origin,
    printable,
    redacted,
    split_credentials,
)

__all__ = ["RetryNotice", "Transport", "redacted", "split_credentials"]

TRANSIENT_STATUS = frozenset({429, 502, 503, 504})
MAX_DELAY = 300.0  # the longest wait between two attempts, whatever Retry-After says
UPLOAD_RATE = 1 << 20  # bytes a second an upload is given on top of the deadline
_CHUNK = 1 << 20  # bytes read at a time
_ERROR_BODY = 1 << 16  # bytes of an error answer read, for its excerpt


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

    *credentials* maps an origin (scheme, host, port) to the user name and password sent there, and only
    there. *connect_timeout* bounds making the connection, *timeout* each read and write after it, and
    *deadline* the whole request, sending and answering: it ends then, however the server drips its answer
    (a request that uploads a file has one more second per MiB of it). An answer over
    ``limits.answer_size`` bytes is refused. *retries* is how many times a transient failure is retried (0:
    never), waiting ``backoff * 2**n`` seconds (halved to full at random) before retry *n*, or what the
    server's ``Retry-After`` says; *on_retry* hears of each retry.
    """

    def __init__(
        self,
        location: str,
        *,
        credentials: Mapping[Origin, Credentials] | None = None,
        connect_timeout: float = 10.0,
        timeout: float = 300.0,
        deadline: float | None = None,
        limits: Limits | None = None,
        retries: int = 5,
        backoff: float = 1.0,
        on_retry: Callable[[RetryNotice], None] | None = None,
    ) -> None:
        if retries < 0 or backoff < 0:
            raise OptionError("retries and backoff cannot be negative", option="retries", value=(retries, backoff))
        if deadline is not None and not deadline > 0:
            raise OptionError(f"a deadline is some seconds, not {deadline!r}", option="deadline", value=deadline)
        self.location = location
        self.connect_timeout = connect_timeout
        self.timeout = timeout
        self.deadline = timeout if deadline is None else deadline
        self.limits = limits or Limits()
        self.retries = retries
        self.backoff = backoff
        self.on_retry = on_retry
        self._credentials = dict(credentials or {})
        self._secrets = tuple(sorted({s for c in self._credentials.values() for s in c.secrets()}, key=len)[::-1])

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
    ) -> tuple[bytearray, str]:
        """Send a request; return the response body and media type.

        *body* is bytes or a file (read again for each attempt). A request that is not *repeatable* is
        retried only when the server certainly did not act on it (the connection was refused, HTTP 429
        or 503), unless *settled* is given: asked before each retry, it says whether an earlier attempt
        took effect after all (its answer was lost); the request is then not sent again, and the result
        is empty. The body returned is the caller's to ``clear()`` once read.

        Raises:
            StoreError: an HTTP error that is not transient (a redirect among them), an answer over the
                size limit, or a transient failure on every attempt.
        """
        retries = self.retries if retries is None else retries
        shown = f"{method} {redacted(url).partition('?')[0]}"  # a staging graph's name in the query says nothing
        attempts, first = retries + 1, None
        for attempt in range(1, attempts + 1):
            try:
                return self._once(method, url, body, headers or {})
            except _Transient as failure:
                reason = self._clean(failure.reason)
                first = first or reason
                what = reason if first == reason else f"{first}, then {reason}"
                if attempt == attempts or (failure.sent and not repeatable and settled is None):
                    tried = f"after {attempt} attempts" if attempt > 1 else "not retried"
                    raise StoreError(f"{shown}: {what} ({tried})", store=self.location) from failure
                delay = self._delay(attempt, failure.retry_after)
                if self.on_retry is not None:
                    self.on_retry(RetryNotice(shown, reason, attempt, attempts, delay))
                time.sleep(delay)
                if settled is not None and settled():
                    return bytearray(), ""
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(MAX_DELAY, retry_after)
        full = min(MAX_DELAY, self.backoff * 2 ** (attempt - 1))
        return full / 2 + random.uniform(0, full / 2)

    def _clean(self, text: str) -> str:
        """*text* to show: without the credentials, on one line, not too long."""
        return conceal(text, self._secrets, limit=400)

    def _fail(self, method: str, url: str, message: str) -> StoreError:
        return StoreError(f"{method} {redacted(url)}: {self._clean(message)}", store=self.location)

    def _once(
        self, method: str, url: str, body: bytes | Path | None, headers: Mapping[str, str]
    ) -> tuple[bytearray, str]:
        stream = body.open("rb") if isinstance(body, Path) else None  # an unreadable file is no network failure
        size = Path(stream.name).stat().st_size if stream is not None else 0
        try:
            request = urllib.request.Request(url, data=stream if stream is not None else body, method=method)
            for name, value in headers.items():
                request.add_header(name, value)
            if stream is not None:
                request.add_header("Content-Length", str(size))
            credentials = self._credentials.get(origin(url))
            if credentials is not None:
                request.add_unredirected_header("Authorization", credentials.authorization)
            with Deadline(self.deadline + size / UPLOAD_RATE) as deadline:
                try:
                    return self._exchange(request, deadline)
                except urllib.error.HTTPError as exc:
                    raise self._refused(method, url, exc) from exc
                except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
                    cause = exc.reason if isinstance(exc, urllib.error.URLError) else exc
                    if deadline.expired:
                        raise _too_late(deadline) from exc
                    if _is_transient(cause):
                        refused = isinstance(cause, ConnectionRefusedError)
                        raise _Transient(_describe(cause, self), sent=not refused) from exc
                    raise self._fail(method, url, str(cause)) from exc
        finally:
            if stream is not None:
                stream.close()

    def _exchange(self, request: urllib.request.Request, deadline: Deadline) -> tuple[bytearray, str]:
        """Send *request* and read its answer whole, within the size limit and *deadline*."""
        limit = self.limits.answer_size
        with opener(read_timeout=self.timeout, deadline=deadline).open(request, timeout=self.connect_timeout) as answer:
            declared = answer.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise self._too_large(request, f"{int(declared):,} bytes, over")
            body = bytearray()
            while chunk := answer.read(_CHUNK):
                body += chunk
                if len(body) > limit:
                    raise self._too_large(request, "over")
            if deadline.expired:  # the connection was ended mid-answer: what came is not all of it
                raise _too_late(deadline)
            return body, answer.headers.get_content_type()

    def _too_large(self, request: urllib.request.Request, size: str) -> StoreError:
        """The answer is *size* the limit (``"over"``, or ``"N bytes, over"``): the rest is not read."""
        over = f"the answer is {size} the size limit ({self.limits.hint('answer_size')})"
        return self._fail(request.get_method(), request.full_url, over)

    def _refused(self, method: str, url: str, exc: urllib.error.HTTPError) -> Exception:
        """What an HTTP error answer becomes: a retry, or a StoreError with a short, clean excerpt."""
        if 300 <= exc.code < 400:
            target = _where(url, exc.headers.get("Location") if exc.headers is not None else None)
            return self._fail(
                method, url, f"HTTP {exc.code}: the server redirects to {target}; redirects are not followed"
            )
        detail = conceal(_excerpt(exc), self._secrets, limit=200)
        if exc.code in TRANSIENT_STATUS:
            declined = exc.code in (429, 503)
            return _Transient(f"HTTP {exc.code}: {detail}", sent=not declined, retry_after=_retry_after(exc))
        return self._fail(method, url, f"HTTP {exc.code}: {detail}")


def _too_late(deadline: Deadline) -> _Transient:
    return _Transient(f"no complete answer within the deadline ({round(deadline.seconds, 1):g} s)")


def _where(url: str, location: str | None) -> str:
    """The scheme, host and port a redirect points to (never a user name, password, path or query)."""
    if not location:
        return "nowhere (no Location)"
    try:
        target = urllib.parse.urlsplit(split_credentials(urllib.parse.urljoin(url, location))[0])
        port = target.port
    except ValueError:
        return "an address that cannot be read"
    host = target.hostname or ""
    return printable(f"{target.scheme}://{host}" + (f":{port}" if port is not None else ""))


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


def _excerpt(exc: urllib.error.HTTPError) -> str:
    """The start of an error answer's body (or the status's reason), as text."""
    try:
        return exc.read(_ERROR_BODY).decode("utf-8", "replace").strip()
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
