"""Suggest, for each table of an export, the class of the vocabulary its rows make, and for each column the
slot it fills: from names (the header against the vocabulary's slot names, titles and aliases, and a few
words forces use for them, normalised, then fuzzy) and from values (registration marks, PNC IDs,
postcodes, latitude and longitude, dates, foreign keys to other tables).

Every suggestion carries its evidence and a confidence from 0 to 1, and is for review: a draft, never a
decision. A column no suggestion fits is listed, not dropped.

>>> name_candidates("Date of birth")[:1], name_candidates("SURNAME")[:1]
([('date_of_birth', 1.0)], [('family_name', 0.9)])
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz

from policeonto.scaffold.profile import ColumnProfile, TableProfile, names_records, snake
from policeonto.vocab import schema_view

__all__ = ["Suggestion", "TablePlan", "name_candidates", "plan_tables"]

#: Slots a draft fills itself (identity, provenance), never from a column's name.
OWN_SLOTS = frozenset(
    {
        "id",
        "type",
        "source_force",
        "source_system",
        "source_row",
        "derived_from",
        "generated_by",
        "security_marking",
        "retention_group",
        "identifiers",
        "names",
        "description",
    }
)

#: Words forces use for a slot, beside the vocabulary's own names (normalised, as :func:`phrase` gives).
SYNONYMS: dict[str, tuple[str, str]] = {
    "dob": ("Person", "date_of_birth"),
    "born": ("Person", "date_of_birth"),
    "birth date": ("Person", "date_of_birth"),
    "sex": ("Person", "gender"),
    "surname": ("PersonName", "family_name"),
    "last name": ("PersonName", "family_name"),
    "family": ("PersonName", "family_name"),
    "forename": ("PersonName", "given_name"),
    "first name": ("PersonName", "given_name"),
    "given": ("PersonName", "given_name"),
    "middle name": ("PersonName", "middle_names"),
    "lat": ("Point", "latitude"),
    "lon": ("Point", "longitude"),
    "lng": ("Point", "longitude"),
    "long": ("Point", "longitude"),
    "manufacturer": ("Vehicle", "make"),
    "color": ("Vehicle", "colour"),
    "post code": ("Address", "postcode"),
    "town": ("Address", "post_town"),
    "city": ("Address", "post_town"),
    "street": ("Address", "address_lines"),
    "line1": ("Address", "address_lines"),
    "address": ("Address", "address_lines"),
    "premises": ("Address", "address_lines"),
    "ethnicity": ("Person", "self_defined_ethnicity"),
    "offence": ("Crime", "crime_type"),
    "offence category": ("Crime", "crime_type"),
    "offence type": ("Crime", "crime_type"),
    "local offence code": ("Crime", "local_offence_code"),
    "ho class": ("Crime", "home_office_offence_code"),
    "ho classification": ("Crime", "home_office_offence_code"),
    "home office code": ("Crime", "home_office_offence_code"),
    "cjs code": ("Crime", "cjs_offence_code"),
    "outcome": ("StopAndSearch", "search_outcome"),
    "result": ("StopAndSearch", "search_outcome"),
    "power": ("StopAndSearch", "legislation"),
    "power used": ("StopAndSearch", "legislation"),
    "search power": ("StopAndSearch", "legislation"),
    "committed": ("Event", "start_time"),
    "occurred": ("Event", "start_time"),
    "occurred at": ("Event", "start_time"),
    "reported": ("Event", "start_time"),
    "date": ("Event", "start_time"),
    "when": ("Event", "start_time"),
    "recorded": ("Record", "recorded_at"),
    "name": ("Entity", "label"),
    "category": ("Vehicle", "vehicle_type"),
    "outcome type": ("CrimeOutcome", "outcome_category"),
    "outcome category": ("CrimeOutcome", "outcome_category"),
    "object type": ("Vehicle", "vehicle_type"),
}

#: Words of a table's name that say which class its rows make.
TABLE_WORDS: dict[str, str] = {
    "person": "Person",
    "people": "Person",
    "persons": "Person",
    "nominal": "Person",
    "nominals": "Person",
    "vehicle": "Vehicle",
    "vehicles": "Vehicle",
    "object": "Vehicle",
    "objects": "Vehicle",
    "location": "Point",
    "locations": "Point",
    "address": "Address",
    "addresses": "Address",
    "crime": "Crime",
    "crimes": "Crime",
    "offences": "Crime",
    "occurrences": "Crime",
    "street": "Crime",
    "incident": "Incident",
    "incidents": "Incident",
    "search": "StopAndSearch",
    "searches": "StopAndSearch",
    "outcome": "CrimeOutcome",
    "outcomes": "CrimeOutcome",
    "involved": "PersonInvolvement",
    "involvement": "PersonInvolvement",
    "links": "PersonInvolvement",
    "link": "PersonInvolvement",
    "occurred": "EventLocation",
    "associates": "PersonAssociation",
    "associations": "PersonAssociation",
}

#: What a value kind says: the class and slot it suggests, and the evidence.
KIND_TARGETS: dict[str, tuple[str, str, str]] = {
    "vrm": ("Vehicle", "identifiers", "values are UK registration marks"),
    "pnc": ("Person", "identifiers", "values are PNC IDs"),
    "postcode": ("Address", "postcode", "values are UK postcodes"),
    "month": ("Event", "month", "values are years and months"),
    "email": ("EmailAddress", "email", "values are e-mail addresses"),
}

#: Classes a draft can make beside a table's own: reached from it through a slot.
AUXILIARY = {
    "PersonName": ("Person", "names"),
    "Identifier": ("Record", "identifiers"),
    "Point": ("Event", "occurred_at"),
    "PersonInvolvement": ("Event", "event"),  # the person an event's row describes (a searched person)
}

#: The lowest fuzzy score (0 to 100) of a header against a slot's name for a suggestion.
FUZZY = 85


@dataclass(frozen=True)
class Suggestion:
    """Where a column's values go: a class and slot, how that was found, and a confidence (0 to 1)."""

    column: str
    target_class: str
    slot: str
    evidence: str
    confidence: float
    enum: str | None = None  # the code list of a coded column
    references: tuple[str, ...] = ()  # the tables a foreign key's values are keys of


@dataclass(frozen=True)
class TablePlan:
    """A table's suggested class, and where each column goes."""

    table: TableProfile
    target_class: str
    evidence: str
    suggestions: tuple[Suggestion, ...]
    unplaced: tuple[tuple[str, str], ...]  # (header, why) of columns left out

    def suggestion(self, header: str) -> Suggestion | None:
        """The suggestion for the column with this header, if any."""
        return next((s for s in self.suggestions if s.column == header), None)


def phrase(header: str) -> str:
    """A header's words, as compared: the last part of a dotted JSON name, neo4j's type suffix left out.

    >>> phrase("attributes.name.given"), phrase("born:date"), phrase("LOCAL_OFFENCE_CODE")
    ('name given', 'born', 'local offence code')
    """
    last = header.rsplit(".", 2)
    tail = (
        ".".join(last[-2:])
        if len(last) > 1 and last[-1] in {"given", "family", "line1", "town", "postcode", "id"}
        else last[-1]
    )
    return snake(tail).rstrip("_").replace("_", " ")


@cache
def _slot_texts() -> dict[str, tuple[str, ...]]:
    """Normalised text -> the slots it names: each slot's name, title and aliases, of every class."""
    view = schema_view()
    texts: dict[str, dict[str, None]] = {}
    for name in view.all_slots():
        if name in OWN_SLOTS:
            continue
        definition = view.get_slot(name)
        for text in {name.replace("_", " "), str(definition.title or ""), *map(str, definition.aliases or ())}:
            if text:
                texts.setdefault(text.lower(), {})[str(name)] = None
    return {text: tuple(slots) for text, slots in texts.items()}


def name_candidates(header: str) -> list[tuple[str, float]]:
    """The slots a header's name suggests, with a score, best first: a slot's name, title or alias (1.0),
    a word forces use for it (0.9, or 0.7 for the header's last word), or fuzzily (up to 0.8)."""
    words = phrase(header)
    found: dict[str, float] = dict.fromkeys(_slot_texts().get(words, ()), 1.0)
    if words in SYNONYMS:
        found.setdefault(SYNONYMS[words][1], 0.9)
    last = words.split()[-1] if " " in words else ""
    if last in SYNONYMS:
        found.setdefault(SYNONYMS[last][1], 0.7)
    if not found:
        for text, slots in _slot_texts().items():
            score = fuzz.ratio(words, text)
            if score >= FUZZY:
                for slot in slots:
                    found[slot] = max(found.get(slot, 0.0), round(score / 100 * 0.8, 2))
    return sorted(found.items(), key=lambda t: (-t[1], t[0]))


def _owner(cls: str, slot: str) -> str | None:
    """The class of a draft for *cls* that has *slot*: *cls* itself, or a class it reaches (its name, its
    identifier, its map point)."""
    view = schema_view()
    if slot in view.class_slots(cls):
        return cls
    for auxiliary, (reached_from, _) in AUXILIARY.items():
        if _fits(cls, reached_from) and slot in view.class_slots(auxiliary) and auxiliary != "Identifier":
            return auxiliary
    return None


def _fits(view_class: str, wanted: str) -> bool:
    """Whether a slot of *wanted* (a class or an abstract ancestor) is a slot of *view_class*."""
    return wanted in schema_view().class_ancestors(view_class)


def _range(cls: str, slot: str) -> str:
    return str(schema_view().induced_slot(slot, cls).range or "string")


def _compatible(column: ColumnProfile, cls: str, slot: str, enum: str | None) -> bool:
    """Whether the column's values can fill the slot: its type, or a coded column of the slot's code list
    (a coded column whose name says a slot of text fills it with its labels)."""
    target = _range(cls, slot)
    view = schema_view()
    if view.get_enum(target) is not None:
        return enum == target
    if view.get_class(target) is not None:
        return False
    kinds = {
        "date": {"date", "datetime"},
        "datetime": {"datetime"},
        "integer": {"integer", "decimal", "string"},
        "decimal": {"decimal", "double", "float"},
        "boolean": {"boolean"},
    }
    allowed = kinds.get(column.range, {"string"})
    if column.range == "string" and view.get_type(target) is not None:
        return str(view.get_type(target).typeof or target) in {"string", "str"} or target == "string"
    return target in allowed


def _class_score(table: TableProfile, cls: str, classes_of: Mapping[str, str]) -> tuple[float, list[str]]:
    score, why, linked = 0.0, [], []
    for word in words_of(table.name):
        if TABLE_WORDS.get(word) == cls:
            score += 2.0
            why.append(f"table name {table.name!r}")
            break
    for column in table.columns:
        if column.kind in KIND_TARGETS and _fits(cls, KIND_TARGETS[column.kind][0]):
            score += 1.5
            why.append(f"{column.header}: {KIND_TARGETS[column.kind][2]}")
        for slot, value in name_candidates(column.header)[:3]:
            if slot != "label" and _owner(cls, slot) is not None:
                score += value
                break
        for other in column.references[:1]:
            slot = _reference_slot(cls, classes_of[other], tuple(linked)) if other in classes_of else None
            if slot is not None:  # each link a slot of its own: two links to people make an association
                linked.append(slot)
                score += 1.0
                why.append(f"{column.header} refers to {', '.join(column.references)}")
    return score, why


def _reference_slot(cls: str, target: str, taken: tuple[str, ...]) -> str | None:
    """A slot of *cls* whose range is *target* or a class it is a kind of, not taken yet."""
    view = schema_view()
    for slot in view.class_slots(cls):
        if slot in OWN_SLOTS or slot in taken:
            continue
        rng = _range(cls, slot)
        if view.get_class(rng) is not None and rng in view.class_ancestors(target):
            return slot
    return None


def _concrete() -> list[str]:
    view = schema_view()
    skip = {"RecordSet", "MappingRun", "SourceDataset", "SecurityMarking", "Identifier", "PersonName"}
    return sorted(n for n, c in view.all_classes().items() if not (c.abstract or c.mixin) and n not in skip)


def _place(table: TableProfile, cls: str, classes_of: Mapping[str, str], enums: Mapping[str, str | None]) -> TablePlan:
    suggestions: list[Suggestion] = []
    unplaced: list[tuple[str, str]] = []
    taken: list[str] = []
    for column in table.columns:
        found: Suggestion | None = None
        constant = column.distinct == 1 and column.filled == table.rows and column.range == "string"
        if column.header == table.key:
            found = Suggestion(column.header, cls, "source_record_id", "unique and never blank: the key", 0.9)
        elif column.references:
            target = classes_of.get(column.references[0])
            mine = tuple(t.split(".", 1)[1] for t in taken if t.startswith(f"{cls}."))
            slot = _reference_slot(cls, target, mine) if target else None
            if slot:
                found = Suggestion(
                    column.header,
                    cls,
                    slot,
                    f"values are keys of {', '.join(column.references)}",
                    0.8,
                    references=column.references,
                )
        elif column.kind in KIND_TARGETS and _fits(cls, KIND_TARGETS[column.kind][0]):
            _, slot, why = KIND_TARGETS[column.kind]
            found = Suggestion(column.header, cls, slot, why, 0.9)
        elif constant and not enums.get(column.header):
            unplaced.append((column.header, "one value in every row (a label or type of the export's own)"))
            continue
        if found is None and not constant:
            for slot, score in name_candidates(column.header):
                owner = _owner(cls, slot)
                enum = enums.get(column.header)
                if owner is None or f"{owner}.{slot}" in taken or not _compatible(column, owner, slot, enum):
                    continue
                enum = enum if schema_view().get_enum(_range(owner, slot)) is not None else None
                found = Suggestion(column.header, owner, slot, f"header {column.header!r} ~ {slot}", score, enum=enum)
                break
        held = {t.split(".")[1] for t in taken}
        first_id = "source_record_id" not in held and table.key is None and column.range == "string"
        if found is None and first_id and names_records(column.header) and not column.coded:
            found = Suggestion(column.header, cls, "source_record_id", "its header says it holds IDs", 0.6)
        if found is None and column.coded and enums.get(column.header):
            enum = enums[column.header]
            slot = next(
                (s for s in schema_view().class_slots(cls) if _range(cls, s) == enum and f"{cls}.{s}" not in taken),
                None,
            )
            if slot:
                found = Suggestion(column.header, cls, slot, f"values are labels of {enum}", 0.7, enum=enum)
        if found is None:
            why = "one value in every row (a label or type of the export's own)" if constant else ""
            unplaced.append((column.header, why or "no slot of the vocabulary fits its name or values"))
            continue
        if found.enum is None and schema_view().get_enum(_range(found.target_class, found.slot)) is not None:
            found = Suggestion(
                found.column,
                found.target_class,
                found.slot,
                found.evidence,
                found.confidence,
                enum=_range(found.target_class, found.slot),
            )
        taken.append(f"{found.target_class}.{found.slot}")
        suggestions.append(found)
    return _with_label(TablePlan(table, cls, "", tuple(suggestions), tuple(unplaced)))


def _with_label(plan: TablePlan) -> TablePlan:
    """*plan* with a label for its records, when none is suggested and the class has one: the first column
    left out whose values are unique text (a reference number)."""
    if "label" not in schema_view().class_slots(plan.target_class) or any(s.slot == "label" for s in plan.suggestions):
        return plan
    for header, _ in plan.unplaced:
        column = plan.table.column(header)
        if (
            column.range == "string"
            and column.distinct == column.filled == plan.table.rows > 0
            and not column.references
            and column.kind is None
        ):
            label = Suggestion(header, plan.target_class, "label", "unique text: a name for the record in lists", 0.5)
            unplaced = tuple(u for u in plan.unplaced if u[0] != header)
            return TablePlan(plan.table, plan.target_class, plan.evidence, (*plan.suggestions, label), unplaced)
    return plan


def plan_tables(tables: tuple[TableProfile, ...], enums: Mapping[tuple[str, str], str | None]) -> tuple[TablePlan, ...]:
    """A plan for each table, the tables others refer to first (so a foreign key knows the class it
    points at). *enums* gives, for (table, header) of each coded column, the code list its values match
    best (or None)."""
    order = sorted(tables, key=lambda t: sum(bool(c.references) for c in t.columns))
    classes_of: dict[str, str] = {}
    plans: dict[str, TablePlan] = {}
    for table in order:
        scored = [(*_class_score(table, cls, classes_of), cls) for cls in _concrete()]
        score, why, cls = max(scored, key=lambda t: (t[0], t[2] == "Person"))
        if score <= 0:
            cls, why = "Record", ["nothing suggests a class"]
        classes_of[table.name] = cls
        mine = {header: enum for (name, header), enum in enums.items() if name == table.name}
        plan = (
            _place(table, cls, classes_of, mine)
            if cls != "Record"
            else TablePlan(
                table, cls, "", (), tuple((c.header, "no class suggested for the table") for c in table.columns)
            )
        )
        evidence = "; ".join(why) or "its columns' names"
        plans[table.name] = TablePlan(
            plan.table, cls, f"{evidence} (score {score:.1f})", plan.suggestions, plan.unplaced
        )
    return tuple(plans[t.name] for t in tables)


def words_of(text: str) -> list[str]:
    """Lower-case words of a name."""
    return re.findall(r"[a-z0-9]+", text.lower())
