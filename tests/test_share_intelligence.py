"""Force B's intelligence reports and their subjects (people mentioned in them or party to them, in neutral
roles) under the example agreements: a report of handling code C leaves only if the agreement allows C, a
report withheld takes every link that would reveal it with it, and under safeguarding no intelligence leaves.
Expectations are read from the export itself, not from the share engine."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import polars as pl
import pytest

from policeonto.sharing.keys import MIN_KEY_BYTES, AgreementKey
from policeonto.sharing.reading import read_agreement
from policeonto.sharing.records import read_records_for_share
from policeonto.sharing.share import Copy, make_copy
from tests.conftest import ROOT

EXPORT = ROOT / "examples" / "force-b" / "export.json"
AGREEMENTS = ROOT / "examples" / "agreements"
P = "https://w3id.org/policeonto/"
DATA = f"{P}data/force-b/"
TODAY = date(2026, 12, 5)
ROLES = {"MENTIONED": "mentioned-in", "PARTY": "party-to"}


def _reports() -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Each report the export holds that maps (its source evaluation is known): its handling code and its
    subjects (person id, role)."""
    data = json.loads(EXPORT.read_text(encoding="utf-8"))["data"]
    return {
        r["id"]: (
            r["attributes"]["grading"]["handling"],
            [(s["id"], ROLES[s["meta"]["role"]]) for s in r["relationships"]["subjects"]["data"]],
        )
        for r in data
        if r["type"] == "intelligence-reports" and r["attributes"]["grading"]["source"] in {"1", "2", "3"}
    }


def _report(report: str) -> str:
    return f"<{DATA}intelligence/{report}>"


def _link(report: str, person: str) -> str:
    return f"<{DATA}intelligence/{report}/person/{person}>"


@pytest.fixture(scope="module")
def records() -> pl.DataFrame:
    return read_records_for_share([EXPORT]).triples


def _copy(records: pl.DataFrame, name: str, **changes: object) -> Copy:
    agreement = replace(read_agreement(AGREEMENTS / f"{name}.yaml"), **changes)
    key = AgreementKey.derive(b"k" * MIN_KEY_BYTES, agreement.iri)
    return make_copy(records, agreement, key=key, today=TODAY)


def _terms(copy: Copy) -> set[str]:
    return set(copy.triples.get_column("s").to_list()) | set(copy.triples.get_column("o").to_list())


def test_the_reports_have_subjects_in_neutral_roles(records: pl.DataFrame) -> None:
    reports = _reports()
    roles = dict(records.filter(pl.col("p") == f"<{P}involvement_role>").select("s", "o").cast(pl.String).iter_rows())
    events = dict(records.filter(pl.col("p") == f"<{P}event>").select("s", "o").cast(pl.String).iter_rows())
    persons = dict(records.filter(pl.col("p") == f"<{P}person>").select("s", "o").cast(pl.String).iter_rows())
    for report, (_, subjects) in reports.items():
        for person, role in subjects:
            link = _link(report, person)
            assert roles[link] == f"<{P}code/involvement-role/{role}>"
            assert events[link] == _report(report) and persons[link] == f"<{DATA}person/{person}>"
    assert {role for _, subjects in reports.values() for _, role in subjects} == {"mentioned-in", "party-to"}


def test_under_the_neighbouring_force_a_report_of_code_c_leaves_with_its_links(records: pl.DataFrame) -> None:
    reports = _reports()
    terms = _terms(_copy(records, "neighbouring-force"))  # it allows P and C
    assert {code for code, _ in reports.values()} == {"P", "C"}
    for report, (_, subjects) in reports.items():
        assert _report(report) in terms
        assert all(_link(report, person) in terms for person, _ in subjects)


def test_a_report_withheld_takes_every_link_that_would_reveal_it(records: pl.DataFrame) -> None:
    reports = _reports()
    copy = _copy(records, "neighbouring-force", handling_codes=frozenset({"P"}))
    terms = _terms(copy)
    withheld = {r: subjects for r, (code, subjects) in reports.items() if code == "C"}
    links = [_link(r, person) for r, subjects in withheld.items() for person, _ in subjects]
    assert dict(copy.withheld) == {"handling-code-not-allowed": len(withheld), "link-to-withheld": len(links)}
    assert len(withheld) == 8 and len(links) == 10
    assert not terms & ({_report(r) for r in withheld} | set(links))  # no report, no person's role in one
    text = " ".join(terms)
    assert not any(f"intelligence/{r}" in text for r in withheld)
    for report, (code, subjects) in reports.items():
        if code == "P":
            assert _report(report) in terms and all(_link(report, person) in terms for person, _ in subjects)


def test_under_safeguarding_no_intelligence_leaves(records: pl.DataFrame) -> None:
    copy = _copy(records, "safeguarding-partnership")
    triples = copy.triples
    assert triples.filter(pl.col("o") == f"<{P}IntelligenceReport>").is_empty()
    assert not triples.get_column("s").str.contains("intelligence").any()
    assert not triples.get_column("o").str.contains("intelligence|involvement-role/(mentioned-in|party-to)").any()
    assert copy.records_shared > 0  # people and crimes leave, pseudonymised
