"""Load declarative mappings: a linkml-map TransformationSpecification, the LinkML schema of the source
format it reads, and the SSSOM crosswalks its coded columns name.

A mapping lives in ``mappings/<name>.transform.yaml``. Besides the standard TransformationSpecification
keys it has one ``policeonto`` block, which policeonto reads and removes before linkml-map sees the
specification:

- ``row_class``: the class of the source schema that describes one row (or one JSON record);
- ``file_name``: a pattern of file names, matched from the start of the name, whose ``force`` group gives
  the publishing force;
- ``json``: for JSON sources, which records make the rows: ``records`` (the top-level member holding
  them, such as ``data`` or ``included`` in a JSON:API document), ``type`` (keep records of this type)
  and ``each`` (one row per item of the list at this path, with the record's ``id`` and ``type``).

Mappings that share a source schema read one export made of several tables (files, or record types of a
JSON file). The source schema says how the tables join: the row class's ``identifier`` slot is its key,
and a column whose ``references`` annotation names another row class is a foreign key. A reference can
name a row of any of several row classes (``references: PersonNode VehicleNode``, as a graph database's
global node IDs do), or depend on another column: ``references: "entity_type: NOM=NominalRow VEH=ObjectRow"``.

A mapping reads only files inside its own folder: its source schema, the schemas those import (besides
LinkML's own ``linkml:`` schemas) and its crosswalks. A reference to a URL, an absolute path or a file
outside the folder is refused, and so is an expression outside the safe subset
(:mod:`policeonto.mapping.expressions`); YAML is read with the safe loader. Its patterns (``file_name``, a
source column's ``pattern``) are run by Rust's regex engine, in time linear in the text, and one that engine
refuses is refused when the mapping loads (:mod:`policeonto.mapping.patterns`).

>>> [m.name for m in list_mappings()][:3]
['force-a-links', 'force-a-locations', 'force-a-nominals']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from linkml_runtime.utils.schemaview import SchemaView

from policeonto.errors import CrosswalkError, InstanceDataError, MappingSpecError, UnsafeInputError, shorten
from policeonto.limits import Limits, read_bounded
from policeonto.mapping.crosswalk import Crosswalk, read_crosswalk
from policeonto.mapping.expressions import check_expression
from policeonto.mapping.patterns import Pattern, check_date_format, compile_pattern
from policeonto.safety import inside, load_yaml
from policeonto.vocab import artefact_dir

__all__ = ["CONTEXT_NAMES", "JsonRecords", "Mapping", "SourceColumn", "list_mappings", "load_mapping", "mappings_dir"]

#: Values the engine supplies for every row (declared in mappings/context.yaml).
CONTEXT_NAMES = ("row", "base", "dataset", "run", "dataset_key", "publisher")


@dataclass(frozen=True)
class SourceColumn:
    """One column of a source format, from the source schema."""

    slot: str
    title: str
    aliases: tuple[str, ...]
    required: bool
    range: str
    pattern: str | None
    minimum: float | None
    maximum: float | None
    crosswalk: Crosswalk | None
    recommended: bool = False
    date_format: str | None = None  # a strptime format for a date column not written YYYY-MM-DD
    references: tuple[tuple[str | None, str], ...] = ()  # (value of the `by` column or None, row class)
    references_by: str | None = None  # the column whose value picks the referenced row class


@dataclass(frozen=True)
class JsonRecords:
    """Which records of a JSON document make a mapping's rows."""

    records: str
    type: str | None = None
    each: str | None = None


@dataclass(frozen=True)
class Mapping:
    """A declarative mapping from one source format onto the shared vocabulary."""

    name: str
    title: str
    version: str
    path: Path
    source_schema: Path
    row_class: str
    columns: tuple[SourceColumn, ...]
    file_name: Pattern | None
    specification: dict[str, Any]
    json: JsonRecords | None = None
    key: str | None = None  # the row class's identifier slot
    referenced: bool = False  # another table of the export refers to this one's rows
    key_space: str | None = None  # the keys' space, when tables share one (neo4j's global IDs): else the table

    @property
    def depends_on(self) -> frozenset[str]:
        """The row classes this mapping's foreign keys refer to."""
        return frozenset(target for c in self.columns for _, target in c.references)

    @property
    def derivations(self) -> tuple[tuple[str, dict[str, Any]], ...]:
        """(target class, its derivation) for each class derivation, in order: a class may be derived more
        than once (from a list of derivations), each with its own ``id`` expression, which is None where the
        row makes nothing."""
        return _derivations(self.specification["class_derivations"], self.path)

    @property
    def required_columns(self) -> tuple[SourceColumn, ...]:
        """The columns a file must have."""
        return tuple(c for c in self.columns if c.required)

    def labels(self, title: str) -> list[str]:
        """The source labels a coded column accepts (its crosswalk's subject labels), sorted.

        Raises:
            MappingSpecError: no such column, or it is not coded.
        """
        column = next((c for c in self.columns if c.title == title), None)
        if column is None or column.crosswalk is None:
            raise MappingSpecError(f"{self.name} has no coded column {title!r}")
        return sorted(column.crosswalk.codes())


def mappings_dir() -> Path:
    """The folder of the bundled mappings."""
    return artefact_dir(Path("mappings"))


def list_mappings(folder: Path | str | None = None) -> list[Mapping]:
    """Every mapping in *folder* (default: the bundled ones), by name.

    Raises:
        MappingSpecError: *folder* is not a directory, or a mapping in it is malformed.
    """
    folder = Path(folder) if folder is not None else mappings_dir()
    if not folder.is_dir():
        raise MappingSpecError(f"{folder}: no such folder of mappings")
    return [load_mapping(path) for path in sorted(folder.glob("*.transform.yaml"))]


def load_mapping(name_or_path: str | Path) -> Mapping:
    """Load a mapping by name (``police-uk-street``) or by the path of its ``.transform.yaml`` file.

    Raises:
        MappingSpecError: no such mapping, or it is malformed.
    """
    path = Path(name_or_path)
    if not path.suffix:
        path = mappings_dir() / f"{name_or_path}.transform.yaml"
    return _load(path.resolve())


@cache
def _load(path: Path) -> Mapping:
    if not path.is_file():
        known = ", ".join(p.name.removesuffix(".transform.yaml") for p in mappings_dir().glob("*.transform.yaml"))
        raise MappingSpecError(f"no mapping {path.name.removesuffix('.transform.yaml')!r} (known: {known})")
    spec = _read_yaml(path)
    if not isinstance(spec, dict) or "class_derivations" not in spec:
        raise MappingSpecError(f"{path}: not a transformation specification (no class_derivations)")
    ours = spec.pop("policeonto", None) or {}
    if not isinstance(ours, dict) or not isinstance(ours.get("row_class"), str):
        raise MappingSpecError(f"{path}: the policeonto block must name the source row_class")
    if not isinstance(spec.get("source_schema"), str):
        raise MappingSpecError(f"{path}: needs a source_schema file name")
    _derivations(spec["class_derivations"], path)
    for expression in _expressions(spec):
        try:
            check_expression(expression)
        except MappingSpecError as exc:
            raise MappingSpecError(f"{path}: {exc}") from exc
    source_schema = _confined(spec.get("source_schema"), path.parent, path, "source_schema")
    try:
        _check_imports(source_schema, path.parent, path, set())
        columns = _columns(source_schema, ours["row_class"], path.parent, path)
        key, referenced, key_space = _keys(source_schema, ours["row_class"])
    except MappingSpecError as exc:  # about the source schema: say which mapping uses it
        message = str(exc)
        raise (exc if message.startswith(str(path)) else MappingSpecError(f"{path}: {message}")) from exc
    except CrosswalkError as exc:  # names the crosswalk file and line
        raise MappingSpecError(f"{path}: crosswalk {exc}") from exc
    except (ValueError, TypeError, KeyError, AttributeError, yaml.YAMLError) as exc:  # LinkML's, on a bad schema
        raise MappingSpecError(
            f"{path}: source schema {source_schema.name} is not a valid LinkML schema: {exc}"
        ) from exc
    pattern = ours.get("file_name")
    if pattern is not None and not isinstance(pattern, str):
        raise MappingSpecError(
            f"{path}: policeonto.file_name must be a regular expression, not {type(pattern).__name__}"
        )
    file_name = compile_pattern(pattern, where=f"{path}: policeonto.file_name") if pattern else None
    json = ours.get("json")
    if json is not None and (not isinstance(json, dict) or not isinstance(json.get("records"), str)):
        raise MappingSpecError(f"{path}: policeonto.json must name the member holding the records (records: data)")
    return Mapping(
        name=path.name.removesuffix(".transform.yaml"),
        title=str(spec.get("title", path.stem)),
        version=str(spec.get("version", "")),
        path=path,
        source_schema=source_schema,
        row_class=ours["row_class"],
        columns=columns,
        file_name=file_name,
        specification=spec,
        json=JsonRecords(json["records"], json.get("type"), json.get("each")) if json else None,
        key=key,
        referenced=referenced,
        key_space=key_space,
    )


def _derivations(given: Any, path: Path) -> tuple[tuple[str, dict[str, Any]], ...]:
    """The class derivations of a specification, given by class (``Crime: {...}``) or as a list, where a
    class may come twice (``- Crime: {...}`` or ``- {name: Crime, ...}``), as linkml-map reads them.

    >>> _derivations([{"Link": {"slot_derivations": {}}}, {"name": "Link"}], Path("m.transform.yaml"))
    (('Link', {'slot_derivations': {}}), ('Link', {}))

    Raises:
        MappingSpecError: neither form, or a derivation that is not a mapping.
    """
    if isinstance(given, dict):
        pairs = list(given.items())
    elif isinstance(given, list):
        pairs = []
        for item in given:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                pairs.append((item["name"], {k: v for k, v in item.items() if k != "name"}))
            elif isinstance(item, dict) and len(item) == 1:
                pairs.append(next(iter(item.items())))
            else:
                raise MappingSpecError(
                    f"{path}: each item of class_derivations must be 'Class: {{...}}' or have a name: "
                    f"{shorten(str(item))}"
                )
    else:
        raise MappingSpecError(f"{path}: class_derivations must map classes to derivations, or list derivations")
    for target, spec in pairs:
        if not isinstance(target, str) or not isinstance(spec or {}, dict):
            raise MappingSpecError(f"{path}: the derivation of {shorten(str(target))} must be a mapping")
    return tuple((target, spec or {}) for target, spec in pairs)


def _read_yaml(path: Path) -> Any:
    """A mapping folder's YAML file, read with the safe loader.

    Raises:
        MappingSpecError: unreadable, not valid YAML (a ``!!python`` tag included), or an alias bomb.
    """
    try:
        return load_yaml(read_bounded(path, Limits()).decode("utf-8"))
    except InstanceDataError as exc:  # no regular file, too large, unreadable: named as a mapping file's error
        raise MappingSpecError(str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise MappingSpecError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise MappingSpecError(f"{path}: not valid YAML: {exc}") from exc
    except UnsafeInputError as exc:
        raise MappingSpecError(f"{path}: {exc}") from exc


def _expressions(node: Any) -> list[str]:
    """Every ``expr`` of a specification, wherever it is."""
    found: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key == "expr" and value is not None:
                    found.append(str(value))
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _confined(reference: Any, folder: Path, mapping: Path, what: str, *, base: Path | None = None) -> Path:
    """The file a mapping names by a path relative to *base* (default: *folder*), which must lie inside
    *folder*.

    Raises:
        MappingSpecError: *reference* is not a relative path, is a URL, or leads outside *folder*.
    """
    text = str(reference) if isinstance(reference, str | Path) else ""
    if not text or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", text) or Path(text).is_absolute():
        raise MappingSpecError(
            f"{mapping}: {what} {reference!r} must be a path relative to the mapping's folder (no URL or absolute path)"
        )
    target = ((base or folder) / text).resolve()
    if not inside(target, folder):
        raise MappingSpecError(f"{mapping}: {what} {text!r} is outside the mapping's folder {folder}; refused")
    return target


def _check_imports(schema_path: Path, folder: Path, mapping: Path, seen: set[Path]) -> None:
    """Refuse a source schema whose imports lead outside *folder* or to the network (``linkml:`` schemas,
    which LinkML ships, are allowed).

    Raises:
        MappingSpecError: an import is a URL, a CURIE other than ``linkml:name``, or a file outside *folder*.
    """
    if schema_path in seen or not schema_path.is_file():
        return
    seen.add(schema_path)
    schema = _read_yaml(schema_path)
    imports = schema.get("imports") or [] if isinstance(schema, dict) else []
    for item in imports if isinstance(imports, list) else [imports]:
        text = str(item)
        if text.startswith("linkml:") and re.fullmatch(r"[a-z_]+", text.removeprefix("linkml:")):
            continue
        if ":" in text:
            raise MappingSpecError(
                f"{mapping}: source schema {schema_path.name} imports {text!r}: only linkml: schemas and files "
                "in the mapping's folder may be imported"
            )
        target = _confined(text + ".yaml", folder, mapping, f"{schema_path.name} import", base=schema_path.parent)
        _check_imports(target, folder, mapping, seen)


def _keys(schema_path: Path, row_class: str) -> tuple[str | None, bool, str | None]:
    """The row class's key (its identifier slot, or else a slot annotated ``row_key``, a key that may be
    blank), whether another row class's column refers to it, and the key's ``key_space`` annotation: the
    space its values share with the keys of other tables annotated alike (one value, one row in all of them)."""
    view = _view(schema_path)
    slots = [view.induced_slot(s, row_class) for s in view.class_slots(row_class)]
    found = next((s for s in slots if s.identifier), None)
    found = found or next((s for s in slots if "row_key" in (s.annotations or {})), None)  # a key that may be blank
    key = found.name if found is not None else None
    notes = (found.annotations or {}) if found is not None else {}
    space = str(notes["key_space"].value) if "key_space" in notes else None  # annotations are no dict: no .get
    referenced = any(
        target == row_class
        for cls in view.all_classes()
        for name in view.class_slots(cls)
        for _, target in _references(view.induced_slot(name, cls), schema_path)[0]
    )
    return key, referenced, space


def _references(slot: Any, schema_path: Path) -> tuple[tuple[tuple[str | None, str], ...], str | None]:
    """A column's ``references`` annotation: ((by-value or None, row class), ...) and the by column.

    Row classes without a by column (``PersonNode VehicleNode``) are alternatives: the value must be the key
    of a row of any of them.

    >>> from types import SimpleNamespace as Slot
    >>> note = Slot(value="entity_type: NOM=NominalRow VEH=ObjectRow")
    >>> _references(Slot(name="entity_ref", annotations={"references": note}), Path("s.yaml"))
    ((('NOM', 'NominalRow'), ('VEH', 'ObjectRow')), 'entity_type')
    >>> either = Slot(value="PersonNode VehicleNode")
    >>> _references(Slot(name="start", annotations={"references": either}), Path("s.yaml"))
    (((None, 'PersonNode'), (None, 'VehicleNode')), None)
    """
    annotations = slot.annotations or {}
    if "references" not in annotations:
        return (), None
    text = str(annotations["references"].value).strip()
    by, colon, choices = text.partition(":")
    if not colon and text:
        return tuple((None, target) for target in dict.fromkeys(text.split())), None
    pairs = [choice.partition("=") for choice in choices.split()]
    if not colon or not pairs or any(not value or not eq or not target for value, eq, target in pairs):
        raise MappingSpecError(
            f"{schema_path}: {slot.name}: references must be row classes, or 'column: VALUE=RowClass ...' ({text!r})"
        )
    return tuple((value, target) for value, _, target in pairs), by.strip()


@cache
def _view(schema_path: Path) -> SchemaView:
    return SchemaView(str(schema_path))


def _columns(schema_path: Path, row_class: str, folder: Path, mapping: Path) -> tuple[SourceColumn, ...]:
    if not schema_path.is_file():
        raise MappingSpecError(f"source schema {schema_path} does not exist")
    view = _view(schema_path)
    if view.get_class(row_class) is None:
        raise MappingSpecError(f"{schema_path}: no class {row_class!r}")
    columns = []
    for name in view.class_slots(row_class):
        if name in CONTEXT_NAMES:
            continue
        slot = view.induced_slot(name, row_class)
        annotations = slot.annotations or {}
        crosswalk = None
        if "crosswalk" in annotations:
            crosswalk = read_crosswalk(_confined(annotations["crosswalk"].value, folder, mapping, f"{name} crosswalk"))
        where = f"{schema_path}: column {shorten(slot.title or name)!r} ({name})"
        if slot.pattern is not None:
            compile_pattern(str(slot.pattern), where=where)
        if "date_format" in annotations:
            check_date_format(str(annotations["date_format"].value), where=where)
        references, by = _references(slot, schema_path)
        for _, target in references:
            if view.get_class(target) is None:
                raise MappingSpecError(f"{schema_path}: {name} references {target!r}, which is not a class")
        columns.append(
            SourceColumn(
                slot=name,
                title=slot.title or name,
                aliases=tuple(slot.aliases or ()),
                required=bool(slot.required),
                range=slot.range or "string",
                pattern=slot.pattern,
                minimum=float(slot.minimum_value) if slot.minimum_value is not None else None,
                maximum=float(slot.maximum_value) if slot.maximum_value is not None else None,
                crosswalk=crosswalk,
                recommended=bool(slot.recommended),
                date_format=str(annotations["date_format"].value) if "date_format" in annotations else None,
                references=references,
                references_by=by,
            )
        )
    return tuple(columns)
