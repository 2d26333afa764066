"""Evaluate compiled shapes over a :class:`TripleTable`, a whole set of focus nodes at a time.

Each constraint is a vectorised check over a frame of value nodes (``f`` the focus node, ``v`` the value
node); logical constraints (``sh:not``, ``sh:and``, ``sh:or``, ``sh:xone``, ``sh:node``) ask which of the
value nodes conform to the shapes they name, by evaluating those shapes on the value nodes. SPARQL
constraints run in an embedded Oxigraph store holding only the predicates their query mentions. The
result is one frame of violations: focus node, path, value, component, shape, severity, message.

Nodes are the table's own (terms, or their codes when the table is dictionary-encoded): joins, counts,
classes and sets of values work on them as they are; a check that reads a term as text (kind, datatype,
lexical form, language, length, pattern, range) decodes the distinct values it checks; the violations
are decoded at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, reduce

import polars as pl

from policeonto.fastshacl import sparql, xsd
from policeonto.fastshacl.shapes import Constraint, Shape, Shapes
from policeonto.fastshacl.table import TripleTable
from policeonto.fastshacl.terms import (
    RDF_LANG_STRING,
    XSD_STRING,
    datatype,
    is_blank,
    is_iri,
    is_literal,
    language,
    lexical,
    text,
    unescape,
)

__all__ = ["RESULT_SCHEMA", "evaluate", "passing"]

RESULT_SCHEMA = {
    "focus": pl.String,
    "path": pl.String,
    "value": pl.String,
    "component": pl.String,
    "shape": pl.String,
    "severity": pl.String,
    "message": pl.String,
}
_MAX_DEPTH = 64
_NODE_KINDS = {
    "IRI": lambda v: is_iri(v),
    "BlankNode": lambda v: is_blank(v),
    "Literal": lambda v: is_literal(v),
    "BlankNodeOrIRI": lambda v: is_blank(v) | is_iri(v),
    "BlankNodeOrLiteral": lambda v: is_blank(v) | is_literal(v),
    "IRIOrLiteral": lambda v: is_iri(v) | is_literal(v),
}


@dataclass
class _Context:
    table: TripleTable
    shapes: Shapes
    depth: int = 0
    bad: dict[tuple[object, Constraint], pl.Series] = field(default_factory=dict)


def evaluate(shapes: Shapes, table: TripleTable, *, focus_filter: pl.Series | None = None) -> pl.DataFrame:
    """Validate *table* against every targeted shape; with *focus_filter* (nodes of *table*), only those
    focus nodes."""
    context = _Context(table, shapes)
    frames = []
    for shape in shapes.targeted:
        focus = _targets(shape, table)
        if focus_filter is not None and focus.height:
            focus = focus.filter(pl.col("f").is_in(focus_filter))
        if focus.height:
            frames.append(_violations(shape, focus, context))
    if not frames:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    found = pl.concat(frames)
    return found.with_columns(table.decode(found["focus"]), table.decode(found["value"]))


def passing(shapes: Shapes, constraint: Constraint, table: TripleTable, nodes: pl.Series) -> pl.Series:
    """Those of *nodes* (distinct) that pass *constraint*, a constraint about the value node alone, in *table*."""
    frame = nodes.unique().alias("v").to_frame()
    return frame.filter(_ok(constraint, frame["v"], _Context(table, shapes)).fill_null(False))["v"]


def _targets(shape: Shape, table: TripleTable) -> pl.DataFrame:
    parts = [table.encode(list(shape.target_nodes)).alias("f")]
    parts += [table.instances(c).alias("f") for c in shape.target_classes]
    parts += [table.pairs(p)["s"].alias("f") for p in shape.target_subjects_of]
    parts += [table.pairs(p)["o"].alias("f") for p in shape.target_objects_of]
    parts = [p for p in parts if p.len()]
    if len(parts) == 1 and not shape.target_subjects_of and not shape.target_objects_of:
        return parts[0].to_frame()  # one class's instances or the target nodes: already distinct
    return (pl.concat(parts) if parts else pl.Series("f", [], dtype=table.node_type)).unique().to_frame()


class _Values:
    """A shape's value nodes for a set of focus nodes, each part computed when a check first needs it.

    Checks that depend only on a value node run once over the distinct objects of the path in the whole
    table (``candidates``); only when some fail are they joined back to the focus nodes (``failing``).
    """

    def __init__(self, shape: Shape, focus: pl.DataFrame, table: TripleTable) -> None:
        self.shape, self.focus, self.table = shape, focus, table

    @cached_property
    def every_pair(self) -> pl.DataFrame:
        path = self.shape.path
        if path is None:
            return self.focus.select("f", v=pl.col("f"))
        pairs = self.table.pairs(path.predicate)
        return (
            pairs.select(f=pl.col("o"), v=pl.col("s")) if path.inverse else pairs.select(f=pl.col("s"), v=pl.col("o"))
        )

    @cached_property
    def pairs(self) -> pl.DataFrame:
        if self.shape.path is None:
            return self.every_pair
        return self.every_pair.join(self.focus, on="f", how="semi")

    @cached_property
    def candidates(self) -> pl.Series:
        path = self.shape.path
        if path is None:
            return self.focus["f"].alias("v")
        return self.table.distinct(path.predicate, "s" if path.inverse else "o").alias("v")

    def failing(self, bad: pl.Series) -> pl.DataFrame:
        if bad.is_empty():
            return _no_pairs(self.table)
        found = self.every_pair.filter(pl.col("v").is_in(bad))
        return found if self.shape.path is None else found.join(self.focus, on="f", how="semi")


def _violations(shape: Shape, focus: pl.DataFrame, context: _Context) -> pl.DataFrame:
    if shape.deactivated:
        return _no_results(context.table)
    if context.depth > _MAX_DEPTH:
        raise RecursionError(f"shape {shape.id} refers to itself through sh:node or a logical constraint")
    values = _Values(shape, focus, context.table)
    path = shape.path.text if shape.path is not None else None
    frames = []
    for constraint in shape.constraints:
        if constraint.component in _VALUE_ONLY:
            failed = values.failing(_bad(constraint, values, context))
        else:
            failed = _check(constraint, shape, focus, values, context)
        if failed.height:
            message = constraint.message or (shape.messages[0] if shape.messages else _MESSAGES[constraint.component])
            frames.append(
                failed.select(
                    pl.col("f").alias("focus"),
                    (pl.col("path") if "path" in failed.columns else pl.lit(path, dtype=pl.String)).alias("path"),
                    pl.col("v").alias("value"),
                    pl.lit(constraint.component).alias("component"),
                    pl.lit(shape.id).alias("shape"),
                    pl.lit(shape.severity).alias("severity"),
                    (
                        pl.coalesce(pl.col("message"), pl.lit(message))
                        if "message" in failed.columns
                        else pl.lit(message)
                    ).alias("message"),
                )
            )
    if shape.properties:
        nested_focus = focus if shape.path is None else values.pairs.select(f=pl.col("v")).unique()
        for prop in shape.properties:
            frames.append(_violations(prop, nested_focus, context))
    return pl.concat(frames) if frames else _no_results(context.table)


def _conforming(shape_id: str, nodes: pl.Series, context: _Context) -> pl.Series:
    """The nodes among *nodes* that conform to a shape (any result at all means they do not)."""
    focus = nodes.unique().alias("f").to_frame()
    context.depth += 1
    try:
        failed = _violations(context.shapes.by_id[shape_id], focus, context)["focus"].unique()
    finally:
        context.depth -= 1
    return focus.filter(~pl.col("f").is_in(failed))["f"]


def _conforms(shape_id: str, nodes: pl.Series, context: _Context) -> pl.Expr:
    """Whether each value node conforms to a shape: for a node shape whose constraints are all about the
    value node alone (an ``sh:class`` alternative, say), one expression; otherwise by evaluating it."""
    shape = context.shapes.by_id[shape_id]
    if shape.deactivated:
        return pl.lit(True)
    if shape.path is None and not shape.properties and all(c.component in _VALUE_ONLY for c in shape.constraints):
        context.depth += 1
        try:
            return reduce(lambda a, b: a & b, [_ok(c, nodes, context) for c in shape.constraints], pl.lit(True))
        finally:
            context.depth -= 1
    return pl.col("v").is_in(_conforming(shape_id, nodes, context))


_VALUE_ONLY = frozenset(
    {"Class", "Datatype", "NodeKind", "MinInclusive", "MaxInclusive", "MinExclusive", "MaxExclusive",
     "MinLength", "MaxLength", "Pattern", "In", "LanguageIn", "Not", "Node", "And", "Or", "Xone"}
)  # fmt: skip


def _bad(c: Constraint, values: _Values, context: _Context) -> pl.Series:
    """The candidate value nodes that fail a constraint about the value node alone (cached per path)."""
    key = (values.shape.path, c)
    if values.shape.path is not None and key in context.bad:
        return context.bad[key]
    candidates = values.candidates.to_frame("v")
    bad = candidates.filter(~_ok(c, candidates["v"], context).fill_null(False))["v"]
    if values.shape.path is not None:
        context.bad[key] = bad
    return bad


def _no_results(table: TripleTable) -> pl.DataFrame:
    """An empty frame of violations, with focus nodes and values as *table*'s nodes."""
    return pl.DataFrame(schema=RESULT_SCHEMA | {"focus": table.node_type, "value": table.node_type})


def _no_pairs(table: TripleTable) -> pl.DataFrame:
    """An empty frame of focus nodes ``f`` and value nodes ``v``."""
    return pl.DataFrame(schema={"f": table.node_type, "v": table.node_type})


def _text(table: TripleTable) -> pl.Expr:
    """The value nodes ``v`` as N-Triples terms (decoded from their codes in a dictionary-encoded table)."""
    if table.terms is None:
        return pl.col("v")
    return pl.col("v").map_batches(table.decode, return_dtype=pl.String, is_elementwise=True)


def _ok(c: Constraint, nodes: pl.Series, context: _Context) -> pl.Expr:
    """Whether each value node passes a constraint about the value node alone."""
    v, table = pl.col("v"), context.table
    match c.component:
        case "Class":
            return v.is_in(table.instances(c.value))
        case "In":
            return v.is_in(table.encode(list(c.value)))
        case "MinInclusive" | "MaxInclusive" | "MinExclusive" | "MaxExclusive":
            return ~v.is_in(_range(c, nodes.to_frame("v"), table))
        case "Not":
            return ~_conforms(c.value, nodes, context)
        case "Node":
            return _conforms(c.value, nodes, context)
        case "And" | "Or" | "Xone":
            hits = [_conforms(s, nodes, context).cast(pl.Int32) for s in c.value]
            count = pl.sum_horizontal(hits) if hits else pl.lit(0)
            return {"And": count == len(c.value), "Or": count >= 1, "Xone": count == 1}[c.component]
    return _text_ok(c, _text(table))


def _text_ok(c: Constraint, v: pl.Expr) -> pl.Expr:
    """Whether each value node, *v* as a term, passes a constraint that reads the term."""
    match c.component:
        case "Datatype":
            dt = c.value[1:-1]
            if dt == XSD_STRING:
                return is_literal(v) & v.str.ends_with('"')
            if dt == RDF_LANG_STRING:
                return is_literal(v) & language(v).is_not_null()
            suffix = f'"^^<{dt}>'
            inner = v.str.slice(1, v.str.len_chars() - len(suffix) - 1)
            return is_literal(v) & v.str.ends_with(suffix) & xsd.valid(unescape(inner), dt)
        case "NodeKind":
            return _NODE_KINDS[c.value.rsplit("#", 1)[-1][:-1]](v)
        case "MinLength" | "MaxLength":
            length = text(v).str.len_chars()
            return ~is_blank(v) & (length >= c.value if c.component == "MinLength" else length <= c.value)
        case "Pattern":
            flags = "".join(f for f in c.flags if f in "imsx")
            regex = f"(?{flags}){c.value}" if flags else c.value
            return ~is_blank(v) & text(v).str.contains(regex)
        case "LanguageIn":
            tag = language(v).str.to_lowercase()
            ranges = [(tag == r.lower()) | tag.str.starts_with(r.lower() + "-") for r in c.value]
            return reduce(lambda a, b: a | b, ranges, pl.lit(False))
    raise AssertionError(c.component)


def _check(c: Constraint, shape: Shape, focus: pl.DataFrame, values: _Values, context: _Context) -> pl.DataFrame:
    """Constraints about a focus node's set of values."""
    v = pl.col("v")
    table = context.table
    none = pl.lit(None, table.node_type)
    match c.component:
        case "MinCount":
            if shape.path is None:
                return _no_pairs(table) if c.value <= 1 else focus.select("f", v=none)
            side = "o" if shape.path.inverse else "s"
            if c.value == 1:
                return focus.join(table.pairs(shape.path.predicate), left_on="f", right_on=side, how="anti").select(
                    "f", v=none
                )
            counts = table.counts(shape.path.predicate, side)
            counted = focus.join(counts, on="f", how="left").with_columns(pl.col("len").fill_null(0))
            return counted.filter(pl.col("len") < c.value).select("f", v=none)
        case "MaxCount":
            if shape.path is None:
                return focus.select("f", v=none) if c.value < 1 else _no_pairs(table)
            over = table.over(shape.path.predicate, "o" if shape.path.inverse else "s", c.value)
            if over.is_empty():
                return _no_pairs(table)
            return focus.join(over, on="f", how="semi").select("f", v=none)
        case "HasValue":
            present = values.pairs.filter(v.is_in(table.encode([c.value])))["f"]
            return focus.filter(~pl.col("f").is_in(present)).select("f", v=none)
        case "UniqueLang":
            lang = language(_text(table)).str.to_lowercase()
            tagged = values.pairs.with_columns(lang=lang).filter(pl.col("lang").is_not_null())
            dup = tagged.group_by("f", "lang").len().filter(pl.col("len") > 1)
            return dup.select("f", v=none).unique()
        case "Equals" | "Disjoint" | "LessThan" | "LessThanOrEquals":
            return _pairwise(c, focus, values.pairs, table)
        case "Closed":
            extra = table.predicates_of(focus["f"], besides=c.value)
            frames = [
                table.pairs(p)
                .join(focus, left_on="s", right_on="f", how="semi")
                .select(f=pl.col("s"), v=pl.col("o"), path=pl.lit(p[1:-1]))
                for p in sorted(extra)
            ]
            return pl.concat(frames) if frames else _no_pairs(table)
        case "SPARQL":
            if not c.value:
                return _no_pairs(table)
            found = sparql.violations(c, shape, table.decode(focus["f"]).to_list(), table)
            return found.with_columns(table.encode(found["f"]), table.encode(found["v"]))
    raise AssertionError(c.component)


def _literal_parts(candidates: pl.DataFrame, table: TripleTable) -> pl.DataFrame:
    """The literals among *candidates* (nodes ``v`` of *table*) with their lexical form ``lex`` and datatype
    ``dt``, cheaply for typed and plain literals (the common case) and through the full pattern for
    language-tagged ones."""
    v = pl.col("t")
    literals = candidates.with_columns(t=table.decode(candidates["v"])).filter(is_literal(v))
    typed = literals.filter(v.str.ends_with(">")).with_columns(dt=v.str.extract(r"\^\^<([^<>]*)>$", 1))
    typed = typed.with_columns(lex=v.str.slice(1, v.str.len_chars() - pl.col("dt").str.len_chars() - 6))
    plain = literals.filter(v.str.ends_with('"')).with_columns(
        lex=v.str.slice(1, v.str.len_chars() - 2), dt=pl.lit(XSD_STRING)
    )
    tagged = literals.filter(~v.str.ends_with(">") & ~v.str.ends_with('"')).with_columns(
        lex=lexical(v), dt=pl.lit(RDF_LANG_STRING)
    )
    parts = pl.concat([typed.select("v", "lex", "dt"), plain.select("v", "lex", "dt"), tagged.select("v", "lex", "dt")])
    return parts.with_columns(lex=unescape(pl.col("lex")))


def _range(c: Constraint, candidates: pl.DataFrame, table: TripleTable) -> pl.Series:
    """The candidates outside a range (including every value that does not compare with the bound)."""
    bound_lexical, bound_datatype = _split_literal(c.value)
    literals = _literal_parts(candidates, table)
    if bound_datatype in xsd.NUMERIC:
        present = [d for d in literals["dt"].unique().to_list() if d in xsd.NUMERIC]
        ok_lexical = reduce(
            lambda a, b: a | b, [(pl.col("dt") == d) & xsd.valid(pl.col("lex"), d) for d in present], pl.lit(False)
        )
        number = pl.col("lex").str.replace(r"^\+", "").cast(pl.Float64, strict=False)
        bound = float(bound_lexical)
        compare = {
            "MinInclusive": number >= bound,
            "MaxInclusive": number <= bound,
            "MinExclusive": number > bound,
            "MaxExclusive": number < bound,
        }[c.component]
        passed = literals.filter((ok_lexical & compare).fill_null(False))["v"]
    else:
        passed_values = []
        for val, lex, dt in literals.iter_rows():
            diff = xsd.comparable(lex, dt, bound_lexical, bound_datatype)
            if (
                diff is not None
                and {
                    "MinInclusive": diff >= 0,
                    "MaxInclusive": diff <= 0,
                    "MinExclusive": diff > 0,
                    "MaxExclusive": diff < 0,
                }[c.component]
            ):
                passed_values.append(val)
        passed = pl.Series(passed_values, dtype=table.node_type)
    return candidates.filter(~pl.col("v").is_in(passed))["v"]


def _split_literal(value: str) -> tuple[str, str]:
    frame = pl.DataFrame({"v": [value]}).select(lex=lexical(pl.col("v")), dt=datatype(pl.col("v")))
    return frame["lex"][0], frame["dt"][0]


def _pairwise(c: Constraint, focus: pl.DataFrame, values: pl.DataFrame, table: TripleTable) -> pl.DataFrame:
    others = focus.join(table.pairs(c.value).rename({"s": "f", "o": "w"}), on="f")
    if c.component == "Equals":
        missing = values.join(others, left_on=["f", "v"], right_on=["f", "w"], how="anti")
        extra = others.join(values, left_on=["f", "w"], right_on=["f", "v"], how="anti").select("f", v=pl.col("w"))
        return pl.concat([missing, extra])
    if c.component == "Disjoint":
        return values.join(others, left_on=["f", "v"], right_on=["f", "w"], how="semi")
    pairs = values.join(others, on="f")
    terms = pairs.select("f", "v", table.decode(pairs["v"]).alias("tv"), table.decode(pairs["w"]).alias("tw"))
    rows = []
    for f, code, val, other in terms.iter_rows():
        lex_v, dt_v = _split_literal(val) if val.startswith('"') else (None, None)
        lex_w, dt_w = _split_literal(other) if other.startswith('"') else (None, None)
        diff = None if lex_v is None or lex_w is None else xsd.comparable(lex_v, dt_v, lex_w, dt_w)
        if diff is None or not (diff < 0 if c.component == "LessThan" else diff <= 0):
            rows.append((f, code))
    return pl.DataFrame(rows, schema=_no_pairs(table).schema, orient="row").unique()


_MESSAGES = {
    "Class": "Value is not an instance of the required class",
    "Datatype": "Value is not a valid literal of the required datatype",
    "NodeKind": "Value is not the required kind of node",
    "MinCount": "Fewer values than required",
    "MaxCount": "More values than allowed",
    "MinInclusive": "Value is below the minimum",
    "MaxInclusive": "Value is above the maximum",
    "MinExclusive": "Value is not above the lower limit",
    "MaxExclusive": "Value is not below the upper limit",
    "MinLength": "Value is shorter than allowed",
    "MaxLength": "Value is longer than allowed",
    "Pattern": "Value does not match the required pattern",
    "In": "Value is not one of the allowed values",
    "HasValue": "The required value is missing",
    "LanguageIn": "Value is not in an allowed language",
    "UniqueLang": "More than one value in the same language",
    "Equals": "Values differ from those of the other property",
    "Disjoint": "Value is shared with the other property",
    "LessThan": "Value is not less than the other property's",
    "LessThanOrEquals": "Value is greater than the other property's",
    "Not": "Value conforms to a shape it must not conform to",
    "And": "Value does not conform to every listed shape",
    "Or": "Value conforms to none of the listed shapes",
    "Xone": "Value does not conform to exactly one listed shape",
    "Node": "Value does not conform to the required shape",
    "Closed": "Property not allowed by the closed shape",
    "SPARQL": "SPARQL constraint not met",
}
