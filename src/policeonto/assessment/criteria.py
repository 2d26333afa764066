"""The assessment criteria: a versioned YAML file of evidence items and gates (data, not code), read into
plain values. The bundled file is ``criteria.yaml`` beside this module.

>>> criteria = read_criteria()
>>> criteria.version, criteria.levels, criteria.gates["semantic"]
('0.2.0', ('foundational', 'structural', 'semantic', 'organisational'), 0.8)
>>> [item.id for item in criteria.items if item.level == "semantic"][:2]
['coded-values-national', 'exact-matches']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from policeonto.errors import CriteriaError, UnsafeInputError
from policeonto.safety import load_yaml

__all__ = ["ATTESTED", "BUNDLED", "LEVELS", "Criteria", "Item", "read_criteria"]

#: The four levels of the Police Digital Service's Interoperability Handbook, in order.
LEVELS = ("foundational", "structural", "semantic", "organisational")
#: The measure of an item a person answers rather than one computed from the data.
ATTESTED = "attested"
BUNDLED = Path(__file__).with_name("criteria.yaml")
_KEYS = {"id", "level", "description", "measure", "how", "weight"}


@dataclass(frozen=True)
class Item:
    """One evidence item: its level, what it says, the measure that computes it (or ``attested``), how that
    measure is made (in words) and its weight within the level."""

    id: str
    level: str
    description: str
    measure: str
    how: str
    weight: float

    @property
    def attested(self) -> bool:
        """True when a person answers the item (the answers file), not the data."""
        return self.measure == ATTESTED


@dataclass(frozen=True)
class Criteria:
    """A criteria file: its version, the levels in order with their gates, and the evidence items."""

    path: Path
    version: str
    levels: tuple[str, ...]
    gates: dict[str, float]
    items: tuple[Item, ...]


def _number(value: object, path: Path, item: str | None, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1_000:
        raise CriteriaError(f"{what} must be a number from 0, got {value!r}", path=path, item=item)
    return float(value)


def _item(raw: object, path: Path, known: set[str], index: int) -> Item:
    if not isinstance(raw, dict):
        raise CriteriaError(f"item {index + 1} is not a mapping", path=path)
    name = raw.get("id")
    if not isinstance(name, str) or not name:
        raise CriteriaError(f"item {index + 1} has no id", path=path)
    if set(raw) != _KEYS:
        missing, extra = sorted(_KEYS - set(raw)), sorted(set(raw) - _KEYS)
        raise CriteriaError(f"keys missing {missing}, unknown {extra}", path=path, item=name)
    if raw["level"] not in LEVELS:
        raise CriteriaError(f"level {raw['level']!r} is none of {', '.join(LEVELS)}", path=path, item=name)
    if raw["measure"] not in known:
        raise CriteriaError(f"measure {raw['measure']!r} is not one policeonto computes", path=path, item=name)
    for key in ("description", "how"):
        if not isinstance(raw[key], str):
            raise CriteriaError(f"{key} must be text", path=path, item=name)
    weight = _number(raw["weight"], path, name, "weight")
    return Item(name, raw["level"], raw["description"], raw["measure"], raw["how"], weight)


def read_criteria(path: Path | None = None) -> Criteria:
    """Read the criteria file at *path* (the bundled one by default).

    Raises:
        CriteriaError: the file cannot be read, or an item or gate is wrong (naming the item).
    """
    from policeonto.assessment.measures import MEASURES

    path = BUNDLED if path is None else Path(path)
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, UnsafeInputError, ValueError, yaml.YAMLError) as exc:
        raise CriteriaError(f"cannot be read: {exc}", path=path) from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("items"), list) or not isinstance(raw.get("version"), str):
        raise CriteriaError("needs a version (text) and a list of items", path=path)
    default = _number(raw.get("gate", 0.8), path, None, "gate")
    levels = raw.get("levels") or {}
    if not isinstance(levels, dict) or set(levels) - set(LEVELS):
        raise CriteriaError(f"levels must be a mapping of {', '.join(LEVELS)}", path=path)
    gates = {}
    for level in LEVELS:
        own = levels.get(level) or {}
        gates[level] = _number(own.get("gate", default) if isinstance(own, dict) else own, path, level, "gate")
        if gates[level] > 1:
            raise CriteriaError(f"gate {gates[level]} is above 1", path=path, item=level)
    items = tuple(_item(r, path, {*MEASURES, ATTESTED}, i) for i, r in enumerate(raw["items"]))
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise CriteriaError("is given twice", path=path, item=item.id)
        seen.add(item.id)
    return Criteria(path, raw["version"], LEVELS, gates, items)
