"""A share keeps what may leave dictionary-encoded from selection to writing: generalising and pseudonymising
encoded terms give what they give on text, the closed profile checked a part at a time finds what it finds
on the whole copy, and the copy is held encoded (its text is read a slice at a time)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from policeonto.sharing import proof
from policeonto.sharing.keys import MIN_KEY_BYTES, AgreementKey
from policeonto.sharing.reading import read_agreement
from policeonto.sharing.records import TERMS, read_records_for_share
from policeonto.sharing.select import select
from policeonto.sharing.share import make_copy
from policeonto.sharing.transform import generalise, pseudonymise
from policeonto.terms import RDF_TYPE
from tests.conftest import ROOT

TODAY = date(2026, 12, 5)
P = "https://w3id.org/policeonto/"
FORCE_A = sorted((ROOT / "examples" / "force-a").glob("*.csv"))
SAFEGUARDING = read_agreement(ROOT / "examples" / "agreements" / "safeguarding-partnership.yaml")
KEY = AgreementKey.derive(b"k" * MIN_KEY_BYTES, SAFEGUARDING.iri)
TEXT = dict.fromkeys("spo", pl.String)


@pytest.fixture(scope="module")
def records() -> pl.DataFrame:
    return read_records_for_share(FORCE_A).triples


def test_generalising_and_pseudonymising_encoded_terms_give_what_text_gives(records: pl.DataFrame) -> None:
    selection = select(records, SAFEGUARDING, today=TODAY)
    encoded, text = selection.triples.cast(TERMS), selection.triples.cast(TEXT)
    on_codes, on_text = generalise(encoded, SAFEGUARDING, today=TODAY), generalise(text, SAFEGUARDING, today=TODAY)
    assert on_codes.generalised == on_text.generalised and sum(on_codes.generalised.values()) > 0
    assert on_codes.not_generalised == on_text.not_generalised
    assert_frame_equal(on_codes.triples.cast(TEXT), on_text.triples)
    named, count, by_property = pseudonymise(on_codes.triples, SAFEGUARDING, KEY, records=selection.records)
    named_text, count_text, by_property_text = pseudonymise(
        on_text.triples, SAFEGUARDING, KEY, records=selection.records
    )
    assert (count, by_property) == (count_text, by_property_text) and count > 0
    assert_frame_equal(named.cast(TEXT), named_text)


def test_the_copy_is_held_encoded(records: pl.DataFrame) -> None:
    copy = make_copy(records, SAFEGUARDING, key=KEY, today=TODAY)
    assert copy.encoded.dtypes == [pl.Categorical] * 3
    assert copy.triples.dtypes == [pl.String] * 3 and copy.triples.height == copy.encoded.height > 0


def _tampered(copy: pl.DataFrame) -> pl.DataFrame:
    """*copy* with triples the profile refuses: a crime's location that is no LSOA (``sh:class``, judged on
    the value's type, which another subject's triples say) and a date of birth not in bands (``sh:pattern``)."""
    typed = copy.filter(pl.col("p") == RDF_TYPE)
    crime = typed.filter(pl.col("o") == f"<{P}Crime>").get_column("s").cast(pl.String)[0]
    person = typed.filter(pl.col("o") == f"<{P}Person>").get_column("s").cast(pl.String)[0]
    address = typed.filter(pl.col("o") == f"<{P}Address>").get_column("s").cast(pl.String)[0]
    bad = pl.DataFrame(
        {
            "s": [crime, person],
            "p": [f"<{P}location>", f"<{P}date_of_birth>"],
            "o": [address, '"1990-01-01"'],
        }
    )
    return pl.concat([copy.cast(TEXT), bad])


def test_the_profile_checked_in_parts_finds_what_the_whole_copy_shows(
    records: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = make_copy(records, SAFEGUARDING, key=KEY, today=TODAY).encoded
    tampered = _tampered(copy)
    shapes = proof.compile_shapes(proof.profile_graph(SAFEGUARDING))
    whole = proof.evaluate(shapes, proof.TripleTable.from_frame(tampered)).select("path", "component").unique()
    assert set(whole.get_column("component").to_list()) == {"Class", "Pattern"}
    monkeypatch.setattr(proof, "_PART", 7)  # parts of a few triples: most subjects' values are in other parts
    parts = proof._profile_findings(tampered.cast(TERMS), shapes).unique()
    assert sorted(parts.iter_rows()) == sorted(whole.iter_rows())
    proof.check_copy(copy, SAFEGUARDING)  # the copy itself passes, a part at a time
    with pytest.raises(proof.ShareRefusedError) as caught:
        proof.check_copy(tampered.cast(TERMS), SAFEGUARDING)
    assert (
        caught.value.rule == f"sh:{whole.sort('path', 'component').row(0, named=True)['component']}ConstraintComponent"
    )
