"""Benchmark: share N generated stop-and-search rows under the example agreements, side by side with
``policeonto map`` of the same file. Prints wall time, peak RSS and the ratio to map.

    .venv/bin/python benchmarks/share_benchmark.py --sizes 100000 1000000
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


def run_size(rows: int, folder: Path) -> list[tuple[str, float, int]]:
    here = folder / str(rows)
    here.mkdir()
    source = generate("stop-and-search", rows, here / "2024-01-kent-stop-and-search.csv", seed=1)
    key = here / "steward.key"
    key.write_bytes(os.urandom(32).hex().encode())
    cli = [sys.executable, "-m", "policeonto"]
    results = [("map", *timed([*cli, "map", str(source), "-o", str(here / "mapped.nt")], ok=(0, 1)))]
    for name in ("safeguarding-partnership", "neighbouring-force"):
        command = [*cli, "share", str(source), "--agreement", str(AGREEMENTS / f"{name}.yaml")]
        command += ["-o", str(here / f"{name}.nt"), "--key-file", str(key)]
        results.append((f"share ({name})", *timed(command, ok=(0, 1))))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        for rows in args.sizes:
            results = run_size(rows, Path(scratch))
            base = results[0][1]
            print(f"{rows:,} stop-and-search rows")
            for name, seconds, megabytes in results:
                print(f"  {name:40} {seconds:8.1f} s  {megabytes:6,} MB peak RSS  {seconds / base:5.1f}x map")


if __name__ == "__main__":
    main()
