"""Benchmark: map N generated street-level crime rows to N-Triples on one core, side by side with
morph-kgc (RML, in its own venv, created here) and with linkml-map's reference transformer plus
linkml-runtime's RDF dumper on a sample. Prints wall time, triples/s, peak RSS and ratios.

    .venv/bin/python benchmarks/map_benchmark.py --rows 1000000
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MORPH_VENV = HERE / ".venv-morph-kgc"
MORPH_VERSION = "2.10.0"
ONE_CORE = ["taskset", "-c", "0"] if subprocess.run(["which", "taskset"], capture_output=True).returncode == 0 else []


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of a command, pinned to one core."""
    run = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", *ONE_CORE, *command],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if run.returncode != 0:
        raise SystemExit(f"{command[0]} failed:\n{run.stderr[-3000:]}")
    seconds, kilobytes = run.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kilobytes) // 1024


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 24), b""))


def crosswalk_csv(name: str, folder: Path) -> Path:
    from policeonto.mapping.crosswalk import read_crosswalk
    from policeonto.mapping.spec import mappings_dir

    walk = read_crosswalk(mappings_dir() / "crosswalks" / f"police-uk-{name}.sssom.tsv")
    path = folder / f"{name}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["subject_label", "object_iri"])
        writer.writerows(walk.codes().items())
    return path


def morph_kgc(source: Path, folder: Path) -> tuple[float, int, int]:
    python = MORPH_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(MORPH_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"morph-kgc=={MORPH_VERSION}"], check=True)
    mapping = (HERE / "street.rml.ttl").read_text(encoding="utf-8")
    for token, path in {
        "STREET": source,
        "CRIME_TYPES": crosswalk_csv("crime-type", folder),
        "OUTCOMES": crosswalk_csv("crime-outcome", folder),
        "FORCES": crosswalk_csv("police-force", folder),
    }.items():
        mapping = mapping.replace(f'"{token}"', f'"{path}"')
    (folder / "street.rml.ttl").write_text(mapping, encoding="utf-8")
    output = folder / "morph-kgc.nt"
    (folder / "config.ini").write_text(
        f"[CONFIGURATION]\noutput_file={output}\noutput_format=N-TRIPLES\nna_values=\nnumber_of_processes=1\n"
        f"[DataSource1]\nmappings={folder / 'street.rml.ttl'}\n",
        encoding="utf-8",
    )
    seconds, rss = timed([str(python), "-m", "morph_kgc", str(folder / "config.ini")])
    return seconds, rss, count_lines(output)


def policeonto(source: Path, folder: Path, *, synced: bool) -> tuple[float, int, int]:
    """-o writes atomically and fsyncs before renaming; stdout redirected to a file, like morph-kgc's
    output, is left to the page cache."""
    output = folder / "policeonto.nt"
    command = [str(ROOT / ".venv" / "bin" / "policeonto"), "map", str(source), "-q"]
    if synced:
        seconds, rss = timed([*command, "-o", str(output)], env={"POLARS_MAX_THREADS": "1"})
    else:
        shell = " ".join(command) + f" > {output}"
        seconds, rss = timed(["sh", "-c", shell], env={"POLARS_MAX_THREADS": "1"})
    return seconds, rss, count_lines(output)


def reference(source: Path, rows: int, folder: Path) -> tuple[float, int]:
    from policeonto.mapping.events import MapOptions
    from policeonto.mapping.provenance import file_context
    from policeonto.mapping.reader import inspect
    from policeonto.mapping.recognition import recognise
    from policeonto.mapping.reference import reference_graph
    from policeonto.mapping.spec import list_mappings

    sample = folder / "sample-street.csv"
    with source.open(encoding="utf-8") as handle, sample.open("w", encoding="utf-8") as out:
        for _, line in zip(range(rows + 1), handle, strict=False):
            out.write(line)
    info = inspect(sample)
    mapping = recognise(info, list_mappings()).mapping
    context = file_context(info, mapping, base=MapOptions().base, force=None, run=MapOptions().base + "run/bench")
    started = time.perf_counter()
    graph, _ = reference_graph(sample, context=context)
    return time.perf_counter() - started, len(graph)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reference-rows", type=int, default=2_000)
    parser.add_argument("--skip-morph", action="store_true")
    arguments = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from generate import generate

    with tempfile.TemporaryDirectory(prefix="policeonto-bench-") as scratch:
        folder = Path(scratch)
        source = generate("street", arguments.rows, folder / "2024-01-kent-street.csv")
        print(
            f"input: {arguments.rows:,} street rows, {source.stat().st_size / 1e6:.0f} MB; one core "
            f"({'taskset -c 0' if ONE_CORE else 'not pinned'}), POLARS_MAX_THREADS=1"
        )
        print(f"{'engine':24} {'rows':>10} {'seconds':>9} {'triples':>12} {'triples/s':>12} {'peak RSS MB':>12}")

        def show(name: str, rows: int, seconds: float, triples: int, rss: str) -> None:
            print(
                f"{name:24} {rows:>10,} {seconds:>9.2f} {triples:>12,} {triples / seconds:>12,.0f} {rss:>12}",
                flush=True,
            )

        results = {"policeonto": policeonto(source, folder, synced=False)}
        show(
            "policeonto",
            arguments.rows,
            results["policeonto"][0],
            results["policeonto"][2],
            f"{results['policeonto'][1]:,}",
        )
        synced = policeonto(source, folder, synced=True)
        show("policeonto -o (fsync)", arguments.rows, synced[0], synced[2], f"{synced[1]:,}")
        if not arguments.skip_morph:
            name = f"morph-kgc {MORPH_VERSION}"
            results[name] = morph_kgc(source, folder)
            show(name, arguments.rows, results[name][0], results[name][2], f"{results[name][1]:,}")
        ref_seconds, ref_triples = reference(source, arguments.reference_rows, folder)
        show("linkml-map + dumper", arguments.reference_rows, ref_seconds, ref_triples, "(in process)")
        fast_seconds, _, fast_triples = results["policeonto"]
        for name, (seconds, _, triples) in results.items():
            if name != "policeonto":
                print(
                    f"policeonto vs {name}: {seconds / fast_seconds:.1f}x faster wall time, "
                    f"{(fast_triples / fast_seconds) / (triples / seconds):.1f}x triples/s"
                )
        per_row_reference = ref_seconds / arguments.reference_rows
        per_row_fast = fast_seconds / arguments.rows
        print(
            f"policeonto vs linkml-map reference: {per_row_reference / per_row_fast:.0f}x faster per row "
            f"(reference extrapolated to {arguments.rows:,} rows: {per_row_reference * arguments.rows / 60:.0f} min)"
        )


if __name__ == "__main__":
    main()
