"""``map`` and ``validate`` on a Dask cluster: each file, and each chunk of rows of a large CSV file
(:mod:`policeonto.scale.chunks`), is a task, and the run is put together on the client in the order the
files are mapped in one process, so that the triples written, the counts and the findings are the same bytes
and values.

A worker maps its file (:func:`map_task`) and sends back plain values: the N-Triples it wrote, its summary,
the compact record of its keys (:class:`~policeonto.mapping.keys.KeyIndex`: a hash of each key, its first
row) and, when validating, what the shapes found in it (:class:`~policeonto.validation.mapped.ValidatedPart`);
their frames travel as Arrow. What depends on more than one file is decided here, in one place:

- The tables of one export that refer to each other (and a JSON export's) are mapped one after another,
  each task given the keys of the one before (a Dask dependency), so foreign keys are checked as in one
  process.
- A key that two tasks' files (or chunks) both have (a record given twice, by two forces' files of one
  format, or twice in one file) is found by comparing each task's keys with every earlier task's; that task
  is mapped again, given the keys of all the files before it, and so rejects the repeats as one process does
  (rare: each force's records have keys of their own).
- The nodes rows share and the links between files are decided once every part is in
  (:meth:`~policeonto.validation.mapped.MappedValidator.finish`).

A worker that dies takes its task with it; Dask runs the task again on another worker, and as a task is a
pure function of its file its result is the same: nothing is lost or counted twice.

The N-Triples do not travel through the cluster when they need not: a worker that sees the client's
staging folder (:class:`Staging`: a folder beside the output, or in the client's temporary directory,
marked with a token of the run) writes its task's N-Triples to a file of its own there, and the client
copies the file into the output and deletes it. Every worker of a local cluster sees it; a worker of a
cluster elsewhere does not, and sends the bytes, as every worker did before. A worker that dies while
writing leaves a file no result names, deleted with the folder; the task run again writes a file of its own.
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from policeonto.mapping.catalogue import MappingCatalogue
from policeonto.mapping.engine import MapResult, map_result
from policeonto.mapping.events import FilePart, KeysKept, MapOptions
from policeonto.mapping.keys import KeyIndex
from policeonto.mapping.spec import MappingChoice
from policeonto.mapping.stream import map_part, map_stream, planned_files
from policeonto.mapping.writing import dataset_file, writing_ntriples
from policeonto.output import scratch_directory
from policeonto.paths import Inputs
from policeonto.scale.chunks import pieces, whole_file
from policeonto.scale.executor import Executor, dask_client
from policeonto.validation.mapped import MappedValidator, ValidatedPart
from policeonto.validation.pipeline import ShapesChecked, checked, validating_part

if TYPE_CHECKING:
    from dask.distributed import Future

__all__ = ["ClusterRun", "Staging", "TaskDone", "TaskPlan", "map_on_cluster", "map_task"]

_MARK = "run"  # the file in a staging folder that holds the run's token


@dataclass(frozen=True)
class Staging:
    """A folder where workers write their tasks' N-Triples for the client to take, and the token that tells
    a worker it is the client's folder (a worker elsewhere may have a folder of the same name)."""

    folder: str
    token: str

    def seen(self) -> bool:
        """Whether this process sees the client's folder: its mark holds the token."""
        try:
            return (Path(self.folder) / _MARK).read_text(encoding="ascii") == self.token
        except (OSError, UnicodeDecodeError):
            return False


@contextmanager
def staging(near: Path | None = None) -> Iterator[Staging]:
    """A staging folder for a run, in the folder *near* (where the output goes, which has room for it) if
    this process may write there, else in its temporary directory: a scratch directory
    (:func:`~policeonto.output.scratch_directory`), removed with what is in it on leaving, or by the next
    run there if this one is killed."""
    if near is not None and not os.access(near, os.W_OK | os.X_OK):
        near = None
    with scratch_directory(".policeonto-run-", base=near) as folder:
        token = secrets.token_hex(16)
        (folder / _MARK).write_text(token, encoding="ascii")
        yield Staging(str(folder), token)


def _folder_of(out: BinaryIO | None) -> Path | None:
    """The folder of the file *out* writes to, if it writes to a file on disk."""
    name = getattr(out, "name", None)
    if isinstance(name, int):  # opened from a descriptor, as an atomic output's temporary file is
        try:
            name = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            return None
    return Path(name).parent if isinstance(name, str) and Path(name).is_file() else None


def _append(path: Path, out: BinaryIO) -> None:
    """Copy the file at *path* to the end of *out*: in the kernel (``os.sendfile``) where *out* is a file it
    can write to, else through this process."""
    with path.open("rb") as part:
        size, sent = os.fstat(part.fileno()).st_size, 0
        target: int | None = None
        # only a plain file writes to its descriptor what it is given (a gzip file's is the compressed file's)
        if hasattr(os, "sendfile") and isinstance(out, (io.FileIO, io.BufferedWriter, io.BufferedRandom)):
            try:
                target = out.fileno()
            except (OSError, io.UnsupportedOperation):
                target = None
        if target is not None:
            out.flush()
            try:
                while sent < size and (done := os.sendfile(target, part.fileno(), sent, size - sent)):
                    sent += done
            except OSError:
                pass  # a file sendfile cannot write (opened to append, on some kernels): the rest as bytes
        part.seek(sent)
        shutil.copyfileobj(part, out, 1 << 20)


@dataclass(frozen=True)
class TaskPlan:
    """What every task of a run is told: the mappings, how to map, and what to make of the triples."""

    mapping: MappingChoice
    catalogue: MappingCatalogue | None
    options: MapOptions
    write: bool
    validate: bool
    fold: Callable[[Sequence[object]], object] | None = None  # what a task makes of its events, sent back
    staging: Staging | None = None  # where a worker that sees it writes its N-Triples


@dataclass(frozen=True)
class TaskDone:
    """What a task sends back: its files' summary, their N-Triples (when written: the bytes, or the file in
    the staging folder that holds them), the keys of the run up to and with its files, and what the shapes
    found (when validated)."""

    mapped: MapResult
    ntriples: bytes | Path
    keys: KeyIndex
    validated: ValidatedPart | None
    folded: object = None

    def write_to(self, out: BinaryIO) -> None:
        """Write the task's N-Triples to the end of *out*."""
        if isinstance(self.ntriples, Path):
            _append(self.ntriples, out)
        else:
            out.write(self.ntriples)

    def write_as(self, target: Path) -> None:
        """Write the task's N-Triples to the end of the file *target*: its file in the staging folder renamed
        to *target* where there is no such file yet (nothing is copied), else appended."""
        if isinstance(self.ntriples, Path) and not target.exists():
            try:
                os.replace(self.ntriples, target)
                return
            except OSError:
                pass  # another file system: copied
        with target.open("ab") as out:
            self.write_to(out)

    @property
    def wrote(self) -> bool:
        """Whether the task wrote any N-Triples."""
        return self.ntriples.stat().st_size > 0 if isinstance(self.ntriples, Path) else bool(self.ntriples)

    def discard(self) -> None:
        """Delete the task's file in the staging folder, if it wrote one."""
        if isinstance(self.ntriples, Path):
            self.ntriples.unlink(missing_ok=True)


@dataclass(frozen=True)
class ClusterRun:
    """A run put together from its tasks: the summary, and what the shapes found (when validated)."""

    mapped: MapResult
    checked: ShapesChecked | None
    folded: tuple[object, ...] = ()


def map_task(what: Sequence[Path] | FilePart, after: KeyIndex, plan: TaskPlan) -> TaskDone:
    """Map the files or the part of a file *what* (after the files whose keys are *after*) as
    :func:`~policeonto.mapping.map_stream` does, on a worker."""
    if plan.write and plan.staging is not None and plan.staging.seen():
        path = Path(plan.staging.folder) / f"{uuid.uuid4().hex}.nt"  # a file of this attempt's own
        try:
            staged = path.open("wb")
        except OSError:
            staged = None  # seen, but not to be written here (a read-only view of it): the bytes travel
        if staged is not None:
            with staged:
                done = _mapped(what, after, plan, staged)
            return TaskDone(done.mapped, path, done.keys, done.validated, done.folded)
    out = io.BytesIO()
    done = _mapped(what, after, plan, out)
    return TaskDone(done.mapped, out.getvalue(), done.keys, done.validated, done.folded)


def _mapped(what: Sequence[Path] | FilePart, after: KeyIndex, plan: TaskPlan, out: BinaryIO) -> TaskDone:
    if isinstance(what, FilePart):
        events = map_part(what, mapping=plan.mapping, catalogue=plan.catalogue, options=plan.options, after=after)
    else:
        events = map_stream(
            list(what), mapping=plan.mapping, catalogue=plan.catalogue, options=plan.options, after=after
        )
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
    return TaskDone(mapped, b"", keys, validated, plan.fold(kept) if plan.fold is not None else None)


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
    folder: Path | None = None,
    validate: bool = False,
    progress: Callable[[int], None] | None = None,
    fold: Callable[[Sequence[object]], object] | None = None,
) -> ClusterRun:
    """Map every file in *inputs* as a task of the Dask cluster *executor* names, writing the N-Triples to
    *out* (when given) in the order one process writes them, or each dataset's to a file of its own in
    *folder* (:func:`~policeonto.mapping.writing.dataset_file`), and validating what they make (when
    *validate*). *fold* is applied on the worker to each task's events (but the keys' and the shapes'), and
    what it makes is sent back, in the order of the tasks, in ``ClusterRun.folded``.

    Raises:
        ClusterError: the cluster cannot be reached or started.
        MappingInputError: a file cannot be mapped at all; the files before it have been written.
        MappingSpecError, OptionError: as :func:`~policeonto.mapping.map_files`.
    """
    write = out is not None or folder is not None
    planned = pieces(planned_files(inputs, mapping=mapping, catalogue=catalogue), executor.chunk_rows, options)
    run = uuid.uuid4().hex[:12]
    staged: AbstractContextManager[Staging | None] = staging(folder or _folder_of(out)) if write else nullcontext()
    with staged as staged_at, dask_client(executor) as client:  # the cluster stops before the staging folder goes
        plan = TaskPlan(mapping, catalogue, options, write, validate, fold, staged_at)
        ahead = max(4, 2 * len(client.scheduler_info()["workers"]))  # tasks submitted beyond the one taken
        futures: list[Future | None] = []
        chained: dict[str, Future] = {}

        def submit_until(count: int) -> None:
            while len(futures) < min(count, len(planned)):
                number = len(futures)
                what, export = planned[number]
                after = chained.get(export, KeyIndex()) if export is not None else KeyIndex()
                task = what if isinstance(what, FilePart) else [what]
                future = client.submit(map_task, task, after, plan, key=f"policeonto-map-{run}-{number}", pure=False)
                if export is not None:
                    chained[export] = client.submit(_keys_of, future, key=f"policeonto-keys-{run}-{number}")
                futures.append(future)

        mapped, validator = MapResult(), MappedValidator() if validate else None
        run_keys, last, redone = KeyIndex(), dict[str, KeyIndex](), set[str]()
        parts: list[MapResult] = []  # the parts of a file mapped in parts, so far
        folded: list[object] = []
        for number, (what, export) in enumerate(planned):
            submit_until(number + 1 + ahead)
            future = futures[number]
            assert future is not None
            done: TaskDone = future.result()
            before = KeyIndex()
            if export is not None:
                before, last[export] = last.get(export, KeyIndex()), done.keys
            own = done.keys.fresh(before)
            alone = export is None and any(f.export is not None for f in done.mapped.files)
            if (export is not None and export in redone) or alone or own.clashes(run_keys):
                # mapped apart from a file before it that it depends on: again, after every file before it
                task = what if isinstance(what, FilePart) else [what]
                again = f"policeonto-again-{run}-{number}"
                done.discard()
                done = client.submit(map_task, task, run_keys, plan, key=again, pure=False).result()
                own = done.keys.fresh(run_keys)
                if export is not None:
                    redone.add(export)
            future.release()
            futures[number] = None
            run_keys = run_keys.joined(own)
            if out is not None:
                done.write_to(out)
            if folder is not None and done.wrote:
                done.write_as(dataset_file(folder, done.mapped.files[0].dataset))
            done.discard()
            if isinstance(what, FilePart):
                parts.append(done.mapped)
                if what.last:
                    mapped.extend(
                        whole_file(parts, keep_findings=options.keep_findings), keep_findings=options.keep_findings
                    )
                    parts = []
            else:
                mapped.extend(done.mapped, keep_findings=options.keep_findings)
            if validator is not None and done.validated is not None:
                validator.absorb(done.validated)
            if fold is not None:
                folded.append(done.folded)
            if progress is not None:
                progress(done.mapped.rows_read)
    return ClusterRun(mapped, checked(validator) if validator is not None else None, tuple(folded))
