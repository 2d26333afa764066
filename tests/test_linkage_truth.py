"""The linkage ground truth planted in the force examples, read back, scored against, and the
exact-identifier baseline measured on the examples loaded into a real embedded store."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from policeonto.errors import InstanceDataError, OptionError
from policeonto.linkage.evaluation import (
    CaseOutcome,
    Scores,
    baseline_pairs,
    baseline_query,
    case_outcomes,
    evaluate,
    score,
)
from policeonto.linkage.names import forename_key, surname_key
from policeonto.linkage.truth import read_truth
from policeonto.store import EmbeddedStore
from policeonto.store.jobs import load_inputs
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"
TRUTH = EXAMPLES / "linkage-truth.csv"
BASE = "https://w3id.org/policeonto/data/"
HEADER = "entity,case,same,record_a,record_b\n"
A, B = f"{BASE}force-a/nominal/N0000001", f"{BASE}force-b/person/PER-000001"


@pytest.fixture(scope="module")
def people() -> dict[str, dict[str, Any]]:
    """Every person record of both exports by the IRI its mapping mints: forename, surname, birth date,
    PNC ID and home address (Force B's as its address fields, to compare with Force A's)."""
    found: dict[str, dict[str, Any]] = {}
    with (EXAMPLES / "force-a" / "locations.csv").open(encoding="utf-8", newline="") as handle:
        places = {r["LOCATION_ID"]: (r["PREMISES"], r["STREET"], r["POSTCODE"]) for r in csv.DictReader(handle)}
    with (EXAMPLES / "force-a" / "nominals.csv").open(encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            birth = datetime.strptime(r["DOB"], "%d/%m/%Y").date() if r["DOB"] else None
            home = places.get(r["HOME_LOCATION_REF"])
            found[f"{BASE}force-a/nominal/{r['NOMINAL_ID']}"] = {
                "forename": r["FORENAME"], "surname": r["SURNAME"], "birth": birth, "pnc": r["PNC_ID"] or None,
                "home": home and (f"{home[0]} {home[1]}" if home[0].isdigit() else f"{home[0]}, {home[1]}", home[2]),
            }  # fmt: skip
    document = json.loads((EXAMPLES / "force-b" / "export.json").read_text(encoding="utf-8"))
    addresses = {r["id"]: r["attributes"]["address"] for r in document["included"] if r["type"] == "addresses"}
    for r in (r for r in document["included"] if r["type"] == "persons"):
        a = r["attributes"]
        home = r["relationships"]["homeAddress"]["data"]
        address = addresses[home["id"]] if home else None
        found[f"{BASE}force-b/person/{r['id']}"] = {
            "forename": a["name"]["given"], "surname": a["name"]["family"], "pnc": a["pncNumber"],
            "birth": date.fromisoformat(a["birthDate"]) if a["birthDate"] else None,
            "home": address and (address["line1"], address["postcode"]),
        }  # fmt: skip
    return found


def test_the_truth_lists_each_planted_case(people: dict[str, dict[str, Any]]) -> None:
    assert [p.entity for p in read_truth(TRUTH).pairs][:48] == ["person"] * 48  # vehicles and addresses follow
    assert {p.entity for p in read_truth(TRUTH).pairs} == {"person", "vehicle", "address"}
    truth = read_truth(TRUTH).of("person")
    assert truth.cases == (
        "shared-pnc", "no-shared-identifier", "forename-typo", "surname-typo", "transposed-birth-date",
        "married-surname", "moved-address", "forename-variant", "surname-variant", "twins", "father-and-son",
        "pnc-keyed-to-father", "common-name",
    )  # fmt: skip
    assert len(truth.matches) == 41 and len(truth.pairs) == 48
    assert {p.entity for p in truth.pairs} == {"person"}
    assert all(p.record_a in people and p.record_b in people for p in truth.pairs)
    assert all(
        p.record_a.startswith(f"{BASE}force-a/") and p.record_b.startswith(f"{BASE}force-b/") for p in truth.pairs
    )


def test_each_case_is_what_its_name_says(people: dict[str, dict[str, Any]]) -> None:
    """The records of each pair differ (or agree) exactly as the case plants them."""
    for pair in read_truth(TRUTH).of("person").pairs:
        a, b = people[pair.record_a], people[pair.record_b]
        same_name = (a["forename"], a["surname"]) == (b["forename"], b["surname"])
        if pair.case == "shared-pnc":
            assert a["pnc"] == b["pnc"] is not None and a["birth"] == b["birth"]
            continue
        assert pair.case == "pnc-keyed-to-father" or a["pnc"] is None or a["pnc"] != b["pnc"], pair
        if pair.case in ("no-shared-identifier", "moved-address"):
            assert same_name and a["birth"] == b["birth"]
        elif pair.case == "forename-typo":
            assert a["forename"] != b["forename"] and a["surname"] == b["surname"] and a["birth"] == b["birth"]
        elif pair.case == "surname-typo":
            assert a["surname"] != b["surname"] and a["forename"] == b["forename"] and a["birth"] == b["birth"]
        elif pair.case == "transposed-birth-date":
            assert same_name and (a["birth"].day, a["birth"].month) == (b["birth"].month, b["birth"].day)
            assert a["birth"] != b["birth"]
        elif pair.case == "married-surname":
            assert a["forename"] == b["forename"] and a["surname"] != b["surname"] and a["home"] != b["home"]
        elif pair.case == "forename-variant":
            assert a["forename"] != b["forename"] and forename_key(a["forename"]) == forename_key(b["forename"])
        elif pair.case == "surname-variant":
            assert a["surname"] != b["surname"] and surname_key(a["surname"]) == surname_key(b["surname"])
        elif pair.case == "twins" and not pair.same:
            assert a["surname"] == b["surname"] and a["birth"] == b["birth"] and a["home"] == b["home"]
            assert a["forename"] != b["forename"]
        elif pair.case == "father-and-son" and not pair.same:
            assert same_name and a["home"] == b["home"] and a["birth"].year + 20 <= b["birth"].year
        elif pair.case == "pnc-keyed-to-father":
            assert a["pnc"] == b["pnc"] is not None and a["birth"].year + 20 <= b["birth"].year
        elif pair.case == "common-name":
            assert same_name and a["birth"] != b["birth"]
        else:
            assert pair.same and same_name and a["birth"] == b["birth"], pair  # a twin or father in both


@pytest.fixture(scope="module")
def store() -> Any:
    """Both forces' people and vehicles in a real embedded store, one graph per export, as
    ``policeonto load`` puts them (not validated again here: tests/test_forces.py does)."""
    opened = EmbeddedStore()
    inputs = [
        EXAMPLES / "force-a" / "nominals.csv",
        EXAMPLES / "force-a" / "objects.csv",
        EXAMPLES / "force-b" / "export.json",
    ]
    load_inputs(opened, inputs, check=False)
    yield opened
    opened.close()


def test_the_exact_identifier_baseline_on_the_force_examples(store: Any) -> None:
    truth = read_truth(TRUTH).of("person")
    found = baseline_pairs(store)
    assert score(found, truth) == Scores(None, 12, 1, 29, 0.9231, 0.2927, 0.4444)  # F1 well under 0.6
    outcomes = case_outcomes(found, truth)
    assert outcomes["shared-pnc"] == CaseOutcome(12, 12, 0, 0)
    assert outcomes["pnc-keyed-to-father"] == CaseOutcome(0, 0, 1, 1)  # the one pair it joins wrongly
    assert all(
        o.same_found == o.different_joined == 0
        for c, o in outcomes.items()
        if c not in {"shared-pnc", "pnc-keyed-to-father"}
    )
    person_iris = store.query("SELECT ?p WHERE { ?p a <https://w3id.org/policeonto/Person> }").values("p")
    assert {iri for p in truth.pairs for iri in (p.record_a, p.record_b)} <= person_iris


def test_the_vehicle_baseline_finds_the_vehicles_both_forces_hold(store: Any) -> None:
    shared = json.loads((EXAMPLES / "ground-truth.json").read_text(encoding="utf-8"))["shared_vehicles"]
    found = baseline_pairs(store, "vehicle")
    # The 10 involved in events of both forces, then the linkage cases' vehicles under one mark (not
    # involved in any event): 3 with the make written differently and 1 cloned plate.
    assert len(shared) == 10 and len(found) == 14
    assert {p.case for p in read_truth(TRUTH).of("vehicle").pairs if p.key in set(found)} == {
        "shared-mark",
        "make-written-differently",
        "cloned-plate",
    }
    assert all(a.startswith(f"{BASE}force-a/") and b.startswith(f"{BASE}force-b/") for a, b in found)


def test_the_baseline_joins_registration_marks_written_differently(tmp_path: Path) -> None:
    store = EmbeddedStore()
    rows = "\n".join(
        f"<urn:{force}:{n}> a <https://w3id.org/policeonto/Vehicle> ; <https://w3id.org/policeonto/identifiers> "
        f"<urn:id:{force}:{n}> . <urn:id:{force}:{n}> <https://w3id.org/policeonto/scheme> "
        f'<https://w3id.org/policeonto/code/identifier-scheme/vrm> ; <https://w3id.org/policeonto/notation> "{mark}" .'
        for force, n, mark in (("a", 1, "AB12 CDE"), ("b", 1, "ab12cde"), ("b", 2, "AB12 CDF"), ("a", 2, "XY99 ZZZ"))
    )
    for force in "ab":
        path = tmp_path / f"{force}.ttl"
        path.write_text("\n".join(line for line in rows.split("\n") if f"urn:{force}:" in line), encoding="utf-8")
        store.load(path, graph=f"https://example.org/graph/{force}", syntax="turtle")
    assert baseline_pairs(store, "vehicle") == [("urn:a:1", "urn:b:1")]
    store.close()


def test_scores_at_thresholds_and_bad_thresholds() -> None:
    truth = read_truth(TRUTH).of("person")
    matches = sorted(truth.matches)
    scored = [(a, b, 0.97) for a, b in matches[:30]] + [(a, b, 0.85) for a, b in matches[30:]]
    scored += [(p.record_b, p.record_a, 0.92) for p in truth.pairs if not p.same]
    at = {s.threshold: s for s in evaluate(scored, truth, thresholds=(0.8, 0.9, 0.95))}
    assert (at[0.8].true_positives, at[0.8].false_positives, at[0.8].recall) == (41, 7, 1.0)
    assert (at[0.9].true_positives, at[0.9].false_positives, at[0.9].false_negatives) == (30, 7, 11)
    assert at[0.95] == Scores(0.95, 30, 0, 11, 1.0, 0.7317, 0.8451)
    with pytest.raises(OptionError, match="between 0 and 1"):
        evaluate(scored, truth, thresholds=(0.5, 1.5))
    with pytest.raises(OptionError, match="'phone' has nothing to join on"):
        baseline_query("phone")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("entity,case,same,record_a\n", None, "no column record_b"),
        (HEADER, None, "no pairs"),
        (HEADER + f"person,typo,maybe,{A},{B}\n", 2, "column same: not true or false: 'maybe'"),
        (HEADER + f"people,typo,true,{A},{B}\n", 2, "column entity: not one of person, vehicle, address"),
        (HEADER + f"person,,true,{A},{B}\n", 2, "column case: empty"),
        (HEADER + f"person,typo,true,N0000001,{B}\n", 2, "column record_a: not an absolute IRI: 'N0000001'"),
        (HEADER + f"person,typo,true,{A},{A}\n", 2, "column record_b: the same record as record_a"),
        (HEADER + f"person,typo,true,{A},{B}\nperson,twins,false,{B},{A}\n", 3, "listed already, in row 2"),
    ],
)
def test_a_bad_truth_file_names_file_row_column_and_value(
    tmp_path: Path, text: str, line: int | None, message: str
) -> None:
    path = tmp_path / "truth.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InstanceDataError, match=message) as caught:
        read_truth(path)
    assert caught.value.path == path and caught.value.line == line


def test_an_unreadable_truth_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "truth.csv"
    path.write_bytes(HEADER.encode() + b"person,caf\xe9,true,urn:a,urn:b\n")
    with pytest.raises(InstanceDataError, match="cannot read the ground truth"):
        read_truth(path)
    with pytest.raises(InstanceDataError, match="cannot read the ground truth"):
        read_truth(tmp_path / "missing.csv")
