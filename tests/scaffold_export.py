"""A small export in a layout policeonto has never seen, for the scaffold's tests: Force D's custody and
crime system, four CSV files with its own headers, day-first dates, registration marks written with a
space, and local codes that differ from the national labels.

What it plants, for the tests to check exactly:

- ``persons.csv``: 30 people; ``Sex`` is ``Male`` / ``Female`` / ``Not Stated`` (the last no national label).
- ``motor_vehicles.csv``: 12 vehicles; ``Body Type`` is ``Saloon Car`` / ``Panel Van`` / ``Motor Cycle``.
- ``offences.csv``: 25 offences, dates dd/mm/yyyy; ``Offence Group`` in the force's words
  (``Burglary Dwelling``, ``Shop Lifting``, ``Criminal Damage``, ``Robery``, ``Fraud``).
- ``person_offence_links.csv``: 40 links; ``Involvement`` is ``Suspect``, ``Victim``, ``Witness``; one link
  names a person no file has (row 40).
"""

from __future__ import annotations

import random
from pathlib import Path

__all__ = ["write_export"]

_GIVEN = ["Ada", "Bryn", "Cai", "Dee", "Eli", "Fern", "Gus", "Hal", "Ivy", "Jo"]
_FAMILY = ["Ames", "Best", "Cole", "Dunn", "Ebb", "Ford"]
_SEX = ["Male", "Female", "Male", "Female", "Not Stated"]
_BODY = ["Saloon Car", "Panel Van", "Motor Cycle"]
_GROUP = ["Burglary Dwelling", "Shop Lifting", "Criminal Damage", "Robery", "Fraud"]
_ROLE = ["Suspect", "Victim", "Witness"]
_MAKES = ["Ford", "Vauxhall", "Kia"]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")


def write_export(folder: Path, *, seed: int = 4) -> list[Path]:
    """Write the four files into *folder* and return their paths."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    people = [
        [f"P{n:04d}", _FAMILY[n % 6], _GIVEN[n % 10], f"{1 + n % 28:02d}/{1 + n % 12:02d}/{1960 + n}", _SEX[n % 5]]
        for n in range(1, 31)
    ]
    vehicles = [
        [
            f"VEH-{n:03d}",
            f"{'ABCDEFGHJK'[n % 10]}{'LMNPRSTVWY'[n % 10]}{10 + n} {'XYZ'[n % 3]}AB",
            _MAKES[n % 3],
            _BODY[n % 3],
        ]
        for n in range(1, 13)
    ]
    offences = [
        [f"OFF/{n:05d}", f"{1 + n % 28:02d}/{1 + n % 12:02d}/2024", _GROUP[n % 5], f"KT{n % 9 + 1} {n % 9}AB"]
        for n in range(1, 26)
    ]
    links = [
        [f"L{n:03d}", f"P{rng.randint(1, 30):04d}", f"OFF/{rng.randint(1, 25):05d}", _ROLE[n % 3]] for n in range(1, 40)
    ]
    links.append(["L040", "P0099", "OFF/00001", "Victim"])  # a person no file has
    paths = [
        folder / "persons.csv",
        folder / "motor_vehicles.csv",
        folder / "offences.csv",
        folder / "person_offence_links.csv",
    ]
    _write(paths[0], ["Person Ref", "Family Name", "Given Name", "Birth Date", "Sex"], people)
    _write(paths[1], ["Veh No", "Reg Mark", "Manufacturer", "Body Type"], vehicles)
    _write(paths[2], ["Offence No", "Offence Date", "Offence Group", "Locus Postcode"], offences)
    _write(paths[3], ["Link No", "Person Ref", "Offence No", "Involvement"], links)
    return paths
