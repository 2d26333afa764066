"""Triple stores: embedded Oxigraph on disk by default, any SPARQL 1.1 server by URL, one API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from policeonto.errors import StoreError
from policeonto.limits import Limits
from policeonto.store.base import Store, syntax_of
from policeonto.store.credentials import url_scheme
from policeonto.store.embedded import EmbeddedStore
from policeonto.store.remote import RemoteStore
from policeonto.store.results import QueryResult, render
from policeonto.store.transport import RetryNotice

__all__ = [
    "DEFAULT_STORE",
    "EmbeddedStore",
    "QueryResult",
    "RemoteStore",
    "RetryNotice",
    "Store",
    "embedded_folder",
    "open_store",
    "render",
    "syntax_of",
]

DEFAULT_STORE = Path("out/store")


def embedded_folder(location: str | Path | None) -> Path | None:
    """The folder of the embedded store *location* names (``out/store`` when not given), or None when it is
    a server's URL (``scheme://...``, in any case).

    >>> embedded_folder(None), embedded_folder("HTTPS://example.org/sparql")
    (PosixPath('out/store'), None)
    """
    text = str(location) if location is not None else str(DEFAULT_STORE)
    return None if url_scheme(text) is not None else Path(text)


def open_store(
    location: str | Path | None = None,
    *,
    retries: int | None = None,
    wait: float = 0.0,
    on_retry: Callable[[RetryNotice], None] | None = None,
    create: bool = True,
    read_only: bool = False,
    limits: Limits | None = None,
    deadline: float | None = None,
) -> Store:
    """The store at *location*: a URL (``scheme://...``, in any case) is a SPARQL 1.1 server, reached over
    ``http`` or ``https``; anything else a directory for the embedded store (``out/store`` when not given),
    made there unless *create* is false.

    A server's transient failures are retried *retries* times (the :class:`RemoteStore` default when
    None), each retry told to *on_retry*; its answers are refused over ``limits.answer_size`` bytes, and
    each request given *deadline* seconds in all (the :class:`RemoteStore` default when None). An embedded
    store another process has open is waited for up to *wait* seconds; *read_only* opens it for queries
    only, writing nothing in its folder (a server is used as it is). The store is a context manager,
    closed on leaving the ``with`` block.

    >>> with open_store("HTTP://127.0.0.1:7878", retries=0) as store:
    ...     store.location
    'http://127.0.0.1:7878'

    Raises:
        StoreError: the embedded store cannot be opened (or is not there, and *create* is false), or
            *location* is a URL that cannot be used (a scheme other than http and https among them).
        StoreBusyError: another process has the embedded store open.
    """
    text = str(location) if location is not None else str(DEFAULT_STORE)
    if embedded_folder(text) is None:  # refused by RemoteStore unless http or https
        options = {} if retries is None else {"retries": retries}
        return RemoteStore(text, on_retry=on_retry, limits=limits, deadline=deadline, **options)
    if not create and not Path(text).is_dir():
        raise StoreError("no store here (policeonto load creates one)", store=text)
    return EmbeddedStore(Path(text), wait=wait, read_only=read_only)
