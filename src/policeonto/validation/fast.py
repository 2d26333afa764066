"""The fast path: the project's shapes through the columnar engine, for RDF files and for mapped tables.

RDF is read into one triple table (N-Triples split vectorised; other syntaxes through the safe reader).
A tabular export is validated as it is mapped, one batch at a time, so memory stays flat: the nodes each
row makes are validated with that batch (their values, and any node several rows share, are all in it);
nodes several rows share (a point, an area) are gathered across the file and validated once at the end,
with the file's provenance, so a clash between two batches is still seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import polars as pl
from rdflib import Graph

from policeonto.fastshacl import Shapes, TripleTable, compile_shapes, evaluate, parse_ntriples
from policeonto.mapping.engine import triple_frames
from policeonto.mapping.plan import Derivation
from policeonto.mapping.reader import ROW
from policeonto.mapping.spec import Mapping
from policeonto.shacl import shapes_graph
from policeonto.validation.rdf_input import MAX_BYTES, raw_literals, read_bounded, read_rdf

__all__ = ["MappedValidator", "project_shapes", "read_table", "source_columns", "violations_of"]

_SOURCE_ROW = "<https://w3id.org/policeonto/source_row>"
_LOCATED = {"s": pl.String, "row": pl.Int64, "target": pl.String}


@cache
def project_shapes() -> Shapes:
    """The project's shapes, compiled once."""
    return compile_shapes(shapes_graph())


def read_table(path: Path, *, max_bytes: int = MAX_BYTES) -> TripleTable:
    """An RDF file as a triple table, read without fetching anything.

    Raises:
        InstanceDataError: as :func:`~policeonto.validation.rdf_input.read_rdf`.
    """
    if path.suffix.lower() == ".nt":
        frame = parse_ntriples(read_bounded(path, max_bytes=max_bytes))
        if frame is not None:
            return TripleTable.from_frame(frame)
    with raw_literals():
        return TripleTable.from_graph(read_rdf(path, max_bytes=max_bytes))


def violations_of(table: TripleTable, shapes: Shapes | None = None) -> pl.DataFrame:
    """Every violation in *table*, with the ``source_row`` of its focus node where it has one."""
    found = evaluate(shapes or project_shapes(), table)
    rows = table.pairs(_SOURCE_ROW).select(
        focus=pl.col("s"), row=pl.col("o").str.extract(r'^"([0-9]+)"', 1).cast(pl.Int64, strict=False)
    )
    return found.join(rows.unique(subset="focus"), on="focus", how="left")


def source_columns(mapping: Mapping, derivations: Sequence[Derivation]) -> dict[tuple[str, str], str]:
    """(class, predicate IRI) -> the source column title(s) its values come from."""
    titles = {c.slot: c.title for c in mapping.columns}
    found = {}
    for derivation in derivations:
        for (predicate, _), sources in zip(derivation.triples, derivation.sources, strict=False):
            if sources:
                found[(derivation.target, predicate[1:-1])] = ", ".join(titles[s] for s in sources if s in titles)
    return found


@dataclass
class MappedValidator:
    """A batch sink that validates what a mapping makes instead of writing it.

    Its violations carry the file's rows and the source column each value came from.
    """

    shapes: Shapes = field(default_factory=project_shapes)
    found: list[pl.DataFrame] = field(default_factory=list)
    records: int = 0
    triples: int = 0
    columns: dict[tuple[str, str], str] = field(default_factory=dict)
    _provenance: TripleTable | None = None
    _shared: list[pl.DataFrame] = field(default_factory=list)
    _shared_at: list[pl.DataFrame] = field(default_factory=list)
    _worker: ThreadPoolExecutor | None = None
    _pending: Future[None] | None = None

    def begin(self, mapping: Mapping, derivations: Sequence[Derivation], provenance: Graph) -> None:
        self.columns = source_columns(mapping, derivations)
        self._provenance = TripleTable.from_graph(provenance)
        self._shared, self._shared_at = [], []
        self._worker = ThreadPoolExecutor(1, "policeonto-validate")

    def batch(self, frame: pl.DataFrame, derivations: Sequence[Derivation]) -> int:
        triples, located, made = [], [], 0
        for derivation in derivations:
            subjects, columns = triple_frames(frame, derivation)
            parts = [
                subjects.select("s", p=pl.lit(predicate), o=objects).drop_nulls("o") for predicate, objects in columns
            ]
            made += sum(p.height for p in parts)
            where = subjects.select("s", row=pl.col(ROW), target=pl.lit(derivation.target))
            if derivation.shared:
                self._shared.extend(parts)
                self._shared_at.append(where)
            else:
                located.append(where)
                self.records += where.height
            triples.extend(parts)
        self.triples += made
        if self._shared:  # nodes rows share: keep each once, so memory grows with them, not with rows
            self._shared = [pl.concat(self._shared).unique()]
            self._shared_at = [pl.concat(self._shared_at).unique(subset="s", keep="first", maintain_order=True)]
        if located:
            self._wait()  # one batch validates while the next is mapped, no more: memory stays flat
            self._pending = self._worker.submit(self._validate, triples, pl.concat(located))
        return made

    def _validate(self, triples: list[pl.DataFrame], here: pl.DataFrame) -> None:
        # the provenance describes other nodes than the rows make: no triple is in both
        table = TripleTable.concat([TripleTable.from_frame(pl.concat(triples)), self._provenance], disjoint=True)
        self._keep(evaluate(self.shapes, table, focus_filter=here["s"]), here)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def end(self, provenance: Graph) -> int:
        self._wait()
        self._worker.shutdown()
        final = TripleTable.from_graph(provenance)
        shared = pl.concat(self._shared) if self._shared else pl.DataFrame(schema=dict.fromkeys("spo", pl.String))
        table = TripleTable.concat([TripleTable.from_frame(shared), final])
        at = pl.concat(self._shared_at) if self._shared_at else pl.DataFrame(schema=_LOCATED)
        at = at.unique(subset="s", keep="first", maintain_order=True)
        focus = pl.concat([at["s"], pl.concat(final.by_predicate.values())["s"]]).unique()
        self.records += focus.len()
        self._keep(evaluate(self.shapes, table, focus_filter=focus), at)
        self._shared, self._shared_at = [], []
        return len(final)

    def _keep(self, found: pl.DataFrame, located: pl.DataFrame) -> None:
        if found.is_empty():
            return
        sources = pl.DataFrame(
            [(cls, p, column) for (cls, p), column in self.columns.items()],
            schema={"target": pl.String, "path": pl.String, "column": pl.String},
            orient="row",
        )
        found = found.join(located.rename({"s": "focus"}), on="focus", how="left")
        found = found.join(sources, on=["target", "path"], how="left").drop("target")
        self.found.append(found)
