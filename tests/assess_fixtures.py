"""Calibration fixtures for ``policeonto assess``, written by a script (no files committed): a clean
data.police.uk street-crime export of known maturity and four variants, each degrading one level.

- ``clean``: 100 well-formed rows in UTF-8, named ``YYYY-MM-<force>-street.csv``, a SHA256SUMS manifest, every
  coded value in the crosswalks, and an answers file saying yes to every attested item.
- ``foundational``: the same rows saved in Windows-1252 (an accented place name), 10 ragged rows (an extra
  field), a name that does not say the force, and no manifest.
- ``structural``: 40 rows with a non-numeric longitude, 20 with no month, 20 repeating another row's crime ID,
  and no Context column.
- ``semantic``: 60 rows with a local crime type no crosswalk has (four distinct labels).
- ``organisational``: the clean export with the answers all no.

Run it as a script to write the five folders: ``python tests/assess_fixtures.py OUT``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from pathlib import Path

__all__ = ["VARIANTS", "write_variant"]

HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]  # fmt: skip
TYPES = ["Burglary", "Other theft", "Shoplifting", "Vehicle crime", "Robbery"]
OUTCOMES = ["Investigation complete; no suspect identified", "Local resolution", "Awaiting court outcome"]
LOCAL_TYPES = ["THEFT-OTH-L", "BURG-DW", "SHOP-L1", "VEH-INT"]
VARIANTS = ("clean", "foundational", "structural", "semantic", "organisational")
ROWS = 100


def _rows() -> list[list[str]]:
    rows = []
    for i in range(ROWS):
        crime_id = hashlib.sha256(f"crime-{i}".encode()).hexdigest()
        longitude, latitude = f"{-0.1 - i / 10_000:.6f}", f"{51.51 + i / 10_000:.6f}"
        location = "On or near Café Street" if i % 10 == 0 else f"On or near Street {i}"
        rows.append(
            [crime_id, "2024-01", "City of London Police", "City of London Police", longitude, latitude, location,
             f"E0100{i % 10:04d}", f"City of London 00{i % 10}A", TYPES[i % 5], OUTCOMES[i % 3], ""]
        )  # fmt: skip
    return rows


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([HEADER[: len(rows[0])], *rows])
    return out.getvalue()


def _manifest(folder: Path, file: Path) -> None:
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    (folder / "SHA256SUMS").write_text(f"{digest}  {file.name}\n", encoding="utf-8")


def write_variant(variant: str, folder: Path) -> tuple[list[Path], Path]:
    """Write *variant* into *folder*; return the export's files and its answers file."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = _rows()
    yes = variant != "organisational"
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
    _manifest(folder, file)
    return [file], answers


if __name__ == "__main__":
    for variant in VARIANTS:
        files, _ = write_variant(variant, Path(sys.argv[1]) / variant)
        print(variant, *files)
