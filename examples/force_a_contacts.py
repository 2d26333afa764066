"""Force A's phones, phone calls and family links: three more tables of its records system export.

``phones.csv`` holds the phone numbers known for a nominal (a mobile, sometimes a landline too),
``calls.csv`` the calls between numbers that a handset download or call data records gave (each end a
number, and the PHONE_ID of the nominal's phone where the number is one), and ``family.csv`` directed
family links between nominals ("FROM_REF is TO_REF's <REL_CODE>"). Faults are planted at the same rate
as in the other tables: a phone number written in national form, a call naming a phone record that is
not in the export, a call lasting a negative number of seconds, a family link to a nominal that is not in
the export and a family link with a code the force's list lacks.

The records are drawn from a ``random.Random`` of their own, seeded from the force's seed, so adding them
leaves every other table and fault of the export byte-identical. Phone numbers are in Ofcom's ranges
reserved for drama (07700 900000 to 900999, 01632 960000 to 960999), so none is anyone's real number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

FAULT_RATE = 0.02  # as generate_forces.FAULT_RATE
PHONE_OWNER_RATE = 0.40
LANDLINE_RATE = 0.15
CALLS_PER_PERSON = 0.50
KNOWN_END_RATE = 0.85
UNANSWERED_RATE = 0.30
FAMILY_PER_PERSON = 0.15
PARENT_GAP_YEARS = 16

HEADERS = {
    "phones": ("PHONE_ID", "OWNER_REF", "PHONE_TYPE", "PHONE_NUMBER"),
    "calls": (
        "CALL_ID", "CALL_DATE", "CALL_TIME", "DURATION_SECS", "CALLER_NUMBER", "CALLER_PHONE_REF",
        "CALLEE_NUMBER", "CALLEE_PHONE_REF",
    ),
    "family": ("REL_ID", "FROM_REF", "TO_REF", "REL_CODE"),
}  # fmt: skip
FILES = {name: f"force-a/{name}.csv" for name in HEADERS}
#: Force A's relationship codes (the crosswalk force-a-relationship maps them); CUZ is not one of them.
SYMMETRIC_CODES = ("SIB", "PTR", "EXP")
UNKNOWN_CODE = "CUZ"
CALLS_FROM, CALLS_DAYS = datetime(2024, 1, 1), 182


@dataclass(frozen=True, slots=True)
class Phone:
    """A nominal's phone: its owner's index, MOB or TEL, and the number in international form."""

    owner: int
    kind: str
    number: str


def _nominal_id(index: int) -> str:
    """A nominal's id as nominals.csv writes it (``N0000001``)."""
    return f"N{index + 1:07d}"


def _fault_count(n: int) -> int:
    return max(1, round(FAULT_RATE * n))


def _fault(code: str, file: str, row: int, column: str, value: str | None) -> dict[str, Any]:
    return {"code": code, "file": file, "row": row, "column": column, "value": value}


def _national(number: str) -> str:
    """``+447700900123`` as it is often typed, in national form with a space: ``07700 900123``."""
    digits = "0" + number.removeprefix("+44")
    return f"{digits[:5]} {digits[5:]}"


def _phones(rng: Random, people: int, mobiles: list[str], landlines: list[str]) -> list[Phone]:
    owners = sorted(rng.sample(range(people), min(round(PHONE_OWNER_RATE * people), len(mobiles) // 2)))
    phones = []
    for owner in owners:
        phones.append(Phone(owner, "MOB", mobiles.pop()))
        if rng.random() < LANDLINE_RATE and landlines:
            phones.append(Phone(owner, "TEL", landlines.pop()))
    return phones


def _end(rng: Random, known: Sequence[int], phones: Sequence[Phone], strangers: list[str]) -> tuple[str, str]:
    """One end of a call: a nominal's phone (number and PHONE_ID) or a number no record has."""
    if rng.random() < KNOWN_END_RATE or not strangers:
        index = rng.choice(known)
        return phones[index].number, f"PH{index + 1:07d}"
    return rng.choice(strangers), ""


def _calls(rng: Random, people: int, phones: Sequence[Phone], bad: set[int], strangers: list[str]) -> list[list[str]]:
    known = [i for i in range(len(phones)) if i not in bad]
    rows = []
    for number in range(round(CALLS_PER_PERSON * people)):
        caller = _end(rng, known, phones, strangers)
        callee = caller
        while callee[0] == caller[0]:
            callee = _end(rng, known, phones, strangers)
        when = CALLS_FROM + timedelta(seconds=rng.randrange(CALLS_DAYS * 86400))
        duration = 0 if rng.random() < UNANSWERED_RATE else rng.randint(3, 1800)
        rows.append(
            [f"CL{number + 1:07d}", when.strftime("%d/%m/%Y"), when.strftime("%H:%M"), str(duration), *caller, *callee]
        )
    return rows


def _family(rng: Random, births: Sequence[date | None]) -> list[list[str]]:
    rows = []
    for number in range(round(FAMILY_PER_PERSON * len(births))):
        first, second = rng.sample(range(len(births)), 2)
        a, b = births[first], births[second]
        if a and b and abs(a.year - b.year) >= PARENT_GAP_YEARS:
            older, younger = (first, second) if a < b else (second, first)
            pair, code = ((older, younger), "PAR") if rng.random() < 0.5 else ((younger, older), "CHD")
        else:
            pair, code = (first, second), rng.choice((*SYMMETRIC_CODES, "CAR"))
        rows.append([f"FL{number + 1:07d}", _nominal_id(pair[0]), _nominal_id(pair[1]), code])
    return rows


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """Write a UTF-8 CSV file row by row; return the number of data rows."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_force_a_contacts(
    folder: Path, *, seed: int, births: Sequence[date | None]
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Write phones.csv, calls.csv and family.csv for Force A's nominals (their dates of birth, in order,
    None where unknown) into *folder*; return the row counts and the planted faults."""
    rng = Random(f"force-a-contacts/{seed}")
    people = len(births)
    mobiles = [f"+447700900{n:03d}" for n in range(1000)]
    landlines = [f"+441632960{n:03d}" for n in range(1000)]
    rng.shuffle(mobiles)
    rng.shuffle(landlines)
    phones = _phones(rng, people, mobiles, landlines)
    strangers = mobiles[: max(1, len(mobiles) // 4)]  # numbers that are no nominal's phone
    malformed = set(rng.sample(range(len(phones)), _fault_count(len(phones))))
    calls = _calls(rng, people, phones, malformed, strangers)
    family = _family(rng, births)

    faults = []
    phone_rows = []
    for i, phone in enumerate(phones):
        number = _national(phone.number) if i in malformed else phone.number
        if i in malformed:
            faults.append(_fault("invalid-value", FILES["phones"], i + 1, "PHONE_NUMBER", number))
        phone_rows.append([f"PH{i + 1:07d}", _nominal_id(phone.owner), phone.kind, number])

    rows = rng.sample(range(len(calls)), 2 * _fault_count(len(calls)))
    half = len(rows) // 2
    for i in rows[:half]:  # a call naming a phone record the export does not have
        calls[i][7] = f"PH9{rng.randrange(10**6):06d}"
        faults.append(_fault("dangling-reference", FILES["calls"], i + 1, "CALLEE_PHONE_REF", calls[i][7]))
    for i in rows[half:]:  # a duration typed with a minus sign
        calls[i][3] = f"-{rng.randint(1, 600)}"
        faults.append(_fault("value-out-of-range", FILES["calls"], i + 1, "DURATION_SECS", calls[i][3]))

    rows = rng.sample(range(len(family)), 2 * _fault_count(len(family)))
    half = len(rows) // 2
    for i in rows[:half]:  # a relative who is not in the export
        family[i][2] = f"N{rng.randrange(9 * 10**6, 10**7)}"
        faults.append(_fault("dangling-reference", FILES["family"], i + 1, "TO_REF", family[i][2]))
    for i in rows[half:]:  # a code the force's list does not have
        family[i][3] = UNKNOWN_CODE
        faults.append(_fault("unknown-code", FILES["family"], i + 1, "REL_CODE", UNKNOWN_CODE))

    counts = {
        "phones": write_csv(folder / "phones.csv", HEADERS["phones"], phone_rows),
        "calls": write_csv(folder / "calls.csv", HEADERS["calls"], calls),
        "family": write_csv(folder / "family.csv", HEADERS["family"], family),
    }
    return counts, faults
