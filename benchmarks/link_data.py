"""Write N person records of two fictional forces for the linkage benchmark, with the ground truth, seeded
and streamed (memory stays flat whatever N).

Force A gets half the records as its records system writes them (``force-a/nominals.csv`` and the homes in
``force-a/locations.csv``), Force B the other half as its case management system does (the persons and
their addresses in ``force-b/export.json``, a JSON:API document), so the bundled mappings read both. A
share of Force B's records (``--share``, default 0.2) are people Force A knows too, each written with one
of the hard cases of the force examples (``examples/linkage_cases.py``): the same PNC ID in both, or no
identifier in common with a typo, a transposed date of birth, a married surname, a move, a nickname or
another spelling. A further 2% of Force B's records are look-alikes of a Force A person (a twin, a son of
the same name at the same address, someone who shares a common name). ``linkage-truth.csv`` lists every
pair of one person and every look-alike pair, as ``policeonto.linkage.truth`` reads it.

    python benchmarks/link_data.py 100000 out/link-100k --seed 7
    python benchmarks/link_data.py 1000000 out/link-1m --seed 7

Each person is drawn from a random stream of their own (seeded with the seed and their number), and the
order Force B writes its records in is a fixed permutation, so nothing is held but the current record.
Force B's ``included`` array holds each person followed by their address.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from random import Random
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))  # the force examples' hard cases
from linkage_cases import Who, born, typo

BASE = "https://w3id.org/policeonto/data/"
LOOK_ALIKE_SHARE = 0.02
PNC_RATE = 0.4
PNC_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"

MALE = (
    "James", "John", "David", "Michael", "Paul", "Mark", "Andrew", "Richard", "Daniel", "Thomas", "Christopher",
    "Matthew", "Robert", "Stephen", "Sean", "Philip", "Mohammed", "Liam", "Connor", "Jack", "Harry", "Oliver",
    "Gareth", "Rhys", "Callum", "Kieran", "Ryan", "Jamal", "Tariq", "Wayne", "Gary", "Lee", "Darren", "Craig",
    "Neil", "Dean", "Jason", "Martin", "Adrian", "Colin", "William", "Peter", "Anthony", "Edward", "Joseph",
)  # fmt: skip
FEMALE = (
    "Sarah", "Emma", "Laura", "Rebecca", "Catherine", "Claire", "Zoe", "Ann", "Rachel", "Hannah", "Sophie",
    "Charlotte", "Jessica", "Amy", "Lauren", "Chloe", "Megan", "Natalie", "Kelly", "Donna", "Joanne", "Aisha",
    "Priya", "Fatima", "Niamh", "Bethan", "Shannon", "Leanne", "Gemma", "Tracey", "Nicola", "Lisa", "Michelle",
    "Julie", "Karen", "Stacey", "Amanda", "Louise", "Margaret", "Elizabeth", "Susan", "Deborah", "Victoria",
)  # fmt: skip
SURNAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts",
    "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris",
    "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Lee",
    "King", "Baker", "Harrison", "Morgan", "Allen", "Scott", "Phillips", "Watson", "Parker", "Price", "Bennett",
    "Young", "Griffiths", "Mitchell", "Kelly", "Carter", "Bailey", "Collins", "Murphy", "Khan", "Ahmed", "Begum",
    "Hussain", "O'Neill", "MacDonald", "Okafor", "Fletcher", "Hardy", "Chapman", "Marsh", "Gibson", "Porter",
    "Holmes", "Barker", "Shaw", "Dixon", "Reynolds", "Pearce", "Fisher", "Booth", "Kerr", "Quinn", "Stewart",
    "Doherty", "Akhtar", "McLean", "Campbell", "Anderson", "Murray", "Reid", "Ross", "Graham", "Fraser",
)  # fmt: skip
FORENAME_VARIANTS = {
    "William": "Bill", "Margaret": "Peggy", "Mohammed": "Muhammad", "Robert": "Bob", "Elizabeth": "Liz",
    "Stephen": "Steven", "Catherine": "Katherine", "Claire": "Clare", "Philip": "Phillip", "Sean": "Shaun",
    "Zoe": "Zoë", "Ann": "Anne", "Anthony": "Tony", "Edward": "Ted", "Susan": "Sue", "Deborah": "Debbie",
    "Victoria": "Vicky", "Peter": "Pete", "Joseph": "Joe", "Thomas": "Tom", "James": "Jim", "Michael": "Mike",
}  # fmt: skip
SURNAME_VARIANTS = {"MacDonald": "McDonald", "O'Neill": "O Neill", "McLean": "MacLean", "Thompson": "Thomson"}
STREETS = (
    "High Street", "Station Road", "Church Lane", "Mill Lane", "Victoria Road", "Park Avenue", "Queens Road",
    "London Road", "Green Lane", "Manor Way", "The Crescent", "Kings Walk", "School Lane", "North Street",
    "Chapel Row", "Orchard Close", "Meadow View", "Bridge Street", "Market Place", "Alexandra Terrace",
)  # fmt: skip
TOWNS = {"A": (("Ashbridge", "AH"), ("Kingsmere", "KM"), ("Hollinford", "HF")),
         "B": (("Westwick", "WK"), ("Lowmoor", "LM"), ("Carrow", "CW"))}  # fmt: skip
INWARD = "ABDEFGHJLNPQRSTUWXYZ"
IC_TO_SDE = {"IC1": "W1", "IC2": "W9", "IC3": "B1", "IC4": "A1", "IC5": "A4", "IC6": "O2", "IC9": "NS"}
IC_CODES = ("IC1",) * 14 + ("IC3", "IC3", "IC4", "IC4", "IC2", "IC6")
B_GENDERS = {"M": "MALE", "F": "FEMALE"}
#: The cases of one person in both forces, with their weights.
SAME_CASES = {
    "shared-pnc": 30, "no-shared-identifier": 20, "forename-typo": 8, "surname-typo": 8,
    "transposed-birth-date": 6, "married-surname": 6, "moved-address": 10, "forename-variant": 8,
    "surname-variant": 4,
}  # fmt: skip
LOOK_ALIKE_CASES = ("twins", "father-and-son", "common-name")

A_NOMINALS = ("NOMINAL_ID", "SURNAME", "FORENAME", "DOB", "SEX", "ETHNIC_APPEARANCE", "PNC_ID", "HOME_LOCATION_REF")
A_LOCATIONS = ("LOCATION_ID", "PREMISES", "STREET", "TOWN", "POSTCODE")
TRUTH = ("entity", "case", "same", "record_a", "record_b")


@dataclass(frozen=True, slots=True)
class Home:
    premises: str
    street: str
    town: str
    postcode: str


@dataclass(frozen=True, slots=True)
class Record(Who):
    """A person of the examples' cases, with their PNC ID and home."""

    pnc: str | None
    home: Home


def _home(rng: Random, force: str) -> Home:
    town, area = rng.choice(TOWNS[force])
    postcode = f"{area}{rng.randint(1, 19)} {rng.randint(0, 9)}{rng.choice(INWARD)}{rng.choice(INWARD)}"
    return Home(str(rng.randint(1, 240)), rng.choice(STREETS), town, postcode)


def _pnc(rng: Random, number: int) -> str:
    """A PNC ID unique to *number* (the serial holds it), with its check letter."""
    year = rng.choice((*range(70, 100), *range(0, 24)))
    serial = 1_000_000 + number
    return f"{year:02d}/{serial}{PNC_CHECK_LETTERS[int(f'{year:02d}{serial:07d}') % 23]}"


def _person(seed: int, number: int, force: str = "A") -> Record:
    """Person *number*, the same for a seed however many are written."""
    rng = Random(seed * 10_000_019 + number)
    sex = rng.choice("MF")
    forename = rng.choice(MALE if sex == "M" else FEMALE)
    pnc = _pnc(rng, number) if rng.random() < PNC_RATE else None
    birth = born(rng, 1940, 2008)
    return Record(forename, rng.choice(SURNAMES), birth, sex, rng.choice(IC_CODES), pnc, _home(rng, force))


def _same(rng: Random, who: Record) -> tuple[str, Record]:
    """Force B's record of Force A's person *who*, with the case it was written under: cases are drawn
    by weight until one fits the person (a transposed date needs a day of 12 or less, a nickname a name
    that has one)."""
    for _ in range(20):
        case = rng.choices(list(SAME_CASES), weights=list(SAME_CASES.values()))[0]
        written = _written(rng, case, who)
        if written is not None:
            return case, written
    return "no-shared-identifier", replace(who, pnc=None)


def _written(rng: Random, case: str, who: Record) -> Record | None:
    """*who* as Force B writes them under *case*, or None if the case does not fit them."""
    kept = replace(who, pnc=None)
    if case == "shared-pnc":
        return who if who.pnc else None
    if case == "no-shared-identifier":
        return kept
    if case == "forename-typo":
        return replace(kept, forename=typo(rng, who.forename)) if len(who.forename) > 2 else None
    if case == "surname-typo":
        return replace(kept, surname=typo(rng, who.surname)) if len(who.surname) > 3 else None
    if case == "transposed-birth-date":
        fits = who.birth.day <= 12 and who.birth.day != who.birth.month
        return replace(kept, birth=date(who.birth.year, who.birth.day, who.birth.month)) if fits else None
    if case == "married-surname":
        surname = rng.choice([s for s in SURNAMES if s != who.surname])
        return replace(kept, surname=surname, home=_home(rng, "B")) if who.sex == "F" else None
    if case == "moved-address":
        return replace(kept, home=_home(rng, "B"))
    if case == "forename-variant":
        return replace(kept, forename=FORENAME_VARIANTS[who.forename]) if who.forename in FORENAME_VARIANTS else None
    assert case == "surname-variant"
    return replace(kept, surname=SURNAME_VARIANTS[who.surname]) if who.surname in SURNAME_VARIANTS else None


def _look_alike(rng: Random, who: Record) -> tuple[str, Record]:
    """Someone else who looks like Force A's person *who* to Force B."""
    case = rng.choice(LOOK_ALIKE_CASES)
    names = MALE if who.sex == "M" else FEMALE
    if case == "twins":
        return case, replace(who, forename=rng.choice([n for n in names if n != who.forename]), pnc=None)
    if case == "father-and-son" and who.birth.year <= 1985:
        return case, replace(who, birth=born(rng, who.birth.year + 20, who.birth.year + 23), pnc=None)
    stranger = replace(_person(rng.randrange(1 << 30), 0, "B"), forename=who.forename, surname=who.surname)
    return "common-name", replace(stranger, sex=who.sex, pnc=None)


def _stride(n: int, salt: int) -> int:
    """A step coprime with *n*, so ``(i * step + salt) % n`` visits every number below *n* once."""
    step = max(1, int(n * 0.6180339887) + salt % 97)
    while math.gcd(step, n) != 1:
        step += 1
    return step


def _a_id(i: int) -> str:
    return f"N{i + 1:07d}"


def _b_id(j: int) -> str:
    return f"PER-{j + 1:06d}"


def _b_resources(
    seed: int, n: int, shared: int, alike: int
) -> Iterator[tuple[dict[str, Any], dict[str, Any], list[str] | None]]:
    """Force B's persons in their written order, each with its address and its ground-truth row."""
    a_step, b_step = _stride(n, seed), _stride(n, seed + 1)
    for j in range(n):
        k = (j * b_step + seed) % n  # the k-th drawn record goes to position j
        rng = Random(seed * 7_000_003 + k)
        truth = None
        if k < shared + alike:
            i = (k * a_step + seed) % n  # the Force A person it is drawn from
            same = k < shared
            case, who = (_same if same else _look_alike)(rng, _person(seed, i))
            truth = ["person", case, "true" if same else "false", f"{BASE}force-a/nominal/{_a_id(i)}",
                     f"{BASE}force-b/person/{_b_id(j)}"]  # fmt: skip
        else:
            who = _person(seed, n + k, "B")
        person = {
            "type": "persons",
            "id": _b_id(j),
            "attributes": {
                "name": {"given": who.forename, "family": who.surname},
                "birthDate": who.birth.isoformat(),
                "gender": B_GENDERS[who.sex],
                "selfDefinedEthnicity": IC_TO_SDE[who.ic],
                "pncNumber": who.pnc,
            },
            "relationships": {"homeAddress": {"data": {"type": "addresses", "id": f"ADR-{j + 1:06d}"}}},
        }
        line1 = f"{who.home.premises} {who.home.street}"
        address = {
            "type": "addresses",
            "id": f"ADR-{j + 1:06d}",
            "attributes": {"address": {"line1": line1, "town": who.home.town, "postcode": who.home.postcode}},
        }
        yield person, address, truth


def write(out: Path, records: int, *, seed: int = 7, share: float = 0.2) -> dict[str, int]:
    """Write *records* person records (half in each force) and the ground truth under *out*; return counts."""
    if records < 2 or not 0 <= share <= 1:
        raise ValueError("records must be at least 2 and share between 0 and 1")
    n = records // 2
    shared = round(share * n)
    alike = min(n - shared, round(LOOK_ALIKE_SHARE * n))
    (out / "force-a").mkdir(parents=True, exist_ok=True)
    (out / "force-b").mkdir(parents=True, exist_ok=True)
    with (
        (out / "force-a" / "nominals.csv").open("w", encoding="utf-8", newline="") as nominals,
        (out / "force-a" / "locations.csv").open("w", encoding="utf-8", newline="") as locations,
    ):
        people, places = csv.writer(nominals, lineterminator="\n"), csv.writer(locations, lineterminator="\n")
        people.writerow(A_NOMINALS)
        places.writerow(A_LOCATIONS)
        for i in range(n):
            who = _person(seed, i)
            people.writerow([_a_id(i), who.surname, who.forename, who.birth.strftime("%d/%m/%Y"), who.sex, who.ic,
                             who.pnc or "", f"L{i + 1:07d}"])  # fmt: skip
            places.writerow([f"L{i + 1:07d}", who.home.premises, who.home.street, who.home.town, who.home.postcode])
    matches = 0
    with (
        (out / "force-b" / "export.json").open("w", encoding="utf-8", newline="\n") as export,
        (out / "linkage-truth.csv").open("w", encoding="utf-8", newline="") as truth_file,
    ):
        truth = csv.writer(truth_file, lineterminator="\n")
        truth.writerow(TRUTH)
        export.write('{"jsonapi": {"version": "1.1"}, "meta": {"system": "Force B case management"}, "data": [],\n')
        export.write('"included": [')
        separator = "\n"
        for person, address, row in _b_resources(seed, n, shared, alike):
            export.write(
                f"{separator}{json.dumps(person, ensure_ascii=False)},\n{json.dumps(address, ensure_ascii=False)}"
            )
            separator = ",\n"
            if row is not None:
                truth.writerow(row)
                matches += row[2] == "true"
        export.write("\n]}\n")
    return {"force-a": n, "force-b": n, "same-person pairs": matches, "look-alike pairs": shared + alike - matches}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("records", type=int, help="person records in all (half in each force)")
    parser.add_argument("out", type=Path, help="output folder")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--share", type=float, default=0.2, help="share of Force B's records Force A knows too")
    args = parser.parse_args(argv)
    counts = write(args.out, args.records, seed=args.seed, share=args.share)
    print(", ".join(f"{kind}: {count:,}" for kind, count in counts.items()))


if __name__ == "__main__":
    main()
