"""Benchmark: ``policeonto load``'s rate against pyoxigraph's ``bulk_load`` on the same triples, made robust on
a shared machine by alternation and repetition.

Generate a data.police.uk street export of ROWS rows (seeded) and map it once, the way ``policeonto load``
does (each dataset to a file of its own, with what the mapping pipeline writes beside it). Then, ROUNDS times,
in this order and each in a fresh process with a fresh store: pyoxigraph's ``bulk_load`` of the dataset's
triples into a named graph (the peer); the same, then of what the pipeline wrote they entail into a graph of
its own ("peer+": the quads a load writes, where the code writes them in the pipeline); with --before SRC, the load as the code in SRC does it; the load as
the code under test does it. A load is what ``policeonto load`` runs for one dataset once the ontology is in
the store: its ``_Publisher`` given the file. Every run is reported, then the best (least) time of each side
and the ratio of the bests, the standard way to take the machine's noise out of a comparison.

Each load also reports its steps, timed by wrapping the store's methods: the bulk load of the file, the
entailments (for a store that reads them back, the read of the typed nodes and the write of what they entail,
split by reading them into a list first, in one extra run per side, after the rounds) and the final count.
Its bulk load is the peer's work, timed seconds apart in the same process, so the share of the load it takes
is a second estimate of the ratio, one a change of the machine's load between runs hardly moves.

    .venv/bin/python benchmarks/load_rate_benchmark.py 100000 --rounds 3 --before /tmp/main-src
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
GRAPH = "https://w3id.org/policeonto/data/dataset/benchmark"


def wrap(owner: object, name: str, spent: dict[str, float], step: str) -> None:
    """Add the seconds each call of *owner*.*name* takes to ``spent[step]``; nothing if it has no *name*."""
    real = getattr(owner, name, None)
    if real is None:
        return
    spent.setdefault(step, 0.0)

    def timed_call(*args: object, **kwargs: object) -> object:
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent[step] += time.perf_counter() - started

    setattr(owner, name, timed_call)


def split_entailment_read(spent: dict[str, float]) -> None:
    """Time the read of what the loaded graph entails on its own: the store's generator read into a list."""
    from policeonto.store import embedded

    real = getattr(embedded, "entailed_quads", None)
    if real is None:
        return
    spent.setdefault("entailment read", 0.0)

    def read_all(*args: object, **kwargs: object) -> list[object]:
        started = time.perf_counter()
        found = list(real(*args, **kwargs))
        spent["entailment read"] += time.perf_counter() - started
        return found

    embedded.entailed_quads = read_all  # type: ignore[assignment]


def peer_worker(data: Path, folder: Path, *, entailed: bool = False) -> None:
    """pyoxigraph's bulk loader: the dataset's triples into a named graph of a fresh store, flushed; with
    *entailed*, then what the mapping pipeline wrote they entail into a graph of its own, so that the store
    holds the quads a load writes."""
    import pyoxigraph as ox

    store = ox.Store(str(folder))
    started = time.perf_counter()
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH))
    if entailed:
        beside = data.with_suffix(".entailed.nt")
        store.bulk_load(path=str(beside), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(f"{GRAPH}/entailed"))
    store.flush()
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds}))


def load_worker(data: Path, folder: Path, *, split: bool) -> None:
    """``policeonto load``'s load of one dataset file into a fresh store holding the ontology: its steps."""
    from policeonto.store import EmbeddedStore
    from policeonto.store.jobs import _Publisher
    from policeonto.store.reasoning import ensure_ontology, entailment_of

    spent: dict[str, float] = {}
    wrap(EmbeddedStore, "_bulk_load", spent, "bulk load")
    wrap(EmbeddedStore, "_entail", spent, "entailments")
    wrap(EmbeddedStore, "_count", spent, "count")
    if split:
        split_entailment_read(spent)
    store = EmbeddedStore(folder)
    ensure_ontology(store)
    publish = _Publisher(store, kept=set(), entail=entailment_of(store))
    entailed = data.with_suffix(".entailed.nt")  # written by the mapping pipeline, where it writes one
    if entailed.is_file():
        publish.mapped_with = publish.entail
    spent.update(dict.fromkeys(spent, 0.0))
    started = time.perf_counter()
    triples, _ = publish(data, GRAPH, "nt", *([entailed] * entailed.is_file()))
    seconds = time.perf_counter() - started
    quads = int(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").values("n").pop())
    again = time.perf_counter()
    store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
    counted = time.perf_counter() - again
    store.close()
    print(json.dumps({"seconds": seconds, "triples": triples, "quads": quads, "steps": spent, "count again": counted}))


def map_worker(export: Path, folder: Path) -> None:
    """Map *export* as ``policeonto load`` does, each dataset written to a file of its own in *folder* (with
    what it entails beside it, where the code writes that in the pipeline)."""
    from policeonto.mapping import MapOptions
    from policeonto.scale.executor import Executor
    from policeonto.store import EmbeddedStore, reasoning
    from policeonto.store.jobs import _mapped_into

    started = time.perf_counter()
    tables = ()
    if hasattr(reasoning, "ontology_entailment"):
        with EmbeddedStore() as memory:
            tables = (reasoning.ontology_entailment(memory),)
    read = time.perf_counter() - started
    _mapped_into(folder, [export], (None, None), False, MapOptions(), Executor(), *tables)
    seconds = time.perf_counter() - started
    print(json.dumps({"files": sorted(p.name for p in folder.iterdir()), "seconds": seconds, "tables": read}))


def run_json(command: list[str], env: dict[str, str] | None = None) -> dict[str, object]:
    """Run a worker; what it printed last, as JSON."""
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{command[2:4]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def loadavg() -> str:
    return Path("/proc/loadavg").read_text(encoding="ascii").split(" ", 3)[:3].__str__()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="?", default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, help="the src folder of the code before a change: a side 'before'")
    parser.add_argument("--peer-worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--load-worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--split", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--entailed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--map-worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peer_worker:
        return peer_worker(*args.peer_worker, entailed=args.entailed)
    if args.load_worker:
        return load_worker(*args.load_worker, split=args.split)
    if args.map_worker:
        return map_worker(*args.map_worker)
    me = [sys.executable, str(Path(__file__).resolve())]
    src = Path(os.environ.get("PYTHONPATH", str(HERE.parent / "src")).split(os.pathsep)[0]).resolve()
    sides: dict[str, Path] = {"before": args.before.resolve()} if args.before else {}
    sides["after"] = src
    with tempfile.TemporaryDirectory(prefix="policeonto-loadrate-", dir=os.environ.get("BENCH_TMP")) as tmp:
        folder = Path(tmp)
        export = folder / "2024-01-kent-street.csv"
        subprocess.run([sys.executable, str(HERE / "generate.py"), "street", str(args.rows), str(export)], check=True)
        mapped = {}
        for side, code in sides.items():  # each side maps with its own code: the same triples, and what it adds
            (folder / side).mkdir()
            env = os.environ | {"PYTHONPATH": str(code)}
            done = run_json([*me, "--map-worker", str(export), str(folder / side)], env=env)
            mapped[side] = next(p for p in (folder / side).glob("*.nt") if p.suffixes == [".nt"])
            print(f"mapped ({side}): {done['seconds']:.1f} s, of which the ontology's tables {done['tables']:.1f} s; "
                  f"{', '.join(done['files'])} (load average {loadavg()})")  # type: ignore[arg-type]  # fmt: skip
        data = mapped["after"]
        print(f"street export, {args.rows:,} rows: {data.stat().st_size / 1e6:,.0f} MB of N-Triples; load average "
              f"{loadavg()}")  # fmt: skip
        # "peer+": the peer also given what the pipeline wrote the triples entail: the quads a load writes
        peers = ["peer", "peer+"] if data.with_suffix(".entailed.nt").is_file() else ["peer"]
        results: dict[str, list[dict[str, object]]] = {**{p: [] for p in peers}, **{side: [] for side in sides}}

        def one(side: str, split: bool = False) -> dict[str, object]:
            store = folder / "store"
            if side in peers:
                found = run_json([*me, "--peer-worker", str(data), str(store), *(["--entailed"] * (side == "peer+"))])
            else:
                env = os.environ | {"PYTHONPATH": str(sides[side])}
                found = run_json([*me, "--load-worker", str(mapped[side]), str(store), *(["--split"] * split)], env=env)
            shutil.rmtree(store)
            found["loadavg"] = loadavg()
            return found

        for round_ in range(args.rounds):
            for side in results:
                found = one(side)
                results[side].append(found)
                print(f"round {round_ + 1} {side:6} {found['seconds']:7.2f} s {describe(found)}", flush=True)
        best = {side: min(float(r["seconds"]) for r in runs) for side, runs in results.items()}  # type: ignore[arg-type]
        triples = int(results["after"][0]["triples"])  # type: ignore[arg-type]
        for side, seconds in best.items():
            rate = f"{best['peer'] / seconds:.0%} of the peer's rate" if side != "peer" else "the peer"
            if "peer+" in best and side in sides:
                rate += f", {best['peer+'] / seconds:.0%} of the peer's given the entailed triples too"
            print(f"best {side:6} {seconds:7.2f} s ({triples / seconds:,.0f} triples/s): {rate}")
        for side in sides:
            found = one(side, split=True)
            print(f"steps {side:6} {found['seconds']:7.2f} s {describe(found)}")
    return None


def describe(found: dict[str, object]) -> str:
    """A run's steps, triples and quads, and the load average after it."""
    steps: Callable[[], str] = lambda: ", ".join(f"{k} {v:.2f} s" for k, v in found["steps"].items())  # type: ignore[union-attr]  # noqa: E731
    if "steps" not in found:
        return f"(load average {found['loadavg']})"
    share = found["steps"]["bulk load"] / found["seconds"]  # type: ignore[index,operator]
    return (f"[{steps()}; count again {found['count again']:.2f} s; the bulk load {share:.0%} of the load] "
            f"{found['triples']:,} triples, {found['quads']:,} quads in the store "
            f"(load average {found['loadavg']})")  # fmt: skip


if __name__ == "__main__":
    main()
