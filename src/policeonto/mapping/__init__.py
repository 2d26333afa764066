"""Map force exports onto the shared vocabulary through declarative mappings.

Mapping is a stream of plain values (:func:`map_stream`) that consumers pull: writing N-Triples
(:func:`writing_ntriples`), validating, loading. :func:`map_files` is the stream with the N-Triples end.

>>> import io
>>> from pathlib import Path
>>> sink = io.BytesIO()
>>> result = map_files([Path("tests/data/sources/street-sample.csv")], sink)
>>> result.rows_read == result.rows_mapped + result.rows_rejected
True
"""

from policeonto.mapping.catalogue import MappingCatalogue
from policeonto.mapping.engine import MapResult, map_files, map_result
from policeonto.mapping.events import (
    DEFAULT_BASE,
    Event,
    FileEnded,
    FileStarted,
    FileSummary,
    MapOptions,
    RecordsUnread,
    RowsMapped,
)
from policeonto.mapping.recognition import Fit, Recognition, recognition
from policeonto.mapping.spec import Mapping, MappingChoice, list_mappings, load_mapping
from policeonto.mapping.stream import map_stream
from policeonto.mapping.writing import writing_datasets, writing_ntriples

__all__ = [
    "DEFAULT_BASE",
    "Event",
    "FileEnded",
    "FileStarted",
    "FileSummary",
    "Fit",
    "MapOptions",
    "MapResult",
    "Mapping",
    "MappingCatalogue",
    "MappingChoice",
    "Recognition",
    "RecordsUnread",
    "RowsMapped",
    "list_mappings",
    "load_mapping",
    "map_files",
    "map_result",
    "map_stream",
    "recognition",
    "writing_datasets",
    "writing_ntriples",
]
