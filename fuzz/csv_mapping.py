"""Fuzz target: a CSV export mapped with the bundled mappings (the file is recognised by its header)."""

from __future__ import annotations

from fuzz.harness import EXAMPLES, ROOT, Seeds, head_lines, main, scratch
from fuzz.invariants import map_checked

NAME = "csv_mapping"
FILE_NAME = "2024-01-kent-street.csv"


def check(data: bytes) -> None:
    """Map *data* as a CSV file; raise :class:`~fuzz.harness.Bug` on anything but a result or an allowed error."""
    map_checked(scratch(FILE_NAME, data))


def seeds() -> Seeds:
    """The first rows of every bundled CSV example and test source."""
    files = [*sorted(EXAMPLES.glob("**/*.csv")), *sorted((ROOT / "tests" / "data" / "sources").glob("*.csv"))]
    for path in files:
        yield path.name, head_lines(path, 12)


if __name__ == "__main__":
    main(check, imports=("policeonto.mapping",))
