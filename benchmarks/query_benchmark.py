"""Benchmark: the example queries and the five-pattern query on one store, over each way of giving Oxigraph
its default graph, side by side with Jena ARQ and Jena TDB2 on the same data.

For each scale: generate the two forces' exports and map them (``store_benchmark``'s functions), load them
into a fresh embedded store as ``policeonto load`` does (one dataset graph, its entailments, the ontology),
and, with --replace, load the same file again over it (a replacement, written by a transaction). Then each
query runs three times (the first run is cold: the first time that query runs in the process) on:

- ``policeonto``: :meth:`EmbeddedStore.query` on the store opened read-only, as ``policeonto query`` runs
  it (the code under test; with --before SRC, also ``before``: the same with the code in SRC);
- ``union``: pyoxigraph with ``use_default_graph_as_union=True``;
- ``list``: pyoxigraph with the store's named graphs listed as the default graph;
- ``flat``: the same triples bulk-loaded into a fresh store's default graph (the ontology also kept in its
  named graph, so queries that name it answer the same);

and Jena on the flat file: ARQ ``sparql --data`` (parse and answer, in all, as a user running the query
once waits: the run's wall time less its two warm runs; and its own query time), and TDB2
(``tdb2.tdbloader`` once, then ``tdb2.tdbquery`` per query: its query time, cold and warm, without the
JVM's start). Every side must give the same number of rows. Each Oxigraph side runs in its own process.

With --folder DIR (one scale) the data, the store, the flat file and TDB2's database are kept in DIR and
reused by the next run; --before-queries OLD adds the side ``before``, the example queries in OLD (as they
were before a change) through ``policeonto``, and TDB2 on those of them that changed; --no-arq leaves ARQ
out (it parses the file on every run), --jena-only every Oxigraph side.

    .venv/bin/python benchmarks/query_benchmark.py --scales 20 200
    .venv/bin/python benchmarks/query_benchmark.py --folder /tmp/q10m --scales 200 --modes policeonto \
        --before-queries OLD --no-arq
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from store_benchmark import FIVE_PATTERNS, QUERIES, generate_and_map, timed  # noqa: E402
from validate_benchmark import jena_classpath  # noqa: E402

GRAPH = "https://w3id.org/policeonto/data/dataset/benchmark"
ONTOLOGY = "https://w3id.org/policeonto/graph/ontology"
MODES = ("policeonto", "union", "list", "flat")
_JENA_TIME = re.compile(r"^Time: ([0-9.]+) sec", re.MULTILINE)


def queries(folder: Path | None = None) -> dict[str, str]:
    """The five-pattern query and every example query, by name: the examples' own, or those in *folder*
    (the example queries as they were before a change)."""
    paths = QUERIES if folder is None else [folder / p.name for p in QUERIES]
    return {"five-patterns": FIVE_PATTERNS} | {p.stem: p.read_text(encoding="utf-8") for p in paths}


def three_runs(run: Callable[[str], int], text: str) -> list[float]:
    """Seconds of three runs of *text* (the first cold), and the rows of the last."""
    seconds = []
    for _ in range(3):
        started = time.perf_counter()
        rows = run(text)
        seconds.append(time.perf_counter() - started)
    return [*seconds, float(rows)]


def build_worker(data: Path, folder: Path, replace: bool) -> None:
    """Load *data* into a fresh embedded store as ``policeonto load`` does (and again over itself with
    *replace*); write the flat file: every triple in the default graph, the ontology also in its graph."""
    import pyoxigraph as ox

    from policeonto.store import EmbeddedStore
    from policeonto.store.reasoning import ensure_ontology, entailment_of

    with EmbeddedStore(folder / "store") as store:
        ensure_ontology(store)
        entail = entailment_of(store)
        started = time.perf_counter()
        triples = store.load(data, graph=GRAPH, syntax="nt", entail=entail)
        load = time.perf_counter() - started
        started = time.perf_counter()
        if replace:
            store.load(data, graph=GRAPH, syntax="nt", entail=entail)
        replaced = time.perf_counter() - started
        started = time.perf_counter()
    compacted = time.perf_counter() - started  # closing a loaded store compacts it
    raw = ox.Store.read_only(str(folder / "store"))
    ontology = ox.NamedNode(ONTOLOGY)
    flat = (ox.Quad(q.subject, q.predicate, q.object) for q in raw if isinstance(q.graph_name, ox.NamedNode))
    kept = raw.quads_for_pattern(None, None, None, ontology)
    with (folder / "flat.nq").open("wb") as handle:
        ox.serialize(flat, handle, ox.RdfFormat.N_QUADS)
        ox.serialize(kept, handle, ox.RdfFormat.N_QUADS)
    quads = sum(1 for _ in raw)
    del raw
    started = time.perf_counter()
    peer = ox.Store(str(folder / "flat"))
    peer.bulk_load(path=str(folder / "flat.nq"), format=ox.RdfFormat.N_QUADS)
    peer.flush()
    built = {"triples": triples, "quads": quads, "load": load, "replace": replaced if replace else None}
    print(json.dumps(built | {"compact": compacted}))


def query_worker(folder: Path, mode: str, texts: Path | None = None) -> None:
    """Time every query on the store in *folder* in one *mode* (see the module's docstring); the example
    queries in *texts* if given."""
    import pyoxigraph as ox

    from policeonto.store import EmbeddedStore

    def rows(found: object) -> int:
        return 1 if isinstance(found, ox.QueryBoolean) else sum(1 for _ in found)  # type: ignore[attr-defined]

    if mode in {"policeonto", "before"}:
        store = EmbeddedStore(folder / "store", read_only=True)
        run: Callable[[str], int] = lambda text: len(store.query(text).rows)  # noqa: E731
    else:
        raw = ox.Store.read_only(str(folder / ("flat" if mode == "flat" else "store")))
        graphs = [g for g in raw.named_graphs() if "/staging/" not in g.value]
        options: dict[str, object] = {
            "union": {"use_default_graph_as_union": True},
            "list": {"default_graph": graphs, "named_graphs": graphs},
            "flat": {},
        }[mode]
        run = lambda text: rows(raw.query(text, **options))  # noqa: E731
    print(json.dumps({name: three_runs(run, text) for name, text in queries(texts).items()}))


def jena_worker(folder: Path, classpath: str, *, arq: bool, texts: Path | None) -> dict[str, dict[str, list[float]]]:
    """Jena 4.5.0 on the flat file: ARQ (parse and answer in all, then its query time, cold and warm, in
    one JVM; left out unless *arq*) and TDB2 (loaded once, kept in *folder*; query time cold and warm, in
    one JVM per query), and with *texts*, TDB2 again on the queries of that folder that differ
    (``tdb2-before``)."""
    java = ["java", "-Xmx6g", "-cp", classpath]
    found: dict[str, dict[str, list[float]]] = {"arq": {}, "tdb2": {}, "tdb2-before": {}}
    if not (folder / "tdb2").exists():
        loaded = timed([*java, "tdb2.tdbloader", "--loc", str(folder / "tdb2"), str(folder / "flat.nq")])
        assert loaded is not None
        (folder / "tdb2-load.json").write_text(json.dumps({"seconds": [loaded[0]]}))
    found["tdb2-load"] = json.loads((folder / "tdb2-load.json").read_text())
    changed = {name: text for name, text in queries(texts).items() if texts and text != queries()[name]}
    runs = [("tdb2", queries()), *([("tdb2-before", changed)] if changed else [])]
    if arq:
        runs.insert(0, ("arq", queries()))
    with tempfile.TemporaryDirectory() as tmp:
        for side, texts_by_name in runs:
            for name, text in texts_by_name.items():
                path = Path(tmp) / f"{name}.rq"
                path.write_text(text, encoding="utf-8")
                common = ["--query", str(path), "--time", "--repeat", "3", "--results=TSV"]
                command = (
                    [*java, "arq.sparql", "--data", str(folder / "flat.nq"), *common]
                    if side == "arq"
                    else [*java, "tdb2.tdbquery", "--loc", str(folder / "tdb2"), *common]
                )
                started = time.perf_counter()
                run = subprocess.run(command, capture_output=True, text=True, check=False)
                wall = time.perf_counter() - started
                if run.returncode != 0:
                    raise SystemExit(f"Jena {side} failed on {name}:\n{run.stderr[-3000:]}")
                seconds = [float(t) for t in _JENA_TIME.findall(run.stderr)][:3]
                rows = (len(run.stdout.splitlines()) - 3) / 3  # three header lines, three runs
                # in all, as a user running the query once waits: the JVM, the parse, the cold run
                found[side][name] = [*seconds, rows, wall - sum(seconds[1:])]
    return {side: runs for side, runs in found.items() if runs}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def report(scale: float, built: dict, sides: dict[str, dict], jena: dict | None) -> None:
    """Print one scale's table: rows, then cold / warm milliseconds for each side."""
    print(f"\n== scale {scale:g}: {built['triples']:,} triples loaded, {built['quads']:,} quads in the store "
          f"(load {built['load']:.1f} s, compacted on closing in {built.get('compact', 0):.1f} s"
          + (f", replaced in {built['replace']:.1f} s" if built["replace"] else "")
          + ")")  # fmt: skip
    if jena is not None:
        print(f"Jena TDB2 load of the flat file: {jena['tdb2-load']['seconds'][0]:.1f} s")
    header = f"{'query':30} {'rows':>6}" + "".join(f" {mode + ' cold/warm ms':>24}" for mode in sides)
    if jena is not None and "arq" in jena:
        header += f" {'ARQ in all s':>12} {'ARQ cold/warm ms':>18}"
    for side in ("tdb2-before", "tdb2"):
        if jena is not None and side in jena:
            header += f" {side.upper().replace('-BEFORE', ' before') + ' cold/warm ms':>24}"
    print(header)
    for name in queries():
        counts = {mode: int(found[name][3]) for mode, found in sides.items()}
        counts |= {side: int(found[name][3]) for side, found in (jena or {}).items() if name in found}
        line = f"{name:30} {max(counts.values()):>6}"
        for found in sides.values():
            runs = found[name]
            line += f" {ms(runs[0]) + ' / ' + ms(statistics.median(runs[1:3])):>24}"
        if jena is not None and "arq" in jena:
            arq = jena["arq"][name]
            line += f" {arq[4]:>12.1f} {ms(arq[0]) + ' / ' + ms(statistics.median(arq[1:3])):>18}"
        for side in ("tdb2-before", "tdb2"):
            if jena is not None and side in jena:
                if name not in jena[side]:  # the query did not change
                    line += f" {'(same query)':>24}"
                    continue
                tdb2 = jena[side][name]
                line += f" {ms(tdb2[0]) + ' / ' + ms(statistics.median(tdb2[1:3])):>24}"
        print(line + ("" if len(set(counts.values())) == 1 else f"  ROWS DIFFER: {counts}"))


def measure(scale: float, folder: Path, args: argparse.Namespace) -> tuple[dict, dict[str, dict], dict | None]:
    """Generate, map and load the data at *scale* in *folder* (what a kept folder already holds is reused),
    and time the queries on every side."""
    me = [sys.executable, str(Path(__file__).resolve())]
    data = folder / "forces.nt"
    if not data.exists():
        generate_and_map(scale, folder)
    if not (folder / "built.json").exists():
        built = timed([*me, "--build-worker", str(data), str(folder), *(["--replace"] * args.replace)])
        assert built is not None
        (folder / "built.json").write_text(built[2])
    sides = {}
    before = args.before is not None or args.before_queries is not None
    for mode in [] if args.jena_only else [*(["before"] if before else []), *args.modes]:
        env = ["env", f"PYTHONPATH={args.before.resolve()}"] if mode == "before" and args.before else []
        texts = [str(args.before_queries)] if mode == "before" and args.before_queries else []
        print(f"{time.strftime('%H:%M:%S')} {mode}: load average {Path('/proc/loadavg').read_text().strip()}")
        run = timed([*env, *me, "--query-worker", str(folder), mode, *texts])
        assert run is not None
        sides[mode] = json.loads(run[2])
    classpath = None if args.no_jena else jena_classpath(folder)
    if classpath is None and not args.no_jena:
        print("Jena: not installed (Debian's libapache-jena-java)")
    print(f"{time.strftime('%H:%M:%S')} Jena: load average {Path('/proc/loadavg').read_text().strip()}")
    jena = jena_worker(folder, classpath, arq=not args.no_arq, texts=args.before_queries) if classpath else None
    if args.folder:  # kept with the data, as the report is printed from it
        (folder / "jena.json").write_text(json.dumps(jena))
    print(f"{time.strftime('%H:%M:%S')} done: load average {Path('/proc/loadavg').read_text().strip()}")
    return json.loads((folder / "built.json").read_text()), sides, jena


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[20.0, 200.0])
    parser.add_argument("--replace", action="store_true", help="load the file again over the graph first")
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--no-jena", action="store_true")
    parser.add_argument("--no-arq", action="store_true", help="Jena TDB2 only (ARQ parses the file on every run)")
    parser.add_argument("--jena-only", action="store_true", help="no Oxigraph side (on a kept --folder)")
    parser.add_argument("--before", type=Path, help="the src folder of the code before a change: a side 'before'")
    parser.add_argument("--before-queries", type=Path, help="a folder of the example queries before a change")
    parser.add_argument("--folder", type=Path, help="work in this folder (one scale) and keep it, reusing its data")
    parser.add_argument("--build-worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--query-worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_worker:
        return build_worker(*args.build_worker, replace=args.replace)
    if args.query_worker:
        texts = Path(args.query_worker[2]) if len(args.query_worker) > 2 else None
        return query_worker(Path(args.query_worker[0]), args.query_worker[1], texts)
    if args.folder:
        args.folder.mkdir(parents=True, exist_ok=True)
        report(args.scales[0], *measure(args.scales[0], args.folder, args))
        return None
    for scale in args.scales:
        with tempfile.TemporaryDirectory(prefix="policeonto-query-bench-", dir=os.environ.get("BENCH_TMP")) as tmp:
            report(scale, *measure(scale, Path(tmp), args))
    return None


if __name__ == "__main__":
    main()
