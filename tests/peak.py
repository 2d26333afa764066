"""Run a command and read its own peak resident memory.

A child's ``ru_maxrss`` starts at the resident size of the process it was forked from: at ``exec`` the kernel
keeps the high-water mark of the memory it replaces. A test process that has grown to 1.2 GB would see every
child it starts at 1.2 GB at least, and a memory bound would fail for reasons of its own. So the command is
started by a small launcher process (about 10 MB), which reports its child's figure.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import pytest

__all__ = ["run_measured"]

_LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
if code < 0:
    os.kill(os.getpid(), -code)
sys.exit(code)
"""


def run_measured(
    command: Sequence[str | Path],
    *,
    timeout: float,
    peak_file: Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdout: IO[bytes] | int | None = None,
    stderr: IO[bytes] | int | None = None,
) -> tuple[int, int]:
    """Run *command*; its exit code and its peak resident memory in KiB (written to *peak_file* on the way).
    A command still running after *timeout* seconds is killed, with everything it started, and the test fails.
    """
    process = subprocess.Popen(
        [sys.executable, "-c", _LAUNCHER, str(peak_file), *map(str, command)],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        start_new_session=True,  # one process group: a timeout kills the command too
    )
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        pytest.fail(f"{' '.join(map(str, command))[:200]} still running after {timeout} s")
    return code, int(peak_file.read_text())
