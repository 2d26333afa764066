"""The documentation site, checked as a link checker and a reader would: every link resolves, every term
has its page, every IRI leads to one, the pages say what the schema and shapes say, and the build is
deterministic."""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import subprocess
import sys
import threading
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from rdflib import OWL, RDF, SKOS, Graph
from rdflib.compare import isomorphic

from policeonto.conversion import convert
from policeonto.docs import mermaid
from policeonto.docs.examples import CONTEXT_IRI, example_graph, examples
from policeonto.docs.mermaid import default_path
from policeonto.docs.pages import anchor
from policeonto.docs.site import SiteSummary, build_site
from policeonto.errors import BuildError
from policeonto.mapping.spec import list_mappings
from policeonto.vocab import ARTEFACTS, SH, artefact_path, schema_view
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(not default_path().is_file(), reason="Mermaid not fetched (make test fetches it)")


class _Page(HTMLParser):
    """The links and anchors of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "a" and values.get("name"):
            self.ids.add(str(values["name"]))
        for attribute in ("href", "src"):
            if values.get(attribute) and tag in ("a", "link", "script", "img"):
                self.links.append(str(values[attribute]))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def pages(site: SiteSummary) -> dict[Path, _Page]:
    return {path: _parse(path) for path in sorted(site.output.rglob("*.html"))}


def test_no_internal_link_is_broken(site: SiteSummary, pages: dict[Path, _Page]) -> None:
    broken = []
    checked = 0
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(html.unescape(link))
            if parts.scheme or parts.netloc:
                continue  # an external link (checked below to be a link, never a loaded resource)
            base = site.output if parts.path.startswith("/") else path.parent  # 404.html links from the root
            target = (base / unquote(parts.path).lstrip("/")).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            if not target.is_file() or not target.resolve().is_relative_to(site.output):
                broken.append(f"{path.relative_to(site.output)}: {link}")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in pages[target].ids:
                broken.append(f"{path.relative_to(site.output)}: {link} (no such anchor)")
    assert checked > 10_000
    assert not broken, broken[:20]


def test_no_table_is_left_empty(pages: dict[Path, _Page]) -> None:
    """A table with nothing to list is not drawn: a class a mapping makes with no slot but its IRI says so
    (Person in the stop and search mapping, Crime in the outcomes mapping)."""
    empty = []
    for path in pages:
        for table in re.findall(r"<table>(.*?)</table>", path.read_text(encoding="utf-8"), re.S):
            rows = re.findall(r"<tr>(.*?)</tr>", table.split("</thead>")[-1], re.S)
            cells = [
                [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows
            ]
            if not rows or not all(any(row) for row in cells):
                empty.append(path.name)
    assert empty == []
    stop_and_search = next(p for p in pages if p.name == "police-uk-stop-and-search.html").read_text(encoding="utf-8")
    assert "It fills no slot: each record has its IRI and type only." in stop_and_search
    person = next(p for p in pages if p.name == "Person.html").read_text(encoding="utf-8")
    assert re.search(r"police-uk-stop-and-search</a></td>\s*<td>none: the IRI and type only</td>", person)


def test_pages_load_nothing_from_the_network(pages: dict[Path, _Page]) -> None:
    """Scripts, styles and images all come from the site itself, so it works offline."""
    remote = set()
    for path in pages:
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img)\b[^>]*>", text):
            for url in re.findall(r'(?:src|href)="(https?:[^"]+)"', tag):
                if 'rel="canonical"' not in tag:
                    remote.add(url)
    assert not remote


def test_every_class_slot_code_list_type_and_mapping_has_its_page(site: SiteSummary) -> None:
    view = schema_view()
    expected = {f"{name}.html" for name in view.all_classes()}
    expected |= {f"{name}.html" for name in view.all_slots()}
    expected |= {f"{name}.html" for name in view.all_enums()}
    expected |= {f"mappings/{m.name}.html" for m in list_mappings()}
    missing = [name for name in sorted(expected) if not (site.output / name).is_file()]
    assert not missing
    assert {"index.html", "terms.html", "iris.html", "downloads.html", "changelog.html"} <= {
        p.name for p in site.output.iterdir()
    }
    assert {"architect.html", "data-steward.html", "developer.html", "partner.html"} == {
        p.name for p in (site.output / "guides").iterdir()
    }
    assert (site.output / "reference" / "findings.html").is_file()
    assert (site.output / "reference" / "scaffold.html").is_file()
    assert (site.output / "reference" / "sharing.html").is_file()
    assert (site.output / "reference" / "assessment.html").is_file()
    assert 'href="reference/assessment.html"' in (site.output / "index.html").read_text(encoding="utf-8")
    assert site.pages == len(list(site.output.rglob("*.html")))


def test_every_term_iri_leads_to_its_page(site: SiteSummary) -> None:
    """Every class, property and code the ontology publishes is listed on the IRI page with a link to the page
    (and anchor) that describes it; the link checker above follows each link."""
    published = Graph()
    for key in ("owl", "codelists"):
        published.parse(artefact_path(ARTEFACTS[key]))
    iris = {
        str(s)
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept)
        for s in published.subjects(RDF.type, kind)
        if str(s).startswith("https://w3id.org/policeonto/")
    }
    page = (site.output / "iris.html").read_text(encoding="utf-8")
    rows = dict(re.findall(r"<code>(https://w3id\.org/policeonto/[^<]+)</code></td>\s*<td><a href=\"([^\"]+)\"", page))
    assert len(iris) > 400
    assert iris <= set(rows), sorted(iris - set(rows))[:10]
    assert rows["https://w3id.org/policeonto/Person"] == "Person.html"
    assert rows["https://w3id.org/policeonto/code/crime-type/burglary"] == f"CrimeType.html#{anchor('burglary')}"


def test_the_published_redirect_sends_every_term_iri_to_its_page(site: SiteSummary) -> None:
    """The Apache rules the IRI page gives, applied in order to each IRI of the table, lead to the page the
    table names (a code to the IRI page), names with digits (SelfDefinedEthnicity16, sha256) included."""
    page = (site.output / "iris.html").read_text(encoding="utf-8")
    lines = [html.unescape(re.sub(r"<[^>]+>", "", line)) for line in page.splitlines() if "RewriteRule" in line]
    rules = [re.fullmatch(r"RewriteRule (\S+) (.+) \[R=303,L\]", line.strip()).groups() for line in lines]
    assert len(rules) == 2
    rows = re.findall(
        r"<td>([a-z ]+)</td>\s*<td><code>https://w3id\.org/(policeonto/[^<]+)</code></td>\s*<td><a href=\"([^\"]+)\"",
        page,
    )
    assert len(rows) > 400
    wrong = []
    for kind, path, target in rows:
        redirect = next(
            (re.sub(rule, to.replace("$", "\\"), path) for rule, to in rules if re.search(rule, path)), None
        )
        expected = "https://<docs host>/" + ("iris.html" if kind == "code" else target)
        if redirect != expected:
            wrong.append((path, redirect))
    assert wrong == []


def test_a_class_page_says_what_schema_shapes_examples_and_mappings_say(site: SiteSummary) -> None:
    text = (site.output / "Vehicle.html").read_text(encoding="utf-8")
    assert "https://w3id.org/policeonto/Vehicle" in text
    # slots, own and inherited, with cardinality and range
    assert 'href="vehicle_type.html"' in text and 'href="VehicleType.html"' in text
    assert 'href="security_marking.html"' in text and "0..1" in text
    # the shape in plain English, from the generated shapes
    assert "The shape is closed" in text and "is optional and may be given at most once" in text
    # the neighbourhood diagram's source, drawn in the browser
    assert re.search(r'<div class="diagram">classDiagram', text)
    # the example, in both syntaxes
    assert "AB12CDE" in text and "Turtle" in text and "JSON-LD" in text
    assert "https://w3id.org/policeonto/context.jsonld" in text
    # the mappings that make vehicles
    assert 'href="mappings/force-a-objects.html"' in text and 'href="mappings/force-b-vehicles.html"' in text
    # mappings to other vocabularies
    person = (site.output / "Person.html").read_text(encoding="utf-8")
    assert "schema:Person" in person
    # the neighbourhood: what a person refers to, and the links that refer to a person
    assert 'Person --&gt; "*" PersonName : names' in person
    assert "PersonInvolvement --&gt; Person : person" in person and "PersonAddress --&gt; Person : person" in person
    # ... and what refers to a superclass, drawn to it: a vehicle is an object an event involves
    assert "ObjectInvolvement --&gt; Object : object" in text and "Object &lt;|-- Vehicle" in text
    officer = (site.output / "Officer.html").read_text(encoding="utf-8")
    assert "PersonInvolvement --&gt; Person : person" in officer
    # the shape's rules link to the code list of coded values
    assert re.search(r'a code from <a href="Gender.html">Gender</a> \(\d+ codes\)', person)
    force = (site.output / "PoliceForce.html").read_text(encoding="utf-8")
    assert "Unique key <code>force_code_key</code>: no two <code>PoliceForce</code> records may share" in force


def test_a_class_page_says_which_properties_go_together(site: SiteSummary) -> None:
    """The shape's rules over several properties are on the page too: a name needs a given or a family name,
    an event has a start time or a month but not both."""
    shapes = Graph().parse(artefact_path(ARTEFACTS["shacl"]))
    said = {"or": "A record must give ", "not": "A record may not give "}
    unsaid = []
    for kind, sentence in said.items():
        for shape in shapes.subjects(SH[kind], None):
            for target in shapes.objects(shape, SH.targetClass):
                name = str(target).rsplit("/", 1)[-1]
                if sentence not in (site.output / f"{name}.html").read_text(encoding="utf-8"):
                    unsaid.append((kind, name))
    assert unsaid == []
    name = (site.output / "PersonName.html").read_text(encoding="utf-8")
    assert "A record must give <code>pole:given_name</code> or <code>pole:family_name</code> (at least one)." in name
    crime = (site.output / "Crime.html").read_text(encoding="utf-8")
    assert "A record may not give both <code>pole:month</code> and <code>pole:start_time</code>." in crime


def test_every_class_page_has_an_example_except_the_container(site: SiteSummary) -> None:
    without = [
        name
        for name in schema_view().all_classes()
        if "from the bundled examples" not in (site.output / f"{name}.html").read_text(encoding="utf-8")
    ]
    assert without == ["RecordSet"]


def test_the_examples_behind_the_pages_conform_to_the_shapes() -> None:
    for name in ("pole-example.yaml", "every-class.yaml"):
        result = convert(ROOT / "examples" / name)
        assert result.conforms, result.violations[:5]


def test_each_example_says_the_same_in_json_ld_as_in_turtle() -> None:
    """The two tabs of a class's example are one record: a record that is a blank node (a name, an identifier,
    a marking) is shown in JSON-LD too, not as an empty graph."""
    context = json.loads(artefact_path(ARTEFACTS["context"]).read_text(encoding="utf-8"))["@context"]
    records = example_graph([ROOT / "examples" / "pole-example.yaml", ROOT / "examples" / "every-class.yaml"])
    found = examples(records, schema_view())
    assert {"PersonName", "Identifier", "SecurityMarking", "Person"} <= set(found)
    differ = []
    for name, example in sorted(found.items()):
        document = json.loads(example.jsonld)
        assert document["@context"] == CONTEXT_IRI
        document["@context"] = context  # the published context, read locally
        jsonld = Graph().parse(data=json.dumps(document), format="json-ld")
        turtle = Graph().parse(data=example.turtle, format="turtle")
        if len(turtle) == 0 or not isomorphic(jsonld, turtle):
            differ.append((name, len(turtle), len(jsonld)))
    assert differ == []


def test_a_code_list_page_lists_codes_labels_and_source_values(site: SiteSummary) -> None:
    text = (site.output / "CrimeType.html").read_text(encoding="utf-8")
    assert f'id="{anchor("burglary")}"' in text
    assert "https://w3id.org/policeonto/code/crime-type/burglary" in text
    # Force A's narrower local codes and data.police.uk's label crosswalk to it
    assert "BURG-RES" in text and "BURG-BUS" in text and 'href="mappings/force-a-occurrences.html"' in text
    # legacy labels
    ethnicity = (site.output / "SelfDefinedEthnicity.html").read_text(encoding="utf-8")
    assert "W1" in ethnicity


def test_a_code_list_page_gives_each_code_its_notes_as_the_published_scope_notes(site: SiteSummary) -> None:
    """A code's annotations (a relationship type's inverse, a retention group's periods, a scheme's check)
    are on its code list's page as the SKOS code lists publish them."""
    relationships = (site.output / "RelationshipType.html").read_text(encoding="utf-8")
    assert "(<code>parent</code>): The person is the relative" in relationships
    assert re.search(r"\(<code>parent</code>\):[^\n]*\(inverse: child\)", relationships)
    assert re.search(r"\(<code>sibling</code>\):[^\n]*\(inverse: sibling\)", relationships)
    schemes = (site.output / "IdentifierScheme.html").read_text(encoding="utf-8")
    assert re.search(r"\(<code>imei</code>\):[^\n]*\(check: imei-luhn\)", schemes)


def test_a_code_list_page_links_each_code_to_the_codes_it_matches(site: SiteSummary) -> None:
    """Every SKOS mapping relation between codes in the published code lists is on the code's row of its code
    list's page, linked to the matched code (the superseded 16+1 ethnicity codes to the 18+1 ones)."""
    codes = Graph().parse(artefact_path(ARTEFACTS["codelists"]))
    said = {SKOS.exactMatch: "exact", SKOS.closeMatch: "close", SKOS.broadMatch: "broader"}
    said |= {SKOS.narrowMatch: "narrower", SKOS.relatedMatch: "related"}
    pages = {}
    for name in schema_view().all_enums():
        text = (site.output / f"{name}.html").read_text(encoding="utf-8")
        for row in re.findall(r"<tr>(.*?)</tr>", text, re.S):
            found = re.search(r'<span id="(code-[^"]+)"></span><code>([^<]+)</code>', row)
            iri = re.search(r"<code>(http[^<]+)</code>", row)
            if found and iri:
                pages[iri[1]] = (name, row)
    missing = []
    for subject, predicate, target in sorted(codes.triples((None, None, None))):
        if predicate in said and str(target) in pages:
            page, notation = pages[str(target)][0], codes.value(target, SKOS.notation)
            link = f'{said[predicate]}: <a href="{page}.html#{anchor(str(notation))}"><code>{notation}</code></a>'
            if link not in pages[str(subject)][1]:
                missing.append((str(subject), link))
    assert missing == []
    row = pages["https://w3id.org/policeonto/code/self-defined-ethnicity-16/O1"][1]
    assert 'exact: <a href="SelfDefinedEthnicity.html#code-a4"><code>A4</code></a> in SelfDefinedEthnicity' in row


def test_the_coverage_matrix_ticks_what_each_mapping_makes(site: SiteSummary) -> None:
    text = (site.output / "mappings" / "index.html").read_text(encoding="utf-8")
    rows = {
        re.sub(r"<[^>]+>", "", cells[0]): cells[1:]
        for cells in (re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", text, re.S))
        if cells
    }
    order = [m.name for m in list_mappings()]
    vehicle = rows["Vehicle"]
    assert vehicle[order.index("force-a-objects")] == "✓"
    assert vehicle[order.index("police-uk-street")] == ""
    assert rows["StopAndSearch"][order.index("police-uk-stop-and-search")] == "✓"


def test_a_slot_said_to_come_from_a_column_comes_from_a_column_of_the_format(site: SiteSummary) -> None:
    """A mapping page names as a column only a column of its source format; what the engine supplies for every
    row (the row number, dataset, run, publishing force) is named as context, on slot pages too."""
    not_columns = {}
    for mapping in list_mappings():
        text = (site.output / "mappings" / f"{mapping.name}.html").read_text(encoding="utf-8")
        titles = {html.unescape(column.title) for column in mapping.columns}
        named = {html.unescape(name) for name in re.findall(r"<td>column <code>([^<]+)</code></td>", text)}
        assert named, mapping.name
        if named - titles:
            not_columns[mapping.name] = sorted(named - titles)
    assert not_columns == {}
    street = (site.output / "mappings" / "police-uk-stop-and-search.html").read_text(encoding="utf-8")
    assert re.search(r'href="../source_force.html">source_force</a></td>\s*<td>context <code>publisher</code>', street)
    occurrences = (site.output / "mappings" / "force-a-occurrences.html").read_text(encoding="utf-8")
    assert "column <code>LOCAL_OFFENCE_CODE</code> (as written, not crosswalked)" in occurrences
    run = (site.output / "generated_by.html").read_text(encoding="utf-8")
    assert "context <code>run</code>" in run and "column <code>run</code>" not in run


def test_downloads_are_the_artefacts(site: SiteSummary) -> None:
    for key, name in (
        ("owl", "policeonto.ttl"),
        ("shacl", "policeonto.shacl.ttl"),
        ("context", "policeonto.context.jsonld"),
    ):
        assert (site.output / "downloads" / name).read_bytes() == artefact_path(ARTEFACTS[key]).read_bytes()


def test_the_changes_of_each_release_have_their_page(site: SiteSummary) -> None:
    from policeonto.releases.sources import prior_release

    page = (site.output / "vocabulary-changes.html").read_text(encoding="utf-8")
    if prior_release(ROOT, "0.1.0") is None:  # a shallow clone: the page says why it lists nothing
        assert "is not in this checkout&#39;s git history" in page or "is not in this checkout's git history" in page
    else:
        assert "0.2.0 against 0.1.0" in page
        assert "<code>IdentifierScheme:nhs-number</code>" in page
    assert 'href="vocabulary-changes.html"' in (site.output / "index.html").read_text(encoding="utf-8")


def test_search_index_holds_terms_and_source_values(site: SiteSummary) -> None:
    index = (site.output / "search" / "search_index.json").read_text(encoding="utf-8")
    for term in ("PersonInvolvement", "date_of_birth", "BURG-RES", "misuse-of-drugs-act-1971-s23"):
        assert term in index


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_build_is_deterministic(site: SiteSummary, tmp_path: Path) -> None:
    again = build_site(tmp_path / "again")
    first, second = _digest(site.output), _digest(again.output)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_a_missing_mermaid_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=r"python -m policeonto\.docs\.mermaid"):
        build_site(tmp_path / "site", mermaid=tmp_path / "absent.js")
    assert not (tmp_path / "site").exists()


def test_the_cli_builds_the_site(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "policeonto", "docs", "-o", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert re.fullmatch(r"\d+ pages written to .* in [0-9.]+ s\n", run.stdout)
    assert (tmp_path / "site" / "index.html").is_file()


def test_a_folder_that_is_no_earlier_site_is_never_replaced(tmp_path: Path) -> None:
    precious = tmp_path / "docs"
    precious.mkdir()
    (precious / "notes.md").write_text("mine")
    with pytest.raises(BuildError, match="no earlier `policeonto docs` wrote"):
        build_site(precious)
    assert (precious / "notes.md").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["docs"]  # nothing staged is left beside it


def test_an_earlier_site_is_replaced_whole(site: SiteSummary, tmp_path: Path) -> None:
    target = tmp_path / "site"
    shutil.copytree(site.output, target)
    (target / "stale.html").write_text("<html></html>")
    build_site(target)
    assert not (target / "stale.html").exists() and (target / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_mermaid_download_that_fails_its_integrity_check_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "served").mkdir()
    (tmp_path / "served" / "mermaid.tgz").write_bytes(b"not the release")
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path / "served"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setattr(mermaid, "URL", f"http://127.0.0.1:{server.server_address[1]}/mermaid.tgz")
        with pytest.raises(BuildError, match="integrity check failed"):
            mermaid.fetch(tmp_path / "mermaid.min.js")
        assert not (tmp_path / "mermaid.min.js").exists()
    finally:
        server.shutdown()
        server.server_close()
