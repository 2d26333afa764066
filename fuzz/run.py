"""Run the fuzz targets for a bounded time or number of inputs each, and say what each found.

    python -m fuzz.run                       # every target, FUZZ_SECONDS (default 60) each
    python -m fuzz.run csv_mapping --runs 2000

Each target starts from a seed corpus written from the project's examples and mappings, plus the corpus it
grew before (``fuzz/corpus/<target>/``, not committed). An input that crashes a target is saved under
``fuzz/crashes/<target>/``, where the regression tests replay it. The exit status is 1 if any target
crashed or timed out.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fuzz.harness import ROOT

TARGETS = (
    "csv_mapping",
    "json_export",
    "rdf_input",
    "mapping_spec",
    "expression",
    "sssom_crosswalk",
    "records",
    "store_load",
    "scaffold_draft",
)
FUZZ = ROOT / "fuzz"
_EXECUTED = re.compile(rb"stat::number_of_executed_units:\s*(\d+)")
_DONE = re.compile(rb"#(\d+)\s+DONE")


@dataclass
class Outcome:
    """What one bounded run of a target did."""

    target: str
    executed: int
    crashes: list[Path]
    status: int
    command: list[str]
    log: str


def write_seeds(target: str, folder: Path) -> int:
    """Write *target*'s seed corpus into *folder*; return how many seeds."""
    module = importlib.import_module(f"fuzz.{target}")
    count = 0
    for name, data in module.seeds():
        (folder / name).write_bytes(data)
        count += 1
    return count


def run_target(
    target: str,
    *,
    seconds: int | None = None,
    runs: int | None = None,
    seed: int | None = None,
    keep_corpus: bool = True,
    crashes: Path | None = None,
    extra: tuple[str, ...] = (),
) -> Outcome:
    """Fuzz *target* for *seconds* or *runs* inputs (libFuzzer's ``-max_total_time`` / ``-runs``), saving
    crashing inputs in *crashes* (default ``fuzz/crashes/<target>``)."""
    crashes = crashes or FUZZ / "crashes" / target
    crashes.mkdir(parents=True, exist_ok=True)
    before = set(crashes.iterdir())
    with tempfile.TemporaryDirectory(prefix=f"fuzz-{target}-") as tmp:
        seeds = Path(tmp) / "seeds"
        seeds.mkdir()
        write_seeds(target, seeds)
        corpus = FUZZ / "corpus" / target if keep_corpus else Path(tmp) / "corpus"
        corpus.mkdir(parents=True, exist_ok=True)
        # An input is a failure when it runs past the timeout; libFuzzer's "slow unit" report (10 s by
        # default) is a busy machine's, not the target's, so it is raised to the timeout too.
        command = [sys.executable, "-m", f"fuzz.{target}", f"-artifact_prefix={crashes}/", "-timeout=60"]
        command += ["-report_slow_units=60"]
        command += ["-rss_limit_mb=4096", "-print_final_stats=1", "-max_len=65536"]
        if seconds is not None:
            command.append(f"-max_total_time={seconds}")
        if runs is not None:
            command.append(f"-runs={runs}")
        if seed is not None:
            command.append(f"-seed={seed}")
        command += [*extra, str(corpus), str(seeds)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=False)
    log = done.stdout + done.stderr
    counts = _EXECUTED.findall(log) or _DONE.findall(log)
    found = sorted(set(crashes.iterdir()) - before)
    return Outcome(
        target, int(counts[-1]) if counts else 0, found, done.returncode, command, log.decode(errors="replace")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", metavar="target", help=f"any of {', '.join(TARGETS)} (default: all)")
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("FUZZ_SECONDS", "60")))
    parser.add_argument("--runs", type=int, default=None, help="stop after this many inputs instead of a time")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    unknown = sorted(set(args.targets) - set(TARGETS))
    if unknown:
        parser.error(f"no fuzz target {', '.join(unknown)} (targets: {', '.join(TARGETS)})")
    failed = False
    for target in args.targets or TARGETS:
        outcome = run_target(target, seconds=None if args.runs else args.seconds, runs=args.runs, seed=args.seed)
        crashed = outcome.status != 0 or bool(outcome.crashes)
        failed |= crashed
        print(f"{target:16} inputs executed: {outcome.executed:>9,}   crashes: {len(outcome.crashes)}", flush=True)
        for path in outcome.crashes:
            print(f"    saved {path.relative_to(ROOT)}")
        if crashed:
            lines = outcome.log.splitlines()
            start = next((i for i, line in enumerate(lines) if "Uncaught Python exception" in line), len(lines) - 30)
            tail = "\n".join(lines[start:][:60])
            print(f"    exit status {outcome.status}; the log from the crash:\n{tail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
