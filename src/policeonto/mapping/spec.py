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
LinkML's own ``linkml:`` schemas) and its crosswalks; a file it names that is not in its folder is looked for
at the same place in the bundled folder, so that a folder of one's own refers to the bundled ``context`` and
crosswalks by name, with no copies. A reference to a URL, an absolute path or a file outside the folder is
refused, and so is an expression outside the safe subset
(:mod:`policeonto.mapping.expressions`); YAML is read with the safe loader. Its patterns (``file_name``, a
source column's ``pattern``) are run by Rust's regex engine, in time linear in the text, and one that engine
refuses is refused when the mapping loads (:mod:`policeonto.mapping.patterns`).

>>> [m.name for m in list_mappings()][:3]
['force-a-calls', 'force-a-family', 'force-a-links']
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from policeonto.errors import CrosswalkError, InstanceDataError, MappingSpecError, UnsafeInputError, shorten
from policeonto.limits import Limits, read_bounded
from policeonto.mapping.catalogue import SUFFIX, MappingCatalogue, bundled_folder
from policeonto.mapping.crosswalk import Crosswalk, read_crosswalk
from policeonto.mapping.expressions import check_expression
from policeonto.mapping.patterns import Pattern, check_date_format, compile_pattern
from policeonto.safety import inside, load_yaml

if TYPE_CHECKING:
    from linkml_runtime.utils.schemaview import SchemaView

__all__ = [
    "CONTEXT_NAMES",
    "JsonRecords",
    "Mapping",
    "MappingChoice",
    "SourceColumn",
    "chosen_mappings",
    "list_mappings",
    "load_mapping",
    "mappings_dir",
]

#: LinkML's importmap, as a value: (import, file without ``.yaml``) for each import not found beside the
#: schema importing it.
ImportMap = tuple[tuple[str, str], ...]

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
    #: imports of the source schema found in the bundled folder, not beside the schema: (import, file
    #: without .yaml), LinkML's importmap
    imports: ImportMap = ()

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

    def source_view(self) -> SchemaView:
        """A new LinkML view of the source schema, its imports found where the mapping found them."""
        from linkml_runtime.utils.schemaview import SchemaView  # most of a second to import: only when asked for

        return SchemaView(str(self.source_schema), importmap=dict(self.imports))


#: The mappings a run is told to use: one, or several for recognition to choose among, each a name (found
#: in the catalogue) or the path of a ``.transform.yaml`` file; None for every mapping of the catalogue.
MappingChoice = str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None


def mappings_dir() -> Path:
    """The folder of the bundled mappings."""
    return bundled_folder()


def list_mappings(folder: Path | str | None = None, *, catalogue: MappingCatalogue | None = None) -> list[Mapping]:
    """Every mapping in *folder*, by name; without a folder, every mapping *catalogue* finds (default: the
    folders of ``POLICEONTO_MAPPINGS``, then the bundled ones), one of each name.

    Raises:
        MappingSpecError: a folder is not a directory, or a mapping in it is malformed.
    """
    if folder is not None:
        folder = Path(folder)
        if not folder.is_dir():
            raise MappingSpecError(f"{folder}: no such folder of mappings")
        return [load_mapping(path) for path in sorted(folder.glob(f"*{SUFFIX}"))]
    catalogue = catalogue or MappingCatalogue.search()
    return [load_mapping(found.path) for found in catalogue.files()]


def load_mapping(name_or_path: str | os.PathLike[str], *, catalogue: MappingCatalogue | None = None) -> Mapping:
    """Load a mapping by name (``police-uk-street``), from the first folder of *catalogue* that has it (default:
    the folders of ``POLICEONTO_MAPPINGS``, then the bundled ones), or by the path of its ``.transform.yaml``
    file.

    Raises:
        MappingSpecError: no such mapping, or it is malformed.
    """
    path = Path(name_or_path)
    if path.suffix:
        if not path.is_file():
            raise MappingSpecError(f"{path}: no such mapping file")
        return _load(path.resolve())
    catalogue = catalogue or MappingCatalogue.search()
    found = catalogue.path_of(str(name_or_path))
    if found is None:
        known = ", ".join(f.name for f in catalogue.files())
        raise MappingSpecError(f"no mapping {str(name_or_path)!r} (known: {known})")
    return _load(found.resolve())


def chosen_mappings(mapping: MappingChoice, *, catalogue: MappingCatalogue | None = None) -> tuple[Mapping, ...]:
    """The mappings *mapping* names, each once, in order (none when it is None).

    Raises:
        MappingSpecError: one of them names no mapping, or is malformed.

    >>> [m.name for m in chosen_mappings(["police-uk-street", "police-uk-outcomes", "police-uk-street"])]
    ['police-uk-street', 'police-uk-outcomes']
    """
    if mapping is None:
        return ()
    names = [mapping] if isinstance(mapping, str | os.PathLike) else list(mapping)
    unique: dict[Path, Mapping] = {}
    for name in names:
        found = load_mapping(name, catalogue=catalogue)
        unique.setdefault(found.path, found)
    return tuple(unique.values())


@cache
def _load(path: Path) -> Mapping:
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
    source_schema = _located(spec.get("source_schema"), path.parent, path, "source_schema")
    try:
        imports = _imports(source_schema, path.parent, path)
        columns = _columns(source_schema, imports, ours["row_class"], path.parent, path)
        key, referenced, key_space = _keys(source_schema, imports, ours["row_class"])
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
        imports=imports,
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


def _located(reference: Any, folder: Path, mapping: Path, what: str, *, base: Path | None = None) -> Path:
    """The file a mapping names, as :func:`_confined` finds it in *folder*; when *folder* has no such file,
    the file at the same place in the bundled folder, if that has one.

    Raises:
        MappingSpecError: *reference* is not a relative path, is a URL, or leads outside *folder*.
    """
    target = _confined(reference, folder, mapping, what, base=base)
    bundled = mappings_dir().resolve()
    if target.exists() or folder.resolve() == bundled:
        return target
    twin = (bundled / target.relative_to(folder.resolve())).resolve()
    return twin if twin.is_file() and inside(twin, bundled) else target


def _imports(schema_path: Path, folder: Path, mapping: Path) -> ImportMap:
    """Check the imports of a source schema, and of the schemas it imports: refuse those that lead outside
    the folder of the schema importing them, or to the network (``linkml:`` schemas, which LinkML ships, are
    allowed). Return LinkML's importmap for the imports found in the bundled folder, not beside the schema
    importing them: (import, file without ``.yaml``).

    Raises:
        MappingSpecError: an import is a URL, a CURIE other than ``linkml:name``, or a file outside the
            folder; or one import names two files found in different places (an importmap holds one).
    """
    bundled = mappings_dir()
    found: dict[str, set[Path]] = {}
    moved: set[str] = set()
    seen: set[Path] = set()
    stack = [schema_path]
    while stack:
        current = stack.pop()
        if current in seen or not current.is_file():
            continue
        seen.add(current)
        root = folder if inside(current, folder) else bundled
        schema = _read_yaml(current)
        imports = schema.get("imports") or [] if isinstance(schema, dict) else []
        for item in imports if isinstance(imports, list) else [imports]:
            text = str(item)
            if text.startswith("linkml:") and re.fullmatch(r"[a-z_]+", text.removeprefix("linkml:")):
                continue
            if ":" in text:
                raise MappingSpecError(
                    f"{mapping}: source schema {current.name} imports {text!r}: only linkml: schemas and files "
                    "in the mapping's folder may be imported"
                )
            target = _located(text + ".yaml", root, mapping, f"{current.name} import", base=current.parent)
            found.setdefault(text, set()).add(target)
            if target != (current.parent / f"{text}.yaml").resolve():
                moved.add(text)
            stack.append(target)
    for text in sorted(moved):
        if len(found[text]) > 1:
            places = ", ".join(sorted(map(str, found[text])))
            raise MappingSpecError(f"{mapping}: the import {text!r} names different files ({places}); rename one")
    return tuple((text, str(next(iter(found[text])).with_suffix(""))) for text in sorted(moved))


def _keys(schema_path: Path, imports: ImportMap, row_class: str) -> tuple[str | None, bool, str | None]:
    """The row class's key (its identifier slot, or else a slot annotated ``row_key``, a key that may be
    blank), whether another row class's column refers to it, and the key's ``key_space`` annotation: the
    space its values share with the keys of other tables annotated alike (one value, one row in all of them)."""
    view = _view(schema_path, imports)
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
def _view(schema_path: Path, imports: ImportMap = ()) -> SchemaView:
    from linkml_runtime.utils.schemaview import SchemaView

    return SchemaView(str(schema_path), importmap=dict(imports))


def _columns(
    schema_path: Path, imports: ImportMap, row_class: str, folder: Path, mapping: Path
) -> tuple[SourceColumn, ...]:
    if not schema_path.is_file():
        raise MappingSpecError(f"source schema {schema_path} does not exist")
    view = _view(schema_path, imports)
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
            crosswalk = read_crosswalk(_located(annotations["crosswalk"].value, folder, mapping, f"{name} crosswalk"))
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
