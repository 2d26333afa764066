"""The reference path: the same mapping run row by row through linkml-map's ObjectTransformer and
linkml-runtime's RDF dumper. It is slow and meant for checking the fast path (tests, benchmarks): on any
input both must give isomorphic graphs.

Its row checks are written independently of :mod:`policeonto.mapping.checks` (plain Python, no Polars), so
the comparison covers them too. Needs the ``reference`` extra (linkml-map).
"""

from __future__ import annotations

import copy
import csv
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import XSD, Graph, Literal

from policeonto.instances import records_to_graph
from policeonto.mapping.plan import enum_codes
from policeonto.mapping.reader import inspect
from policeonto.mapping.recognition import recognise
from policeonto.mapping.reference_functions import EXTENSION_FUNCTIONS
from policeonto.mapping.spec import Mapping, SourceColumn, list_mappings
from policeonto.vocab import schema_view

if TYPE_CHECKING:
    from linkml_runtime.utils.schemaview import SchemaView

__all__ = ["reference_graph", "without_string_datatype"]

# Unicode White_Space, which the fast path's polars strip_chars() trims. Python's str.strip() also
# trims the separators U+001C to U+001F, which are data, not space.
_WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace() and not 0x1C <= c <= 0x1F)

_LISTS = {
    "Event": "events",
    "Location": "locations",
    "Person": "persons",
    "Link": "links",
    "Organisation": "organisations",
    "Object": "objects",
}


def _clean(column: SourceColumn, raw: str | None, codes: dict[str, str]) -> tuple[Any, bool]:
    """(value, ok): the cleaned value, and whether it passed the column's checks."""
    value = (raw or "").strip(_WHITESPACE) or None
    if value is None:
        return None, not column.required
    if column.crosswalk is not None:
        value = codes.get(value)
        return value, value is not None
    if column.pattern and not re.search(column.pattern, value):
        return None, False
    if column.range in {"decimal", "integer", "float", "double"}:
        if not re.fullmatch(
            r"[+-]?[0-9]+" if column.range == "integer" else r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", value
        ):
            return None, False
        try:
            number = Decimal(value)
        except InvalidOperation:
            return None, False
        if (column.minimum is not None and number < Decimal(str(column.minimum))) or (
            column.maximum is not None and number > Decimal(str(column.maximum))
        ):
            return None, False
    if column.range == "boolean":
        if value.lower() not in {"true", "false"}:
            return None, False
        value = value.lower()
    if column.range == "datetime":
        if not re.fullmatch(
            r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?", value
        ):
            return None, False
        try:
            datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            return None, False
    return value, True


def _list_for(view: SchemaView, target: str) -> str:
    for ancestor in view.class_ancestors(target):
        if ancestor in _LISTS:
            return _LISTS[ancestor]
    raise ValueError(f"no RecordSet list for {target}")


def reference_graph(path: Path, *, context: dict[str, str], mapping: Mapping | None = None) -> tuple[Graph, set[int]]:
    """Map *path* row by row with linkml-map; return the graph and the numbers of the rows it mapped.

    *context* is the engine's context for the file (base, dataset, run, dataset_key, publisher), so that
    both paths make the same IRIs. Files must be well formed (no malformed rows).
    """
    from linkml_map.transformer.object_transformer import ObjectTransformer

    from policeonto.datamodel import RecordSet

    view = schema_view()
    source = inspect(path)
    mapping = mapping or recognise(source, list_mappings()).mapping
    match = recognise(source, [mapping], name=mapping.name)
    by_iri = enum_codes(view)
    codes = {
        c.slot: {label: by_iri[i] for label, i in c.crosswalk.codes().items() if i in by_iri}
        for c in mapping.columns
        if c.crosswalk is not None
    }
    transformer = ObjectTransformer(  # linkml-map's own safe evaluator, never eval(), with our functions
        unrestricted_eval=False, extension_functions=dict(EXTENSION_FUNCTIONS)
    )
    transformer.source_schemaview = mapping.source_view()
    transformer.target_schemaview = view
    transformer.create_transformer_specification(copy.deepcopy(mapping.specification))  # linkml-map edits it
    derivations = transformer.derived_specification.class_derivations
    records: dict[str, dict[str, dict[str, Any]]] = {}
    mapped: set[int] = set()
    with path.open(encoding=source.encoding, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        number = 0
        for fields in reader:
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            number += 1
            raw = {match.slots[h]: v for h, v in zip(header, fields, strict=True) if h in match.slots}
            row: dict[str, Any] = {}
            ok = True
            for column in mapping.columns:
                value, passed = _clean(column, raw.get(column.slot), codes.get(column.slot, {}))
                ok = ok and (passed or not column.required)
                row[column.slot] = value if passed else None
            if not ok:
                continue
            mapped.add(number)
            row |= {k: v for k, v in context.items()} | {"row": number}
            for derivation in derivations:
                obj = transformer.map_object(row, source_type=mapping.row_class, class_derivation=derivation)
                obj = {k: v for k, v in obj.items() if v is not None}
                if "id" not in obj:
                    continue
                obj.setdefault("type", f"pole:{derivation.name}")
                records.setdefault(_list_for(view, derivation.name), {}).setdefault(obj["id"], obj)
    record_set = RecordSet(**{name: list(objects.values()) for name, objects in records.items()})
    return records_to_graph(record_set), mapped


def without_string_datatype(graph: Graph) -> Graph:
    """The graph with ``"x"^^xsd:string`` written as ``"x"``: the same RDF 1.1 term, spelt two ways."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == XSD.string:
            o = Literal(str(o))
        out.add((s, p, o))
    return out
