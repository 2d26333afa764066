"""Load inputs into a store: source exports are validated and mapped first (in one pass), RDF files
validated; each lands in its own named graph (a source export's graph is its dataset, described by its
provenance), with what the ontology entails beside it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from policeonto.errors import StoreError
from policeonto.instances import is_records, read_records
from policeonto.limits import check_file_size
from policeonto.mapping import (
    MapOptions,
    MappingCatalogue,
    MappingChoice,
    MapResult,
    map_result,
    map_stream,
    writing_datasets,
)
from policeonto.mapping.entailing import Entailer
from policeonto.mapping.writing import dataset_file, entailed_file
from policeonto.output import scratch_directory
from policeonto.paths import Inputs, input_paths
from policeonto.rdf_formats import by_name
from policeonto.scale.executor import Executor
from policeonto.store.base import Store, check_graph
from policeonto.store.embedded import EmbeddedStore
from policeonto.store.entailment import Entailment
from policeonto.store.reasoning import ensure_ontology, entailment_of, ontology_entailment
from policeonto.validation import FileReport, validate, validate_stream, validated_run
from policeonto.validation.rdf_input import is_rdf, rdf_format_of, safe_rdf_bytes, screen_terms

__all__ = ["LoadedGraph", "held_back", "load_inputs"]


@dataclass(frozen=True)
class LoadedGraph:
    """What happened to one input: the graph it went to, its triples (0 if not loaded), and validation:
    whether it is *valid* (None when not checked) and how many *findings* it has, counted whether or not
    ``MapOptions.keep_findings`` kept them; when it was not loaded, the *reason*."""

    source: str
    graph: str
    triples: int
    valid: bool | None
    findings: int
    loaded: bool
    kept: bool = False  # in the store already from an earlier load (resumed), so not loaded again
    reason: str | None = None  # why it was not loaded


def load_inputs(
    store: Store,
    inputs: Inputs,
    *,
    graph: str | None = None,
    mapping: MappingChoice = None,
    catalogue: MappingCatalogue | None = None,
    check: bool = True,
    load_invalid: bool = False,
    options: MapOptions | None = None,
    resume: bool = False,
    executor: Executor = Executor(),
) -> list[LoadedGraph]:
    """Validate (unless *check* is False), map and load the inputs into *store*, one named graph per
    dataset: each RDF file, each source file (a JSON export's tables share its graph). A single path is one
    input.

    *resume* finishes a load that failed or was killed: every staging graph left behind is dropped, and
    a dataset whose graph is in the store already is kept, not loaded again (a dataset graph is named
    after its content and published whole, so if it is there it is complete). A graph named with *graph*
    is always loaded again.

    The source exports are validated and mapped together, in one pass. A file with errors is not loaded,
    unless *load_invalid*; nor is any file of an export whose files refer to each other (force-a's CSV
    tables) when one of them has errors, as its records would link to records not loaded
    (:func:`held_back`); a file that stands alone (a data.police.uk CSV, a JSON export) is decided on its
    own. Each RDF file is validated and loaded on its own. A file not loaded says why in
    ``LoadedGraph.reason``. *graph* names the graph when there is a single dataset: an absolute
    IRI, not one policeonto reserves (the ontology graph, a staging graph, the journal, an entailed graph
    ``<g>/entailed``). Every triple of an RDF input, in its default graph or any graph an N-Quads, TriG or
    JSON-LD file names, goes into the input's graph, as validation reads it: a load writes no other graph.

    The source exports are read through *mapping* (a name or ``.transform.yaml`` path, or several to
    recognise each file among), by default recognised among every mapping of *catalogue* (by default
    ``POLICEONTO_MAPPINGS``'s folders, then the bundled ones). *executor* says where they are validated and
    mapped: here (the default), or as tasks of a Dask cluster, with the same result; the store is written
    here, by this one writer, either way.

    Raises:
        OptionError: *graph* is not an absolute IRI, or is reserved.
        ClusterError: the Dask cluster of *executor* cannot be reached or started.
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
        with scratch_directory("policeonto-load-") as folder:
            here = executor.local and isinstance(store, EmbeddedStore)  # a server joins the tables itself
            publish.mapped_with = ontology_entailment(store) if here else None
            files = _mapped_into(folder, tables, (mapping, catalogue), check, options, executor, publish.mapped_with)
            done += _load_tables(publish, folder, files, graph, check, load_invalid)
    for path in (p for p in paths if is_rdf(p) or is_records(p)):
        with scratch_directory("policeonto-load-") as folder:
            readable, syntax = _prepared(path, folder, options)
            report = validate([path], options=options) if check else None
            valid = None if report is None else report.valid
            findings = 0 if report is None else sum(report.finding_counts.values())
            if report is not None and valid is False and not load_invalid:
                reason = f"errors: {_errors(report.files[0])}"
                done.append(LoadedGraph(str(path), graph or "", 0, valid, findings, loaded=False, reason=reason))
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
    ontology load and leaves the store untouched. What a mapped dataset entails was written beside it by the
    mapping pipeline, by the tables *mapped_with*: the store bulk-loads that file, and reads nothing back,
    when they are the tables of the ontology in the store."""

    store: Store
    kept: set[str]
    entail: Entailment | None = None  # read from the ontology graph once it is in the store
    mapped_with: Entailment | None = None  # the tables the mapping pipeline wrote entailments by

    def __call__(self, path: Path, graph: str, syntax: str, entailed: Path | None = None) -> tuple[int, bool]:
        if graph in self.kept:
            count = self.store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
            return int(count.values("n").pop()), True
        if self.entail is None:
            ensure_ontology(self.store)
            self.entail = entailment_of(self.store)
        if self.mapped_with != self.entail or (entailed is not None and not entailed.is_file()):
            entailed = None  # written by other tables, or not written: read from the store
        return self.store.load(path, graph=graph, syntax=syntax, entail=self.entail, entailed=entailed), False


def _mapped_into(
    folder: Path,
    tables: list[Path],
    mappings: tuple[MappingChoice, MappingCatalogue | None],
    check: bool,
    options: MapOptions,
    executor: Executor,
    entail: Entailment | None = None,
) -> list[FileReport]:
    """Validate (when *check*) and map the source exports, each dataset written to a file of its own in
    *folder*: in one pass in this process, with what it entails by *entail* beside it (given), or as tasks of
    the Dask cluster of *executor*."""
    mapping, catalogue = mappings
    if not executor.local:
        from policeonto.scale.mapping import map_on_cluster

        run = map_on_cluster(
            tables, executor, mapping=mapping, catalogue=catalogue, options=options, folder=folder, validate=check
        )
        return validated_run(run.mapped, run.checked).files if run.checked is not None else _unchecked(run.mapped)
    entailer = Entailer(entail.superclasses, entail.superproperties) if entail is not None else None
    events = writing_datasets(
        map_stream(tables, mapping=mapping, catalogue=catalogue, options=options), folder, entailer
    )
    if check:
        return validate_stream(events, keep_findings=options.keep_findings).files
    return _unchecked(map_result(events, keep_findings=options.keep_findings))


def _load_tables(
    publish: _Publisher,
    folder: Path,
    files: list[FileReport],
    graph: str | None,
    check: bool,
    load_invalid: bool,
) -> list[LoadedGraph]:
    """Load the datasets of the source exports *files* (validated when *check*), written in *folder*, but
    those :func:`held_back` holds back."""
    held = held_back(files) if check and not load_invalid else {}
    done = []
    for entry in files:
        valid = entry.valid if check else None
        count = sum(entry.finding_counts.values()) if check else 0
        if entry.file in held or entry.dataset is None:
            reason = held.get(entry.file, "no row of it was mapped")
            done.append(LoadedGraph(entry.file, "", 0, valid, count, loaded=False, reason=reason))
            continue
        name = graph or entry.dataset
        entailed = entailed_file(folder, entry.dataset)
        triples, kept = publish(dataset_file(folder, entry.dataset), name, "nt", entailed)
        done.append(LoadedGraph(entry.file, name, triples, valid, count, loaded=True, kept=kept))
    return done


def _unchecked(mapped: MapResult) -> list[FileReport]:
    """An entry for each file mapped without validation (a JSON export's tables together)."""
    files: dict[str, FileReport] = {}
    for summary in mapped.files:
        entry = files.setdefault(summary.file, FileReport(summary.file, summary.dataset or None, summary.export))
        entry.dataset = entry.dataset or summary.dataset or None
        entry.finding_counts.update(summary.finding_counts)
    return list(files.values())


def _errors(entry: FileReport) -> str:
    return ", ".join(f"{code} x{count:,}" for code, count in entry.errors().items())


_NAMED = 3  # files a reason names at most: an export may have thousands


def held_back(files: Sequence[FileReport]) -> dict[str, str]:
    """The files not to load, each with the reason: a file with errors; and every file of an export whose
    files refer to each other (its records would link to records not loaded) when one of them has errors.
    A file that stands alone (a data.police.uk CSV, a JSON export) is decided on its own.

    >>> from collections import Counter
    >>> bad = FileReport("b.csv", export="x", finding_counts=Counter({"shape-or": 2}))
    >>> held = held_back([FileReport("a.csv", export="x"), bad, FileReport("street.csv")])
    >>> held["b.csv"], held["a.csv"].startswith("held back with b.csv"), "street.csv" in held
    ('errors: shape-or x2', True, False)
    >>> many = [FileReport(f"{i}.csv", export="x", finding_counts=Counter({"shape-or": 1})) for i in range(5)]
    >>> held_back([FileReport("a.csv", export="x"), *many])["a.csv"][:52]
    'held back with 0.csv, 1.csv, 2.csv and 2 more, files'
    """
    invalid = {entry.file: f"errors: {_errors(entry)}" for entry in files if not entry.valid}
    held = dict(invalid)
    for entry in files:
        blockers = [e.file for e in files if e.export and e.export == entry.export and e.file in invalid]
        if entry.file not in held and blockers:
            which = "a file" if len(blockers) == 1 else "files"
            named = ", ".join(blockers[:_NAMED]) + (
                f" and {len(blockers) - _NAMED:,} more" if len(blockers) > _NAMED else ""
            )
            held[entry.file] = (
                f"held back with {named}, {which} of its export with errors "
                "(the files of one export refer to each other, so they are loaded together)"
            )
    return held


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
