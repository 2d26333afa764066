"""Small-number suppression across linked tables, as statistical disclosure control tools do it (tau-argus's
and sdcTable's linked tables): every table of a copy is suppressed together with the tables it shares margins
with, so that a cell hidden in one cannot be worked out from another.

A copy publishes, for each class, a one-way table per dimension and a table over its quasi-identifiers
together. Each table's cells add up to the class's count (published in the manifest), and each cell of a
one-way table over a dimension of the joint table is the sum of the joint table's cells with that value: its
margin. Each such sum is a relation between published cells. A cell under k is hidden; then, while a relation
has exactly one hidden cell (it could be worked out by subtraction), or hidden cells that add up to fewer than
k records and a published total (their sum could), its smallest published cell is hidden too. Cells of two
classes' tables over the same dimensions with the same values and the same count (the searches by gender
and the people searched by gender, when each search is of one person) are one cell: hidden in both or in
neither.

Three in one cell of a two-way table of age and gender: its neighbour by gender goes too (or the gender's total
less it would give it), then its neighbours by age, and so the whole two-way table; the one-way tables stay.

>>> age = Table("Person", ("a",), {("1",): 23, ("2",): 47})
>>> gender = Table("Person", ("g",), {("f",): 30, ("m",): 40})
>>> joint = Table("Person", ("a", "g"), {("1", "f"): 3, ("2", "f"): 27, ("1", "m"): 20, ("2", "m"): 20})
>>> [sorted(cells) for cells in suppress([age, gender, joint], 10)]
[[], [], [('1', 'f'), ('1', 'm'), ('2', 'f'), ('2', 'm')]]
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Table", "suppress"]

Cell = tuple[int, tuple[str, ...]]  # a table's position and a cell's values


@dataclass(frozen=True)
class Table:
    """One table of counts: the class it counts, its dimensions, and each cell's values (in the order of the
    dimensions) with its count."""

    unit: str
    dims: tuple[str, ...]
    cells: dict[tuple[str, ...], int]


@dataclass(frozen=True)
class _Relation:
    """*parts* add up to *total* (a published cell), or to the class's count when *total* is None."""

    parts: tuple[Cell, ...]
    total: Cell | None


def _relations(tables: list[Table]) -> list[_Relation]:
    relations = [_Relation(tuple((t, key) for key in sorted(table.cells)), None) for t, table in enumerate(tables)]
    for j, joint in enumerate(tables):
        for m, margin in enumerate(tables):
            if margin.unit != joint.unit or len(joint.dims) < 2 or len(margin.dims) != 1:
                continue
            if margin.dims[0] not in joint.dims:
                continue
            at = joint.dims.index(margin.dims[0])
            for (value,) in sorted(margin.cells):
                parts = tuple((j, key) for key in sorted(joint.cells) if key[at] == value)
                relations.append(_Relation(parts, (m, (value,))))
    return relations


def _same(tables: list[Table]) -> list[tuple[Cell, ...]]:
    """Groups of cells of different classes' tables that are one cell: same dimensions, values and count."""
    groups: dict[tuple[tuple[str, ...], tuple[str, ...], int], list[Cell]] = {}
    for t, table in enumerate(tables):
        for key, n in table.cells.items():
            groups.setdefault((table.dims, key, n), []).append((t, key))
    return [tuple(cells) for cells in groups.values() if len({tables[t].unit for t, _ in cells}) > 1]


def suppress(tables: list[Table], k: int) -> list[set[tuple[str, ...]]]:
    """The cells of each of *tables* to hide so that no count under *k*, and no hidden cell, can be read or
    worked out from the published cells (by subtraction within a table or from a margin, or from the same
    cell of another class's table)."""

    def count(cell: Cell) -> int:
        return tables[cell[0]].cells[cell[1]]

    hidden = {(t, key) for t, table in enumerate(tables) for key, n in table.cells.items() if n < k}
    relations, same = _relations(tables), _same(tables)
    changed = True
    while changed:
        changed = False
        for group in same:
            if any(c in hidden for c in group) and not all(c in hidden for c in group):
                hidden.update(group)
                changed = True
        for relation in relations:
            terms = relation.parts + ((relation.total,) if relation.total is not None else ())
            inside = [c for c in relation.parts if c in hidden]
            alone = sum(c in hidden for c in terms) == 1
            small = bool(inside) and relation.total not in hidden and sum(count(c) for c in inside) < k
            if not (alone or small):
                continue
            shown = [c for c in relation.parts if c not in hidden] or [c for c in terms if c not in hidden]
            if shown:
                hidden.add(min(shown, key=lambda c: (count(c), c)))
                changed = True
    return [{key for t2, key in hidden if t2 == t} for t in range(len(tables))]
