"""Draft a mapping for an export never seen: profile its tables, choose a code list for each coded column,
suggest a class per table and a slot per column, and match each coded value to a national code.

The result is plain values; :mod:`policeonto.scaffold.writing` turns it into a mapping folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from policeonto.limits import Limits
from policeonto.scaffold.codes import (
    ValueMatch,
    bundled_crosswalks,
    choose_enum,
    covering_crosswalk,
    draft_codes,
    second_list,
)
from policeonto.scaffold.profile import MAX_ROWS, TableProfile, profile_export
from policeonto.scaffold.targets import TablePlan, name_candidates, plan_tables
from policeonto.vocab import schema_view

__all__ = ["CrosswalkDraft", "Draft", "draft_mapping"]


@dataclass(frozen=True)
class CrosswalkDraft:
    """The crosswalk of one coded column: a drafted one (its file name and matches), or a bundled one that
    already has every value (its file name, and no matches)."""

    table: str
    column: str
    enum: str
    file: str  # relative to the mapping folder: crosswalks/<name>.sssom.tsv
    matches: tuple[ValueMatch, ...] = ()
    bundled: bool = False
    also: str | None = None  # a second code list the column holds (an object's roles beside a person's)

    @property
    def unmatched(self) -> tuple[ValueMatch, ...]:
        """The values no code matched well enough: for the steward."""
        return tuple(m for m in self.matches if m.code is None)


@dataclass(frozen=True)
class Draft:
    """A draft mapping of an export: its name, the plan of each table and the crosswalk of each coded column."""

    name: str
    plans: tuple[TablePlan, ...]
    crosswalks: tuple[CrosswalkDraft, ...]

    def crosswalk(self, table: str, column: str) -> CrosswalkDraft | None:
        """The crosswalk of a table's column, if it is coded."""
        return next((c for c in self.crosswalks if c.table == table and c.column == column), None)


def export_name(paths: Sequence[Path]) -> str:
    """A name for an export: its folder's name, or its only file's stem, as a mapping name.

    >>> export_name([Path("exports/Force D/people.csv"), Path("exports/Force D/cars.csv")])
    'force-d'
    """
    base = paths[0].stem if len(paths) == 1 else paths[0].parent.resolve().name
    return "-".join(re.findall(r"[a-z0-9]+", base.lower())) or "export"


def _hints(header: str) -> list[str]:
    """The code lists of the slots a header's name suggests."""
    view = schema_view()
    found = []
    for slot, _ in name_candidates(header):
        rng = str(view.get_slot(slot).range or "")
        if view.get_enum(rng) is not None and rng not in found:
            found.append(rng)
    return found


def draft_mapping(
    paths: Sequence[Path | str],
    *,
    name: str | None = None,
    hidden: Iterable[str] = (),
    max_rows: int = MAX_ROWS,
    limits: Limits = Limits(),
) -> Draft:
    """Draft a mapping for the export made of *paths* (CSV files, JSON exports).

    Args:
        name: the mapping's name (its files are ``<name>-<table>.transform.yaml``); default: the export's
            folder name.
        hidden: bundled crosswalks whose names start with one of these are not used (to measure the draft
            of a bundled format as if it had never been seen).
        max_rows: rows of each table profiled at most.

    Raises:
        MappingInputError: a file cannot be read.
    """
    files = [Path(p) for p in paths]
    name = (
        "-".join(re.findall(r"[a-z0-9]+", (name or export_name(files)).lower())) or "export"
    )  # in IRIs and file names
    tables: tuple[TableProfile, ...] = profile_export(files, max_rows=max_rows, limits=limits)
    crosswalks = bundled_crosswalks(tuple(hidden))
    enums: dict[tuple[str, str], str | None] = {}
    for table in tables:
        for column in table.columns:
            if column.coded:
                values = [v for v, _ in column.values]
                enums[(table.name, column.header)] = choose_enum(values, _hints(column.header), crosswalks=crosswalks)
    plans = plan_tables(tables, enums)
    drafts = []
    used: set[str] = set()
    for plan in plans:
        for suggestion in plan.suggestions:
            if suggestion.enum is None:
                continue
            column = plan.table.column(suggestion.column)
            values = [v for v, _ in column.values]
            also = second_list(values, suggestion.enum, crosswalks=crosswalks)
            bundled = covering_crosswalk(values, suggestion.enum, crosswalks, also=also)
            if bundled is not None:
                file = f"crosswalks/{bundled.name}"
                drafts.append(
                    CrosswalkDraft(plan.table.name, column.header, suggestion.enum, file, bundled=True, also=also)
                )
                continue
            stem = "-".join(re.findall(r"[a-z0-9]+", f"{name} {column.slot}".lower()))
            file = f"crosswalks/{stem}.sssom.tsv"
            file = file if file not in used else f"crosswalks/{stem}-{len(used)}.sssom.tsv"
            used.add(file)
            counts = [n for _, n in column.values]
            matches = draft_codes(values, suggestion.enum, counts=counts, crosswalks=crosswalks, also=also)
            drafts.append(CrosswalkDraft(plan.table.name, column.header, suggestion.enum, file, matches, also=also))
    return Draft(name, plans, tuple(drafts))
