"""The keys of the rows mapped so far: for the foreign keys of one export checked across its files, and for
a key given to two rows, in any batch or file of the run.

A row whose table key an earlier row of the same table already had is not mapped: the two would describe
one record, which the merged graph would hold as one node with both rows' values. It is counted as rejected
with one finding naming both rows: ``duplicate-key`` (an error) with the columns whose values differ, or
``duplicate-row`` (a warning) when every column is the same. Each key is remembered as a compact record (a
hash of the key, the first row's file and row, and a hash of each of its columns), not as the row.

Tables whose keys share a ``key_space`` (a graph database's global node IDs) share their keys: a row whose
key a row of another table of the space had is a ``duplicate-key`` too, naming that row and its table.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import polars as pl

from policeonto.errors import shorten
from policeonto.findings import Finding, make
from policeonto.mapping.checks import CheckedBatch
from policeonto.mapping.reader import ROW
from policeonto.mapping.spec import Mapping

__all__ = ["KeyIndex"]

_SEED = 0x2545F4914F6CDD1D


class KeyIndex:
    """The keys of the rows mapped so far: for each table that other tables of its export refer to, the keys
    themselves; for every table with a key, a compact record of the first row that had each key."""

    def __init__(self) -> None:
        self._parts: dict[tuple[Path, str], list[pl.Series]] = {}
        self._first: dict[tuple[Path, str], list[pl.DataFrame]] = {}
        self._spaces: dict[tuple[Path, str], list[pl.DataFrame]] = {}  # hash, first file and row, table
        self._tables: list[str] = []
        self._files: list[str] = []

    def joined(self, other: KeyIndex) -> KeyIndex:
        """A new index of the keys of both: this one's, then *other*'s (a later part of the run, mapped apart
        from this one, as a Dask task is: its file and table numbers are turned into this one's)."""
        joined = KeyIndex()
        joined._files, joined._tables = list(self._files), list(self._tables)
        files = {i: _number(joined._files, name) for i, name in enumerate(other._files)}
        tables = {i: _number(joined._tables, name) for i, name in enumerate(other._tables)}
        for mine, theirs, into in (
            (self._parts, other._parts, joined._parts),
            (self._first, other._first, joined._first),
            (self._spaces, other._spaces, joined._spaces),
        ):
            for key in mine.keys() | theirs.keys():
                parts = [*mine.get(key, []), *(_renumbered(p, files, tables) for p in theirs.get(key, []))]
                into[key] = [pl.concat(parts)] if parts else []
        return joined

    def fresh(self, prior: KeyIndex) -> KeyIndex:
        """The keys this index holds and *prior* (of which it grew, keeping its numbers) does not."""
        fresh = KeyIndex()
        fresh._files, fresh._tables = list(self._files), list(self._tables)
        for mine, before, into, on in (
            (self._parts, prior._parts, fresh._parts, None),
            (self._first, prior._first, fresh._first, ["h"]),
            (self._spaces, prior._spaces, fresh._spaces, ["h", "table"]),
        ):
            for key, parts in mine.items():
                now = pl.concat(parts) if parts else None
                if now is None or not before.get(key):
                    into[key] = [now] if now is not None else []
                elif on is None:
                    into[key] = [now.filter(~now.is_in(pl.concat(before[key]).implode()))]
                else:
                    into[key] = [now.join(pl.concat(before[key]).select(on), on=on, how="anti", maintain_order="left")]
        return fresh

    def clashes(self, other: KeyIndex) -> bool:
        """Whether a key of this index is a key of the same table (or key space) in *other*: mapped apart,
        the two would each have taken it as the first."""
        for mine, theirs in ((self._first, other._first), (self._spaces, other._spaces)):
            for key in mine.keys() & theirs.keys():
                if mine[key] and theirs[key]:
                    hashes = pl.concat(theirs[key])["h"].implode()
                    if pl.concat(mine[key])["h"].is_in(hashes).any():
                        return True
        return False

    def add(self, mapping: Mapping, frame: pl.DataFrame) -> None:
        """Note the keys of *frame*'s rows (mapped rows of *mapping*'s table), if other tables refer to it."""
        if mapping.referenced and mapping.key is not None:
            parts = self._parts.setdefault((mapping.source_schema, mapping.row_class), [])
            parts.append(frame.get_column(mapping.key).drop_nulls())
            if len(parts) > 1:
                parts[:] = [pl.concat(parts)]

    def of(self, mapping: Mapping) -> dict[str, pl.Series]:
        """Row class -> keys, for the tables of *mapping*'s export mapped so far."""
        return {
            row_class: parts[0]
            for (schema, row_class), parts in self._parts.items()
            if schema == mapping.source_schema and parts
        }

    def once(self, mapping: Mapping, checked: CheckedBatch, *, file: str, keep_findings: int) -> CheckedBatch:
        """*checked* without the rows whose key an earlier row of the run had, each counted as rejected with a
        ``duplicate-key`` or ``duplicate-row`` finding (at most *keep_findings* kept as objects); the keys
        of the rows kept are remembered."""
        if mapping.key is None or checked.frame.is_empty():
            return checked
        slots = [c.slot for c in mapping.columns]
        rows = checked.frame.filter(pl.col(mapping.key).is_not_null()).select(
            pl.col(mapping.key).alias("key"),
            pl.col(ROW),
            *[pl.col(s) for s in slots],
            h=pl.col(mapping.key).hash(_SEED),
            **{f"#{s}": pl.col(s).hash(_SEED) for s in slots},
        )
        if file not in self._files:
            self._files.append(file)
        here = pl.lit(self._files.index(file), pl.UInt32)
        if mapping.key_space is not None:
            before = len(checked.findings)
            checked, rows = self._in_space(mapping, checked, rows, here, file=file, keep_findings=keep_findings)
            keep_findings -= len(checked.findings) - before  # the cap is on both kinds of repeat together
        firsts = self._first.setdefault((mapping.source_schema, mapping.row_class), [])
        # the earlier records of this batch's keys: the many earlier keys are probed, only the batch's hashed
        earlier = pl.concat(firsts, rechunk=False).filter(pl.col("h").is_in(rows["h"].implode())) if firsts else None
        new = rows.filter(pl.col("h").is_first_distinct())
        if earlier is not None and earlier.height:
            new = new.filter(~pl.col("h").is_in(earlier["h"].implode()))
        record = new.select("h", first_file=here, first_row=pl.col(ROW), **{f"#{s}": f"#{s}" for s in slots})
        seen = record if earlier is None else pl.concat([earlier, record])
        repeats = rows.join(new.select(ROW), on=ROW, how="anti").join(seen, on="h", suffix="@first")
        firsts.append(record)
        if len(firsts) > 64:  # fewer, larger parts as they grow
            firsts[:] = [pl.concat(firsts)]
        if repeats.is_empty():
            return checked
        return self._rejected(mapping, checked, repeats, file=file, keep=keep_findings)

    def _in_space(
        self,
        mapping: Mapping,
        checked: CheckedBatch,
        rows: pl.DataFrame,
        here: pl.Expr,
        *,
        file: str,
        keep_findings: int,
    ) -> tuple[CheckedBatch, pl.DataFrame]:
        """*checked* and *rows* without the rows whose key a row of another table of the key space had, each
        rejected as a ``duplicate-key`` naming that row and its table; the keys of the rest join the space."""
        assert mapping.key_space is not None
        if mapping.row_class not in self._tables:
            self._tables.append(mapping.row_class)
        table = self._tables.index(mapping.row_class)
        parts = self._spaces.setdefault((mapping.source_schema, mapping.key_space), [])
        others = pl.concat(parts, rechunk=False).filter(pl.col("table") != table) if parts else None
        clash = pl.DataFrame() if others is None else rows.join(others, on="h", how="inner")
        if clash.height:
            titles = {c.slot: c.title for c in mapping.columns}
            findings, key_title = [], titles[mapping.key] if mapping.key else ""
            for row in clash.iter_rows(named=True):
                if len(findings) < keep_findings:
                    first = f"row {row['first_row']} of {self._files[row['first_file']]}"
                    value = f"{shorten(str(row['key']))!r}, first on {first}, a {self._tables[row['table']]}"
                    findings.append(make("duplicate-key", file=file, row=row[ROW], column=key_title, value=value))
            checked = replace(
                checked,
                frame=checked.frame.join(clash.select(ROW), on=ROW, how="anti", maintain_order="left"),
                rejected=checked.rejected + clash.height,
                rejected_by_reason=checked.rejected_by_reason + Counter({f"duplicate-key ({key_title})": clash.height}),
                finding_counts=checked.finding_counts + Counter({"duplicate-key": clash.height}),
                findings=checked.findings + findings,
            )
            rows = rows.join(clash.select(ROW), on=ROW, how="anti", maintain_order="left")
        known = pl.concat(parts, rechunk=False).filter(pl.col("table") == table)["h"] if parts else None
        new = rows.filter(pl.col("h").is_first_distinct())
        if known is not None and known.len():
            new = new.filter(~pl.col("h").is_in(known.implode()))
        parts.append(new.select("h", first_file=here, first_row=pl.col(ROW), table=pl.lit(table, pl.UInt32)))
        if len(parts) > 64:  # fewer, larger parts as they grow
            parts[:] = [pl.concat(parts)]
        return checked, rows

    def _rejected(
        self, mapping: Mapping, checked: CheckedBatch, repeats: pl.DataFrame, *, file: str, keep: int
    ) -> CheckedBatch:
        """*checked* without the *repeats*, each counted as rejected, with its finding."""
        titles = {c.slot: c.title for c in mapping.columns}
        slots = list(titles)
        differs = repeats.select(
            pl.concat_list(
                [pl.when(pl.col(f"#{s}") != pl.col(f"#{s}@first")).then(pl.lit(s)) for s in slots]
            ).list.drop_nulls()
        ).to_series()
        counts: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        findings: list[Finding] = []
        key_title = titles[mapping.key] if mapping.key else ""
        for row, columns in zip(repeats.iter_rows(named=True), differs.to_list(), strict=True):
            code = "duplicate-key" if columns else "duplicate-row"
            counts[code] += 1
            reasons[f"{code} ({key_title})"] += 1
            if len(findings) < keep:
                first = f"row {row['first_row']} of {self._files[row['first_file']]}"
                said = "; ".join(f"{titles[s]} {shorten(str(row[s] or ''), 40)!r} here" for s in columns)
                value = f"{shorten(str(row['key']))!r}, first on {first}" + (f"; differs in {said}" if said else "")
                findings.append(make(code, file=file, row=row[ROW], column=key_title, value=value))
        return replace(
            checked,
            frame=checked.frame.join(repeats.select(ROW), on=ROW, how="anti", maintain_order="left"),
            rejected=checked.rejected + repeats.height,
            rejected_by_reason=checked.rejected_by_reason + reasons,
            finding_counts=checked.finding_counts + counts,
            findings=checked.findings + findings,
        )


def _number(names: list[str], name: str) -> int:
    """The number of *name* in *names*, added at the end if it is not there."""
    if name not in names:
        names.append(name)
    return names.index(name)


def _renumbered(
    part: pl.Series | pl.DataFrame, files: dict[int, int], tables: dict[int, int]
) -> pl.Series | pl.DataFrame:
    """A part of another index with its file and table numbers turned into this one's."""
    if isinstance(part, pl.Series):
        return part
    renumber = {"first_file": files, "table": tables}
    return part.with_columns(
        pl.col(column).replace_strict(numbers, return_dtype=pl.UInt32)
        for column, numbers in renumber.items()
        if column in part.columns
    )
