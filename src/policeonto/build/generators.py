"""Run LinkML's generators with every option in one place.

The options are pinned here, not scattered over command lines, so a LinkML upgrade is one reviewed diff.
The raw generator output is then mended by :mod:`policeonto.build.fixes`.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from linkml.generators.jsonldcontextgen import ContextGenerator
from linkml.generators.owlgen import OwlSchemaGenerator
from linkml.generators.pythongen import PythonGenerator
from linkml.generators.shaclgen import ShaclGenerator
from rdflib import Graph

from policeonto.quiet import quieted

__all__ = [
    "CONTEXT_OPTIONS",
    "OWL_OPTIONS",
    "PYTHON_OPTIONS",
    "SHACL_OPTIONS",
    "generate_context",
    "generate_owl",
    "generate_python",
    "generate_shacl",
]

OWL = "http://www.w3.org/2002/07/owl#"

#: gen-owl: codes are individuals, types are literals, no metaclass punning, no closed-world covering axioms.
OWL_OPTIONS: dict[str, Any] = {
    "ontology_uri_suffix": "",
    "default_permissible_value_type": OWL + "NamedIndividual",
    "type_objects": False,
    "metaclasses": False,
    "add_root_classes": False,
    "add_ols_annotations": False,
    "metadata_profile": "rdfs",
    "skip_vacuous_local_range_axioms": True,
    "skip_vacuous_min_zero_cardinality_axioms": True,
    "consolidate_cardinality_axioms": True,
    "skip_abstract_class_as_unionof_subclasses": True,
    "xsd_anyuri_as_iri": True,
    "mergeimports": True,
}

#: gen-shacl: closed shapes; LinkML rules are translated by policeonto itself (into core SHACL).
SHACL_OPTIONS: dict[str, Any] = {
    "closed": True,
    "emit_rules": False,
    "include_annotations": False,
    "mergeimports": True,
}

#: gen-jsonld-context: prefixes and model terms in one context; IRIs as IRIs.
CONTEXT_OPTIONS: dict[str, Any] = {
    "prefixes": True,
    "model": True,
    "xsd_anyuri_as_iri": True,
    "mergeimports": True,
    "metadata": False,
}

#: gen-python: dataclasses for reading and writing records in YAML and JSON (linkml-runtime loaders).
PYTHON_OPTIONS: dict[str, Any] = {
    "metadata": False,
    "mergeimports": True,
}


def _quietly(generate: Any) -> str:
    # LinkML logs and warns about choices made deliberately above; keep the build output readable.
    with quieted("linkml"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return generate()


def generate_owl(schema: Path) -> Graph:
    """Return gen-owl's raw OWL for *schema* as a graph."""
    text = _quietly(lambda: OwlSchemaGenerator(str(schema), format="ttl", **OWL_OPTIONS).serialize())
    return Graph().parse(data=text, format="turtle")


def generate_shacl(schema: Path) -> Graph:
    """Return gen-shacl's raw SHACL shapes for *schema* as a graph."""
    text = _quietly(lambda: ShaclGenerator(str(schema), **SHACL_OPTIONS).serialize())
    return Graph().parse(data=text, format="turtle")


def generate_context(schema: Path) -> dict[str, Any]:
    """Return gen-jsonld-context's raw JSON-LD context for *schema*."""
    text = _quietly(lambda: ContextGenerator(str(schema), **CONTEXT_OPTIONS).serialize())
    return json.loads(text)


def generate_python(schema: Path) -> str:
    """Return gen-python's dataclasses for *schema* as module source."""
    return _quietly(lambda: PythonGenerator(str(schema), **PYTHON_OPTIONS).serialize())
