"""Validate exports and RDF against the shared vocabulary, as findings.

A tabular export is checked twice: its structure through its mapping (columns, types, allowed values) and
the meaning of the mapped records against the SHACL shapes, each shape finding located both in the graph
(focus node, path, value, constraint) and in the source (file, row). RDF that someone else produced is
read without fetching anything and checked against the shapes.
"""

from policeonto.validation.core import Engine, FileReport, ValidationReport, validate, validate_stream, validated_run
from policeonto.validation.pipeline import ShapesChecked, validating

__all__ = [
    "Engine",
    "FileReport",
    "ShapesChecked",
    "ValidationReport",
    "validate",
    "validate_stream",
    "validated_run",
    "validating",
]
