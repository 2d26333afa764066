"""Fuzz target: a mapping expression, compiled to Polars and run on a few rows of awkward text.

Invariants: compiling raises nothing but :class:`~policeonto.errors.MappingSpecError`; an expression that
compiles runs on any row without an error and gives one text value (or a missing one) per row, no longer
than a bound that grows with the row and the expression only linearly (work is bounded: no repetition of
text, padding to at most 255 characters)."""

from __future__ import annotations

from fuzz.harness import MAPPINGS, Bug, Seeds, main

NAME = "expression"
COLUMNS = ("a", "b", "c")
ROWS = {
    "a": ["AB12 CDE", "", None, "31/01/2024", "2024-01-31T23:30:00+01:00", "\x1c x\xa0", "ǆß-Σ_1_0", "nan"],
    "b": ["7", "-3.5e2", "1/2/24 1:05 PM", None, "a*b(c)", "0800-00-00", "inf", "%Y"],
    "c": ["GMP-01234-X", None, "OWNS", "27/10/2024 01:30", "", "٣", "  ", "x" * 300],
}

SEEDS = [
    "upper(replace(a, ' ', ''))",
    "strip(title(lower(a)), '-')",
    "regex_replace(b, '([0-9]+)', '\\\\1-\\\\g<1>')",
    "regex_extract(c, '-([0-9]+)-', 1)",
    "zfill(split(c, '-')[1], 6) if regex_match(c, '-') else None",
    "pad_left(a[1:-1], 12, '*') + pad_right(substr(b, 2), 3, '.')",
    "join('/', split(a)) if a in ('x', 'AB12 CDE') and b not in ['1'] else coalesce(c, b, 'none')",
    "case((b < 5, 'low'), (1 <= float(b) <= 10, 'mid'), (strlen(c) > 3, str(len(split(c)))))",
    "format_date(parse_date(a, '%d/%m/%Y'), '%Y-%m %b %B %j')",
    "parse_datetime(b, '%d/%m/%y %I:%M %p', 'Europe/London')",
    "parse_datetime(a, '%Y-%m-%dT%H:%M:%S%z') if startswith(a, '2') or endswith(c, 'X') else str(int(b))",
    "coalesce(postcode(a, 'unit'), postcode(c, 'sector'), postcode(b, 'area'), 'none')",
]


def check(data: bytes) -> None:
    """Compile *data* (UTF-8) as an expression over columns a, b and c and run it; raise
    :class:`~fuzz.harness.Bug` on anything but a value per row or an allowed error."""
    import polars as pl

    from policeonto.errors import MappingSpecError
    from policeonto.mapping.expressions import compile_expression

    expression = data.decode("utf-8", errors="replace")
    try:
        compiled = compile_expression(expression, set(COLUMNS))
    except MappingSpecError:
        return
    except Exception as exc:
        raise Bug.unexpected(exc, f"compiling {expression[:200]!r}") from exc
    frame = pl.DataFrame(ROWS, schema=dict.fromkeys(COLUMNS, pl.String))
    try:
        values = frame.with_columns(compiled.alias("v")).get_column("v")  # a literal is given to every row
    except Exception as exc:
        raise Bug.unexpected(exc, f"running {expression[:200]!r}") from exc
    if values.dtype != pl.String or values.len() != frame.height:
        raise Bug(f"{expression[:200]!r} gave {values.dtype} x {values.len()}, not one text per row")
    bound = 4 * (len(expression) + 255 + max(len(v or "") for column in ROWS.values() for v in column)) ** 2
    longest = max((len(v) for v in values.to_list() if v is not None), default=0)
    if longest > bound:
        raise Bug(f"{expression[:200]!r} gave a value of {longest:,} characters, over {bound:,}")


def seeds() -> Seeds:
    """The expressions above, and every expression of the bundled mappings."""
    import yaml

    for number, expression in enumerate(SEEDS):
        yield f"seed-{number}", expression.encode("utf-8")
    for path in sorted(MAPPINGS.glob("*.transform.yaml")):
        found = []
        stack = [yaml.safe_load(path.read_text(encoding="utf-8"))]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                found += [str(v) for k, v in item.items() if k == "expr" and v is not None]
                stack += [v for k, v in item.items() if k != "expr"]
            elif isinstance(item, list):
                stack += item
        for number, expression in enumerate(found):
            yield f"{path.stem}-{number}", expression.encode("utf-8")


if __name__ == "__main__":
    main(check, imports=("policeonto.mapping.expressions",), packages=("ast",))
