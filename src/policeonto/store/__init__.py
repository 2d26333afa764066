"""Triple stores: embedded Oxigraph on disk by default, any SPARQL 1.1 server by URL, one API."""

from __future__ import annotations

from pathlib import Path

from policeonto.store.base import Store, syntax_of
from policeonto.store.embedded import EmbeddedStore
from policeonto.store.remote import RemoteStore
from policeonto.store.results import QueryResult, render

__all__ = ["DEFAULT_STORE", "EmbeddedStore", "QueryResult", "RemoteStore", "Store", "open_store", "render", "syntax_of"]

DEFAULT_STORE = Path("out/store")


def open_store(location: str | Path | None = None) -> Store:
    """The store at *location*: an ``http(s)://`` URL is a SPARQL 1.1 server, anything else a directory
    for the embedded store (``out/store`` when not given).

    Raises:
        StoreError: the embedded store cannot be opened.
    """
    text = str(location) if location is not None else str(DEFAULT_STORE)
    if text.startswith(("http://", "https://")):
        return RemoteStore(text)
    return EmbeddedStore(Path(text))
