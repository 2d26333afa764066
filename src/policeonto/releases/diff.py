"""Compare two releases of the LinkML schema: which terms and codes were added, removed, deprecated or
changed, and whether data valid under the old release stays valid under the new one.

Both schemas are read with LinkML's SchemaView; a class's slots are compared as the class induces them
(inherited slots and ``slot_usage`` applied), so a constraint narrowed in a subclass is seen where it bites.

A change *breaks* old data when a term or code it may use is gone, a range is narrowed, a slot becomes
required or single-valued, a pattern or a rule is added or changed (a rule for a code the old release
lacked excepted), a bound or cardinality tightens, a class
loses an ancestor or gains a disjoint class, or a code gains a check digit. Additions and deprecations break nothing.

>>> from policeonto.vocab import schema_view
>>> compare(schema_view(), schema_view()).changes
()
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from linkml_runtime.dumpers import json_dumper
from linkml_runtime.linkml_model.meta import ClassDefinition, ClassRule, Element, PermissibleValue, SlotDefinition
from linkml_runtime.utils.schemaview import SchemaView

__all__ = ["Change", "Diff", "Kind", "compare", "least_next_version"]

Kind = Literal["added", "removed", "deprecated", "changed"]

#: Slot facets compared per class, in the order they are reported.
_FACETS = (
    "range",
    "required",
    "multivalued",
    "pattern",
    "minimum_value",
    "maximum_value",
    "minimum_cardinality",
    "maximum_cardinality",
)


@dataclass(frozen=True)
class Change:
    """One difference between two releases.

    *term* names the class, slot or enum (``Person``), a class's slot (``Person.date_of_birth``) or a code
    (``CrimeType:burglary``); *what* is the kind of term for additions, removals and deprecations (``class``,
    ``slot``, ``enum``, ``code``) and the facet for changes (``range``, ``required``, ``is_a``, ...). For a
    deprecation, *new* is what replaces the term, if anything.
    """

    kind: Kind
    term: str
    what: str
    old: str | None
    new: str | None
    breaking: bool

    def as_dict(self) -> dict[str, str | bool | None]:
        """The change as JSON-ready values."""
        return {
            "kind": self.kind,
            "term": self.term,
            "what": self.what,
            "old": self.old,
            "new": self.new,
            "breaking": self.breaking,
        }


@dataclass(frozen=True)
class Diff:
    """The changes from one release to the next, with both versions."""

    old_version: str | None
    new_version: str | None
    changes: tuple[Change, ...]

    @property
    def compatible(self) -> bool:
        """Whether data valid under the old release stays valid under the new one."""
        return not any(change.breaking for change in self.changes)

    def as_dict(self) -> dict[str, object]:
        """The diff as JSON-ready values."""
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "compatible": self.compatible,
            "changes": [change.as_dict() for change in self.changes],
        }


def compare(old: SchemaView, new: SchemaView) -> Diff:
    """Every difference between schema *old* and schema *new*, in a stable order (classes, slots, enums,
    each by name).

    Args:
        old: the earlier release.
        new: the later release.

    Returns:
        The changes and both versions.
    """
    changes = (*_classes(old, new), *_slots(old, new), *_enums(old, new))
    return Diff(old.schema.version, new.schema.version, tuple(changes))


def _text(value: object) -> str | None:
    if value is None or value is False:
        return None if value is None else "false"
    return "true" if value is True else str(value)


def _lifecycle(
    what: str,
    old: Mapping[str, Element | PermissibleValue],
    new: Mapping[str, Element | PermissibleValue],
    prefix: str = "",
) -> Iterator[Change]:
    """Additions, removals and new deprecations among the elements named in *old* and *new*."""
    for name in sorted(old.keys() - new.keys()):
        yield Change("removed", prefix + name, what, name, None, True)
    for name in sorted(new.keys() - old.keys()):
        yield Change("added", prefix + name, what, None, name, False)
    for name in sorted(old.keys() & new.keys()):
        if new[name].deprecated and not old[name].deprecated:
            yield Change(
                "deprecated", prefix + name, what, None, new[name].deprecated_element_has_exact_replacement, False
            )


def _classes(old: SchemaView, new: SchemaView) -> Iterator[Change]:
    old_classes, new_classes = old.all_classes(), new.all_classes()
    yield from _lifecycle("class", old_classes, new_classes)
    for name in sorted(old_classes.keys() & new_classes.keys()):
        was, now = old_classes[name].is_a, new_classes[name].is_a
        if was != now:
            lost = set(old.class_ancestors(name)) - set(new.class_ancestors(name))
            yield Change("changed", name, "is_a", was, now, bool(lost))
        yield from _rules(old, name, old_classes[name], new_classes[name])
        disjoint_before, disjoint_after = set(old_classes[name].disjoint_with), set(new_classes[name].disjoint_with)
        if disjoint_before != disjoint_after:
            yield Change(
                "changed",
                name,
                "disjoint_with",
                ", ".join(sorted(disjoint_before)) or None,
                ", ".join(sorted(disjoint_after)) or None,
                bool(disjoint_after - disjoint_before),
            )
        old_slots, new_slots = set(old.class_slots(name)), set(new.class_slots(name))
        for slot in sorted(old_slots - new_slots):
            yield Change("removed", f"{name}.{slot}", "slot", slot, None, True)
        for slot in sorted(new_slots - old_slots):
            required = bool(new.induced_slot(slot, name).required)
            yield Change("added", f"{name}.{slot}", "required slot" if required else "slot", None, slot, required)
        for slot in sorted(old_slots & new_slots):
            yield from _facets(old, new, f"{name}.{slot}", old.induced_slot(slot, name), new.induced_slot(slot, name))


def _rules(view: SchemaView, name: str, old: ClassDefinition, new: ClassDefinition) -> Iterator[Change]:
    """Rules added or changed (each known by its title, else by its whole text) tighten what is valid,
    unless they apply only to codes the old release (*view*) did not have."""

    def keyed(cls: ClassDefinition) -> dict[str, tuple[str, ClassRule]]:
        rules = {}
        for rule in cls.rules:
            text = json_dumper.dumps(rule)
            rules[rule.title or text] = (text, rule)
        return rules

    before, after = keyed(old), keyed(new)
    for title in sorted(before.keys() - after.keys()):
        yield Change("removed", f"{name}: {title}", "rule", title, None, False)
    for title in sorted(after.keys() - before.keys()):
        yield Change("added", f"{name}: {title}", "rule", None, title, _may_apply(view, name, after[title][1]))
    for title in sorted(before.keys() & after.keys()):
        if before[title][0] != after[title][0]:
            yield Change("changed", f"{name}: {title}", "rule", title, title, _may_apply(view, name, after[title][1]))


def _may_apply(old: SchemaView, cls: str, rule: ClassRule) -> bool:
    """Whether *rule* can apply to data valid under *old*: not when a precondition asks a slot for a code
    (``equals_string``) that the slot's code list in *old* does not have."""
    conditions = rule.preconditions.slot_conditions if rule.preconditions else {}
    for slot, condition in conditions.items():
        if condition.equals_string is None or slot not in old.class_slots(cls):
            continue
        enum = old.get_enum(str(old.induced_slot(slot, cls).range))
        if enum is not None and condition.equals_string not in enum.permissible_values:
            return False
    return True


def _slots(old: SchemaView, new: SchemaView) -> Iterator[Change]:
    yield from _lifecycle("slot", old.all_slots(), new.all_slots())


def _enums(old: SchemaView, new: SchemaView) -> Iterator[Change]:
    old_enums, new_enums = old.all_enums(), new.all_enums()
    yield from _lifecycle("enum", old_enums, new_enums)
    for name in sorted(old_enums.keys() & new_enums.keys()):
        old_codes, new_codes = dict(old_enums[name].permissible_values), dict(new_enums[name].permissible_values)
        yield from _lifecycle("code", old_codes, new_codes, prefix=f"{name}:")
        for code in sorted(old_codes.keys() & new_codes.keys()):
            was, now = _check(old_codes[code]), _check(new_codes[code])
            if was != now:  # a check digit the shapes enforce (policeonto.build.check_digits)
                yield Change("changed", f"{name}:{code}", "check", was, now, now is not None)


def _check(code: PermissibleValue) -> str | None:
    annotation = code.annotations.get("check")
    return None if annotation is None else str(annotation.value)


def _facets(old: SchemaView, new: SchemaView, term: str, was: SlotDefinition, now: SlotDefinition) -> Iterator[Change]:
    for facet in _FACETS:
        before, after = getattr(was, facet), getattr(now, facet)
        if facet in ("required", "multivalued"):
            before, after = bool(before), bool(after)
        if before == after:
            continue
        yield Change("changed", term, facet, _text(before), _text(after), _breaks(new, facet, before, after))


def _breaks(new: SchemaView, facet: str, before: object, after: object) -> bool:
    """Whether changing *facet* from *before* to *after* can make valid data invalid."""
    if facet == "range":  # widened only to an ancestor of the old range
        if before in new.all_classes() and after in new.all_classes():
            return after not in new.class_ancestors(str(before))
        return True
    if facet == "required":
        return bool(after)
    if facet == "multivalued":
        return not after
    if facet == "pattern":
        return after is not None
    if after is None:  # a bound or cardinality dropped
        return False
    if before is None:
        return True
    if facet.startswith("minimum"):
        return float(str(after)) > float(str(before))
    return float(str(after)) < float(str(before))


def least_next_version(old_version: str, diff: Diff) -> str:
    """The least version a release after *old_version* may carry under semantic versioning, given its
    changes: a breaking change needs a new major version (a new minor one before 1.0.0), an addition or a
    deprecation a new minor one, anything else a new patch.

    >>> least_next_version("1.4.2", Diff("1.4.2", None, (Change("added", "Pet", "class", None, "Pet", False),)))
    '1.5.0'
    >>> least_next_version("0.1.0", Diff("0.1.0", None, (Change("removed", "Pet", "class", "Pet", None, True),)))
    '0.2.0'
    """
    major, minor, patch = (int(part) for part in old_version.split("."))
    if not diff.compatible:
        return f"{major + 1}.0.0" if major else f"0.{minor + 1}.0"
    if any(change.kind in ("added", "deprecated") for change in diff.changes):
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"
