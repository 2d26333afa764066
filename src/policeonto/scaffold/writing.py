"""Write a draft mapping as a mapping folder: a source schema, a transformation per table, a crosswalk per
coded column and a README of what to review.

:func:`render` is pure (the folder as relative path -> text); :func:`write_draft` writes it. The source
schema imports the bundled ``context`` and names bundled crosswalks by name (``crosswalks/<file>``), with no
copies: a folder given to ``--mappings`` finds them in the bundled folder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from policeonto.mapping.crosswalk import read_crosswalk
from policeonto.mapping.nearest import code_list
from policeonto.mapping.spec import mappings_dir
from policeonto.scaffold.draft import CrosswalkDraft, Draft
from policeonto.scaffold.profile import ColumnProfile, TableProfile
from policeonto.scaffold.targets import Suggestion, TablePlan
from policeonto.vocab import schema_view

__all__ = ["render", "write_draft"]

LICENCE = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
#: Identifier schemes of the value kinds that make an Identifier.
SCHEMES = {"vrm": "vrm", "pnc": "pnc-id"}

#: How an identifier of a kind is written as the scheme writes it: registration marks in capitals without
#: spaces (``AB12 CDE`` is ``AB12CDE``), PNC IDs in capitals.
WRITTEN = {"vrm": "upper(replace({}, ' ', ''))", "pnc": "upper(strip({}))"}


def slug(text: str) -> str:
    """A name for file names and IRIs: lower-case words joined by ``-``.

    >>> slug("Crime reports_2024")
    'crime-reports-2024'
    """
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())) or "table"


def _groups(draft: Draft) -> dict[str, str]:
    """Each table's IRI group: tables one column refers to together share one (their keys are one space)."""
    group = {p.table.name: slug(p.table.name) for p in draft.plans}
    for plan in draft.plans:
        for column in plan.table.columns:
            if len(column.references) > 1:
                shared = next((group[t] for t in column.references if group[t] == "node"), "node")
                for target in column.references:
                    old = group[target]
                    group.update({k: shared for k, v in group.items() if v == old})
    return group


def _record_iri(draft: Draft, table: TableProfile, groups: dict[str, str], column: str | None) -> str:
    """The expression of a record's IRI: from its key (or *column*, a foreign key), else its file and row."""
    if column is None:
        return f"base + '{draft.name}/' + dataset_key + '/row-' + str(row)"
    return f"base + '{draft.name}/{groups[table.name]}/' + {column}"


def _when(expression: str, *columns: str) -> str:
    """*expression*, or None when one of *columns* is blank."""
    return f"({expression}) if {' and '.join(columns)} else None" if columns else expression


def _derivations(draft: Draft, plan: TablePlan, groups: dict[str, str]) -> dict[str, list[tuple[str, str, str]]]:
    """Class -> [(slot, YAML flow value, review comment)] of a table's transformation."""
    table = plan.table
    slots = {c.header: c for c in table.columns}
    key = slots[table.key].slot if table.key else None
    own = _record_iri(draft, table, groups, key)
    main: list[tuple[str, str, str]] = [("id", json.dumps({"expr": own}), "")]
    extra: dict[str, list[tuple[str, str, str]]] = {}
    view = schema_view()
    for suggestion in plan.suggestions:
        column = slots[suggestion.column]
        name = column.slot
        blank = [] if column.filled == table.rows else [name]
        note = f"review: {suggestion.evidence} (confidence {suggestion.confidence:.2f})"
        if suggestion.references:
            target = next(p for p in draft.plans if p.table.name == suggestion.references[0]).table
            iri = f"base + '{draft.name}/{groups[target.name]}/' + {name}"
            main.append((suggestion.slot, json.dumps({"expr": _when(iri, *blank)}), note))
        elif suggestion.slot == "identifiers" and column.kind in SCHEMES and "Identifier" not in extra:
            scheme = SCHEMES[column.kind]
            written = WRITTEN[column.kind].format(name)
            iri = _when(f"base + 'identifier/{scheme}/' + {written}", *blank)
            main.append(("identifiers", json.dumps({"expr": iri}), note))
            extra["Identifier"] = [
                ("id", json.dumps({"expr": iri}), ""),
                ("notation", json.dumps({"expr": written}), f"review: written as the {scheme} scheme writes it"),
                ("scheme", json.dumps({"value": scheme}), ""),
            ]
        elif suggestion.target_class != plan.target_class:  # a class the row's record reaches: its name, its point
            extra.setdefault(suggestion.target_class, []).append(
                (suggestion.slot, json.dumps({"populated_from": name}), note)
            )
        elif column.range == "date" and str(view.induced_slot(suggestion.slot, plan.target_class).range) == "datetime":
            value = _when(f"{name} + 'T00:00:00'", *blank)
            main.append((suggestion.slot, json.dumps({"expr": value}), note + "; a date made a time at midnight"))
        else:
            main.append((suggestion.slot, json.dumps({"populated_from": name}), note))
    if "PersonInvolvement" in extra:  # the person the row describes, and their part in the event
        person = f"{own} + '/person'"
        extra["Person"] = [("id", json.dumps({"expr": person}), "review: a person of the event, known only by it")]
        extra["PersonInvolvement"] = [
            ("id", json.dumps({"expr": f"{own} + '/involvement'"}), ""),
            ("person", json.dumps({"expr": person}), ""),
            ("event", json.dumps({"expr": own}), ""),
            *extra["PersonInvolvement"],
            ("source_row", json.dumps({"populated_from": "row"}), ""),
            ("derived_from", json.dumps({"populated_from": "dataset"}), ""),
            ("generated_by", json.dumps({"populated_from": "run"}), ""),
        ]
    if "PersonName" in extra:
        name_iri = f"{own} + '/name'"
        main.append(("names", json.dumps({"expr": name_iri}), ""))
        extra["PersonName"] = [("id", json.dumps({"expr": name_iri}), ""), *extra["PersonName"]]
    if "Point" in extra:
        coordinates = {
            s: slots[s_col].slot
            for s_col in slots
            for s in ("latitude", "longitude")
            if plan.suggestion(s_col) and plan.suggestion(s_col).slot == s
        }
        if set(coordinates) == {"latitude", "longitude"}:
            lat, lon = coordinates["latitude"], coordinates["longitude"]
            point = _when(f"base + 'point/' + {lat} + '_' + {lon}", lat, lon)
            extra["Point"] = [("id", json.dumps({"expr": point}), ""), *extra["Point"]]
            if "occurred_at" in view.class_slots(plan.target_class):
                main.append(("occurred_at", json.dumps({"expr": point}), "review: the row's map point"))
        else:
            del extra["Point"]
    if key is not None:
        main.append(("source_record_id", json.dumps({"populated_from": key}), ""))
    filled = {slot for slot, _, _ in main}
    for slot in view.class_slots(plan.target_class):
        required = view.induced_slot(slot, plan.target_class)
        codes = view.get_enum(str(required.range)) if required.required and slot not in filled else None
        if codes is not None and codes.permissible_values:
            first = next(iter(codes.permissible_values))
            note = f"review: the vocabulary requires it; {first!r}, the first code of {required.range}, holds its place"
            main.append((slot, json.dumps({"value": first}), note))
    main += [
        ("source_system", json.dumps({"value": draft.name}), "review: the name of the records system"),
        ("source_row", json.dumps({"populated_from": "row"}), ""),
        ("derived_from", json.dumps({"populated_from": "dataset"}), ""),
        ("generated_by", json.dumps({"populated_from": "run"}), ""),
    ]
    seen: set[str] = set()
    main = [d for d in main if not (d[0] in seen or seen.add(d[0]))]  # one derivation of a slot: the first
    for suggestion in plan.suggestions:  # a role column of two code lists: a second class for the second's
        walk = draft.crosswalk(table.name, suggestion.column)
        if walk is not None and walk.also is not None and plan.target_class in MIRRORS:
            return _split_by_list(main, extra, plan.target_class, slots[suggestion.column].slot, walk)
    return {plan.target_class: main, **extra}


#: For a link class whose role column also holds a second code list: the class the second list's rows make,
#: and its slots for the first's.
MIRRORS = {"PersonInvolvement": ("ObjectInvolvement", {"person": "object", "involvement_role": "object_role"})}


def _split_by_list(
    main: list[tuple[str, str, str]],
    extra: dict[str, list[tuple[str, str, str]]],
    cls: str,
    column: str,
    walk: CrosswalkDraft,
) -> dict[str, list[tuple[str, str, str]]]:
    """The derivations of a link table whose role *column* holds two code lists: the table's class for the
    rows of the first list's codes, the mirrored class (MIRRORS) for the second's, each its id's condition."""
    view = schema_view()
    second, renamed = MIRRORS[cls]
    given = set(_walk_codes(walk).values())
    firsts = sorted(c.notation for c in code_list(walk.enum) if c.iri in given)
    seconds = sorted(c.notation for c in code_list(str(walk.also)) if c.iri in given)

    def when(notations: list[str], derivations: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
        test = " or ".join(f"{column} == {n!r}" for n in notations) or "False"
        own = json.loads(derivations[0][1])["expr"]
        note = f"review: the rows whose {column} is a code of this list"
        return [("id", json.dumps({"expr": f"({own}) if {test} else None"}), note), *derivations[1:]]

    mirrored = [(renamed.get(s, s), v, n) for s, v, n in main if renamed.get(s, s) in view.class_slots(second)]
    return {cls: when(firsts, main), second: when(seconds, mirrored), **extra}


def _walk_codes(walk: CrosswalkDraft) -> dict[str, str]:
    """Label -> code IRI of a column's crosswalk: drafted, or the bundled one it names."""
    if walk.bundled:
        return read_crosswalk(mappings_dir() / walk.file).codes()
    return {m.value: m.code.iri for m in walk.matches if m.code is not None}


def _transform(draft: Draft, plan: TablePlan, groups: dict[str, str]) -> str:
    table = plan.table
    lines = [
        f"# DRAFT by policeonto scaffold from {table.path.name}: review every line marked 'review' (see README.md).",
        f"# Rows of {table.name} make {plan.target_class}: {plan.evidence}.",
        f"id: https://w3id.org/policeonto/mappings/{draft.name}-{slug(table.name)}",
        f"title: {json.dumps(f'{draft.name} {table.name} to policeonto (draft)')}",
        "version: 0.0.1",
        f"license: {LICENCE}",
        f"source_schema: {draft.name}.source.yaml",
        "target_schema: policeonto",
        "policeonto:",
        f"  row_class: {table.row_class}",
    ]
    if table.json is not None:
        selection = {"records": table.json.records, **({"type": table.json.type} if table.json.type else {})}
        lines.append(f"  json: {json.dumps(selection)}")
    lines.append("class_derivations:")
    for cls, derivations in _derivations(draft, plan, groups).items():
        lines += [f"  {cls}:", f"    populated_from: {table.row_class}", "    slot_derivations:"]
        for slot, value, note in derivations:
            lines.append(f"      {slot}: {value}" + (f"  # {note}" if note else ""))
    for header, why in plan.unplaced:
        lines.append(f"# not mapped: {json.dumps(header)}: {why}")
    return "\n".join(lines) + "\n"


def _slot(draft: Draft, table: TableProfile, column: ColumnProfile, groups: dict[str, str]) -> dict[str, object]:
    slot: dict[str, object] = {"title": column.header}
    facts = f"{column.filled:,} of {table.rows:,} rows filled, {column.distinct:,} distinct values"
    slot["description"] = f"Drafted from {table.path.name}: {facts}{' (a sample)' if table.truncated else ''}."
    if column.header == table.key:
        slot["identifier"] = True
    if column.filled == table.rows and table.rows:
        slot["required"] = True
    if column.range != "string":
        slot["range"] = column.range
    walk = draft.crosswalk(table.name, column.header)
    if column.pattern and walk is None:
        slot["pattern"] = column.pattern
    annotations: dict[str, str] = {}
    if column.date_format:
        annotations["date_format"] = column.date_format
    if walk is not None:
        annotations["crosswalk"] = walk.file
    if column.references:
        targets = [p.table for p in draft.plans if p.table.name in column.references]
        annotations["references"] = " ".join(t.row_class for t in targets)
    if column.header == table.key and list(groups.values()).count(groups[table.name]) > 1:
        annotations["key_space"] = groups[table.name]
    if annotations:
        slot["annotations"] = annotations
    return slot


def _source_schema(draft: Draft, groups: dict[str, str]) -> str:
    schema: dict[str, object] = {
        "id": f"https://w3id.org/policeonto/source/{draft.name}",
        "name": draft.name.replace("-", "_"),
        "title": f"{draft.name} export (draft)",
        "description": "Drafted by policeonto scaffold from the export's files; review it (see README.md).",
        "license": LICENCE,
        "prefixes": {"linkml": "https://w3id.org/linkml/", "src": f"https://w3id.org/policeonto/source/{draft.name}/"},
        "default_prefix": "src",
        "default_range": "string",
        "imports": ["linkml:types", "context"],
        "classes": {
            p.table.row_class: {
                "description": f"One row of {p.table.path.name}"
                + (f" ({p.table.name} records)." if p.table.json else "."),
                "mixins": ["RowContext"],
                "slots": [c.slot for c in p.table.columns],
            }
            for p in draft.plans
        },
        "slots": {c.slot: _slot(draft, p.table, c, groups) for p in draft.plans for c in p.table.columns},
    }
    head = "# DRAFT by policeonto scaffold: types, patterns, required columns and keys inferred from the values.\n"
    return head + yaml.safe_dump(schema, sort_keys=False, allow_unicode=True, width=120)


def _crosswalk(draft: Draft, walk: CrosswalkDraft) -> str:
    codes = [m for m in walk.matches if m.code is not None]
    bases = list(dict.fromkeys(m.code.iri.rsplit("/", 1)[0] + "/" for m in codes if m.code is not None))
    prefixes = {base: "code" if n == 0 else f"code{n + 1}" for n, base in enumerate(bases)}  # a list each
    header = {
        "curie_map": {
            "src": f"https://w3id.org/policeonto/source/{draft.name}/{slug(walk.column)}/",
            **{prefix: base for base, prefix in prefixes.items()},
            "skos": "http://www.w3.org/2004/02/skos/core#",
            "semapv": "https://w3id.org/semapv/vocab/",
        },
        "mapping_set_id": f"https://w3id.org/policeonto/mappings/{draft.name}/{walk.file}",
        "mapping_set_title": f"{draft.name} {walk.column} to {' and '.join(filter(None, (walk.enum, walk.also)))} "
        "(draft by lexical matching: review)",
        "license": LICENCE,
        "mapping_set_version": "0.0.1",
    }
    lines = ["#" + line for line in yaml.safe_dump(header, sort_keys=False, width=200).splitlines()]
    columns = [
        "subject_id",
        "subject_label",
        "predicate_id",
        "object_id",
        "object_label",
        "mapping_justification",
        "confidence",
        "comment",
    ]
    lines.append("\t".join(columns))
    ids: set[str] = set()
    for match in codes:
        assert match.code is not None
        local = slug(match.value)
        local = local if local not in ids else f"{local}-{len(ids)}"
        ids.add(local)
        base, _, notation = match.code.iri.rpartition("/")
        comment = f"{match.how} match; {match.count:,} rows"
        row = [
            f"src:{local}",
            match.value,
            "skos:exactMatch",
            f"{prefixes[base + '/']}:{notation}",
            match.code.label,
            "semapv:LexicalMatching",
            f"{match.confidence:.2f}",
            comment,
        ]
        lines.append("\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in row))
    return "\n".join(lines) + "\n"


def _readme(draft: Draft) -> Iterator[str]:
    yield f"# Draft mapping: {draft.name}"
    yield ""
    yield "Drafted by `policeonto scaffold`. Nothing here is decided: every class, slot and code below is a"
    yield "suggestion, with its evidence and a confidence from 0 to 1. Review each, then map the export with"
    yield ""
    yield "    policeonto map --mappings <this folder> <the export's files> -o out.nt"
    yield ""
    yield "The source schema imports the bundled `context`, and crosswalks the bundled folder already has are"
    yield "named, not copied. The licence written in the files is the Open Government Licence v3: change it if"
    yield "the export is under another."
    yield ""
    yield "## Tables"
    yield ""
    yield "| file | table | rows profiled | key | makes | why |"
    yield "|---|---|---|---|---|---|"
    for plan in draft.plans:
        t = plan.table
        rows = f"{t.rows:,}" + (" (a sample)" if t.truncated else "")
        key = t.key or "(none: rows by number)"
        yield f"| {t.path.name} | {t.name} | {rows} | {key} | {plan.target_class} | {plan.evidence} |"
    yield ""
    yield "## Columns to review"
    yield ""
    yield "| table | column | type | goes to | evidence | confidence |"
    yield "|---|---|---|---|---|---|"
    for plan in draft.plans:
        for s in plan.suggestions:
            column = plan.table.column(s.column)
            kind = column.range + (f" ({column.date_format})" if column.date_format else "")
            yield f"| {plan.table.name} | `{s.column}` | {kind} | {_target(s)} | {s.evidence} | {s.confidence:.2f} |"
    yield ""
    yield "## Columns not mapped"
    yield ""
    unplaced = [(p.table.name, h, why) for p in draft.plans for h, why in p.unplaced]
    if not unplaced:
        yield "None."
    for table, header, why in unplaced:
        yield f"- {table}: `{header}`: {why}."
    yield ""
    yield "## Crosswalks"
    yield ""
    for walk in draft.crosswalks:
        lists = walk.enum + (
            f" and {walk.also}: its rows of {walk.also} codes make their own records" if walk.also else ""
        )
        if walk.bundled:
            yield f"- {walk.table} `{walk.column}`: the bundled `{walk.file}` has every value ({lists})."
            continue
        fuzzy = [m for m in walk.matches if m.code is not None and m.how in {"fuzzy", "prefix"}]
        yield (
            f"- {walk.table} `{walk.column}` -> {lists}: `{walk.file}`, {len(walk.matches) - len(walk.unmatched)} "
            f"of {len(walk.matches)} values matched."
        )
        for m in fuzzy:
            assert m.code is not None
            yield f"  - check `{m.value}` -> {m.code.notation} ({m.code.label!r}): {m.how}, {m.confidence:.2f}"
        for m in walk.unmatched:
            near = f"; nearest: {', '.join(m.nearest)}" if m.nearest else ""
            yield f"  - **no match** for `{m.value}` ({m.count:,} rows){near}: add a row, or the rows are findings"
    if not draft.crosswalks:
        yield "No coded column."
    yield ""


def _target(suggestion: Suggestion) -> str:
    refs = f" (refers to {', '.join(suggestion.references)})" if suggestion.references else ""
    enum = f" ({suggestion.enum})" if suggestion.enum else ""
    return f"{suggestion.target_class}.{suggestion.slot}{enum}{refs}"


def render(draft: Draft) -> dict[str, str]:
    """The files of *draft*'s mapping folder: relative path -> text."""
    groups = _groups(draft)
    files = {f"{draft.name}.source.yaml": _source_schema(draft, groups)}
    for plan in draft.plans:
        files[f"{draft.name}-{slug(plan.table.name)}.transform.yaml"] = _transform(draft, plan, groups)
    for walk in draft.crosswalks:
        if not walk.bundled:
            files[walk.file] = _crosswalk(draft, walk)
    files["README.md"] = "\n".join(_readme(draft))
    return files


def write_draft(draft: Draft, folder: Path) -> list[Path]:
    """Write *draft*'s mapping folder into *folder* (created if need be); return the files written.

    Raises:
        OSError: a file cannot be written.
    """
    written = []
    for relative, text in render(draft).items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
