"""Compile a mapping's class derivations into vectorised N-Triples templates.

For each derived class: an expression for the subject IRI (no subject, no object), the rdf:type (from
the ``type`` slot or the class), and for each slot an expression for the object term, rendered according
to the target slot's range: code IRIs for code lists, IRIs for references, typed literals otherwise.
The target schema (policeonto) decides every predicate, range and datatype, so the output uses exactly
the IRIs the ontology and shapes use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

import polars as pl
from pyoxigraph import NamedNode

from policeonto.errors import MappingSpecError
from policeonto.mapping.checks import LABEL
from policeonto.mapping.expressions import compile_expression, names_in
from policeonto.mapping.spec import CONTEXT_NAMES, Mapping
from policeonto.terms import ESCAPES, RDF_TYPE, XSD, XSD_STRING

if TYPE_CHECKING:
    from linkml_runtime.utils.schemaview import SchemaView

__all__ = ["Derivation", "compile_plan", "enum_codes", "iri", "literal"]


@dataclass(frozen=True)
class Derivation:
    """One derived class: how to make its subject and each of its triples from a row."""

    target: str
    subject: pl.Expr
    triples: tuple[tuple[str, pl.Expr], ...]  # (predicate in <>, object term expression)
    shared: bool  # the subject depends on neither the row nor its key: several rows may make the same node
    sources: tuple[tuple[str, ...], ...] = ()  # per triple: the source columns (row-class slots) it is made from


def enum_codes(view: SchemaView) -> dict[str, str]:
    """Every code IRI of the target schema -> its code name."""
    return {
        view.expand_curie(pv.meaning): text
        for enum in view.all_enums().values()
        for text, pv in (enum.permissible_values or {}).items()
        if pv.meaning
    }


#: Text that may need escaping to be an IRI: anything outside printable ASCII's IRI characters, a bad
#: percent escape, or a second ``#``. Matching rows only are checked one by one (the rest pass untouched).
_MAYBE_NOT_IRI = r"[^A-Za-z0-9._~:/?#@!$&'()*+,;=%-]|%([^0-9A-Fa-f]|.[^0-9A-Fa-f]|.?$)|#.*#"
_IRI_SAFE = ":/?@!$&'()*+,;=~"


def safe_iri(text: str) -> str:
    """*text* if it is a valid IRI, else *text* with every character an IRI cannot hold percent-encoded
    (as UTF-8), the first ``#`` kept as the fragment mark. Source values become parts of instance IRIs, and
    may hold spaces, control characters or brackets.

    >>> safe_iri("https://example.org/occurrence/OCC/24/1"), safe_iri("https://example.org/ref/A 1#2#3")
    ('https://example.org/occurrence/OCC/24/1', 'https://example.org/ref/A%201#2%233')
    """
    try:
        NamedNode(text)
        return text
    except ValueError:
        head, mark, fragment = text.partition("#")
        return quote(head, safe=_IRI_SAFE) + mark + quote(fragment, safe=_IRI_SAFE)


def iri(value: pl.Expr) -> pl.Expr:
    """An N-Triples IRI term; a value that is not a valid IRI is escaped by :func:`safe_iri`."""
    escaped = pl.when(value.str.contains(_MAYBE_NOT_IRI)).then(value.map_elements(safe_iri, return_dtype=pl.String))
    return pl.concat_str([pl.lit("<"), escaped.otherwise(value), pl.lit(">")])


def canonical_decimal(value: pl.Expr) -> pl.Expr:
    """The canonical xsd:decimal form: no plus sign, no needless zeros, a digit either side of the point.

    >>> frame = pl.DataFrame({"x": ["+51.270000", "-0.081620", "7", ".5", "007.50"]})
    >>> frame.select(canonical_decimal(pl.col("x"))).to_series().to_list()
    ['51.27', '-0.08162', '7.0', '0.5', '7.5']
    """
    text = value.str.strip_prefix("+")
    text = pl.when(text.str.contains(r"\.")).then(text).otherwise(pl.concat_str([text, pl.lit(".0")]))
    text = text.str.replace(r"^(-?)\.", "${1}0.").str.replace(r"^(-?)0+([0-9])", "${1}${2}")
    return text.str.replace(r"0+$", "").str.replace(r"\.$", ".0")


def literal(value: pl.Expr, datatype: str | None) -> pl.Expr:
    """An N-Triples literal term, plain when *datatype* is None or xsd:string: :func:`policeonto.terms.literal`
    column-wise, the lexical form escaped by the same :data:`policeonto.terms.ESCAPES`.

    >>> frame = pl.DataFrame({"x": ['say "hi"']})
    >>> frame.select(literal(pl.col("x"), XSD + "token")).item()
    '"say \\\\"hi\\\\""^^<http://www.w3.org/2001/XMLSchema#token>'
    """
    escaped = value
    for raw, replacement in ESCAPES:
        escaped = escaped.str.replace_all(raw, replacement, literal=True)
    if datatype == XSD + "decimal":
        escaped = canonical_decimal(value)
    quoted = pl.concat_str([pl.lit('"'), escaped, pl.lit('"')])
    return quoted if datatype in (None, XSD_STRING) else pl.concat_str([quoted, pl.lit(f"^^<{datatype}>")])


def _datatype(view: SchemaView, range_name: str) -> str | None:
    """The XSD datatype IRI of a LinkML type, None for strings (written as plain literals)."""
    if view.get_type(range_name) is None:
        return None
    uri = view.expand_curie(view.induced_type(range_name).uri)
    return None if uri == XSD + "string" else uri


def compile_plan(mapping: Mapping, view: SchemaView) -> list[Derivation]:
    """Compile every class derivation of *mapping* against the target schema *view*.

    Raises:
        MappingSpecError: a derivation names an unknown class or slot, a slot the class does not have, a
            code its code list lacks, or an expression outside the allowed subset.
    """
    names = {c.slot for c in mapping.columns} | set(CONTEXT_NAMES)
    names |= {f"{c.slot}{LABEL}" for c in mapping.columns if c.crosswalk is not None}
    for target, spec in mapping.derivations:
        if not isinstance(spec.get("slot_derivations") or {}, dict):
            raise MappingSpecError(f"{mapping.path}: {target}: slot_derivations must map slots to derivations")
    _check_crosswalks(mapping, view)
    derivations = []
    for target, spec in mapping.derivations:
        cls = view.get_class(target)
        if cls is None:
            raise MappingSpecError(f"{mapping.path}: {target!r} is not a class of the vocabulary")
        slots = dict(spec.get("slot_derivations") or {})
        if "id" not in slots:
            raise MappingSpecError(f"{mapping.path}: {target} has no id derivation")
        subject_value = _value(mapping, target, "id", slots.pop("id"), names)
        subject = iri(subject_value)
        type_spec = slots.pop("type", None)
        if type_spec is not None:
            curie = _value(mapping, target, "type", type_spec, names)
            rdf_type = iri(_expand_curies(curie, view))
        else:
            rdf_type = pl.lit(f"<{view.get_uri(cls, expand=True)}>")
        triples = [(RDF_TYPE, rdf_type)]
        sources: list[tuple[str, ...]] = [()]
        allowed = set(view.class_slots(target))
        for slot_name, slot_spec in slots.items():
            if slot_name not in allowed:
                raise MappingSpecError(f"{mapping.path}: {target} has no slot {slot_name!r}")
            slot = view.induced_slot(slot_name, target)
            value = _value(mapping, target, slot_name, slot_spec, names)
            predicate = f"<{view.get_uri(slot, expand=True)}>"
            triples.append((predicate, _term(view, mapping, target, slot_name, slot.range, value, slot_spec)))
            sources.append(_sources(slot_spec, {c.slot for c in mapping.columns}))
        expression = spec["slot_derivations"]["id"].get("expr", "")
        derivations.append(
            Derivation(
                target,
                subject,
                tuple(triples),
                shared=not {"row", mapping.key} & names_in(expression or "''"),
                sources=tuple(sources),
            )
        )
    return derivations


def _sources(spec: dict, columns: set[str]) -> tuple[str, ...]:
    """The source columns a slot derivation reads (a coded column's label counts as the column)."""
    if "populated_from" in spec:
        read = {spec["populated_from"]}
    elif "expr" in spec:
        read = names_in(str(spec["expr"]))
    else:
        return ()
    return tuple(sorted({name.removesuffix(LABEL) for name in read} & columns))


def _value(mapping: Mapping, target: str, slot: str, spec: dict, names: set[str]) -> pl.Expr:
    where = f"{mapping.path.name}: {target}.{slot}"
    if not isinstance(spec, dict):
        raise MappingSpecError(f"{where}: a slot derivation must be a mapping")
    if "expr" in spec:
        try:
            return compile_expression(str(spec["expr"]), names)
        except MappingSpecError as exc:
            raise MappingSpecError(f"{where}: {exc}") from exc
    if "populated_from" in spec:
        source = spec["populated_from"]
        if not isinstance(source, str) or source not in names:
            raise MappingSpecError(f"{where}: populated_from {source!r} is not a column of {mapping.row_class}")
        return pl.col(source).cast(pl.String)
    if "value" in spec:
        return pl.lit(str(spec["value"]), dtype=pl.String)
    raise MappingSpecError(f"{where}: needs expr, populated_from or value")


def _expand_curies(value: pl.Expr, view: SchemaView) -> pl.Expr:
    for prefix, namespace in view.namespaces().items():
        if namespace.startswith("https://w3id.org/policeonto/"):
            value = value.str.replace(f"^{prefix}:", namespace)
    return value


def _term(
    view: SchemaView,
    mapping: Mapping,
    target: str,
    slot_name: str,
    range_name: str | None,
    value: pl.Expr,
    spec: dict,
) -> pl.Expr:
    range_name = range_name or "string"
    enum = view.get_enum(range_name)
    if enum is not None:
        by_text = {text: view.expand_curie(pv.meaning) for text, pv in enum.permissible_values.items()}
        if "value" in spec and str(spec["value"]) not in by_text:
            raise MappingSpecError(
                f"{mapping.path.name}: {target}.{slot_name}: {spec['value']!r} is not a code of {enum.name}"
            )
        return iri(value.replace_strict(by_text, default=None))
    if view.get_class(range_name) is not None:
        return iri(value)
    return literal(value, _datatype(view, range_name))


def _check_crosswalks(mapping: Mapping, view: SchemaView) -> None:
    """A coded column's crosswalk must give only codes of the code lists the mapping fills from the column, and
    some codes of each. A column can fill two (a link table's role: a person's on one row, a vehicle's on
    another).

    Raises:
        MappingSpecError: a crosswalk gives a code of another code list, or none of one the column fills.
    """
    fills: dict[str, dict[str, set[str]]] = {}  # column slot -> code list -> its code names
    for target, spec in mapping.derivations:
        if view.get_class(target) is None:
            continue  # compile_plan names the unknown class
        for slot_name, slot_spec in (spec.get("slot_derivations") or {}).items():
            if not isinstance(slot_spec, dict) or slot_name not in view.class_slots(target):
                continue
            enum = view.get_enum(view.induced_slot(slot_name, target).range or "")
            if enum is not None and isinstance(slot_spec.get("populated_from"), str):
                fills.setdefault(slot_spec["populated_from"], {})[enum.name] = set(enum.permissible_values)
    codes_by_iri = enum_codes(view)
    for column in mapping.columns:
        if column.crosswalk is None or column.slot not in fills:
            continue
        given = {codes_by_iri.get(i, i) for i in column.crosswalk.codes().values()}
        foreign = given - set().union(*fills[column.slot].values())
        if foreign or any(not given & codes for codes in fills[column.slot].values()):
            raise MappingSpecError(
                f"{mapping.path.name}: column {column.title}: crosswalk {column.crosswalk.path.name} gives codes "
                f"not in {' or '.join(sorted(fills[column.slot]))}: {sorted(foreign)[:5]}"
            )
