"""Fuzz target: a mapping file (a ``.transform.yaml`` alone in a folder of one's own, whose source schema,
context and crosswalks are found by name in the bundled folder), loaded and compiled into its mapping plan."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fuzz.harness import MAPPINGS, Bug, Seeds, expected, main

NAME = "mapping_spec"
_folder: Path | None = None


def _own_folder() -> Path:
    """An empty folder of mappings of one's own: a fuzzed mapping's references are looked for there, then in
    the bundled folder."""
    global _folder
    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="policeonto-fuzz-")) / "mappings"
        _folder.mkdir()
    return _folder


def check(data: bytes) -> None:
    """Load *data* as a mapping file; raise :class:`~fuzz.harness.Bug` on anything but a mapping plan or an
    allowed error."""
    from policeonto.mapping import spec
    from policeonto.mapping.plan import compile_plan
    from policeonto.vocab import schema_view

    path = _own_folder() / "fuzzed.transform.yaml"
    path.write_bytes(data)
    spec._load.cache_clear()  # the same path holds a new mapping each time
    try:
        compile_plan(spec.load_mapping(path), schema_view())
    except Exception as exc:
        if not expected(exc, path):
            raise Bug.unexpected(exc, f"loading {path.name}") from exc


def seeds() -> Seeds:
    """Every bundled mapping file."""
    for path in sorted(MAPPINGS.glob("*.transform.yaml")):
        yield path.name, path.read_bytes()


if __name__ == "__main__":
    main(check, imports=("policeonto.mapping.plan",), packages=("yaml",))
