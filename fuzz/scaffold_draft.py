"""Fuzz target: a CSV export never seen, drafted by ``policeonto scaffold`` and mapped with the draft. The
draft of any readable file must load as a mapping (its names, patterns, expressions and YAML come from the
file's header and values), and map the file with every row counted."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from fuzz.harness import EXAMPLES, ROOT, Bug, Seeds, expected, head_lines, main, scratch
from fuzz.invariants import map_checked

NAME = "scaffold_draft"
FILE_NAME = "unseen.csv"
_folders = itertools.count()
_root = Path(tempfile.mkdtemp(prefix="policeonto-fuzz-drafts-"))


def check(data: bytes) -> None:
    """Draft a mapping of *data* as a CSV file and map it with the draft; raise :class:`~fuzz.harness.Bug` on
    anything but an allowed error reading the file, or a broken invariant of the run."""
    from policeonto.mapping import MappingCatalogue
    from policeonto.scaffold import draft_mapping, write_draft

    path = scratch(FILE_NAME, data)
    try:
        draft = draft_mapping([path], name="fuzz")
    except Exception as exc:
        if expected(exc, path):
            return
        raise Bug.unexpected(exc, f"drafting {path.name}") from exc
    folder = _root / str(next(_folders))  # a new folder each time: loaded mappings are cached by path
    write_draft(draft, folder)
    map_checked(path, catalogue=MappingCatalogue.search([folder], environment={}))


def seeds() -> Seeds:
    """The first rows of every bundled CSV example and test source."""
    files = [*sorted(EXAMPLES.glob("**/*.csv")), *sorted((ROOT / "tests" / "data" / "sources").glob("*.csv"))]
    for path in files:
        yield path.name, head_lines(path, 12)


if __name__ == "__main__":
    main(check, imports=("policeonto.mapping", "policeonto.scaffold"))
