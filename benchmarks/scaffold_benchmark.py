"""Measure `policeonto scaffold` against the hand-written mappings: with each bundled format hidden in turn
(the scaffold uses neither its mappings nor its crosswalks, only the vocabulary, the national code lists and
the other formats' crosswalks), draft a mapping of its example files and count

- the columns the draft maps as the hand-written mapping does: to one of the class and slot pairs the
  hand-written derivations fill from that column (``populated_from``, or a name in an ``expr``; not ``id``),
  or, for a column the hand-written mapping leaves out, left out too;
- the distinct coded values the draft maps to the code the hand-written crosswalk gives them (every
  distinct value of the example files' coded columns that the hand-written crosswalk maps).

    .venv/bin/python benchmarks/scaffold_benchmark.py            # prints the table (Markdown)
    .venv/bin/python benchmarks/scaffold_benchmark.py --detail   # and every column that differs
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from policeonto.mapping.jsonsource import JsonDocument, is_json
from policeonto.mapping.spec import Mapping, list_mappings
from policeonto.scaffold import Draft, draft_mapping
from policeonto.scaffold.targets import TablePlan

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "police-uk"

#: Format -> (prefix of its mappings' names, prefix of its crosswalks' names, its example files).
FORMATS: dict[str, tuple[str, str, list[Path]]] = {
    "police-uk street": ("police-uk-street", "police-uk", [SHARED / "street" / "2018-04-city-of-london-street.csv"]),
    "police-uk stop and search": (
        "police-uk-stop-and-search",
        "police-uk",
        [SHARED / "stop-and-search" / "2020-03-city-of-london-stop-and-search.csv"],
    ),
    "police-uk outcomes": (
        "police-uk-outcomes",
        "police-uk",
        [SHARED / "outcomes" / "2024-07-metropolitan-outcomes.burglary-subset.csv"],
    ),
    "Force A (5 CSV tables)": ("force-a", "force-a", sorted((ROOT / "examples" / "force-a").glob("*.csv"))),
    "Force B (JSON:API)": ("force-b", "force-b", [ROOT / "examples" / "force-b" / "export.json"]),
    "Force C (neo4j-admin, 7 files)": ("force-c", "force-c", sorted((ROOT / "examples" / "force-c").glob("*.csv"))),
}


@dataclass
class Tally:
    columns: int = 0
    columns_agree: int = 0
    values: int = 0
    values_agree: int = 0


def _targets(mapping: Mapping) -> dict[str, set[tuple[str, str]]]:
    """Column title -> the (class, slot) pairs the hand-written derivations fill from it (not ``id``)."""
    by_slot = {c.slot: c.title for c in mapping.columns}
    found: dict[str, set[tuple[str, str]]] = {c.title: set() for c in mapping.columns}
    for cls, derivation in mapping.specification["class_derivations"].items():
        for slot, rule in (derivation.get("slot_derivations") or {}).items():
            if slot == "id" or not isinstance(rule, dict):
                continue
            names = {str(rule["populated_from"])} if rule.get("populated_from") else set()
            if rule.get("expr"):
                names |= {n.id for n in ast.walk(ast.parse(str(rule["expr"]), mode="eval")) if isinstance(n, ast.Name)}
            for name in names & set(by_slot):
                found[by_slot[name]].add((cls, slot))
    return found


def _hand_mapping(plan: TablePlan, mappings: list[Mapping]) -> Mapping | None:
    """The hand-written mapping of the draft's table: the same JSON records, or most headers in common."""
    if plan.table.json is not None:
        return next(
            (
                m
                for m in mappings
                if m.json is not None
                and m.json.each is None
                and (m.json.records, m.json.type) == (plan.table.json.records, plan.table.json.type)
            ),
            None,
        )
    headers = {c.header for c in plan.table.columns}
    scored = [
        (len(headers & {c.title for c in m.columns}) - len({c.title for c in m.columns} - headers), m)
        for m in mappings
        if m.json is None
    ]
    best = max(scored, key=lambda t: t[0], default=(0, None))
    return best[1] if best[0] > 0 else None


def _distinct(path: Path, mapping: Mapping, title: str) -> list[str]:
    """The distinct values of a column in an example file, as written (trimmed)."""
    if is_json(path):
        assert mapping.json is not None
        table = JsonDocument.read(path).table(mapping.json)
        values = {row.get(title, "").strip() for _, row in table.rows}
    else:
        frame = pl.read_csv(path, infer_schema=False)
        values = {str(v).strip() for v in frame.get_column(title).to_list() if v is not None}
    return sorted(v for v in values if v)


def _codes(draft: Draft, table: str, title: str) -> dict[str, str]:
    """What the draft's crosswalk of a column maps each value to (code IRIs)."""
    walk = draft.crosswalk(table, title)
    if walk is None:
        return {}
    if walk.bundled:
        from policeonto.mapping.crosswalk import read_crosswalk
        from policeonto.mapping.spec import mappings_dir

        return read_crosswalk(mappings_dir() / walk.file).codes()
    return {m.value: m.code.iri for m in walk.matches if m.code is not None}


def measure(fmt: str, *, detail: bool = False) -> Iterator[str] | Tally:
    prefix, crosswalks, files = FORMATS[fmt]
    mappings = [m for m in list_mappings() if m.name.startswith(prefix)]
    draft = draft_mapping(files, name="draft", hidden=[crosswalks])
    tally = Tally()
    matched: set[str] = set()
    for plan in draft.plans:
        hand = _hand_mapping(plan, mappings)
        if hand is None:
            continue
        matched.add(hand.name)
        targets = _targets(hand)
        for title, wanted in targets.items():
            suggestion = plan.suggestion(title)
            got = (suggestion.target_class, suggestion.slot) if suggestion else None
            tally.columns += 1
            agree = (got in wanted) if wanted else got is None
            tally.columns_agree += agree
            if detail and not agree:
                print(f"  {fmt}: {hand.name} {title!r}: hand {sorted(wanted) or 'unmapped'}, draft {got}")
        for column in hand.columns:
            if column.crosswalk is None:
                continue
            labels = column.crosswalk.codes()
            drafted = _codes(draft, plan.table.name, column.title)
            for value in _distinct(plan.table.path, hand, column.title):
                if value in labels:
                    tally.values += 1
                    same = drafted.get(value) == labels[value]
                    tally.values_agree += same
                    if detail and not same:
                        print(f"  {fmt}: {column.title} {value!r}: hand {labels[value]}, draft {drafted.get(value)}")
    for hand in mappings:  # tables the draft has none of (Force B's link records, one row per list item)
        if hand.name not in matched:
            tally.columns += len(hand.columns)
            if detail:
                print(f"  {fmt}: {hand.name}: no table of the draft ({len(hand.columns)} columns)")
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--detail", action="store_true", help="Print every column and value that differs.")
    args = parser.parse_args()
    rows = []
    total = Tally()
    for fmt in FORMATS:
        tally = measure(fmt, detail=args.detail)
        assert isinstance(tally, Tally)
        rows.append((fmt, tally))
        for field in ("columns", "columns_agree", "values", "values_agree"):
            setattr(total, field, getattr(total, field) + getattr(tally, field))
    print("| format (hidden) | columns | mapped as by hand | share | coded values | mapped as by hand | share |")
    print("|---|---|---|---|---|---|---|")
    for fmt, t in [*rows, ("all six", total)]:
        print(
            f"| {fmt} | {t.columns} | {t.columns_agree} | {t.columns_agree / max(t.columns, 1):.0%} "
            f"| {t.values} | {t.values_agree} | {t.values_agree / max(t.values, 1):.0%} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
