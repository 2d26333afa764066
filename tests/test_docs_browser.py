"""The documentation site in a real browser: Debian's Chromium, headless, driven by Playwright, over pages
served on loopback. The diagrams must be drawn, links in them followed, and search must work with nothing
fetched from anywhere but the site. Screenshots are kept in out/screenshots."""

from __future__ import annotations

import html
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import suppress
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from policeonto.docs.mermaid import default_path
from policeonto.vocab import ARTEFACTS, artefact_path, schema_view
from tests.conftest import ROOT

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not default_path().is_file(), reason="Mermaid not fetched (make test fetches it)")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = ROOT / "out" / "screenshots"
# The flags keep Chromium from reaching for Google's services, which a closed network refuses.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# The artefacts the downloads page offers, by their key in ARTEFACTS.
ARTEFACT_FILES = [
    ("owl", "policeonto.ttl"),
    ("alignments", "policeonto-alignments.ttl"),
    ("codelists", "policeonto-codelists.ttl"),
    ("shacl", "policeonto.shacl.ttl"),
    ("context", "policeonto.context.jsonld"),
]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(site: Any) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site.output)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert Path(CHROMIUM).is_file(), "Chromium is not installed (Debian's chromium package; make test installs it)"
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, served: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    opened.requests = []
    opened.on("request", lambda request: opened.requests.append(request.url))
    opened.errors = []
    opened.on("pageerror", lambda error: opened.errors.append(str(error)))
    yield opened
    context.close()
    assert [url for url in opened.requests if not url.startswith(served)] == []
    assert opened.errors == []


def _diagram(page: Any) -> Any:
    svg = page.locator("div.diagram svg").first
    svg.wait_for(state="visible", timeout=20_000)
    return svg


def _screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def test_home_page_draws_the_whole_model(page: Any, served: str) -> None:
    page.goto(f"{served}/index.html")
    svg = _diagram(page)
    box = svg.bounding_box()
    assert box["width"] > 400 and box["height"] > 200
    labels = svg.locator("g.node").all_text_contents()
    for kind in ("Person", "Object", "Location", "Event", "Organisation", "PersonInvolvement", "EventLocation"):
        assert any(kind in label for label in labels), kind
    assert svg.locator("g.edgeLabel").count() >= 10
    _screenshot(page, "home.png")


def test_a_box_in_the_model_diagram_opens_its_class_page(page: Any, served: str) -> None:
    page.goto(f"{served}/index.html")
    svg = _diagram(page)
    svg.locator("g.node", has_text="PersonInvolvement").first.click()
    page.wait_for_url(f"{served}/PersonInvolvement.html")
    assert page.locator("h1").first.inner_text().startswith("PersonInvolvement")


def test_a_class_page_draws_its_neighbourhood(page: Any, served: str) -> None:
    page.goto(f"{served}/Person.html")
    svg = _diagram(page)
    box = svg.bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    text = svg.text_content() or ""
    for neighbour in ("Person", "Entity", "Officer", "PersonName", "Identifier"):
        assert neighbour in text, neighbour
    _screenshot(page, "person.png")
    page.goto(f"{served}/Vehicle.html")  # what refers to its superclass, drawn up the inheritance line
    text = _diagram(page).text_content() or ""
    for neighbour in ("Vehicle", "Object", "ObjectInvolvement", "VehicleType"):
        assert neighbour in text, neighbour


def test_the_example_tabs_switch_between_turtle_and_json_ld(page: Any, served: str) -> None:
    page.goto(f"{served}/Vehicle.html")
    turtle = page.locator(".tabbed-block").nth(0)
    jsonld = page.locator(".tabbed-block").nth(1)
    assert turtle.is_visible() and "pole:Vehicle" in turtle.inner_text()
    assert not jsonld.is_visible()
    page.locator(".tabbed-labels label", has_text="JSON-LD").first.click()
    assert jsonld.is_visible() and '"@context"' in jsonld.inner_text()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("PersonInvolvement", "PersonInvolvement.html"),
        ("BURG-RES", "CrimeType.html"),
        ("date of birth", "date_of_birth.html"),
        ("date_of_birth", "date_of_birth.html"),
    ],
)
def test_search_finds_terms_and_source_values_offline(page: Any, served: str, query: str, expected: str) -> None:
    page.goto(f"{served}/index.html")
    page.locator("input.md-search__input").click()
    page.keyboard.type(query)
    # the results are redrawn at each keystroke, so they are read in one step, once the expected one is there
    found = """([selector, path]) => [...document.querySelectorAll(selector)]
        .some(a => new URL(a.href).pathname === path)"""
    selector = ".md-search-result__item a"
    with suppress(playwright.TimeoutError):  # the assertion below names what was found instead
        page.wait_for_function(found, arg=[selector, f"/{expected}"], timeout=20_000)
    hrefs = page.locator(selector).evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert any(urlsplit(href or "").path == f"/{expected}" for href in hrefs), hrefs


def test_the_downloads_download_the_artefacts(browser: Any, served: str) -> None:
    """Each link of the downloads page saves its file, byte for byte the artefact, rather than opening it."""
    context = browser.new_context(accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(f"{served}/downloads.html")
        links = page.locator("article a[href^='downloads/']")
        assert links.count() == len(ARTEFACT_FILES)
        for key, name in ARTEFACT_FILES:
            with page.expect_download(timeout=10_000) as download:
                page.locator(f"article a[href='downloads/{name}']").click()
            assert download.value.suggested_filename == name
            assert Path(download.value.path()).read_bytes() == artefact_path(ARTEFACTS[key]).read_bytes()
            assert page.url == f"{served}/downloads.html"
    finally:
        context.close()


def test_every_class_diagram_is_drawn_without_an_error(page: Any, served: str, site: Any) -> None:
    """Mermaid draws the neighbourhood diagram of every class page, each as the page ships it; a source it
    cannot parse would show its "Syntax error in text" picture instead."""
    sources = {}
    for name in sorted(schema_view().all_classes()):
        text = (site.output / f"{name}.html").read_text(encoding="utf-8")
        (source,) = re.findall(r'<div class="diagram">(.*?)</div>', text, re.S)
        sources[name] = html.unescape(source)
    page.goto(f"{served}/index.html")
    _diagram(page)
    drawn = page.evaluate(
        """async (sources) => {
            const found = {};
            for (const [i, [name, source]] of Object.entries(Object.entries(sources))) {
                try {
                    const { svg } = await mermaid.render(`check-${i}`, source);
                    found[name] = svg.includes("Syntax error") ? "error picture" : svg.includes("<g") ? "" : "empty";
                } catch (error) {
                    found[name] = String(error).slice(0, 200);
                }
            }
            return found;
        }""",
        sources,
    )
    assert len(drawn) == len(sources) > 40
    assert {name: problem for name, problem in drawn.items() if problem} == {}
