"""Evaluate compiled shapes over a :class:`TripleTable`, a whole set of focus nodes at a time.

Each constraint is a vectorised check over a frame of value nodes (``f`` the focus node, ``v`` the value
node); logical constraints (``sh:not``, ``sh:and``, ``sh:or``, ``sh:xone``, ``sh:node``) ask which of the
value nodes conform to the shapes they name, by evaluating those shapes on the value nodes. SPARQL
constraints run in an embedded Oxigraph store holding only the predicates their query mentions. The
result is one frame of violations: focus node, path, value, component, shape, severity, message.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

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
)

__all__ = ["RESULT_SCHEMA", "evaluate"]

RESULT_SCHEMA = {
    "focus": pl.String,
    "path": pl.String,
    "value": pl.String,
    "component": pl.String,
    "shape": pl.String,
    "severity": pl.String,
    "message": pl.String,
}
_PAIRS = {"f": pl.String, "v": pl.String}
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


def evaluate(shapes: Shapes, table: TripleTable, *, focus_filter: pl.Series | None = None) -> pl.DataFrame:
    """Validate *table* against every targeted shape; with *focus_filter*, only those focus nodes."""
    context = _Context(table, shapes)
    frames = []
    for shape in shapes.targeted:
        focus = _targets(shape, table)
        if focus_filter is not None:
            focus = focus.filter(pl.col("f").is_in(focus_filter))
        if focus.height:
            frames.append(_violations(shape, focus, context))
    return pl.concat(frames) if frames else pl.DataFrame(schema=RESULT_SCHEMA)


def _targets(shape: Shape, table: TripleTable) -> pl.DataFrame:
    parts = [pl.Series("f", shape.target_nodes, dtype=pl.String)]
    parts += [table.instances(c).alias("f") for c in shape.target_classes]
    parts += [table.pairs(p)["s"].alias("f") for p in shape.target_subjects_of]
    parts += [table.pairs(p)["o"].alias("f") for p in shape.target_objects_of]
    return pl.concat(parts).unique().to_frame()


def _value_nodes(shape: Shape, focus: pl.DataFrame, table: TripleTable) -> pl.DataFrame:
    if shape.path is None:
        return focus.select("f", v=pl.col("f"))
    pairs = table.pairs(shape.path.predicate)
    pairs = pairs.rename({"o": "f", "s": "v"} if shape.path.inverse else {"s": "f", "o": "v"})
    return focus.join(pairs.select("f", "v"), on="f", how="inner")


def _violations(shape: Shape, focus: pl.DataFrame, context: _Context) -> pl.DataFrame:
    if shape.deactivated:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    if context.depth > _MAX_DEPTH:
        raise RecursionError(f"shape {shape.id} refers to itself through sh:node or a logical constraint")
    values = _value_nodes(shape, focus, context.table)
    path = shape.path.text if shape.path is not None else None
    frames = []
    for constraint in shape.constraints:
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
        nested_focus = focus if shape.path is None else values.select(f=pl.col("v")).unique()
        for prop in shape.properties:
            frames.append(_violations(prop, nested_focus, context))
    return pl.concat(frames) if frames else pl.DataFrame(schema=RESULT_SCHEMA)


def _conforming(shape_id: str, nodes: pl.Series, context: _Context) -> pl.Series:
    """The nodes among *nodes* that conform to a shape (any result at all means they do not)."""
    focus = nodes.unique().alias("f").to_frame()
    context.depth += 1
    try:
        failed = _violations(context.shapes.by_id[shape_id], focus, context)["focus"].unique()
    finally:
        context.depth -= 1
    return focus.filter(~pl.col("f").is_in(failed))["f"]


def _fail(values: pl.DataFrame, ok: pl.Expr) -> pl.DataFrame:
    return values.filter(~ok.fill_null(False))


def _per_focus(focus: pl.DataFrame, values: pl.DataFrame) -> pl.DataFrame:
    counts = values.unique().group_by("f").len()
    return focus.join(counts, on="f", how="left").with_columns(pl.col("len").fill_null(0))


def _check(c: Constraint, shape: Shape, focus: pl.DataFrame, values: pl.DataFrame, context: _Context) -> pl.DataFrame:
    v = pl.col("v")
    table = context.table
    match c.component:
        case "Class":
            typed = table.instances(c.value)
            return _fail(values, v.is_in(typed))
        case "Datatype":
            dt = c.value[1:-1]
            if dt == XSD_STRING:
                ok = is_literal(v) & v.str.ends_with('"')
            elif dt == RDF_LANG_STRING:
                ok = is_literal(v) & language(v).is_not_null()
            else:
                suffix = f'"^^<{dt}>'
                inner = v.str.slice(1, v.str.len_chars() - len(suffix) - 1)
                ok = is_literal(v) & v.str.ends_with(suffix) & xsd.valid(_unescaped(inner), dt)
            return _fail(values, ok)
        case "NodeKind":
            return _fail(values, _NODE_KINDS[c.value.rsplit("#", 1)[-1][:-1]](v))
        case "MinCount":
            return _per_focus(focus, values).filter(pl.col("len") < c.value).select("f", v=pl.lit(None, pl.String))
        case "MaxCount":
            return _per_focus(focus, values).filter(pl.col("len") > c.value).select("f", v=pl.lit(None, pl.String))
        case "MinInclusive" | "MaxInclusive" | "MinExclusive" | "MaxExclusive":
            return _range(c, values)
        case "MinLength" | "MaxLength":
            length = text(v).str.len_chars()
            ok = ~is_blank(v) & (length >= c.value if c.component == "MinLength" else length <= c.value)
            return _fail(values, ok)
        case "Pattern":
            flags = "".join(f for f in c.flags if f in "imsx")
            regex = f"(?{flags}){c.value}" if flags else c.value
            return _fail(values, ~is_blank(v) & text(v).str.contains(regex))
        case "In":
            return _fail(values, v.is_in(list(c.value)))
        case "HasValue":
            present = values.filter(v == c.value)["f"]
            return focus.filter(~pl.col("f").is_in(present)).select("f", v=pl.lit(None, pl.String))
        case "LanguageIn":
            tag = language(v).str.to_lowercase()
            ok = reduce(
                lambda a, b: a | b,
                [(tag == r.lower()) | tag.str.starts_with(r.lower() + "-") for r in c.value],
                pl.lit(False),
            )
            return _fail(values, ok)
        case "UniqueLang":
            tagged = values.with_columns(lang=language(v).str.to_lowercase()).filter(pl.col("lang").is_not_null())
            dup = tagged.group_by("f", "lang").len().filter(pl.col("len") > 1)
            return dup.select("f", v=pl.lit(None, pl.String)).unique()
        case "Equals" | "Disjoint" | "LessThan" | "LessThanOrEquals":
            return _pairwise(c, focus, values, table)
        case "Not":
            ok = _conforming(c.value, values["v"], context)
            return values.filter(v.is_in(ok))
        case "Node":
            return _fail(values, v.is_in(_conforming(c.value, values["v"], context)))
        case "And" | "Or" | "Xone":
            nodes = values["v"]
            hits = [v.is_in(_conforming(s, nodes, context)).cast(pl.Int32) for s in c.value]
            count = pl.sum_horizontal(hits) if hits else pl.lit(0)
            need = {"And": count == len(c.value), "Or": count >= 1, "Xone": count == 1}[c.component]
            return _fail(values, need)
        case "Closed":
            frames = [
                focus.join(pairs, left_on="f", right_on="s").select("f", v=pl.col("o"), path=pl.lit(p[1:-1]))
                for p, pairs in table.by_predicate.items()
                if p not in c.value
            ]
            return pl.concat(frames) if frames else pl.DataFrame(schema=_PAIRS)
        case "SPARQL":
            return sparql.violations(c, shape, focus, table) if c.value else pl.DataFrame(schema=_PAIRS)
    raise AssertionError(c.component)


def _unescaped(inner: pl.Expr) -> pl.Expr:
    return lexical(pl.concat_str([pl.lit('"'), inner, pl.lit('"')]))


def _range(c: Constraint, values: pl.DataFrame) -> pl.DataFrame:
    bound_lexical, bound_datatype = _split_literal(c.value)
    literals = values.filter(is_literal(pl.col("v"))).with_columns(lex=lexical(pl.col("v")), dt=datatype(pl.col("v")))
    if bound_datatype in xsd.NUMERIC:
        numeric = pl.col("dt").is_in(list(xsd.NUMERIC))
        ok_lexical = reduce(
            lambda a, b: a | b,
            [(pl.col("dt") == d) & xsd.valid(pl.col("lex"), d) for d in xsd.NUMERIC],
        )
        number = pl.col("lex").str.replace(r"^\+", "").cast(pl.Float64, strict=False)
        bound = float(bound_lexical)
        compare = {
            "MinInclusive": number >= bound,
            "MaxInclusive": number <= bound,
            "MinExclusive": number > bound,
            "MaxExclusive": number < bound,
        }[c.component]
        passed = literals.filter((numeric & ok_lexical & compare).fill_null(False))
    else:
        rows = []
        for f, val, lex, dt in literals.iter_rows():
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
                rows.append((f, val))
        passed = pl.DataFrame(rows, schema=_PAIRS, orient="row")
    return values.join(passed.select("f", "v"), on=["f", "v"], how="anti")


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
    rows = []
    for f, val, other in pairs.iter_rows():
        lex_v, dt_v = _split_literal(val) if val.startswith('"') else (None, None)
        lex_w, dt_w = _split_literal(other) if other.startswith('"') else (None, None)
        diff = None if lex_v is None or lex_w is None else xsd.comparable(lex_v, dt_v, lex_w, dt_w)
        if diff is None or not (diff < 0 if c.component == "LessThan" else diff <= 0):
            rows.append((f, val))
    return pl.DataFrame(rows, schema=_PAIRS, orient="row").unique()


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
