"""Benchmark: build the documentation site with `policeonto docs`, side by side with LinkML's documentation
generator as it comes (`gen-doc` with its own templates and Mermaid class diagrams) followed by the same
MkDocs Material build, and print wall times, page counts and the ratio.

    .venv/bin/python benchmarks/docs_benchmark.py --runs 3
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCHEMA = ROOT / "src" / "policeonto" / "schema" / "policeonto.yaml"


def _timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def ours(work: Path) -> tuple[float, int]:
    site = work / "ours"
    seconds = _timed([str(BIN / "policeonto"), "docs", "-o", str(site)], ROOT)
    return seconds, sum(1 for _ in site.rglob("*.html"))


def peer(work: Path) -> tuple[float, int]:
    docs, site = work / "peer-docs", work / "peer-site"
    (work / "mkdocs.yml").write_text(
        f"site_name: peer\ndocs_dir: {docs}\nsite_dir: {site}\nuse_directory_urls: false\n"
        "theme: {name: material}\nplugins: [search]\n"
        "markdown_extensions: [tables, admonition, pymdownx.details, pymdownx.superfences]\n",
        encoding="utf-8",
    )
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "gen-doc"), str(SCHEMA), "-d", str(docs), "--diagram-type", "mermaid_class_diagram"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [str(BIN / "mkdocs"), "build", "-q", "-f", str(work / "mkdocs.yml")], check=True, capture_output=True
    )
    return time.perf_counter() - started, sum(1 for _ in site.rglob("*.html"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ours_times, peer_times = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            seconds, our_pages = ours(Path(folder))
            ours_times.append(seconds)
            seconds, peer_pages = peer(Path(folder))
            peer_times.append(seconds)
    mine, theirs = statistics.median(ours_times), statistics.median(peer_times)
    print(f"{'':40} {'pages':>6} {'median s':>9}  runs")
    print(f"{'policeonto docs':40} {our_pages:>6} {mine:>9.2f}  {', '.join(f'{t:.2f}' for t in ours_times)}")
    print(
        f"{'gen-doc + mkdocs build (as it comes)':40} {peer_pages:>6} {theirs:>9.2f}  "
        f"{', '.join(f'{t:.2f}' for t in peer_times)}"
    )
    print(f"ratio (policeonto / peer): {mine / theirs:.2f}")


if __name__ == "__main__":
    main()
