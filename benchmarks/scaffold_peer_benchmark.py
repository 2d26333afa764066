"""Benchmark: `policeonto scaffold` side by side with LinkML's schema-automator (`schemauto generalize-tsv`),
each drafting a source schema for a format it has not seen, scored against the hand-written source schema.

For each bundled CSV format, both tools read the same files. For every column of the hand-written schema the
draft is scored on four facts: its kind (string, integer, decimal, date, datetime, boolean, or coded: an enum
or a crosswalk), whether it is required, whether it is the key, and whether it was found at all. Each tool
runs in its own process, timed for wall time and peak RSS. schema-automator lives in a virtualenv of its own
(`make bench-peers` makes `.venv-peers`), since its pins differ from ours.

    .venv/bin/python benchmarks/scaffold_peer_benchmark.py
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
SHARED = ROOT.parent / "shared" / "data" / "police-uk"

FORCE_A = ("nominals", "occurrences", "links", "locations", "objects")

#: format -> (mapping names whose columns are the truth, files)
FORMATS: dict[str, tuple[tuple[str, ...], tuple[Path, ...]]] = {
    "police-uk-street": (("police-uk-street",), (ROOT / "examples/police-uk/2024-01-kent-street.csv",)),
    "police-uk-stop-and-search": (
        ("police-uk-stop-and-search",),
        (ROOT / "examples/police-uk/2024-01-kent-stop-and-search.csv",),
    ),
    "police-uk-outcomes": (("police-uk-outcomes",), (ROOT / "tests/data/sources/outcomes-sample.csv",)),
    "force-a": (
        tuple(f"force-a-{t}" for t in FORCE_A),
        tuple(ROOT / "examples/force-a" / f"{t}.csv" for t in FORCE_A),
    ),
    "force-c": (
        tuple(
            f"force-c-{t}"
            for t in ("people", "vehicles", "crimes", "incidents", "locations", "involved-in", "occurred-at")
        ),
        tuple(
            ROOT / "examples/force-c" / f"{t}.csv"
            for t in ("people", "vehicles", "crimes", "incidents", "locations", "involved_in", "occurred_at")
        ),
    ),
}

_KINDS = {
    "integer": "integer",
    "decimal": "decimal",
    "float": "decimal",
    "double": "decimal",
    "date": "date",
    "datetime": "datetime",
    "boolean": "boolean",
}


@dataclass(frozen=True)
class Drafted:
    """What a draft says of one column."""

    kind: str
    required: bool
    key: bool


def timed(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of a command."""
    run = subprocess.run(["/usr/bin/time", "-f", "%e %M", *command], capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} failed:\n{run.stderr[-3000:]}")
    seconds, kilobytes = run.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kilobytes) // 1024


def _kind(slot: dict, enums: dict) -> str:
    notes = slot.get("annotations") or {}
    rng = str(slot.get("range") or "string")
    if "crosswalk" in notes or rng in enums:
        return "coded"
    return _KINDS.get(rng, "string")


def read_draft(paths: list[Path]) -> dict[str, Drafted]:
    """Header -> what the LinkML schemas at *paths* say of the column (by title, alias or slot name)."""
    found: dict[str, Drafted] = {}
    for path in paths:
        schema = yaml.safe_load(path.read_text(encoding="utf-8"))
        enums = schema.get("enums") or {}
        slots = dict(schema.get("slots") or {})
        for cls in (schema.get("classes") or {}).values():
            slots.update((cls or {}).get("attributes") or {})
            for name, usage in ((cls or {}).get("slot_usage") or {}).items():
                slots[name] = {**slots.get(name, {}), **(usage or {})}
        for name, slot in slots.items():
            slot = slot or {}
            drafted = Drafted(_kind(slot, enums), bool(slot.get("required")), bool(slot.get("identifier")))
            for header in (name, slot.get("title"), *(slot.get("aliases") or ())):
                if header:
                    found.setdefault(str(header), drafted)
    return found


def truth(names: tuple[str, ...]) -> dict[str, Drafted]:
    """Header -> what the hand-written mappings say of each column."""
    sys.path.insert(0, str(ROOT / "src"))
    from policeonto.mapping import load_mapping

    found: dict[str, Drafted] = {}
    for name in names:
        mapping = load_mapping(name)
        for c in mapping.columns:
            kind = "coded" if c.crosswalk is not None else _KINDS.get(c.range, "string")
            found[c.title] = Drafted(kind, c.required, c.slot == mapping.key)
    return found


def score(draft: dict[str, Drafted], right: dict[str, Drafted]) -> dict[str, str]:
    """The share of the hand-written columns the draft found, and of those whose kind and required agree;
    the hand-written keys the draft found as keys, and the keys it drafted that are none."""
    n = len(right)
    seen = {h: draft[h] for h in right if h in draft}
    keys = [h for h in right if right[h].key]
    return {
        "found": f"{len(seen) / n:.0%}",
        "kind": f"{sum(seen[h].kind == right[h].kind for h in seen) / n:.0%}",
        "required": f"{sum(seen[h].required == right[h].required for h in seen) / n:.0%}",
        "keys": f"{sum(h in seen and seen[h].key for h in keys)}/{len(keys)}",
        "false keys": str(sum(d.key and not right[h].key for h, d in seen.items())),
    }


def run_schemauto(schemauto: Path, files: tuple[Path, ...], out: Path) -> tuple[float, int, list[Path]]:
    seconds, peak, drafts = 0.0, 0, []
    for i, file in enumerate(files):
        target = out / f"schemauto-{i}.yaml"
        s, m = timed([str(schemauto), "generalize-tsv", "-s", ",", str(file), "-o", str(target)])
        seconds, peak = seconds + s, max(peak, m)
        drafts.append(target)
    return seconds, peak, drafts


def run_scaffold(files: tuple[Path, ...], out: Path) -> tuple[float, int, list[Path]]:
    folder = out / "scaffold"
    seconds, peak = timed([str(BIN / "policeonto"), "scaffold", *map(str, files), "-o", str(folder)])
    return seconds, peak, sorted(folder.glob("*.source.yaml"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemauto", type=Path, default=ROOT / ".venv-peers" / "bin" / "schemauto")
    args = parser.parse_args()
    if not args.schemauto.exists():
        raise SystemExit(f"{args.schemauto}: not found (make bench-peers installs schema-automator)")
    print("| format | tool | columns found | kind right | required right | keys found | false keys | s | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    ratios = []
    for fmt, (names, files) in FORMATS.items():
        right = truth(names)
        with tempfile.TemporaryDirectory() as tmp:
            results = {}
            for tool, (seconds, peak, drafts) in (
                ("policeonto scaffold", run_scaffold(files, Path(tmp))),
                ("schemauto generalize-tsv", run_schemauto(args.schemauto, files, Path(tmp))),
            ):
                s = score(read_draft(drafts), right)
                results[tool] = seconds
                print(
                    f"| {fmt} | {tool} | {s['found']} | {s['kind']} | {s['required']} | {s['keys']} | "
                    f"{s['false keys']} | {seconds:.1f} | {peak} |"
                )
            ratios.append(results["schemauto generalize-tsv"] / results["policeonto scaffold"])
    print(f"\nschemauto's time over scaffold's, per format: {', '.join(f'{r:.1f}x' for r in ratios)}")


if __name__ == "__main__":
    main()
