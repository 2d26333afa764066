"""Benchmark: validate N generated stop-and-search rows against the shapes, from the CSV export and from
the same records as N-Triples, side by side with pySHACL and Apache Jena SHACL (Debian's
libapache-jena-java). Prints wall time, peak RSS, records per second and ratios; checks that every engine
finds the data valid. With ``--before FOLDER`` (a checkout of another revision, such as ``git archive main``
unpacked), the N-Triples are validated by that revision's code too, in the same run. With
``--other-syntaxes``, the N-Triples are also written as Turtle and as N-Quads and validated from each (by
the revision before too; Jena from the Turtle).

    .venv/bin/python benchmarks/validate_benchmark.py --sizes 10000 100000 1000000 --pyshacl-max 100000
    .venv/bin/python benchmarks/validate_benchmark.py --sizes 100000 --pyshacl-max 0 --before /tmp/main
    .venv/bin/python benchmarks/validate_benchmark.py --sizes 100000 --pyshacl-max 0 --other-syntaxes
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
SHAPES = ROOT / "shapes" / "policeonto.shacl.ttl"
JAVA = Path("/usr/share/java")
# Jena 4.5.0 and what it needs, as Debian packages them; one SLF4J binding (nop) so logging stays quiet.
JENA_JARS = [
    *(f"jena-{m}" for m in ("arq", "base", "cmds", "core", "iri", "rdfconnection", "shacl", "shex", "tdb", "tdb2")),
    *(f"jena-dboe-{m}" for m in ("base", "index", "storage", "trans-data", "transaction")),
    *("commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io", "commons-lang3"),
    *("dexx.collection", "gson", "guava", "httpclient", "httpcore", "jackson-annotations", "jackson-core"),
    *("jackson-databind", "jakarta.json-api", "jsonld-java", "protobuf", "thrift", "titanium-json-ld"),
    *("slf4j-api", "slf4j-nop"),
]

sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402


def timed(
    command: list[str], *, ok: tuple[int, ...] = (0,), out: Path | None = None, source: Path | None = None
) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of a command; its standard output goes to *out*; with *source*, the
    policeonto package is imported from that checkout's ``src``."""
    env = {**os.environ, "PYTHONPATH": str(source / "src")} if source is not None else None
    with out.open("wb") if out else open(os.devnull, "wb") as sink:
        run = subprocess.run(["/usr/bin/time", "-f", "%e %M", *command], stdout=sink, stderr=subprocess.PIPE, env=env)
    stderr = run.stderr.decode("utf-8", "replace")
    if run.returncode not in ok:
        raise SystemExit(f"{command[0]} failed ({run.returncode}):\n{stderr[-3000:]}")
    seconds, kilobytes = stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kilobytes) // 1024


def jena_classpath(folder: Path) -> str | None:
    """Jena's classpath, or None when it is not installed.

    Debian's jena-core 4.5.0 relocates Xerces to the package ``xerces`` but leaves its message files
    under ``org/apache/jena/ext/xerces``; Jena cannot start until they are where the classes look, so
    they are copied to a folder put first on the classpath.
    """
    jars = [JAVA / f"{name}.jar" for name in JENA_JARS]
    if not all(j.exists() for j in jars):
        return None
    fix = folder / "jena-xerces-messages"
    prefix = "org/apache/jena/ext/xerces/"
    with zipfile.ZipFile(JAVA / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith(prefix) and name.endswith(".properties"):
                target = fix / "xerces" / name.removeprefix(prefix)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return ":".join([str(fix), *map(str, jars)])


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 24), b""))


def other_syntaxes_of(triples: Path) -> tuple[Path, Path]:
    """The N-Triples file *triples* as Turtle (Oxigraph's writer: prefixes, each subject's triples together
    where they follow each other) and as N-Quads (every triple in one named graph), beside it."""
    import pyoxigraph as ox

    turtle, quads = triples.with_suffix(".ttl"), triples.with_suffix(".nq")
    prefixes = {"pole": "https://w3id.org/policeonto/", "xsd": "http://www.w3.org/2001/XMLSchema#"}
    ox.serialize(ox.parse(path=str(triples), format=ox.RdfFormat.N_TRIPLES), str(turtle), ox.RdfFormat.TURTLE,
                 prefixes=prefixes)  # fmt: skip
    with triples.open("rb") as lines, quads.open("wb") as out:
        for line in lines:
            out.write(line[: line.rindex(b" .")] + b" <https://example.org/graph/searches> .\n")
    return turtle, quads


def run_size(
    rows: int,
    folder: Path,
    *,
    pyshacl_max: int,
    jena_max: int,
    ntriples_max: int,
    classpath: str | None,
    before: Path | None = None,
    other_syntaxes: bool = False,
) -> list[tuple[str, float, int]]:
    here = folder / str(rows)
    here.mkdir()
    source = generate("stop-and-search", rows, here / "2024-01-kent-stop-and-search.csv", seed=1)
    triples = here / "records.nt"
    subprocess.run([str(BIN / "policeonto"), "map", str(source), "-o", str(triples), "-q"], check=True)
    print(f"\n{rows:,} searches: {count_lines(triples):,} triples", flush=True)
    results = []

    def record(name: str, seconds: float, rss: int) -> None:
        results.append((name, seconds, rss))
        print(f"  {name:<26} {seconds:8.2f} s {rss:7,} MB {rows / seconds:12,.0f} searches/s", flush=True)

    validate = [str(BIN / "policeonto"), "validate", "--format", "json"]
    inputs = [("policeonto fast, CSV", source)] + [("policeonto fast, N-Triples", triples)] * (rows <= ntriples_max)
    if other_syntaxes and rows <= ntriples_max:
        turtle, quads = other_syntaxes_of(triples)
        inputs += [("policeonto fast, Turtle", turtle), ("policeonto fast, N-Quads", quads)]
    for name, data in inputs:
        report = here / f"{data.suffix[1:]}.json"
        bound = ["--limit", "file-size=64G"] if data.suffix != ".csv" else []  # 1M searches: a 5 GB file
        record(name, *timed([*validate, *bound, str(data)], out=report))
        assert '"valid": true' in report.read_text(encoding="utf-8")[:200], f"{name}: not valid"
    if before is not None and rows <= ntriples_max:
        report = here / "before.json"
        command = [sys.executable, "-m", "policeonto", "validate", "--format", "json", "--limit", "file-size=64G"]
        for name, data in inputs[1:]:
            name = name.replace("policeonto fast", "policeonto before")
            record(name, *timed([*command, str(data)], out=report, source=before))
            assert '"valid": true' in report.read_text(encoding="utf-8")[:200], f"{name}: not valid"
    if classpath is not None and rows <= jena_max:
        out = here / "jena.ttl"
        jena = ["java", "-Xmx20g", "-cp", classpath, "shacl.shacl", "validate", "--shapes", str(SHAPES)]
        record("Jena SHACL 4.5.0, N-Triples", *timed([*jena, "--data", str(triples)], out=out))
        assert "sh:conforms  true" in out.read_text(encoding="utf-8"), "Jena: not conforming"
        if other_syntaxes and rows <= ntriples_max:
            record("Jena SHACL 4.5.0, Turtle", *timed([*jena, "--data", str(here / "records.ttl")], out=out))
            assert "sh:conforms  true" in out.read_text(encoding="utf-8"), "Jena: not conforming"
    if rows <= pyshacl_max:
        out = here / "pyshacl.txt"
        pyshacl = [str(BIN / "pyshacl"), "-s", str(SHAPES), "-df", "nt", str(triples)]
        record("pySHACL, N-Triples", *timed(pyshacl, out=out))
        assert "Conforms: True" in out.read_text(encoding="utf-8"), "pySHACL: not conforming"
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--pyshacl-max", type=int, default=100_000, help="largest size pySHACL is run on")
    parser.add_argument(
        "--jena-max", type=int, default=100_000, help="largest size Jena is run on (it needs ~10 GB at 100k)"
    )
    parser.add_argument("--ntriples-max", type=int, default=100_000, help="largest size validated from N-Triples")
    parser.add_argument("--no-jena", action="store_true")
    parser.add_argument("--before", type=Path, help="a checkout of another revision, also run on the N-Triples")
    parser.add_argument(
        "--other-syntaxes", action="store_true", help="also validate the N-Triples as Turtle and N-Quads (Jena: Turtle)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="policeonto-validate-bench-") as tmp:
        folder = Path(tmp)
        classpath = None if args.no_jena else jena_classpath(folder)
        if classpath is None and not args.no_jena:
            print("Jena is not installed (apt-get install libapache-jena-java): left out")
        table = {
            rows: run_size(
                rows,
                folder,
                pyshacl_max=args.pyshacl_max,
                jena_max=args.jena_max,
                ntriples_max=args.ntriples_max,
                classpath=classpath,
                before=args.before,
                other_syntaxes=args.other_syntaxes,
            )
            for rows in args.sizes
        }
    print("\nratios (wall time of the peer / policeonto fast on the same input)")
    for rows, results in table.items():
        times = {name: seconds for name, seconds, _ in results}
        fast_csv = times["policeonto fast, CSV"]
        fast_nt = times.get("policeonto fast, N-Triples", float("nan"))
        for peer in ("policeonto before, N-Triples", "Jena SHACL 4.5.0, N-Triples", "pySHACL, N-Triples"):
            if peer in times:
                print(
                    f"  {rows:>9,}  {peer:<28} {times[peer] / fast_nt:7.1f}x vs N-Triples"
                    f"  {times[peer] / fast_csv:7.1f}x vs CSV"
                )
        for syntax in ("Turtle", "N-Quads"):
            for peer in (f"policeonto before, {syntax}", f"Jena SHACL 4.5.0, {syntax}"):
                if peer in times:
                    ratio = times[peer] / times[f"policeonto fast, {syntax}"]
                    print(f"  {rows:>9,}  {peer:<28} {ratio:7.1f}x vs {syntax}")
    print("\nseconds per 100,000 searches (linearity)")
    for rows, results in table.items():
        shown = "  ".join(f"{name}: {seconds / rows * 100_000:.2f}" for name, seconds, _ in results)
        print(f"  {rows:>9,}  {shown}")


if __name__ == "__main__":
    main()
