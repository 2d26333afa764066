"""Fuzz target: a JSON export (Force B's JSON:API document) mapped with the bundled mappings."""

from __future__ import annotations

import json

from fuzz.harness import EXAMPLES, Seeds, main, scratch
from fuzz.invariants import map_checked

NAME = "json_export"
FILE_NAME = "export.json"


def check(data: bytes) -> None:
    """Map *data* as a JSON export; raise :class:`~fuzz.harness.Bug` on anything but a result or an allowed error."""
    map_checked(scratch(FILE_NAME, data))


def seeds() -> Seeds:
    """Small documents cut from the bundled Force B export: a few records of each member."""
    document = json.loads((EXAMPLES / "force-b" / "export.json").read_text(encoding="utf-8"))
    for size in (1, 3, 8):
        cut = {k: (v[:size] if isinstance(v, list) else v) for k, v in document.items()}
        yield f"export-{size}.json", json.dumps(cut, indent=1).encode("utf-8")
    yield (
        "export-compact.json",
        json.dumps({k: v[:2] if isinstance(v, list) else v for k, v in document.items()}).encode(),
    )


if __name__ == "__main__":
    main(check, imports=("policeonto.mapping",), packages=("json",))
