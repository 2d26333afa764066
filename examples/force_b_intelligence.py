"""Force B's intelligence reports and warrants, with the faults planted in them.

Force B's case management system exports, besides its crime reports and stop-searches, intelligence
reports graded with the national 3x5x2 system (``attributes.grading``: source evaluation 1 to 3,
intelligence assessment A to E, handling code P or C, and the conditions of a C) and the arrest warrants
the courts issued for its people (type, court, issue date, status and, once executed, when; the person in
``relationships.subject``). They follow the crime reports and stop-searches in ``data``. A report's
``relationships.subjects`` names the people it is about, each with a neutral role in its ``meta``: the person
its summary names is ``MENTIONED``, and about one report in three has a second person who is a ``PARTY`` to
what it reports (drawn from a ``Random`` of their own, so the rest of the export is as it was).

Three kinds of fault are planted, one record each (more at larger scales): an unknown source evaluation
("6", rejected: the grading is required; its subjects' links, which name it, are rejected with it), a
handling code C without its conditions (mapped, then found by the shapes' rule, naming the report's IRI under
the default base) and a warrant for a person the export does not hold (rejected).

The records are drawn from a ``Random`` of their own, seeded from the force's seed, so that every other
record and fault of the export stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from random import Random
from typing import Any

SOURCE_EVALUATIONS = {"1": 30, "2": 55, "3": 15}
INTELLIGENCE_ASSESSMENTS = {"A": 20, "B": 35, "C": 30, "D": 10, "E": 5}
HANDLING_CODES = {"P": 70, "C": 30}
CONDITIONS = (
    "Not to be shared outside Force B without the originator's consent.",
    "Sanitised version only for partner agencies.",
    "Share with the Local Authority Designated Officer only.",
)
#: Force B's warrant types and statuses, in its own words.
WARRANT_TYPES = {"ARREST": 60, "FAIL_TO_APPEAR": 30, "COMMITMENT": 10}
WARRANT_STATUSES = {"OUTSTANDING": 45, "EXECUTED": 45, "WITHDRAWN": 10}
COURTS = ("Leeds Magistrates' Court", "Bradford and Keighley Magistrates' Court", "Wakefield Magistrates' Court")

BASE_COUNTS = {"intelligence-reports": 24, "warrants": 16}
#: How often a report has a second subject, a party to what it reports.
PARTY_SHARE = 1 / 3
#: Where validation puts Force B's records by default: a shape finding names the record's IRI as its value.
DEFAULT_BASE = "https://w3id.org/policeonto/data/"


@dataclass(frozen=True)
class JusticeRecords:
    """What Force B's export gains: the ``data`` records, their counts and the faults planted in them."""

    data: list[dict[str, Any]]
    counts: dict[str, int]
    faults: list[dict[str, Any]]


def _weighted(rng: Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _moment(rng: Random) -> datetime:
    """A moment in 2024, to the minute."""
    day = date(2024, 1, 1) + timedelta(days=rng.randrange(366))
    return datetime(day.year, day.month, day.day) + timedelta(minutes=rng.randrange(24 * 60))


def _fault(code: str, file: str, row: int, column: str | None, value: str | None) -> dict[str, Any]:
    return {"code": code, "file": file, "row": row, "column": column, "value": value}


def _intelligence_report(rng: Random, number: int, people: int) -> dict[str, Any]:
    handling = _weighted(rng, HANDLING_CODES)
    subject = rng.randrange(people)
    return {
        "type": "intelligence-reports",
        "id": f"IR-24-{number:06d}",
        "attributes": {
            "submittedAt": _moment(rng).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "grading": {
                "source": _weighted(rng, SOURCE_EVALUATIONS),
                "intelligence": _weighted(rng, INTELLIGENCE_ASSESSMENTS),
                "handling": handling,
            },
            "handlingConditions": rng.choice(CONDITIONS) if handling == "C" else None,
            "summary": f"Information about PER-{subject + 1:06d}.",
        },
        "relationships": {"subjects": {"data": [_subject(subject, "MENTIONED")]}},
    }


def _subject(person: int, role: str) -> dict[str, Any]:
    return {"type": "persons", "id": f"PER-{person + 1:06d}", "meta": {"role": role}}


def _add_parties(reports: list[dict[str, Any]], rng: Random, people: int) -> None:
    """Give about one report in :data:`PARTY_SHARE` a second subject: a person party to what it reports."""
    for report in reports:
        subjects = report["relationships"]["subjects"]["data"]
        party = rng.randrange(people)
        if rng.random() < PARTY_SHARE and f"PER-{party + 1:06d}" != subjects[0]["id"]:
            subjects.append(_subject(party, "PARTY"))


def _warrant(rng: Random, number: int, people: int) -> dict[str, Any]:
    issued = _moment(rng)
    status = _weighted(rng, WARRANT_STATUSES)
    executed = issued + timedelta(hours=rng.randrange(6, 24 * 60)) if status == "EXECUTED" else None
    return {
        "type": "warrants",
        "id": f"WR-24-{number:06d}",
        "attributes": {
            "warrantType": _weighted(rng, WARRANT_TYPES),
            "court": rng.choice(COURTS),
            "issuedOn": issued.date().isoformat(),
            "status": status,
            "executedAt": executed.strftime("%Y-%m-%dT%H:%M:%SZ") if executed else None,
        },
        "relationships": {"subject": {"data": {"type": "persons", "id": f"PER-{rng.randrange(people) + 1:06d}"}}},
    }


def justice_records(seed: int, scale: float, *, people: int, first_row: int, file: str) -> JusticeRecords:
    """Force B's intelligence reports and warrants for *seed* and *scale*, with their planted faults.

    Parameters:
        seed: the force's seed (the records draw from ``Random(f"{seed}/force-b/justice")``).
        scale: the multiplier on the record counts.
        people: how many persons the export holds (``PER-000001`` on).
        first_row: the row (from 1, in ``data``) of the first record.
        file: the export's path as the ground truth names it.

    >>> records = justice_records(7, 1.0, people=300, first_row=401, file="force-b/export.json")
    >>> records.counts
    {'intelligence-reports': 24, 'intelligence-subjects': 29, 'warrants': 16}
    >>> sorted({f["code"] for f in records.faults})
    ['dangling-reference', 'shape-node', 'unknown-code']
    """
    rng = Random(f"{seed}/force-b/justice")
    n_reports = max(3, round(BASE_COUNTS["intelligence-reports"] * scale))
    n_warrants = max(3, round(BASE_COUNTS["warrants"] * scale))
    reports = sorted(
        (_intelligence_report(rng, 0, people) for _ in range(n_reports)), key=lambda r: r["attributes"]["submittedAt"]
    )
    warrants = sorted((_warrant(rng, 0, people) for _ in range(n_warrants)), key=lambda w: w["attributes"]["issuedOn"])
    for number, record in enumerate(reports, start=1):
        record["id"] = f"IR-24-{number:06d}"
    _add_parties(reports, Random(f"{seed}/force-b/intelligence-subjects"), people)
    for number, record in enumerate(warrants, start=1):
        record["id"] = f"WR-24-{number:06d}"

    faults = []
    unknown, unconditioned = rng.sample(range(n_reports), 2)
    reports[unknown]["attributes"]["grading"]["source"] = "6"
    faults.append(_fault("unknown-code", file, first_row + unknown, "attributes.grading.source", "6"))
    for _ in reports[unknown]["relationships"]["subjects"]["data"]:  # a link to a rejected report dangles
        faults.append(_fault("dangling-reference", file, first_row + unknown, "id", reports[unknown]["id"]))
    attributes = reports[unconditioned]["attributes"]
    attributes["grading"]["handling"], attributes["handlingConditions"] = "C", None
    iri = f"{DEFAULT_BASE}force-b/intelligence/{reports[unconditioned]['id']}"
    faults.append(_fault("shape-node", file, first_row + unconditioned, None, iri))

    missing = rng.randrange(n_warrants)
    absent = f"PER-{rng.randrange(900000, 1000000):06d}"
    warrants[missing]["relationships"]["subject"]["data"]["id"] = absent
    row = first_row + n_reports + missing
    faults.append(_fault("dangling-reference", file, row, "relationships.subject.data.id", absent))
    subjects = sum(len(r["relationships"]["subjects"]["data"]) for r in reports)
    counts = {"intelligence-reports": n_reports, "intelligence-subjects": subjects, "warrants": n_warrants}
    return JusticeRecords(reports + warrants, counts, faults)
