"""Findings are data: every problem policeonto reports is a :class:`Finding` with a stable code.

Each code is declared once, in :data:`CATALOGUE`, with a title, a description, a message template and a
severity. A finding locates its problem as precisely as the input allows: file, row, column and value for
tables; focus node, path, value and constraint for RDF; a term for the ontology itself.

>>> finding = make("missing-label", focus_node="https://w3id.org/policeonto/Person")
>>> finding.code, finding.severity.value
('missing-label', 'error')
>>> finding.message
'https://w3id.org/policeonto/Person has no rdfs:label'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "CATALOGUE",
    "FIXES",
    "SHAPE_COMPONENTS",
    "Finding",
    "FindingType",
    "Severity",
    "catalogue_markdown",
    "has_errors",
    "make",
    "shape_code",
]


class Severity(StrEnum):
    """How serious a finding is; errors make a result invalid."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class FindingType:
    """The declaration of one finding code."""

    code: str
    title: str
    description: str
    message: str
    severity: Severity


@dataclass(frozen=True)
class Finding:
    """One problem found, with where it is."""

    code: str
    severity: Severity
    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    focus_node: str | None = None
    path: str | None = None
    constraint: str | None = None
    suggestions: tuple[str, ...] = ()  # what the value most resembles (an unknown label's nearest codes)

    def as_dict(self) -> dict[str, Any]:
        """The finding as a JSON-ready dictionary."""
        data = asdict(self)
        data["severity"] = self.severity.value
        data["suggestions"] = list(self.suggestions)
        return data


_TYPES = [
    FindingType(
        "missing-label",
        "Term without a label",
        "A class, property or code of the ontology has no rdfs:label, so stewards cannot read it.",
        "{focus_node} has no rdfs:label",
        Severity.ERROR,
    ),
    FindingType(
        "missing-definition",
        "Term without a definition",
        "A class, property or code has no skos:definition written for a police data steward.",
        "{focus_node} has no skos:definition",
        Severity.ERROR,
    ),
    FindingType(
        "duplicate-label",
        "Two terms share a label",
        "Two classes, two properties, or two codes of one code list have the same label, so a reader "
        "cannot tell them apart.",
        "{focus_node} shares the label {value!r} with {path}",
        Severity.ERROR,
    ),
    FindingType(
        "deprecated-term-in-use",
        "Deprecated term in use",
        "A term marked owl:deprecated is still used in an axiom of the ontology.",
        "{focus_node} is deprecated but used by {path}",
        Severity.WARNING,
    ),
    FindingType(
        "missing-ontology-metadata",
        "Ontology header incomplete",
        "The ontology lacks one of versionIRI, versionInfo, license, title or description.",
        "ontology {focus_node} has no {path}",
        Severity.ERROR,
    ),
    FindingType(
        "undeclared-term",
        "Term used but not declared",
        "An IRI in the policeonto namespace is used but not declared as a class, property or individual.",
        "{focus_node} is used but not declared",
        Severity.ERROR,
    ),
]

_TYPES += [
    FindingType(
        "missing-value",
        "Required value missing",
        "A column the source format requires is blank in this row, so the row cannot be mapped.",
        "row {row}: {column} is blank",
        Severity.ERROR,
    ),
    FindingType(
        "invalid-value",
        "Value not in the expected format",
        "A value does not have the type or pattern the source format declares (for example an impossible "
        "date or a malformed LSOA code).",
        "row {row}: {column} {value!r} is not a valid value",
        Severity.ERROR,
    ),
    FindingType(
        "missing-recommended-value",
        "Recommended value missing",
        "A column the source format recommends is blank in this row; the row is mapped without it, but "
        "other forces may not be able to match the record (for example a person without a date of birth).",
        "row {row}: {column} is blank",
        Severity.WARNING,
    ),
    FindingType(
        "dangling-reference",
        "Reference to a record that is not there",
        "A column that refers to a record of another table of the export (a foreign key, or a JSON:API "
        "relationship) names a record the export does not have, so the link cannot be made.",
        "row {row}: {column} {value!r} names no record of the export",
        Severity.ERROR,
    ),
    FindingType(
        "duplicate-key",
        "Key given to two rows",
        "A row has the key of an earlier row of the same table (in this file or another of the run), with "
        "other values in some columns. Both would describe one record, which cannot hold both, so the later "
        "row is not mapped.",
        "row {row}: {column} repeats the key of an earlier row: {value}",
        Severity.ERROR,
    ),
    FindingType(
        "duplicate-row",
        "Row given twice",
        "A row repeats an earlier row of the same table (in this file or another of the run) in every "
        "column. The record is mapped once, from the earlier row; the repeat is counted as rejected.",
        "row {row}: repeats an earlier row with the same {column}: {value}",
        Severity.WARNING,
    ),
    FindingType(
        "references-not-checked",
        "References not checked",
        "A column refers to records of another table of the export, but that table was not given in this "
        "run, so the references could not be checked. Give all the export's files together.",
        "{column} refers to {value} records, but no file of them was given",
        Severity.WARNING,
    ),
    FindingType(
        "unknown-record-type",
        "Records of a type the format does not declare",
        "A JSON export holds records of a type that none of its format's mappings reads; they are counted as rejected.",
        "{value}",
        Severity.ERROR,
    ),
    FindingType(
        "value-out-of-range",
        "Value out of range",
        "A number lies outside the range the source format allows (for example coordinates outside the UK).",
        "row {row}: {column} {value!r} is out of range",
        Severity.ERROR,
    ),
    FindingType(
        "unknown-code",
        "Label with no crosswalk entry",
        "A coded column holds a label that no crosswalk maps to a national code. The finding names the codes of "
        "the target list it most resembles (its suggestions). Add it to the crosswalk if it is a legitimate "
        "label, or correct the source.",
        "row {row}: {column} {value!r} has no crosswalk entry",
        Severity.ERROR,
    ),
    FindingType(
        "wrong-field-count",
        "Row with the wrong number of fields",
        "A row does not split into as many fields as the header has (a truncated or corrupted line).",
        "row {row}: {value}",
        Severity.ERROR,
    ),
    FindingType(
        "unterminated-quote",
        "Quoted field never closed",
        "A quoted field runs to the end of the file (a truncated file); the row it starts cannot be read.",
        "row {row}: {value}",
        Severity.ERROR,
    ),
    FindingType(
        "line-too-long",
        "Row over the line-size limit",
        "A row's fields together are larger than the line-size limit, so the row is rejected unread; the "
        "rest of the file is read. Raise the limit with --limit line-size=SIZE if the row is genuine.",
        "row {row}: {value}",
        Severity.ERROR,
    ),
    FindingType(
        "field-too-large",
        "Field over the field-size limit",
        "A field (a CSV cell or a JSON value) is larger than the field-size limit, so its row is rejected; "
        "the rest of the file is read. Raise the limit with --limit field-size=SIZE if the value is genuine.",
        "row {row}: {value}",
        Severity.ERROR,
    ),
    FindingType(
        "unexpected-column",
        "Column the format does not have",
        "The file has a column the source format does not declare; it is ignored.",
        "column {column!r} is not part of the format and is ignored",
        Severity.WARNING,
    ),
    FindingType(
        "duplicate-column",
        "Column given twice",
        "The header names a column of the format more than once (the same name, or two of its aliases). Only "
        "the first is read; the values of the later one are not, so which is right cannot be told.",
        "column {column!r} appears again as column {value}; only its first appearance is read",
        Severity.ERROR,
    ),
    FindingType(
        "missing-optional-column",
        "Optional column missing",
        "The file lacks a column the source format declares as optional; its values are treated as blank.",
        "column {column!r} is missing; its values are treated as blank",
        Severity.WARNING,
    ),
    FindingType(
        "renamed-column",
        "Column read under another name",
        "A header differs from the format's column name only in case, spacing or a known alias.",
        "column {value!r} is read as {column!r}",
        Severity.INFO,
    ),
    FindingType(
        "blank-lines",
        "Blank lines skipped",
        "The file has blank lines; they are not rows and are skipped.",
        "{value} blank lines skipped",
        Severity.INFO,
    ),
    FindingType(
        "unknown-publisher",
        "File name names an unknown force",
        "The file name's force is not a police force code, so the publishing force is left out; give it with --force.",
        "the file name names force {value!r}, which is not a police force code",
        Severity.WARNING,
    ),
    FindingType(
        "legacy-encoding",
        "File is not UTF-8",
        "The file is not valid UTF-8 and was read as Windows-1252, as spreadsheet tools save it.",
        "read as Windows-1252",
        Severity.INFO,
    ),
]

#: Information sharing agreements (ODRL policies under the project's profile), checked before any sharing:
#: code, title, description, message; every one an error.
_AGREEMENT_TYPES = [
    (
        "agreement-unreadable",
        "Agreement that cannot be read",
        "The agreement file is not valid Turtle, JSON-LD or YAML, or uses a construct that is refused (a remote"
        " JSON-LD context, a YAML alias bomb).",
        "{value}",
    ),
    (
        "agreement-yaml-key",
        "YAML agreement key unknown or of the wrong kind",
        "The YAML form of an agreement has a key it does not know, or a value of the wrong kind (a list where a"
        " name is expected).",
        "{path}: {value}",
    ),
    (
        "agreement-unknown-term",
        "Term ODRL or the profile does not define",
        "The agreement uses an IRI of the ODRL or profile namespace that is not one of the terms an agreement "
        "may use (often a misspelling, such as odrl:permision).",
        "{value} is not a term of ODRL 2.2 or of the policeonto profile that an agreement may use",
    ),
    (
        "agreement-not-one-policy",
        "Not exactly one odrl:Agreement",
        "An agreement file holds exactly one policy, of type odrl:Agreement, named by an IRI.",
        "{value}",
    ),
    (
        "agreement-profile",
        "Agreement breaks a rule of the profile",
        "The agreement breaks one of the profile's SHACL shapes (shapes/policeonto-odrl-shapes.ttl), which the "
        "constraint names: a missing assigner or assignee, a malformed date, an operator the profile does not "
        "use with that left operand.",
        "{focus_node}: {value}",
    ),
    (
        "agreement-undefined-target",
        "Target the ontology does not define",
        "The agreement permits, prohibits or transforms a class or property that the ontology does not define "
        "(or a class where a property is needed).",
        "{value} is not a {constraint} of the ontology",
    ),
    (
        "agreement-unknown-purpose",
        "Purpose that is not a DPV purpose",
        "The purpose constraint names an IRI that is not one of the DPV purposes the project knows.",
        "{value} is not a known DPV purpose",
    ),
    (
        "agreement-unknown-legal-basis",
        "Legal basis that is not a DPV legal basis",
        "dpv:hasLegalBasis names an IRI that is not one of the DPV legal bases.",
        "{value} is not a known DPV legal basis",
    ),
    (
        "agreement-unknown-code",
        "Code not in the model's code lists",
        "A national caveat or an identifier scheme the agreement names is not a code of the model's code list.",
        "{value} is not a code of {constraint}",
    ),
    (
        "agreement-constraints-differ",
        "Permissions with different constraints",
        "Every permission of an agreement carries the same constraints (purpose, end date, ceiling, markings): "
        "the agreement states them once for all it permits.",
        "{focus_node}: its {value} permissions do not all carry the same constraints",
    ),
    (
        "agreement-permitted-and-prohibited",
        "Target both permitted and prohibited",
        "The agreement permits a class or property and also prohibits it, so it contradicts itself.",
        "{value} is both permitted and prohibited",
    ),
    (
        "agreement-duty-not-permitted",
        "Duty on something not permitted",
        "The agreement pseudonymises, generalises or uses as a quasi-identifier a class or property it does not"
        " permit, so the duty can never apply: it contradicts itself.",
        "{value} is not permitted, but the agreement asks to {constraint} it",
    ),
    (
        "agreement-generalised-twice",
        "Property generalised to two forms",
        "A property is generalised to more than one form; a value leaves in one form only.",
        "{value} is generalised to more than one form",
    ),
    (
        "agreement-form-does-not-fit",
        "Generalised form that does not fit the property",
        "A property is generalised to a form its values cannot take (a date to a postcode sector).",
        "{value} cannot be generalised to {constraint}",
    ),
    (
        "agreement-k-without-quasi-identifiers",
        "k-anonymity without quasi-identifiers",
        "The agreement asks for k-anonymity but names no quasi-identifiers, so k means nothing.",
        "k = {value} but no quasi-identifier is named",
    ),
    (
        "agreement-aggregates-without-k",
        "Aggregates only without a minimum count",
        "The agreement lets only aggregates leave but sets no k, so no small count would be suppressed: a cell "
        "of one or two records would leave as it is.",
        "only aggregates may leave but no k is set, so no small count would be suppressed",
    ),
]
_TYPES += [FindingType(code, title, text, message, Severity.ERROR) for code, title, text, message in _AGREEMENT_TYPES]

#: SHACL Core constraint component -> (title, what it means and how to fix it); each is a ``shape-*`` code.
SHAPE_COMPONENTS = {
    "Class": (
        "Value of the wrong class",
        "The value must be a node of the stated class; link to a record of that kind.",
    ),
    "Datatype": (
        "Value of the wrong datatype",
        "Write the value with the stated XSD datatype (for example xsd:gYearMonth).",
    ),
    "NodeKind": ("Value of the wrong kind of node", "Use an IRI, a blank node or a literal as the shape requires."),
    "MinCount": ("Required value missing", "Give the property at least the stated number of values."),
    "MaxCount": ("Too many values", "Give the property at most the stated number of values."),
    "MinExclusive": ("Value too small", "The value must be greater than the stated limit."),
    "MinInclusive": ("Value too small", "The value must be at least the stated limit."),
    "MaxExclusive": ("Value too large", "The value must be less than the stated limit."),
    "MaxInclusive": ("Value too large", "The value must be at most the stated limit."),
    "MinLength": ("Value too short", "Write a longer value."),
    "MaxLength": ("Value too long", "Write a shorter value."),
    "Pattern": ("Value not in the required format", "Write the value in the format the pattern describes."),
    "LanguageIn": ("Value in an unexpected language", "Tag the literal with an allowed language."),
    "UniqueLang": ("Two values in one language", "Give at most one value per language."),
    "Equals": ("Values differ where they must be equal", "Make the two properties' values the same."),
    "Disjoint": ("Values shared where they must differ", "Make the two properties' values different."),
    "LessThan": ("Value not less than another", "Make the value less than the other property's."),
    "LessThanOrEquals": ("Value greater than another", "Make the value at most the other property's."),
    "Not": (
        "Value matches a forbidden shape",
        "Remove what the shape forbids (for example both a start time and a month).",
    ),
    "And": ("Value fails one of several shapes", "Make the node conform to every listed shape."),
    "Or": (
        "Value fits none of the allowed shapes",
        "Make the node conform to one of the listed shapes (for example link to a record of an allowed class).",
    ),
    "Xone": ("Value fits not exactly one shape", "Make the node conform to exactly one of the listed shapes."),
    "Node": ("Value breaks a rule", "Correct the value so that the rule holds; the message says which rule."),
    "QualifiedValueShape": (
        "Wrong number of qualified values",
        "Give the stated number of values of the stated shape.",
    ),
    "Closed": (
        "Property the vocabulary does not define here",
        "Remove the property or use the vocabulary's property for it.",
    ),
    "HasValue": ("Required value missing", "Give the property the stated value."),
    "In": ("Value not in the code list", "Use one of the code list's codes."),
    "SPARQL": (
        "Constraint breached",
        "Correct the data as the message says (for example a duplicate key, or an identifier whose check digit "
        "or letter is wrong, often a typing error in the source system).",
    ),
}


def shape_code(component: str) -> str:
    """The finding code of a SHACL constraint component's local name.

    >>> shape_code("MinCount"), shape_code("SPARQL"), shape_code("LessThanOrEquals")
    ('shape-min-count', 'shape-sparql', 'shape-less-than-or-equals')
    """
    return "shape-" + re.sub(r"(?<=[a-z])(?=[A-Z])", "-", component).lower()


_TYPES += [
    FindingType(
        shape_code(name),
        title,
        description,
        "{focus_node}: {value}",
        Severity.ERROR,
    )
    for name, (title, description) in SHAPE_COMPONENTS.items()
]

#: Every finding code, declared once.
CATALOGUE: dict[str, FindingType] = {t.code: t for t in _TYPES}

#: How to fix each code's problem (for shape codes, the component's text above).
FIXES = {
    "missing-label": "Add an rdfs:label (a `title` in the LinkML schema) and rebuild.",
    "missing-definition": "Add a skos:definition (a `description` in the LinkML schema) and rebuild.",
    "duplicate-label": "Give one of the two terms a label that says how it differs.",
    "deprecated-term-in-use": "Point the axiom at the term that replaces the deprecated one.",
    "missing-ontology-metadata": "Fill the schema header (version, license, title, description) and rebuild.",
    "undeclared-term": "Declare the term in the schema, or correct the IRI where it is used.",
    "missing-value": "Fill the column in the source system's export, or mark the row as not for sharing.",
    "invalid-value": "Correct the value in the source to the format the column declares.",
    "value-out-of-range": "Correct the value; coordinates must lie in the UK, numbers within the stated range.",
    "missing-recommended-value": "Fill the column in the source system where it is known.",
    "dangling-reference": "Export the record the link names, or correct the reference.",
    "duplicate-key": "Give each record one row, or give the rows their own keys, in the source system.",
    "duplicate-row": "Export each row once (a file given twice, or an export that repeats rows).",
    "references-not-checked": "Give every file of the export in one run.",
    "unknown-record-type": "Map the record type (a mapping for it), or leave it out of the export.",
    "unknown-code": "Use a label from the code list, or add the label to the crosswalk (SSSOM) with a reviewer.",
    "wrong-field-count": "Re-export the file; quote fields that contain commas.",
    "unterminated-quote": "Re-export the file: it was cut off inside a quoted field.",
    "line-too-long": "Check the row (often a broken export); if it is genuine, raise --limit line-size.",
    "field-too-large": "Check the value (often a broken export); if it is genuine, raise --limit field-size.",
    "unexpected-column": "None needed; drop the column from the export if it should not be shared.",
    "duplicate-column": "Re-export the file with each column once, or rename the extra column.",
    "missing-optional-column": "Add the column to the export if the source system records it.",
    "renamed-column": "None needed; use the format's column name to silence it.",
    "blank-lines": "None needed.",
    "unknown-publisher": "Name the file `YYYY-MM-<force>-...csv` with the force's code, or pass --force.",
    "legacy-encoding": "Save the export as UTF-8.",
    "agreement-unreadable": "Correct the file's syntax; give a JSON-LD context inline, not by URL.",
    "agreement-yaml-key": "Use the keys docs/sharing.md lists, with values of the kind it gives.",
    "agreement-unknown-term": "Correct the term's spelling; docs/sharing.md lists the terms an agreement uses.",
    "agreement-not-one-policy": "Write one odrl:Agreement with an IRI per file.",
    "agreement-profile": "Correct the agreement as the rule (the shape named) says.",
    "agreement-undefined-target": "Name a class or property of the ontology (see its terms pages).",
    "agreement-unknown-purpose": "Name a DPV purpose (https://w3id.org/dpv#...) that docs/sharing.md lists.",
    "agreement-unknown-legal-basis": "Name a DPV legal basis (https://w3id.org/dpv#...) that docs/sharing.md lists.",
    "agreement-unknown-code": "Use a code of the model's code list.",
    "agreement-constraints-differ": "Give every permission the same constraints, or write one permission.",
    "agreement-permitted-and-prohibited": "Remove the target from the permission or from the prohibition.",
    "agreement-duty-not-permitted": "Permit the class or property, or remove the duty.",
    "agreement-generalised-twice": "Keep one form for the property.",
    "agreement-form-does-not-fit": "Choose a form that fits the property's values.",
    "agreement-k-without-quasi-identifiers": "Name the quasi-identifiers, or remove k.",
    "agreement-aggregates-without-k": "Add k_anonymity (k and the quasi-identifiers) to the agreement.",
} | {shape_code(name): fix for name, (_, fix) in SHAPE_COMPONENTS.items()}

_EXAMPLE = {
    "file": "2024-01-kent-stop-and-search.csv",
    "row": 17,
    "column": "Legislation",
    "value": "Misuse of Drugs Act 1971 (section 32)",
    "focus_node": "https://w3id.org/policeonto/stop-and-search/2024-01-kent/row-17",
    "path": "https://w3id.org/policeonto/legislation",
}


def catalogue_markdown() -> str:
    """The findings catalogue as a Markdown page: every code with its severity, meaning, an example and how
    to fix it (``docs/findings.md`` is this, checked by the tests)."""
    lines = [
        "# Findings catalogue",
        "",
        "Every problem policeonto reports is a finding with one of these stable codes. Errors make a result",
        "invalid (exit 1); warnings and information do not. Select or ignore codes by prefix with `--select`",
        "and `--ignore` (for example `--ignore shape-closed`, or `--select shape-` for the SHACL results).",
        "This page is generated from `policeonto.findings.CATALOGUE`.",
        "",
        "| code | severity | title |",
        "|---|---|---|",
        *(f"| [`{t.code}`](#{t.code}) | {t.severity.value} | {t.title} |" for t in CATALOGUE.values()),
        "",
    ]
    for kind in CATALOGUE.values():
        example = make(kind.code, **_EXAMPLE)
        lines += [
            f"## {kind.code}",
            "",
            f"**{kind.title}** ({kind.severity.value}). {kind.description}",
            "",
            f"Example: `{example.message}`",
            "",
            f"How to fix: {FIXES[kind.code]}",
            "",
        ]
    return "\n".join(lines)


def has_errors(counts: Mapping[str, int]) -> bool:
    """Whether finding counts by code include any error-level finding.

    >>> has_errors({"renamed-column": 2}), has_errors({"unknown-code": 1, "blank-lines": 0})
    (False, True)
    """
    return any(count and CATALOGUE[code].severity is Severity.ERROR for code, count in counts.items())


def make(code: str, **where: Any) -> Finding:
    """Create a finding of a declared *code*; the message is the code's template filled from *where*.

    Raises:
        KeyError: *code* is not declared in :data:`CATALOGUE`.
    """
    kind = CATALOGUE[code]
    fields = {name: None for name in Finding.__dataclass_fields__} | where
    message = kind.message.format(**fields)
    if where.get("suggestions"):
        message += "; nearest: " + ", ".join(where["suggestions"])
    return Finding(code=code, severity=kind.severity, message=message, **where)


if __name__ == "__main__":
    print(catalogue_markdown(), end="")
