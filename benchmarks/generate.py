"""Write N rows of a valid-format data.police.uk file (street, stop-and-search or outcomes), seeded, from
the documented value lists (the labels of the project's SSSOM crosswalks).

    python benchmarks/generate.py street 1000000 out/2024-01-kent-street.csv --seed 1
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

from policeonto.mapping.spec import load_mapping


def _labels(mapping: str, title: str) -> list[str]:
    return load_mapping(mapping).labels(title)


def street_rows(count: int, rng: random.Random):
    crime_types = [t for t in _labels("police-uk-street", "Crime type") if t != "Anti-social behaviour"]
    outcomes = _labels("police-uk-street", "Last outcome category")
    for _ in range(count):
        lat, lon = rng.uniform(50.5, 55.5), rng.uniform(-3.5, 1.5)
        lsoa = rng.randrange(0, 35000)
        located = rng.random() > 0.02
        yield [
            rng.getrandbits(256).to_bytes(32, "big").hex(),
            f"2024-{rng.randint(1, 12):02d}",
            "Kent Police",
            "Kent Police",
            f"{lon:.6f}" if located else "",
            f"{lat:.6f}" if located else "",
            f"On or near Street {rng.randrange(5000)}" if located else "No Location",
            f"E01{lsoa:06d}" if located else "",
            f"Area {lsoa // 5:04d}{'ABCDE'[lsoa % 5]}" if located else "",
            rng.choice(crime_types),
            rng.choice(outcomes),
            "",
        ]


def outcomes_rows(count: int, rng: random.Random):
    outcomes = _labels("police-uk-outcomes", "Outcome type")
    for _ in range(count):
        lat, lon = rng.uniform(50.5, 55.5), rng.uniform(-3.5, 1.5)
        lsoa = rng.randrange(0, 35000)
        yield [
            rng.getrandbits(256).to_bytes(32, "big").hex(),
            f"2024-{rng.randint(1, 12):02d}",
            "Kent Police",
            "Kent Police",
            f"{lon:.6f}",
            f"{lat:.6f}",
            f"On or near Street {rng.randrange(5000)}",
            f"E01{lsoa:06d}",
            f"Area {lsoa // 5:04d}{'ABCDE'[lsoa % 5]}",
            rng.choice(outcomes),
        ]


def _points(rng: random.Random, size: int = 50_000) -> list[tuple[str, str]]:
    """A force's anonymised map points: data.police.uk snaps every search to one of a fixed set of points
    (the real Metropolitan July 2018 file has 3,744 points for 9,588 searches)."""
    return [(f"{rng.uniform(50.5, 55.5):.6f}", f"{rng.uniform(-3.5, 1.5):.6f}") for _ in range(size)]


def stop_and_search_rows(count: int, rng: random.Random):
    sas = load_mapping("police-uk-stop-and-search")
    lists = {c.title: sas.labels(c.title) for c in sas.columns if c.crosswalk is not None}
    points = _points(rng)
    for _ in range(count):
        kind = rng.choice(lists["Type"])
        person = kind != "Vehicle search"
        yield [
            kind,
            f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            f"T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00+00:00",
            rng.choice(["True", "False"]),
            "",
            *rng.choice(points),
            rng.choice(lists["Gender"]) if person else "",
            rng.choice(lists["Age range"]) if person else "",
            rng.choice(lists["Self-defined ethnicity"]) if person else "",
            rng.choice(lists["Officer-defined ethnicity"]) if person else "",
            rng.choice(lists["Legislation"]),
            rng.choice(lists["Object of search"]),
            rng.choice(lists["Outcome"]),
            rng.choice(["True", "False", ""]),
            rng.choice(["True", "False"]),
        ]


def generate(kind: str, count: int, path: Path, *, seed: int = 1) -> Path:
    """Write *count* rows of a *kind* ('street', 'stop-and-search' or 'outcomes') file to *path*."""
    mapping = f"police-uk-{kind}"
    rows = {"street": street_rows, "stop-and-search": stop_and_search_rows, "outcomes": outcomes_rows}[kind]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([c.title for c in load_mapping(mapping).columns])
        writer.writerows(rows(count, random.Random(seed)))
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["street", "stop-and-search", "outcomes"])
    parser.add_argument("rows", type=int)
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    generate(arguments.kind, arguments.rows, arguments.output, seed=arguments.seed)
