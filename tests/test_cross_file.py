"""Checks that depend on another record are decided against every record of the run: the fast engine gives
what pySHACL gives on the merged graph whatever the file order and batch size, a link to no record is a
``dangling-reference`` finding, and a key repeated on two rows is one ``duplicate-key`` finding."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph

from policeonto.fastshacl import compile_shapes
from policeonto.fastshacl.report import report_keys
from policeonto.fastshacl.shapes import UnsupportedShapes
from policeonto.mapping import MapOptions, load_mapping, map_files
from policeonto.mapping.catalogue import ENVIRONMENT
from policeonto.validation import validate
from policeonto.validation.fast import project_shapes
from policeonto.validation.nodes import LinkChecks
from policeonto.vocab import POLE, SH
from tests.conftest import POLICE_UK, ROOT

FORCE_A = ROOT / "examples" / "force-a"
LINK = "https://w3id.org/policeonto/data/force-a/link/"


@pytest.fixture
def unreferenced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Force A's mappings in a folder of one's own, searched before the bundled ones (POLICEONTO_MAPPINGS),
    their source format declaring no foreign key: no table is known to be referred to, so the files are mapped
    in the order given and no key is checked by the mapper. The context and crosswalks are the bundled ones."""
    folder = tmp_path / "mappings"
    folder.mkdir()
    for transform in (ROOT / "mappings").glob("force-a-*.transform.yaml"):
        shutil.copy(transform, folder)
    text = (ROOT / "mappings" / "force-a.source.yaml").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if "annotations: {references:" not in line]
    (folder / "force-a.source.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv(ENVIRONMENT, str(folder))
    assert not load_mapping("force-a-links").referenced and not load_mapping("force-a-nominals").referenced
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


def _rows(name: str) -> tuple[list[str], dict[str, list[str]]]:
    table = list(csv.reader((FORCE_A / name).read_text(encoding="utf-8").splitlines()))
    return table[0], {row[0]: row for row in table[1:]}


@st.composite
def _exports(draw: st.DrawFn) -> tuple[dict[str, tuple[list[str], list[list[str]]]], list[str], int]:
    """Some links of Force A's export with, for each record they name (and each location those records
    name), the record's row or not (a dangling link); the files in a random order; a random batch size."""
    files = {name: _rows(name) for name in ("links.csv", "nominals.csv", "objects.csv", "occurrences.csv")}
    files["locations.csv"] = _rows("locations.csv")
    links = list(files["links.csv"][1].values())[: draw(st.integers(2, 12))]
    named = {"nominals.csv": set(), "objects.csv": set(), "occurrences.csv": set(), "locations.csv": set()}
    for link in links:
        named["occurrences.csv"].add(link[1])
        named["nominals.csv" if link[3] == "NOM" else "objects.csv"].add(link[4])
    kept = {
        name: sorted(i for i in ids if i in files[name][1] and draw(st.booleans()))
        for name, ids in named.items()
        if name != "locations.csv"
    }
    for name, column in (("nominals.csv", 7), ("occurrences.csv", 4)):
        named["locations.csv"] |= {files[name][1][i][column] for i in kept[name]} - {""}
    kept["locations.csv"] = sorted(i for i in named["locations.csv"] if draw(st.booleans()))
    export = {"links.csv": (files["links.csv"][0], links)}
    export |= {name: (files[name][0], [files[name][1][i] for i in ids]) for name, ids in kept.items() if ids}
    order = draw(st.permutations(sorted(export)))
    return export, order, draw(st.sampled_from([1, 2, 3, 20_000]))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=_exports())
def test_generated_exports_in_any_order_agree_with_pyshacl(unreferenced: Path, tmp_path_factory, drawn) -> None:
    """Forward, backward, polymorphic and dangling links, files in any order, any batch size: the fast
    engine's results are pySHACL's, and every link to no record is a dangling-reference finding."""
    export, order, batch = drawn
    folder = tmp_path_factory.mktemp("export")
    paths = [_write(folder / name, *export[name]) for name in order]
    fast = validate(paths, options=MapOptions(batch_rows=batch))
    reference = validate(paths, options=MapOptions(batch_rows=batch), engine="pyshacl")
    assert _keys(fast) == _keys(reference)
    dangling = {(f.focus_node, f.path, f.value) for f in fast.findings if f.code == "dangling-reference"}
    sink = io.BytesIO()
    map_files(paths, sink)
    described = {str(s) for s in Graph().parse(data=sink.getvalue().decode("utf-8"), format="nt").subjects()}
    by_class = {f"{SH}ClassConstraintComponent", f"{SH}OrConstraintComponent"}
    expected = {(f[1:-1], p, v[1:-1]) for f, p, v, c, _ in _keys(reference) if c in by_class}
    assert dangling == {(f, p, v) for f, p, v in expected if v not in described}
    assert not {f.code for f in fast.findings} & {"shape-class", "shape-or"}


XONE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
ex:LinkShape a sh:NodeShape ; sh:targetClass ex:Link ;
    sh:property [ sh:path ex:to ; sh:xone ( [ sh:class ex:A ] [ sh:class ex:B ] ) ] .
"""


def test_link_checks_that_more_types_could_break_are_refused() -> None:
    """A link that passes sh:xone (or sh:not) over classes could fail once another file gives the record a
    second type, so it cannot be judged batch by batch: the shapes are refused, not judged wrongly; the
    project's own shapes have no such check."""
    shapes = compile_shapes(Graph().parse(data=XONE, format="turtle"))
    with pytest.raises(UnsupportedShapes, match="Xone"):
        LinkChecks(shapes)
    assert LinkChecks(project_shapes()).predicates >= {f"<{POLE}occurred_at>", f"<{POLE}person>"}


@pytest.mark.parametrize(
    "paths",
    [sorted(FORCE_A.glob("*.csv"), reverse=True), [ROOT / "examples" / "force-b" / "export.json"]],
    ids=["force-a", "force-b"],
)
def test_both_force_examples_agree_with_pyshacl_in_small_batches(paths: list[Path]) -> None:
    """Both forces' example exports, with their planted faults, validated 97 rows at a time: pySHACL's
    results exactly."""
    fast = validate(paths, options=MapOptions(batch_rows=97))
    reference = validate(paths, options=MapOptions(batch_rows=97), engine="pyshacl")
    assert _keys(fast) == _keys(reference)
