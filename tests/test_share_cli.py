"""``policeonto share`` on the example agreements and exports: the copy and its manifest, keys from a file or
the environment, and every refusal (no key, a short or unreadable key, a bad agreement) a clear error with
exit 2 and nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from policeonto.cli import main
from policeonto.store import EmbeddedStore
from policeonto.store.base import syntax_of
from tests.conftest import DATA, ROOT

AGREEMENTS = ROOT / "examples" / "agreements"
FORCE_A = [str(p) for p in sorted((ROOT / "examples" / "force-a").glob("*.csv"))]
FORCE_B = str(ROOT / "examples" / "force-b" / "export.json")
SAFEGUARDING = str(AGREEMENTS / "safeguarding-partnership.yaml")
KEY = "a-steward's-key-of-forty-bytes-or-so-000"


def _run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)


def _key(folder: Path, text: str = KEY) -> str:
    path = folder / "steward.key"
    path.write_text(text + "\n", encoding="utf-8")
    return str(path)


def test_share_under_the_safeguarding_agreement(tmp_path: Path) -> None:
    out = tmp_path / "copy.nt"
    result = _run("share", FORCE_B, "--agreement", SAFEGUARDING, "-o", str(out), "--key-file", _key(tmp_path),
                  "--format", "json")  # fmt: skip
    summary = json.loads(result.stdout)
    assert result.exit_code == 1  # force B has rows rejected in mapping, as policeonto map says
    assert summary["rows_read"] == summary["rows_mapped"] + summary["rows_rejected"] and summary["rows_rejected"]
    assert summary["pseudonymised"] > 0 and summary["records_shared"] > 0
    copy = Graph().parse(out, format="nt")
    assert len(copy) == summary["triples_shared"]
    manifest = Graph().parse(tmp_path / "copy.nt.manifest.ttl", format="turtle")
    share = "https://w3id.org/policeonto/share#"
    assert summary["copy_sha256"] in {str(o) for o in manifest.objects(None, URIRef(share + "sha256"))}
    agreement = URIRef("https://w3id.org/policeonto/agreements/example/safeguarding-partnership")
    assert (None, URIRef(share + "agreement"), agreement) in manifest
    for written in (out, tmp_path / "copy.nt.manifest.ttl"):
        assert KEY not in written.read_text(encoding="utf-8")


def test_a_key_from_the_environment_gives_the_same_copy(tmp_path: Path) -> None:
    by_file = _run("share", FORCE_B, "--agreement", SAFEGUARDING, "-o", str(tmp_path / "a.nt"),
                   "--key-file", _key(tmp_path))  # fmt: skip
    by_env = _run("share", FORCE_B, "--agreement", SAFEGUARDING, "-o", str(tmp_path / "b.nt"),
                  "--key-env", "STEWARD_KEY", env={"STEWARD_KEY": KEY})  # fmt: skip
    assert by_file.exit_code == by_env.exit_code == 1
    assert (tmp_path / "a.nt").read_bytes() == (tmp_path / "b.nt").read_bytes()
    assert KEY not in by_file.output + by_env.output


def test_the_neighbouring_force_needs_no_key(tmp_path: Path) -> None:
    result = _run("share", *FORCE_A, "--agreement", str(AGREEMENTS / "neighbouring-force.ttl"),
                  "-o", str(tmp_path / "copy.ttl"), "--syntax", "ttl")  # fmt: skip
    assert result.exit_code == 1, result.output  # force A has dangling references, rejected in mapping
    copy = Graph().parse(tmp_path / "copy.ttl", format="turtle")
    assert (URIRef("https://w3id.org/policeonto/data/force-a/nominal/N0000001"), None, None) in copy


@pytest.mark.parametrize(
    ("key", "env", "message"),
    [
        (None, None, "--key-file or --key-env"),
        ("short", None, "fewer than the 32"),
        ("missing", None, "cannot be read"),
        (None, "NO_SUCH_VARIABLE_FOR_POLICEONTO", "is not set"),
    ],
)
def test_a_bad_key_is_refused_and_nothing_written(
    tmp_path: Path, key: str | None, env: str | None, message: str
) -> None:
    args = ["share", FORCE_B, "--agreement", SAFEGUARDING, "-o", str(tmp_path / "out" / "copy.nt")]
    (tmp_path / "out").mkdir()
    if key == "short":
        args += ["--key-file", _key(tmp_path, "tiny-secret")]
    elif key == "missing":
        args += ["--key-file", str(tmp_path / "nowhere.key")]
    if env:
        args += ["--key-env", env]
    result = _run(*args)
    assert result.exit_code == 2
    assert message in result.output and "tiny-secret" not in result.output
    assert "Traceback" not in result.output
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize(
    ("agreement", "message"),
    [
        (DATA / "sharing" / "marked.ttl", "agreement"),  # no agreement at all
    ],
)
def test_an_agreement_refused_writes_nothing(tmp_path: Path, agreement: Path, message: str) -> None:
    result = _run("share", FORCE_B, "--agreement", str(agreement), "-o", str(tmp_path / "copy.nt"))
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "copy.nt").exists() and not (tmp_path / "copy.nt.manifest.ttl").exists()


def test_inputs_or_a_store_not_both(tmp_path: Path) -> None:
    result = _run("share", FORCE_B, "--store", str(tmp_path / "store"), "--agreement", SAFEGUARDING,
                  "-o", str(tmp_path / "copy.nt"))  # fmt: skip
    assert result.exit_code == 2 and "one of them" in result.output


def test_a_copy_never_overwrites_an_input(tmp_path: Path) -> None:
    target = tmp_path / "export.json"
    target.write_bytes(Path(FORCE_B).read_bytes())
    result = _run("share", str(target), "--agreement", SAFEGUARDING, "-o", str(target), "--key-file", _key(tmp_path))
    assert result.exit_code == 2
    assert target.read_bytes() == Path(FORCE_B).read_bytes()


def test_share_a_store(tmp_path: Path) -> None:
    marked = DATA / "sharing" / "marked.ttl"
    with EmbeddedStore(str(tmp_path / "store")) as store:
        store.load(marked, graph="https://example.org/graph/marked", syntax=syntax_of(marked))
    neighbour = str(AGREEMENTS / "neighbouring-force.ttl")
    result = _run("share", "--store", str(tmp_path / "store"), "--agreement", neighbour,
                  "-o", str(tmp_path / "copy.nt"), "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["withheld"]["above-ceiling"] == 2 and summary["withheld"]["link-to-withheld"] >= 1


def test_a_dry_run_says_field_by_field_and_writes_nothing(tmp_path: Path) -> None:
    result = _run("share", FORCE_B, "--agreement", SAFEGUARDING, "--key-file", _key(tmp_path), "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # Force B's 335 persons (35 planted for the linkage cases), 6 without a date of birth
    assert "    https://w3id.org/policeonto/date_of_birth: 329 leave as age-band" in lines
    assert "    https://w3id.org/policeonto/names: 335 stay: property-not-permitted" in lines
    assert any(
        line.startswith("    https://w3id.org/policeonto/person: ") and "as pseudonyms" in line for line in lines
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["steward.key"]


def test_resolving_a_pseudonym_is_recorded(tmp_path: Path) -> None:
    key = _key(tmp_path)
    shared = _run("share", FORCE_B, "--agreement", SAFEGUARDING, "-o", str(tmp_path / "copy.nt"), "--key-file", key)
    assert shared.exit_code == 1
    copy = Graph().parse(tmp_path / "copy.nt", format="nt")
    person = str(next(iter(copy.objects(None, URIRef("https://w3id.org/policeonto/person")))))
    record = tmp_path / "resolutions.ttl"
    args = ["share", FORCE_B, "--agreement", SAFEGUARDING, "--key-file", key, "-o", str(record), "--resolve"]
    found = _run(*args, person)
    assert found.exit_code == 0, found.output
    original = found.stdout.strip()
    assert original.startswith("<https://w3id.org/policeonto/data/") and "pseudonym" not in original
    missing = _run(*args, "0" * 32)
    assert missing.exit_code == 1
    acts = Graph().parse(record, format="turtle")
    share = "https://w3id.org/policeonto/share#"
    assert sorted(str(o) for o in acts.objects(None, URIRef(share + "found"))) == ["false", "true"]
    assert original.strip("<>") not in record.read_text(encoding="utf-8")
