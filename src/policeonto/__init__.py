"""policeonto: the common policing ontology (POLE) and a semantic data library for UK policing.

The library's working functions are here at the top level, each with keyword-only options and a typed
result: :func:`map_files` (exports to N-Triples), :func:`validate` (exports and RDF to a report of findings,
one entry per file), :func:`load_inputs` (into a store opened with :func:`open_store`), :func:`convert`
(records in YAML or JSON to RDF) and :func:`build` (the schema to its artefacts). The first three find
mappings through a :class:`MappingCatalogue` (folders of one's own, then the bundled mappings). Errors all
derive from :class:`PoliceOntoError`.

>>> import io
>>> import policeonto
>>> out = io.BytesIO()
>>> mapped = policeonto.map_files(["tests/data/sources/street-sample.csv"], out)
>>> mapped.rows_read == mapped.rows_mapped + mapped.rows_rejected, out.getvalue().count(b"\\n") == mapped.triples
(True, True)
>>> report = policeonto.validate(["tests/data/sources/street-sample.csv"])
>>> report.valid, report.rows == mapped.rows_read
(True, True)
>>> policeonto.convert("tests/data/valid/street-crime.json").conforms
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from policeonto.errors import (
    BuildError,
    InstanceDataError,
    MappingInputError,
    MappingSpecError,
    OptionError,
    PoliceOntoError,
    SchemaError,
    StoreError,
)
from policeonto.vocab import POLE, SCHEMA_PATH, schema_view

__version__ = "0.1.0"

if TYPE_CHECKING:
    from policeonto.build import BuildResult, build
    from policeonto.conversion import ConversionResult, convert
    from policeonto.findings import Finding, Severity
    from policeonto.limits import Limits
    from policeonto.mapping import MapOptions, MappingCatalogue, MapResult, map_files
    from policeonto.rdf_formats import RdfFormat
    from policeonto.store import Store, open_store
    from policeonto.store.jobs import LoadedGraph, load_inputs
    from policeonto.validation import Engine, ValidationReport, validate

#: Each name the package gives from a module it imports only when the name is first asked for (the
#: mapping, validation and store modules bring in polars and pyoxigraph, the build step LinkML's generators).
_LAZY = {
    "BuildResult": "policeonto.build",
    "build": "policeonto.build",
    "ConversionResult": "policeonto.conversion",
    "convert": "policeonto.conversion",
    "Finding": "policeonto.findings",
    "Severity": "policeonto.findings",
    "Limits": "policeonto.limits",
    "MapOptions": "policeonto.mapping",
    "MapResult": "policeonto.mapping",
    "MappingCatalogue": "policeonto.mapping",
    "map_files": "policeonto.mapping",
    "RdfFormat": "policeonto.rdf_formats",
    "Store": "policeonto.store",
    "open_store": "policeonto.store",
    "LoadedGraph": "policeonto.store.jobs",
    "load_inputs": "policeonto.store.jobs",
    "Engine": "policeonto.validation",
    "ValidationReport": "policeonto.validation",
    "validate": "policeonto.validation",
}


def __getattr__(name: str) -> Any:
    """A name of :data:`_LAZY`, from its module, imported now. A module whose name is also a function here
    (``build``) is bound as the function."""
    if name not in _LAZY:
        raise AttributeError(f"module 'policeonto' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "POLE",
    "SCHEMA_PATH",
    "BuildError",
    "BuildResult",
    "ConversionResult",
    "Engine",
    "Finding",
    "InstanceDataError",
    "Limits",
    "LoadedGraph",
    "MapOptions",
    "MapResult",
    "MappingCatalogue",
    "MappingInputError",
    "MappingSpecError",
    "OptionError",
    "PoliceOntoError",
    "RdfFormat",
    "SchemaError",
    "Severity",
    "Store",
    "StoreError",
    "ValidationReport",
    "__version__",
    "build",
    "convert",
    "load_inputs",
    "map_files",
    "open_store",
    "schema_view",
    "validate",
]
