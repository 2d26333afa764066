"""Outputs as a trust boundary: no output overwrites an input or another output, the documentation site
escapes what mappings say, the terminal is shown control characters rather than obeying them, and a query
file that is not UTF-8 is a clear error."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from policeonto.cli import main
from policeonto.store import EmbeddedStore
from tests.conftest import ROOT

STREET = ROOT / "examples" / "police-uk" / "2024-01-kent-street.csv"
RECORDS = ROOT / "examples" / "pole-example.yaml"


@dataclass(frozen=True)
class _Run:
    returncode: int
    stdout: str
    stderr: str


def _cli(*args: str | Path, cwd: Path | None = None) -> _Run:
    """Run ``policeonto`` (in this process, as the console script would) from *cwd*."""
    with contextlib.chdir(cwd or Path.cwd()):
        result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return _Run(result.exit_code, result.stdout, result.stderr)


def _refused(result: _Run, *named: str) -> None:
    """The command refused with one line naming every path in *named*, exit 2, no traceback."""
    assert result.returncode == 2, result.stderr
    assert "refusing to write" in result.stderr
    assert "Traceback" not in result.stderr
    for name in named:
        assert name in result.stderr


# ---- 1. outputs never overwrite inputs ---------------------------------------------------------------


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A folder with a small street export (``2024-01-kent-street.csv``) and a records file (``p.yaml``)."""
    lines = STREET.read_text(encoding="utf-8").splitlines(keepends=True)[:21]
    (tmp_path / "2024-01-kent-street.csv").write_text("".join(lines), encoding="utf-8")
    shutil.copyfile(RECORDS, tmp_path / "p.yaml")
    return tmp_path


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["validate", "2024-01-kent-street.csv", "-o", "2024-01-kent-street.csv"], ["2024-01-kent-street.csv"]),
        (["validate", "2024-01-kent-street.csv", "-o", "./2024-01-kent-street.csv"], ["2024-01-kent-street.csv"]),
        (["validate", "2024-01-kent-street.csv", "--format", "html", "-o", "hard.csv"], ["hard.csv"]),
        (["validate", "link.csv", "-o", "2024-01-kent-street.csv"], ["link.csv"]),
        (["map", "2024-01-kent-street.csv", "--report", "2024-01-kent-street.csv"], ["2024-01-kent-street.csv"]),
        (["map", "2024-01-kent-street.csv", "-o", "2024-01-kent-street.csv"], ["2024-01-kent-street.csv"]),
        (["map", "2024-01-kent-street.csv", "-o", "s.nt", "--report", "s.nt"], ["s.nt"]),
        (["map", "2024-01-kent-street.csv", "-o", "s.nt", "--report", "sub/../s.nt"], ["s.nt"]),
        (["convert", "p.yaml", "-o", "p.yaml"], ["p.yaml"]),
        (["convert", "d/a.ttl", "p.yaml", "-o", "d"], ["a.ttl"]),
        (["load", "d/a.ttl", "--store", "d"], ["d/a.ttl"]),
    ],
    ids=[
        "validate-o-input",
        "validate-o-dot-slash-input",
        "validate-o-hard-link",
        "validate-symlink-input",
        "map-report-input",
        "map-o-input",
        "map-o-and-report-same",
        "map-o-and-report-same-resolved",
        "convert-o-input",
        "convert-o-dir-holding-input",
        "load-input-inside-store",
    ],
)
def test_an_output_that_is_an_input_or_another_output_is_refused_before_anything_is_read(
    work: Path, args: list[str], named: list[str]
) -> None:
    os.link(work / "2024-01-kent-street.csv", work / "hard.csv")
    (work / "link.csv").symlink_to("2024-01-kent-street.csv")
    (work / "d").mkdir()
    (work / "d" / "a.ttl").write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    (work / "sub").mkdir()
    before = _snapshot(work)
    result = _cli(*args, cwd=work)
    _refused(result, *named)
    assert _snapshot(work) == before  # nothing overwritten, nothing written


def test_map_refuses_an_output_inside_the_folder_of_its_mapping(work: Path) -> None:
    mappings = work / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    chosen = mappings / "police-uk-street.transform.yaml"
    before = _snapshot(mappings)
    result = _cli("map", "2024-01-kent-street.csv", "--mapping", chosen, "-o", chosen, cwd=work)
    _refused(result, "police-uk-street.transform.yaml")
    result = _cli("map", "2024-01-kent-street.csv", "--mapping", chosen, "-o", mappings / "out.nt", cwd=work)
    _refused(result, "out.nt", str(mappings))
    assert _snapshot(mappings) == before


def test_outputs_apart_from_the_inputs_are_written(work: Path) -> None:
    result = _cli("map", "2024-01-kent-street.csv", "-o", "s.nt", "--report", "r.json", "-q", cwd=work)
    assert result.returncode == 0, result.stderr
    assert (work / "s.nt").stat().st_size > 0 and (work / "r.json").stat().st_size > 0
    assert _cli("validate", "2024-01-kent-street.csv", "-o", "/dev/null", cwd=work).returncode == 0


@pytest.mark.parametrize("where", ["inside-mappings", "holding-mermaid"])
def test_docs_refuses_a_site_folder_that_overlaps_its_inputs(tmp_path: Path, where: str) -> None:
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    script = tmp_path / "scripts" / "mermaid.min.js"
    script.parent.mkdir()
    script.write_text("// not Mermaid\n", encoding="utf-8")
    site = mappings / "site" if where == "inside-mappings" else script.parent
    before = _snapshot(tmp_path)
    result = _cli("docs", "-o", site, "--mappings", mappings, "--mermaid", script)
    _refused(result, str(site))
    assert _snapshot(tmp_path) == before


# ---- 3. the terminal is shown control characters, never given them ------------------------------------

#: What a terminal would obey: an OSC title change ended by BEL, a C1 CSI clearing the screen, a CSI colour
#: (click strips only that one, and only when not writing to a terminal), and a bidi override.
HOSTILE = "\x1b]0;pwned\x07\x9b2J\x1b[31m\u202e"
_ACTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _shown_not_obeyed(text: str) -> None:
    assert not _ACTIVE.search(text), repr(_ACTIVE.findall(text))
    assert "\\x1b]0;pwned\\x07" in text


@pytest.fixture
def hostile_export(tmp_path: Path) -> Path:
    """A street export whose header has a column named with escape sequences, and a month holding them."""
    lines = STREET.read_text(encoding="utf-8").splitlines()[:4]
    rows = [lines[0] + f",Evil{HOSTILE}", *(line + ",x" for line in lines[1:])]
    rows[1] = rows[1].replace("2024-01", f"2024-01{HOSTILE}", 1)
    path = tmp_path / "2024-01-kent-street.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_validate_and_map_show_escape_sequences_of_a_header_and_a_value(hostile_export: Path) -> None:
    result = _cli("validate", hostile_export)
    assert result.returncode == 1
    _shown_not_obeyed(result.stdout + result.stderr)
    assert "unexpected-column" in result.stdout and "invalid-value" in result.stdout
    result = _cli("map", hostile_export, "-o", hostile_export.with_suffix(".nt"))
    assert result.returncode == 1
    _shown_not_obeyed(result.stderr)


def test_machine_formats_keep_the_data_exact(hostile_export: Path) -> None:
    result = _cli("validate", hostile_export, "--format", "json")
    columns = {f["column"] for f in json.loads(result.stdout)["findings"]}
    assert f"Evil{HOSTILE}" in columns


def test_validate_shows_escape_sequences_of_an_iri(tmp_path: Path) -> None:
    evil = "<urn:evil\\u202Epwned>"  # a bidi override is a code point an IRI may hold
    source = tmp_path / "evil.nt"
    source.write_text(
        f"{evil} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/policeonto/Person> .\n"
        f'{evil} <https://w3id.org/policeonto/birth_date> "x" .\n',
        encoding="utf-8",
    )
    result = _cli("validate", source)
    assert result.returncode == 1
    assert "urn:evil\\u202epwned" in result.stdout
    assert not _ACTIVE.search(result.stdout + result.stderr)


def test_validate_refuses_an_iri_with_control_characters_and_shows_them(tmp_path: Path) -> None:
    evil = "<urn:evil\\u001B]0;pwned\\u0007\\u202E>"  # no IRI holds ESC or BEL: Oxigraph's parser refuses it
    source = tmp_path / "evil.nt"
    source.write_text(
        f"{evil} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/policeonto/Person> .\n",
        encoding="utf-8",
    )
    result = _cli("validate", source)
    assert result.returncode == 2
    assert f"{source}:1: not valid nt" in result.stderr and "\\x1b" in result.stderr
    assert not _ACTIVE.search(result.stdout + result.stderr)


def _nt(folder: Path) -> Path:
    source = folder / "evil.nt"
    source.write_text(
        '<urn:x> <https://w3id.org/policeonto/name> "a\\u001B]0;pwned\\u0007\\u009B2J\\u202Eb" .\n', encoding="utf-8"
    )
    return source


def test_query_table_shows_escape_sequences_and_csv_and_json_keep_them(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with EmbeddedStore(str(store)) as made:  # a graph as a load leaves it, without the ontology's entailments
        made.load(_nt(tmp_path), graph="urn:graph", syntax="nt")
    select = "SELECT ?name WHERE { GRAPH ?g { <urn:x> ?p ?name } }"
    table = _cli("query", "--store", store, "--query", select)
    assert table.returncode == 0, table.stderr
    _shown_not_obeyed(table.stdout)
    construct = _cli("query", "--store", store, "--query", "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert construct.returncode == 0, construct.stderr
    assert not _ACTIVE.search(construct.stdout)
    data = _cli("query", "--store", store, "--query", select, "--format", "json")
    (binding,) = json.loads(data.stdout)["results"]["bindings"]
    assert binding["name"]["value"] == "a\x1b]0;pwned\x07\x9b2J\u202eb"
    rows = _cli("query", "--store", store, "--query", select, "--format", "csv")
    assert "a\x1b]0;pwned\x07\x9b2J\u202eb" in rows.stdout


@pytest.mark.parametrize("command", ["validate", "load"])
def test_error_messages_show_escape_sequences_of_a_file_name(tmp_path: Path, command: str) -> None:
    missing = tmp_path / f"a{HOSTILE}.csv"  # validate's own error, and click's usage error for load
    result = _cli(command, missing, "--store", tmp_path / "store") if command == "load" else _cli(command, missing)
    assert result.returncode == 2
    _shown_not_obeyed(result.stderr)


# ---- 4. a query file that is not UTF-8 -----------------------------------------------------------------


def test_a_query_file_not_in_utf8_is_an_error_naming_the_file(tmp_path: Path) -> None:
    store = tmp_path / "store"
    EmbeddedStore(store).close()  # an empty embedded store
    query = tmp_path / "latin1.rq"
    query.write_bytes('SELECT ?s WHERE {\n  ?s ?p "café" }\n'.encode("latin-1"))
    result = _cli("query", query, "--store", store)
    assert result.returncode == 2
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert f"{query}:2:" in result.stderr and "not UTF-8" in result.stderr
    query.write_bytes('\ufeffSELECT ?s WHERE { ?s ?p "café" }\n'.encode())  # UTF-8 with a byte order mark
    assert _cli("query", query, "--store", store).returncode == 0


# ---- 2. the documentation site escapes what mappings and crosswalks say ---------------------------------

#: Strings a hostile mapping folder could hold, each marked so that the test finds where it went.
PAYLOADS = {
    "title": '<script>alert("PWN-title")</script> [x](javascript:alert("PWN-link")) {: onclick="PWN-attr" }',
    "column": "Context<img src=x onerror=alert('PWN-column')>|cell",
    "constant": "`</code><script>PWN-constant</script>`",
    "source value": "Arson ``<svg onload=alert('PWN-value')>``",
}


class _Markup(HTMLParser):
    """Every element, attribute and script body of a page, and its text as a reader sees it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)


def _markup(html_text: str) -> _Markup:
    parser = _Markup()
    parser.feed(html_text)
    parser.close()
    return parser


def _obeyed(markup: _Markup) -> list[str]:
    """The payloads the page would run or turn into markup: scripts, event handlers, javascript: links."""
    found = [f"<script> holding {body[:40]!r}" for body in markup.scripts if "PWN" in body]
    for tag, attrs in markup.tags:
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                found.append(f"<{tag} {name}={value!r}>")
        if tag in ("img", "svg") and "src" in attrs and attrs["src"] == "x":
            found.append(f"<{tag} src=x>")
    return found


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built (once) from the bundled mappings, with the street mapping, its source schema and
    crosswalk holding :data:`PAYLOADS`."""
    work = tmp_path_factory.mktemp("hostile-docs")
    mappings = work / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    spec = mappings / "police-uk-street.transform.yaml"
    text = spec.read_text(encoding="utf-8")
    text = text.replace(
        "title: data.police.uk street-level crime to policeonto", f"title: {json.dumps(PAYLOADS['title'])}"
    )
    text = text.replace(
        "source_system: {value: data.police.uk}", f"source_system: {{value: {json.dumps(PAYLOADS['constant'])}}}"
    )
    spec.write_text(text, encoding="utf-8")
    source = mappings / "police-uk-street.source.yaml"
    source.write_text(
        source.read_text(encoding="utf-8").replace("title: Context", f"title: {json.dumps(PAYLOADS['column'])}", 1),
        encoding="utf-8",
    )
    crosswalk = mappings / "crosswalks" / "police-uk-crime-type.sssom.tsv"
    crosswalk.write_text(
        crosswalk.read_text(encoding="utf-8").replace(
            "\tBicycle theft\trdfs literal", f"\t{PAYLOADS['source value']}\trdfs literal", 1
        ),
        encoding="utf-8",
    )
    script = work / "mermaid.min.js"
    script.write_text("// not Mermaid: the pages are checked, not drawn\n", encoding="utf-8")
    site = work / "site"
    result = _cli("docs", "-o", site, "--mappings", mappings, "--mermaid", script)
    assert result.returncode == 0, result.stderr
    return site


def test_no_page_of_the_site_obeys_a_hostile_mapping(hostile_site: Path) -> None:
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        assert _obeyed(_markup(page.read_text(encoding="utf-8"))) == [], page.relative_to(hostile_site)


def test_the_hostile_strings_are_shown_as_written(hostile_site: Path) -> None:
    mapping = " ".join(_markup((hostile_site / "mappings" / "police-uk-street.html").read_text("utf-8")).text)
    for what in ("title", "column", "constant"):
        assert PAYLOADS[what] in mapping, what
    crime_types = " ".join(_markup((hostile_site / "CrimeType.html").read_text("utf-8")).text)
    assert PAYLOADS["source value"] in crime_types


def test_the_search_index_holds_no_markup_from_a_hostile_mapping(hostile_site: Path) -> None:
    index = json.loads((hostile_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    for entry in index["docs"]:
        for field in ("title", "text"):
            assert _obeyed(_markup(entry.get(field) or "")) == [], (entry["location"], field)


def test_a_mapping_whose_name_is_no_page_name_is_refused(tmp_path: Path) -> None:
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    shutil.copyfile(
        mappings / "police-uk-street.transform.yaml", mappings / "x<img src=y onerror=alert(1)>.transform.yaml"
    )
    script = tmp_path / "mermaid.min.js"
    script.write_text("//\n", encoding="utf-8")
    result = _cli("docs", "-o", tmp_path / "site", "--mappings", mappings, "--mermaid", script)
    assert result.returncode == 2
    assert "is not a page name" in result.stderr and not (tmp_path / "site").exists()
