"""Bounds on the values of a records file (a RecordSet in YAML or JSON), checked on the parsed document
before LinkML's loader sees it: an identifier or reference longer than ``Limits.iri_size`` (a 10 MB ``id``
took the loader 9.7 s and 4 GB), any text over ``Limits.field_size``, and text holding a lone UTF-16
surrogate (from a ``\\ud800`` escape), which no RDF syntax can write.

Which values are identifiers or references comes from the schema: a slot whose range is a class (a
reference, or an inlined record) or an IRI type (``uriorcurie``, ``uri``, ...).

>>> try:
...     check_values({"persons": [{"id": "https://example.org/p/" + "9" * 9000}]}, Path("r.yaml"), Limits())
... except InstanceDataError as exc:
...     print(str(exc)[:60])
r.yaml: persons[1].id: an IRI of 9,022 bytes, over the limit
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from policeonto.errors import InstanceDataError, shorten
from policeonto.limits import Limits
from policeonto.vocab import schema_view

__all__ = ["check_values"]

_IRI_TYPES = {"uriorcurie", "uri", "curie", "objectidentifier", "nodeidentifier"}
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_values(data: object, path: Path, limits: Limits) -> None:
    """Refuse the records document *data*, read from *path*, if a value is over its bound or holds a lone
    surrogate.

    Raises:
        InstanceDataError: names the file and where the value is (``persons[2].id``), with its start.
    """
    stack: list[tuple[object, str | None, bool, str]] = [(data, "RecordSet", False, "")]
    while stack:
        value, owner, is_iri, where = stack.pop()
        if isinstance(value, dict):
            owner = _designated(value, owner)
            for key, item in value.items():
                name = str(key)
                _check_text(name, f"{where}.{shorten(name, 40)}" if where else shorten(name, 40), True, path, limits)
                range_class, iri = _slot(owner, name)
                stack.append((item, range_class, iri, f"{where}.{name}" if where else name))
        elif isinstance(value, list):
            stack.extend((item, owner, is_iri, f"{where}[{n}]") for n, item in enumerate(value, start=1))
        elif isinstance(value, str):
            _check_text(value, where, is_iri, path, limits)


def _check_text(value: str, where: str, is_iri: bool, path: Path, limits: Limits) -> None:
    bound, name = (limits.iri_size, "iri_size") if is_iri else (limits.field_size, "field_size")
    if len(value) > bound // 4 and (size := len(value.encode("utf-8", "surrogatepass"))) > bound:
        what = "an IRI" if is_iri else "a text"
        raise InstanceDataError(
            f"{where}: {what} of {size:,} bytes, over the limit ({limits.hint(name)}): {shorten(value)!r}", path=path
        )
    if _SURROGATE.search(value):
        shown = shorten(value).encode("utf-8", "backslashreplace").decode()
        raise InstanceDataError(
            f"{where}: {shown!r} holds a \\\\u escape of a UTF-16 surrogate (D800 to DFFF), which is not a character",
            path=path,
        )


def _designated(record: dict[object, object], owner: str | None) -> str | None:
    """The class a record says it is (``type: pole:Arrest``) when the schema knows it, else *owner*."""
    named = record.get("type")
    if owner is None or not isinstance(named, str):
        return owner
    name = named.rpartition(":")[2].rpartition("/")[2]
    return name if name in schema_view().all_classes() else owner


@cache
def _slot(owner: str | None, name: str) -> tuple[str | None, bool]:
    """The class a slot of *owner* holds (or None) and whether its text values are IRIs."""
    view = schema_view()
    if owner is None or owner not in view.all_classes():
        return None, False
    try:
        slot = view.induced_slot(name, owner)
    except ValueError:  # no such slot: the loader says so
        return None, False
    if slot.range in view.all_classes():
        return slot.range, True  # text is a reference; a mapping is an inlined record of that class
    if slot.range in view.all_types():
        kind = view.get_type(slot.range)
        return None, slot.range in _IRI_TYPES or kind.typeof in _IRI_TYPES
    return None, False
