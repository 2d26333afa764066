"""Terms dictionary-encoded: numbered in the order first seen, whatever the blocks they arrive in (the
sorted runs that find them merged or not), decoded back exactly; terms the data lacks numbered after its
own; two distinct terms agreeing on the first hash and not the second refused."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policeonto.errors import InstanceDataError
from policeonto.fastshacl.dictionary import CODE, Dictionary, _find, _keyed

_TERMS = st.sampled_from(["<a>", "<b>", '"x"', '"x"@en', "_:b1", '"1"^^<http://www.w3.org/2001/XMLSchema#int>'])


@settings(max_examples=60, deadline=None)
@given(blocks=st.lists(st.lists(_TERMS | st.text(max_size=6).map(lambda t: f"<{t}>"), max_size=12), max_size=12))
def test_codes_are_first_seen_order_across_blocks(blocks: list[list[str]]) -> None:
    reference: dict[str, int] = {}
    dictionary = Dictionary()
    for block in blocks:
        got = dictionary.codes(pl.Series(block, dtype=pl.String)).to_list()
        assert got == [reference.setdefault(term, len(reference)) for term in block]
    terms = dictionary.terms()
    assert len(terms) == len(reference)
    assert terms.decode(pl.Series(list(reference.values()), dtype=CODE)).to_list() == list(reference)
    assert terms.encode(pl.Series(list(reference), dtype=pl.String)).to_list() == list(reference.values())


def test_runs_merge_as_they_grow() -> None:
    dictionary = Dictionary()
    for i in range(40):
        dictionary.codes(pl.Series([f"<t{j}>" for j in range(i * 10, i * 10 + 25)]))
    assert len(dictionary._runs) <= 6  # merged, not one per block
    assert dictionary.codes(pl.Series(["<t0>", "<t409>", "<t414>"])).to_list() == [0, 409, 414]


def test_terms_the_data_lacks_are_numbered_after_its_own() -> None:
    dictionary = Dictionary()
    dictionary.codes(pl.Series(["<a>", "<b>"]))
    terms = dictionary.terms()
    assert terms.encode(pl.Series(["<z>", "<a>", None, "<z>", "<y>"])).to_list() == [2, 0, None, 2, 3]
    assert terms.decode(pl.Series([3, 1, 2], dtype=CODE)).to_list() == ["<y>", "<b>", "<z>"]


def test_two_terms_with_one_hash_are_refused() -> None:
    """A run holding a term's first hash with another second hash is a collision, never a match."""
    keyed = _keyed(pl.Series(["<a>"]))
    forged = keyed.select("h", check=pl.col("check") + 1, code=pl.lit(0, dtype=CODE))
    with pytest.raises(InstanceDataError, match="share a 64-bit hash"):
        _find([forged], keyed, "in.nt")
    assert _find([keyed.select("h", "check", code=pl.lit(5, dtype=CODE))], keyed, "in.nt").to_list() == [5]
