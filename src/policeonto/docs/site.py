"""Build the documentation site: Markdown pages from the schema, shapes and mappings, then static HTML with
MkDocs and the Material theme.

The build is deterministic: the same sources give byte-identical pages. It reads nothing from the network;
the diagrams are drawn in the browser by a local copy of Mermaid (see :mod:`policeonto.docs.mermaid`), and
search runs on an index shipped with the pages, so the site works offline, even opened from disk.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml
from rdflib import Graph

from policeonto.docs.changes import changes_page
from policeonto.docs.coverage import code_sources, coverage
from policeonto.docs.escape import safe_name
from policeonto.docs.examples import example_graph, examples
from policeonto.docs.mermaid import default_path
from policeonto.docs.pages import TEMPLATES, PageGenerator, render, term_pages
from policeonto.errors import BuildError
from policeonto.mapping.catalogue import MappingCatalogue
from policeonto.mapping.spec import list_mappings
from policeonto.output import refuse_clashes
from policeonto.vocab import ARTEFACTS, SCHEMA_PATH, artefact_path, schema_view

__all__ = ["MARKER", "SiteSummary", "build_site", "project_root"]

#: The file that marks a folder as a built site, which the next build may replace.
MARKER = ".policeonto-site"

_GUIDES = {"architect": "Architect", "data-steward": "Data steward", "developer": "Developer", "partner": "Partner"}
_REFERENCE = {
    "model": "The model",
    "alignments": "Alignments",
    "mapping": "Mapping exports",
    "scaffold": "Drafting a mapping",
    "validation": "Validation",
    "findings": "Findings catalogue",
    "scale": "National runs on a Dask cluster",
    "store": "Triple store and queries",
    "sharing": "Sharing under agreements",
    "linkage": "Linking records across forces",
    "assessment": "Maturity assessment",
    "architecture": "Architecture",
    "reliability": "Reliability and untrusted input",
    "build": "Building the artefacts",
}
_DOWNLOADS = [
    ("owl", "policeonto.ttl", "The ontology (OWL 2, Turtle)"),
    ("alignments", "policeonto-alignments.ttl", "Alignments to other vocabularies (OWL, Turtle)"),
    ("codelists", "policeonto-codelists.ttl", "The code lists (SKOS, Turtle)"),
    ("shacl", "policeonto.shacl.ttl", "The SHACL shapes (Turtle)"),
    ("context", "policeonto.context.jsonld", "The JSON-LD context"),
]


@dataclass(frozen=True)
class SiteSummary:
    """What a build made."""

    output: Path
    pages: int  # HTML pages
    markdown_pages: int  # pages generated before MkDocs ran
    seconds: float


def project_root() -> Path:
    """The project checkout the documentation sources (guides, examples, changelog) are read from."""
    return artefact_path(Path("."))


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024:,.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:,.1f} MB"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _markdown(root: Path, docs: Path, catalogue: MappingCatalogue) -> None:
    """Write every Markdown page of the site under *docs*, with the mappings *catalogue* finds."""
    view = schema_view()
    mappings = list_mappings(catalogue=catalogue)
    for mapping in mappings:  # a name is a page's file name, a link and a menu entry: letters and digits only
        if not safe_name(mapping.name):
            raise BuildError(
                f"{mapping.path}: the mapping's name {mapping.name[:80]!r} is not a page name: "
                "use letters, digits, '.', '_' and '-'"
            )
    covered = coverage(mappings)
    shapes = Graph().parse(artefact_path(ARTEFACTS["shacl"]))
    records = example_graph([root / "examples" / "pole-example.yaml", root / "examples" / "every-class.yaml"])
    generator = PageGenerator(
        str(SCHEMA_PATH),
        template_directory=str(TEMPLATES),
        diagram_type="mermaid_class_diagram",
        mergeimports=True,
        shapes=shapes,
        class_examples=examples(records, view),
        mapping_coverage=covered,
        sources_of_codes=code_sources(mappings),
    )
    generator.serialize(directory=str(docs))
    _write(docs / "terms.md", _element_page(generator, "terms.md.jinja2"))
    classes = sorted({cls for c in covered for cls in c.classes})
    all_slots = sorted(view.all_slots())
    filled = [(slot, [c.mapping.name for c in covered if slot in c.slots]) for slot in all_slots]
    _write(
        docs / "mappings" / "index.md", render("mappings.md.jinja2", coverage=covered, classes=classes, slots=filled)
    )
    for c in covered:
        _write(docs / "mappings" / f"{c.mapping.name}.md", render("mapping.md.jinja2", c=c))
    _write(
        docs / "iris.md", render("iris.md.jinja2", base=view.schema.id.rstrip("/") + "/", terms=term_pages(generator))
    )
    files = []
    for key, name, title in _DOWNLOADS:
        source = artefact_path(ARTEFACTS[key])
        (docs / "downloads").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, docs / "downloads" / name)
        files.append((name, title, _size(source)))
    _write(docs / "downloads.md", render("downloads.md.jinja2", version=view.schema.version, files=files))
    _write(docs / "vocabulary-changes.md", changes_page(root, view))
    for name in _GUIDES:
        _write(docs / "guides" / f"{name}.md", (root / "docs" / "guides" / f"{name}.md").read_text(encoding="utf-8"))
    for name in _REFERENCE:
        _write(docs / "reference" / f"{name}.md", (root / "docs" / f"{name}.md").read_text(encoding="utf-8"))
    _write(docs / "changelog.md", (root / "CHANGELOG.md").read_text(encoding="utf-8"))


def _element_page(generator: PageGenerator, template: str) -> str:
    return generator._get_template(template.removesuffix(".md.jinja2")).render(
        gen=generator, schema=generator.schemaview.schema, schemaview=generator.schemaview
    )


def _config(work: Path, docs: Path, output: Path, title: str, mappings: list[str]) -> Path:
    config = {
        "site_name": title,
        "site_description": "The policeonto vocabulary: classes, slots, code lists, shapes and source mappings",
        "docs_dir": str(docs),
        "site_dir": str(output),
        "use_directory_urls": False,
        "strict": True,
        "validation": {
            "links": {"not_found": "warn", "absolute_links": "warn", "unrecognized_links": "warn", "anchors": "warn"}
        },
        "theme": {
            "name": "material",
            "features": ["search.suggest", "search.highlight", "content.tabs.link", "navigation.tabs", "toc.follow"],
            "palette": {"primary": "indigo", "accent": "indigo"},
            "font": False,
        },
        "plugins": ["search"],
        "extra_javascript": ["javascripts/mermaid.min.js", "javascripts/diagrams.js"],
        "markdown_extensions": [
            "tables",
            "admonition",
            "attr_list",
            "md_in_html",
            "pymdownx.details",
            {"toc": {"permalink": True}},
            {"pymdownx.tabbed": {"alternate_style": True}},
            {
                "pymdownx.superfences": {
                    "custom_fences": [
                        {
                            "name": "mermaid",
                            "class": "diagram",
                            "format": "!!python/name:pymdownx.superfences.fence_div_format",
                        }
                    ]
                }
            },
        ],
        "nav": [
            {"Home": "index.md"},
            {"Guides": [{title: f"guides/{name}.md"} for name, title in _GUIDES.items()]},
            {
                "Vocabulary": [
                    {"All terms": "terms.md"},
                    {"IRIs and pages": "iris.md"},
                    {"Downloads": "downloads.md"},
                    {"Changes by release": "vocabulary-changes.md"},
                ]
            },
            {"Mappings": [{"Coverage": "mappings/index.md"}, *({name: f"mappings/{name}.md"} for name in mappings)]},
            {"Reference": [{title: f"reference/{name}.md"} for name, title in _REFERENCE.items()]},
            {"Changelog": "changelog.md"},
        ],
    }
    text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    # MkDocs reads the fence formatter as a Python name; safe_dump quotes the tag, so put it back.
    text = text.replace(
        "'!!python/name:pymdownx.superfences.fence_div_format'", "!!python/name:pymdownx.superfences.fence_div_format"
    )
    path = work / "mkdocs.yml"
    path.write_text(text, encoding="utf-8")
    return path


def build_site(
    output: Path, *, mermaid: Path | None = None, root: Path | None = None, catalogue: MappingCatalogue | None = None
) -> SiteSummary:
    """Build the documentation site into *output* (replaced if it exists).

    Args:
        output: the folder to write the HTML site to; it may neither hold nor lie inside a folder the
            build reads.
        mermaid: the Mermaid script to ship with the pages (default: the fetched copy,
            :func:`policeonto.docs.mermaid.default_path`).
        root: the project checkout holding ``docs/``, ``examples/`` and ``CHANGELOG.md``.
        catalogue: where the mappings the pages describe are found (default: ``POLICEONTO_MAPPINGS``'s
            folders, then the bundled ones), one of each name.

    Returns:
        How many pages were written and how long it took.

    Raises:
        BuildError: Mermaid has not been fetched, a source is missing, or MkDocs reported a problem (a broken
            link, a missing page).
        OutputPathError: *output* holds or lies inside one of the build's inputs.
        MappingSpecError: a folder of *catalogue* is gone, or a mapping in it is malformed.
    """
    try:
        from mkdocs.commands.build import build
        from mkdocs.config import load_config
        from mkdocs.exceptions import MkDocsException
    except ImportError as exc:
        raise BuildError(f"MkDocs is not installed ({exc}); install policeonto[docs]") from exc

    started = time.perf_counter()
    root = root or project_root()
    mermaid = mermaid or default_path()
    catalogue = catalogue or MappingCatalogue.search()
    refuse_clashes(
        inputs=[mermaid, root / "CHANGELOG.md"],
        input_folders=[root / "docs", root / "examples", *catalogue.paths],
        output_folders=[output],
    )
    if not mermaid.is_file():
        raise BuildError(
            f"{mermaid}: Mermaid is not there; fetch it with `python -m policeonto.docs.mermaid` (make docs does)"
        )
    for needed in (root / "docs" / "guides", root / "examples" / "every-class.yaml", root / "CHANGELOG.md"):
        if not needed.exists():
            raise BuildError(f"{needed}: missing; the site is built from a project checkout")
    output = output.resolve()
    _check_replaceable(output)
    with tempfile.TemporaryDirectory(prefix="policeonto-docs-") as temporary:
        work = Path(temporary)
        docs = work / "docs"
        _markdown(root, docs, catalogue)
        (docs / "javascripts").mkdir()
        shutil.copyfile(mermaid, docs / "javascripts" / "mermaid.min.js")
        shutil.copyfile(Path(__file__).parent / "assets" / "diagrams.js", docs / "javascripts" / "diagrams.js")
        markdown_pages = sum(1 for _ in docs.rglob("*.md"))
        staging = output.with_name(f".{output.name}.part")
        shutil.rmtree(staging, ignore_errors=True)
        names = sorted(path.stem for path in (docs / "mappings").glob("*.md") if path.stem != "index")
        config_file = _config(work, docs, staging, view_title(), names)
        try:
            try:
                config = load_config(config_file=str(config_file))
                build(config)
            except (MkDocsException, SystemExit) as exc:
                raise BuildError(f"MkDocs could not build the site: {exc}") from exc
            (staging / "sitemap.xml.gz").unlink(missing_ok=True)
            (staging / MARKER).write_text("built by policeonto docs; the folder is replaced on each build\n")
            _swap(staging, output)
        finally:  # however the build ends, nothing half-built is left beside the output
            shutil.rmtree(staging, ignore_errors=True)
    pages = sum(1 for _ in output.rglob("*.html"))
    return SiteSummary(output, pages, markdown_pages, time.perf_counter() - started)


def _check_replaceable(output: Path) -> None:
    """Refuse to build over a folder that is not a site an earlier build made (it is replaced whole)."""
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise BuildError(f"{output}: not a folder; give the folder the site goes to")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).is_file():
        raise BuildError(
            f"{output}: the folder holds files that no earlier `policeonto docs` wrote; the site replaces "
            "its folder whole, so give an empty or new folder"
        )


def _swap(staging: Path, output: Path) -> None:
    """Put the built site in place of the old one: the old one is moved aside first, then removed."""
    old = output.with_name(f".{output.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if output.exists():
        output.rename(old)
    staging.rename(output)
    shutil.rmtree(old, ignore_errors=True)


def view_title() -> str:
    """The site's title: the schema's."""
    return str(schema_view().schema.title)
