"""policeonto: the common policing ontology (POLE) and a semantic data library for UK policing.

>>> import policeonto
>>> policeonto.__version__
'0.1.0'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from policeonto.errors import BuildError, InstanceDataError, PoliceOntoError, SchemaError
from policeonto.vocab import POLE, SCHEMA_PATH, schema_view

__version__ = "0.1.0"

if TYPE_CHECKING:
    from policeonto.build import BuildResult, build


def __getattr__(name: str) -> Any:
    """The build step loads the LinkML generators, which take most of a second: only when asked for."""
    if name in ("BuildResult", "build"):
        module = importlib.import_module("policeonto.build")
        globals().update(BuildResult=module.BuildResult, build=module.build)  # the function, not the package
        return globals()[name]
    raise AttributeError(f"module 'policeonto' has no attribute {name!r}")


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
