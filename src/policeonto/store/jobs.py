"""Load inputs into a store: source exports are validated and mapped first (in one pass), RDF files
validated; each lands in its own named graph (a source export's graph is its dataset, described by its
provenance), with what the ontology entails beside it."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import polars as pl
from rdflib import RDF, Graph

from policeonto.errors import StoreError
from policeonto.findings import CATALOGUE, Severity
from policeonto.instances import is_records, read_records
from policeonto.limits import check_file_size
from policeonto.mapping import MapOptions, Mapping, map_files
from policeonto.mapping.engine import NTriplesSink
from policeonto.mapping.plan import Derivation
from policeonto.output import scratch_directory
from policeonto.paths import Inputs, input_paths
from policeonto.rdf_formats import by_name
from policeonto.store.base import Store, check_graph
from policeonto.store.reasoning import ensure_ontology, entailment_update
from policeonto.validation import ValidationReport, validate
from policeonto.validation.rdf_input import is_rdf, rdf_format_of, safe_rdf_bytes, screen_terms
from policeonto.vocab import POLE

__all__ = ["LoadedGraph", "load_inputs"]


@dataclass(frozen=True)
class LoadedGraph:
    """What happened to one input: the graph it went to, its triples (0 if not loaded), and validation:
    whether it is *valid* (None when not checked) and how many *findings* it has, counted whether or not
    ``MapOptions.keep_findings`` kept them."""

    source: str
    graph: str
    triples: int
    valid: bool | None
    findings: int
    loaded: bool
    kept: bool = False  # in the store already from an earlier load (resumed), so not loaded again


def load_inputs(
    store: Store,
    inputs: Inputs,
    *,
    graph: str | None = None,
    mapping: str | None = None,
    check: bool = True,
    load_invalid: bool = False,
    options: MapOptions | None = None,
    resume: bool = False,
) -> list[LoadedGraph]:
    """Validate (unless *check* is False), map and load the inputs into *store*, one named graph per
    dataset: each RDF file, each source file (a JSON export's tables share its graph). A single path is one
    input.

    *resume* finishes a load that failed or was killed: every staging graph left behind is dropped, and
    a dataset whose graph is in the store already is kept, not loaded again (a dataset graph is named
    after its content and published whole, so if it is there it is complete). A graph named with *graph*
    is always loaded again.

    The source exports are validated and mapped together, in one pass (the files of one export refer to
    each other); if they have errors none of them is loaded, unless *load_invalid*. Each RDF file is
    validated and loaded on its own. *graph* names the graph when there is a single dataset: an absolute
    IRI, not one policeonto reserves (the ontology graph, a staging graph, the journal, an entailed graph
    ``<g>/entailed``). Every triple of an RDF input, in its default graph or any graph an N-Quads, TriG or
    JSON-LD file names, goes into the input's graph, as validation reads it: a load writes no other graph.

    Raises:
        OptionError: *graph* is not an absolute IRI, or is reserved.
        StoreError: *graph* given for several inputs, or the store fails.
        InstanceDataError: an input cannot be read at all.
    """
    paths = input_paths(inputs)
    options = options or MapOptions()
    if graph is not None:
        check_graph(graph)
    if graph is not None and len(paths) != 1:
        raise StoreError("--graph names the graph of one input; give one input, or leave it out", store=store.location)
    publish = _Publisher(store, kept=set(store.graphs()) if resume and graph is None else set())
    if resume:
        store.clean_staging()
    done = []
    tables = [p for p in paths if not is_rdf(p) and not is_records(p)]
    if tables:
        done += _load_tables(publish, tables, graph, mapping, check, load_invalid, options)
    for path in (p for p in paths if is_rdf(p) or is_records(p)):
        with scratch_directory("policeonto-load-") as folder:
            readable, syntax = _prepared(path, folder, options)
            report = validate([path], options=options) if check else None
            valid = None if report is None else report.valid
            findings = 0 if report is None else sum(report.finding_counts.values())
            if valid is False and not load_invalid:
                done.append(LoadedGraph(str(path), graph or "", 0, valid, findings, loaded=False))
                continue
            name = graph or f"{options.base}dataset/{_sha256(path)}"
            triples, kept = publish(readable, name, syntax)
        done.append(LoadedGraph(str(path), name, triples, valid, findings, loaded=True, kept=kept))
    return done


def _prepared(path: Path, folder: Path, options: MapOptions) -> tuple[Path, str]:
    """The file the store reads for *path*, and its syntax: refused before any parser sees it if too large;
    RDF/XML and JSON-LD screened for what they could fetch or expand, and a screened copy in *folder* loaded
    (JSON-LD with the policeonto context inlined); every RDF file read through once with Oxigraph's parser
    for IRIs, literals and tokens over the limits, so that a store is given only what it can read; records in
    YAML as N-Triples in *folder*."""
    if is_records(path):
        converted = folder / "records.nt"
        converted.write_bytes(read_records(path, limits=options.limits).serialize(format="nt", encoding="utf-8"))
        return converted, "nt"
    syntax = by_name(rdf_format_of(path)).name
    if syntax in {"xml", "jsonld"}:  # the store reads the bytes screened, never the file again (.json too)
        _, data = safe_rdf_bytes(path, limits=options.limits)
        screen_terms(path, syntax=syntax, limits=options.limits, data=data)
        screened = folder / f"input.{syntax}"
        screened.write_bytes(data)
        return screened, syntax
    check_file_size(path, options.limits)
    screen_terms(path, syntax=syntax, limits=options.limits)
    return path, syntax


@dataclass
class _Publisher:
    """Loads a dataset's file into its graph with its entailments, unless the graph is one to keep. The
    ontology goes into the store before the first graph does, so an input refused or invalid costs no
    ontology load and leaves the store untouched."""

    store: Store
    kept: set[str]
    ready: bool = False

    def __call__(self, path: Path, graph: str, syntax: str) -> tuple[int, bool]:
        if graph in self.kept:
            count = self.store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
            return int(count.values("n").pop()), True
        if not self.ready:
            ensure_ontology(self.store)
            self.ready = True
        return self.store.load(path, graph=graph, syntax=syntax, update=entailment_update(graph)), False


def _load_tables(
    publish: _Publisher,
    tables: list[Path],
    graph: str | None,
    mapping: str | None,
    check: bool,
    load_invalid: bool,
    options: MapOptions,
) -> list[LoadedGraph]:
    with scratch_directory("policeonto-load-") as folder:
        written = _PerDataset(folder)
        if check:
            report = validate(tables, mapping=mapping, also=written, options=options)
            valid, findings = _by_file(report, tables)
        else:
            map_files(tables, written, mapping=mapping, options=options)
            valid, findings = dict.fromkeys(map(str, tables)), dict.fromkeys(map(str, tables), 0)
        by_name = {p.name: p for p in tables}
        if False in valid.values() and not load_invalid:  # one export: none of its files without the others
            return [LoadedGraph(str(p), "", 0, valid[str(p)], findings[str(p)], loaded=False) for p in tables]
        done = []
        for dataset, (file_name, path) in written.files.items():
            name = graph or dataset
            triples, kept = publish(path, name, "nt")
            source = str(by_name.get(file_name, file_name))
            state = valid.get(source), findings.get(source, 0)
            done.append(LoadedGraph(source, name, triples, *state, loaded=True, kept=kept))
        return done


def _by_file(report: ValidationReport, tables: list[Path]) -> tuple[dict[str, bool], dict[str, int]]:
    """Whether each of *tables* is valid, and how many findings it has, from the report on all of them
    together. When some error is not listed against one of them (a finding on no file, or more than were
    kept), all of them are as invalid as the report; when some finding was not kept, each is given every
    finding counted."""
    files = [str(p) for p in tables]
    findings = Counter(f.file for f in report.findings)
    errors = Counter(f.file for f in report.findings if f.severity is Severity.ERROR)
    counted = sum(n for code, n in report.finding_counts.items() if CATALOGUE[code].severity is Severity.ERROR)
    total = sum(report.finding_counts.values())
    by_file = {file: findings[file] for file in files} if len(report.findings) >= total else dict.fromkeys(files, total)
    if sum(errors[file] for file in files) == counted:
        return {file: not errors[file] for file in files}, by_file
    return dict.fromkeys(files, report.valid), by_file


@dataclass
class _PerDataset:
    """A batch sink that writes each dataset's N-Triples to a file of its own in *folder*."""

    folder: Path
    files: dict[str, tuple[str, Path]] = field(default_factory=dict)  # dataset IRI -> (file name, N-Triples)
    _stream: BinaryIO | None = None
    _sink: NTriplesSink | None = None

    def begin(self, file: str, mapping: Mapping, derivations: Sequence[Derivation], provenance: Graph) -> None:
        dataset = str(next(provenance.subjects(RDF.type, POLE.SourceDataset)))
        _, path = self.files.setdefault(dataset, (Path(file).name, self.folder / f"{len(self.files)}.nt"))
        self._stream = path.open("ab")
        self._sink = NTriplesSink(self._stream)

    def batch(self, frame: pl.DataFrame, derivations: Sequence[Derivation]) -> int:
        assert self._sink is not None
        return self._sink.batch(frame, derivations)

    def end(self, provenance: Graph) -> int:
        assert self._sink is not None and self._stream is not None
        written = self._sink.end(provenance)
        self._stream.close()
        return written


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
