"""Checks that depend on another record are decided against every record of the run: the fast engine gives
what pySHACL gives on the merged graph whatever the file order and batch size, a link to no record is a
``dangling-reference`` finding, and a key repeated on two rows is one ``duplicate-key`` finding."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from policeonto.fastshacl.report import report_keys
from policeonto.mapping import MapOptions
from policeonto.mapping import spec as mapping_spec
from policeonto.validation import validate
from tests.conftest import POLICE_UK, ROOT

FORCE_A = ROOT / "examples" / "force-a"
LINK = "https://w3id.org/policeonto/data/force-a/link/"


@pytest.fixture
def unreferenced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The bundled mappings, with Force A's source format declaring no foreign key: no table is known to be
    referred to, so the files are mapped in the order given and no key is checked by the mapper."""
    folder = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", folder)
    source = folder / "force-a.source.yaml"
    text = source.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if "annotations: {references:" not in line]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(mapping_spec, "mappings_dir", lambda: folder)
    yield folder


def _export(tmp_path: Path, rows: dict[str, int], edit: dict[str, list[tuple[int, int, str]]] | None = None) -> dict:
    """The first *rows* rows of each Force A example file, copied into *tmp_path*; *edit* sets
    (row, field, value) in a file."""
    out = tmp_path / "export"
    out.mkdir()
    paths = {}
    for name, count in rows.items():
        lines = (FORCE_A / name).read_text(encoding="utf-8").splitlines()[: count + 1]
        for row, field, value in (edit or {}).get(name, []):
            cells = lines[row].split(",")
            cells[field] = value
            lines[row] = ",".join(cells)
        paths[name] = out / name
        paths[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths


def _keys(report) -> set:
    return report_keys(report.shacl_report())


#: Few enough rows for pySHACL to be quick; links to records past these rows are dangling.
SMALL = {"links.csv": 30, "nominals.csv": 80, "objects.csv": 40, "occurrences.csv": 60, "locations.csv": 60}


@pytest.mark.parametrize("batch", [1, 3, 20_000])
@pytest.mark.parametrize("order", ["links-first", "links-last"])
def test_links_to_records_of_other_files_agree_with_pyshacl(
    unreferenced: Path, tmp_path: Path, batch: int, order: str
) -> None:
    """Forward links (to files mapped later), backward links, and polymorphic ones (a link's entity is a
    nominal or a vehicle; its event a crime or a search), and links to no record: no table is declared
    referenced, so the mapper checks no foreign key and every link is the engine's to judge."""
    paths = list(_export(tmp_path, SMALL).values())
    if order == "links-last":
        paths.reverse()
    options = MapOptions(batch_rows=batch)
    fast = validate(paths, options=options)
    reference = validate(paths, options=options, engine="pyshacl")
    assert _keys(fast) == _keys(reference)
    assert not {f.code for f in fast.findings} & {"shape-class", "shape-or"}


def test_a_link_to_no_record_is_a_dangling_reference(unreferenced: Path, tmp_path: Path) -> None:
    """A link to no record of any file is a dangling-reference finding naming file, row, column and value,
    instead of a shape finding, while its SHACL result stays in the report (as pySHACL gives it)."""
    rows = {"links.csv": 3, "nominals.csv": 300, "objects.csv": 120, "occurrences.csv": 20}
    paths = _export(tmp_path, rows, {"links.csv": [(1, 4, "N9999999")]})  # a nominal no file has
    order = [paths["links.csv"], paths["nominals.csv"], paths["objects.csv"], paths["occurrences.csv"]]
    fast = validate(order, options=MapOptions(batch_rows=2))
    reference = validate(order, engine="pyshacl")
    assert _keys(fast) == _keys(reference)
    links = [f for f in fast.findings if f.file == str(paths["links.csv"])]
    assert [(f.code, f.row, f.column, f.value) for f in links] == [
        ("dangling-reference", 1, "ENTITY_REF", "https://w3id.org/policeonto/data/force-a/nominal/N9999999")
    ]
    assert not {f.code for f in fast.findings} & {"shape-class", "shape-or"}
    assert not fast.valid and fast.finding_counts["dangling-reference"] == len(
        [f for f in fast.findings if f.code == "dangling-reference"]
    )


def _street(tmp_path: Path, rows: int) -> tuple[list[str], list[list[str]]]:
    """The header and first *rows* crime rows (with a Crime ID) of a real data.police.uk street file."""
    source = POLICE_UK / "street" / "2018-04-city-of-london-street.csv"
    table = list(csv.reader(source.read_text(encoding="utf-8").splitlines()))
    return table[0], [r for r in table[1:] if r[0]][:rows]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])
    return path


@pytest.mark.parametrize("batch", [1, 3, 20_000])
def test_a_key_on_two_rows_is_one_duplicate_key_finding(tmp_path: Path, batch: int) -> None:
    """One Crime ID on two rows with other coordinates (one in the same file, one in a second file), and a
    row given again unchanged: the later rows are rejected, each with one finding naming both rows, and
    the fast engine and pySHACL agree on the graph that is left (no max-count on the merged record)."""
    header, rows = _street(tmp_path, 6)
    lat, lon = header.index("Latitude"), header.index("Longitude")
    moved = [*rows[1]]
    moved[lat], moved[lon] = "51.515000", "-0.090000"
    first = _write(tmp_path / "2018-04-city-of-london-street.csv", header, [*rows[:4], moved])
    again = _write(tmp_path / "2018-05-city-of-london-street.csv", header, [rows[4], rows[2], rows[5]])
    options = MapOptions(batch_rows=batch)
    fast = validate([first, again], options=options)
    reference = validate([first, again], options=options, engine="pyshacl")
    assert _keys(fast) == _keys(reference)
    assert not {f.code for f in fast.findings} & {"shape-max-count"}
    found = sorted((f.code, f.file, f.row, f.column) for f in fast.findings if f.code.startswith("duplicate-"))
    assert found == [("duplicate-key", str(first), 5, "Crime ID"), ("duplicate-row", str(again), 2, "Crime ID")]
    key = next(f for f in fast.findings if f.code == "duplicate-key")
    assert f"first on row 2 of {first}" in key.value
    assert "Latitude '51.515000' here" in key.value and "Longitude '-0.090000' here" in key.value
    assert "Month" not in key.value
    assert fast.rows == 8 and fast.finding_counts["duplicate-key"] == 1 and not fast.valid
