"""Validate a tabular export as it is mapped, one batch at a time, so memory stays flat.

The nodes each row makes are validated with that batch (their values, and any node several rows share, are
all in it); nodes several rows share (a point, an area) are gathered across the file and validated once at
the end, with the file's provenance, so a clash between two batches is still seen. Every node a batch
describes is noted with its types (:class:`~policeonto.validation.nodes.NodeIndex`): a batch is validated
with the types of the nodes it links to that earlier batches described, and a link that fails a check by
class is decided again once every file is mapped, so a link to a record of a later file, of any table, is
checked against that record as in the merged graph, and a link to no record is a dangling reference.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import polars as pl
from rdflib import Graph

from policeonto.fastshacl import Shapes, TripleTable, evaluate
from policeonto.fastshacl.shapes import stable_ids
from policeonto.mapping.events import RDF_TYPE, ROW, Derivation, Made, Mapping
from policeonto.validation.fast import project_shapes
from policeonto.validation.nodes import DANGLING, LinkChecks, NodeIndex

__all__ = ["MappedValidator", "ValidatedPart", "source_columns"]

_IN_FLIGHT = 2  # batches validated at once, each on its own thread, while the next is mapped
_LOCATED = {"s": pl.String, "row": pl.Int64, "target": pl.String, "file": pl.String}
_SOURCES = {"file": pl.String, "target": pl.String, "path": pl.String, "column": pl.String}


def source_columns(mapping: Mapping, derivations: Sequence[Derivation]) -> dict[tuple[str, str], str]:
    """(class, predicate IRI) -> the source column title(s) its values come from (of every derivation of the
    class, when a mapping derives it more than once)."""
    titles = {c.slot: c.title for c in mapping.columns}
    found: dict[tuple[str, str], list[str]] = {}
    for derivation in derivations:
        for (predicate, _), sources in zip(derivation.triples, derivation.sources, strict=False):
            if sources:
                known = found.setdefault((derivation.target, predicate[1:-1]), [])
                known += [titles[s] for s in sources if s in titles and titles[s] not in known]
    return {key: ", ".join(columns) for key, columns in found.items()}


@dataclass(frozen=True)
class ValidatedPart:
    """What a :class:`MappedValidator` found in a part of a run (files a Dask task mapped), all but what
    is decided once every file is mapped: its violations, counts, the nodes rows share, the records it
    described and the link failures put off. :meth:`MappedValidator.absorb` adds it to the run's."""

    found: tuple[pl.DataFrame, ...]
    records: int
    triples: int
    shared: tuple[pl.DataFrame, ...]
    shared_at: tuple[pl.DataFrame, ...]
    provenances: tuple[TripleTable, ...]
    sources: pl.DataFrame
    index: NodeIndex
    deferred: tuple[pl.DataFrame, ...]


@dataclass
class MappedValidator:
    """Validates what a mapping makes, fed by :func:`~policeonto.validation.pipeline.validating` from the
    mapping stream: :meth:`begin`, :meth:`batch` and :meth:`end` for each file, :meth:`finish` once.

    Its violations carry the file's rows and the source column each value came from. The nodes that rows
    share (a point, an area) are validated once every file is mapped (:meth:`finish`), with what every file
    said of them: two files giving one point two labels is a violation, as it is in the merged graph.
    """

    shapes: Shapes = field(default_factory=project_shapes)
    found: list[pl.DataFrame] = field(default_factory=list)
    records: int = 0
    triples: int = 0
    columns: dict[tuple[str, str], str] = field(default_factory=dict)
    _provenance: TripleTable | None = None
    _provenances: list[TripleTable] = field(default_factory=list)
    _sources: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=_SOURCES))
    _shared: list[pl.DataFrame] = field(default_factory=list)
    _shared_at: list[pl.DataFrame] = field(default_factory=list)
    _shared_kept: int = 0
    _worker: ThreadPoolExecutor | None = None
    _pending: deque[Future[pl.DataFrame | None]] = field(default_factory=deque)
    _index: NodeIndex = field(default_factory=NodeIndex)
    _links: LinkChecks = field(init=False)
    _file: str = ""
    _here: dict[str, str] | None = None  # a shape's id in any process -> its id here

    def __post_init__(self) -> None:
        self._links = LinkChecks(self.shapes)

    def begin(self, file: str, mapping: Mapping, derivations: Sequence[Derivation], provenance: Graph) -> None:
        self._file = file
        self.columns = source_columns(mapping, derivations)
        self._provenance = TripleTable.from_graph(provenance)
        self._index.add({p: [pairs] for p, pairs in self._provenance.by_predicate.items()})
        self._sources = pl.concat([self._sources, self._source_frame()]).unique(
            subset=["file", "target", "path"], keep="first", maintain_order=True
        )
        self._worker = ThreadPoolExecutor(_IN_FLIGHT, "policeonto-validate")

    def batch(self, batch: Sequence[Made]) -> int:
        triples: dict[str, list[pl.DataFrame]] = {}
        located, made = [], 0
        for derivation, subjects, columns in batch:
            parts = {predicate: subjects.select("s", o=objects).drop_nulls("o") for predicate, objects in columns}
            made += sum(p.height for p in parts.values())
            where = subjects.select("s", row=pl.col(ROW), target=pl.lit(derivation.target), file=pl.lit(self._file))
            if derivation.shared:
                self._shared.extend(f.with_columns(p=pl.lit(p)) for p, f in parts.items())
                self._shared_at.append(where)
            else:
                located.append(where)
                self.records += where.height
            for predicate, pairs in parts.items():
                triples.setdefault(predicate, []).append(pairs)
        self.triples += made
        self._index.add(triples)
        self._add_known(triples)
        # nodes rows share: kept once each, so memory grows with them, not with rows; repeats are dropped
        # whenever the kept frames have doubled, so each is looked at a bounded number of times
        if sum(f.height for f in self._shared) > 2 * self._shared_kept + 100_000:
            self._shared = [pl.concat(self._shared).unique()]
            self._shared_at = [pl.concat(self._shared_at).unique(subset="s", keep="first", maintain_order=True)]
            self._shared_kept = self._shared[0].height
        if located:
            self._collect(_IN_FLIGHT - 1)  # a bounded number of batches in flight: memory stays flat
            self._pending.append(self._worker.submit(self._validate, triples, pl.concat(located)))
        return made

    def _add_known(self, triples: dict[str, list[pl.DataFrame]]) -> None:
        """Add the types, known from earlier batches, of the nodes *triples* link to but do not describe."""
        links = [p.get_column("o") for predicate in self._links.predicates for p in triples.get(predicate, [])]
        if not links:
            return
        named = pl.concat(links).unique()
        typed = [p.get_column("s") for p in triples.get(RDF_TYPE, [])]
        if typed:
            named = named.filter(~named.is_in(pl.concat(typed).implode()))
        found = self._index.types_of(named.filter(named.str.starts_with("<")))
        if found.height:
            triples.setdefault(RDF_TYPE, []).append(found)

    def _validate(self, triples: dict[str, list[pl.DataFrame]], here: pl.DataFrame) -> pl.DataFrame | None:
        # the provenance describes other nodes than the rows make: no triple is in both
        table = TripleTable.concat([TripleTable.from_parts(triples), self._provenance], disjoint=True)
        return self._located(evaluate(self.shapes, table, focus_filter=here["s"]), here)

    def _collect(self, keep: int) -> None:
        """Wait for the oldest batches until at most *keep* are in flight, keeping findings in file order."""
        while len(self._pending) > keep:
            self._keep(self._pending.popleft().result())

    def end(self, provenance: Graph) -> int:
        self._collect(0)
        self._worker.shutdown()
        final = TripleTable.from_graph(provenance)  # it names no node rows share: validated on its own
        self._provenances.append(final)
        focus = pl.concat(final.by_predicate.values())["s"].unique()
        self.records += focus.len()
        self._keep(self._located(evaluate(self.shapes, final, focus_filter=focus), pl.DataFrame(schema=_LOCATED)))
        self.triples += len(final)  # the provenance, counted as the writer counts it
        return len(final)

    def pause(self) -> None:
        """Wait for the batches in flight: the rest of the file is validated by another validator (a later
        part of it, mapped as a task of its own), which ends it."""
        self._collect(0)
        if self._worker is not None:
            self._worker.shutdown()

    def part(self) -> ValidatedPart:
        """What this validator found so far, as a plain value to send to where the run is finished (in
        another process: its shapes named by ids that are the same there)."""
        stable = stable_ids(self.shapes)
        return ValidatedPart(
            tuple(_shapes_named(f, stable) for f in self.found),
            self.records,
            self.triples,
            tuple(self._shared),
            tuple(self._shared_at),
            tuple(self._provenances),
            self._sources,
            self._index,
            tuple(_shapes_named(f, stable) for f in self._links.deferred),
        )

    def absorb(self, part: ValidatedPart) -> None:
        """Take in what another validator found in the files mapped after this one's (before :meth:`finish`),
        as if this one had validated them."""
        if self._here is None:  # once: every part names the shapes the same way
            self._here = {stable: shape_id for shape_id, stable in reversed(stable_ids(self.shapes).items())}
        here = self._here
        self.found.extend(_shapes_named(f, here) for f in part.found)
        self.records += part.records
        self.triples += part.triples
        self._shared.extend(part.shared)
        self._shared_at.extend(part.shared_at)
        self._provenances.extend(part.provenances)
        self._sources = pl.concat([self._sources, part.sources]).unique(
            subset=["file", "target", "path"], keep="first", maintain_order=True
        )
        self._index.absorb(part.index)
        self._links.deferred.extend(_shapes_named(f, here) for f in part.deferred)

    def abandon(self) -> None:
        """Drop the batches still waiting and stop the worker without waiting for it (the run was stopped:
        an interrupt, or the stream closed early), so nothing goes on validating after the run."""
        if self._worker is not None:
            self._worker.shutdown(wait=False, cancel_futures=True)
        self._pending.clear()

    def finish(self) -> None:
        """Validate the nodes rows share, with what every file said of them (each located at the first row
        that made it); then decide the links that failed in their batch, against every record of the run."""
        shared = pl.concat(self._shared) if self._shared else pl.DataFrame(schema=dict.fromkeys("spo", pl.String))
        parts = {p: [f.select("s", "o")] for (p,), f in shared.partition_by("p", as_dict=True).items()}
        self._add_known(parts)
        if parts:
            table = TripleTable.concat([TripleTable.from_parts(parts), *self._provenances])
            at = pl.concat(self._shared_at).unique(subset="s", keep="first", maintain_order=True)
            self.records += at.height
            self._keep(self._located(evaluate(self.shapes, table, focus_filter=at["s"]), at))
        self._shared, self._shared_at = [], []
        decided = self._links.decide(self._index)
        if decided is not None:
            self.found.append(decided)

    def _keep(self, found: pl.DataFrame | None) -> None:
        """Keep *found*, but for the link failures to decide at the end."""
        if found is not None and (rest := self._links.split(found)).height:
            self.found.append(rest.with_columns(pl.lit(False).alias(DANGLING)))

    def _source_frame(self) -> pl.DataFrame:
        """The current file's (class, predicate) -> source column, as a frame."""
        rows = [(self._file, cls, p, column) for (cls, p), column in self.columns.items()]
        return pl.DataFrame(rows, schema=_SOURCES, orient="row")

    def _located(self, found: pl.DataFrame, located: pl.DataFrame) -> pl.DataFrame | None:
        """*found* with each focus node's row and each path's source column; None when there are none."""
        if found.is_empty():
            return None
        found = found.join(located.rename({"s": "focus"}), on="focus", how="left")
        found = found.with_columns(pl.col("file").fill_null(self._file))
        return found.join(self._sources, on=["file", "target", "path"], how="left").drop("target")


def _shapes_named(found: pl.DataFrame, ids: dict[str, str]) -> pl.DataFrame:
    """*found* (violations) with the shape ids in *ids* turned into what it maps them to."""
    return found.with_columns(pl.col("shape").replace(ids)) if "shape" in found.columns else found
