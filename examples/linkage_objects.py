"""Hard cases for linking vehicles and addresses, planted in both forces' exports, with their ground truth.

Vehicles the forces already share carry one registration mark in both exports (``shared-mark``), and so
do the addresses a force copied from the other for someone it knows there (``shared-address``: exact
copies): an exact join finds them. The cases planted here are the ones it cannot find, or finds wrongly:

- the same vehicle with its mark misread (``O``/``0``, ``I``/``1``, ``S``/``5``, ``B``/``8``, ``Z``/``2``),
  or with its make written another way (abbreviated or misspelt) under the same mark;
- different vehicles that look alike: the same make, model and colour; marks one character apart (not a
  misreading) on the same make, model and colour; and a cloned plate (one mark on a different vehicle,
  which an exact join takes for one vehicle);
- the same address with its street type abbreviated (``Rd``/``Road``), its flat written another way
  (``Flat 2, 14`` / ``2/14``), or its postcode without its space (a fault validation reports, too);
- different addresses that look alike: neighbouring houses of one street (one postcode), and two flats of
  one house.

A force's vehicles and addresses planted here are not involved in any of its events, so nothing else in
the examples changes. The cases draw from their own random streams, after the people's cases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from random import Random
from typing import TYPE_CHECKING

from linkage_cases import Pair

if TYPE_CHECKING:  # the generator imports this module; its classes are only named here
    from generate_forces import Force, Place, Vehicle

#: Characters read for one another in registration marks, both ways.
MISREAD = {"O": "0", "0": "O", "I": "1", "1": "I", "S": "5", "5": "S", "B": "8", "8": "B", "Z": "2", "2": "Z"}
#: (make and model as Force A writes them, the make as Force B's copy does): abbreviated or misspelt.
MAKE_SPELLINGS = (("Vauxhall", "Corsa", "Vauxhal"), ("Mercedes-Benz", "Sprinter", "Merc"), ("Peugeot", "208", "Peugot"))
#: Street types and how Force B abbreviates them.
STREET_ABBREVIATIONS = {"Road": "Rd", "Street": "St", "Lane": "Ln", "Avenue": "Ave", "Close": "Cl", "Drive": "Dr"}
#: How many of each case to plant.
CASES = {
    "misread-mark": 4,
    "make-written-differently": 3,
    "same-make-model-colour": 3,
    "one-character-apart": 3,
    "cloned-plate": 1,
    "street-abbreviated": 3,
    "flat-written-differently": 3,
    "postcode-without-space": 2,
    "neighbouring-houses": 3,
    "flats-of-one-house": 2,
}


@dataclass(frozen=True, slots=True)
class ObjectMakers:
    """What the generator lends the cases: a new vehicle (with a mark not issued before) of a given make
    and model or any, a mark not issued before and marking it issued, and a new address in one of Force
    A's towns."""

    vehicle: Callable[[Random, tuple[str, str] | None], Vehicle]
    issue: Callable[[str], bool]
    place: Callable[[Random], Place]


def shared_marks(force_a: Force, force_b: Force) -> list[Pair]:
    """The vehicles of both forces with one registration mark: the ones an exact join finds."""
    in_b = {v.vrm: i for i, v in enumerate(force_b.vehicles)}
    return [
        Pair("shared-mark", True, i, in_b[v.vrm], "vehicle") for i, v in enumerate(force_a.vehicles) if v.vrm in in_b
    ]


def shared_addresses(force_a: Force, force_b: Force) -> list[Pair]:
    """Every address of Force A that Force B holds an exact copy of (the people's cases copy homes)."""
    in_b: dict[tuple[str, str, str, str], list[int]] = {}
    for i, p in enumerate(force_b.places):
        in_b.setdefault((p.premises, p.street, p.town, p.postcode), []).append(i)
    return [
        Pair("shared-address", True, i, j, "address")
        for i, p in enumerate(force_a.places)
        for j in in_b.get((p.premises, p.street, p.town, p.postcode), [])
    ]


def _add(force: Force, vehicle: Vehicle) -> int:
    force.vehicles.append(vehicle)
    return len(force.vehicles) - 1


def _misread(rng: Random, mark: str) -> str | None:
    """*mark* with one character read as its look-alike, or None if it has none."""
    at = [i for i, c in enumerate(mark) if c in MISREAD]
    if not at:
        return None
    i = rng.choice(at)
    return mark[:i] + MISREAD[mark[i]] + mark[i + 1 :]


def _one_apart(rng: Random, mark: str, makers: ObjectMakers) -> str:
    """*mark* with one of its last three letters changed to another letter (not a look-alike), not issued."""
    while True:
        i = rng.randrange(len(mark) - 3, len(mark))
        letter = rng.choice([c for c in "ACDEFGHJKLMNPRTUVWXY" if c != mark[i] and MISREAD.get(mark[i]) != c])
        other = mark[:i] + letter + mark[i + 1 :]
        if makers.issue(other):
            return other


def _vehicle_cases(rng: Random, forces: tuple[Force, Force], makers: ObjectMakers) -> Iterator[Pair]:
    a, b = forces
    planted = 0
    while planted < CASES["misread-mark"]:
        vehicle = makers.vehicle(rng, None)
        misread = _misread(rng, vehicle.vrm)
        if misread is None or not makers.issue(misread):
            continue
        planted += 1
        yield Pair("misread-mark", True, _add(a, vehicle), _add(b, replace(vehicle, vrm=misread)), "vehicle")
    for make, model, spelt in MAKE_SPELLINGS:
        vehicle = makers.vehicle(rng, (make, model))
        yield Pair("make-written-differently", True, _add(a, vehicle), _add(b, replace(vehicle, make=spelt)), "vehicle")
    for _ in range(CASES["same-make-model-colour"]):
        first = makers.vehicle(rng, None)
        second = replace(makers.vehicle(rng, (first.make, first.model)), kind=first.kind, colour=first.colour)
        yield Pair("same-make-model-colour", False, _add(a, first), _add(b, second), "vehicle")
    for _ in range(CASES["one-character-apart"]):
        first = makers.vehicle(rng, None)
        second = replace(first, vrm=_one_apart(rng, first.vrm, makers))
        yield Pair("one-character-apart", False, _add(a, first), _add(b, second), "vehicle")
    for _ in range(CASES["cloned-plate"]):
        first = makers.vehicle(rng, ("Ford", "Focus"))
        clone = replace(makers.vehicle(rng, ("Vauxhall", "Astra")), vrm=first.vrm, colour="Red")
        yield Pair("cloned-plate", False, _add(a, replace(first, colour="Silver")), _add(b, clone), "vehicle")


def _place_pair(forces: tuple[Force, Force], first: Place, second: Place) -> tuple[int, int]:
    forces[0].places.append(first)
    forces[1].places.append(second)
    return len(forces[0].places) - 1, len(forces[1].places) - 1


def _numbered(rng: Random, makers: ObjectMakers, streets: tuple[str, ...] | None = None) -> Place:
    """A new numbered address in Force A's area (on a street of a type in *streets* when given)."""
    while True:
        place = makers.place(rng)
        if streets is not None and place.street.rsplit(" ", 1)[-1] not in streets:
            continue
        return replace(place, premises=str(rng.randint(1, 120)))


def _abbreviated(rng: Random, makers: ObjectMakers) -> tuple[Place, Place]:
    place = _numbered(rng, makers, tuple(STREET_ABBREVIATIONS))
    name, kind = place.street.rsplit(" ", 1)
    return place, replace(place, street=f"{name} {STREET_ABBREVIATIONS[kind]}")


def _flat_two_ways(rng: Random, makers: ObjectMakers) -> tuple[Place, Place]:
    place, flat = _numbered(rng, makers), rng.randint(1, 9)
    return replace(place, premises=f"Flat {flat}, {place.premises}"), replace(
        place, premises=f"{flat}/{place.premises}"
    )


def _unspaced(rng: Random, makers: ObjectMakers) -> tuple[Place, Place]:
    place = _numbered(rng, makers)
    return place, replace(place, postcode=place.postcode.replace(" ", ""))


def _neighbours(rng: Random, makers: ObjectMakers) -> tuple[Place, Place]:
    place = _numbered(rng, makers)
    return place, replace(place, premises=str(int(place.premises) + 2))


def _two_flats(rng: Random, makers: ObjectMakers) -> tuple[Place, Place]:
    place = _numbered(rng, makers)
    return replace(place, premises=f"Flat 1, {place.premises}"), replace(place, premises=f"Flat 2, {place.premises}")


#: Each address case: whether its two records are one address, and how Force A's and Force B's are made.
ADDRESS_CASES: dict[str, tuple[bool, Callable[[Random, ObjectMakers], tuple[Place, Place]]]] = {
    "street-abbreviated": (True, _abbreviated),
    "flat-written-differently": (True, _flat_two_ways),
    "postcode-without-space": (True, _unspaced),
    "neighbouring-houses": (False, _neighbours),
    "flats-of-one-house": (False, _two_flats),
}


def _address_cases(rng: Random, forces: tuple[Force, Force], makers: ObjectMakers) -> Iterator[Pair]:
    for case, (same, make) in ADDRESS_CASES.items():
        for _ in range(CASES[case]):
            yield Pair(case, same, *_place_pair(forces, *make(rng, makers)), "address")


def plant_object_cases(seed: int, forces: tuple[Force, Force], makers: ObjectMakers) -> list[Pair]:
    """Plant the vehicles' and addresses' hard cases in both forces; return every pair of their ground
    truth: the shared marks and addresses (found before planting), then the cases."""
    force_b = forces[1]
    pairs = shared_marks(*forces) + shared_addresses(*forces)
    starts = len(force_b.vehicles), len(force_b.places)
    planted = list(_vehicle_cases(Random(f"vehicle-cases-{seed}"), forces, makers))
    planted += list(_address_cases(Random(f"address-cases-{seed}"), forces, makers))
    # Force B's planted records in another order, so a case's two records are not numbered alike.
    rng = Random(f"object-cases-order-{seed}")
    moved = {
        "vehicle": _shuffle_from(rng, force_b.vehicles, starts[0]),
        "address": _shuffle_from(rng, force_b.places, starts[1]),
    }
    return pairs + [replace(p, b=moved[p.entity].get(p.b, p.b)) for p in planted]


def _shuffle_from(rng: Random, records: list, start: int) -> dict[int, int]:
    """Shuffle *records* from *start* on (none of them is linked to anything yet); return where each moved."""
    order = list(range(start, len(records)))
    rng.shuffle(order)
    records[start:] = [records[old] for old in order]
    return {old: start + position for position, old in enumerate(order)}
