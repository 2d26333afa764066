"""The embedded store's folder: recognised as a store before anything is written in it, and locked while a
process has it open.

A folder is a store when it holds the marker file ``policeonto-store`` (written when the store is made) or,
for stores made before the marker, the lock file ``policeonto.lock`` beside Oxigraph's ``CURRENT``. A
folder that is neither, and not empty, is someone else's: it is refused, never written in.

The lock file is opened without following a symbolic link and must be a regular file with one link, so a
link planted in the folder cannot make policeonto write to its target. A process that writes holds the
lock exclusively; one that only reads (a query) holds it shared, so queries run side by side and never
beside a load.

Which version holds each replaced graph (see :mod:`policeonto.store.graph_names`) is kept in the file
``policeonto-versions.json``, outside the quads, so that no graph of the store holds it: replacing the file
(written beside it, synced, renamed over it) is the one atomic step of a replacement.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import stat
import time
from pathlib import Path
from typing import BinaryIO

from policeonto.errors import StoreBusyError, StoreError
from policeonto.output import fsync_directory

try:
    import fcntl
except ImportError:  # not POSIX: RocksDB's own lock still keeps a second process out
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK_FILE", "MARKER_FILE", "VERSIONS_FILE", "lock", "prepare", "read_versions", "unlock", "write_versions"]

LOCK_FILE = "policeonto.lock"  # held while a process has the store open
MARKER_FILE = "policeonto-store"  # says the folder is a policeonto store
_MARKER_TEXT = b"policeonto embedded store (Oxigraph); do not put other files in this folder\n"
VERSIONS_FILE = "policeonto-versions.json"  # {user graph: the version holding it}, one entry per replaced graph
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def prepare(path: Path, *, create: bool, location: str) -> None:
    """Check that *path* is a store, or (if *create*) make it one: a missing or empty folder becomes a store.

    Raises:
        StoreError: *path* is not a folder, is a folder of other files, or is no store and *create* is false.
    """
    try:
        names = sorted(entry.name for entry in os.scandir(path))
    except FileNotFoundError:
        names = None
    except NotADirectoryError:
        raise StoreError("not a folder", store=location) from None
    except OSError as exc:
        raise StoreError(f"cannot open the store: {exc.strerror}", store=location) from exc
    if names and _is_store(path, names, location):
        if MARKER_FILE not in names and create:  # a store made before the marker: say what it is from now on
            _write_marker(path, location)
        return
    if names:
        shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        raise StoreError(
            f"not a policeonto store, and not empty (it holds {shown}): refusing to put a store among other "
            "files; give a new or empty folder",
            store=location,
        )
    if not create:
        raise StoreError("no store here (policeonto load creates one)", store=location)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot make the store: {exc.strerror}", store=location) from exc
    _write_marker(path, location)


def _is_store(path: Path, names: list[str], location: str) -> bool:
    if MARKER_FILE in names:
        if not stat.S_ISREG(os.lstat(path / MARKER_FILE).st_mode):
            raise StoreError(f"{MARKER_FILE} is not a regular file: refusing the folder", store=location)
        return True
    return LOCK_FILE in names and "CURRENT" in names


def _write_marker(path: Path, location: str) -> None:
    try:
        descriptor = os.open(path / MARKER_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
    except FileExistsError:
        return
    except OSError as exc:
        raise StoreError(f"cannot mark the store: {exc.strerror}", store=location) from exc
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(_MARKER_TEXT)


def lock(path: Path, *, wait: float, location: str, shared: bool = False) -> BinaryIO | None:
    """Hold the store's lock file (*shared* for a reader), waiting up to *wait* seconds for another process
    to let it go. A reader of a store without a lock file holds none.

    Raises:
        StoreError: the lock file is a link or not a regular file, or cannot be opened.
        StoreBusyError: another process holds it still.
    """
    if fcntl is None:
        return None
    flags = (os.O_RDONLY if shared else os.O_RDWR | os.O_CREAT) | _NOFOLLOW
    try:
        descriptor = os.open(path / LOCK_FILE, flags, 0o600)
    except FileNotFoundError:
        return None
    except OSError as exc:
        reason = "it is a symbolic link, which is never followed" if exc.errno == errno.ELOOP else exc.strerror
        raise StoreError(f"cannot open the lock file {LOCK_FILE}: {reason}", store=location) from exc
    handle = os.fdopen(descriptor, "rb" if shared else "r+b")
    found = os.fstat(descriptor)
    if not stat.S_ISREG(found.st_mode) or found.st_nlink != 1:
        handle.close()
        raise StoreError(f"the lock file {LOCK_FILE} is not a regular file with one link: refusing it", store=location)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(descriptor, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            left = deadline - time.monotonic()
            if left > 0:
                time.sleep(min(0.2, left))
                continue
            handle.seek(0)
            holder = handle.read(200).decode("utf-8", "replace").split()
            handle.close()
            pid = int(holder[0]) if holder and holder[0].isdigit() else None
            who = f"pid {pid}" + (f" on {holder[1]}" if len(holder) > 1 else "") if pid else "pid unknown"
            waited = f"; waited {wait:g} s" if wait > 0 else "; `--wait SECONDS` waits for it"
            raise StoreBusyError(
                f"the store is in use by another process ({who}){waited}", store=location, pid=pid
            ) from None
    if not shared:
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {socket.gethostname()}\n".encode())
        handle.flush()
    return handle


def unlock(handle: BinaryIO) -> None:
    """Let the lock go; a writer first empties the file, so a process then refused by a reader is not told
    the process id of the writer that left."""
    try:
        if handle.writable():
            handle.seek(0)
            handle.truncate()
    finally:
        handle.close()  # closing the file releases the lock


def read_versions(path: Path, *, location: str) -> dict[str, str] | None:
    """The version holding each replaced graph of the store in *path*, or None when the store has no
    versions file (its graphs were never replaced, or were replaced before the file was kept).

    Raises:
        StoreError: the file is a link or not a regular file, or is not a JSON object of IRIs.
    """
    try:
        descriptor = os.open(path / VERSIONS_FILE, os.O_RDONLY | _NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:
        reason = "it is a symbolic link, which is never followed" if exc.errno == errno.ELOOP else exc.strerror
        raise StoreError(f"cannot read {VERSIONS_FILE}: {reason}", store=location) from exc
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise StoreError(f"{VERSIONS_FILE} is not a regular file: refusing it", store=location)
        text = handle.read()
    try:
        found = json.loads(text)
    except ValueError as exc:
        raise StoreError(f"{VERSIONS_FILE} is not JSON: {exc}", store=location) from exc
    if not isinstance(found, dict) or not all(isinstance(v, str) for v in found.values()):
        raise StoreError(f"{VERSIONS_FILE} is not an object of graph names and versions", store=location)
    return found


def write_versions(path: Path, versions: dict[str, str], *, location: str) -> None:
    """Replace the versions file of the store in *path* with *versions*, all at once: written beside it
    under a name no other process writes (the writer holds the lock), synced, then renamed over it.

    Raises:
        StoreError: the file cannot be written or renamed (the old one is then left as it was).
    """
    target, part = path / VERSIONS_FILE, path / f".{VERSIONS_FILE}.part"
    data = json.dumps(versions, indent=1, sort_keys=True).encode("utf-8")
    try:
        descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, 0o644)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(descriptor)
        os.replace(part, target)  # a link planted at the target is replaced, not followed
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise StoreError(f"cannot write {VERSIONS_FILE}: {exc.strerror}", store=location) from exc
    fsync_directory(path)  # the rename is done: this makes it last a power cut, and leaves nothing to undo
