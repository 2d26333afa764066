"""Communications and approximate event times (issue 16): phone calls, messages and emails with their
parties (caller, callee, sender, recipient, copied...), direction and duration; events timed by a date, a
month, a range of dates or an exact time, one form at a time, a range never ending before it starts. Each
fixture is checked in both engines: the fast engine must report exactly what pySHACL reports, and both what
the fixture states."""

from __future__ import annotations

import csv
import importlib.util
import io
import sys
from datetime import date
from pathlib import Path

import pytest
from rdflib import SKOS, Graph, URIRef

from policeonto.fastshacl.report import report_keys
from policeonto.instances import load_records, records_to_graph
from policeonto.mapping import map_files
from policeonto.shacl import run_pyshacl
from policeonto.validation import validate
from tests.conftest import DATA
from tests.stated import both_engines, check_stated, fast_results

POLE = "https://w3id.org/policeonto/"
PARTY_ROLE = "https://w3id.org/policeonto/code/communication-party-role/"
EVERY_CLASS = DATA.parents[1] / "examples" / "every-class.yaml"

NEW_INVALID = [
    "communication-party-bad-number.ttl",
    "communication-party-not-a-communication.ttl",
    "communication-party-unknown-role.ttl",
    "communication-party-without-communication.ttl",
    "communication-party-without-party.ttl",
    "communication-party-without-role.ttl",
    "communication-unknown-direction.ttl",
    "event-date-and-month.ttl",
    "event-date-and-start-time.ttl",
    "event-date-with-time.ttl",
    "event-range-and-date.ttl",
    "event-range-and-month.ttl",
    "event-range-and-start-time.ttl",
    "event-range-reversed.ttl",
    "event-range-without-earliest.ttl",
    "event-range-without-latest.ttl",
    "message-without-kind.ttl",
    "phone-call-negative-duration.ttl",
]


@pytest.mark.parametrize("name", NEW_INVALID)
def test_each_fault_is_exactly_the_stated_result_in_both_engines(name: str, shapes: Graph) -> None:
    check_stated(DATA / "invalid" / name, shapes)


def test_calls_messages_emails_and_every_form_of_time_conform_in_both_engines(shapes: Graph) -> None:
    graph = Graph().parse(DATA / "valid" / "communications.ttl", format="turtle")
    assert both_engines(graph, shapes) == set()


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_reversed_range_is_one_finding_naming_both_dates(engine: str) -> None:
    (finding,) = validate([DATA / "invalid" / "event-range-reversed.ttl"], engine=engine).findings
    assert finding.code == "shape-sparql"
    assert (finding.focus_node, finding.path, finding.value) == (
        "https://example.org/crime-1",
        POLE + "earliest_date",
        "2024-02-17",
    )
    assert "2024-02-17" in finding.message and "2024-02-10" in finding.message


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_party_naming_no_party_is_one_finding_on_the_party_link(engine: str) -> None:
    (finding,) = validate([DATA / "invalid" / "communication-party-without-party.ttl"], engine=engine).findings
    assert (finding.code, finding.focus_node) == ("shape-or", "https://example.org/party-1")


def test_every_party_role_says_which_end_of_the_communication_it_is(codelists: Graph) -> None:
    """Direction is read from the roles: a caller or sender is the end a communication came from."""
    codes = set(codelists.subjects(SKOS.inScheme, URIRef(PARTY_ROLE.rstrip("/"))))
    ends = {}
    for code in codes:
        notes = [str(n) for n in codelists.objects(code, SKOS.scopeNote) if str(n).startswith("end: ")]
        assert len(notes) == 1, f"{code} names no single end"
        ends[str(code).removeprefix(PARTY_ROLE)] = notes[0].removeprefix("end: ")
    assert ends == {
        "caller": "from",
        "callee": "to",
        "sender": "from",
        "recipient": "to",
        "copied": "to",
        "blind-copied": "to",
    }


def test_the_every_class_example_has_a_call_with_both_parties_and_an_email_timed_by_a_range() -> None:
    graph = records_to_graph(load_records(EVERY_CLASS))
    calls = set(graph.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(POLE + "PhoneCall")))
    assert len(calls) == 1
    (call,) = calls
    roles = {
        graph.value(link, URIRef(POLE + "party_role")) for link in graph.subjects(URIRef(POLE + "communication"), call)
    }
    assert roles == {URIRef(PARTY_ROLE + "caller"), URIRef(PARTY_ROLE + "callee")}
    emails = set(
        graph.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(POLE + "EmailMessage"))
    )
    assert [str(graph.value(e, URIRef(POLE + "earliest_date"))) for e in emails] == ["2024-03-01"]


FORCE_A = DATA.parents[1] / "examples" / "force-a"


@pytest.fixture(scope="module")
def force_a_contacts() -> Graph:
    """Force A's nominals (with their homes), phones, calls and family links, mapped."""
    out = io.BytesIO()
    map_files([FORCE_A / f"{name}.csv" for name in ("nominals", "locations", "phones", "calls", "family")], out)
    return Graph().parse(data=out.getvalue().decode("utf-8"), format="nt")


def _first_row(name: str, **wanted: str) -> dict[str, str]:
    with (FORCE_A / f"{name}.csv").open(encoding="utf-8") as handle:
        return next(r for r in csv.DictReader(handle) if all(r[k] == v for k, v in wanted.items()))


def test_a_force_a_family_link_keeps_who_is_whose_parent(force_a_contacts: Graph) -> None:
    row = _first_row("family", REL_CODE="PAR")
    link = URIRef(f"{POLE}data/force-a/family/{row['REL_ID']}")
    graph = force_a_contacts
    assert graph.value(link, URIRef(POLE + "person")) == URIRef(f"{POLE}data/force-a/nominal/{row['FROM_REF']}")
    assert graph.value(link, URIRef(POLE + "relative")) == URIRef(f"{POLE}data/force-a/nominal/{row['TO_REF']}")
    assert graph.value(link, URIRef(POLE + "relationship_type")) == URIRef(POLE + "code/relationship-type/parent")


def test_a_force_a_call_has_its_caller_and_callee_with_their_numbers_and_phones(force_a_contacts: Graph) -> None:
    row = next(
        r
        for r in csv.DictReader((FORCE_A / "calls.csv").open(encoding="utf-8"))
        if r["CALLER_PHONE_REF"]
        and not r["CALLEE_PHONE_REF"]
        and r["DURATION_SECS"] not in ("", "0")
        and not r["DURATION_SECS"].startswith("-")
    )
    graph = force_a_contacts
    call = URIRef(f"{POLE}data/force-a/call/{row['CALL_ID']}")
    assert (call, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(POLE + "PhoneCall")) in graph
    assert graph.value(call, URIRef(POLE + "duration_seconds")).toPython() == int(row["DURATION_SECS"])
    day, month, year = row["CALL_DATE"].split("/")
    assert str(graph.value(call, URIRef(POLE + "start_time"))) == f"{year}-{month}-{day}T{row['CALL_TIME']}:00"
    parties = {
        str(graph.value(p, URIRef(POLE + "party_role"))).rsplit("/", 1)[1]: p
        for p in graph.subjects(URIRef(POLE + "communication"), call)
    }
    assert set(parties) == {"caller", "callee"}
    assert str(graph.value(parties["caller"], URIRef(POLE + "phone_number"))) == row["CALLER_NUMBER"]
    phone = graph.value(parties["caller"], URIRef(POLE + "contact_point"))
    assert phone == URIRef(f"{POLE}data/force-a/phone/{row['CALLER_PHONE_REF']}")
    assert str(graph.value(phone, URIRef(POLE + "phone_number"))) == row["CALLER_NUMBER"]
    owner = _first_row("phones", PHONE_ID=row["CALLER_PHONE_REF"])["OWNER_REF"]
    assert graph.value(phone, URIRef(POLE + "person")) == URIRef(f"{POLE}data/force-a/nominal/{owner}")
    assert str(graph.value(parties["callee"], URIRef(POLE + "phone_number"))) == row["CALLEE_NUMBER"]
    assert graph.value(parties["callee"], URIRef(POLE + "contact_point")) is None


def test_force_a_contacts_come_from_a_generator_of_their_own_given_only_the_seed_and_births(tmp_path: Path) -> None:
    """Force A's phones, calls and family links are drawn from a random generator of their own, from the
    seed and the drawn nominals' dates of birth alone, so the tables drawn before them stay byte-identical."""
    spec = importlib.util.spec_from_file_location("force_a_contacts", FORCE_A.parent / "force_a_contacts.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    with (FORCE_A / "nominals.csv").open(encoding="utf-8") as handle:
        births = [
            date(int(d[6:]), int(d[3:5]), int(d[:2])) if (d := r["DOB"]) else None for r in csv.DictReader(handle)
        ]
    drawn = births[:300]  # the 35 people planted for the linkage cases come after, from a stream of their own
    counts, faults = module.write_force_a_contacts(tmp_path, seed=7, births=drawn)
    for name in ("phones", "calls", "family"):
        assert (tmp_path / f"{name}.csv").read_bytes() == (FORCE_A / f"{name}.csv").read_bytes()
    assert counts == {"phones": 148, "calls": 150, "family": 45}
    assert {(f["file"], f["code"]) for f in faults} == {
        ("force-a/phones.csv", "invalid-value"),
        ("force-a/calls.csv", "dangling-reference"),
        ("force-a/calls.csv", "value-out-of-range"),
        ("force-a/family.csv", "dangling-reference"),
        ("force-a/family.csv", "unknown-code"),
    }


def test_force_a_phones_calls_and_family_links_as_mapped_conform_in_both_engines(
    force_a_contacts: Graph, shapes: Graph
) -> None:
    """What survives mapping (the faulty rows rejected, the faulty values dropped) conforms to the shapes,
    and the two engines agree on it."""
    kinds = {URIRef(POLE + k) for k in ("PhoneCall", "CommunicationParty", "PersonContactPoint", "PersonRelationship")}
    typed = set(force_a_contacts.objects(None, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")))
    assert kinds <= typed
    assert fast_results(force_a_contacts) == set()
    conforms, report, _ = run_pyshacl(force_a_contacts, shapes)
    assert conforms and report_keys(report) == set()
