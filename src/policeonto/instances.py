"""Read records written in YAML or JSON (a RecordSet) and turn them into RDF in the shared vocabulary.

The YAML and JSON forms follow the LinkML schema; the RDF form is what linkml-runtime's RDF dumper
writes, less the RecordSet bundle itself.

>>> from pathlib import Path
>>> graph = records_to_graph(load_records(Path("tests/data/valid/stop-and-search.yaml")))
>>> len(graph) > 10
True
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from rdflib import RDF, XSD, Graph, Literal

from policeonto.errors import InstanceDataError, UnsafeInputError, shorten
from policeonto.limits import Limits, number_error, read_bounded
from policeonto.quiet import RDFLIB_LITERALS, quieted
from policeonto.records_bounds import check_values
from policeonto.safety import load_yaml
from policeonto.vocab import POLE, schema_view

if TYPE_CHECKING:  # LinkML's runtime and the generated classes take most of a second to import
    from policeonto.datamodel import RecordSet

__all__ = ["canonical_decimal", "is_records", "load_records", "read_records", "records_to_graph"]


def is_records(path: Path) -> bool:
    """Whether *path* holds records in the shared vocabulary (a RecordSet), by its extension: YAML.

    (A RecordSet in JSON is read by :func:`load_records` too, but a ``.json`` file is taken for a source
    export or JSON-LD wherever files are told apart by name.)

    >>> is_records(Path("examples/pole-example.yaml")), is_records(Path("export.csv"))
    (True, False)
    """
    return path.suffix.lower() in {".yaml", ".yml"}


def load_records(path: Path | str, *, limits: Limits = Limits()) -> RecordSet:
    """Read a RecordSet from a YAML (.yaml, .yml) or JSON (.json) file, with the safe YAML loader.

    Raises:
        InstanceDataError: the file is larger than ``limits.file_size``, cannot be read, is not YAML or
            JSON, uses a YAML tag or alias bomb the safe loader refuses, has an identifier or reference over
            ``limits.iri_size``, a text over ``limits.field_size``, a number of more digits than Python
            reads or a lone UTF-16 surrogate, or does not fit the schema; the error names the file and, for
            syntax errors, the line and column.
    """
    from linkml_runtime.loaders import json_loader, yaml_loader

    from policeonto.datamodel import RecordSet

    path = Path(path)
    data = _parse(path, read_bounded(path, limits))
    check_values(data, path, limits)
    try:
        _check_identifiers(data)
    except ValueError as exc:
        raise InstanceDataError(f"does not fit the schema: {shorten(str(exc), 300)}", path=path) from exc
    try:
        # the parsed data, never the text: LinkML's loaders read text that looks like a path or a URL from there
        return (json_loader if _is_json(path) else yaml_loader).load_any(data, target_class=RecordSet)
    except RecursionError as exc:
        raise InstanceDataError("nested too deeply", path=path) from exc
    except (ValueError, TypeError, KeyError, ArithmeticError) as exc:
        raise InstanceDataError(f"does not fit the schema: {_misfit(exc)}", path=path) from exc


def _is_json(path: Path) -> bool:
    return path.suffix.lower() == ".json"


def _parse(path: Path, data: bytes) -> object:
    """The YAML or JSON document in *data*, read from *path*.

    Raises:
        InstanceDataError: not UTF-8, not valid YAML or JSON (or a number Python will not read), a YAML tag
            or alias bomb.
    """
    kind = "JSON" if _is_json(path) else "YAML"
    try:
        text = data.decode("utf-8")
        return json.loads(text) if _is_json(path) else load_yaml(text)
    except UnicodeDecodeError as exc:
        raise InstanceDataError(f"cannot read: not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from exc
    except UnsafeInputError as exc:
        raise InstanceDataError(f"refused: {exc}", path=path) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise InstanceDataError(f"not valid YAML: {exc.problem}", path=path, line=line, column=column) from exc
    except yaml.YAMLError as exc:
        raise InstanceDataError(f"not valid YAML: {shorten(str(exc), 300)}", path=path) from exc
    except json.JSONDecodeError as exc:
        raise InstanceDataError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno, column=exc.colno) from exc
    except RecursionError as exc:
        raise InstanceDataError("nested too deeply", path=path) from exc
    except ValueError as exc:  # Python's refusal of a number with thousands of digits
        raise InstanceDataError(f"not valid {kind}: {number_error(exc)}", path=path) from exc


def _check_identifiers(data: object) -> None:
    """Every record in a RecordSet's lists has its identifier (LinkML's loader says something obscure when one
    is missing).

    Raises:
        ValueError: a record lacks its identifier; names the list and the record's position.

    >>> _check_identifiers({"persons": [{"id": "https://example.org/p/1"}, {"gender": "male"}]})
    Traceback (most recent call last):
    ...
    ValueError: record 2 of persons has no id
    """
    if data is None or data == "":
        raise ValueError("the file holds no records")
    if not isinstance(data, dict):
        raise ValueError(f"the file holds a {type(data).__name__}, not a RecordSet (collections such as persons:)")
    view = schema_view()
    for slot_name, records in data.items():
        slot = view.get_slot(str(slot_name)) if isinstance(slot_name, str) else None
        key = view.get_identifier_slot(slot.range) if slot is not None and slot.range in view.all_classes() else None
        if key is None or not isinstance(records, list):
            continue
        for position, record in enumerate(records, start=1):
            if not isinstance(record, dict):
                raise ValueError(f"record {position} of {slot_name} is {record!r}, not a mapping of slots to values")
            identifier = record.get(key.name)
            if identifier in (None, ""):
                raise ValueError(f"record {position} of {slot_name} has no {key.name}")
            if not isinstance(identifier, str) or ":" not in identifier:
                raise ValueError(f"record {position} of {slot_name} has {key.name} {identifier!r}, not an IRI")


_UNKNOWN_KEY = re.compile(r"(\w+)\.__init__\(\) got an unexpected keyword argument '([^']*)'")
_MISSING_KEY = re.compile(r"(\w+)\.__init__\(\) missing \d+ required (?:positional|keyword-only) arguments?: (.+)")


def _misfit(exc: Exception) -> str:
    """What the generated classes said, in the schema's words rather than Python's.

    >>> _misfit(TypeError("Person.__init__() got an unexpected keyword argument 'shoe_size'"))
    "Person has no slot 'shoe_size'"
    >>> _misfit(TypeError("PersonName.__init__() missing 1 required positional argument: 'id'"))
    "PersonName needs 'id'"
    """
    if isinstance(exc, InvalidOperation):
        return "a value of a number slot is not a number"
    text = shorten(str(exc), 300)  # never the whole of a huge value the loader quotes
    if found := _UNKNOWN_KEY.search(text):
        return f"{found[1]} has no slot {found[2]!r}"
    if found := _MISSING_KEY.search(text):
        return f"{found[1]} needs {found[2]}"
    return text


def canonical_decimal(value: Decimal) -> str:
    """The canonical xsd:decimal form: no needless zeros, a digit either side of the point.

    >>> canonical_decimal(Decimal("-0.133520")), canonical_decimal(Decimal("100")), canonical_decimal(Decimal("1E-5"))
    ('-0.13352', '100.0', '0.00001')
    """
    text = format(value.normalize(), "f")
    return text if "." in text else text + ".0"


def read_records(path: Path | str, *, limits: Limits = Limits()) -> Graph:
    """The RDF of the RecordSet in *path* (see :func:`load_records` and :func:`records_to_graph`).

    Raises:
        InstanceDataError: as :func:`load_records`; also when a record cannot be written as RDF (a value
            the schema's types accept but RDF cannot hold, such as an identifier with an unknown prefix).
    """
    path = Path(path)
    records = load_records(path, limits=limits)
    try:
        return records_to_graph(records)
    except ValueError as exc:
        raise InstanceDataError(f"cannot be written as RDF: {exc}", path=path) from exc


def records_to_graph(records: RecordSet) -> Graph:
    """Return the records as an RDF graph, without the RecordSet bundle node."""
    # The dumper logs a warning for every string format without an XSD datatype; they are plain strings.
    from linkml_runtime.dumpers import rdflib_dumper

    with quieted("linkml_runtime.dumpers.rdflib_dumper", RDFLIB_LITERALS):
        graph = rdflib_dumper.as_rdf_graph(records, schemaview=schema_view())
    for bundle in list(graph.subjects(RDF.type, POLE.RecordSet)):
        graph.remove((bundle, None, None))
    # YAML and JSON numbers arrive as binary floats, which become decimals of 40-odd digits: those are read
    # back as the shortest decimal giving the same float (51.518207, not 51.518206999999996753...). Decimals
    # given as text keep their digits. Every decimal is written in its canonical form.
    for s, p, o in list(graph.triples((None, None, None))):
        if isinstance(o, Literal) and o.datatype == XSD.decimal:
            value = Decimal(str(o))
            if len(value.as_tuple().digits) > 25:
                value = Decimal(repr(float(value)))
            graph.set((s, p, Literal(canonical_decimal(value), datatype=XSD.decimal)))
    return graph
