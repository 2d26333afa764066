"""``policeonto agreement check`` and ``compile``, run as a steward runs them: exit codes, findings naming
each rule, and a compiled agreement written only when it passes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.test_agreements import EXAMPLES, NAMES, SHAPES, YAML_BASE, _changed, _write, _yaml


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policeonto", "agreement", *args], capture_output=True, text=True, check=False
    )


def test_the_cli_checks_agreements_and_says_which_are_refused(tmp_path: Path) -> None:
    good = _cli("check", *(str(EXAMPLES / f"{name}.yaml") for name in NAMES), "--format", "json")
    assert good.returncode == 0, good.stderr
    assert [entry["valid"] for entry in json.loads(good.stdout)] == [True, True, True]
    bad = _write(tmp_path, _changed("odrl:assignee <https://example.org/council> ;", ""))
    run = _cli("check", str(EXAMPLES / "statistics.ttl"), str(bad), "--format", "json")
    assert run.returncode == 1
    report = json.loads(run.stdout)
    assert [entry["valid"] for entry in report] == [True, False]
    assert [(f["code"], f["constraint"]) for f in report[1]["findings"]] == [
        ("agreement-profile", SHAPES + "agreement-assignee")
    ]
    text = _cli("check", str(bad))
    assert text.returncode == 1 and f"{bad}: agreement-profile: " in text.stdout
    missing = _cli("check", str(tmp_path / "gone.ttl"))
    assert missing.returncode == 2 and "agreement-unreadable: no such file" in missing.stderr


def test_the_cli_compiles_the_yaml_form_only_when_it_passes(tmp_path: Path) -> None:
    out = tmp_path / "safeguarding.ttl"
    run = _cli("compile", str(EXAMPLES / "safeguarding-partnership.yaml"), "-o", str(out))
    assert run.returncode == 0, run.stderr
    assert out.read_text(encoding="utf-8") == (EXAMPLES / "safeguarding-partnership.ttl").read_text(encoding="utf-8")
    bad = _yaml(tmp_path, YAML_BASE | {"classes": ["Persn"]})
    refused = tmp_path / "refused.ttl"
    run = _cli("compile", str(bad), "-o", str(refused))
    assert run.returncode == 1 and "agreement-undefined-target" in run.stdout
    assert not refused.exists()
    assert _cli("compile", str(bad), "-o", str(bad)).returncode == 2  # an output not .ttl: here the input
