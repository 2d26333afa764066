"""One term conversion: every place a term becomes N-Triples text (the fast engine's rdflib terms, a server's
SPARQL JSON bindings, the mapping's vectorised templates, Oxigraph's own terms) agrees with
:mod:`policeonto.terms`, and with pyoxigraph's serialisation wherever the two rules coincide."""

from __future__ import annotations

import json

import polars as pl
import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Literal, URIRef

from policeonto.fastshacl import sparql
from policeonto.fastshacl.terms import lexical
from policeonto.mapping import plan
from policeonto.store.answers import parse_answer
from policeonto.store.results import plain
from policeonto.terms import (
    ESCAPES,
    XSD,
    XSD_STRING,
    blank,
    escape,
    from_oxigraph,
    iri,
    literal,
    node,
    term,
)

HOSTILE = [
    "",
    "plain",
    'say "hi"',
    "back\\slash",
    "\\n is not a newline",
    '\\"',
    "line\nfeed",
    "carriage\rreturn\r\n",
    "tab\there",
    "nul\x00bell\x07escape\x1bdel\x7f",
    "backspace\x08formfeed\x0c",
    "é, ß, 日本, 🚓",
    "\u0085\u2028\u2029",
    "ends with a backslash\\",
    '"',
    "> <",
]
#: rdflib normalises the lexical forms of the XSD types it knows, so the others here are ones it does not.
DATATYPES = [None, XSD_STRING, "http://example.org/dt", "urn:x-dt"]
#: Text as a column can hold it: any character but a lone surrogate (polars and UTF-8 refuse those).
TEXT = st.text(st.characters(blacklist_categories=["Cs"]))
#: Text that needs none of the escapes Oxigraph adds to ours (tab, backspace, form feed, other controls).
OXIGRAPH_ALIKE = st.text(st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from("\n\r"))
IRI_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1).map(lambda t: "https://example.org/" + t)
IRIS = IRI_TEXT | st.sampled_from(["https://example.org/a b", "https://example.org/a>b", "urn:x", "http://e.org/%zz"])


def _column(values: list[str], expression) -> list[str]:
    return pl.DataFrame({"x": values}, schema={"x": pl.String}).select(expression(pl.col("x"))).to_series().to_list()


def test_escape_is_the_table_applied_in_order() -> None:
    assert ESCAPES[0] == ("\\", "\\\\")  # the backslash first, or the others' backslashes would be doubled
    assert escape('a\\"\n\r\t') == 'a\\\\\\"\\n\\r\t'


@pytest.mark.parametrize("datatype", DATATYPES)
@pytest.mark.parametrize("value", HOSTILE)
def test_every_former_copy_agrees_on_hostile_literals(value: str, datatype: str | None) -> None:
    expected = literal(value, datatype=datatype)
    rdflib_datatype = None if datatype is None else URIRef(datatype)
    assert term(Literal(value, datatype=rdflib_datatype)) == expected  # the fast engine's terms
    assert _column([value], lambda c: plan.literal(c, datatype)) == [expected]  # the mapping's template
    binding = {"type": "literal", "value": value} | ({} if datatype is None else {"datatype": datatype})
    assert _answer(binding) == expected  # a server's answer
    assert plain(expected) == value == plain(from_oxigraph(ox.Literal(value)))  # both stores show the same
    assert _column([expected], lexical) == [value]  # the fast engine reads back what was written


@pytest.mark.parametrize("value", HOSTILE)
def test_language_tagged_literals_agree(value: str) -> None:
    expected = literal(value, language="en-GB")
    assert expected.endswith('"@en-GB')
    assert term(Literal(value, lang="en-GB")) == expected
    assert _answer({"type": "literal", "value": value, "xml:lang": "en-GB"}) == expected


def test_iris_and_blank_nodes_agree() -> None:
    assert term(URIRef("http://example.org/a")) == iri("http://example.org/a") == "<http://example.org/a>"
    assert term(BNode("b1")) == blank("b1") == "_:b1"
    assert _answer({"type": "uri", "value": "http://example.org/a"}) == "<http://example.org/a>"
    assert _answer({"type": "bnode", "value": "b1"}) == "_:b1"
    assert from_oxigraph(ox.NamedNode("http://example.org/a")) == "<http://example.org/a>"
    assert sparql._term(ox.NamedNode(sparql._SKOLEM + "b1")) == "_:b1"  # a skolemised blank node comes back
    assert node("_:b1") == BNode("b1")


def test_oxigraph_spells_control_characters_its_own_way() -> None:
    """The one documented difference: Oxigraph's terms escape a tab and other control characters."""
    assert from_oxigraph(ox.Literal("a\tb\x00")) == '"a\\tb\\u0000"'
    assert literal("a\tb\x00") == '"a\tb\x00"'
    assert node(from_oxigraph(ox.Literal("a\tb\x00"))) == node(literal("a\tb\x00"))


def test_a_lone_surrogate_passes_the_scalar_escape_and_no_column_holds_one() -> None:
    assert literal("\ud800") == '"\ud800"'
    with pytest.raises(UnicodeEncodeError):
        pl.Series(["\ud800"])


@settings(max_examples=300, deadline=None)
@given(OXIGRAPH_ALIKE, st.sampled_from([None, XSD + "integer", XSD + "token", "http://example.org/dt"]))
def test_literals_are_written_as_oxigraph_writes_them(value: str, datatype: str | None) -> None:
    ox_datatype = None if datatype is None else ox.NamedNode(datatype)
    assert literal(value, datatype=datatype) == str(ox.Literal(value, datatype=ox_datatype))
    assert literal(value, language="fr") == str(ox.Literal(value, language="fr"))


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, max_size=20), st.sampled_from(DATATYPES))
def test_vectorised_and_scalar_literals_agree(values: list[str], datatype: str | None) -> None:
    expected = [literal(v, datatype=datatype) for v in values]
    assert _column(values, lambda c: plan.literal(c, datatype)) == expected
    assert [term(Literal(v, datatype=None if datatype is None else URIRef(datatype))) for v in values] == expected
    assert _column(expected, lexical) == values
    assert [plain(t) for t in expected] == values


@settings(max_examples=300, deadline=None)
@given(st.lists(IRIS, max_size=20))
def test_vectorised_and_scalar_iris_agree(values: list[str]) -> None:
    written = _column(values, plan.iri)
    assert written == [iri(plan.safe_iri(v)) for v in values]
    for value, text in zip(values, written, strict=True):
        assert str(ox.NamedNode(text[1:-1])) == text  # every IRI written is one Oxigraph takes as it is
        if text == iri(value):
            assert str(ox.NamedNode(value)) == text


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_server_literals_agree_with_the_engine(value: str) -> None:
    assert _answer({"type": "literal", "value": value}) == term(Literal(value)) == literal(value)


def _answer(binding: dict[str, str]) -> str:
    body = {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": binding}]}}
    raw = bytearray(json.dumps(body, ensure_ascii=False).encode("utf-8"))
    (row,) = parse_answer(raw, "application/sparql-results+json", store="http://127.0.0.1:7878").rows
    return row[0]
