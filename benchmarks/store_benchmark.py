"""Benchmark: load the two forces' generated exports into the embedded Oxigraph store and time every
example query, side by side with the same quads in rdflib's in-memory Dataset where that fits.

For each scale: generate the exports (seeded), map them to N-Triples, bulk-load them with pyoxigraph into a
fresh store (the peer), load them into a fresh embedded store (bulk load, entailments, one named graph) and,
unless --no-before, as main did (entailments by a SPARQL update) into another; replace the graph with the
same file, and (before) the way main replaced it, staged and swapped in by a transactional MOVE, in another
store holding the same graph; run each query in examples/queries three times (the first run is cold), and
a five-pattern query through the union of the named graphs and on the same quads in the default graph; then
dump the store as N-Quads and, up to --rdflib-max triples, load those into rdflib and run the same queries;
and run each query with Jena ARQ (Debian's libapache-jena-java) over the store's triples, where installed.
Each side runs in its own process, timed for wall time and peak RSS.

    .venv/bin/python benchmarks/store_benchmark.py --scales 20 200
    .venv/bin/python benchmarks/store_benchmark.py --street 100000   # load and replace only, 1.8M triples
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

sys.path.insert(0, str(HERE))
from validate_benchmark import jena_classpath  # noqa: E402


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


FIVE_PATTERNS = """PREFIX pole: <https://w3id.org/policeonto/>
PREFIX role: <https://w3id.org/policeonto/code/involvement-role/>
SELECT ?involvement ?crime ?when ?place ?label WHERE {
  ?involvement pole:involvement_role role:suspect ; pole:event ?crime .
  ?crime pole:start_time ?when ; pole:occurred_at ?place .
  ?place pole:label ?label .
}"""


def switched_at(owner: type) -> list[float]:
    """The moments (``time.perf_counter``) each later replacement's pointer switch returns: the new graph is in
    place then, before the old version's deletion and the flush and count after it."""
    moments: list[float] = []
    real = getattr(owner, "_switch", None)
    if real is None:
        return moments

    def noted(*args: object, **kwargs: object) -> object:
        try:
            return real(*args, **kwargs)
        finally:
            moments.append(time.perf_counter())

    owner._switch = noted  # type: ignore[attr-defined]
    return moments


def timing(owner: type, name: str) -> list[float]:
    """The seconds each later call of method *name* of *owner* takes (the method wrapped to time it)."""
    spent: list[float] = []
    real = getattr(owner, name)

    def timed_call(*args: object, **kwargs: object) -> object:
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    setattr(owner, name, timed_call)
    return spent


def replace_as_on_main(folder: Path, data: Path, graph: str, entail: object) -> float:
    """Seconds main took to replace *graph* of a store holding it (with its entailments) with *data*: bulk-loaded
    under a staging name with its entailments under another, then swapped in by one SPARQL ``MOVE`` of each,
    which Oxigraph runs as one transaction, one quad at a time."""
    import pyoxigraph as ox

    from policeonto.store.entailment import entailed_quads

    store = ox.Store(str(folder))

    def stage(name: str) -> None:
        store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
        entailed = ox.NamedNode(f"{name}/entailed")
        store.bulk_extend(entailed_quads(store, ox.NamedNode(name), entailed, entail))  # type: ignore[arg-type]

    stage(graph)  # what was there
    store.flush()
    started = time.perf_counter()
    staged = "https://w3id.org/policeonto/graph/staging/benchmark"
    stage(staged)
    moves = (f"MOVE SILENT GRAPH <{staged}{end}> TO GRAPH <{graph}{end}>" for end in ("/entailed", ""))
    store.update(" ;\n".join(moves))
    store.flush()
    return time.perf_counter() - started


def oxigraph_worker(data: Path, folder: Path, before: bool, load_only: bool = False) -> None:
    """Load *data* into a fresh embedded store in *folder* (and, with *before*, the way main did, with the
    entailments written by a SPARQL update, into another), beside pyoxigraph's bulk loader on the same
    triples; replace the graph with the same file; time the queries, the five-pattern query through the
    union of the named graphs and on the same quads in the default graph; dump the store as N-Quads (for
    rdflib) and N-Triples (for Jena)."""
    import pyoxigraph as ox

    from policeonto.store import EmbeddedStore
    from policeonto.store.reasoning import ensure_ontology, entailment_of

    graph = "https://w3id.org/policeonto/data/dataset/benchmark"
    peer = ox.Store(str(folder / "peer"))
    started = time.perf_counter()
    peer.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
    peer.flush()
    bulk = time.perf_counter() - started
    del peer
    store = EmbeddedStore(folder / "store")
    started = time.perf_counter()
    ensure_ontology(store)
    ontology = time.perf_counter() - started
    entail = entailment_of(store)
    started = time.perf_counter()
    triples = store.load(data, graph=graph, syntax="nt", entail=entail)
    load = time.perf_counter() - started
    old = None
    if before:
        with EmbeddedStore(folder / "before") as main_store:
            ensure_ontology(main_store)
            started = time.perf_counter()
            main_store.load(data, graph=graph, syntax="nt", update=entailment_of(main_store).update(graph))
            old = time.perf_counter() - started
    dropping = timing(EmbeddedStore, "_drop")  # the old version's deletion, after the switch
    switches = switched_at(EmbeddedStore)
    started = time.perf_counter()
    store.load(data, graph=graph, syntax="nt", entail=entail)
    replace = time.perf_counter() - started
    moved = replace_as_on_main(folder / "moved", data, graph, entail) if before else None
    timings = {"ontology": ontology, "bulk": bulk, "load": load, "before": old, "replace": replace, "moved": moved}
    timings["dropped"] = sum(dropping)
    timings["switched"] = switches[-1] - started if switches else replace - sum(dropping)
    if load_only:
        print(json.dumps(timings | {"triples": triples}))
        return
    queries = run_queries(lambda text: len(store.query(text).rows))
    union = run_one(lambda: len(store.query(FIVE_PATTERNS).rows))
    total = int(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").values("n").pop())
    with (folder / "dump.nq").open("wb") as handle:
        store._store.dump(handle, ox.RdfFormat.N_QUADS)
    with (folder / "dump.nt").open("wb") as handle:
        ox.serialize((q.triple for q in store._store), handle, ox.RdfFormat.N_TRIPLES)
    store.close()
    flat = ox.Store(str(folder / "flat"))  # the same quads, every one in the default graph
    flat.bulk_load(path=str(folder / "dump.nt"), format=ox.RdfFormat.N_TRIPLES)
    default = run_one(lambda: len(list(flat.query(FIVE_PATTERNS))))
    print(
        json.dumps(
            timings | {"triples": triples, "quads": total, "queries": queries, "union": union, "default": default}
        )
    )


def run_one(query: object) -> list[float]:
    """One query three times: seconds per run, and the number of rows."""
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        rows = query()  # type: ignore[operator]
        runs.append(time.perf_counter() - started)
    return [*runs, float(rows)]


def jena_worker(dump: Path, classpath: str) -> dict[str, list[float]]:
    """Jena ARQ (Debian's libapache-jena-java) on the store's triples: for each query, the seconds to parse
    the file and answer, in all, as a user running ``sparql --data`` waits, and the rows."""
    found: dict[str, list[float]] = {}
    named = [(p.name, p) for p in QUERIES]
    with tempfile.TemporaryDirectory() as tmp:
        five = Path(tmp) / "five-patterns.rq"
        five.write_text(FIVE_PATTERNS, encoding="utf-8")
        for name, path in [*named, ("five-patterns", five)]:
            command = ["java", "-Xmx8g", "-cp", classpath, "arq.sparql", "--data", str(dump), "--query", str(path)]
            run = timed([*command, "--results=TSV"])
            assert run is not None
            seconds, _rss, out = run
            found[name] = [seconds, float(max(0, len(out.splitlines()) - 1))]
    return found


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


def print_replacements(ox: dict[str, float]) -> None:
    print(f"replace the graph (same file again): {ox['replace']:.1f} s, {ox['replace'] / ox['load']:.2f}x the load")
    switched = ox.get("switched", ox["replace"] - ox["dropped"])
    print(f"  in place (bulk-loaded and switched to) after {switched:.1f} s, {switched / ox['load']:.2f}x the load; "
          f"then the old version deleted in {ox['dropped']:.1f} s, then the store flushed and counted")  # fmt: skip
    if ox["moved"] is not None:
        print(f"replace as on main (staged, one transactional MOVE): {ox['moved']:.1f} s, "
              f"{ox['moved'] / ox['load']:.2f}x the load, "
              f"{ox['moved'] / ox['replace']:.1f}x this replacement")  # fmt: skip


def street(me: list[str], rows: int, *, before: bool) -> None:
    """Generate and map a data.police.uk street export of *rows* rows, then time the bulk loader (the peer),
    `load`, and replacing the graph this way and as main did, in one run."""
    with tempfile.TemporaryDirectory(prefix="policeonto-store-bench-", dir=os.environ.get("BENCH_TMP")) as tmp:
        folder = Path(tmp)
        export, data = folder / "2024-01-kent-street.csv", folder / "street.nt"
        subprocess.run([sys.executable, str(HERE / "generate.py"), "street", str(rows), str(export)], check=True)
        subprocess.run([str(BIN / "policeonto"), "map", str(export), "-o", str(data)], check=True, capture_output=True)
        run = timed(
            [*me, "--oxigraph-worker", str(data), str(folder), "--load-only", *(["--no-before"] * (not before))]
        )
        assert run is not None
        ox = json.loads(run[2])
        print(f"\n== street export, {rows:,} rows: {ox['triples']:,} triples")
        print(f"pyoxigraph bulk_load (peer): {ox['bulk']:.1f} s ({ox['triples'] / ox['bulk']:,.0f} triples/s)")
        print(f"policeonto load: {ox['load']:.1f} s ({ox['triples'] / ox['load']:,.0f} triples/s, "
              f"{ox['bulk'] / ox['load']:.0%} of bulk_load's rate)")  # fmt: skip
        print_replacements(ox)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[20.0, 200.0])
    parser.add_argument("--rdflib-max", type=int, default=1_500_000, help="largest store rdflib is given (quads)")
    parser.add_argument("--rdflib-timeout", type=float, default=3600.0)
    parser.add_argument("--no-before", action="store_true", help="skip the load the way main did (SPARQL update)")
    parser.add_argument("--no-jena", action="store_true")
    parser.add_argument("--street", type=int, help="rows of a generated street export: load and replace it only")
    parser.add_argument("--oxigraph-worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rdflib-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.oxigraph_worker:
        return oxigraph_worker(*args.oxigraph_worker, before=not args.no_before, load_only=args.load_only)
    if args.rdflib_worker:
        return rdflib_worker(args.rdflib_worker)
    me = [sys.executable, str(Path(__file__).resolve())]
    if args.street:
        return street(me, args.street, before=not args.no_before)
    for scale in args.scales:
        with tempfile.TemporaryDirectory(prefix="policeonto-store-bench-", dir=os.environ.get("BENCH_TMP")) as tmp:
            folder = Path(tmp)
            data, generated, mapped = generate_and_map(scale, folder)
            ox_run = timed([*me, "--oxigraph-worker", str(data), str(folder), *(["--no-before"] * args.no_before)])
            assert ox_run is not None
            _ox_seconds, ox_rss, out = ox_run
            ox = json.loads(out)
            print(f"\n== scale {scale:g}: {ox['triples']:,} triples mapped from the two forces "
                  f"(generated in {generated:.1f} s, mapped in {mapped:.1f} s); {ox['quads']:,} quads in the store "
                  f"with the ontology and entailments")  # fmt: skip
            print(f"Oxigraph (embedded, on disk): load {ox['load']:.1f} s "
                  f"({ox['triples'] / ox['load']:,.0f} triples/s), ontology closure {ox['ontology']:.1f} s, "
                  f"process peak RSS {ox_rss:,} MB")  # fmt: skip
            print(f"pyoxigraph bulk_load of the same triples: {ox['bulk']:.1f} s "
                  f"({ox['triples'] / ox['bulk']:,.0f} triples/s); policeonto load at "
                  f"{ox['bulk'] / ox['load']:.0%} of its rate")  # fmt: skip
            if ox["before"] is not None:
                print(f"load as on main (entailments by SPARQL update): {ox['before']:.1f} s "
                      f"({ox['triples'] / ox['before']:,.0f} triples/s, "
                      f"{ox['bulk'] / ox['before']:.0%} of bulk_load)")  # fmt: skip
            print_replacements(ox)
            for label, runs in (("union of named graphs", ox["union"]), ("same quads, default graph", ox["default"])):
                print(f"five-pattern query, {label}: {int(runs[3]):,} rows, cold {runs[0] * 1000:,.0f} ms, "
                      f"warm {statistics.median(runs[1:3]) * 1000:,.0f} ms")  # fmt: skip
            classpath = None if args.no_jena else jena_classpath(folder)
            jena = jena_worker(folder / "dump.nt", classpath) if classpath else None
            if jena is None and not args.no_jena:
                print("Jena ARQ: not installed (Debian's libapache-jena-java)")
            if jena is not None:
                print("Jena ARQ 4.5.0, five-pattern query (parse and answer, in all): "
                      f"{jena['five-patterns'][0]:.1f} s, "
                      f"{int(jena['five-patterns'][1]):,} rows")  # fmt: skip
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
                if jena is not None:
                    line += f"  Jena ARQ in all {jena[name][0]:.1f} s ({int(jena[name][1])} rows)"
                print(line)
    return None


if __name__ == "__main__":
    main()
