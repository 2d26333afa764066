"""Runs beyond one process: an :class:`Executor` says where a command's work runs (this process, a local
Dask cluster of worker processes, or a running Dask scheduler), and :func:`dask_client` gives a client for
it. ``map`` and ``validate`` run their files as tasks on it (:mod:`policeonto.scale.mapping`)."""

from policeonto.scale.executor import Executor, dask_client, public_address

__all__ = ["Executor", "dask_client", "public_address"]
