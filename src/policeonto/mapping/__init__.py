"""Map force exports onto the shared vocabulary through declarative mappings.

>>> import io
>>> from pathlib import Path
>>> sink = io.BytesIO()
>>> result = map_files([Path("tests/data/sources/street-sample.csv")], sink)
>>> result.rows_read == result.rows_mapped + result.rows_rejected
True
"""

from policeonto.mapping.engine import DEFAULT_BASE, FileSummary, MapOptions, MapResult, map_file, map_files
from policeonto.mapping.spec import Mapping, list_mappings, load_mapping

__all__ = [
    "DEFAULT_BASE",
    "FileSummary",
    "MapOptions",
    "MapResult",
    "Mapping",
    "list_mappings",
    "load_mapping",
    "map_file",
    "map_files",
]
