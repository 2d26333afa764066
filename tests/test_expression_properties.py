"""Property-based differential test of mapping expressions: on generated values, the fast path (Polars) gives
what linkml-map's own evaluator gives, with policeonto's functions in plain Python as extension functions."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policeonto.mapping.expressions import compile_expression
from policeonto.mapping.reference_functions import EXTENSION_FUNCTIONS

eval_utils = pytest.importorskip("linkml_map.utils.eval_utils")

#: Text with what real exports hold: letters in both cases, digits, punctuation, spaces of several kinds
#: (U+001C, which Python's strip() takes for space, and U+00A0), and letters whose case rules are special.
TEXT = st.text(alphabet=st.sampled_from("aAbZz09 5-/:.'_+\x1c\xa0\téßǆΣç"), max_size=12)
NUMBERS = st.text(alphabet=st.sampled_from("0123456789.-+eEinfa x_\x1c\t"), max_size=6)
DATES = st.one_of(
    st.builds(
        "{}/{}/{}".format, st.integers(0, 32), st.integers(0, 13), st.sampled_from(["2024", "1999", "24", "0099"])
    ),
    st.builds(
        "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}".format,
        st.integers(1, 2100),
        st.integers(1, 13),
        st.integers(1, 31),
        st.integers(0, 24),
        st.integers(0, 60),
        st.integers(0, 60),
        st.sampled_from(["", "Z", "+01:00", "-05:30", "+23:59"]),
    ),
    st.builds(
        "{}/{}/{} {}:{:02d} {}".format,
        st.integers(1, 31),
        st.sampled_from(["3", "03", "10", "Oct", "october", "OCT"]),
        st.sampled_from(["2024", "2023"]),
        st.integers(0, 13),
        st.integers(0, 59),
        st.sampled_from(["AM", "pm", ""]),
    ),
)

TEXT_EXPRESSIONS = [
    "upper(x)",
    "lower(x)",
    "title(x)",
    "strip(x)",
    "lstrip(x)",
    "rstrip(x)",
    "strip(x, '-_ ')",
    "replace(x, ' ', '')",
    "regex_replace(x, '[^0-9A-Za-z]', '')",
    "regex_replace(x, 'a*', '-')",
    "regex_replace(x, '([a-z])([0-9])', '\\\\2\\\\1')",
    "regex_extract(x, '([0-9]+)', 1)",
    "regex_extract(x, '[a-z]+')",
    "zfill(x, 5)",
    "pad_left(x, 4, '0')",
    "pad_right(x, 4, '.')",
    "x[1:3] if x != None else None",  # linkml-map cannot slice a missing value: it stops
    "x[-2:] if x != None else None",
    "x[:-1] if x != None else None",
    "substr(x, 2)",
    "join('|', split(x))",
    "join('|', split(x, ' '))",
    "first(split(x, '/'))",
    "last(split(x, '-'))",
    "str(strlen(x))",
    "str(len(split(x)))",
    "coalesce(x, 'none')",
    "'yes' if x in ('a', 'A', '') else 'no'",
    "'yes' if x not in ['z'] else 'no'",
    "'yes' if regex_match(x, '^[0-9]') else 'no'",
    "'yes' if startswith(x, 'a') or endswith(x, '9') else 'no'",
    "'yes' if contains(x, ' ') and not x else 'no'",
]
NUMBER_EXPRESSIONS = [
    "'yes' if x < 5 else 'no'",
    "'yes' if x >= -2.5 else 'no'",
    "'yes' if not (0 <= x < 10) else 'no'",
]
DATE_EXPRESSIONS = [
    "parse_date(x, '%d/%m/%Y')",
    "parse_date(x, '%d/%m/%y')",
    "parse_datetime(x, '%Y-%m-%dT%H:%M:%S%z')",
    "parse_datetime(x, '%Y-%m-%dT%H:%M:%S')",
    "parse_datetime(x, '%d/%m/%Y %I:%M %p', 'Europe/London')",
    "parse_datetime(x, '%d/%b/%Y %H:%M ', 'America/New_York')",
    "parse_datetime(x, '%d/%B/%Y %H:%M')",
    "format_date(x, '%Y-%m %d/%j %H:%M:%S %y %b %B %I%p %%')",
    "format_date(parse_date(x, '%d/%m/%Y'), '%Y-%m')",
]

PROPERTIES = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=60)


def _reference(expression: str, value: str | None) -> str | None:
    return eval_utils.eval_expr_with_mapping(expression, {"x": value}, functions=EXTENSION_FUNCTIONS, strict=True)


def _compare(expressions: list[str], values: list[str | None]) -> None:
    frame = pl.DataFrame({"x": values}, schema={"x": pl.String})
    for expression in expressions:
        fast = frame.select(compile_expression(expression, {"x"})).to_series().to_list()
        reference = [_reference(expression, value) for value in values]
        assert fast == reference, (
            expression,
            [(v, f, r) for v, f, r in zip(values, fast, reference, strict=True) if f != r],
        )


@PROPERTIES
@given(st.lists(st.one_of(st.none(), TEXT), min_size=1, max_size=8))
def test_text_functions_agree_with_linkml_map(values: list[str | None]) -> None:
    _compare(TEXT_EXPRESSIONS, values)


@PROPERTIES
@given(st.lists(st.one_of(st.none(), NUMBERS), min_size=1, max_size=8))
def test_numeric_comparisons_agree_with_linkml_map(values: list[str | None]) -> None:
    _compare(NUMBER_EXPRESSIONS, values)


@PROPERTIES
@given(st.lists(st.one_of(st.none(), DATES), min_size=1, max_size=8))
def test_date_functions_agree_with_linkml_map(values: list[str | None]) -> None:
    _compare(DATE_EXPRESSIONS, values)
