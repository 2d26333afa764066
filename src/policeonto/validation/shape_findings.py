"""Finding codes for SHACL results: one stable code per SHACL Core constraint component.

>>> code_for("http://www.w3.org/ns/shacl#MinCountConstraintComponent")
'shape-min-count'
"""

from __future__ import annotations

from policeonto.findings import SHAPE_COMPONENTS, shape_code

__all__ = ["code_for"]


def code_for(component: str) -> str:
    """The finding code of a SHACL constraint component IRI."""
    name = component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    return shape_code(name) if name in SHAPE_COMPONENTS else "shape-sparql"
