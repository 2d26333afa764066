"""Releases of the vocabulary: the diff between two schemas, its verdict, the CLI and the project's history."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from policeonto.build.owl_fixes import release_versions
from policeonto.docs.changes import changes_page
from policeonto.errors import SchemaError
from policeonto.releases import Change, diff_releases, least_next_version, prior_release
from policeonto.releases.render import as_markdown, as_text
from policeonto.vocab import SCHEMA_PATH, schema_view

ROOT = Path(__file__).resolve().parents[1]

BASE: dict[str, Any] = {
    "id": "https://example.org/pets",
    "name": "pets",
    "version": "1.0.0",
    "prefixes": {"linkml": "https://w3id.org/linkml/", "pets": "https://example.org/pets/"},
    "default_prefix": "pets",
    "default_range": "string",
    "imports": ["linkml:types"],
    "classes": {
        "Animal": {"slots": ["name", "species", "friend"]},
        "Dog": {"is_a": "Animal"},
    },
    "slots": {
        "name": {"pattern": "^[A-Z][a-z]+$"},
        "species": {"range": "Species"},
        "friend": {"range": "Animal"},
    },
    "enums": {"Species": {"permissible_values": {"cat": {"meaning": "pets:cat"}, "dog": {"meaning": "pets:dog"}}}},
}


def _write(folder: Path, name: str, schema: dict[str, Any]) -> str:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(schema, sort_keys=False), encoding="utf-8")
    return str(path)


def _added_slot(s: dict[str, Any]) -> None:
    s["slots"]["age"] = {"range": "integer"}
    s["classes"]["Animal"]["slots"].append("age")


def _new_required_slot(s: dict[str, Any]) -> None:
    s["slots"]["chip"] = {"required": True}
    s["classes"]["Dog"]["slots"] = ["chip"]


def _removed_code(s: dict[str, Any]) -> None:
    del s["enums"]["Species"]["permissible_values"]["cat"]


def _narrowed_range(s: dict[str, Any]) -> None:
    s["slots"]["friend"]["range"] = "Dog"


def _deprecated_code(s: dict[str, Any]) -> None:
    codes = s["enums"]["Species"]["permissible_values"]
    codes["canine"] = {"meaning": "pets:canine"}
    codes["dog"].update(deprecated="merged into canine", deprecated_element_has_exact_replacement="canine")


def _tighter_pattern(s: dict[str, Any]) -> None:
    s["slots"]["name"]["pattern"] = "^[A-Z][a-z]{1,20}$"


def _dropped_pattern_and_optional_multivalued(s: dict[str, Any]) -> None:
    del s["slots"]["name"]["pattern"]
    s["slots"]["friend"]["multivalued"] = True


_RULE = {
    "title": "short names",
    "preconditions": {"slot_conditions": {"species": {"equals_string": "dog"}}},
    "postconditions": {"slot_conditions": {"name": {"pattern": "^.{1,8}$"}}},
}


def _added_rule(s: dict[str, Any]) -> None:
    s["classes"]["Dog"]["rules"] = [copy.deepcopy(_RULE)]


def _changed_rule(s: dict[str, Any]) -> None:
    _added_rule(s)
    s["classes"]["Dog"]["rules"][0]["postconditions"]["slot_conditions"]["name"]["pattern"] = "^.{1,6}$"


CASES: list[tuple[str, Callable[[dict[str, Any]], None], tuple[Change, ...]]] = [
    (
        "added slot",
        _added_slot,
        (
            Change("added", "Animal.age", "slot", None, "age", False),
            Change("added", "Dog.age", "slot", None, "age", False),
            Change("added", "age", "slot", None, "age", False),
        ),
    ),
    (
        "new required slot",
        _new_required_slot,
        (
            Change("added", "Dog.chip", "required slot", None, "chip", True),
            Change("added", "chip", "slot", None, "chip", False),
        ),
    ),
    ("removed code", _removed_code, (Change("removed", "Species:cat", "code", "cat", None, True),)),
    (
        "narrowed range",
        _narrowed_range,
        (
            Change("changed", "Animal.friend", "range", "Animal", "Dog", True),
            Change("changed", "Dog.friend", "range", "Animal", "Dog", True),
        ),
    ),
    (
        "deprecated with replacement",
        _deprecated_code,
        (
            Change("added", "Species:canine", "code", None, "canine", False),
            Change("deprecated", "Species:dog", "code", None, "canine", False),
        ),
    ),
    (
        "tighter pattern",
        _tighter_pattern,
        (
            Change("changed", "Animal.name", "pattern", "^[A-Z][a-z]+$", "^[A-Z][a-z]{1,20}$", True),
            Change("changed", "Dog.name", "pattern", "^[A-Z][a-z]+$", "^[A-Z][a-z]{1,20}$", True),
        ),
    ),
    ("added rule", _added_rule, (Change("added", "Dog: short names", "rule", None, "short names", True),)),
    (
        "looser pattern and cardinality",
        _dropped_pattern_and_optional_multivalued,
        (
            Change("changed", "Animal.name", "pattern", "^[A-Z][a-z]+$", None, False),
            Change("changed", "Animal.friend", "multivalued", "false", "true", False),
            Change("changed", "Dog.name", "pattern", "^[A-Z][a-z]+$", None, False),
            Change("changed", "Dog.friend", "multivalued", "false", "true", False),
        ),
    ),
]


@pytest.mark.parametrize(
    ("edit", "expected"), [(edit, expected) for _, edit, expected in CASES], ids=[c[0] for c in CASES]
)
def test_diff_lists_exact_changes_and_verdict(
    tmp_path: Path, edit: Callable[[dict[str, Any]], None], expected: tuple[Change, ...]
) -> None:
    new = copy.deepcopy(BASE)
    edit(new)
    new["version"] = "1.1.0"
    diff = diff_releases(_write(tmp_path, "old", BASE), _write(tmp_path, "new", new), root=tmp_path)
    assert sorted(diff.changes, key=repr) == sorted(expected, key=repr)
    assert diff.compatible == (not any(change.breaking for change in expected))
    assert (diff.old_version, diff.new_version) == ("1.0.0", "1.1.0")


def test_widened_range_is_compatible(tmp_path: Path) -> None:
    old = copy.deepcopy(BASE)
    old["slots"]["friend"]["range"] = "Dog"
    diff = diff_releases(_write(tmp_path, "old", old), _write(tmp_path, "new", BASE), root=tmp_path)
    assert diff.changes == (
        Change("changed", "Animal.friend", "range", "Dog", "Animal", False),
        Change("changed", "Dog.friend", "range", "Dog", "Animal", False),
    )
    assert diff.compatible


def test_a_rule_for_a_new_code_breaks_no_old_data(tmp_path: Path) -> None:
    new = copy.deepcopy(BASE)
    new["enums"]["Species"]["permissible_values"]["hamster"] = {"meaning": "pets:hamster"}
    rule = copy.deepcopy(_RULE)
    rule["preconditions"]["slot_conditions"]["species"]["equals_string"] = "hamster"
    new["classes"]["Dog"]["rules"] = [rule]
    diff = diff_releases(_write(tmp_path, "old", BASE), _write(tmp_path, "new", new), root=tmp_path)
    assert diff.changes == (
        Change("added", "Dog: short names", "rule", None, "short names", False),
        Change("added", "Species:hamster", "code", None, "hamster", False),
    )
    assert diff.compatible


def test_changed_and_removed_rules(tmp_path: Path) -> None:
    old, new = copy.deepcopy(BASE), copy.deepcopy(BASE)
    _added_rule(old)
    _changed_rule(new)
    changed = diff_releases(_write(tmp_path, "old", old), _write(tmp_path, "new", new), root=tmp_path)
    assert changed.changes == (Change("changed", "Dog: short names", "rule", "short names", "short names", True),)
    assert as_text(changed).splitlines()[1] == "  changed  rule  Dog: short names  its conditions changed  (breaking)"
    removed = diff_releases(_write(tmp_path, "old", old), _write(tmp_path, "new", BASE), root=tmp_path)
    assert removed.changes == (Change("removed", "Dog: short names", "rule", "short names", None, False),)
    assert removed.compatible


def test_removed_class_and_slot_break(tmp_path: Path) -> None:
    new = copy.deepcopy(BASE)
    del new["classes"]["Dog"]
    new["slots"]["friend"]["range"] = "Animal"
    diff = diff_releases(_write(tmp_path, "old", BASE), _write(tmp_path, "new", new), root=tmp_path)
    assert diff.changes == (Change("removed", "Dog", "class", "Dog", None, True),)
    assert not diff.compatible


def test_least_next_version_follows_semantic_versioning(tmp_path: Path) -> None:
    breaking, compatible = copy.deepcopy(BASE), copy.deepcopy(BASE)
    _removed_code(breaking)
    _deprecated_code(compatible)
    old = _write(tmp_path, "old", BASE)
    assert least_next_version("1.0.0", diff_releases(old, _write(tmp_path, "b", breaking), root=tmp_path)) == "2.0.0"
    assert least_next_version("1.0.0", diff_releases(old, _write(tmp_path, "c", compatible), root=tmp_path)) == "1.1.0"
    assert least_next_version("1.0.0", diff_releases(old, old, root=tmp_path)) == "1.0.1"


def test_renderings_name_every_change(tmp_path: Path) -> None:
    new = copy.deepcopy(BASE)
    _deprecated_code(new)
    _removed_code(new)
    diff = diff_releases(_write(tmp_path, "old", BASE), _write(tmp_path, "new", new), root=tmp_path)
    assert as_text(diff).splitlines() == [
        "1.0.0 -> 1.0.0: breaking (3 changes, 1 breaking)",
        "  removed     code  Species:cat  (breaking)",
        "  added       code  Species:canine",
        "  deprecated  code  Species:dog  replaced by canine",
    ]
    table = as_markdown(diff).splitlines()
    assert table[0] == "## 1.0.0 against 1.0.0"
    assert "| deprecated | `Species:dog` | code | replaced by canine | no |" in table


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policeonto", "diff", *args], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_cli_exit_code_is_the_verdict(tmp_path: Path) -> None:
    breaking, compatible = copy.deepcopy(BASE), copy.deepcopy(BASE)
    _narrowed_range(breaking)
    _added_slot(compatible)
    old = _write(tmp_path, "old", BASE)
    done = _cli(old, _write(tmp_path, "b", breaking), "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["compatible"] is False
    assert report["changes"][0] == {
        "kind": "changed",
        "term": "Animal.friend",
        "what": "range",
        "old": "Animal",
        "new": "Dog",
        "breaking": True,
    }
    assert _cli(old, _write(tmp_path, "c", compatible), cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("revision", ["--output=x", "HEAD;ls", "HEAD:README.md", "no-such-revision"])
def test_a_release_that_is_no_file_nor_revision_is_refused(revision: str) -> None:
    with pytest.raises(SchemaError, match="neither a schema file or folder nor a git revision"):
        diff_releases(revision, str(SCHEMA_PATH), root=ROOT)
    done = _cli("--", revision, str(SCHEMA_PATH), cwd=ROOT)
    assert done.returncode == 2
    assert "neither a schema file or folder nor a git revision" in done.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [("id: x\nname: [unclosed\n", "while parsing a flow sequence"), ("just a string\n", "Unexpected type")],
)
def test_a_release_that_is_no_schema_is_a_schema_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(SchemaError, match=f"bad.yaml: not a LinkML schema \\({message}"):
        diff_releases(str(tmp_path / "bad.yaml"), str(SCHEMA_PATH), root=tmp_path)
    done = _cli(str(tmp_path / "bad.yaml"), str(SCHEMA_PATH), cwd=tmp_path)
    assert done.returncode == 2
    assert "internal error" not in done.stderr and "not a LinkML schema" in done.stderr


needs_git = pytest.mark.skipif(  # a shallow clone lacks the commit of release 0.1.0
    shutil.which("git") is None or not (ROOT / ".git").exists() or prior_release(ROOT, "0.1.0") is None,
    reason="needs the project's git history back to release 0.1.0",
)


@needs_git
def test_the_schema_version_is_at_least_what_its_changes_since_the_prior_release_ask() -> None:
    view = schema_view()
    version, prior = release_versions(view)
    assert prior is not None
    release = prior_release(ROOT, prior)
    assert release is not None
    diff = diff_releases(release.commit, str(SCHEMA_PATH), root=ROOT)
    least = least_next_version(prior, diff)
    assert tuple(map(int, version.split("."))) >= tuple(map(int, least.split("."))), (version, least)


@needs_git
def test_the_changes_page_lists_this_version_against_the_prior_release() -> None:
    page = changes_page(ROOT, schema_view())
    assert "## 0.2.0 against 0.1.0" in page
    assert "No release is tagged `v0.1.0`: compared with commit" in page
    assert "| added | `IdentifierScheme:nhs-number` | code |  | no |" in page


def test_the_changes_page_without_history_says_so(tmp_path: Path) -> None:
    page = changes_page(tmp_path, schema_view())
    assert "Release 0.1.0 is not in this checkout's git history" in page
    assert "| added |" not in page


@needs_git
def test_real_schema_against_the_first_commit() -> None:
    first = subprocess.run(
        ["git", "-C", str(ROOT), "rev-list", "--max-parents=0", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.split()[0]
    diff = diff_releases(first, str(SCHEMA_PATH.parent), root=ROOT)
    assert diff.old_version == "0.1.0"
    assert Change("added", "IdentifierScheme:nhs-number", "code", None, "nhs-number", False) in diff.changes
    assert Change("changed", "IdentifierScheme:pnc-id", "check", None, "pnc-check-letter", True) in diff.changes
    assert Change("changed", "Link", "disjoint_with", None, "Entity", True) in diff.changes
    assert not diff.compatible
    release = prior_release(ROOT, "0.1.0")
    assert release is not None and release.commit == first and not release.tagged
