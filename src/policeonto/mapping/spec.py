"""Load declarative mappings: a linkml-map TransformationSpecification, the LinkML schema of the source
format it reads, and the SSSOM crosswalks its coded columns name.

A mapping lives in ``mappings/<name>.transform.yaml``. Besides the standard TransformationSpecification
keys it has one ``policeonto`` block (the source row class and the file-name pattern that gives the month
and publishing force), which policeonto reads and removes before linkml-map sees the specification.

>>> [m.name for m in list_mappings()]
['police-uk-outcomes', 'police-uk-stop-and-search', 'police-uk-street']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from linkml_runtime.utils.schemaview import SchemaView

from policeonto.errors import MappingSpecError
from policeonto.mapping.crosswalk import Crosswalk, read_crosswalk
from policeonto.vocab import artefact_dir

__all__ = ["CONTEXT_NAMES", "Mapping", "SourceColumn", "list_mappings", "load_mapping", "mappings_dir"]

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
    file_name: re.Pattern[str] | None
    specification: dict[str, Any]

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


def list_mappings(folder: Path | None = None) -> list[Mapping]:
    """Every mapping in *folder* (default: the bundled ones), by name."""
    folder = folder or mappings_dir()
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
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise MappingSpecError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(spec, dict) or "class_derivations" not in spec:
        raise MappingSpecError(f"{path}: not a transformation specification (no class_derivations)")
    ours = spec.pop("policeonto", None) or {}
    if "row_class" not in ours:
        raise MappingSpecError(f"{path}: the policeonto block must name the source row_class")
    source_schema = (path.parent / spec["source_schema"]).resolve()
    columns = _columns(source_schema, ours["row_class"], path.parent)
    pattern = ours.get("file_name")
    return Mapping(
        name=path.name.removesuffix(".transform.yaml"),
        title=str(spec.get("title", path.stem)),
        version=str(spec.get("version", "")),
        path=path,
        source_schema=source_schema,
        row_class=ours["row_class"],
        columns=columns,
        file_name=re.compile(pattern) if pattern else None,
        specification=spec,
    )


def _columns(schema_path: Path, row_class: str, folder: Path) -> tuple[SourceColumn, ...]:
    if not schema_path.is_file():
        raise MappingSpecError(f"source schema {schema_path} does not exist")
    view = SchemaView(str(schema_path))
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
            crosswalk = read_crosswalk((folder / annotations["crosswalk"].value).resolve())
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
            )
        )
    return tuple(columns)
