"""A generated month of data.police.uk exports for many forces, mapped and validated in one process, on one
Dask worker and on two (a LocalCluster of worker processes, started before the clock), with the same
output checked; and a paper estimate of 15 years of national data on a cluster, from the throughput
measured per worker: the seconds the workers spent computing tasks (Dask's task stream) and the CPU
seconds of the client's process (the client and the LocalCluster's scheduler), which every row passes
through and which no number of workers shares.

    python benchmarks/dask_benchmark.py --forces 44 --street 11000 --searches 1300 --outcomes 11000

The national month is about 44 forces, each a street, a stop-and-search and an outcomes file: ~500k street
crimes, ~50k stop-and-searches and about as many outcomes as street crimes (data.police.uk's archive):
``--street 11000 --searches 1300 --outcomes 11000`` a force is a real-size month; give fewer forces or rows
on a busy machine (the estimate scales by rows).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import re
import time
from pathlib import Path

from dask.distributed import Client, LocalCluster, get_task_stream

from policeonto.mapping import map_files
from policeonto.scale.executor import Executor
from policeonto.validation import validate

_WHEN = re.compile(rb"/run/[0-9]{8}T[0-9]{6}Z-|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\+00:00")
NATIONAL_MONTH_ROWS = 1_000_000  # the order of magnitude: every force, three formats
MONTHS = 15 * 12


def _generator():
    spec = importlib.util.spec_from_file_location("policeonto_generate", Path(__file__).with_name("generate.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def month(folder: Path, forces: int, street: int, searches: int, outcomes: int) -> list[Path]:
    """Each force's street, stop-and-search and outcomes files of one month (seeded: the same bytes each
    time)."""
    generate, files = _generator().generate, []
    folder.mkdir(parents=True, exist_ok=True)
    kinds = (("street", street), ("stop-and-search", searches), ("outcomes", outcomes))
    for force in range(forces):
        for number, (kind, rows) in enumerate(kinds):
            path = folder / f"2024-01-force{force:02d}-{kind}-{rows}.csv"
            if rows and not path.exists():
                generate(kind, rows, path, seed=1000 + force * 3 + number)
            if rows:
                files.append(path)
    return files


def _timed(files: list[Path], executor: Executor, what: str, folder: Path) -> tuple[float, float, object]:
    """The wall seconds of the run, the CPU seconds of this process (the client) in them, and what it made."""
    started, cpu = time.perf_counter(), time.process_time()
    if what == "map":
        written = folder / "national.nt"
        with written.open("wb") as out:
            result = map_files(files, out, executor=executor)
        taken, cpu = time.perf_counter() - started, time.process_time() - cpu
        digest = hashlib.sha256()  # the bytes but for the run's start time, without holding gigabytes
        with written.open("rb") as lines:
            for line in lines:
                digest.update(_WHEN.sub(b"", line))
        written.unlink()
        return taken, cpu, (digest.hexdigest(), result.rows_read, result.rows_rejected)
    report = validate(files, executor=executor)
    taken, cpu = time.perf_counter() - started, time.process_time() - cpu
    return taken, cpu, ([f.as_dict() for f in report.findings], report.rows, report.triples)


def _computing(stream: list[dict]) -> float:
    """The seconds the workers spent computing tasks, from Dask's task stream."""
    return sum(p["stop"] - p["start"] for task in stream for p in task["startstops"] if p["action"] == "compute")


def _estimate(what: str, per_worker: float, client_share: float, workers: int) -> None:
    """15 years of national months on *workers* workers: the workers' share divided among them, or the
    client's, which is not divided, whichever is longer (the two overlap, so this is a lower bound)."""
    total = NATIONAL_MONTH_ROWS * MONTHS
    computing, client = total / per_worker / workers, total * client_share
    bound = "the client's CPU" if client > computing else "the workers"
    print(
        f"  estimate, {what}: 15 years of national data ({total / 1e6:,.0f}M rows): a worker computes "
        f"{per_worker:,.0f} rows/s, so {workers} workers {_duration(computing)}; the client's process spends "
        f"{client_share * 1e6:,.0f} CPU s per million rows, {_duration(client)} in all; at least "
        f"{_duration(max(computing, client))}, bound by {bound} (one worker: {_duration(total / per_worker)})"
    )


def _duration(seconds: float) -> str:
    return f"{seconds / 60:,.0f} min" if seconds < 7200 else f"{seconds / 3600:,.1f} h"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forces", type=int, default=8)
    parser.add_argument("--street", type=int, default=5000)
    parser.add_argument("--searches", type=int, default=600)
    parser.add_argument("--outcomes", type=int, default=5000)
    parser.add_argument("--cluster-workers", type=int, default=100, help="workers of the cluster in the estimate")
    parser.add_argument("--what", default="map,validate", help="the commands to time, of map and validate")
    parser.add_argument("--out", type=Path, default=Path("/tmp/policeonto-national"))
    args = parser.parse_args()
    files = month(args.out, args.forces, args.street, args.searches, args.outcomes)
    rows = args.forces * (args.street + args.searches + args.outcomes)
    size = sum(p.stat().st_size for p in files) / 1e6
    load = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    print(f"{len(files)} files, {rows:,} rows ({size:.1f} MB); {load}", flush=True)
    for what in args.what.split(","):
        seconds, _, expected = _timed(files, Executor(), what, args.out)
        print(f"{what}: 1 process {seconds:.1f} s, {rows / seconds:,.0f} rows/s", flush=True)
        for workers in (1, 2):
            with (
                LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None) as cluster,
                Client(cluster) as watcher,
                get_task_stream(client=watcher) as stream,
            ):
                taken, client, got = _timed(files, Executor(scheduler=cluster.scheduler_address), what, args.out)
            assert got == expected, f"{what} on {workers} workers differs from one process"
            busy = _computing(stream.data)
            print(
                f"{what}: {workers} worker(s) {taken:.1f} s, {rows / taken:,.0f} rows/s, "
                f"{seconds / taken:.2f}x one process (same output); workers computing {busy:.1f} s, "
                f"client's process {client:.1f} s of CPU",
                flush=True,
            )
            print(f"  load average {os.getloadavg()[0]:.1f}", flush=True)
            if workers == 1:
                per_worker, client_share = rows / busy, client / rows
        _estimate(what, per_worker, client_share, args.cluster_workers)


if __name__ == "__main__":
    main()
