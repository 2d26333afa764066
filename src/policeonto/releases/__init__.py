"""Releases of the vocabulary: what changed between two of them, and whether old data still fits."""

from __future__ import annotations

from pathlib import Path

from linkml_runtime.utils.schemaview import SchemaView

from policeonto.releases.diff import Change, Diff, compare, least_next_version
from policeonto.releases.sources import Release, prior_release, release_schema

__all__ = ["Change", "Diff", "Release", "compare", "diff_releases", "least_next_version", "prior_release"]


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
        return compare(SchemaView(str(old_path)), SchemaView(str(new_path)))
