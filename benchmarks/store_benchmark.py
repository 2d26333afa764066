"""Benchmark: load the two forces' generated exports into the embedded Oxigraph store and time every
example query, side by side with the same quads in rdflib's in-memory Dataset where that fits.

For each scale: generate the exports (seeded), map them to N-Triples, load them into a fresh embedded store
(bulk load, entailments, one named graph), run each query in examples/queries three times (the first run
is cold), then dump the store as N-Quads and, up to --rdflib-max triples, load those into rdflib and run
the same queries. Each side runs in its own process, timed for wall time and peak RSS.

    .venv/bin/python benchmarks/store_benchmark.py --scales 20 200
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
QUERIES = sorted((ROOT / "examples" / "queries").glob("*.rq"))
BIN = Path(sys.executable).parent


def timed(command: list[str], timeout: float | None = None) -> tuple[float, int, str] | None:
    """Wall seconds, peak RSS (MB) and stdout of a command; None if it ran out of time."""
    try:
        run = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", *command], capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return None
    if run.returncode != 0:
        raise SystemExit(f"{command[:3]} failed:\n{run.stderr[-3000:]}")
    seconds, kilobytes = run.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kilobytes) // 1024, run.stdout


def run_queries(query: object) -> dict[str, list[float]]:
    """Each example query three times: seconds per run, and the number of rows."""
    found: dict[str, list[float]] = {}
    for path in QUERIES:
        text = path.read_text(encoding="utf-8")
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            rows = query(text)  # type: ignore[operator]
            runs.append(time.perf_counter() - started)
        found[path.name] = [*runs, float(rows)]
    return found


def oxigraph_worker(data: Path, folder: Path) -> None:
    """Load *data* into a fresh embedded store in *folder*, time the queries, dump the store as N-Quads."""
    import pyoxigraph as ox

    from policeonto.store import EmbeddedStore
    from policeonto.store.reasoning import ensure_ontology, entailment_update

    store = EmbeddedStore(folder / "store")
    started = time.perf_counter()
    ensure_ontology(store)
    ontology = time.perf_counter() - started
    graph = "https://w3id.org/policeonto/data/dataset/benchmark"
    started = time.perf_counter()
    triples = store.load(data, graph=graph, syntax="nt", update=entailment_update(graph))
    load = time.perf_counter() - started
    queries = run_queries(lambda text: len(store.query(text).rows))
    total = int(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").values("n").pop())
    with (folder / "dump.nq").open("wb") as handle:
        store._store.dump(handle, ox.RdfFormat.N_QUADS)
    store.close()
    print(json.dumps({"ontology": ontology, "load": load, "triples": triples, "quads": total, "queries": queries}))


def rdflib_worker(dump: Path) -> None:
    """Load the N-Quads dump into rdflib's in-memory Dataset (union default graph) and time the queries."""
    from rdflib import Dataset

    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(dump, format="nquads")
    load = time.perf_counter() - started
    queries = run_queries(lambda text: len(list(dataset.query(text))))
    print(json.dumps({"load": load, "quads": len(dataset), "queries": queries}))


def generate_and_map(scale: float, folder: Path) -> tuple[Path, float, float]:
    """Generate the exports at *scale* and map them to N-Triples: the file, generate and map seconds."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "generate_forces.py"), "--scale", str(scale), "--out", str(folder)],
        check=True,
        capture_output=True,
    )
    generated = time.perf_counter() - started
    data = folder / "forces.nt"
    inputs = [*sorted((folder / "force-a").glob("*.csv")), folder / "force-b" / "export.json"]
    started = time.perf_counter()
    run = subprocess.run([str(BIN / "policeonto"), "map", *map(str, inputs), "-o", str(data)], capture_output=True)
    if run.returncode not in {0, 1}:  # 1: the planted faults were found and their rows rejected
        raise SystemExit(f"policeonto map failed:\n{run.stderr.decode()[-3000:]}")
    return data, generated, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[20.0, 200.0])
    parser.add_argument("--rdflib-max", type=int, default=1_500_000, help="largest store rdflib is given (quads)")
    parser.add_argument("--rdflib-timeout", type=float, default=3600.0)
    parser.add_argument("--oxigraph-worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--rdflib-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.oxigraph_worker:
        return oxigraph_worker(*args.oxigraph_worker)
    if args.rdflib_worker:
        return rdflib_worker(args.rdflib_worker)
    me = [sys.executable, str(Path(__file__).resolve())]
    for scale in args.scales:
        with tempfile.TemporaryDirectory(prefix="policeonto-store-bench-", dir=os.environ.get("BENCH_TMP")) as tmp:
            folder = Path(tmp)
            data, generated, mapped = generate_and_map(scale, folder)
            ox_run = timed([*me, "--oxigraph-worker", str(data), str(folder)])
            assert ox_run is not None
            _ox_seconds, ox_rss, out = ox_run
            ox = json.loads(out)
            print(f"\n== scale {scale:g}: {ox['triples']:,} triples mapped from the two forces "
                  f"(generated in {generated:.1f} s, mapped in {mapped:.1f} s); {ox['quads']:,} quads in the store "
                  f"with the ontology and entailments")  # fmt: skip
            print(f"Oxigraph (embedded, on disk): load {ox['load']:.1f} s "
                  f"({ox['triples'] / ox['load']:,.0f} triples/s), ontology closure {ox['ontology']:.1f} s, "
                  f"process peak RSS {ox_rss:,} MB")  # fmt: skip
            rd = None
            if ox["quads"] <= args.rdflib_max:
                rd_run = timed([*me, "--rdflib-worker", str(folder / "dump.nq")], timeout=args.rdflib_timeout)
                if rd_run is None:
                    print(f"rdflib: did not finish within {args.rdflib_timeout:.0f} s")
                else:
                    _rd_seconds, rd_rss, out = rd_run
                    rd = json.loads(out)
                    print(f"rdflib Dataset (in memory): load {rd['load']:.1f} s "
                          f"({rd['quads'] / rd['load']:,.0f} quads/s; {rd['load'] / ox['load']:.1f}x Oxigraph), "
                          f"process peak RSS {rd_rss:,} MB")  # fmt: skip
            else:
                print(f"rdflib: not run ({ox['quads']:,} quads is over --rdflib-max {args.rdflib_max:,})")
            print(
                f"{'query':34} {'rows':>6} {'Oxigraph cold':>14} {'warm median':>12} {'rdflib warm':>12} {'ratio':>7}"
            )
            for name, runs in ox["queries"].items():
                warm = statistics.median(runs[1:3])
                line = f"{name:34} {int(runs[3]):>6} {runs[0] * 1000:>11.1f} ms {warm * 1000:>9.1f} ms"
                if rd is not None:
                    other = rd["queries"][name]
                    assert int(other[3]) == int(runs[3]), f"{name}: rdflib found {other[3]}, Oxigraph {runs[3]}"
                    rd_warm = statistics.median(other[1:3])
                    line += f" {rd_warm * 1000:>9.1f} ms {rd_warm / warm:>6.0f}x"
                print(line)
    return None


if __name__ == "__main__":
    main()
