"""The assessment's HTML page opened in headless Chromium: self-contained (no request but the page), the
level reached, the four levels, and the improvements ordered by gain, each linking to its item's evidence."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from policeonto.assessment import gather, read_answers, read_criteria, score
from policeonto.assessment.html import render_html
from tests.assess_fixtures import write_variant
from tests.test_docs_browser import CHROMIUM, FLAGS

playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert Path(CHROMIUM).is_file(), "Chromium is not installed (Debian's chromium package; make test installs it)"
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def test_the_html_report_shows_levels_and_improvements_by_gain(browser: Any, tmp_path: Path) -> None:
    files, answers = write_variant("semantic", tmp_path / "semantic")
    evidence = gather(files, agreements=[tmp_path / "semantic" / "agreements"], on=date(2026, 12, 5))
    page_file = tmp_path / "assessment.html"
    page_file.write_text(render_html(score(read_criteria(), evidence, read_answers(answers))), encoding="utf-8")
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_file.as_uri())
    assert page.inner_text("#at-level") == "structural"
    levels = page.locator("#levels tr").all_inner_texts()[1:]
    assert [row.split("\t")[0] for row in levels] == ["foundational", "structural", "semantic", "organisational"]
    assert [row.split("\t")[-1] for row in levels] == ["reached", "reached", "below gate", "below gate"]
    rows = [row.split("\t") for row in page.locator("#improvements tr").all_inner_texts()[1:]]
    assert [(row[0], row[2]) for row in rows] == [
        ("coded-values-national", "+0.1607"),
        ("mopi-group", "+0.1538"),
        ("review-dates", "+0.1538"),
        ("security-marking", "+0.1538"),
        ("unmapped-labels", "+0.0417"),
    ]
    organisational = page.locator("#organisational + table tr").all_inner_texts()[1:]
    assert [row.split("\t")[0].split("\n")[0] for row in organisational][2:5] == [
        "review-dates",
        "agreements-in-force",
        "records-shareable",
    ]
    assert "in_force: 1" in page.inner_text("#item-agreements-in-force")
    assert page.locator("#item-label-consistency").is_visible()
    page.click("#improvements a >> text=coded-values-national")
    assert page.url.endswith("#item-coded-values-national")
    assert page.locator("#item-coded-values-national").is_visible()
    assert requests == [page_file.as_uri()]
    page.close()
