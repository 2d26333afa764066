"""Compile linkml-map slot-derivation expressions into vectorised Polars expressions.

The mapping files use linkml-map's expression language; this module accepts a safe subset of it, and
nothing else: no attribute access, no calls but the functions below, literal patterns, formats and widths,
so an expression can never run arbitrary code, and its work is linear in the row. Values are text; a
missing operand makes the result missing, as in linkml-map.

- string literals and ``None``; column and context names; ``a + b`` joins text;
- ``x if condition else y``; ``case((condition, value), ...)``: the first value whose condition holds;
- conditions: a value (present and not blank), ``a == b``, ``a != b``, ``x in ('A', 'B')``,
  ``x not in [...]``, a number compared with ``<``, ``<=``, ``>``, ``>=`` (chained too: ``1 <= x < 10``),
  ``and``, ``or``, ``not``, and the functions that say yes or no;
- slicing ``x[1:4]`` (text) and indexing ``split(x, '-')[1]`` (a list);
- linkml-map's functions, with its meaning: ``str``, ``int``, ``float``, ``strlen``, ``len``, ``upper``,
  ``lower``, ``title``, ``strip``, ``lstrip``, ``rstrip``, ``replace``, ``startswith``, ``endswith``,
  ``contains``, ``split``, ``join``, ``first``, ``last``, ``substr``, ``coalesce``, ``case``;
- policeonto's own (given to linkml-map as extension functions by the reference path): ``regex_match``,
  ``regex_extract``, ``regex_replace``, ``zfill``, ``pad_left``, ``pad_right``, ``parse_date``,
  ``parse_datetime``, ``format_date``, ``postcode``.

>>> import polars as pl
>>> frame = pl.DataFrame({"a": ["x", None], "b": ["1", "2"]})
>>> frame.select(compile_expression("(a + '/' + b) if a else 'none'", {"a", "b"})).to_series().to_list()
['x/1', 'none']
>>> frame = pl.DataFrame({"reg": ["ab12 cde", "X1"]})
>>> frame.select(compile_expression("upper(replace(reg, ' ', ''))", {"reg"})).to_series().to_list()
['AB12CDE', 'X1']
"""

from __future__ import annotations

import ast
from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum

import polars as pl

from policeonto.errors import MappingSpecError
from policeonto.mapping import dates, functions

__all__ = ["FUNCTIONS", "MAX_EXPRESSION_LENGTH", "check_expression", "compile_expression", "names_in"]

#: The longest expression accepted, in characters: an IRI template needs a few dozen.
MAX_EXPRESSION_LENGTH = 2000


class Kind(Enum):
    """What an expression gives."""

    TEXT = "text"
    INT = "a whole number"
    FLOAT = "a number"
    BOOL = "a condition"
    LIST = "a list"


@dataclass(frozen=True)
class Typed:
    """A compiled expression and what it gives."""

    kind: Kind
    expr: pl.Expr


_NUMBERS = (Kind.INT, Kind.FLOAT)
_INT64 = 2**63
_ORDER = {ast.Lt: "__lt__", ast.LtE: "__le__", ast.Gt: "__gt__", ast.GtE: "__ge__"}

#: Every function an expression may call, with the number of arguments it takes (fewest, most).
FUNCTIONS = {
    "str": (1, 1),
    "int": (1, 1),
    "float": (1, 1),
    "strlen": (1, 1),
    "len": (1, 1),
    "upper": (1, 1),
    "lower": (1, 1),
    "title": (1, 1),
    "strip": (1, 2),
    "lstrip": (1, 2),
    "rstrip": (1, 2),
    "replace": (3, 3),
    "startswith": (2, 2),
    "endswith": (2, 2),
    "contains": (2, 2),
    "split": (1, 2),
    "join": (2, 2),
    "first": (1, 1),
    "last": (1, 1),
    "substr": (2, 3),
    "coalesce": (1, 20),
    "case": (1, 50),
    "regex_match": (2, 2),
    "regex_extract": (2, 3),
    "regex_replace": (3, 3),
    "zfill": (2, 2),
    "pad_left": (3, 3),
    "pad_right": (3, 3),
    "parse_date": (2, 2),
    "parse_datetime": (2, 3),
    "format_date": (2, 2),
    "postcode": (2, 2),
}


def names_in(expression: str) -> set[str]:
    """The names an expression reads (the functions it calls are not names).

    >>> sorted(names_in("upper(a) + str(b) if c else None"))
    ['a', 'b', 'c']
    """
    tree = _parse(expression)
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in called}


def _parse(expression: str) -> ast.expr:
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise MappingSpecError(
            f"expression {expression[:60]!r}... is {len(expression):,} characters, over {MAX_EXPRESSION_LENGTH:,}"
        )
    try:
        return ast.parse(expression, mode="eval").body
    except SyntaxError as exc:
        raise MappingSpecError(f"expression {expression!r} is not valid: {exc.msg}") from exc
    except (RecursionError, MemoryError) as exc:
        raise MappingSpecError(f"expression {expression[:60]!r} is nested too deeply") from exc


def check_expression(expression: str) -> None:
    """Check that *expression* uses only the safe subset, whatever names it reads (names are checked
    against the columns when the mapping is compiled).

    >>> check_expression("base + 'crime/' + crime_id")
    >>> check_expression("__import__('os').system('id')")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    policeonto.errors.MappingSpecError: expression "__import__('os').system('id')": not allowed ...

    Raises:
        MappingSpecError: the expression is too long, not valid Python syntax, or outside the subset.
    """
    _run(_Compiler(expression, None), _parse(expression))


def compile_expression(expression: str, names: Collection[str]) -> pl.Expr:
    """Compile *expression* into a Polars expression over columns *names*.

    Raises:
        MappingSpecError: the expression uses a name that is not a column, or a construct outside the subset.
    """
    return _run(_Compiler(expression, set(names)), _parse(expression))


def _run(compiler: _Compiler, node: ast.expr) -> pl.Expr:
    try:
        return compiler.value(node)
    except RecursionError as exc:
        raise MappingSpecError(f"expression {compiler.expression[:60]!r} is nested too deeply") from exc


class _Compiler:
    def __init__(self, expression: str, names: set[str] | None) -> None:
        self.expression = expression
        self.names = names

    def fail(self, node: ast.AST, why: str) -> MappingSpecError:
        return MappingSpecError(f"expression {self.expression!r}: {why} ({ast.unparse(node)!r})")

    def value(self, node: ast.expr) -> pl.Expr:
        """A text expression (what a slot takes)."""
        found = self.typed(node)
        if found.kind is not Kind.TEXT:
            raise self.fail(node, f"gives {found.kind.value}, not text")
        return found.expr

    def condition(self, node: ast.expr) -> pl.Expr:
        """A condition that is never missing: what linkml-map takes for true (a missing value is false)."""
        match node:
            case ast.Constant(value=bool() as flag):
                return pl.lit(flag)
        found = self.typed(node)
        if found.kind is Kind.BOOL:
            return found.expr
        if found.kind is Kind.TEXT:
            return found.expr.is_not_null() & (found.expr != "")
        raise self.fail(node, f"{found.kind.value} is not a condition: compare it")

    def typed(self, node: ast.expr) -> Typed:
        match node:
            case ast.Constant(value=str() as text):
                return Typed(Kind.TEXT, pl.lit(text, dtype=pl.String))
            case ast.Constant(value=None):
                return Typed(Kind.TEXT, pl.lit(None, dtype=pl.String))
            case ast.Constant(value=bool()):
                raise self.fail(node, "True and False are conditions only")
            case ast.Constant(value=int() as whole):
                if not -_INT64 <= whole < _INT64:
                    raise self.fail(node, "a whole number must fit in 64 bits")
                return Typed(Kind.INT, pl.lit(whole, dtype=pl.Int64))
            case ast.Constant(value=float() as real):
                return Typed(Kind.FLOAT, pl.lit(real, dtype=pl.Float64))
            case ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=int() | float() as number)) if not isinstance(
                number, bool
            ):
                return self.typed(ast.Constant(-number))
            case ast.Name(id=name):
                return Typed(Kind.TEXT, self.column(node, name))
            case ast.BinOp(left=left, op=ast.Add(), right=right):
                return Typed(Kind.TEXT, pl.concat_str([self.value(left), self.value(right)]))
            case ast.IfExp(test=test, body=body, orelse=orelse):
                return Typed(
                    Kind.TEXT, pl.when(self.condition(test)).then(self.value(body)).otherwise(self.value(orelse))
                )
            case ast.BoolOp(op=ast.And() | ast.Or() as op, values=values):
                parts = [self.condition(v) for v in values]
                result = parts[0]
                for other in parts[1:]:
                    result = (result & other) if isinstance(op, ast.And) else (result | other)
                return Typed(Kind.BOOL, result)
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                return Typed(Kind.BOOL, ~self.condition(operand))
            case ast.Compare():
                return Typed(Kind.BOOL, self.compare(node))
            case ast.Subscript(value=container, slice=index):
                return self.subscript(node, container, index)
            case ast.Call(func=ast.Name(id=name), args=args, keywords=[]) if name in FUNCTIONS:
                fewest, most = FUNCTIONS[name]
                if not fewest <= len(args) <= most or any(isinstance(a, ast.Starred) for a in args):
                    span = str(fewest) if fewest == most else f"{fewest} to {most}"
                    raise self.fail(node, f"{name}() takes {span} argument{'s' if most > 1 else ''}")
                return self.call(node, name, args)
            case ast.Call(func=ast.Name(id=name), keywords=[_, *_]) if name in FUNCTIONS:
                raise self.fail(node, f"{name}() takes its arguments by position, not by name")
            case ast.Call(func=ast.Name(id=name)):
                raise self.fail(node, f"{name}() is not a function of mapping expressions")
        raise self.fail(node, "not allowed in a mapping expression")

    def column(self, node: ast.AST, name: str) -> pl.Expr:
        if name.startswith("__"):
            raise self.fail(node, "names starting with __ are not allowed")
        if self.names is not None and name not in self.names:
            raise self.fail(node, f"{name!r} is neither a column nor a context value")
        return pl.col(name)

    def compare(self, node: ast.Compare) -> pl.Expr:
        ops, operands = node.ops, [node.left, *node.comparators]
        if len(ops) == 1 and isinstance(ops[0], ast.In | ast.NotIn):
            choices = operands[1]
            if not isinstance(choices, ast.List | ast.Tuple) or not all(
                isinstance(c, ast.Constant) and isinstance(c.value, str) for c in choices.elts
            ):
                raise self.fail(node, "in takes a list or tuple of text literals: x in ('A', 'B')")
            found = self.value(operands[0]).is_in([c.value for c in choices.elts])
            return (found if isinstance(ops[0], ast.In) else ~found).fill_null(False)
        if len(ops) == 1 and isinstance(ops[0], ast.Eq | ast.NotEq):
            left, right = self.typed(operands[0]), self.typed(operands[1])
            if (left.kind, right.kind) != (Kind.TEXT, Kind.TEXT) and not {left.kind, right.kind} <= set(_NUMBERS):
                raise self.fail(node, f"compares {left.kind.value} with {right.kind.value}")
            same = left.expr.eq_missing(right.expr)
            return same if isinstance(ops[0], ast.Eq) else ~same
        if not all(type(op) in _ORDER for op in ops):
            raise self.fail(node, "compare with ==, != or in, or numbers with <, <=, >, >=, not a mix")
        typed = [self.typed(o) for o in operands]
        if any(t.kind not in (*_NUMBERS, Kind.TEXT) for t in typed):
            raise self.fail(node, "<, <=, >, >= compare numbers")
        result = pl.lit(True)
        for i, op in enumerate(ops):
            left, right = typed[i], typed[i + 1]
            if left.kind is Kind.TEXT and right.kind is Kind.TEXT:
                raise self.fail(
                    node, "<, <=, >, >= compare numbers: one side must be a number (x < 5, float(x) < float(y))"
                )
            a = functions.to_float(left.expr) if left.kind is Kind.TEXT else left.expr
            b = functions.to_float(right.expr) if right.kind is Kind.TEXT else right.expr
            result = result & getattr(a, _ORDER[type(op)])(b).fill_null(False)
        return result

    def subscript(self, node: ast.Subscript, container: ast.expr, index: ast.expr) -> Typed:
        found = self.typed(container)
        if found.kind is Kind.TEXT and isinstance(index, ast.Slice):
            if index.step is not None:
                raise self.fail(node, "a slice takes no step")
            start = None if index.lower is None else self.integer(index.lower, "a slice bound")
            end = None if index.upper is None else self.integer(index.upper, "a slice bound")
            return Typed(Kind.TEXT, functions.slice_text(found.expr, start, end))
        if found.kind is Kind.LIST and not isinstance(index, ast.Slice):
            position = self.integer(index, "a list index")
            return Typed(Kind.TEXT, found.expr.list.get(position, null_on_oob=True))
        raise self.fail(node, "slice text (x[1:4]) or index a list (split(x, '-')[1])")

    def text_literal(self, node: ast.expr, what: str) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        raise self.fail(node, f"{what} must be a text literal")

    def integer(self, node: ast.expr, what: str, low: int | None = None, high: int | None = None) -> int:
        match node:
            case ast.Constant(value=int() as whole) if not isinstance(whole, bool):
                number = whole
            case ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=int() as whole)) if not isinstance(whole, bool):
                number = -whole
            case _:
                raise self.fail(node, f"{what} must be a whole number literal")
        if not -_INT64 <= number < _INT64:
            raise self.fail(node, f"{what} must fit in 64 bits")
        if (low is not None and number < low) or (high is not None and number > high):
            raise self.fail(node, f"{what} must be from {low} to {high}")
        return number

    def call(self, node: ast.Call, name: str, args: list[ast.expr]) -> Typed:
        where = f"expression {self.expression!r}: {name}()"
        text = Kind.TEXT
        match name:
            case "str":
                found = self.typed(args[0])
                if found.kind not in (Kind.TEXT, Kind.INT):
                    raise self.fail(node, f"str() takes text or a whole number, not {found.kind.value}")
                return Typed(text, found.expr.cast(pl.String))
            case "int":
                return Typed(Kind.INT, functions.to_int(self.value(args[0])))
            case "float":
                return Typed(Kind.FLOAT, functions.to_float(self.value(args[0])))
            case "strlen":
                return Typed(Kind.INT, self.value(args[0]).str.len_chars().cast(pl.Int64))
            case "len":
                return Typed(Kind.INT, self.listed(args[0]).list.len().cast(pl.Int64))
            case "upper":
                return Typed(text, self.value(args[0]).str.to_uppercase())
            case "lower":
                return Typed(text, self.value(args[0]).str.to_lowercase())
            case "title":
                return Typed(text, self.value(args[0]).str.to_titlecase())
            case "strip" | "lstrip" | "rstrip":
                chars = self.text_literal(args[1], f"{name}()'s characters") if len(args) > 1 else None
                side = {"strip": "both", "lstrip": "start", "rstrip": "end"}[name]
                return Typed(text, functions.strip(self.value(args[0]), chars, side=side))
            case "replace":
                old = self.text_literal(args[1], "replace()'s text to find")
                if not old:
                    raise self.fail(node, "replace() needs text to find")
                new = self.text_literal(args[2], "replace()'s replacement")
                return Typed(text, self.value(args[0]).str.replace_all(old, new, literal=True))
            case "startswith" | "endswith" | "contains":
                part = self.text_literal(args[1], f"{name}()'s text")
                value = self.value(args[0])
                test = {"startswith": value.str.starts_with, "endswith": value.str.ends_with}.get(name)
                found = test(part) if test else value.str.contains(part, literal=True)
                return Typed(Kind.BOOL, found.fill_null(False))
            case "split":
                if len(args) == 1:
                    return Typed(Kind.LIST, functions.split_whitespace(self.value(args[0])))
                separator = self.text_literal(args[1], "split()'s separator")
                if not separator:
                    raise self.fail(node, "split() needs a separator that is not empty")
                return Typed(Kind.LIST, self.value(args[0]).str.split(separator))
            case "join":
                separator = self.text_literal(args[0], "join()'s separator")
                return Typed(text, self.listed(args[1]).list.join(separator))
            case "first" | "last":
                items = self.listed(args[0])
                return Typed(text, items.list.first() if name == "first" else items.list.last())
            case "substr":
                start = self.integer(args[1], "substr()'s start")
                end = self.integer(args[2], "substr()'s end") if len(args) > 2 else None
                return Typed(text, functions.slice_text(self.value(args[0]), start, end))
            case "coalesce":
                return Typed(text, pl.coalesce([self.value(a) for a in args]))
            case "case":
                return Typed(text, self.case(node, args))
            case "regex_match" | "regex_extract" | "regex_replace":
                return self.regex(node, name, args, where)
            case "zfill":
                width = self.integer(args[1], "zfill()'s width", 0, functions.MAX_WIDTH)
                return Typed(text, self.value(args[0]).str.zfill(width))
            case "pad_left" | "pad_right":
                width = self.integer(args[1], f"{name}()'s width", 0, functions.MAX_WIDTH)
                fill = self.text_literal(args[2], f"{name}()'s fill character")
                if len(fill) != 1:
                    raise self.fail(node, f"{name}()'s fill must be one character")
                value = self.value(args[0])
                padded = value.str.pad_start(width, fill) if name == "pad_left" else value.str.pad_end(width, fill)
                return Typed(text, padded)
            case "parse_date":
                fmt = self.text_literal(args[1], "parse_date()'s format")
                return Typed(text, dates.parse_date(self.value(args[0]), fmt, where=where))
            case "parse_datetime":
                fmt = self.text_literal(args[1], "parse_datetime()'s format")
                zone = self.text_literal(args[2], "parse_datetime()'s zone") if len(args) > 2 else None
                return Typed(text, dates.parse_datetime(self.value(args[0]), fmt, zone, where=where))
            case "format_date":
                fmt = self.text_literal(args[1], "format_date()'s format")
                return Typed(text, dates.format_date(self.value(args[0]), fmt, where=where))
            case "postcode":
                part = self.text_literal(args[1], "postcode()'s part")
                if part not in functions.POSTCODE_PARTS:
                    raise self.fail(node, f"postcode()'s part must be one of {', '.join(functions.POSTCODE_PARTS)}")
                return Typed(text, functions.postcode_part(self.value(args[0]), part))
        raise self.fail(node, f"{name}() is not a function of mapping expressions")  # pragma: no cover

    def listed(self, node: ast.expr) -> pl.Expr:
        found = self.typed(node)
        if found.kind is not Kind.LIST:
            raise self.fail(node, f"gives {found.kind.value}, not a list (split() makes one)")
        return found.expr

    def case(self, node: ast.Call, args: list[ast.expr]) -> pl.Expr:
        branches = []
        for arg in args:
            if not isinstance(arg, ast.Tuple) or len(arg.elts) != 2:
                raise self.fail(arg, "case() takes (condition, value) pairs")
            branches.append((self.condition(arg.elts[0]), self.value(arg.elts[1])))
        (test, then), rest = branches[0], branches[1:]
        chain = pl.when(test).then(then)
        for test, then in rest:
            chain = chain.when(test).then(then)
        return chain.otherwise(pl.lit(None, dtype=pl.String))

    def regex(self, node: ast.Call, name: str, args: list[ast.expr], where: str) -> Typed:
        value = self.value(args[0])
        pattern = self.text_literal(args[1], f"{name}()'s pattern")
        groups, names = functions.regex_groups(pattern, where=where)
        if name == "regex_match":
            return Typed(Kind.BOOL, value.str.contains(pattern).fill_null(False))
        if name == "regex_extract":
            group = self.integer(args[2], "regex_extract()'s group", 0, groups) if len(args) > 2 else 0
            return Typed(Kind.TEXT, value.str.extract(pattern, group))
        template = self.text_literal(args[2], "regex_replace()'s replacement")
        replacement = functions.regex_replacement(template, groups, names, where=where)
        return Typed(Kind.TEXT, value.str.replace_all(pattern, replacement))
