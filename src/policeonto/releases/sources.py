"""Where a release of the schema is read from: a schema file, a folder of them, or a git revision of the
project (its ``src/policeonto/schema/`` copied out of git into a temporary folder).

Git runs without a shell, with the revision after ``--end-of-options``; a revision is refused unless git
resolves it to a commit.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from policeonto.errors import SchemaError

__all__ = ["SCHEMA_FOLDER", "Release", "prior_release", "release_schema", "resolve_commit", "tagged_releases"]

#: The schema's folder inside the project, as git names it.
SCHEMA_FOLDER = "src/policeonto/schema"
_MAIN = "policeonto.yaml"
_TAG = re.compile(r"^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")


@dataclass(frozen=True)
class Release:
    """A release of the schema in the project's history: its version, commit and how it was found."""

    version: str
    commit: str
    tagged: bool  # false: no tag v<version>; the commit is where the version was first set


def _git(root: Path, *args: str) -> str | None:
    """git's output, or None when git fails (not a repository, no such object)."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def resolve_commit(root: Path, revision: str) -> str:
    """The full commit id *revision* names in the git repository at *root*.

    Raises:
        SchemaError: *revision* is not a revision of a commit there (or git is missing).
    """
    found = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    if not found:
        raise SchemaError(f"{revision[:80]!r} is neither a schema file or folder nor a git revision of {root}")
    return found.strip()


def _main_file(folder: Path) -> Path:
    main = folder / _MAIN
    if main.is_file():
        return main
    candidates = sorted(folder.glob("*.yaml"))
    if len(candidates) == 1:
        return candidates[0]
    raise SchemaError(f"{folder}: no {_MAIN} and not exactly one .yaml file; give the schema file")


@contextmanager
def release_schema(source: str, *, root: Path) -> Iterator[Path]:
    """The main schema file of *source*: a schema file, a folder holding ``policeonto.yaml``, or a git
    revision of the repository at *root* (copied into a temporary folder, removed on exit).

    Raises:
        SchemaError: *source* is none of these, or the revision holds no schema.
    """
    path = Path(source)
    if path.is_file():
        yield path
        return
    if path.is_dir():
        yield _main_file(path)
        return
    commit = resolve_commit(root, source)
    listing = _git(root, "ls-tree", "--full-tree", "-r", "-z", "--name-only", commit, "--", SCHEMA_FOLDER) or ""
    names = [name for name in listing.split("\0") if name.endswith(".yaml")]
    if not names:
        raise SchemaError(f"{source[:80]!r} ({commit[:12]}) holds no schema under {SCHEMA_FOLDER}")
    with tempfile.TemporaryDirectory(prefix="policeonto-release-") as temporary:
        folder = Path(temporary)
        for name in names:
            text = _git(root, "cat-file", "blob", f"{commit}:{name}")
            if text is None:
                raise SchemaError(f"{commit[:12]}:{name}: git could not read it")
            target = folder / Path(name).relative_to(SCHEMA_FOLDER)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        yield _main_file(folder)


def _version_key(version: str) -> tuple[int, int, int]:
    major, minor, patch = (int(part) for part in version.split("."))
    return major, minor, patch


def tagged_releases(root: Path) -> list[Release]:
    """The releases tagged ``vMAJOR.MINOR.PATCH`` in the repository at *root*, oldest first (none without
    git)."""
    found = _git(root, "tag", "--list", "v*") or ""
    releases = []
    for version in sorted((tag[1:] for tag in found.split() if _TAG.match(tag)), key=_version_key):
        commit = _git(root, "rev-parse", "--verify", "--quiet", f"refs/tags/v{version}^{{commit}}")
        if commit:  # a tag of something other than a commit is no release
            releases.append(Release(version, commit.strip(), tagged=True))
    return releases


def prior_release(root: Path, version: str) -> Release | None:
    """Where release *version* is in the history of the repository at *root*: the tag ``v<version>``,
    else the first commit whose schema carries that version. None when neither exists (or no git).
    """
    tagged = _git(root, "rev-parse", "--verify", "--quiet", f"refs/tags/v{version}^{{commit}}")
    if tagged:
        return Release(version, tagged.strip(), tagged=True)
    pattern = f"^version: {re.escape(version)}$"
    found = _git(root, "log", "--reverse", "--format=%H", "-G", pattern, "--", f"{SCHEMA_FOLDER}/{_MAIN}")
    for commit in (found or "").split():
        text = _git(root, "cat-file", "blob", f"{commit}:{SCHEMA_FOLDER}/{_MAIN}") or ""
        if re.search(pattern, text, re.MULTILINE):
            return Release(version, commit, tagged=False)
    return None
