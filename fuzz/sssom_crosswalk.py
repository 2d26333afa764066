"""Fuzz target: an SSSOM crosswalk file, read, checked and turned into its label -> code table."""

from __future__ import annotations

from fuzz.harness import MAPPINGS, Bug, Seeds, expected, main, scratch

NAME = "sssom_crosswalk"


def check(data: bytes) -> None:
    """Read *data* as an SSSOM TSV file; raise :class:`~fuzz.harness.Bug` on anything but a crosswalk or an
    allowed error."""
    from policeonto.mapping.crosswalk import read_crosswalk

    path = scratch("fuzzed.sssom.tsv", data)
    read_crosswalk.cache_clear()  # the same path holds a new crosswalk each time
    try:
        walk = read_crosswalk(path)
    except Exception as exc:
        if not expected(exc, path):
            raise Bug.unexpected(exc, f"reading {path.name}") from exc
        return
    codes = walk.codes()
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in codes.items()):
        raise Bug(f"{path.name}: codes are not all text")


def seeds() -> Seeds:
    """Every bundled crosswalk."""
    for path in sorted((MAPPINGS / "crosswalks").glob("*.sssom.tsv")):
        yield path.name, path.read_bytes()


if __name__ == "__main__":
    main(check, imports=("policeonto.mapping.crosswalk",), packages=("yaml", "csv"))
