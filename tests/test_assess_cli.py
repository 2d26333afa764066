"""``policeonto assess`` run as a steward runs it: exit codes 0 / 1 / 2, the JSON report, DQV loaded into a
store and queried, and criteria or answers files that are wrong named in the error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph

from tests.assess_fixtures import write_variant


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policeonto", "assess", *args], capture_output=True, text=True, check=False
    )


def test_a_clean_export_exits_0_with_its_level_and_a_json_report(tmp_path: Path) -> None:
    files, answers = write_variant("clean", tmp_path)
    text = _cli(*map(str, files), "--answers", str(answers))
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines()[0] == "at level: semantic (criteria 0.2.0)"
    agreed = ("--agreements", str(tmp_path / "agreements"), "--on", "2026-12-05")
    run = _cli(*map(str, files), "--answers", str(answers), *agreed, "--format", "json")
    report = json.loads(run.stdout)
    assert report["at_level"] == "semantic"
    assert {name: level["score"] for name, level in report["levels"].items()} == {
        "foundational": 1.0,
        "structural": 1.0,
        "semantic": 1.0,
        "organisational": 0.5385,
    }
    assert [i["id"] for i in report["items"] if i["attested"]] == [
        "data-owner-named",
        "transport-security",
        "change-process",
    ]


def test_an_export_below_the_foundational_level_exits_1(tmp_path: Path) -> None:
    files, answers = write_variant("foundational", tmp_path)
    run = _cli(*map(str, files), "--answers", str(answers))
    assert run.returncode == 1
    assert run.stdout.splitlines()[0] == "at level: none (foundational not reached) (criteria 0.2.0)"


def test_the_dqv_report_loads_into_a_store_and_answers_sparql(tmp_path: Path) -> None:
    files, answers = write_variant("semantic", tmp_path)
    out = tmp_path / "assessment.ttl"
    run = _cli(*map(str, files), "--answers", str(answers), "--format", "dqv", "-o", str(out))
    assert run.returncode == 0, run.stderr
    store = pyoxigraph.Store()
    store.load(path=str(out), format=pyoxigraph.RdfFormat.TURTLE)
    query = """PREFIX dqv: <http://www.w3.org/ns/dqv#> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?dimension ?value WHERE {
          ?m a dqv:QualityMeasurement ; dqv:isMeasurementOf ?metric ; dqv:value ?value ; prov:wasGeneratedBy ?run .
          ?run a prov:Activity . ?metric a dqv:Metric ; dqv:inDimension ?dimension .
          FILTER (STRENDS(STR(?metric), "-score")) }"""
    solutions = store.query(query)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    found = {s["dimension"].value.rsplit("/", 1)[1]: float(s["value"].value) for s in solutions}
    assert found == {"foundational": 1.0, "structural": 1.0, "semantic": 0.7976, "organisational": 0.2308}
    attested = store.query(
        "PREFIX prov: <http://www.w3.org/ns/prov#> SELECT (COUNT(?m) AS ?n) WHERE { ?m prov:wasAttributedTo ?a }"
    )
    assert isinstance(attested, pyoxigraph.QuerySolutions)
    assert [s["n"].value for s in attested] == ["3"]


def test_a_bad_criteria_file_exits_2_naming_the_item(tmp_path: Path) -> None:
    files, _ = write_variant("clean", tmp_path)
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        'version: "1"\nitems:\n  - {id: owner, level: cultural, description: d, measure: attested, how: h, '
        "weight: 1}\n",
        encoding="utf-8",
    )
    run = _cli(*map(str, files), "--criteria", str(criteria))
    assert run.returncode == 2
    assert "item 'owner'" in run.stderr and "cultural" in run.stderr


def test_an_answer_to_no_attested_item_exits_2(tmp_path: Path) -> None:
    files, _ = write_variant("clean", tmp_path)
    answers = tmp_path / "wrong.yaml"
    answers.write_text("rows-read-whole: true\n", encoding="utf-8")
    run = _cli(*map(str, files), "--answers", str(answers))
    assert run.returncode == 2
    assert "item 'rows-read-whole'" in run.stderr


def test_compare_shows_the_change_since_an_earlier_assessment(tmp_path: Path) -> None:
    files, answers = write_variant("semantic", tmp_path / "before")
    earlier = tmp_path / "before.json"
    assert _cli(*map(str, files), "--answers", str(answers), "--format", "json", "-o", str(earlier)).returncode == 0
    clean, answers = write_variant("clean", tmp_path / "after")
    run = _cli(*map(str, clean), "--answers", str(answers), "--compare", str(earlier), "--format", "json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["change"] == {
        "at_level": {"before": "structural", "after": "semantic"},
        "levels": {"semantic": {"before": 0.7976, "after": 1.0}},
        "items": {
            "coded-values-national": {"before": 0.5714, "after": 1.0},
            "unmapped-labels": {"before": 0.6667, "after": 1.0},
        },
    }
    text = _cli(*map(str, clean), "--answers", str(answers), "--compare", str(earlier))
    assert "since the earlier assessment: at level structural -> semantic" in text.stdout.splitlines()
    other = tmp_path / "other.json"
    other.write_text('{"levels": [1]}', encoding="utf-8")
    bad = _cli(*map(str, clean), "--compare", str(other))
    assert bad.returncode == 2 and "other.json: is no assessment report" in bad.stderr
    unread = _cli(*map(str, clean), "--compare", str(answers))
    assert unread.returncode == 2 and "cannot be read as an assessment report" in unread.stderr


def test_a_refused_or_ended_agreement_is_named_and_a_missing_one_exits_2(tmp_path: Path) -> None:
    files, _ = write_variant("clean", tmp_path)
    refused = tmp_path / "refused.yaml"
    refused.write_text(
        (tmp_path / "agreements" / "calibration.yaml").read_text().replace("purpose: dpv:", "purpose: x:")
    )
    run = _cli(*map(str, files), "--agreements", str(tmp_path / "agreements"), "--agreements", str(refused),
               "--on", "2100-01-01", "--format", "json")  # fmt: skip
    assert run.returncode == 0, run.stderr
    item = {i["id"]: i for i in json.loads(run.stdout)["items"]}["agreements-in-force"]
    assert item["counts"] == {"agreements": 2, "in_force": 0}
    assert [o.rsplit("/", 1)[1] for o in item["offenders"]] == [
        "calibration.yaml: ended 2099-12-31",
        "refused.yaml: refused: agreement-unknown-purpose",
    ]
    missing = _cli(*map(str, files), "--agreements", str(tmp_path / "none.yaml"))
    assert missing.returncode == 2 and "none.yaml" in missing.stderr
