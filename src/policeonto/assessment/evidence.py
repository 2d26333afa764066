"""The evidence an assessment scores, gathered in one pass of the mapping stream through the fast engine
(the same pass ``policeonto validate`` makes): each file's counts and findings by code, every coded label
with its count and the code it reached, how many records carry provenance, markings, MoPI groups and a
computable review date, the coded values that reached a code list, the records with a shape violation, the
crosswalks the mappings used, and the agreements given with the records they could share.

The pass is a fold: each event of the stream is turned into a plain :class:`Tally` of its own, and the
tallies are added up; the mapping summary is the mapping engine's own :class:`~policeonto.mapping.MapResult`
(its row counts are the run's). Labels are counted as the rows are checked, so no finding is kept as an
object. The run's triples are held (dictionary-encoded, as ``policeonto share`` holds them) only when an
agreement in force is given, to judge which records it could share.

>>> evidence = gather(["tests/data/sources/street-sample.csv"])
>>> evidence.mapped.rows_read, evidence.tally.records, evidence.tally.coded_values, evidence.tally.violated_records
(4, 4, 6, 0)
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path

import polars as pl

from policeonto.assessment.organisation import AgreementState, read_agreements, reviewable, shareable
from policeonto.limits import Limits
from policeonto.mapping import MapOptions, MappingCatalogue, MappingChoice, MapResult, map_stream
from policeonto.mapping.crosswalk import Crosswalk
from policeonto.mapping.events import FileEnded, FileStarted, FileSummary, RecordsUnread, RowsMapped
from policeonto.scale.executor import Executor
from policeonto.sharing.records import TERMS, distinct_triples, made_frames
from policeonto.validation.pipeline import ShapesChecked, validating
from policeonto.vocab import POLE

__all__ = ["CODE_BASE", "Evidence", "Tally", "gather"]

#: Where the national code lists' codes live.
CODE_BASE = f"<{POLE}code/"
_DERIVED, _GENERATED = f"<{POLE}derived_from>", f"<{POLE}generated_by>"
_MARKING, _GROUP = f"<{POLE}security_marking>", f"<{POLE}retention_group>"
_COUNTED = {_DERIVED: "records", _GENERATED: "generated", _MARKING: "marked", _GROUP: "grouped"}
_NOT_CODED = {f"<{POLE}source_force>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"}  # not the data's codes
_MANIFESTS = ("SHA256SUMS", "SHA256SUMS.txt", "sha256sums.txt")


@dataclass(frozen=True)
class Tally:
    """What events of a pass add up to: each event's own is a tally, and ``+`` folds two (files and labels
    in the order met)."""

    files: tuple[FileSummary, ...] = ()
    labels: Counter[tuple[str, str, str, bool]] = field(default_factory=Counter)  # (file, column, label, known)
    codes_of: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)  # (file, column): label -> IRI
    records: int = 0  # records with pole:derived_from (the rows' own records, not shared nodes)
    generated: int = 0
    marked: int = 0
    grouped: int = 0
    reviewable: int = 0
    coded_values: int = 0
    codes: frozenset[str] = frozenset()
    validated: int = 0
    violated_records: int = 0
    crosswalks: dict[Path, Crosswalk] = field(default_factory=dict)
    triples: tuple[pl.DataFrame, ...] = ()

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            files=self.files + other.files,
            labels=self.labels + other.labels,
            codes_of={**self.codes_of, **other.codes_of},
            records=self.records + other.records,
            generated=self.generated + other.generated,
            marked=self.marked + other.marked,
            grouped=self.grouped + other.grouped,
            reviewable=self.reviewable + other.reviewable,
            coded_values=self.coded_values + other.coded_values,
            codes=self.codes | other.codes,
            validated=self.validated + other.validated,
            violated_records=self.violated_records + other.violated_records,
            crosswalks={**self.crosswalks, **other.crosswalks},
            triples=self.triples + other.triples,
        )


@dataclass(frozen=True)
class Evidence:
    """What one pass over an export found (see the module's description): the mapping summary (*mapped*,
    whose counts are the run's), the tallied counts, each coded label's count by file and column with the
    national code it reached (None: none), the files a manifest lists, and the agreements given with the
    records they could share."""

    inputs: tuple[Path, ...]
    on: date = field(default_factory=date.today)
    mapped: MapResult = field(default_factory=MapResult)
    tally: Tally = field(default_factory=Tally)
    labels: Counter[tuple[str, str, str, str | None]] = field(default_factory=Counter)
    manifested: tuple[str, ...] = ()
    agreements: tuple[AgreementState, ...] = ()
    records_judged: int = 0  # instances of record classes, judged against the agreements in force
    records_shareable: int = 0

    @property
    def unmapped(self) -> Counter[tuple[str, str]]:
        """Occurrences of each (column, label) that reached no code, in the order first met."""
        out: Counter[tuple[str, str]] = Counter()
        for (_, column, label, code), n in self.labels.items():
            if code is None:
                out[(column, label)] += n
        return out

    def files_with(self, *codes: str) -> list[str]:
        """The files with a finding of any of *codes*."""
        return [f.file for f in self.mapped.files if any(f.finding_counts[c] for c in codes)]


def _listed(path: Path) -> bool:
    """True when a manifest gives *path*'s SHA-256: ``<file>.sha256`` beside it, or ``SHA256SUMS`` in its
    folder or the two above it (naming the file by its path from the manifest's folder)."""
    path = path.resolve()
    candidates = [(path.with_name(path.name + ".sha256"), None)]
    for folder in path.parents[:3]:
        candidates += [(folder / m, path.relative_to(folder).as_posix()) for m in _MANIFESTS]
    present = [(c, name) for c, name in candidates if c.is_file()]
    if not present:
        return False
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    for manifest, name in present:
        for line in manifest.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split()
            if parts and parts[0].lower() == digest and (name is None or parts[-1].lstrip("*") in {name, "./" + name}):
                return True
    return False


def _made_tally(event: RowsMapped, *, keep_triples: bool) -> Tally:
    counts: Counter[str] = Counter()
    codes: set[str] = set()
    for made in event.made:
        counts["reviewable"] += reviewable(made)
        for predicate, values in made.objects:
            present = values.len() - values.null_count()
            if not present:
                continue
            if predicate in _COUNTED:
                counts[_COUNTED[predicate]] += present
            elif predicate not in _NOT_CODED and values.dtype == pl.String:
                coded = values.drop_nulls().filter(values.drop_nulls().str.starts_with(CODE_BASE))
                counts["coded_values"] += coded.len()
                codes.update(coded.unique().to_list())
    labels = Counter({(event.file, column, label, known): n for (column, label, known), n in event.labels.items()})
    triples = tuple(f.cast(TERMS) for f in made_frames(event.made)) if keep_triples else ()
    return Tally(labels=labels, codes=frozenset(codes), triples=triples, **counts)


def _tally(event: object, *, keep_triples: bool) -> Tally:
    """What one event of the validated mapping stream adds."""
    if isinstance(event, FileStarted):
        crosswalks = {c.title: c.crosswalk for c in event.mapping.columns if c.crosswalk is not None}
        return Tally(
            codes_of={(event.file, title): walk.codes() for title, walk in crosswalks.items()},
            crosswalks={walk.path: walk for walk in crosswalks.values()},
        )
    if isinstance(event, RowsMapped):
        return _made_tally(event, keep_triples=keep_triples)
    if isinstance(event, FileEnded | RecordsUnread):
        return Tally(files=(event.summary,))
    if isinstance(event, ShapesChecked):
        violations = [v.filter(pl.col("severity").str.contains("Violation")) for v in event.violations]
        return Tally(
            validated=event.records, violated_records=pl.concat(violations)["focus"].n_unique() if violations else 0
        )
    return Tally()


def _labelled(tally: Tally) -> Counter[tuple[str, str, str, str | None]]:
    """Each label's count with the national code it reached (through its file's crosswalk for the column)."""
    out: Counter[tuple[str, str, str, str | None]] = Counter()
    for (file, column, label, known), n in tally.labels.items():
        code = tally.codes_of.get((file, column), {}).get(label.strip()) if known else None
        out[(file, column, label, code)] += n
    return out


def tallied(events: Sequence[object], *, keep_triples: bool) -> Tally:
    """The tally of *events* (of a part of a run: a Dask task's)."""
    return sum((_tally(event, keep_triples=keep_triples) for event in events), Tally())


def _tallied_on_cluster(
    paths: tuple[Path, ...],
    executor: Executor,
    mappings: tuple[MappingChoice, MappingCatalogue | None],
    options: MapOptions,
    *,
    keep_triples: bool,
) -> Tally:
    """The tally of a pass made as tasks of the Dask cluster of *executor*: each task's events tallied on its
    worker, and added up here in order; the files' summaries are the run's (a file mapped in chunks is one),
    and what the shapes found is decided here, over every task's part."""
    from policeonto.scale.mapping import map_on_cluster

    mapping, catalogue = mappings
    fold = partial(tallied, keep_triples=keep_triples)
    run = map_on_cluster(
        paths, executor, mapping=mapping, catalogue=catalogue, options=options, validate=True, fold=fold
    )
    tally = Tally()
    for part in run.folded:
        assert isinstance(part, Tally)
        tally = tally + part
    assert run.checked is not None
    return replace(tally, files=tuple(run.mapped.files)) + _tally(run.checked, keep_triples=keep_triples)


def gather(
    inputs: list[Path] | list[str] | tuple[Path, ...],
    *,
    mapping: MappingChoice = None,
    catalogue: MappingCatalogue | None = None,
    limits: Limits = Limits(),
    agreements: list[Path] | tuple[Path, ...] = (),
    on: date | None = None,
    executor: Executor = Executor(),
) -> Evidence:
    """Map and validate *inputs* (one pass, nothing written) and return the evidence found, with the
    *agreements* (files or folders of them) judged *on* the date (today by default). *executor* says where
    the pass is made: here, or as tasks of a Dask cluster, each task's events tallied on its worker (the
    same evidence).

    Raises:
        MappingInputError: a file cannot be mapped at all.
        MappingSpecError: *mapping* names no mapping.
        AgreementError: an agreement file does not exist or cannot be opened.
    """
    paths = tuple(Path(p) for p in inputs)
    on = on or date.today()
    given = read_agreements(agreements, on=on)
    keep_triples = any(a.in_force for a in given)
    options = MapOptions(limits=limits, keep_findings=0)
    if executor.local:
        tally = Tally()
        for event in validating(map_stream(paths, mapping=mapping, catalogue=catalogue, options=options)):
            tally = tally + _tally(event, keep_triples=keep_triples)
    else:
        tally = _tallied_on_cluster(paths, executor, (mapping, catalogue), options, keep_triples=keep_triples)
    judged, shared = shareable(distinct_triples(pl.concat(tally.triples)), given, on=on) if tally.triples else (0, 0)
    mapped = MapResult(files=list(tally.files), finding_counts=sum((f.finding_counts for f in tally.files), Counter()))
    return Evidence(
        inputs=paths,
        on=on,
        mapped=mapped,
        tally=replace(tally, triples=()),
        labels=_labelled(tally),
        manifested=tuple(str(p) for p in paths if p.is_file() and _listed(p)),
        agreements=given,
        records_judged=judged,
        records_shareable=shared,
    )
