"""Benchmark: ``policeonto assess`` against ``policeonto validate`` on the same generated street-crime export
(one mapping-and-validation pass each). Prints wall time, peak RSS and the ratio assess / validate; with
``--agreements``, assess under the bundled example agreements too (the records they could share are judged
as ``policeonto share`` selects them, so the run's triples are held).

    .venv/bin/python benchmarks/assess_benchmark.py --sizes 100000 1000000
    .venv/bin/python benchmarks/assess_benchmark.py --sizes 100000 --agreements
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402
from validate_benchmark import timed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--agreements", action="store_true", help="Time assess under the example agreements too.")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "policeonto"]
    agreed = ["--agreements", str(HERE.parent / "examples" / "agreements"), "--on", "2026-12-05"]
    extra = f" {'agreed s':>9} {'MB':>6} {'ratio':>6}" if args.agreements else ""
    print(f"{'rows':>10} {'validate s':>11} {'MB':>6} {'assess s':>9} {'MB':>6} {'ratio':>6}{extra}")
    with tempfile.TemporaryDirectory() as folder:
        for rows in args.sizes:
            source = generate("street", rows, Path(folder) / f"2024-01-kent-street-{rows}.csv", seed=1)
            source = source.rename(Path(folder) / "2024-01-kent-street.csv")
            validated = timed([*cli, "validate", str(source)], ok=(0, 1))
            assessed = timed([*cli, "assess", str(source), "--format", "json"], ok=(0, 1))
            ratio = assessed[0] / validated[0]
            timings = f"{validated[0]:>11.1f} {validated[1]:>6} {assessed[0]:>9.1f} {assessed[1]:>6}"
            if args.agreements:
                with_agreements = timed([*cli, "assess", str(source), *agreed, "--format", "json"], ok=(0, 1))
                seconds, peak = with_agreements
                timings += f" {ratio:>6.2f} {seconds:>9.1f} {peak:>6}"
                ratio = seconds / validated[0]
            print(f"{rows:>10,} {timings} {ratio:>6.2f}")


if __name__ == "__main__":
    main()
