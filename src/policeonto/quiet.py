"""Silence a library's chatty logger while policeonto calls it, and leave the logging configuration as the
calling program had it afterwards.

rdflib logs a warning with a traceback for every literal whose lexical form does not fit its datatype
(20,000 ill-typed literals gave 8.2 MB on standard error); policeonto reports those as SHACL findings.

>>> import logging
>>> with quieted("rdflib.term"):
...     logging.getLogger("rdflib.term").level
40
>>> logging.getLogger("rdflib.term").level
0
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["RDFLIB_LITERALS", "quieted"]

#: rdflib's logger of ill-typed literals ("Failed to convert Literal lexical form to value").
RDFLIB_LITERALS = "rdflib.term"


@contextmanager
def quieted(*names: str, level: int = logging.ERROR) -> Iterator[None]:
    """Within the block, the loggers *names* pass only records of *level* and above; then their levels are
    set back."""
    loggers = [logging.getLogger(name) for name in names]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(level)
    try:
        yield
    finally:
        for logger, old in zip(loggers, before, strict=True):
            logger.setLevel(old)
