"""Benchmark: share N generated stop-and-search rows under the example agreements, side by side with
``policeonto map`` of the same file. Prints wall time, peak RSS and their ratios to map's.

    .venv/bin/python benchmarks/share_benchmark.py --sizes 100000 1000000 --agreements safeguarding-partnership

The records and what may leave are held dictionary-encoded; the copy's text is read a slice at a time, to
be checked and written (docs/sharing.md, "Speed and memory"). The neighbouring force's copy is nearly every
triple of the input, and no longer costs memory for its text. Times vary with what else the machine runs:
compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
AGREEMENTS = ROOT / "examples" / "agreements"

sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402
from validate_benchmark import timed  # noqa: E402


def run_size(rows: int, folder: Path, agreements: list[str]) -> list[tuple[str, float, int]]:
    here = folder / str(rows)
    here.mkdir()
    source = generate("stop-and-search", rows, here / "2024-01-kent-stop-and-search.csv", seed=1)
    key = here / "steward.key"
    key.write_bytes(os.urandom(32).hex().encode())
    cli = [sys.executable, "-m", "policeonto"]
    results = [("map", *timed([*cli, "map", str(source), "-o", str(here / "mapped.nt")], ok=(0, 1)))]
    (here / "mapped.nt").unlink()
    for name in agreements:
        command = [*cli, "share", str(source), "--agreement", str(AGREEMENTS / f"{name}.yaml")]
        command += ["-o", str(here / f"{name}.nt"), "--key-file", str(key)]
        results.append((f"share ({name})", *timed(command, ok=(0, 1))))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument(
        "--agreements", nargs="+", default=["safeguarding-partnership", "neighbouring-force"], metavar="NAME"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        for rows in args.sizes:
            results = run_size(rows, Path(scratch), args.agreements)
            _, seconds_map, megabytes_map = results[0]
            print(f"{rows:,} stop-and-search rows", flush=True)
            for name, seconds, megabytes in results:
                print(
                    f"  {name:40} {seconds:8.1f} s  {megabytes:6,} MB peak RSS"
                    f"  {seconds / seconds_map:5.1f}x map's time  {megabytes / megabytes_map:4.1f}x map's RSS",
                    flush=True,
                )


if __name__ == "__main__":
    main()
