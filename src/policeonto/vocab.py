"""Where the schema lives, and the namespaces shared by every module."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from linkml_runtime.utils.schemaview import SchemaView
from rdflib import Namespace

__all__ = ["POLE", "SCHEMA_PATH", "SH", "schema_view"]

#: The main LinkML schema file (it imports every module).
SCHEMA_PATH: Path = Path(str(files("policeonto") / "schema" / "policeonto.yaml"))

#: Namespace of the vocabulary's classes and properties.
POLE = Namespace("https://w3id.org/policeonto/")
SH = Namespace("http://www.w3.org/ns/shacl#")


@cache
def schema_view(path: Path = SCHEMA_PATH) -> SchemaView:
    """Return a (cached) LinkML SchemaView of the schema with all imports merged.

    >>> schema_view().schema.name
    'policeonto'
    """
    view = SchemaView(str(path), merge_imports=True)
    view.all_elements()  # resolve imports once, up front
    return view
