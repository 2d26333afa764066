"""Compile linkml-map slot-derivation expressions into vectorised Polars expressions.

The mapping files use linkml-map's expression language; this module accepts the safe subset that
instance IRIs and conditional values need, and nothing else (no attribute access, no calls other than
``str``), so an expression can never run arbitrary code:

- string literals and ``None``; column and context names;
- ``a + b`` (string concatenation; a missing operand makes the result missing, as in linkml-map);
- ``x if condition else y``; conditions: a name (present and not blank), ``a == 'text'``, ``a != 'text'``,
  ``and``, ``or``, ``not``; ``str(name)``.

>>> import polars as pl
>>> frame = pl.DataFrame({"a": ["x", None], "b": ["1", "2"]})
>>> frame.select(compile_expression("(a + '/' + b) if a else 'none'", {"a", "b"})).to_series().to_list()
['x/1', 'none']
"""

from __future__ import annotations

import ast
from collections.abc import Collection

import polars as pl

from policeonto.errors import MappingSpecError

__all__ = ["MAX_EXPRESSION_LENGTH", "check_expression", "compile_expression", "names_in"]

#: The longest expression accepted, in characters: an IRI template needs a few dozen.
MAX_EXPRESSION_LENGTH = 2000


def names_in(expression: str) -> set[str]:
    """The names an expression reads."""
    return {node.id for node in ast.walk(_parse(expression)) if isinstance(node, ast.Name) and node.id != "str"}


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
        match node:
            case ast.Constant(value=str() as text):
                return pl.lit(text, dtype=pl.String)
            case ast.Constant(value=None):
                return pl.lit(None, dtype=pl.String)
            case ast.Name(id=name):
                return self.column(node, name)
            case ast.Call(func=ast.Name(id="str"), args=[argument], keywords=[]):
                return self.value(argument).cast(pl.String)
            case ast.BinOp(left=left, op=ast.Add(), right=right):
                return pl.concat_str([self.value(left), self.value(right)])
            case ast.IfExp(test=test, body=body, orelse=orelse):
                return pl.when(self.condition(test)).then(self.value(body)).otherwise(self.value(orelse))
        raise self.fail(node, "not allowed in a mapping expression")

    def column(self, node: ast.AST, name: str) -> pl.Expr:
        if name.startswith("__"):
            raise self.fail(node, "names starting with __ are not allowed")
        if self.names is not None and name not in self.names:
            raise self.fail(node, f"{name!r} is neither a column nor a context value")
        return pl.col(name)

    def condition(self, node: ast.expr) -> pl.Expr:
        match node:
            case ast.Name(id=name):
                column = self.column(node, name).cast(pl.String)
                return column.is_not_null() & (column != "")
            case ast.Compare(
                left=left, ops=[ast.Eq() | ast.NotEq() as op], comparators=[ast.Constant(value=str() as text)]
            ):
                column = self.value(left)
                return column.eq_missing(text) if isinstance(op, ast.Eq) else column.ne_missing(text)
            case ast.BoolOp(op=ast.And(), values=values):
                result = self.condition(values[0])
                for other in values[1:]:
                    result = result & self.condition(other)
                return result
            case ast.BoolOp(op=ast.Or(), values=values):
                result = self.condition(values[0])
                for other in values[1:]:
                    result = result | self.condition(other)
                return result
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                return ~self.condition(operand)
        raise self.fail(node, "not allowed as a condition")
