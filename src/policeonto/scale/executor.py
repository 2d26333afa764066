"""Where a run's work goes: this process (the default), a local Dask cluster of worker processes, or a
running Dask scheduler. The choice is a plain value passed down to the library functions that take it, never
a global, so that ``load``, ``share`` and ``assess`` can take it as ``map`` and ``validate`` do.

>>> Executor().local, Executor(workers=2).local
(True, False)
>>> public_address("tcp://user:secret@scheduler.example:8786")
'tcp://scheduler.example:8786'
"""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from policeonto.errors import ClusterError, OptionError
from policeonto.quiet import quieted

if TYPE_CHECKING:
    from dask.distributed import Client

__all__ = ["Executor", "dask_client", "public_address"]

_CREDENTIALS = re.compile(r"(?<=://)[^/@]*@")
_HOST_PORT = re.compile(r"^(?:[a-z]+://)?(?:[^/@]*@)?(\[[^\]]+\]|[^:/]+)(?::([0-9]+))?/?$")
_DEFAULT_PORT = 8786


def public_address(address: str) -> str:
    """*address* without the user name and password it may carry, fit for a message."""
    return _CREDENTIALS.sub("", address)


@dataclass(frozen=True)
class Executor:
    """Where a run's tasks run: *workers* worker processes of a Dask cluster started for the run (one thread
    each), or the running scheduler at *scheduler*; neither is this process, as it always was. On a cluster,
    a CSV file of more than *chunk_rows* rows is mapped in chunks of about as many rows, each a task.

    Raises:
        OptionError: both are given, *workers* is under 1, or *chunk_rows* is.
    """

    workers: int | None = None
    scheduler: str | None = None
    connect_seconds: float = 10.0
    chunk_rows: int = 250_000

    def __post_init__(self) -> None:
        if self.workers is not None and self.scheduler is not None:
            raise OptionError("give --workers or --scheduler, not both", option="workers", value=self.workers)
        if self.workers is not None and self.workers < 1:
            raise OptionError("--workers needs at least 1 worker", option="workers", value=self.workers)
        if self.chunk_rows < 1:
            raise OptionError("--chunk-rows needs at least 1 row", option="chunk_rows", value=self.chunk_rows)

    @property
    def local(self) -> bool:
        """Whether the work runs in this process, without Dask."""
        return self.workers is None and self.scheduler is None


@contextmanager
def dask_client(executor: Executor) -> Iterator[Client]:
    """A Dask client for *executor* (not :attr:`Executor.local`): to a cluster of ``executor.workers``
    processes started now and stopped on leaving, or to the scheduler at ``executor.scheduler``.

    Raises:
        ClusterError: the scheduler cannot be reached within ``executor.connect_seconds``, or the cluster
            cannot be started.
    """
    from dask.distributed import Client, LocalCluster

    if executor.local:
        raise OptionError("a run in this process needs no Dask client", option="workers", value=None)
    if executor.scheduler is not None:
        address = public_address(executor.scheduler)
        _reachable(executor.scheduler, executor.connect_seconds)
        try:
            client = Client(executor.scheduler, timeout=f"{executor.connect_seconds}s", set_as_default=False)
        except (OSError, ValueError, TypeError) as exc:
            reason = "timed out" if "Timed out" in str(exc) else "it did not answer as a Dask scheduler"
            raise ClusterError(f"cannot reach the Dask scheduler: {reason}", address=address) from None
        with client:
            yield client
        return
    with quieted("distributed", "tornado"):
        try:
            cluster = LocalCluster(
                n_workers=executor.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        except (OSError, RuntimeError) as exc:
            raise ClusterError(f"cannot start {executor.workers} Dask workers: {exc}", address="local") from None
        with cluster, Client(cluster, set_as_default=False) as client:
            yield client


def _reachable(scheduler: str, seconds: float) -> None:
    """Refuse, with a clear error, a scheduler address that is malformed or at which nothing listens.

    Raises:
        ClusterError: *scheduler* is no ``[tcp://]host[:port]``, or no connection is made within *seconds*.
    """
    address = public_address(scheduler)
    found = _HOST_PORT.match(scheduler.strip())
    if found is None:
        raise ClusterError("no Dask scheduler address: give tcp://host:port", address=address)
    host, port = found.group(1).strip("[]"), int(found.group(2) or _DEFAULT_PORT)
    try:
        socket.create_connection((host, port), timeout=seconds).close()
    except TimeoutError:
        reason = f"no answer within {seconds:g} s"
        raise ClusterError(f"cannot reach the Dask scheduler: {reason}", address=address) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ClusterError(f"cannot reach the Dask scheduler: {reason}", address=address) from None
