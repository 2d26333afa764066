"""Generate the records-system exports of two fictional police forces, with a ground truth to test against.

Force A runs an older relational records system. Its export is a set of CSV files, one per table, with
upper-case column names, ``dd/mm/yyyy`` dates, local offence codes beside the Home Office class and CJS
code, PNC "IC" ethnic appearance codes, and a generic link table that joins occurrences to nominals and
objects with three- and four-letter role codes.

Force B runs a newer case management system. Its export is a single JSON:API document: crime reports and
stop-searches in ``data``, and the persons, vehicles and addresses they refer to in ``included``. It uses
ISO 8601 dates, free-text offence, power and result labels, the 18+1 self-defined ethnicity codes and a
role vocabulary of its own. Intelligence reports graded 3x5x2 and warrants follow in ``data``, with three
faults of their own (``force_b_intelligence.py``).

Some people and vehicles appear in both exports (the same PNC ID or registration mark, the name sometimes
spelt differently), one person of interest is planted in both, and four kinds of fault are planted at a
known rate. ``ground-truth.json`` records the counts, every planted fault, the people and vehicles known
to both forces, the two-hop neighbourhood of the person of interest and the expected aggregate figures.

Everything is invented: the forces, people, vehicles, places, postcodes, PNC IDs and registration marks.
Home Office classes and CJS offence codes are shaped like the real formats; 028/01 (burglary in a
dwelling), TH68010 (shoplifting) and CJ88116 (battery) are real examples, the others are illustrative.
The same seed and scale always give byte-identical files::

    python examples/generate_forces.py [--seed 7] [--scale 1.0] [--out examples]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the modules that grow each force's export
from force_a_contacts import write_csv, write_force_a_contacts
from force_b_intelligence import JusticeRecords, justice_records
from linkage_cases import Makers, Pair, plant_linkage_cases
from linkage_objects import ObjectMakers, plant_object_cases

FAULT_RATE = 0.02
SHARED_RATE = 0.08
PNC_RATE = 0.40
HOME_RATE = 0.70
CRIME_SHARE = 0.75
VEHICLE_LINK_SHARE = 0.30

BASE_COUNTS = {"people": 300, "vehicles": 120, "places": 200, "occurrences": 400}
# The person of interest needs two crimes, a second person and a location of their own.
MIN_COUNTS = {"people": 4, "vehicles": 1, "places": 2, "occurrences": 4}

POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}|GIR 0AA)$")

POI_PNC = "99/1234567B"
#: The base IRI the bundled mappings mint records under, and the linkage ground truth beside the exports.
DATA_BASE = "https://w3id.org/policeonto/data/"
LINKAGE_TRUTH = "linkage-truth.csv"
LINKAGE_HEADER = ("entity", "case", "same", "record_a", "record_b")
#: The PNC check letters: the alphabet without I, O and S, Z first (CJS Data Standards Catalogue 6).
PNC_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
POI_FORENAME, POI_SURNAME, POI_BIRTH = "Marcus", "Holloway", date(1986, 7, 14)

MALE_FORENAMES = (
    "James", "John", "David", "Michael", "Paul", "Mark", "Andrew", "Richard", "Daniel", "Thomas",
    "Christopher", "Matthew", "Robert", "Stephen", "Sean", "Philip", "Mohammed", "Liam", "Connor", "Jack",
    "Harry", "Oliver", "Gareth", "Rhys", "Callum", "Kieran", "Ryan", "Jamal", "Tariq", "Wayne",
)  # fmt: skip
FEMALE_FORENAMES = (
    "Sarah", "Emma", "Laura", "Rebecca", "Catherine", "Claire", "Zoe", "Ann", "Rachel", "Hannah",
    "Sophie", "Charlotte", "Jessica", "Amy", "Lauren", "Chloe", "Megan", "Natalie", "Kelly", "Donna",
    "Joanne", "Aisha", "Priya", "Fatima", "Siân", "Niamh", "Bethan", "Shannon", "Leanne", "Gemma",
)  # fmt: skip
SURNAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
    "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
    "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill",
    "Ward", "Morris", "Moore", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "Scott",
    "Phillips", "Watson", "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Carter",
    "Bailey", "Collins", "Murphy", "Khan", "Ahmed", "Begum", "Hussain", "O'Neill", "MacDonald", "Okafor",
)  # fmt: skip
MALE_VARIANTS = {"John": "Jon", "Mohammed": "Muhammad", "Stephen": "Steven", "Sean": "Shaun", "Philip": "Phillip"}
FEMALE_VARIANTS = {"Catherine": "Katherine", "Claire": "Clare", "Zoe": "Zoë", "Ann": "Anne"}
SURNAME_VARIANTS = {
    "Smith": "Smyth",
    "O'Neill": "ONEILL",
    "Thompson": "Thomson",
    "MacDonald": "McDonald",
    "Davies": "Davis",
}

STREETS = (
    "High Street", "Station Road", "Church Lane", "Mill Lane", "Victoria Road", "Park Avenue", "Queens Road",
    "London Road", "Green Lane", "Manor Way", "The Crescent", "Kings Walk", "School Lane", "North Street",
    "Chapel Row", "Orchard Close", "Meadow View", "Bridge Street", "Market Place", "Alexandra Terrace",
    "Oak Drive", "Willow Gardens", "Castle Hill", "Springfield Road", "Harbour Parade",
)  # fmt: skip
HOUSE_NAMES = ("Rose Cottage", "The Old Forge", "Ivy House", "Orchard View", "Mill House", "The Laurels", "Hillcrest")
TOWNS_A = (
    ("Ashbridge", "AH"),
    ("Kingsmere", "KM"),
    ("Thornbury Vale", "TV"),
    ("Hollinford", "HF"),
    ("Castlebrook", "CK"),
    ("Marsh End", "ME"),
)
TOWNS_B = (
    ("Westwick", "WK"),
    ("Pennington Bay", "PB"),
    ("Lowmoor", "LM"),
    ("Carrow", "CW"),
    ("Elmstead Green", "EG"),
    ("Brackenfield", "BF"),
)
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
VRM_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"
AGE_IDENTIFIERS = (*range(2, 25), *range(51, 74))  # March and September issues, 2002 to 2023

# Canonical (make, model) by vehicle type; each force writes them its own way.
MODELS = {
    "CAR": (
        ("Ford", "Fiesta"), ("Ford", "Focus"), ("Vauxhall", "Corsa"), ("Vauxhall", "Astra"),
        ("Volkswagen", "Golf"), ("Volkswagen", "Polo"), ("BMW", "3 Series"), ("Toyota", "Yaris"),
        ("Nissan", "Qashqai"), ("Kia", "Sportage"), ("Audi", "A3"), ("Mercedes-Benz", "A-Class"),
        ("Peugeot", "208"), ("Honda", "Civic"), ("Land Rover", "Range Rover Evoque"),
    ),
    "VAN": (
        ("Ford", "Transit"), ("Vauxhall", "Vivaro"), ("Mercedes-Benz", "Sprinter"),
        ("Volkswagen", "Transporter"), ("Citroen", "Berlingo"), ("Peugeot", "Partner"),
    ),
    "MCY": (
        ("Honda", "CBR125R"), ("Yamaha", "MT-07"), ("Kawasaki", "Z650"), ("Suzuki", "GSX-R600"),
        ("Triumph", "Street Triple"),
    ),
}  # fmt: skip
VEHICLE_TYPE_WEIGHTS = {"CAR": 80, "VAN": 14, "MCY": 6}
B_MAKES = {"Volkswagen": "VW", "Mercedes-Benz": "Mercedes", "Land Rover": "Landrover"}
B_MODELS = {"Range Rover Evoque": "Evoque", "3 Series": "3-Series", "A-Class": "A Class"}
B_CATEGORIES = {"CAR": "car", "VAN": "van", "MCY": "motorcycle"}
COLOURS = ("Silver", "Black", "White", "Blue", "Grey", "Red", "Green", "Yellow", "Orange", "Brown")

SEXES = {"M": 48, "F": 48, "U": 4}
B_GENDERS = {"M": "MALE", "F": "FEMALE", "U": "UNKNOWN"}
IC_CODES = {"IC1": 70, "IC2": 3, "IC3": 10, "IC4": 9, "IC5": 1, "IC6": 2, "IC9": 5}
SDE_CODES = {
    "W1": 58, "W2": 2, "W3": 1, "W9": 5, "M1": 1, "M2": 1, "M3": 1, "M9": 1, "A1": 6, "A2": 3, "A3": 2,
    "A4": 1, "A9": 2, "B1": 4, "B2": 3, "B9": 1, "O2": 1, "O9": 2, "NS": 5,
}  # fmt: skip
# A self-defined code consistent with an officer-observed IC code, for people known to both forces.
IC_TO_SDE = {
    "IC1": ("W1", "W2", "W3", "W9"),
    "IC2": ("W9", "O9"),
    "IC3": ("B1", "B2", "B9", "M1"),
    "IC4": ("A1", "A2", "A3"),
    "IC5": ("A4",),
    "IC6": ("O2",),
    "IC9": ("NS",),
}
UNKNOWN_CODES = {"A": ("IC7", "IC0"), "B": ("W4", "X1")}


@dataclass(frozen=True, slots=True)
class Offence:
    """One line of the offence table: Force A's codes, Force B's label and the national crime type."""

    local: str
    ho_class: str
    cjs: str
    crime_type: str
    label: str
    weight: int


OFFENCES = (
    Offence("BURG-RES", "028/01", "TH68007", "burglary", "RESIDENTIAL BURGLARY", 10),
    Offence("BURG-BUS", "030/01", "TH68008", "burglary", "NON-RESIDENTIAL BURGLARY", 4),
    Offence("ROBB", "034/01", "TH68001", "robbery", "ROBBERY OF PERSONAL PROPERTY", 4),
    Offence("TFMV", "045/00", "TH68046", "vehicle-crime", "THEFT FROM A VEHICLE", 8),
    Offence("TOMV", "048/00", "TH68053", "vehicle-crime", "THEFT OF A VEHICLE", 4),
    Offence("SHOP", "046/00", "TH68010", "shoplifting", "SHOPLIFTING", 14),
    Offence("ASLT", "105/01", "CJ88116", "violence-and-sexual-offences", "COMMON ASSAULT", 22),
    Offence("CDAM", "058/01", "CD71001", "criminal-damage-arson", "CRIMINAL DAMAGE", 14),
    Offence("DRUG-POS", "092/01", "MD71002", "drugs", "POSSESSION OF DRUGS", 8),
    Offence("PUBORD", "125/10", "PU86004", "public-order", "PUBLIC ORDER OFFENCE", 12),
)
VEHICLE_OFFENCES = frozenset({"TFMV", "TOMV"})
VICTIMLESS_OFFENCES = frozenset({"DRUG-POS", "PUBORD"})


@dataclass(frozen=True, slots=True)
class Term:
    """A coded value as each force writes it, with the national code it maps to."""

    local: str
    national: str
    label: str
    weight: int


POWERS = (
    Term("MDA23", "misuse-of-drugs-act-1971-s23", "Misuse of Drugs Act 1971 s.23", 60),
    Term("PACE1", "pace-1984-s1", "PACE 1984 s.1", 25),
    Term("S60", "cjpoa-1994-s60", "CJPOA 1994 s.60", 10),
    Term("FA47", "firearms-act-1968-s47", "Firearms Act 1968 s.47", 5),
)
OUTCOMES = (
    Term("NFA", "no-further-action", "NO FURTHER ACTION", 70),
    Term("ARR", "arrest", "ARREST", 12),
    Term("CR", "community-resolution", "COMMUNITY RESOLUTION", 6),
    Term("CAU", "caution", "CAUTION", 2),
    Term("SUM", "summons", "SUMMONS", 3),
    Term("PND", "penalty-notice-for-disorder", "PENALTY NOTICE", 2),
    Term("CW", "drugs-warning", "CANNABIS WARNING", 5),
)

CodeT = TypeVar("CodeT", Offence, Term)

# Roles are held in a neutral form and written in each force's vocabulary.
A_ROLES = {
    "suspect": "SUS",
    "victim": "VIC",
    "witness": "WIT",
    "searched": "SRCH",
    "used": "USED",
    "stolen": "STOL",
    "involved": "INV",
}
B_ROLES = {
    "suspect": "SUSPECT",
    "victim": "VICTIM",
    "witness": "WITNESS",
    "searched": "SUBJECT",
    "used": "USED_IN_OFFENCE",
    "stolen": "STOLEN",
    "involved": "INVOLVED",
}

A_FILE = {
    "nominals": "force-a/nominals.csv",
    "objects": "force-a/objects.csv",
    "locations": "force-a/locations.csv",
    "occurrences": "force-a/occurrences.csv",
    "links": "force-a/links.csv",
}
B_FILE = "force-b/export.json"
A_HEADERS = {
    "nominals": ("NOMINAL_ID", "SURNAME", "FORENAME", "DOB", "SEX", "ETHNIC_APPEARANCE", "PNC_ID", "HOME_LOCATION_REF"),
    "objects": ("OBJECT_ID", "OBJECT_TYPE", "VRM", "MAKE", "MODEL", "COLOUR"),
    "locations": ("LOCATION_ID", "PREMISES", "STREET", "TOWN", "POSTCODE"),
    "occurrences": (
        "OCC_ID", "OCC_TYPE", "OCC_DATE", "OCC_TIME", "LOCATION_REF", "LOCAL_OFFENCE_CODE", "HO_CLASS", "CJS_CODE",
        "SEARCH_POWER", "SEARCH_OUTCOME", "SEARCH_TYPE",
    ),
    "links": ("LINK_ID", "OCC_REF", "OCC_TYPE", "ENTITY_TYPE", "ENTITY_REF", "ROLE_CODE"),
}  # fmt: skip


@dataclass(slots=True)
class Person:
    """A person record; ``ethnicity`` is in the owning force's code list, ``home`` an index into its places."""

    forename: str
    surname: str
    birth: date | None
    sex: str
    ethnicity: str
    pnc: str | None
    home: int | None = None


@dataclass(slots=True)
class Vehicle:
    """A vehicle record with its canonical make and model."""

    kind: str
    vrm: str
    make: str
    model: str
    colour: str


@dataclass(slots=True)
class Place:
    """An address: a house number or name, street, town and postcode."""

    premises: str
    street: str
    town: str
    postcode: str


@dataclass(slots=True)
class Occurrence:
    """A crime or a stop-search, with its person role slots and the links filled into them."""

    kind: str
    when: datetime
    place: int
    offence: Offence | None = None
    power: Term | None = None
    outcome: Term | None = None
    roles: list[str] = field(default_factory=list)
    vehicle_role: str | None = None
    persons: list[tuple[int, str]] = field(default_factory=list)
    vehicles: list[tuple[int, str]] = field(default_factory=list)
    dangling: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class Force:
    """One force's records, with the indices of the planted person of interest and the shared records."""

    label: str
    people: list[Person]
    vehicles: list[Vehicle]
    places: list[Place]
    poi: int
    poi_home: int
    shared_people: list[int]
    shared_vehicles: list[int]
    occurrences: list[Occurrence] = field(default_factory=list)


@dataclass(slots=True)
class Registry:
    """Identifiers already issued, so PNC IDs and registration marks only repeat where planted."""

    pncs: set[str] = field(default_factory=lambda: {POI_PNC})
    vrms: set[str] = field(default_factory=set)


# ---------------------------------------------------------------- values


def _weighted(rng: Random, weights: dict[str, int]) -> str:
    """Draw a key of ``weights`` in proportion to its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _weighted_term(rng: Random, terms: tuple[CodeT, ...]) -> CodeT:
    """Draw an entry of a code table in proportion to its weight."""
    return rng.choices(terms, weights=[term.weight for term in terms])[0]


def _birth_date(rng: Random) -> date:
    """A date of birth between 1940 and 2008."""
    return date.fromordinal(rng.randint(date(1940, 1, 1).toordinal(), date(2008, 12, 31).toordinal()))


def _occurred_at(rng: Random) -> datetime:
    """A moment in 2024, to the minute."""
    day = date(2024, 1, 1) + timedelta(days=rng.randrange(366))
    return datetime(day.year, day.month, day.day) + timedelta(minutes=rng.randrange(24 * 60))


def _pnc_id(rng: Random, registry: Registry) -> str:
    """A PNC ID not issued before, shaped ``YY/NNNNNNNC``, with its check letter: the year and the serial
    number padded to 7 digits, modulo 23, as a letter of ``PNC_CHECK_LETTERS``."""
    while True:
        year = rng.choice((*range(70, 100), *range(0, 24)))
        serial = rng.randint(1, 9_999_999)
        rng.choice(PNC_CHECK_LETTERS)  # the letter was once drawn: drawn still, so a seed gives the same exports
        pnc = f"{year:02d}/{serial}{PNC_CHECK_LETTERS[int(f'{year:02d}{serial:07d}') % 23]}"
        if pnc not in registry.pncs:
            registry.pncs.add(pnc)
            return pnc


def _vrm(rng: Random, registry: Registry) -> str:
    """A registration mark not issued before, in the current ``AB12CDE`` style."""
    while True:
        letters = "".join(rng.choice(VRM_LETTERS) for _ in range(5))
        vrm = f"{letters[:2]}{rng.choice(AGE_IDENTIFIERS):02d}{letters[2:]}"
        if vrm not in registry.vrms:
            registry.vrms.add(vrm)
            return vrm


def _postcode(rng: Random, area: str) -> str:
    """A postcode in ``area``, valid against the national pattern."""
    inward = f"{rng.randint(0, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
    return f"{area}{rng.randint(1, 19)} {inward}"


def _malformed_postcode(rng: Random, postcode: str) -> str:
    """A corruption of ``postcode`` of the kind keyed in by hand: truncated, overlong, unspaced or numeric."""
    bad = rng.choice(
        (
            postcode[:-1],
            postcode + postcode[-1],
            postcode.replace(" ", ""),
            f"{rng.randint(10_000, 99_999)}",
        )
    )
    assert not POSTCODE_RE.match(bad)
    return bad


def _forename(rng: Random, sex: str) -> str:
    """A forename to suit the recorded sex."""
    if sex == "M":
        return rng.choice(MALE_FORENAMES)
    if sex == "F":
        return rng.choice(FEMALE_FORENAMES)
    return rng.choice(MALE_FORENAMES + FEMALE_FORENAMES)


# ---------------------------------------------------------------- records


def _counts(scale: float) -> dict[str, int]:
    """Record counts per force at ``scale``."""
    return {kind: max(MIN_COUNTS[kind], round(base * scale)) for kind, base in BASE_COUNTS.items()}


def _make_person(rng: Random, registry: Registry, force: str) -> Person:
    """A new person in ``force``'s code list."""
    sex = _weighted(rng, SEXES)
    ethnicity = _weighted(rng, IC_CODES if force == "A" else SDE_CODES)
    pnc = _pnc_id(rng, registry) if rng.random() < PNC_RATE else None
    return Person(_forename(rng, sex), rng.choice(SURNAMES), _birth_date(rng), sex, ethnicity, pnc)


def _make_poi(force: str) -> Person:
    """The planted person of interest, as ``force`` records them."""
    ethnicity = "IC1" if force == "A" else "W1"
    return Person(POI_FORENAME, POI_SURNAME, POI_BIRTH, "M", ethnicity, POI_PNC)


def _make_vehicle(rng: Random, registry: Registry) -> Vehicle:
    """A new vehicle."""
    kind = _weighted(rng, VEHICLE_TYPE_WEIGHTS)
    make, model = rng.choice(MODELS[kind])
    return Vehicle(kind, _vrm(rng, registry), make, model, rng.choice(COLOURS))


def _make_place(rng: Random, towns: tuple[tuple[str, str], ...]) -> Place:
    """A new address in one of ``towns``."""
    town, area = rng.choice(towns)
    premises = rng.choice(HOUSE_NAMES) if rng.random() < 0.1 else str(rng.randint(1, 180))
    return Place(premises, rng.choice(STREETS), town, _postcode(rng, area))


def _counterpart(rng: Random, person: Person) -> Person:
    """Force B's record of a Force A person: same PNC ID and birth date, the name sometimes spelt differently.

    Where the spelling changes, Force A's record may be given a name that has a common variant.
    """
    twin = replace(person, ethnicity=rng.choice(IC_TO_SDE[person.ethnicity]), home=None)
    if rng.random() >= 0.6:
        return twin
    variants = MALE_VARIANTS if person.sex == "M" else FEMALE_VARIANTS if person.sex == "F" else {}
    change = rng.choice(("forename", "surname", "case"))
    if change == "forename" and variants:
        person.forename = rng.choice(sorted(variants))
        twin.forename = variants[person.forename]
    elif change == "surname":
        person.surname = rng.choice(sorted(SURNAME_VARIANTS))
        twin.surname = SURNAME_VARIANTS[person.surname]
    elif rng.random() < 0.5:
        twin.surname = person.surname.upper()
    else:
        twin.forename, twin.surname = person.forename.lower(), person.surname.lower()
    return twin


def _draw_excluding(rng: Random, n: int, excluded: int) -> int:
    """A uniform index below ``n`` other than ``excluded``."""
    index = rng.randrange(n - 1)
    return index + 1 if index >= excluded else index


def _assign_homes(rng: Random, force: Force) -> None:
    """Give ~70% of people a home; the person of interest's home is theirs alone."""
    for index, person in enumerate(force.people):
        if index == force.poi:
            person.home = force.poi_home
        elif rng.random() < HOME_RATE:
            person.home = _draw_excluding(rng, len(force.places), force.poi_home)


def _build_forces(rng: Random, counts: dict[str, int]) -> tuple[Force, Force]:
    """Both forces' people, vehicles and places, with the shared records and the person of interest planted."""
    registry = Registry()
    places_a = [_make_place(rng, TOWNS_A) for _ in range(counts["places"])]
    places_b = [_make_place(rng, TOWNS_B) for _ in range(counts["places"])]

    people_a = [_make_person(rng, registry, "A") for _ in range(counts["people"] - 1)]
    poi_a = rng.randrange(len(people_a) + 1)
    people_a.insert(poi_a, _make_poi("A"))
    holders = [i for i, person in enumerate(people_a) if person.pnc and i != poi_a]
    shared_a = sorted(rng.sample(holders, round(SHARED_RATE * len(holders))))
    twins = [_counterpart(rng, people_a[i]) for i in shared_a]

    vehicles_a = [_make_vehicle(rng, registry) for _ in range(counts["vehicles"])]
    shared_vehicles_a = sorted(rng.sample(range(len(vehicles_a)), round(SHARED_RATE * len(vehicles_a))))

    fresh_people = [_make_person(rng, registry, "B") for _ in range(counts["people"] - 1 - len(twins))]
    tagged_people = [(p, "") for p in fresh_people] + [(p, "shared") for p in twins] + [(_make_poi("B"), "poi")]
    rng.shuffle(tagged_people)
    fresh_vehicles = [_make_vehicle(rng, registry) for _ in range(counts["vehicles"] - len(shared_vehicles_a))]
    tagged_vehicles = [(v, "") for v in fresh_vehicles] + [
        (replace(vehicles_a[i]), "shared") for i in shared_vehicles_a
    ]
    rng.shuffle(tagged_vehicles)

    force_a = Force(
        "A", people_a, vehicles_a, places_a, poi_a, rng.randrange(len(places_a)), shared_a, shared_vehicles_a
    )
    force_b = Force(
        "B",
        [p for p, _ in tagged_people],
        [v for v, _ in tagged_vehicles],
        places_b,
        next(i for i, (_, tag) in enumerate(tagged_people) if tag == "poi"),
        rng.randrange(len(places_b)),
        [i for i, (_, tag) in enumerate(tagged_people) if tag == "shared"],
        [i for i, (_, tag) in enumerate(tagged_vehicles) if tag == "shared"],
    )
    for force in (force_a, force_b):
        _assign_homes(rng, force)
    return force_a, force_b


# ---------------------------------------------------------------- occurrences and links


def _crime_roles(rng: Random, offence: Offence) -> list[str]:
    """Person role slots for a crime: two to four people, a victim unless the offence has none."""
    roles = ["suspect"] if offence.local in VICTIMLESS_OFFENCES else ["victim", "suspect"]
    size = rng.randint(2, 4)
    while len(roles) < size:
        roles.append(rng.choice(("witness", "witness", "suspect")))
    return roles


def _vehicle_role(rng: Random, occurrence: Occurrence) -> str:
    """The role a vehicle plays in an occurrence."""
    if occurrence.offence is None:
        return "involved"
    if occurrence.offence.local == "TOMV":
        return "stolen"
    if occurrence.offence.local == "TFMV":
        return "involved"
    return rng.choice(("used", "used", "involved"))


def _make_occurrence(rng: Random, kind: str, when: datetime, place: int) -> Occurrence:
    """A crime or stop-search with its person role slots."""
    if kind == "CRIME":
        offence = _weighted_term(rng, OFFENCES)
        return Occurrence(kind, when, place, offence=offence, roles=_crime_roles(rng, offence))
    power = _weighted_term(rng, POWERS)
    outcomes = OUTCOMES if power.local == "MDA23" else tuple(t for t in OUTCOMES if t.local != "CW")
    return Occurrence(kind, when, place, power=power, outcome=_weighted_term(rng, outcomes), roles=["searched"])


def _make_occurrences(rng: Random, force: Force, n: int) -> None:
    """Occurrences in date order, ~75% crimes, ~30% with a vehicle slot (vehicle crimes first).

    No occurrence takes place at the person of interest's home.
    """
    kinds = ["CRIME"] * round(CRIME_SHARE * n) + ["STOP_SEARCH"] * (n - round(CRIME_SHARE * n))
    rng.shuffle(kinds)
    moments = sorted(_occurred_at(rng) for _ in range(n))
    force.occurrences = [
        _make_occurrence(rng, kind, when, _draw_excluding(rng, len(force.places), force.poi_home))
        for kind, when in zip(kinds, moments, strict=True)
    ]
    vehicle_crimes = [i for i, o in enumerate(force.occurrences) if o.offence and o.offence.local in VEHICLE_OFFENCES]
    others = [i for i, o in enumerate(force.occurrences) if not (o.offence and o.offence.local in VEHICLE_OFFENCES)]
    rng.shuffle(vehicle_crimes)
    rng.shuffle(others)
    for i in (vehicle_crimes + others)[: round(VEHICLE_LINK_SHARE * n)]:
        force.occurrences[i].vehicle_role = _vehicle_role(rng, force.occurrences[i])


def _poi_occurrences(rng: Random, force: Force) -> list[int]:
    """Two crimes for the person of interest, one with a vehicle, each with room for another person."""
    crimes = [i for i, o in enumerate(force.occurrences) if o.kind == "CRIME"]
    chosen = sorted(rng.sample(crimes if len(crimes) >= 2 else range(len(force.occurrences)), 2))
    for i in chosen:
        occurrence = force.occurrences[i]
        while len(occurrence.roles) < 2:
            occurrence.roles.append("witness")
    first = force.occurrences[chosen[0]]
    if first.vehicle_role is None:
        first.vehicle_role = _vehicle_role(rng, first)
    return chosen


def _place_required(rng: Random, force: Force, reserved: list[int]) -> None:
    """Link every shared person and vehicle to at least one occurrence outside the reserved ones."""
    order = [i for i in range(len(force.occurrences)) if i not in reserved]
    rng.shuffle(order)
    for slot, person in enumerate(force.shared_people):
        occurrence = force.occurrences[order[slot % len(order)]]
        if len(occurrence.persons) >= len(occurrence.roles):
            occurrence.roles.append("witness" if occurrence.kind == "CRIME" else "searched")
        occurrence.persons.append((person, occurrence.roles[len(occurrence.persons)]))
    with_slot = [i for i in order if force.occurrences[i].vehicle_role is not None]
    rng.shuffle(with_slot)
    for slot, vehicle in enumerate(force.shared_vehicles):
        occurrence = force.occurrences[with_slot[slot] if slot < len(with_slot) else order[slot % len(order)]]
        if occurrence.vehicle_role is None:
            occurrence.vehicle_role = _vehicle_role(rng, occurrence)
        occurrence.vehicles.append((vehicle, occurrence.vehicle_role if not occurrence.vehicles else "involved"))


def _fill_slots(rng: Random, force: Force) -> None:
    """Fill the remaining person and vehicle slots at random, never with the person of interest."""
    n_people = len(force.people)
    for occurrence in force.occurrences:
        present = {person for person, _ in occurrence.persons} | {force.poi}
        for role in occurrence.roles[len(occurrence.persons) :]:
            if len(present) >= n_people:
                break
            person = rng.randrange(n_people)
            while person in present:
                person = rng.randrange(n_people)
            present.add(person)
            occurrence.persons.append((person, role))
        if occurrence.vehicle_role is not None and not occurrence.vehicles:
            occurrence.vehicles.append((rng.randrange(len(force.vehicles)), occurrence.vehicle_role))


def _link(rng: Random, force: Force) -> list[int]:
    """Link people and vehicles to occurrences; return the person of interest's occurrences."""
    reserved = _poi_occurrences(rng, force)
    for i in reserved:
        occurrence = force.occurrences[i]
        occurrence.persons.append((force.poi, occurrence.roles[0]))
    _place_required(rng, force, reserved)
    _fill_slots(rng, force)
    return reserved


# ---------------------------------------------------------------- faults


def _fault_count(n: int) -> int:
    """How many records of ``n`` receive each fault."""
    return max(1, round(FAULT_RATE * n))


def _dangling_id(rng: Random, force: Force, used: set[str]) -> str:
    """A person id of the force's own shape that no record has."""
    width, prefix = (7, "N") if force.label == "A" else (6, "PER-")
    width = max(width, len(str(len(force.people))) + 1)
    while True:
        candidate = f"{prefix}{rng.randrange(9 * 10 ** (width - 1), 10**width)}"
        if candidate not in used:
            used.add(candidate)
            return candidate


def _plant_faults(rng: Random, force: Force, reserved: list[int]) -> None:
    """Plant each fault in its own records, away from the person of interest and the shared records."""
    protected = {force.poi, *force.shared_people}
    candidates = [i for i in range(len(force.people)) if i not in protected]
    per_kind = _fault_count(len(force.people))
    chosen = rng.sample(candidates, 2 * per_kind)
    for i in chosen[:per_kind]:
        force.people[i].birth = None
    for i in chosen[per_kind:]:
        force.people[i].ethnicity = rng.choice(UNKNOWN_CODES[force.label])

    places = [i for i in range(len(force.places)) if i != force.poi_home]
    for i in rng.sample(places, _fault_count(len(force.places))):
        force.places[i].postcode = _malformed_postcode(rng, force.places[i].postcode)

    if force.label == "A":
        n_records = sum(len(o.persons) + len(o.vehicles) for o in force.occurrences)
    else:
        n_records = len(force.occurrences)
    occurrences = [i for i in range(len(force.occurrences)) if i not in reserved]
    used: set[str] = set()
    for i in sorted(rng.sample(occurrences, _fault_count(n_records))):
        occurrence = force.occurrences[i]
        role = "searched" if occurrence.kind == "STOP_SEARCH" else "witness"
        occurrence.dangling.append((_dangling_id(rng, force, used), role))


def _fault(code: str, file: str, row: int, column: str, value: str | None) -> dict[str, Any]:
    """One ground-truth fault entry."""
    return {"code": code, "file": file, "row": row, "column": column, "value": value}


def _person_faults(force: Force, file: str, birth: str, ethnicity: str, offset: int) -> list[dict[str, Any]]:
    """The missing birth dates and unknown ethnicity codes, in rows numbered from ``offset + 1``."""
    faults = []
    for i, person in enumerate(force.people, start=offset + 1):
        if person.birth is None:
            faults.append(_fault("missing-recommended-value", file, i, birth, None))
        if person.ethnicity in UNKNOWN_CODES[force.label]:
            faults.append(_fault("unknown-code", file, i, ethnicity, person.ethnicity))
    return faults


def _place_faults(force: Force, file: str, postcode: str, offset: int) -> list[dict[str, Any]]:
    """The malformed postcodes, in rows numbered from ``offset + 1``."""
    return [
        _fault("invalid-value", file, i, postcode, place.postcode)
        for i, place in enumerate(force.places, start=offset + 1)
        if not POSTCODE_RE.match(place.postcode)
    ]


# ---------------------------------------------------------------- Force A


def _a_id(prefix: str, index: int) -> str:
    """A Force A record id: ``N0000001``, ``V0000001``, ``L0000001``, ``K0000001``."""
    return f"{prefix}{index + 1:07d}"


def _a_occ_id(index: int) -> str:
    """A Force A occurrence id: ``OCC/24/000001``."""
    return f"OCC/24/{index + 1:06d}"


def _a_date(value: date | None) -> str:
    """A ``dd/mm/yyyy`` date, empty when unknown."""
    return value.strftime("%d/%m/%Y") if value else ""


def _a_nominal_rows(force: Force) -> Iterator[list[str]]:
    """Rows of nominals.csv."""
    for i, p in enumerate(force.people):
        home = _a_id("L", p.home) if p.home is not None else ""
        yield [_a_id("N", i), p.surname, p.forename, _a_date(p.birth), p.sex, p.ethnicity, p.pnc or "", home]


def _a_object_rows(force: Force) -> Iterator[list[str]]:
    """Rows of objects.csv."""
    for i, v in enumerate(force.vehicles):
        yield [_a_id("V", i), v.kind, v.vrm, v.make.upper(), v.model.upper(), v.colour.upper()]


def _a_location_rows(force: Force) -> Iterator[list[str]]:
    """Rows of locations.csv."""
    for i, place in enumerate(force.places):
        yield [_a_id("L", i), place.premises, place.street, place.town, place.postcode]


def _a_occurrence_rows(force: Force) -> Iterator[list[str]]:
    """Rows of occurrences.csv."""
    for i, o in enumerate(force.occurrences):
        head = [_a_occ_id(i), o.kind, _a_date(o.when), o.when.strftime("%H:%M"), _a_id("L", o.place)]
        if o.offence:
            yield [*head, o.offence.local, o.offence.ho_class, o.offence.cjs, "", "", ""]
        else:
            assert o.power and o.outcome
            yield [*head, "", "", "", o.power.local, o.outcome.local, "PV" if o.vehicles else "P"]


def _a_link_rows(force: Force) -> Iterator[tuple[list[str], str | None]]:
    """Rows of links.csv, each with the missing nominal id when the row is a dangling link."""
    number = 0
    for i, o in enumerate(force.occurrences):
        entries = [("NOM", _a_id("N", p), role, None) for p, role in o.persons]
        entries += [("NOM", ref, role, ref) for ref, role in o.dangling]
        entries += [("VEH", _a_id("V", v), role, None) for v, role in o.vehicles]
        for entity_type, ref, role, missing in entries:
            yield [_a_id("K", number), _a_occ_id(i), o.kind, entity_type, ref, A_ROLES[role]], missing
            number += 1


def _write_force_a(force: Force, out: Path) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Write Force A's CSV files; return the row counts and the faults located in them."""
    folder = out / "force-a"
    folder.mkdir(parents=True, exist_ok=True)
    counts = {
        "nominals": write_csv(folder / "nominals.csv", A_HEADERS["nominals"], _a_nominal_rows(force)),
        "objects": write_csv(folder / "objects.csv", A_HEADERS["objects"], _a_object_rows(force)),
        "locations": write_csv(folder / "locations.csv", A_HEADERS["locations"], _a_location_rows(force)),
        "occurrences": write_csv(folder / "occurrences.csv", A_HEADERS["occurrences"], _a_occurrence_rows(force)),
    }
    faults = _person_faults(force, A_FILE["nominals"], "DOB", "ETHNIC_APPEARANCE", 0)
    faults += _place_faults(force, A_FILE["locations"], "POSTCODE", 0)
    dangling: list[dict[str, Any]] = []

    def link_rows() -> Iterator[list[str]]:
        for number, (row, missing) in enumerate(_a_link_rows(force), start=1):
            if missing is not None:
                dangling.append(_fault("dangling-reference", A_FILE["links"], number, "ENTITY_REF", missing))
            yield row

    counts["links"] = write_csv(folder / "links.csv", A_HEADERS["links"], link_rows())
    return counts, faults + dangling


# ---------------------------------------------------------------- Force B


def _b_ref(kind: str, index: int) -> dict[str, str]:
    """A JSON:API resource identifier for a Force B record."""
    prefix = {"persons": "PER", "vehicles": "VEH", "addresses": "ADR"}[kind]
    return {"type": kind, "id": f"{prefix}-{index + 1:06d}"}


def _b_occurrence_ids(force: Force) -> list[str]:
    """Force B's occurrence ids, numbered per type in date order: ``CR-24-000001``, ``SS-24-000001``."""
    numbers: Counter[str] = Counter()
    ids = []
    for o in force.occurrences:
        prefix = "CR" if o.kind == "CRIME" else "SS"
        numbers[prefix] += 1
        ids.append(f"{prefix}-24-{numbers[prefix]:06d}")
    return ids


def _b_person(index: int, p: Person) -> dict[str, Any]:
    """A ``persons`` resource."""
    home = _b_ref("addresses", p.home) if p.home is not None else None
    return {
        **_b_ref("persons", index),
        "attributes": {
            "name": {"given": p.forename, "family": p.surname},
            "birthDate": p.birth.isoformat() if p.birth else None,
            "gender": B_GENDERS[p.sex],
            "selfDefinedEthnicity": p.ethnicity,
            "pncNumber": p.pnc,
        },
        "relationships": {"homeAddress": {"data": home}},
    }


def _b_vehicle(index: int, v: Vehicle) -> dict[str, Any]:
    """A ``vehicles`` resource."""
    return {
        **_b_ref("vehicles", index),
        "attributes": {
            "registration": v.vrm,
            "manufacturer": B_MAKES.get(v.make, v.make),
            "model": B_MODELS.get(v.model, v.model),
            "colour": v.colour,
            "category": B_CATEGORIES[v.kind],
        },
    }


def _b_address(index: int, place: Place) -> dict[str, Any]:
    """An ``addresses`` resource."""
    separator = " " if place.premises.isdigit() else ", "
    line1 = f"{place.premises}{separator}{place.street}"
    return {
        **_b_ref("addresses", index),
        "attributes": {"address": {"line1": line1, "town": place.town, "postcode": place.postcode}},
    }


def _b_occurrence(occ_id: str, o: Occurrence) -> dict[str, Any]:
    """A ``crime-reports`` or ``stop-searches`` resource."""
    occurred_at = o.when.strftime("%Y-%m-%dT%H:%M:%SZ")
    if o.offence:
        kind = "crime-reports"
        attributes = {
            "offenceCategory": o.offence.label,
            "hoClassification": o.offence.ho_class,
            "occurredAt": occurred_at,
        }
    else:
        assert o.power and o.outcome
        kind = "stop-searches"
        attributes = {
            "occurredAt": occurred_at,
            "searchType": "PERSON_AND_VEHICLE" if o.vehicles else "PERSON",
            "powerUsed": o.power.label,
            "result": o.outcome.label,
        }
    persons = [{**_b_ref("persons", p), "meta": {"role": B_ROLES[role]}} for p, role in o.persons]
    persons += [{"type": "persons", "id": ref, "meta": {"role": B_ROLES[role]}} for ref, role in o.dangling]
    vehicles = [{**_b_ref("vehicles", v), "meta": {"role": B_ROLES[role]}} for v, role in o.vehicles]
    return {
        "type": kind,
        "id": occ_id,
        "attributes": attributes,
        "relationships": {
            "location": {"data": _b_ref("addresses", o.place)},
            "involvedPersons": {"data": persons},
            "involvedVehicles": {"data": vehicles},
        },
    }


def _write_force_b(force: Force, out: Path, justice: JusticeRecords) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Write Force B's JSON:API document, its intelligence reports and warrants after its occurrences;
    return the record counts and the faults located in it."""
    ids = _b_occurrence_ids(force)
    document = {
        "jsonapi": {"version": "1.1"},
        "meta": {"system": "Force B case management", "exportedAt": "2025-01-06T02:00:00Z"},
        "data": [_b_occurrence(occ_id, o) for occ_id, o in zip(ids, force.occurrences, strict=True)] + justice.data,
        "included": [_b_person(i, p) for i, p in enumerate(force.people)]
        + [_b_vehicle(i, v) for i, v in enumerate(force.vehicles)]
        + [_b_address(i, place) for i, place in enumerate(force.places)],
    }
    folder = out / "force-b"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "export.json").open("w", encoding="utf-8", newline="\n") as handle:
        json.dump(document, handle, indent=1, ensure_ascii=False)
        handle.write("\n")

    faults = _person_faults(force, B_FILE, "attributes.birthDate", "attributes.selfDefinedEthnicity", 0)
    places_offset = len(force.people) + len(force.vehicles)
    faults += _place_faults(force, B_FILE, "attributes.address.postcode", places_offset)
    for i, o in enumerate(force.occurrences):
        for ref, _ in o.dangling:
            faults.append(_fault("dangling-reference", B_FILE, i + 1, "relationships.involvedPersons.data.id", ref))
    counts = {
        "persons": len(force.people),
        "vehicles": len(force.vehicles),
        "addresses": len(force.places),
        "crime-reports": sum(o.kind == "CRIME" for o in force.occurrences),
        "stop-searches": sum(o.kind == "STOP_SEARCH" for o in force.occurrences),
        "person-links": sum(len(o.persons) + len(o.dangling) for o in force.occurrences),
        "vehicle-links": sum(len(o.vehicles) for o in force.occurrences),
        **justice.counts,
    }
    return counts, faults + justice.faults


# ---------------------------------------------------------------- ground truth


def _local_ids(force: Force) -> dict[str, Callable[[int], str]]:
    """Functions giving each kind of record's local id in ``force``."""
    if force.label == "A":
        return {
            "event": _a_occ_id,
            "person": lambda i: _a_id("N", i),
            "vehicle": lambda i: _a_id("V", i),
            "location": lambda i: _a_id("L", i),
        }
    occurrence_ids = _b_occurrence_ids(force)
    return {
        "event": occurrence_ids.__getitem__,
        "person": lambda i: _b_ref("persons", i)["id"],
        "vehicle": lambda i: _b_ref("vehicles", i)["id"],
        "location": lambda i: _b_ref("addresses", i)["id"],
    }


def _two_hops(force: Force) -> list[tuple[str, str, str]]:
    """(force, kind, local id) of every record within two hops of the force's person of interest."""
    ids = _local_ids(force)
    found: set[tuple[str, str]] = set()
    home = force.people[force.poi].home
    if home is not None:
        found.add(("location", ids["location"](home)))
    for i, o in enumerate(force.occurrences):
        if all(person != force.poi for person, _ in o.persons):
            continue
        found.add(("event", ids["event"](i)))
        found.add(("location", ids["location"](o.place)))
        found.update(("person", ids["person"](p)) for p, _ in o.persons if p != force.poi)
        found.update(("vehicle", ids["vehicle"](v)) for v, _ in o.vehicles)
    return [(force.label, kind, local) for kind, local in sorted(found)]


def _linked_identifiers(force: Force) -> tuple[set[str], set[str]]:
    """PNC IDs and registration marks of the people and vehicles linked to at least one occurrence."""
    pncs = {force.people[p].pnc for o in force.occurrences for p, _ in o.persons}
    vrms = {force.vehicles[v].vrm for o in force.occurrences for v, _ in o.vehicles}
    return {pnc for pnc in pncs if pnc}, vrms


def _searches_by_legislation(forces: tuple[Force, Force]) -> list[dict[str, Any]]:
    """Stop-search counts per force, power and outcome."""
    tally = Counter(
        (force.label, o.power.national, o.outcome.national)
        for force in forces
        for o in force.occurrences
        if o.power and o.outcome
    )
    return [
        {"force": label, "legislation": power, "outcome": outcome, "count": count}
        for (label, power, outcome), count in sorted(tally.items())
    ]


def _crimes_by_type(forces: tuple[Force, Force]) -> dict[str, dict[str, int]]:
    """Crime counts per national crime type and force."""
    tally = Counter((o.offence.crime_type, force.label) for force in forces for o in force.occurrences if o.offence)
    types = sorted({crime_type for crime_type, _ in tally})
    return {crime_type: {"A": tally[crime_type, "A"], "B": tally[crime_type, "B"]} for crime_type in types}


def _ground_truth(
    seed: int, scale: float, forces: tuple[Force, Force], counts: dict[str, Any], faults: list[dict[str, Any]]
) -> dict[str, Any]:
    """The ground-truth document."""
    (pncs_a, vrms_a), (pncs_b, vrms_b) = (_linked_identifiers(force) for force in forces)
    hops = [{"force": f, "kind": k, "id": i} for f, k, i in _two_hops(forces[0]) + _two_hops(forces[1])]
    return {
        "seed": seed,
        "scale": float(scale),
        "counts": counts,
        "faults": sorted(faults, key=lambda f: (f["file"], f["row"], f["column"])),
        "shared_people": sorted(pncs_a & pncs_b),
        "shared_vehicles": sorted(vrms_a & vrms_b),
        "person_of_interest": {"pnc": POI_PNC, "within_two_hops": hops},
        "searches_by_legislation": _searches_by_legislation(forces),
        "crimes_by_type": _crimes_by_type(forces),
    }


# ---------------------------------------------------------------- linkage cases


def _linkage_makers(forces: tuple[Force, Force]) -> Makers:
    """The generator's ways of making people, homes and codes, lent to the linkage cases."""
    registry = Registry(pncs={POI_PNC} | {p.pnc for force in forces for p in force.people if p.pnc})
    return Makers(
        person=Person,
        home=_linkage_home,
        pnc=lambda rng: _pnc_id(rng, registry),
        self_defined=lambda rng, ic: rng.choice(IC_TO_SDE[ic]),
    )


def _linkage_home(rng: Random, force: Force) -> int:
    """One of the force's addresses for a planted person: not the person of interest's, nor a faulty one."""
    return rng.choice([i for i, p in enumerate(force.places) if i != force.poi_home and POSTCODE_RE.match(p.postcode)])


def _object_makers(forces: tuple[Force, Force]) -> ObjectMakers:
    """The generator's ways of making vehicles, marks and addresses, lent to the vehicles' and addresses'
    cases: marks are new to both forces."""
    registry = Registry(vrms={v.vrm for force in forces for v in force.vehicles})
    kinds = {(make, model): kind for kind, models in MODELS.items() for make, model in models}

    def vehicle(rng: Random, made: tuple[str, str] | None) -> Vehicle:
        if made is None:
            return _make_vehicle(rng, registry)
        return Vehicle(kinds[made], _vrm(rng, registry), made[0], made[1], rng.choice(COLOURS))

    def issue(mark: str) -> bool:
        if mark in registry.vrms:
            return False
        registry.vrms.add(mark)
        return True

    return ObjectMakers(vehicle=vehicle, issue=issue, place=lambda rng: _make_place(rng, TOWNS_A))


#: The path under which the mappings mint each kind's records, in Force A and Force B, and their ids' kind.
_TRUTH_RECORDS = {
    "person": ("force-a/nominal/", "force-b/person/", "person"),
    "vehicle": ("force-a/object/", "force-b/vehicle/", "vehicle"),
    "address": ("force-a/location/", "force-b/address/", "location"),
}


def _linkage_rows(forces: tuple[Force, Force], pairs: list[Pair]) -> Iterator[list[str]]:
    """Rows of ``linkage-truth.csv``: each pair's records by the IRIs the mappings mint for them."""
    ids_a, ids_b = (_local_ids(force) for force in forces)
    for pair in pairs:
        path_a, path_b, kind = _TRUTH_RECORDS[pair.entity]
        record_a = f"{DATA_BASE}{path_a}{ids_a[kind](pair.a)}"
        record_b = f"{DATA_BASE}{path_b}{ids_b[kind](pair.b)}"
        yield [pair.entity, pair.case, "true" if pair.same else "false", record_a, record_b]


# ---------------------------------------------------------------- entry points


def generate(out: Path, *, seed: int = 7, scale: float = 1.0) -> dict[str, Any]:
    """Write both forces' exports and ``ground-truth.json`` under ``out``; return the ground truth."""
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    rng = Random(seed)
    counts = _counts(scale)
    forces = _build_forces(rng, counts)
    reserved = []
    for force in forces:
        _make_occurrences(rng, force, counts["occurrences"])
        reserved.append(_link(rng, force))
        _plant_faults(rng, force, reserved[-1])
    # The contact tables and justice records are drawn for the people before the linkage cases.
    births_a, people_b = [p.birth for p in forces[0].people], len(forces[1].people)
    pairs = plant_linkage_cases(seed, forces, (reserved[0], reserved[1]), _linkage_makers(forces))
    pairs += plant_object_cases(seed, forces, _object_makers(forces))

    out.mkdir(parents=True, exist_ok=True)
    counts_a, faults_a = _write_force_a(forces[0], out)
    contacts = write_force_a_contacts(out / "force-a", seed=seed, births=births_a)
    counts_a, faults_a = {**counts_a, **contacts[0]}, faults_a + contacts[1]
    justice = justice_records(seed, scale, people=people_b, first_row=len(forces[1].occurrences) + 1, file=B_FILE)
    counts_b, faults_b = _write_force_b(forces[1], out, justice)
    truth = _ground_truth(seed, scale, forces, {"force-a": counts_a, "force-b": counts_b}, faults_a + faults_b)
    text = json.dumps(truth, indent=1, ensure_ascii=False) + "\n"
    (out / "ground-truth.json").write_text(text, encoding="utf-8", newline="\n")
    write_csv(out / LINKAGE_TRUTH, LINKAGE_HEADER, _linkage_rows(forces, pairs))
    return truth


def main(argv: list[str] | None = None) -> None:
    """Command line: ``generate_forces.py [--seed 7] [--scale 1.0] [--out examples]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplier on the record counts (default 1.0)")
    parser.add_argument("--out", type=Path, default=Path("examples"), help="output folder (default examples)")
    args = parser.parse_args(argv)
    generate(args.out, seed=args.seed, scale=args.scale)


if __name__ == "__main__":
    main()
