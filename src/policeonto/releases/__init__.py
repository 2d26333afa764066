"""Releases of the vocabulary: what changed between two of them, and whether old data still fits."""

from __future__ import annotations

from pathlib import Path

import yaml
from linkml_runtime.utils.schemaview import SchemaView

from policeonto.errors import SchemaError, shorten
from policeonto.releases.diff import Change, Diff, compare, least_next_version
from policeonto.releases.sources import Release, prior_release, release_schema

__all__ = [
    "Change",
    "Diff",
    "Release",
    "compare",
    "diff_releases",
    "least_next_version",
    "prior_release",
    "read_schema",
]


def diff_releases(old: str, new: str, *, root: Path) -> Diff:
    """Compare two releases of the schema, each a schema file, a folder holding ``policeonto.yaml`` or a
    git revision of the repository at *root*.

    Raises:
        SchemaError: a release is none of these.

    >>> from policeonto.vocab import SCHEMA_PATH
    >>> diff_releases(str(SCHEMA_PATH.parent), str(SCHEMA_PATH), root=SCHEMA_PATH.parent).changes
    ()
    """
    with release_schema(old, root=root) as old_path, release_schema(new, root=root) as new_path:
        return compare(read_schema(old_path, named=old), read_schema(new_path, named=new))


def read_schema(path: Path, *, named: str) -> SchemaView:
    """The schema at *path* with its imports read (the release given as *named*).

    Raises:
        SchemaError: it is not a LinkML schema (not YAML, not a mapping of schema fields).
    """
    try:
        view = SchemaView(str(path))
        view.all_elements()  # imports are read lazily: read them here, where their errors are the release's
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise SchemaError(f"{named}: not a LinkML schema ({shorten(str(exc), 200)})") from exc
    return view
