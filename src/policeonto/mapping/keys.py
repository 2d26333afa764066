"""The keys of the rows mapped so far, for the foreign keys of one export checked across its files."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from policeonto.mapping.spec import Mapping

__all__ = ["KeyIndex"]


class KeyIndex:
    """The keys of the rows mapped so far, for each table that other tables of its export refer to."""

    def __init__(self) -> None:
        self._parts: dict[tuple[Path, str], list[pl.Series]] = {}

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
