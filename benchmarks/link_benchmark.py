"""Time and peak RSS of `policeonto link` on N generated person records, with precision, recall and F1
against their ground truth, beside the exact PNC join, and beside Splink alone on the same records (not
part of the tests).

benchmarks/link_data.py writes the records; benchmarks/link_store.py maps them and bulk-loads what the
linkage reads into an embedded store (``--setup load``: `policeonto load`, validation and all, instead);
then, each under `/usr/bin/time -v` in a process of its own, and each followed by its peer (Splink alone,
benchmarks/link_splink.py, on the same records read from the store once beforehand):

1. `policeonto link --retrain --truth ...` (read the records, train, predict, write the matches and
   clusters graphs, score), and Splink training and predicting with the same calls;
2. `policeonto link` (the model read from its file), and Splink predicting with the same model.

    python benchmarks/link_benchmark.py 100000 out/link-bench --seed 7
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _timed(command: list[str]) -> tuple[str, float, float, int]:
    """Run *command* under /usr/bin/time -v: its output, user CPU seconds, wall seconds and peak RSS in MiB."""
    done = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")

    def field(name: str) -> str:
        return re.search(rf"{name}: (.+)", done.stderr).group(1).strip()  # type: ignore[union-attr]

    wall = sum(
        float(part) * 60**i for i, part in enumerate(reversed(field(r"Elapsed \(wall clock\) time.*?").split(":")))
    )
    return (
        done.stdout,
        float(field("User time \\(seconds\\)")),
        wall,
        int(field("Maximum resident set size \\(kbytes\\)")) // 1024,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--setup", choices=("fast", "load"), default="fast", help="how the store is filled")
    args = parser.parse_args()
    out: Path = args.out
    python = sys.executable
    if not (out / "linkage-truth.csv").exists():
        subprocess.run(
            [python, str(HERE / "link_data.py"), str(args.records), str(out), "--seed", str(args.seed)], check=True
        )
    store = out / "store"
    if not store.exists():
        if args.setup == "load":
            inputs = [*map(str, sorted((out / "force-a").glob("*.csv"))), str(out / "force-b" / "export.json")]
            setup = [python, "-m", "policeonto", "load", *inputs, "--store", str(store)]
        else:
            setup = [python, str(HERE / "link_store.py"), str(out), str(store)]
        _, cpu, wall, rss = _timed(setup)
        print(f"store ({args.setup}): user CPU {cpu:.1f} s, wall {wall:.1f} s, peak RSS {rss} MiB")
    table = out / "people.pkl"
    if not table.exists():  # read once per store
        subprocess.run([python, str(HERE / "link_splink.py"), "--save", str(store), str(table)], check=True)
    model = out / "person-model.json"
    link = [python, "-m", "policeonto", "link", "--store", str(store), "--model", str(model)]
    truth = ["--truth", str(out / "linkage-truth.csv")]
    alone = [python, str(HERE / "link_splink.py"), str(table), str(model)]
    runs = (
        ("link --retrain", [*link, "--retrain", *truth]),
        ("peer: Splink alone, train and predict", [*alone, "--retrain"]),
        ("link (model read)", link),
        ("peer: Splink alone, predict", alone),
    )
    for name, command in runs:
        text, cpu, wall, rss = _timed(command)
        print(f"{name}: user CPU {cpu:.1f} s, wall {wall:.1f} s, peak RSS {rss} MiB")
        for line in text.splitlines():
            if line.startswith("against") or " pairs at or above " in line:
                print("   ", line)


if __name__ == "__main__":
    main()
