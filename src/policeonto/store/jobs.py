"""Load inputs into a store: source exports are validated and mapped first, RDF files validated; each
lands in its own named graph (a source export's graph is its dataset, described by its provenance), with
what the ontology entails beside it."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from policeonto.errors import StoreError
from policeonto.mapping import MapOptions, map_files
from policeonto.store.base import Store, syntax_of
from policeonto.store.reasoning import ensure_ontology, entailment_update
from policeonto.validation import validate

__all__ = ["LoadedGraph", "load_inputs"]


@dataclass(frozen=True)
class LoadedGraph:
    """What happened to one input: the graph it went to, its triples (0 if not loaded), and validation."""

    source: str
    graph: str
    triples: int
    valid: bool | None
    findings: int
    loaded: bool


def load_inputs(
    store: Store,
    inputs: Iterable[Path],
    *,
    graph: str | None = None,
    mapping: str | None = None,
    check: bool = True,
    load_invalid: bool = False,
    options: MapOptions | None = None,
) -> list[LoadedGraph]:
    """Validate (unless *check* is False), map and load each input into *store*, one named graph each.

    An input with errors is not loaded unless *load_invalid*. *graph* names the graph of a single input.

    Raises:
        StoreError: *graph* given for several inputs, or the store fails.
        InstanceDataError: an input cannot be read at all.
    """
    inputs, options = list(inputs), options or MapOptions()
    if graph is not None and len(inputs) != 1:
        raise StoreError("--graph names the graph of one input; give one input, or leave it out", store=store.location)
    ensure_ontology(store)
    done = []
    for path in inputs:
        report = validate([path], mapping=mapping) if check else None
        valid = None if report is None else report.valid
        findings = 0 if report is None else len(report.findings)
        if valid is False and not load_invalid:
            done.append(LoadedGraph(str(path), graph or "", 0, valid, findings, loaded=False))
            continue
        syntax = syntax_of(path)
        if syntax is not None:
            name = graph or f"{options.base}dataset/{_sha256(path)}"
            triples = store.load(path, graph=name, syntax=syntax, update=entailment_update(name))
        else:
            with tempfile.TemporaryDirectory(prefix="policeonto-load-") as folder:
                mapped = Path(folder) / "mapped.nt"
                with mapped.open("wb") as sink:
                    result = map_files([path], sink, mapping=mapping, options=options)
                name = graph or f"{options.base}dataset/{result.files[0].sha256}"
                triples = store.load(mapped, graph=name, syntax="nt", update=entailment_update(name))
        done.append(LoadedGraph(str(path), name, triples, valid, findings, loaded=True))
    return done


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
