"""The README's set-up works from a clean clone: `make demo` creates its own environment and runs the
main job end to end on the bundled example."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from tests.conftest import ROOT


@pytest.mark.skipif(shutil.which("git") is None or shutil.which("make") is None, reason="needs git and make")
def test_make_demo_from_a_clean_clone(tmp_path: Path) -> None:
    clone = tmp_path / "policeonto"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    run = subprocess.run(
        ["make", "demo", f"PYTHON={sys.executable}"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "no findings; consistent under OWL RL" in run.stdout
    assert "conforms to the SHACL shapes" in run.stderr
    assert "valid: 2,000 rows" in run.stdout
    assert len(Graph().parse(clone / "out" / "pole-example.ttl", format="turtle")) > 100
    assert len(Graph().parse(clone / "out" / "pole-example.jsonld", format="json-ld")) > 100
    report = __import__("json").loads((clone / "out" / "police-uk-report.json").read_text())
    assert report["rows_read"] == report["rows_mapped"] == 2000
    assert 0 < len(Graph().parse(clone / "out" / "police-uk.nt", format="nt")) <= report["triples_written"]
    for agreement in ("neighbouring-force", "safeguarding-partnership", "statistics"):  # shared, manifests printed
        assert (clone / "out" / "share" / f"{agreement}.ttl.manifest.ttl").exists()
    assert "-- its manifest, out/share/statistics.ttl.manifest.ttl:" in run.stdout
