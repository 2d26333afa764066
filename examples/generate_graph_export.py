"""Generate the neo4j-admin import export of a fictional force's intelligence graph, with a ground truth.

Force C keeps its intelligence in a graph database and exports it the way ``neo4j-admin database import``
reads it: one CSV file per node label and one per relationship type, each with a header row. A node file's
``<name>:ID`` column holds the node's ID, and its other columns are properties, typed in the header
(``born:date``, ``latitude:double``, ``committed:datetime``); ``:LABEL`` holds the node's label. A
relationship file's ``:START_ID`` and ``:END_ID`` name the nodes it joins and ``:TYPE`` its type; its other
columns are the relationship's properties (here ``recorded:datetime``, when the link was recorded).

The IDs are global (one ID space for the whole graph, as neo4j-admin's default), drawn at random, so an ID
does not say which node file it belongs to, and a relationship file names no node file either: an
``INVOLVED_IN`` relationship starts at a person or a vehicle and ends at a crime or an incident, and an
``OCCURRED_AT`` relationship starts at a crime or an incident and ends at a location.

Two kinds of fault are planted at a known rate and recorded in ``graph-ground-truth.json``: a date of birth
that is no date (``1990-02-30``), and a relationship whose start or end node is in no node file. Everything
is invented. The same seed and scale always give byte-identical files::

    python examples/generate_graph_export.py [--seed 7] [--scale 1.0] [--out examples]
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

FAULT_RATE = 0.02
BASE_COUNTS = {"people": 200, "vehicles": 80, "locations": 120, "crimes": 150, "incidents": 100}
FOLDER = "force-c"
TRUTH = "graph-ground-truth.json"

HEADERS = {
    "people": ("personId:ID", "name", "born:date", ":LABEL"),
    "vehicles": ("vehicleId:ID", "vrm", "make", "colour", ":LABEL"),
    "locations": ("locationId:ID", "name", "latitude:double", "longitude:double", ":LABEL"),
    "crimes": ("crimeId:ID", "reference", "committed:datetime", "offence", ":LABEL"),
    "incidents": ("incidentId:ID", "reference", "reported:datetime", "incidentType", ":LABEL"),
    "involved_in": (":START_ID", "role", ":END_ID", ":TYPE", "recorded:datetime"),
    "occurred_at": (":START_ID", ":END_ID", ":TYPE", "recorded:datetime"),
}
LABELS = {
    "people": "Person",
    "vehicles": "Vehicle",
    "locations": "Location",
    "crimes": "Crime",
    "incidents": "Incident",
}

GIVEN = ("Alys", "Bryn", "Cerys", "Dafydd", "Elin", "Gethin", "Heledd", "Iwan", "Lowri", "Morgan", "Nia", "Owain")
FAMILY = ("Abbott", "Blake", "Carver", "Dunn", "Ellis", "Frost", "Gale", "Hale", "Irwin", "Judd", "Kerr", "Lund")
MAKES = ("Ford", "Vauxhall", "Toyota", "Nissan", "Kia", "Skoda")
COLOURS = ("Silver", "Black", "White", "Blue", "Grey", "Red")
STREETS = ("Mill Lane", "Church Street", "Station Road", "Quarry Hill", "Bridge Street", "Park Row", "Marsh Lane")
OFFENCES = ("Burglary", "Vehicle crime", "Criminal damage and arson", "Shoplifting", "Robbery", "Drugs")
INCIDENT_TYPES = ("Concern for safety", "Suspicious vehicle", "Noise nuisance", "Missing person report")
PERSON_ROLES = ("SUSPECT", "VICTIM", "WITNESS")
VEHICLE_ROLES = ("USED", "STOLEN")
START = datetime(2024, 1, 1)
BORN = date(1950, 1, 1)


def _counts(scale: float) -> dict[str, int]:
    return {name: max(4, round(n * scale)) for name, n in BASE_COUNTS.items()}


def _ids(rng: Random, counts: dict[str, int]) -> tuple[dict[str, list[str]], set[str]]:
    """Global node IDs, drawn from one space so that an ID says nothing of its node's label."""
    total = sum(counts.values())
    pool = [str(n) for n in rng.sample(range(10_000, 10_000 + total * 4), total * 2)]
    ids, start = {}, 0
    for name, n in counts.items():
        ids[name], start = pool[start : start + n], start + n
    return ids, set(pool[start:])  # the IDs left over name no node: the dangling ones are drawn from them


def _moment(rng: Random) -> str:
    return (START + timedelta(minutes=rng.randrange(366 * 24 * 60))).strftime("%Y-%m-%dT%H:%M:00")


def _vrm(rng: Random, index: int) -> str:
    letters = "ABCDEFGHJKLMNPRSTVWXY"
    return f"{rng.choice(letters)}{rng.choice(letters)}{24 + index % 50:02d}{''.join(rng.choices(letters, k=3))}"


def _nodes(rng: Random, ids: dict[str, list[str]]) -> dict[str, list[list[str]]]:
    rows: dict[str, list[list[str]]] = {}
    rows["people"] = [
        [
            i,
            f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
            (date(1950, 1, 1) + timedelta(days=rng.randrange(20_000))).isoformat(),
        ]
        for i in ids["people"]
    ]
    rows["vehicles"] = [
        [i, _vrm(rng, n), rng.choice(MAKES), rng.choice(COLOURS)] for n, i in enumerate(ids["vehicles"])
    ]
    rows["locations"] = [
        [i, f"On or near {rng.choice(STREETS)}", f"{52.0 + rng.random() * 0.3:.6f}", f"{-1.6 + rng.random() * 0.5:.6f}"]
        for i in ids["locations"]
    ]
    rows["crimes"] = [[i, f"C/{24000 + n}", _moment(rng), rng.choice(OFFENCES)] for n, i in enumerate(ids["crimes"])]
    rows["incidents"] = [
        [i, f"INC/{5000 + n}", _moment(rng), rng.choice(INCIDENT_TYPES)] for n, i in enumerate(ids["incidents"])
    ]
    for name, table in rows.items():
        for row in table:
            row.append(LABELS[name])
    return rows


def _relationships(rng: Random, ids: dict[str, list[str]]) -> dict[str, list[list[str]]]:
    involved, occurred = [], []
    for event in ids["crimes"] + ids["incidents"]:
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.3:
                start, role = rng.choice(ids["vehicles"]), rng.choice(VEHICLE_ROLES)
            else:
                start, role = rng.choice(ids["people"]), rng.choice(PERSON_ROLES)
            involved.append([start, role, event, "INVOLVED_IN", _moment(rng)])
        if rng.random() < 0.9:
            occurred.append([event, rng.choice(ids["locations"]), "OCCURRED_AT", _moment(rng)])
    rng.shuffle(involved)  # relationships come in no order: a start node's file says nothing of where it is
    rng.shuffle(occurred)
    return {"involved_in": involved, "occurred_at": occurred}


def _fault_rows(rng: Random, table: list[list[str]]) -> list[int]:
    """The 1-based rows of *table* to plant a fault in: FAULT_RATE of them, at least one."""
    return sorted(rng.sample(range(1, len(table) + 1), max(1, round(len(table) * FAULT_RATE))))


def _fault(code: str, file: str, row: int, column: str, value: str) -> dict[str, Any]:
    return {"code": code, "file": file, "row": row, "column": column, "value": value}


def _plant(rng: Random, rows: dict[str, list[list[str]]], unused: set[str]) -> list[dict[str, Any]]:
    """Plant the faults in *rows*, in place; return what was planted."""
    faults = []
    for row in _fault_rows(rng, rows["people"]):
        rows["people"][row - 1][2] = value = f"{1960 + row % 40}-02-30"
        faults.append(_fault("invalid-value", f"{FOLDER}/people.csv", row, "born:date", value))
    spare = sorted(unused)
    for name, column in (("involved_in", 0), ("occurred_at", 1)):
        for row in _fault_rows(rng, rows[name]):
            rows[name][row - 1][column] = value = spare.pop(rng.randrange(len(spare)))
            title = HEADERS[name][column]
            faults.append(_fault("dangling-reference", f"{FOLDER}/{name}.csv", row, title, value))
    return faults


def _write_csv(path: Path, header: tuple[str, ...], rows: Iterable[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def generate(out: Path, *, seed: int = 7, scale: float = 1.0) -> dict[str, Any]:
    """Write ``<out>/force-c/*.csv`` and ``<out>/graph-ground-truth.json``; return the ground truth."""
    rng = Random(seed)
    counts = _counts(scale)
    ids, unused = _ids(rng, counts)
    rows = _nodes(rng, ids) | _relationships(rng, ids)
    faults = _plant(rng, rows, unused)
    (out / FOLDER).mkdir(parents=True, exist_ok=True)
    for name, table in rows.items():
        _write_csv(out / FOLDER / f"{name}.csv", HEADERS[name], table)
    truth = {
        "seed": seed,
        "scale": scale,
        "rows": {f"{FOLDER}/{name}.csv": len(table) for name, table in rows.items()},
        "faults": sorted(faults, key=lambda f: (f["file"], f["row"])),
    }
    (out / TRUTH).write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    arguments = parser.parse_args()
    truth = generate(arguments.out, seed=arguments.seed, scale=arguments.scale)
    print(f"wrote {sum(truth['rows'].values())} rows and {len(truth['faults'])} faults to {arguments.out}")


if __name__ == "__main__":
    main()
