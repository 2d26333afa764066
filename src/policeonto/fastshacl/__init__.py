"""A columnar SHACL engine: shapes compiled to vectorised checks over a table of N-Triples terms.

It evaluates the SHACL Core constraint components and SHACL-SPARQL constraints (``sh:sparql`` with
``sh:select``) for predicate and inverse paths; shapes graphs using anything else raise
:class:`UnsupportedShapes`, and callers hand them to pySHACL.
"""

from policeonto.fastshacl.engine import RESULT_SCHEMA, evaluate
from policeonto.fastshacl.shapes import SUPPORTED, Shapes, UnsupportedShapes, compile_shapes
from policeonto.fastshacl.table import TripleTable, parse_ntriples

__all__ = [
    "RESULT_SCHEMA",
    "SUPPORTED",
    "Shapes",
    "TripleTable",
    "UnsupportedShapes",
    "compile_shapes",
    "evaluate",
    "parse_ntriples",
]
