"""Hard cases for entity resolution, planted in both forces' exports, with the ground truth to score against.

The people the forces already share carry the same PNC ID in both exports, so an exact join finds them.
The cases planted here are the ones it cannot find, or finds wrongly, as they turn up between two real
records systems:

- the same person with no identifier in common (a PNC ID in one record or in neither), with a typo in a
  name, the day and month of birth transposed, a surname changed on marriage, a home moved to the other
  force's area, or a nickname or another spelling of a name (Bill / William, MacDonald / McDonald);
- different people who look alike: twins (same surname, date of birth and home, different forenames), a
  father and son of the same name at the same address, two people who share a common name, and a son
  recorded under his father's PNC ID (a keying error an exact join takes as a match).

Each planted person lives at one of their force's addresses (Force B records a copy of Force A's address
for someone it knows at that address) and is a witness to one crime of their force, never near the person
of interest. The
pairs, the same person or not, are returned by index; ``generate_forces.py`` writes them as the records'
IRIs to ``linkage-truth.csv``. Every pair of the same person in both forces is listed (the shared PNC
holders as ``shared-pnc``), so a pair not listed is two different people. The cases draw from their own
random stream, so planting them leaves every other record as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from random import Random
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the generator imports this module; its classes are only named here
    from generate_forces import Force, Person

MALE = ("Gary", "Lee", "Darren", "Craig", "Neil", "Shane", "Dean", "Ashley", "Jason", "Martin", "Adrian", "Colin")
FEMALE = ("Tracey", "Nicola", "Lisa", "Michelle", "Samantha", "Julie", "Karen", "Stacey", "Amanda", "Louise")
SURNAMES = (
    "Fletcher", "Hardy", "Chapman", "Marsh", "Gibson", "Porter", "Holmes", "Barker", "Shaw", "Dixon",
    "Lawrence", "Reynolds", "Pearce", "Fisher", "Booth", "Kerr", "Quinn", "Stewart", "Doherty", "Akhtar",
)  # fmt: skip
IC_CODES = ("IC1", "IC1", "IC1", "IC1", "IC3", "IC4", "IC2")
#: (Force A's forename, Force B's, sex): nicknames and other spellings of one forename.
FORENAME_VARIANTS = (
    ("William", "Bill", "M"),
    ("Margaret", "Peggy", "F"),
    ("Mohammed", "Muhammad", "M"),
    ("Robert", "Bob", "M"),
    ("Elizabeth", "Liz", "F"),
    ("Stephen", "Steven", "M"),
)
#: (Force A's surname, Force B's): one surname written two ways.
SURNAME_VARIANTS = (("MacDonald", "McDonald"), ("O'Neill", "O Neill"))
#: How many of each case of the same person to plant.
SAME_PERSON_CASES = {
    "no-shared-identifier": 4,
    "forename-typo": 3,
    "surname-typo": 3,
    "transposed-birth-date": 3,
    "married-surname": 3,
    "moved-address": 3,
}


@dataclass(frozen=True, slots=True)
class Pair:
    """A Force A record and a Force B record (indices into each force's people, vehicles or places, as
    *entity* says), and whether they are one person (vehicle, address), with the case that planted them."""

    case: str
    same: bool
    a: int
    b: int
    entity: str = "person"


@dataclass(frozen=True, slots=True)
class Makers:
    """What the generator lends the cases, each drawing from the cases' random stream: its person type, a
    home among a force's addresses (never the person of interest's, nor one with a planted fault), a PNC
    ID not issued before, and a Force B self-defined ethnicity code that fits an IC code."""

    person: type[Person]
    home: Callable[[Random, Force], int]
    pnc: Callable[[Random], str]
    self_defined: Callable[[Random, str], str]


@dataclass(frozen=True, slots=True)
class Who:
    """Who someone is, as a force would record them."""

    forename: str
    surname: str
    birth: date
    sex: str
    ic: str


def pnc_pairs(force_a: Force, force_b: Force) -> list[Pair]:
    """The people of both forces with the same PNC ID: the ones an exact join finds."""
    in_b = {p.pnc: i for i, p in enumerate(force_b.people) if p.pnc}
    return [Pair("shared-pnc", True, i, in_b[p.pnc]) for i, p in enumerate(force_a.people) if p.pnc in in_b]


class _Planter:
    """Appends the cases' people (and the homes they need) to both forces, each a witness to one crime."""

    def __init__(self, rng: Random, forces: tuple[Force, Force], reserved: tuple[list[int], list[int]], makers: Makers):
        self.rng, self.forces, self.makers = rng, forces, makers
        self.crimes = [
            [i for i, o in enumerate(f.occurrences) if o.kind == "CRIME" and i not in held]
            for f, held in zip(forces, reserved, strict=True)
        ]

    def who(self, *, sex: str | None = None, birth: date | None = None) -> Who:
        sex = sex or self.rng.choice("MF")
        forename = self.rng.choice(MALE if sex == "M" else FEMALE)
        birth = birth or born(self.rng, 1950, 2004)
        return Who(forename, self.rng.choice(SURNAMES), birth, sex, self.rng.choice(IC_CODES))

    def home(self, side: int) -> int:
        """A home among the force's own addresses."""
        return self.makers.home(self.rng, self.forces[side])

    def same_home(self, a_home: int) -> int:
        """Force A's home of someone, recorded by Force B too."""
        self.forces[1].places.append(replace(self.forces[0].places[a_home]))
        return len(self.forces[1].places) - 1

    def add(self, side: int, who: Who, home: int, *, pnc: str | None = None) -> int:
        """Record *who* in a force; return their index."""
        force = self.forces[side]
        ethnicity = who.ic if force.label == "A" else self.makers.self_defined(self.rng, who.ic)
        force.people.append(self.makers.person(who.forename, who.surname, who.birth, who.sex, ethnicity, pnc, home))
        index = len(force.people) - 1
        crimes = self.crimes[side]
        if crimes:
            occurrence = force.occurrences[self.rng.choice(crimes)]
            occurrence.roles.append("witness")
            occurrence.persons.append((index, "witness"))
        return index

    def pair(self, case: str, a: Who, b: Who, *, moved: bool, pnc_in_a: bool = True) -> Pair:
        """The same person in both forces, with no identifier in common."""
        a_home = self.home(0)
        a_index = self.add(0, a, a_home, pnc=self.makers.pnc(self.rng) if pnc_in_a else None)
        b_index = self.add(1, b, self.home(1) if moved else self.same_home(a_home))
        return Pair(case, True, a_index, b_index)


def typo(rng: Random, name: str) -> str:
    """*name* with one slip of the keyboard inside it: two letters swapped, a letter dropped or doubled."""
    while True:
        at = rng.randrange(1, len(name) - 1)
        slip = rng.choice(("swap", "drop", "double"))
        if slip == "swap":
            typed = name[:at] + name[at + 1] + name[at] + name[at + 2 :]
        elif slip == "drop":
            typed = name[:at] + name[at + 1 :]
        else:
            typed = name[:at] + name[at] + name[at:]
        if typed != name:
            return typed


def born(rng: Random, first: int, last: int) -> date:
    """A birth date in a year from *first* to *last*."""
    return date(rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28))


def _transposable(rng: Random) -> date:
    """A birth date whose day and month can be read the other way round (both at most 12, not equal)."""
    month = rng.randint(1, 12)
    day = rng.choice([d for d in range(1, 13) if d != month])
    return date(rng.randint(1955, 2004), month, day)


def _same_person(planter: _Planter) -> Iterator[Pair]:
    rng = planter.rng
    for number in range(SAME_PERSON_CASES["no-shared-identifier"]):
        who = planter.who()
        yield planter.pair("no-shared-identifier", who, who, moved=number % 2 == 0, pnc_in_a=number < 2)
    for _ in range(SAME_PERSON_CASES["forename-typo"]):
        who = planter.who()
        yield planter.pair("forename-typo", who, replace(who, forename=typo(rng, who.forename)), moved=False)
    for _ in range(SAME_PERSON_CASES["surname-typo"]):
        who = planter.who()
        yield planter.pair("surname-typo", who, replace(who, surname=typo(rng, who.surname)), moved=False)
    for _ in range(SAME_PERSON_CASES["transposed-birth-date"]):
        who = planter.who(birth=_transposable(rng))
        swapped = date(who.birth.year, who.birth.day, who.birth.month)
        yield planter.pair("transposed-birth-date", who, replace(who, birth=swapped), moved=False)
    for _ in range(SAME_PERSON_CASES["married-surname"]):
        who = planter.who(sex="F")
        married = rng.choice([s for s in SURNAMES if s != who.surname])
        yield planter.pair("married-surname", who, replace(who, surname=married), moved=True)
    for _ in range(SAME_PERSON_CASES["moved-address"]):
        who = planter.who()
        yield planter.pair("moved-address", who, who, moved=True, pnc_in_a=False)
    for a_name, b_name, sex in FORENAME_VARIANTS:
        who = replace(planter.who(sex=sex), forename=a_name)
        yield planter.pair("forename-variant", who, replace(who, forename=b_name), moved=False)
    for a_name, b_name in SURNAME_VARIANTS:
        who = replace(planter.who(), surname=a_name)
        yield planter.pair("surname-variant", who, replace(who, surname=b_name), moved=True)


def _look_alikes(planter: _Planter) -> Iterator[Pair]:
    rng = planter.rng
    # Twins: one in each force; then a pair of twins, both known to Force A and one to Force B.
    for both_in_a in (False, True):
        first = planter.who()
        second = replace(first, forename=rng.choice([n for n in (MALE + FEMALE) if n != first.forename]))
        home = planter.home(0)
        a_first = planter.add(0, first, home, pnc=planter.makers.pnc(planter.rng))
        b_second = planter.add(1, second, planter.same_home(home))
        if both_in_a:
            a_second = planter.add(0, second, home)
            yield Pair("twins", True, a_second, b_second)
        yield Pair("twins", False, a_first, b_second)
    # A father and son of one name at one address: the son alone in Force B; then the father in both.
    for father_in_b in (False, True):
        father = planter.who(sex="M", birth=born(rng, 1950, 1965))
        son = replace(father, birth=born(rng, father.birth.year + 20, father.birth.year + 35))
        home = planter.home(0)
        a_father = planter.add(0, father, home, pnc=planter.makers.pnc(rng))
        b_home = planter.same_home(home)
        if father_in_b:
            yield Pair("father-and-son", True, a_father, planter.add(1, father, b_home))
        yield Pair("father-and-son", False, a_father, planter.add(1, son, b_home))
    # A son recorded under his father's PNC ID in Force B.
    father = planter.who(sex="M", birth=born(rng, 1950, 1965))
    forename = rng.choice([n for n in MALE if n != father.forename])
    son = replace(father, forename=forename, birth=born(rng, father.birth.year + 20, father.birth.year + 35))
    pnc = planter.makers.pnc(rng)
    home = planter.home(0)
    a_father = planter.add(0, father, home, pnc=pnc)
    yield Pair("pnc-keyed-to-father", False, a_father, planter.add(1, son, planter.same_home(home), pnc=pnc))
    # Two people who share a common name, born years apart, living apart.
    for forename, surname in (("John", "Smith"), ("Sarah", "Jones")):
        sex = "M" if forename == "John" else "F"
        a = replace(planter.who(sex=sex), forename=forename, surname=surname)
        b = replace(planter.who(sex=sex), forename=forename, surname=surname)
        yield Pair("common-name", False, planter.add(0, a, planter.home(0)), planter.add(1, b, planter.home(1)))


def plant_linkage_cases(
    seed: int, forces: tuple[Force, Force], reserved: tuple[list[int], list[int]], makers: Makers
) -> list[Pair]:
    """Plant the hard cases in both forces; return every pair of the ground truth: the shared PNC holders
    (found before planting, as the son keyed under his father's PNC ID is not his father), then the cases."""
    pairs = pnc_pairs(*forces)
    starts = [len(force.people) for force in forces]
    planter = _Planter(Random(f"linkage-cases-{seed}"), forces, reserved, makers)
    planted = list(_same_person(planter)) + list(_look_alikes(planter))
    moved_a, moved_b = (_shuffle_from(planter.rng, force, start) for force, start in zip(forces, starts, strict=True))
    return pairs + [replace(p, a=moved_a.get(p.a, p.a), b=moved_b.get(p.b, p.b)) for p in planted]


def _shuffle_from(rng: Random, force: Force, start: int) -> dict[int, int]:
    """Shuffle the force's people from *start* on, so a case's two records are not numbered alike in both
    forces; return where each moved (old index to new), the occurrences' links following them."""
    order = list(range(start, len(force.people)))
    rng.shuffle(order)
    moved = {old: start + position for position, old in enumerate(order)}
    force.people[start:] = [force.people[old] for old in order]
    for occurrence in force.occurrences:
        occurrence.persons = [(moved.get(person, person), role) for person, role in occurrence.persons]
    return moved
