"""Write results atomically, and only where they belong.

Every file policeonto writes goes through :func:`atomic_output`: the bytes go to a temporary file beside
the target, named ``.<target name>.<random>.part`` (never the target's own name), which is flushed, synced
and renamed over the target only when complete. A failed or interrupted run (an error, Ctrl-C, SIGTERM)
removes its temporary file and leaves the target as it was: absent, or the previous complete version.

A run killed outright (SIGKILL, a power cut) cannot clean up, so its ``.part`` file may remain; the target
is still untouched. While a run writes, it holds a lock on its ``.part`` file, so the next run that writes
the same target removes such leftovers whose writer is gone (and leaves alone those still being written).
Being dot files with a suffix no reader recognises, they are never taken for input.

Names derived from input (one output per input in a directory) go through :func:`contained_path`, which
refuses a name that would land outside the chosen directory. Every command passes its inputs and outputs
to :func:`refuse_clashes` before it reads anything, so no output overwrites an input or another output.
Intermediate files live in a :func:`scratch_directory`, removed when the run ends and, after a kill, by
the next run.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path, PurePath
from types import FrameType
from typing import BinaryIO

from policeonto import interrupts
from policeonto.errors import OutputPathError
from policeonto.safety import inside

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no locks, so leftovers are not removed automatically
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "PART_SUFFIX",
    "atomic_output",
    "contained_path",
    "fsync_directory",
    "refuse_clashes",
    "remove_stale_parts",
    "scratch_directory",
    "write_atomically",
]

PART_SUFFIX = ".part"
_NAME_ROOM = 200  # of a file name's 255 bytes, what the target's name may take in its temporary file's name
_LOCK_NAME = ".lock"
_DEFERRED = {getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name)}


def _part_pattern(name: str) -> re.Pattern[str]:
    """What the temporary files of a target called *name* are called (``tempfile``'s 8 random characters)."""
    return re.compile(rf"\.{re.escape(name[:_NAME_ROOM])}\.[a-z0-9_]{{8}}{re.escape(PART_SUFFIX)}")


def _lock(descriptor: int, *, wait: bool) -> bool:
    """Take an exclusive lock on an open file; False if another process holds it (and *wait* is false)."""
    if fcntl is None:  # pragma: no cover
        return not wait
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def _abandoned(path: Path) -> bool:
    """True when *path* is a regular file of ours that no live process holds locked."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            return False
        return _lock(descriptor, wait=False)
    finally:
        os.close(descriptor)


def remove_stale_parts(target: Path) -> list[Path]:
    """Remove the temporary files that killed runs left beside *target*; return those removed.

    A temporary file still locked by the run writing it is left alone.

    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / ".out.nt.abcd1234.part").write_bytes(b"half a")
    >>> [p.name for p in remove_stale_parts(folder / "out.nt")]
    ['.out.nt.abcd1234.part']
    """
    if fcntl is None:  # pragma: no cover
        return []
    pattern, removed = _part_pattern(target.name), []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return []
    for entry in entries:
        path = Path(entry.path)
        if pattern.fullmatch(entry.name) and _abandoned(path):
            with suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
    return removed


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back for a moment, so a temporary file is never created without its cleanup.

    Their Python handlers are swapped for one that takes note; on leaving, the previous handlers come back
    and receive what was noted. (Blocking the signals would not do: another thread of the process, a
    Polars or Oxigraph worker, may receive them, and Python then runs the handler in the main thread.)
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread runs Python signal handlers
        return
    noted: list[tuple[int, FrameType | None]] = []
    previous = {signum: signal.getsignal(signum) for signum in _DEFERRED}
    try:
        for signum, handler in previous.items():
            if callable(handler) or handler == signal.SIG_DFL:
                signal.signal(signum, lambda signum, frame: noted.append((signum, frame)))
        yield
    finally:
        for signum, handler in previous.items():
            if callable(handler) or handler == signal.SIG_DFL:
                signal.signal(signum, handler)
        for signum, frame in noted:
            handler = previous[signum]
            if callable(handler):
                handler(signum, frame)
            else:
                os.kill(os.getpid(), signum)  # the default action, now that it is back


def fsync_directory(folder: Path) -> None:
    """Make a rename in *folder* durable (where the platform allows opening a directory)."""
    with suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


@contextmanager
def atomic_output(target: Path | str) -> Iterator[BinaryIO]:
    """Open a temporary file beside *target* for binary writing; on success, rename it to *target*.

    On any exception (including KeyboardInterrupt) the temporary file is removed and *target* is left as
    it was. Leftovers of killed runs beside *target* are removed first (see :func:`remove_stale_parts`).
    A symbolic link at *target* is followed: the file it points to is replaced. A target that exists and is
    not a regular file (a pipe, a terminal, ``/dev/stdout``) is written directly, as it cannot be replaced.
    An existing target keeps its permission bits.

    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_output(folder / "out.nt") as sink:
    ...     _ = sink.write(b"done\\n")
    >>> (folder / "out.nt").read_bytes(), sorted(p.name for p in folder.iterdir())
    (b'done\\n', ['out.nt'])
    """
    target = Path(target)
    target = Path(os.path.realpath(target)) if target.is_symlink() else target
    try:
        existing: os.stat_result | None = target.stat()
    except FileNotFoundError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing.st_mode) and not stat.S_ISDIR(existing.st_mode):
        with target.open("wb") as stream:
            yield stream
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_parts(target)
    if existing is not None:
        mode = stat.S_IMODE(existing.st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask  # mkstemp makes it private; give it an ordinary file's mode
    handle, temporary, sink = -1, None, None
    try:
        with _signals_deferred():  # a signal here is raised only on leaving, with the cleanup below in place
            handle, temporary = tempfile.mkstemp(
                prefix=f".{target.name[:_NAME_ROOM]}.", suffix=PART_SUFFIX, dir=target.parent
            )
            sink = os.fdopen(handle, "w+b")
            _lock(handle, wait=True)
            os.chmod(temporary, mode)
        with sink:
            yield sink
            sink.flush()
            os.fsync(sink.fileno())
            interrupts.check()  # an interruption Python swallowed still keeps the output from being committed
            os.replace(temporary, target)  # still locked, so no other run takes it for a leftover
        fsync_directory(target.parent)
    except BaseException:
        if sink is not None:
            sink.close()
        elif handle >= 0:
            os.close(handle)
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise


def write_atomically(target: Path | str, data: bytes | str) -> Path:
    """Write *data* (text is encoded as UTF-8) to *target* through :func:`atomic_output`; return *target*.

    >>> folder = Path(tempfile.mkdtemp())
    >>> write_atomically(folder / "a" / "report.json", "{}").read_text()
    '{}'
    """
    with atomic_output(target) as sink:
        sink.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(target)


def contained_path(folder: Path, name: str | PurePath) -> Path:
    """The path of *name* inside *folder*, refusing any name that would put it elsewhere.

    *name* is relative: one file name, or several joined by ``/``. Refused: an empty name, an absolute
    one, one with a NUL or a backslash, a ``.`` or ``..`` part, and a name that reaches outside *folder*
    through a symbolic link (an existing file or directory on the way that points elsewhere).

    Raises:
        OutputPathError: the name is refused; it carries *folder*, *name* and the reason.

    >>> contained_path(Path("out"), "kent.ttl").as_posix()
    'out/kent.ttl'
    >>> contained_path(Path("out"), "../kent.ttl")
    Traceback (most recent call last):
    ...
    policeonto.errors.OutputPathError: out: refusing to write '../kent.ttl': it has a '..' part
    """
    text = str(name)
    if not text:
        raise OutputPathError("the name is empty", folder=folder, name=text)
    if "\0" in text:
        raise OutputPathError("it contains a NUL character", folder=folder, name=text)
    if "\\" in text:
        raise OutputPathError("it contains a backslash", folder=folder, name=text)
    if text.startswith("/") or PurePath(text).is_absolute():
        raise OutputPathError("it is an absolute path", folder=folder, name=text)
    parts = text.split("/")
    for part in parts:
        if part in ("", ".", ".."):
            reason = f"it has a {part!r} part" if part else "it has an empty part"
            raise OutputPathError(reason, folder=folder, name=text)
    target = folder.joinpath(*parts)
    root = os.path.realpath(folder)
    resolved = os.path.realpath(target)
    if os.path.commonpath([root, resolved]) != root:
        raise OutputPathError(f"it leads outside the directory, to {resolved}", folder=folder, name=text)
    return target


def _same(one: Path, other: Path) -> bool:
    """True when the two paths name one file: the same path once resolved (``./x`` and ``x``, a symbolic
    link and its target) or, both existing, the same file (a hard link, a case-insensitive file system)."""
    if os.path.realpath(one) == os.path.realpath(other):
        return True
    try:
        return os.path.samefile(one, other)
    except OSError:  # one of them does not exist (yet), so they cannot be one file
        return False


def _inside(path: Path, folder: Path) -> bool:
    """True when *path* is *folder* or lies somewhere under it, once both are resolved."""
    return _same(path, folder) or inside(path, folder)


def _replaceable(path: Path) -> bool:
    """False for an existing file that is written in place, never replaced (a terminal, a pipe, /dev/null)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return True
    return stat.S_ISREG(mode) or stat.S_ISDIR(mode)


def _clash(output: Path, reason: str, other: Path) -> OutputPathError:
    return OutputPathError(f"{reason} {other}", folder=output.parent, name=output.name, other=other)


def refuse_clashes(
    *,
    inputs: Iterable[Path | str] = (),
    outputs: Iterable[Path | str | None] = (),
    input_folders: Iterable[Path | str] = (),
    output_folders: Iterable[Path | str] = (),
) -> None:
    """Refuse, before anything is read or written, outputs that would overwrite what a command reads or
    another of its outputs.

    Refused: an output file that is an input file (the same path once resolved, or the same file through a
    hard or symbolic link), that lies inside an input folder (configuration a command reads whole, such as
    a folder of mappings), or that another output names too; an output folder (one a command fills or
    replaces whole) that holds an input or lies inside an input folder, or that overlaps another output.
    ``None`` among *outputs* (standard output) and existing files written in place, not replaced (a
    terminal, a pipe, ``/dev/null``), are left alone.

    Raises:
        OutputPathError: naming the output and the input or output it clashes with (``other``).

    >>> refuse_clashes(inputs=["kent.csv"], outputs=["kent.nt", "report.json"])
    >>> refuse_clashes(inputs=["kent.csv"], outputs=["./kent.csv"])
    Traceback (most recent call last):
    ...
    policeonto.errors.OutputPathError: refusing to write kent.csv: it is the input kent.csv
    """
    sources = [Path(p) for p in inputs]
    source_folders = [Path(p) for p in input_folders]
    files = [Path(p) for p in outputs if p is not None and _replaceable(Path(p))]
    folders = [Path(p) for p in output_folders]
    for index, output in enumerate(files):
        for source in sources:
            if _same(output, source):
                raise _clash(output, "it is the input", source)
        for folder in source_folders:
            if _inside(output, folder):
                raise _clash(output, "it is inside the input folder", folder)
        for earlier in files[:index]:
            if _same(output, earlier):
                raise _clash(output, "another output goes there too:", earlier)
    for index, output in enumerate(folders):
        for source in sources:
            if _inside(source, output):
                raise _clash(output, "the folder holds the input", source)
        for folder in source_folders:
            if _inside(output, folder) or _inside(folder, output):
                raise _clash(output, "the folder overlaps the input folder", folder)
        for other in [*files, *folders[:index]]:
            if _inside(other, output) or _inside(output, other):
                raise _clash(output, "the folder overlaps another output:", other)


#: What the name of every scratch directory starts with, whatever its own prefix.
SCRATCH_PREFIX = "policeonto-"


def _remove_stale_scratch(base: Path) -> None:
    """Remove the scratch directories of killed runs: ours (any prefix), with a lock file no live process
    holds. Any one, not only those of the prefix about to be used: a run may stop before it reaches the
    step whose directory a killed run left."""
    try:
        entries = list(os.scandir(base))
    except OSError:
        return
    for entry in entries:
        if not entry.name.removeprefix(".").startswith(SCRATCH_PREFIX) or not entry.is_dir(follow_symlinks=False):
            continue
        if _abandoned(Path(entry.path) / _LOCK_NAME):
            shutil.rmtree(entry.path, ignore_errors=True)


@contextmanager
def scratch_directory(prefix: str, base: Path | None = None) -> Iterator[Path]:
    """A private temporary directory for intermediate files, in *base* (the temporary directory if not
    given), removed when the block ends (however it ends).

    The directory is locked while in use; those that killed runs left behind in *base* are removed by the
    next :func:`scratch_directory` there. *prefix* starts with :data:`SCRATCH_PREFIX`, or a dot and it (a
    directory kept out of sight among a user's files).

    >>> with scratch_directory("policeonto-example-") as folder:
    ...     _ = (folder / "part.nt").write_text("")
    >>> folder.exists()
    False
    """
    base = Path(tempfile.gettempdir()) if base is None else base
    if fcntl is not None:
        _remove_stale_scratch(base)
    folder: Path | None = None
    lock = -1
    try:
        with _signals_deferred():  # as in atomic_output: no directory without its cleanup
            folder = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
            lock = os.open(folder / _LOCK_NAME, os.O_CREAT | os.O_WRONLY, 0o600)
            _lock(lock, wait=True)
        yield folder
    finally:
        if lock >= 0:
            os.close(lock)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
