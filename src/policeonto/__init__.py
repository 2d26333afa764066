"""policeonto: the common policing ontology (POLE) and a semantic data library for UK policing.

>>> import policeonto
>>> policeonto.__version__
'0.1.0'
"""

from __future__ import annotations

from policeonto.build import BuildResult, build
from policeonto.errors import BuildError, InstanceDataError, PoliceOntoError, SchemaError
from policeonto.vocab import POLE, SCHEMA_PATH, schema_view

__version__ = "0.1.0"

__all__ = [
    "POLE",
    "SCHEMA_PATH",
    "BuildError",
    "BuildResult",
    "InstanceDataError",
    "PoliceOntoError",
    "SchemaError",
    "__version__",
    "build",
    "schema_view",
]
