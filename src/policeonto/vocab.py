"""Where the schema lives, and the namespaces shared by every module."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Namespace

if TYPE_CHECKING:
    from linkml_runtime.utils.schemaview import SchemaView

__all__ = ["ARTEFACTS", "POLE", "SCHEMA_PATH", "SH", "artefact_dir", "artefact_path", "schema_view"]

#: The main LinkML schema file (it imports every module).
SCHEMA_PATH: Path = Path(str(files("policeonto") / "schema" / "policeonto.yaml"))

#: Where each generated artefact lives, relative to the project root.
ARTEFACTS: dict[str, Path] = {
    "owl": Path("ontology/policeonto.ttl"),
    "alignments": Path("ontology/policeonto-alignments.ttl"),
    "codelists": Path("ontology/policeonto-codelists.ttl"),
    "context": Path("ontology/policeonto.context.jsonld"),
    "shacl": Path("shapes/policeonto.shacl.ttl"),
    "python": Path("src/policeonto/datamodel.py"),
    "alignments_page": Path("docs/alignments.md"),
    "entailed": Path("ontology/policeonto-entailed.nt"),
}

#: Namespace of the vocabulary's classes and properties.
POLE = Namespace("https://w3id.org/policeonto/")
SH = Namespace("http://www.w3.org/ns/shacl#")


def artefact_path(relative: Path) -> Path:
    """Where a generated artefact (such as ``shapes/policeonto.shacl.ttl``) is: inside the installed
    package (wheels carry them under ``_artefacts``) or, in a source checkout, at the project root.

    >>> artefact_path(Path("shapes/policeonto.shacl.ttl")).is_file()
    True
    """
    packaged = Path(str(files("policeonto"))) / "_artefacts" / relative
    if packaged.is_file():
        return packaged
    return Path(str(files("policeonto"))).parents[1] / relative


def artefact_dir(relative: Path) -> Path:
    """Where a folder of shipped files (such as ``mappings``) is, as for :func:`artefact_path`."""
    packaged = Path(str(files("policeonto"))) / "_artefacts" / relative
    if packaged.is_dir():
        return packaged
    return Path(str(files("policeonto"))).parents[1] / relative


@cache
def schema_view(path: Path = SCHEMA_PATH) -> SchemaView:
    """Return a (cached) LinkML SchemaView of the schema with all imports merged.

    >>> schema_view().schema.name
    'policeonto'
    """
    from linkml_runtime.utils.schemaview import SchemaView  # most of a second to import: only when asked for

    view = SchemaView(str(path), merge_imports=True)
    view.all_elements()  # resolve imports once, up front
    return view
