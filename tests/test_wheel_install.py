"""The installed package, outside the checkout, maps, validates and loads a format it does not ship from a
folder of mappings of one's own: the wheel is built from this checkout, installed with its dependencies into
a fresh virtual environment in a temporary directory, and its ``policeonto`` console script is run there.

The folder is ``tests/data/own-mappings`` (Force D's custody register) copied next to the export: a
transformation and a source schema that name the bundled ``context`` and gender crosswalk, which the wheel
carries, with no copies. Slow (about a minute, most of it pip installing the dependencies).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import DATA, ROOT

PERSON = "https://w3id.org/policeonto/data/force-d/person/"


@dataclass(frozen=True)
class Installed:
    """A virtual environment with the wheel installed, and a working folder holding the export and the
    folder of mappings."""

    bin: Path
    work: Path

    def run(self, *args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """The installed console script, run in the working folder, seeing nothing of the checkout."""
        clean = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "POLICEONTO_MAPPINGS", "VIRTUAL_ENV"}}
        return subprocess.run(
            [str(self.bin / "policeonto"), *map(str, args)],
            cwd=self.work,
            env={**clean, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
        )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    top = tmp_path_factory.mktemp("wheel")
    wheels = top / "dist"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(ROOT)]
    subprocess.run(build, check=True, capture_output=True, timeout=600)
    (wheel,) = wheels.glob("policeonto-*.whl")
    venv = top / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)]
    subprocess.run(pip, check=True, capture_output=True, timeout=900, env={**os.environ, "PYTHONPATH": ""})
    work = top / "work"
    work.mkdir()
    shutil.copytree(DATA / "own-mappings", work / "mine")
    shutil.copy(DATA / "sources" / "custody-register.csv", work / "custody-register.csv")
    return Installed(venv / "bin", work)


def test_the_installed_package_is_the_one_run(installed: Installed) -> None:
    where = subprocess.run(
        [str(installed.bin / "python"), "-c", "import policeonto.mapping.catalogue as c; print(c.bundled_folder())"],
        cwd=installed.work,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        capture_output=True,
        text=True,
        check=True,
    )
    bundled = Path(where.stdout.strip())
    assert bundled.is_relative_to(installed.bin.parent) and bundled.parts[-3:] == (
        "policeonto",
        "_artefacts",
        "mappings",
    )
    assert not bundled.is_relative_to(ROOT)


def test_the_installed_console_script_maps_validates_and_loads_from_a_folder_of_ones_own(installed: Installed) -> None:
    listed = installed.run("mappings", "--mappings", "mine", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    names = {m["name"]: m for m in json.loads(listed.stdout)}
    assert (names["force-d-custody"]["folder"], names["force-d-custody"]["origin"]) == ("mine", "given")
    assert names["police-uk-street"]["origin"] == "bundled"

    mapped = installed.run(
        "map", "--mappings", "mine", "custody-register.csv", "-o", "custody.nt", "--report", "r.json"
    )
    assert mapped.returncode == 1, mapped.stderr  # one row rejected
    report = json.loads((installed.work / "r.json").read_text(encoding="utf-8"))
    assert (report["rows_read"], report["rows_mapped"], report["rows_rejected"]) == (4, 3, 1)
    assert (report["rejected_by_reason"], report["triples_written"]) == ({"unknown-code (Sex)": 1}, 39)
    assert len((installed.work / "custody.nt").read_text(encoding="utf-8").splitlines()) == 39

    checked = installed.run("validate", "--mappings", "mine", "custody-register.csv", "--format", "json")
    assert checked.returncode == 1, checked.stderr
    findings = json.loads(checked.stdout)["findings"]
    assert [(f["code"], f["row"], f["column"], f["value"]) for f in findings] == [("unknown-code", 4, "Sex", "X")]

    args = ["--mappings", "mine", "custody-register.csv", "--store", "store", "--load-invalid", "--format", "json"]
    loaded = installed.run("load", *args)
    assert loaded.returncode == 1, loaded.stderr
    (file,) = json.loads(loaded.stdout)["files"]
    assert (file["loaded"], file["triples"]) == (True, 39)
    persons = "PREFIX pole: <https://w3id.org/policeonto/> SELECT ?p WHERE { GRAPH ?g { ?p a pole:Person } }"
    answer = installed.run("query", "--store", "store", "--query", persons, "--format", "csv")
    assert answer.returncode == 0, answer.stderr
    assert sorted(answer.stdout.split()) == [*(PERSON + f"C-00000{n}" for n in (1, 2, 3)), "p"]


def test_the_installed_console_script_searches_policeonto_mappings(installed: Installed) -> None:
    folder = {"POLICEONTO_MAPPINGS": str(installed.work / "mine")}
    mapped = installed.run("map", "custody-register.csv", "-o", "env.nt", "--format", "json", env=folder)
    assert mapped.returncode == 1, mapped.stderr
    summary = json.loads(mapped.stderr)
    assert (summary["rows_read"], summary["rows_mapped"], summary["rows_rejected"]) == (4, 3, 1)
    assert [f["mapping"] for f in summary["files"]] == ["force-d-custody"]
    unknown = installed.run("map", "custody-register.csv", "-o", "none.nt")
    assert unknown.returncode == 2 and "no mapping recognises this header" in unknown.stderr
