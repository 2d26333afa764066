"""Write results atomically: to a temporary file beside the target, renamed into place only when complete,
so a failed or interrupted run never leaves a half-written file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_output"]


@contextmanager
def atomic_output(target: Path) -> Iterator[BinaryIO]:
    """Open a temporary file beside *target* for binary writing; on success, rename it to *target*.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_output(folder / "out.nt") as sink:
    ...     _ = sink.write(b"done\\n")
    >>> (folder / "out.nt").read_bytes()
    b'done\\n'
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; give it an ordinary file's mode
    try:
        with os.fdopen(handle, "w+b") as sink:
            yield sink
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
