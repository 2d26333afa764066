"""The share engine on Agreement values: what is withheld and why, links to withheld records, generalised
forms, pseudonyms, keys, the closed profile (against pySHACL) and the manifest, on real files."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from rdflib import Graph, URIRef

from policeonto.errors import ShareKeyError, ShareRefusedError
from policeonto.fastshacl import TripleTable, compile_shapes, evaluate
from policeonto.fastshacl.report import report_keys, result_keys
from policeonto.shacl import run_pyshacl
from policeonto.sharing import Generalisation, GeneralisedForm, Pseudonymised
from policeonto.sharing.keys import MIN_KEY_BYTES, AgreementKey, read_key
from policeonto.sharing.proof import check_copy, profile_graph
from policeonto.sharing.records import read_records_for_share, read_store_for_share
from policeonto.sharing.share import make_copy, manifest_path, share, share_records
from policeonto.sharing.transform import PSEUDONYMS
from policeonto.terms import RDF_TYPE, node
from tests.conftest import DATA, ROOT
from tests.share_agreements import BASE, SAFEGUARDING, SAFEGUARDING_2, P, iris

MARKED = DATA / "sharing" / "marked.ttl"
TODAY = date(2026, 12, 5)
KEY = b"k" * MIN_KEY_BYTES
FORCE_A = sorted((ROOT / "examples" / "force-a").glob("*.csv"))
FORCE_B = [ROOT / "examples" / "force-b" / "export.json"]
EX = "https://example.org/force-x/"


def _marked() -> pl.DataFrame:
    return read_records_for_share([MARKED]).triples


def _terms(copy: pl.DataFrame) -> set[str]:
    return set(copy.get_column("s").to_list()) | set(copy.get_column("o").to_list())


def test_each_record_withheld_is_counted_by_its_reason() -> None:
    copy = make_copy(_marked(), BASE, key=None, today=TODAY)
    assert dict(copy.withheld) == {
        "above-ceiling": 2,  # person-2, place-1
        "official-sensitive": 1,
        "caveat-not-allowed": 1,
        "past-review": 1,
        "review-date-unknown": 1,
        "handling-code-not-allowed": 1,
        "link-to-withheld": 2,
    }
    subjects = set(copy.triples.get_column("s").to_list())
    assert {f"<{EX}{n}>" for n in ("person-1", "crime-1", "link-1", "person-1/pnc")} <= subjects
    names = ["person-2", "person-3", "person-4", "person-5", "person-6", "crime-2", "place-1", "link-2", "link-3"]
    withheld = {f"<{EX}{n}>" for n in names}
    assert not withheld & _terms(copy.triples), "no triple names a withheld record, as subject or object"
    assert copy.dropped["object-withheld"] == 1  # crime-1 occurred_at place-1
    assert copy.parts_withheld[f"<{P}PersonName>"] == 1  # person-2's name
    literals = " ".join(copy.triples.get_column("o").to_list())
    assert "Secretname" not in literals and "Bob" not in literals


def test_what_the_agreement_allows_leaves() -> None:
    wider = replace(
        BASE,
        sensitive_allowed=True,
        caveats_allowed=frozenset({"UK-EYES-ONLY"}),
        handling_codes=frozenset({"P", "C"}),
        ceiling="SECRET",
        withhold_past_review=False,
    )
    copy = make_copy(_marked(), wider, key=None, today=TODAY)
    assert dict(copy.withheld) == {}
    assert copy.records_shared == 12


def test_default_deny_classes_and_properties() -> None:
    narrow = replace(BASE, classes=iris("Person"), properties=iris("label"))
    copy = make_copy(_marked(), narrow, key=None, today=TODAY)
    assert set(copy.triples.get_column("p").unique().to_list()) == {RDF_TYPE, f"<{P}label>"}
    assert copy.withheld["class-not-permitted"] == 6  # crimes, place, links
    assert copy.triples.filter(pl.col("p") == RDF_TYPE).get_column("o").unique().to_list() == [f"<{P}Person>"]


def test_prohibited_property_never_leaves() -> None:
    copy = make_copy(_marked(), replace(BASE, prohibited=iris("label")), key=None, today=TODAY)
    assert f"<{P}label>" not in copy.triples.get_column("p").to_list()
    assert copy.dropped["prohibited"] == 1  # person-1's label: the others are withheld


def test_an_agreement_that_has_ended_writes_nothing(tmp_path: Path) -> None:
    ended = replace(BASE, valid_until=date(2026, 1, 1))
    with pytest.raises(ShareRefusedError) as caught:
        share([MARKED], ended, tmp_path / "copy.nt", today=TODAY)
    assert caught.value.rule == "valid-until"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("form", "prop", "expected"),
    [
        (GeneralisedForm.YEAR, "date_of_birth", '"1990"^^<http://www.w3.org/2001/XMLSchema#gYear>'),
        (GeneralisedForm.AGE_BAND, "date_of_birth", '"35-39"'),  # 36 on 2026-12-05
        (GeneralisedForm.POSTCODE_SECTOR, "postcode", '"ME14 1"'),
    ],
)
def test_generalised_forms(form: GeneralisedForm, prop: str, expected: str) -> None:
    agreement = replace(
        BASE,
        properties=BASE.properties | iris("date_of_birth"),
        ceiling="SECRET",
        generalised=(Generalisation(P + prop, form),),
    )
    copy = make_copy(_marked(), agreement, key=None, today=TODAY)
    assert copy.triples.filter(pl.col("p") == f"<{P}{prop}>").get_column("o").to_list() == [expected]
    assert copy.generalised == {f"{P}{prop} {form.value}": 1}


def test_age_band_on_the_birthday() -> None:
    agreement = replace(
        BASE,
        properties=BASE.properties | iris("date_of_birth"),
        generalised=(Generalisation(P + "date_of_birth", GeneralisedForm.AGE_BAND),),
    )
    bands = [
        make_copy(_marked(), agreement, key=None, today=day)
        .triples.filter(pl.col("p") == f"<{P}date_of_birth>")
        .get_column("o")
        .item()
        for day in (date(2030, 5, 16), date(2030, 5, 17))
    ]
    assert bands == ['"35-39"', '"40-44"']


def test_a_point_leaves_as_its_lsoa_or_not_at_all() -> None:
    records = read_records_for_share([DATA / "valid" / "records-system.ttl"]).triples
    agreement = replace(
        BASE,
        classes=iris("Address LowerLayerSuperOutputArea"),
        properties=iris("within latitude longitude area_code"),
        generalised=(
            Generalisation(P + "latitude", GeneralisedForm.LSOA),
            Generalisation(P + "longitude", GeneralisedForm.LSOA),
        ),
    )
    copy = make_copy(records, agreement, key=None, today=TODAY)
    predicates = set(copy.triples.get_column("p").to_list())
    assert f"<{P}latitude>" not in predicates and f"<{P}within>" in predicates
    assert (
        sum(copy.generalised.values()) + sum(copy.not_generalised.values())
        == records.filter(pl.col("p").is_in([f"<{P}latitude>", f"<{P}longitude>"])).height
    )
    assert copy.generalised[f"{P}latitude lsoa"] >= 1


def test_pseudonyms_join_within_an_agreement_and_not_across() -> None:
    records = read_records_for_share(FORCE_A).triples
    one = make_copy(records, SAFEGUARDING, key=AgreementKey.derive(KEY, SAFEGUARDING.iri), today=TODAY).triples
    two = make_copy(records, SAFEGUARDING_2, key=AgreementKey.derive(KEY, SAFEGUARDING_2.iri), today=TODAY).triples
    people = [set(c.filter((pl.col("p") == RDF_TYPE) & (pl.col("o") == f"<{P}Person>"))["s"]) for c in (one, two)]
    assert len(people[0]) == len(people[1]) == 335  # 300 drawn, 35 planted for the linkage cases
    assert all(re.fullmatch(rf"<{re.escape(PSEUDONYMS)}[0-9a-f]{{32}}>", p) for p in people[0])
    assert not people[0] & people[1], "two agreements' pseudonyms of the same people are unlinkable"
    involved = set(one.filter(pl.col("p") == f"<{P}person>")["o"])
    assert involved and involved <= people[0], "every link to a person joins a person in the copy"
    again = make_copy(records, SAFEGUARDING, key=AgreementKey.derive(KEY, SAFEGUARDING.iri), today=TODAY).triples
    assert again.equals(one)


def test_the_same_identifier_in_two_forces_keeps_one_pseudonym() -> None:
    key = AgreementKey.derive(KEY, SAFEGUARDING.iri)
    copies = [
        make_copy(read_records_for_share(f).triples, SAFEGUARDING, key=key, today=TODAY).triples
        for f in (FORCE_A, FORCE_B)
    ]
    notations = [set(c.filter(pl.col("p") == f"<{P}notation>")["o"]) for c in copies]
    originals = [
        set(read_records_for_share(f).triples.filter(pl.col("p") == f"<{P}notation>")["o"]) for f in (FORCE_A, FORCE_B)
    ]
    assert len(notations[0] & notations[1]) == len(originals[0] & originals[1]) > 0


def test_pseudonymising_needs_a_key(tmp_path: Path) -> None:
    with pytest.raises(ShareKeyError):
        share(FORCE_A, SAFEGUARDING, tmp_path / "copy.nt", today=TODAY)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "env", "problem"),
    [
        (None, None, "one of them"),
        (b"short", None, "fewer than"),
        ("missing", None, "cannot be read"),
        (None, "POLICEONTO_TEST_KEY_UNSET", "is not set"),
        (None, "POLICEONTO_TEST_KEY_SHORT", "fewer than"),
    ],
)
def test_bad_keys_are_refused_without_showing_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | str | None, env: str | None, problem: str
) -> None:
    monkeypatch.delenv("POLICEONTO_TEST_KEY_UNSET", raising=False)
    monkeypatch.setenv("POLICEONTO_TEST_KEY_SHORT", "s3cr3tvalue")
    key_file = None
    if isinstance(content, bytes):
        key_file = tmp_path / "key"
        key_file.write_bytes(content)
    elif content == "missing":
        key_file = tmp_path / "no-such-key"
    with pytest.raises(ShareKeyError) as caught:
        read_key(key_file=key_file, key_env=env)
    assert problem in str(caught.value)
    assert "short" not in str(caught.value).replace("SHORT", "") and "s3cr3t" not in str(caught.value)


def test_a_key_from_a_file_or_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "key").write_bytes(KEY + b"\n")
    monkeypatch.setenv("POLICEONTO_TEST_KEY", KEY.decode())
    assert read_key(key_file=tmp_path / "key") == read_key(key_env="POLICEONTO_TEST_KEY") == KEY
    assert "k" * 8 not in repr(AgreementKey.derive(KEY, "https://example.org/a"))


def test_a_copy_outside_the_profile_is_refused_naming_the_rule_not_the_value() -> None:
    copy = make_copy(_marked(), BASE, key=None, today=TODAY).triples
    leaked = pl.DataFrame({"s": [f"<{EX}crime-1>"], "p": [f"<{P}source_record_id>"], "o": ['"SENTINEL-VALUE"']})
    with pytest.raises(ShareRefusedError) as caught:
        check_copy(pl.concat([copy, leaked]), BASE)
    assert caught.value.predicate == f"{P}source_record_id" and caught.value.rule == "permitted-predicate"
    assert "SENTINEL" not in str(caught.value)
    secret = pl.DataFrame(
        {"s": ["_:b1"], "p": [f"<{P}classification>"], "o": [f"<{P}code/security-classification/SECRET>"]}
    )
    with pytest.raises(ShareRefusedError) as caught:
        check_copy(pl.concat([copy, secret]), BASE)
    assert caught.value.rule == "sh:InConstraintComponent"


def _graph(frame: pl.DataFrame) -> Graph:
    graph = Graph()
    for s, p, o in frame.iter_rows():
        graph.add((node(s), node(p), node(o)))
    return graph


@pytest.mark.parametrize(
    "tampered",
    [
        [],
        [(f"<{EX}crime-1>", f"<{P}source_record_id>", '"X1"')],  # a property outside the closed shape
        [("_:b1", f"<{P}classification>", f"<{P}code/security-classification/SECRET>")],
        [(f"<{EX}person-1>", f"<{P}date_of_birth>", '"1990-05-17"^^<http://www.w3.org/2001/XMLSchema#date>')],
        [(f"<{EX}crime-1>", f"<{P}handling_code>", f"<{P}code/handling-code/C>")],
        [("_:b1", f"<{P}sensitive>", '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>')],
    ],
)
def test_the_closed_profile_gives_pyshacls_results(tampered: list[tuple[str, str, str]]) -> None:
    agreement = replace(
        SAFEGUARDING,
        classes=BASE.classes,
        properties=BASE.properties | iris("date_of_birth"),
        prohibited=frozenset(),
        handling_codes=frozenset({"P"}),
        pseudonymised=Pseudonymised(),
    )
    copy = make_copy(_marked(), agreement, key=None, today=TODAY).triples
    extra = pl.DataFrame(tampered, schema=dict.fromkeys("spo", pl.String), orient="row")
    data = pl.concat([copy, extra]).unique()
    shapes = profile_graph(agreement)
    fast = result_keys(evaluate(compile_shapes(shapes), TripleTable.from_frame(data)))
    conforms, report, _ = run_pyshacl(_graph(data), shapes)
    assert fast == report_keys(report)
    assert conforms == (not tampered) == (not fast)


def test_share_writes_the_copy_and_its_manifest(tmp_path: Path) -> None:
    out = tmp_path / "copy.ttl"
    result = share(FORCE_A, SAFEGUARDING, out, key=KEY, today=TODAY, agent="https://example.org/steward/1")
    manifest = Graph().parse(manifest_path(out), format="turtle")
    share_ns = "https://w3id.org/policeonto/share#"
    sums = {str(o) for o in manifest.objects(None, URIRef(share_ns + "sha256"))}
    assert hashlib.sha256(out.read_bytes()).hexdigest() in sums
    assert {hashlib.sha256(p.read_bytes()).hexdigest() for p in FORCE_A} <= sums
    assert (None, URIRef("https://w3id.org/dpv#hasPurpose"), URIRef(SAFEGUARDING.purpose)) in manifest
    assert (
        None,
        URIRef("http://www.w3.org/ns/prov#wasAssociatedWith"),
        URIRef("https://example.org/steward/1"),
    ) in manifest
    copy = Graph().parse(out, format="turtle")
    assert len(copy) == result.facts.triples_shared
    assert result.map_result.rows_read == result.map_result.rows_mapped + result.map_result.rows_rejected
    bands = {str(o) for o in copy.objects(None, URIRef(P + "date_of_birth"))}
    assert bands and all(re.fullmatch(r"[0-9]{1,3}-[0-9]{1,3}", b) for b in bands)
    assert KEY not in out.read_bytes() and KEY not in manifest_path(out).read_bytes()


def test_a_store_shares_as_its_files_do(tmp_path: Path) -> None:
    from policeonto.store import EmbeddedStore
    from policeonto.store.base import syntax_of

    with EmbeddedStore(str(tmp_path / "store")) as store:
        store.load(MARKED, graph="https://example.org/graph/marked", syntax=syntax_of(MARKED))
        records = read_store_for_share(store)
    result = share_records(records, BASE, tmp_path / "copy.nt", today=TODAY)
    from_file = make_copy(_marked(), BASE, key=None, today=TODAY)
    assert result.facts.withheld == from_file.withheld
    assert result.facts.records_shared == from_file.records_shared
    assert result.facts.triples_shared == from_file.triples.height
    assert [i.path for i in result.facts.inputs] == [str(tmp_path / "store")]


@pytest.mark.parametrize("tampered", [False, True])
def test_pseudonyms_in_the_profile_give_pyshacls_results(tampered: bool) -> None:
    agreement = replace(BASE, pseudonymised=Pseudonymised(classes=iris("Person")))
    copy = make_copy(_marked(), agreement, key=AgreementKey.derive(KEY, agreement.iri), today=TODAY).triples
    if tampered:  # a person under its own IRI
        extra = pl.DataFrame({"s": [f"<{EX}person-9>"], "p": [RDF_TYPE], "o": [f"<{P}Person>"]})
        copy = pl.concat([copy, extra])
    shapes = profile_graph(agreement)
    fast = result_keys(evaluate(compile_shapes(shapes), TripleTable.from_frame(copy)))
    conforms, report, _ = run_pyshacl(_graph(copy), shapes)
    assert fast == report_keys(report)
    assert conforms == (not tampered) == (not fast)


def test_an_unknown_ceiling_is_refused() -> None:
    with pytest.raises(ShareRefusedError) as caught:
        make_copy(_marked(), replace(BASE, ceiling="RESTRICTED"), key=None, today=TODAY)
    assert caught.value.rule == "ceiling"


def test_the_steward_resolves_a_pseudonym_with_the_key_only() -> None:
    from policeonto.sharing.resolve import resolve

    records = read_records_for_share(FORCE_A).triples
    key = AgreementKey.derive(KEY, SAFEGUARDING.iri)
    copy = make_copy(records, SAFEGUARDING, key=key, today=TODAY).triples
    link = copy.filter(
        (pl.col("s") == "<https://w3id.org/policeonto/data/force-a/link/K0000001>") & (pl.col("p") == f"<{P}person>")
    )
    pseudonym = link.get_column("o").item()
    assert resolve(records, SAFEGUARDING, key, pseudonym, today=TODAY) == (
        "<https://w3id.org/policeonto/data/force-a/nominal/N0000269>"  # links.csv: K0000001 names N0000269
    )
    notation = copy.filter(pl.col("p") == f"<{P}notation>").get_column("o")[0]
    assert resolve(records, SAFEGUARDING, key, notation, today=TODAY).startswith('"')  # a PNC ID, as it was
    other = AgreementKey.derive(KEY, SAFEGUARDING_2.iri)  # the key of another agreement resolves nothing
    assert resolve(records, SAFEGUARDING_2, other, pseudonym, today=TODAY) is None
    wrong = AgreementKey.derive(b"w" * MIN_KEY_BYTES, SAFEGUARDING.iri)
    assert resolve(records, SAFEGUARDING, wrong, pseudonym, today=TODAY) is None
