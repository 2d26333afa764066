"""The fast engine as a consumer of the mapping stream: it validates what each batch makes, yields every
event on (so that writing or loading can follow it over the same pass), and at the end of the stream yields
what it found.

>>> from policeonto.mapping import map_stream
>>> events = list(validating(map_stream("tests/data/sources/street-sample.csv")))
>>> checked = events[-1]
>>> isinstance(checked, ShapesChecked), checked.triples > 0
(True, True)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import polars as pl

from policeonto.fastshacl import Shapes
from policeonto.mapping.events import FileEnded, FileStarted, PartEnded, RowsMapped
from policeonto.validation.mapped import MappedValidator, ValidatedPart

__all__ = ["ShapesChecked", "checked", "validating", "validating_part"]

E = TypeVar("E")


@dataclass(frozen=True)
class ShapesChecked:
    """What the shapes found in a mapping stream: the violations in the order the files were mapped (the
    nodes rows share last), each with its file, row and source column; the records and triples validated."""

    violations: tuple[pl.DataFrame, ...]
    records: int
    triples: int


def validating(events: Iterable[E], *, shapes: Shapes | None = None) -> Iterator[E | ShapesChecked]:
    """Validate what the mapping stream *events* makes against *shapes* (the project's by default), yielding
    each event on once it is taken, and a :class:`ShapesChecked` after the last."""
    validator = MappedValidator() if shapes is None else MappedValidator(shapes=shapes)
    yield from _fed(events, validator)
    yield checked(validator)


def validating_part(events: Iterable[E]) -> Iterator[E | ValidatedPart]:
    """Validate what the mapping stream *events* (a part of a run: a Dask task's files) makes, yielding each
    event on, and after the last a :class:`ValidatedPart`, for the run's validator to finish with the
    other parts' (:meth:`MappedValidator.absorb`)."""
    validator = MappedValidator()
    yield from _fed(events, validator)
    yield validator.part()


def checked(validator: MappedValidator) -> ShapesChecked:
    """What *validator* found in a run it has taken every part of: the nodes rows share and the links put
    off are decided now."""
    validator.finish()
    return ShapesChecked(tuple(validator.found), validator.records, validator.triples)


def _fed(events: Iterable[E], validator: MappedValidator) -> Iterator[E]:
    """Each of *events*, yielded on once *validator* has taken what it carries."""
    try:
        for event in events:
            if isinstance(event, FileStarted):
                validator.begin(event.file, event.mapping, event.derivations, event.provenance)
            elif isinstance(event, RowsMapped) and event.made:
                validator.batch(event.made)
            elif isinstance(event, FileEnded):
                validator.end(event.provenance)
            elif isinstance(event, PartEnded):
                validator.pause()
            yield event
    except BaseException:  # an interrupt, an error, or the consumer closing the stream (GeneratorExit)
        validator.abandon()
        raise
