"""Read and check SSSOM crosswalks: TSV files that map a source system's labels to national codes.

A crosswalk has a YAML metadata block in ``#`` lines (``curie_map``, ``license``, ``mapping_set_id``) and a
table with at least ``subject_label``, ``predicate_id``, ``object_id`` and ``mapping_justification``. Only
``skos:exactMatch`` and ``skos:broadMatch`` rows translate values: a force's own code that is narrower
than a national code (its "residential burglary" under the national "burglary") is recorded as that
national code, and the SSSOM file says the match is broad. Each subject label maps to exactly one code.

>>> from pathlib import Path
>>> walk = read_crosswalk(Path("mappings/crosswalks/police-uk-search-outcome.sssom.tsv"))
>>> walk.codes()["Suspect arrested"], walk.codes()["Arrest"]
('https://w3id.org/policeonto/code/search-outcome/arrest', 'https://w3id.org/policeonto/code/search-outcome/arrest')
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from policeonto.errors import CrosswalkError, UnsafeInputError
from policeonto.limits import Limits, read_bounded
from policeonto.safety import load_yaml

__all__ = ["JUSTIFICATIONS", "REQUIRED_COLUMNS", "Crosswalk", "read_crosswalk", "read_sssom"]

REQUIRED_COLUMNS = ("subject_id", "subject_label", "predicate_id", "object_id", "mapping_justification")

#: The SEMAPV mapping justifications SSSOM allows.
JUSTIFICATIONS = frozenset(
    f"semapv:{name}"
    for name in (
        "LexicalMatching",
        "LexicalSimilarityThresholdMatching",
        "LogicalReasoning",
        "CompositeMatching",
        "UnspecifiedMatching",
        "SemanticSimilarityThresholdMatching",
        "ManualMappingCuration",
        "MappingReview",
        "MappingChaining",
        "MappingInversion",
        "StructuralMatching",
        "InstanceBasedMatching",
        "BackgroundKnowledgeBasedMatching",
    )
)

#: The match predicates whose rows translate a source label into a code.
TRANSLATING = frozenset({"skos:exactMatch", "skos:broadMatch"})

_PREDICATES = frozenset(
    {"skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch", "skos:relatedMatch"}
)


@dataclass(frozen=True)
class Crosswalk:
    """One SSSOM mapping set."""

    path: Path
    curie_map: dict[str, str]
    metadata: dict[str, object]
    rows: tuple[dict[str, str], ...]
    lines: tuple[int, ...] = ()  # the line of the file each row is on

    def expand(self, curie: str) -> str:
        """The IRI a CURIE of this file stands for."""
        prefix, _, local = curie.partition(":")
        return self.curie_map[prefix] + local

    def codes(self) -> dict[str, str]:
        """Source label -> code IRI, from the exact and broad matches."""
        return {
            row["subject_label"]: self.expand(row["object_id"])
            for row in self.rows
            if row["predicate_id"] in TRANSLATING
        }


def _fail(path: Path, message: str, line: int | None = None) -> CrosswalkError:
    return CrosswalkError(message, path=path, line=line)


@cache
def read_crosswalk(path: Path) -> Crosswalk:
    """Read and check the SSSOM TSV file at *path*, whose exact and broad matches translate labels: each
    subject label is mapped once.

    Raises:
        CrosswalkError: the file is not a valid crosswalk; the error names the file and line.
    """
    walk = read_sssom(path)
    seen: dict[str, int] = {}
    for row, number in zip(walk.rows, walk.lines, strict=True):
        label = row["subject_label"]
        if row["predicate_id"] in TRANSLATING:
            if label in seen:
                raise _fail(path, f"subject_label {label!r} is mapped twice (first on line {seen[label]})", number)
            seen[label] = number
    return walk


def read_sssom(path: Path) -> Crosswalk:
    """Read and check the SSSOM TSV file at *path*: its metadata block, its required columns, CURIEs whose
    prefixes the curie_map declares, SKOS mapping predicates and SEMAPV justifications. A subject may be
    mapped more than once (an alignment maps a class to several vocabularies).

    Raises:
        CrosswalkError: the file is not valid SSSOM TSV; the error names the file and line.
    """
    try:
        text = read_bounded(path, Limits(), error=CrosswalkError).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(path, f"cannot read: {exc}") from exc
    lines = text.splitlines()
    header = [line[1:] for line in lines if line.startswith("#")]
    try:
        metadata = load_yaml("\n".join(header)) or {}
    except yaml.YAMLError as exc:
        raise _fail(path, f"metadata block is not YAML: {exc}") from exc
    except UnsafeInputError as exc:
        raise _fail(path, f"metadata block refused: {exc}") from exc
    if not isinstance(metadata, dict):
        raise _fail(path, "metadata block is not a mapping")
    for key in ("curie_map", "license", "mapping_set_id"):
        if not metadata.get(key):
            raise _fail(path, f"metadata has no {key}")
    if not isinstance(metadata["curie_map"], dict):
        raise _fail(path, "metadata curie_map is not a mapping of prefixes to IRIs")
    curie_map = {str(k): str(v) for k, v in metadata["curie_map"].items()}
    curie_map.setdefault("skos", "http://www.w3.org/2004/02/skos/core#")
    curie_map.setdefault("semapv", "https://w3id.org/semapv/vocab/")
    first = len(header) + 1
    reader = csv.DictReader(io.StringIO("\n".join(lines[len(header) :])), delimiter="\t")
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise _fail(path, f"table lacks columns {missing}", first)
    rows = []
    numbers = []
    for number, row in enumerate(reader, start=first + 1):
        for column in REQUIRED_COLUMNS:
            if not row.get(column):
                raise _fail(path, f"{column} is empty", number)
        for column in ("subject_id", "predicate_id", "object_id"):
            prefix = row[column].partition(":")[0]
            if prefix not in curie_map:
                raise _fail(path, f"{column} {row[column]!r}: prefix {prefix!r} is not in the curie_map", number)
        if row["predicate_id"] not in _PREDICATES:
            raise _fail(path, f"predicate_id {row['predicate_id']!r} is not a SKOS mapping relation", number)
        if row["mapping_justification"] not in JUSTIFICATIONS:
            raise _fail(path, f"mapping_justification {row['mapping_justification']!r} is not a SEMAPV term", number)
        rows.append({k: v or "" for k, v in row.items() if k is not None})
        numbers.append(number)
    return Crosswalk(path, curie_map, metadata, tuple(rows), tuple(numbers))
