"""``map`` and ``validate`` on a Dask cluster: each file is a task, and the run is put together on the client
in the order the files are mapped in one process, so that the triples written, the counts and the findings
are the same bytes and values.

A worker maps its file (:func:`map_task`) and sends back plain values: the N-Triples it wrote, its summary,
the compact record of its keys (:class:`~policeonto.mapping.keys.KeyIndex`: a hash of each key, its first
row) and, when validating, what the shapes found in it (:class:`~policeonto.validation.mapped.ValidatedPart`);
their frames travel as Arrow. What depends on more than one file is decided here, in one place:

- The tables of one export that refer to each other (and a JSON export's) are mapped one after another,
  each task given the keys of the one before (a Dask dependency), so foreign keys are checked as in one
  process.
- A key that two tasks' files both have (a record given twice, by two forces' files of one format) is
  found by comparing each task's keys with every earlier task's; that task is mapped again, given the keys of
  all the files before it, and so rejects the repeats as one process does (rare: each force's records have
  keys of their own).
- The nodes rows share and the links between files are decided once every part is in
  (:meth:`~policeonto.validation.mapped.MappedValidator.finish`).

A worker that dies takes its task with it; Dask runs the task again on another worker, and as a task is a
pure function of its file its result is the same: nothing is lost or counted twice.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from policeonto.mapping.catalogue import MappingCatalogue
from policeonto.mapping.engine import MapResult, map_result
from policeonto.mapping.events import KeysKept, MapOptions
from policeonto.mapping.keys import KeyIndex
from policeonto.mapping.spec import MappingChoice
from policeonto.mapping.stream import map_stream, planned_files
from policeonto.mapping.writing import writing_ntriples
from policeonto.paths import Inputs
from policeonto.scale.executor import Executor, dask_client
from policeonto.validation.mapped import MappedValidator, ValidatedPart
from policeonto.validation.pipeline import ShapesChecked, checked, validating_part

__all__ = ["ClusterRun", "TaskDone", "TaskPlan", "map_on_cluster", "map_task"]


@dataclass(frozen=True)
class TaskPlan:
    """What every task of a run is told: the mappings, how to map, and what to make of the triples."""

    mapping: MappingChoice
    catalogue: MappingCatalogue | None
    options: MapOptions
    write: bool
    validate: bool


@dataclass(frozen=True)
class TaskDone:
    """What a task sends back: its files' summary, their N-Triples (when written), the keys of the run up
    to and with its files, and what the shapes found (when validated)."""

    mapped: MapResult
    ntriples: bytes
    keys: KeyIndex
    validated: ValidatedPart | None


@dataclass(frozen=True)
class ClusterRun:
    """A run put together from its tasks: the summary, and what the shapes found (when validated)."""

    mapped: MapResult
    checked: ShapesChecked | None


def map_task(paths: Sequence[Path], after: KeyIndex, plan: TaskPlan) -> TaskDone:
    """Map *paths* (after the files whose keys are *after*) as :func:`~policeonto.mapping.map_stream` does,
    on a worker."""
    out = io.BytesIO()
    events = map_stream(list(paths), mapping=plan.mapping, catalogue=plan.catalogue, options=plan.options, after=after)
    if plan.write:
        events = writing_ntriples(events, out)
    keys, validated = KeyIndex(), None
    kept: list[object] = []
    for event in validating_part(events) if plan.validate else events:
        if isinstance(event, KeysKept):
            keys = event.keys
        elif isinstance(event, ValidatedPart):
            validated = event
        else:
            kept.append(event)
    mapped = map_result(kept, keep_findings=plan.options.keep_findings)
    return TaskDone(mapped, out.getvalue(), keys, validated)


def _keys_of(done: TaskDone) -> KeyIndex:
    return done.keys


def map_on_cluster(
    inputs: Inputs,
    executor: Executor,
    *,
    mapping: MappingChoice = None,
    catalogue: MappingCatalogue | None = None,
    options: MapOptions = MapOptions(),
    out: BinaryIO | None = None,
    validate: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ClusterRun:
    """Map every file in *inputs* as a task of the Dask cluster *executor* names, writing the N-Triples to
    *out* (when given) in the order one process writes them, and validating what they make (when
    *validate*).

    Raises:
        ClusterError: the cluster cannot be reached or started.
        MappingInputError: a file cannot be mapped at all; the files before it have been written.
        MappingSpecError, OptionError: as :func:`~policeonto.mapping.map_files`.
    """
    plan = TaskPlan(mapping, catalogue, options, write=out is not None, validate=validate)
    files = planned_files(inputs, mapping=mapping, catalogue=catalogue)
    run = uuid.uuid4().hex[:12]
    with dask_client(executor) as client:
        futures, chained = [], {}
        for number, (path, export) in enumerate(files):
            after = chained.get(export, KeyIndex()) if export is not None else KeyIndex()
            future = client.submit(map_task, [path], after, plan, key=f"policeonto-map-{run}-{number}", pure=False)
            if export is not None:
                chained[export] = client.submit(_keys_of, future, key=f"policeonto-keys-{run}-{number}")
            futures.append(future)
        mapped, validator = MapResult(), MappedValidator() if validate else None
        run_keys, last, redone = KeyIndex(), dict[str, KeyIndex](), set[str]()
        for number, ((path, export), future) in enumerate(zip(files, futures, strict=True)):
            done: TaskDone = future.result()
            before = KeyIndex()
            if export is not None:
                before, last[export] = last.get(export, KeyIndex()), done.keys
            own = done.keys.fresh(before)
            alone = export is None and any(f.export is not None for f in done.mapped.files)
            if (export is not None and export in redone) or alone or own.clashes(run_keys):
                # mapped apart from a file before it that it depends on: again, after every file before it
                again = f"policeonto-again-{run}-{number}"
                done = client.submit(map_task, [path], run_keys, plan, key=again, pure=False).result()
                own = done.keys.fresh(run_keys)
                if export is not None:
                    redone.add(export)
            future.release()
            run_keys = run_keys.joined(own)
            if out is not None:
                out.write(done.ntriples)
            mapped.extend(done.mapped, keep_findings=options.keep_findings)
            if validator is not None and done.validated is not None:
                validator.absorb(done.validated)
            if progress is not None:
                progress(done.mapped.rows_read)
    return ClusterRun(mapped, checked(validator) if validator is not None else None)
