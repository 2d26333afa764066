"""Calibration fixtures for ``policeonto assess``, written by a script (no files committed): a clean
data.police.uk street-crime export of known maturity and four variants, each degrading one level.

- ``clean``: 100 well-formed rows in UTF-8, named ``YYYY-MM-<force>-street.csv``, a SHA256SUMS manifest, every
  coded value in the crosswalks, an answers file saying yes to every attested item, and a sharing agreement
  in force (``agreements/``) that permits every record of the export.
- ``foundational``: the same rows saved in Windows-1252 (an accented place name), 10 ragged rows (an extra
  field), a name that does not say the force, and no manifest.
- ``structural``: 40 rows with a non-numeric longitude, 20 with no month, 20 repeating another row's crime ID,
  and no Context column.
- ``semantic``: 60 rows with a local crime type no crosswalk has (four distinct labels).
- ``organisational``: the clean export with the answers all no and no agreement.
- ``labels``: the clean export and the next month's (100 rows more, new crime IDs) from the force's own
  street export format (``mappings/``: the street format with its crime type column headed "Offence type"),
  whose crime type crosswalk maps "Other theft" to theft from the person and "Shoplifting" to other theft:
  the same labels mean other codes in the second month.

Run it as a script to write the five folders: ``python tests/assess_fixtures.py OUT``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from pathlib import Path

from policeonto.mapping import MappingCatalogue

__all__ = ["LOWERS", "VARIANTS", "catalogue_of", "write_variant"]

HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]  # fmt: skip
TYPES = ["Burglary", "Other theft", "Shoplifting", "Vehicle crime", "Robbery"]
OUTCOMES = ["Investigation complete; no suspect identified", "Local resolution", "Awaiting court outcome"]
LOCAL_TYPES = ["THEFT-OTH-L", "BURG-DW", "SHOP-L1", "VEH-INT"]
VARIANTS = ("clean", "foundational", "structural", "semantic", "organisational", "labels")
#: The level each degraded variant lowers.
LOWERS = {"foundational": "foundational", "structural": "structural", "semantic": "semantic",
          "organisational": "organisational", "labels": "semantic"}  # fmt: skip
MAPPINGS = Path(__file__).resolve().parents[1] / "mappings"
AGREEMENT = """agreement: https://w3id.org/policeonto/agreements/example/calibration
title: City of London Police to a neighbouring force (calibration)
assigner: https://w3id.org/policeonto/code/police-force/city-of-london
assignee: https://w3id.org/policeonto/code/police-force/metropolitan
purpose: dpv:PublicBenefit
legal_basis: dpv:OfficialAuthorityOfController
valid_until: 2099-12-31
ceiling: OFFICIAL
classes: [Crime, AntiSocialBehaviour, Location, Point, LowerLayerSuperOutputArea]
properties: [month, crime_type, last_outcome_category, occurred_at, source_force]
"""
ROWS = 100


def _rows(month: str = "2024-01") -> list[list[str]]:
    rows = []
    for i in range(ROWS):
        seed = f"crime-{i}" if month == "2024-01" else f"crime-{month}-{i}"
        crime_id = hashlib.sha256(seed.encode()).hexdigest()
        longitude, latitude = f"{-0.1 - i / 10_000:.6f}", f"{51.51 + i / 10_000:.6f}"
        location = "On or near Café Street" if i % 10 == 0 else f"On or near Street {i}"
        rows.append(
            [crime_id, month, "City of London Police", "City of London Police", longitude, latitude, location,
             f"E0100{i % 10:04d}", f"City of London 00{i % 10}A", TYPES[i % 5], OUTCOMES[i % 3], ""]
        )  # fmt: skip
    return rows


def _csv(rows: list[list[str]], header: list[str] = HEADER) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header[: len(rows[0])], *rows])
    return out.getvalue()


def _manifest(folder: Path, *files: Path) -> None:
    lines = [f"{hashlib.sha256(file.read_bytes()).hexdigest()}  {file.name}\n" for file in files]
    (folder / "SHA256SUMS").write_text("".join(lines), encoding="utf-8")


def _force_format(folder: Path) -> None:
    """The force's own street format in *folder*: the street mapping with the crime type column headed
    "Offence type" and a crosswalk that maps two of its labels to other codes."""
    walks = folder / "crosswalks"
    walks.mkdir(parents=True, exist_ok=True)
    (folder / "context.yaml").write_text((MAPPINGS / "context.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    for name in ("police-uk-police-force", "police-uk-crime-outcome"):
        text = (MAPPINGS / "crosswalks" / f"{name}.sssom.tsv").read_text(encoding="utf-8")
        (walks / f"{name}.sssom.tsv").write_text(text, encoding="utf-8")
    walk = (MAPPINGS / "crosswalks" / "police-uk-crime-type.sssom.tsv").read_text(encoding="utf-8")
    walk = walk.replace(
        "skos:exactMatch\tcrimetype:other-theft\tOther theft",
        "skos:exactMatch\tcrimetype:theft-from-the-person\tOther theft",
    )
    walk = walk.replace(
        "skos:exactMatch\tcrimetype:shoplifting\tShoplifting", "skos:exactMatch\tcrimetype:other-theft\tShoplifting"
    )
    (walks / "force-street-crime-type.sssom.tsv").write_text(walk, encoding="utf-8")
    source = (MAPPINGS / "police-uk-street.source.yaml").read_text(encoding="utf-8")
    source = source.replace("source/police-uk-street", "source/force-street").replace(
        "name: police_uk_street", "name: force_street"
    )
    source = (
        source.replace("title: Crime type", "title: Offence type")
        .replace("[Crime Type]", "[Offence Type]")
        .replace("police-uk-crime-type", "force-street-crime-type")
    )
    (folder / "force-street.source.yaml").write_text(source, encoding="utf-8")
    transform = (MAPPINGS / "police-uk-street.transform.yaml").read_text(encoding="utf-8")
    transform = transform.replace("mappings/police-uk-street", "mappings/force-street")
    transform = transform.replace(
        "source_schema: police-uk-street.source.yaml", "source_schema: force-street.source.yaml"
    )
    (folder / "force-street.transform.yaml").write_text(transform, encoding="utf-8")


def write_variant(variant: str, folder: Path) -> tuple[list[Path], Path]:
    """Write *variant* into *folder*; return the export's files and its answers file."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = _rows()
    yes = variant != "organisational"
    (folder / "agreements").mkdir(exist_ok=True)
    if yes:
        (folder / "agreements" / "calibration.yaml").write_text(AGREEMENT, encoding="utf-8")
    answers = folder / "answers.yaml"
    answers.write_text(
        "".join(
            f"{item}: {'true' if yes else 'false'}\n"
            for item in ("data-owner-named", "transport-security", "change-process")
        ),
        encoding="utf-8",
    )
    name = "2024-01-city-of-london-street.csv"
    if variant == "foundational":
        text = _csv(rows)
        lines = text.splitlines()
        for i in range(1, 11):  # ten ragged rows: one field too many
            lines[i * 9] += ",extra"
        file = folder / "street-export.csv"
        file.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
        return [file], answers
    if variant == "structural":
        for i in range(0, 40):
            rows[i * 2 + 1][4] = "west"  # not a decimal
        for i in range(0, 20):
            rows[i * 5][1] = ""  # no month
        for i in range(0, 20):
            rows[i * 5 + 2][0] = rows[i * 5 + 4][0]  # a crime ID given twice
        rows = [row[:-1] for row in rows]  # no Context column
    if variant == "semantic":
        for i in range(0, 60):
            rows[i + 40][9] = LOCAL_TYPES[i % 4]
    file = folder / name
    file.write_text(_csv(rows), encoding="utf-8")
    if variant == "labels":
        _force_format(folder / "mappings")
        header = [("Offence type" if h == "Crime type" else h) for h in HEADER]
        following = folder / "2024-02-city-of-london-street.csv"
        following.write_text(_csv(_rows("2024-02"), header), encoding="utf-8")
        _manifest(folder, file, following)
        return [file, following], answers
    _manifest(folder, file)
    return [file], answers


def catalogue_of(folder: Path) -> MappingCatalogue:
    """The mappings a variant written into *folder* is assessed with: its own folder of them, if any, before
    the bundled ones."""
    own = folder / "mappings"
    return MappingCatalogue.search([own] if own.is_dir() else [], environment={})


if __name__ == "__main__":
    for variant in VARIANTS:
        files, _ = write_variant(variant, Path(sys.argv[1]) / variant)
        print(variant, *files)
