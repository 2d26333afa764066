"""Alignments with a justification: every mapping of a class, slot or enum to another vocabulary
(``exact_mappings``, ``close_mappings``, ``broad_mappings``, ``narrow_mappings``, ``related_mappings``)
has a row in an SSSOM TSV file under ``schema/alignments/`` that says why, in one sentence citing the
target's definition. The build refuses a mapping without a row and a row without a mapping.

The alignment module publishes each justification in SSSOM's own RDF form (SSSOM/RDF, "Representation of
a Mapping object"): the mapping set is a ``sssom:MappingSet`` named by its ``mapping_set_id``, and each
row an ``owl:Axiom`` that annotates the mapping triple (``owl:annotatedSource`` / ``annotatedProperty``
/ ``annotatedTarget``) with ``sssom:mapping_justification``, the labels and the comment (``rdfs:comment``).

>>> from policeonto.vocab import SCHEMA_PATH, schema_view
>>> rows = justified(schema_view(), SCHEMA_PATH.parent / ALIGNMENTS_FOLDER)
>>> [(row.subject_id, row.predicate_id, row.object_id) for row in rows if row.subject_id == "pole:Vehicle"]
[('pole:Vehicle', 'skos:exactMatch', 'nc:Vehicle'), ('pole:Vehicle', 'skos:exactMatch', 'schema:Vehicle')]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from linkml_runtime.linkml_model.meta import Element
from linkml_runtime.utils.schemaview import SchemaView
from rdflib import DCTERMS, OWL, RDF, RDFS, SKOS, BNode, Graph, Literal, Namespace, URIRef

from policeonto.errors import BuildError, CrosswalkError
from policeonto.mapping.crosswalk import read_sssom

__all__ = [
    "ALIGNMENTS_FOLDER",
    "MAPPING_SLOTS",
    "SSSOM",
    "Alignment",
    "add_justifications",
    "alignments_markdown",
    "justified",
    "read_alignments",
    "schema_mappings",
]

#: The folder, next to the schema's main file, that holds the alignment sets (``*.sssom.tsv``).
ALIGNMENTS_FOLDER = "alignments"

#: LinkML's mapping slots and the SKOS relation each becomes.
MAPPING_SLOTS: dict[str, URIRef] = {
    "exact_mappings": SKOS.exactMatch,
    "close_mappings": SKOS.closeMatch,
    "broad_mappings": SKOS.broadMatch,
    "narrow_mappings": SKOS.narrowMatch,
    "related_mappings": SKOS.relatedMatch,
}

SSSOM = Namespace("https://w3id.org/sssom/")

#: The columns an alignment set has, in this order (the comment is the justification's sentence).
_COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "comment",
)

Key = tuple[URIRef, URIRef, URIRef]


@dataclass(frozen=True)
class Alignment:
    """One justified mapping: a row of an alignment set, with its CURIEs expanded."""

    subject: URIRef
    predicate: URIRef
    target: URIRef
    subject_id: str
    subject_label: str
    predicate_id: str
    object_id: str
    object_label: str
    justification: URIRef
    comment: str
    mapping_set: URIRef
    where: str  # file and line, for messages

    @property
    def key(self) -> Key:
        return self.subject, self.predicate, self.target


def _mappings_of(element: Element) -> dict[str, list[str]]:
    return {
        "exact_mappings": list(element.exact_mappings or []),
        "close_mappings": list(element.close_mappings or []),
        "broad_mappings": list(element.broad_mappings or []),
        "narrow_mappings": list(element.narrow_mappings or []),
        "related_mappings": list(element.related_mappings or []),
    }


def schema_mappings(view: SchemaView) -> dict[Key, str]:
    """Every mapping the schema's classes, slots and enums make to another vocabulary, each with where it
    is said (``class Person exact_mappings schema:Person``)."""
    elements: list[tuple[str, Element]] = [
        *(("class", c) for c in view.all_classes().values()),
        *(("slot", s) for s in view.all_slots().values()),
        *(("enum", e) for e in view.all_enums().values()),
    ]
    found: dict[Key, str] = {}
    for kind, element in elements:
        subject = URIRef(view.get_uri(element, expand=True))
        for slot, curies in _mappings_of(element).items():
            for curie in curies:
                target = URIRef(view.expand_curie(curie))
                found[subject, MAPPING_SLOTS[slot], target] = f"{kind} {element.name} {slot} {curie}"
    return found


def read_alignments(folder: Path) -> list[Alignment]:
    """Every row of every ``*.sssom.tsv`` alignment set in *folder*, in file order.

    Raises:
        BuildError: a file is not valid SSSOM TSV, lacks a column of the alignment form, has an empty
            comment, or says the same mapping twice; the error names the file and line.
    """
    rows: list[Alignment] = []
    seen: dict[Key, str] = {}
    for path in sorted(folder.glob("*.sssom.tsv")):
        try:
            walk = read_sssom(path)
        except CrosswalkError as exc:
            raise BuildError(f"alignment set {exc}") from exc
        mapping_set = URIRef(str(walk.metadata["mapping_set_id"]))
        for row, line in zip(walk.rows, walk.lines, strict=True):
            where = f"{path.name}:{line}"
            missing = [column for column in _COLUMNS if not row.get(column, "").strip()]
            if missing:
                raise BuildError(f"alignment set {where}: {', '.join(missing)} empty or missing")
            alignment = Alignment(
                subject=URIRef(walk.expand(row["subject_id"])),
                predicate=URIRef(walk.expand(row["predicate_id"])),
                target=URIRef(walk.expand(row["object_id"])),
                subject_id=row["subject_id"],
                subject_label=row["subject_label"],
                predicate_id=row["predicate_id"],
                object_id=row["object_id"],
                object_label=row["object_label"],
                justification=URIRef(walk.expand(row["mapping_justification"])),
                comment=row["comment"].strip(),
                mapping_set=mapping_set,
                where=where,
            )
            if alignment.key in seen:
                raise BuildError(f"alignment set {where}: the same mapping as {seen[alignment.key]}")
            seen[alignment.key] = where
            rows.append(alignment)
    return rows


def justified(view: SchemaView, folder: Path) -> list[Alignment]:
    """The justification of every mapping the schema in *view* makes, read from the alignment sets in
    *folder*, sorted by subject, relation and target.

    Raises:
        BuildError: a mapping has no justification row, or a row justifies a mapping the schema does not
            make (each named); or an alignment set is malformed (:func:`read_alignments`).
    """
    mappings = schema_mappings(view)
    rows = read_alignments(folder)
    by_key = {row.key: row for row in rows}
    unjustified = [said for key, said in sorted(mappings.items()) if key not in by_key]
    orphans = [
        f"{row.where} ({row.subject_id} {row.predicate_id} {row.object_id})" for row in rows if row.key not in mappings
    ]
    problems = [f"{said}: no justification row in {folder.name}/*.sssom.tsv" for said in unjustified]
    problems += [f"{orphan}: the schema makes no such mapping" for orphan in orphans]
    if problems:
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
        raise BuildError(f"{len(problems)} alignment(s) not justified: {shown}")
    return sorted(rows, key=lambda row: (row.subject_id, row.predicate_id, row.object_id))


def add_justifications(g: Graph, alignments: list[Alignment], *, license_iri: str) -> None:
    """Add each alignment's justification to the alignment module *g* in SSSOM/RDF form.

    Raises:
        BuildError: a justified mapping is not in *g* (the module and the schema disagree).
    """
    g.bind("sssom", SSSOM)
    g.bind("semapv", "https://w3id.org/semapv/vocab/")
    missing = [row for row in alignments if row.key not in g]
    if missing:
        first = missing[0]
        raise BuildError(
            f"{len(missing)} justified mapping(s) missing from the alignment module, such as "
            f"{first.subject_id} {first.predicate_id} {first.object_id} ({first.where})"
        )
    for prop in (SSSOM.mappings, SSSOM.mapping_justification, SSSOM.subject_label, SSSOM.object_label):
        g.add((prop, RDF.type, OWL.AnnotationProperty))
    for mapping_set in sorted({row.mapping_set for row in alignments}):
        g.add((mapping_set, RDF.type, SSSOM.MappingSet))
        g.add((mapping_set, DCTERMS.license, URIRef(license_iri)))
    for row in alignments:
        axiom = BNode()
        g.add((row.mapping_set, SSSOM.mappings, axiom))
        g.add((axiom, RDF.type, OWL.Axiom))
        g.add((axiom, OWL.annotatedSource, row.subject))
        g.add((axiom, OWL.annotatedProperty, row.predicate))
        g.add((axiom, OWL.annotatedTarget, row.target))
        g.add((axiom, SSSOM.mapping_justification, row.justification))
        g.add((axiom, SSSOM.subject_label, Literal(row.subject_label)))
        g.add((axiom, SSSOM.object_label, Literal(row.object_label)))
        g.add((axiom, RDFS.comment, Literal(row.comment, lang="en")))


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def alignments_markdown(alignments: list[Alignment], *, header: str) -> str:
    """The Markdown page listing every alignment with its justification, one table row each."""
    lines = [f"<!-- {line} -->" for line in header.strip().splitlines()] + [
        "",
        "# Alignments",
        "",
        "Every mapping from a policeonto class, slot or code list to another vocabulary, with why it holds. The",
        "rows are read from the SSSOM TSV files in `src/policeonto/schema/alignments/`; the alignment module",
        "(`ontology/policeonto-alignments.ttl`) publishes each one as SSSOM/RDF: an `owl:Axiom` annotating the",
        "mapping with `sssom:mapping_justification` and the sentence below as `rdfs:comment`. An exact match",
        "also makes the policeonto term a subclass or subproperty of the target; the other relations carry no",
        "OWL semantics.",
        "",
        f"{len(alignments)} alignments.",
        "",
        "| policeonto | relation | target | justification |",
        "|---|---|---|---|",
    ]
    for row in alignments:
        relation = row.predicate_id.removeprefix("skos:")
        lines.append(
            f"| `{row.subject_id}` | {relation} | `{row.object_id}` ({_cell(row.object_label)}) | "
            f"{_cell(row.comment)} |"
        )
    return "\n".join(lines) + "\n"
