"""The library as a program calls it: paths given as text, stores in ``with`` blocks, errors from the one
hierarchy, results as data."""

from __future__ import annotations

from pathlib import Path

import pytest

from policeonto.errors import StoreError
from policeonto.store import EmbeddedStore, RemoteStore, open_store
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "pole-example.yaml"


def test_embedded_store_is_a_context_manager_closed_on_leaving(tmp_path: Path) -> None:
    with open_store(tmp_path / "store") as store:
        assert store.graphs() == []
    with open_store(tmp_path / "store") as again:  # the lock was let go: the store opens again
        assert again.query("ASK { ?s ?p ?o }").boolean is False


def test_remote_store_is_a_context_manager() -> None:
    with RemoteStore("http://127.0.0.1:9", retries=0) as store:
        assert store.location == "http://127.0.0.1:9"


def test_closing_a_store_twice_does_nothing_and_a_closed_store_refuses_work(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed") as caught:
        store.query("ASK { ?s ?p ?o }")
    assert caught.value.store == str(tmp_path / "store")


def test_embedded_store_takes_its_directory_as_text(tmp_path: Path) -> None:
    with EmbeddedStore(str(tmp_path / "store")) as store:
        assert store.location == str(tmp_path / "store")
    assert (tmp_path / "store").is_dir()
