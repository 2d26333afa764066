"""The fast engine reports exactly what pySHACL reports (focus node, path, value, source constraint component,
severity) on exports of several files that link to each other: hypothesis-generated graph exports in
neo4j-admin import format (Force C's mapping) and subsets of Force A's tables, with links to records of
another file, links whose end may be a record of one of several files, links to records that are in no
file, and the same key on two rows; the files given in a random order and mapped in random batch sizes.
And on the bundled exports of the three example forces."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from policeonto.fastshacl.report import ResultKey, report_keys
from policeonto.mapping import MapOptions
from policeonto.validation import validate
from tests.conftest import ROOT
from tests.test_neo4j_export import graph_generator

EXAMPLES = ROOT / "examples"
HEADERS = graph_generator().HEADERS  # the neo4j-admin headers of each file of a Force C export
NODES = ("people", "vehicles", "locations", "crimes", "incidents")
ROLES = ("SUSPECT", "VICTIM", "WITNESS", "USED", "STOLEN")
IDS = st.integers(1, 40).map(str)  # one small global ID space: links often name a node, sometimes none
MOMENT = st.sampled_from(["2024-03-01T10:00:00", "2024-07-15T23:30:00", ""])
FORCE_A_TABLES = ("nominals", "objects", "locations", "occurrences", "links")

# A few small examples per test, each validated twice, and no shrinking (a failing example is small
# already, and shrinking one runs pySHACL hundreds of times).
EXPORTS = settings(
    max_examples=4,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow],
)


def _node_row(draw: st.DrawFn, table: str, node: str) -> list[str]:
    """A node of *table*, its properties drawn (a date of birth that is no date now and then)."""
    if table == "people":
        born = draw(st.sampled_from(["1990-01-02", "1971-12-31", "1990-02-30", ""]))
        return [node, draw(st.sampled_from(["Alys Dunn", "Bryn Hale"])), born, "Person"]
    if table == "vehicles":
        return [
            node,
            draw(st.sampled_from(["AB24CDE", "XY25ZZZ"])),
            "Ford",
            draw(st.sampled_from(["Red", "Blue"])),
            "Vehicle",
        ]
    if table == "locations":
        return [node, "On or near Mill Lane", draw(st.sampled_from(["52.1", "52.2"])), "-1.3", "Location"]
    if table == "crimes":
        return [node, f"C/{node}", draw(MOMENT.filter(bool)), draw(st.sampled_from(["Burglary", "Drugs"])), "Crime"]
    return [node, f"INC/{node}", draw(MOMENT.filter(bool)), "Noise nuisance", "Incident"]


@st.composite
def graph_exports(draw: st.DrawFn, *, messy: bool, across_files: bool = False) -> dict[str, list[list[str]]]:
    """A Force C export: node files and relationship files, as file stem -> data rows.

    A tidy export has every node file, each ID once, and every relationship between nodes of the kinds its
    type and role say. A *messy* one has the same ID on several rows of one file (with other values), links
    to a node of the wrong kind or to no node, and now and then a node file left out. *across_files* lets
    an ID be a node of two node files.
    """
    ids = draw(st.lists(IDS, min_size=10, max_size=22, unique=True))
    tables: dict[str, list[list[str]]] = {}
    kinds: dict[str, list[str]] = {}
    for index, table in enumerate(NODES):
        own = ids[index * 2 : index * 2 + 2] + draw(st.lists(st.sampled_from(ids[10:] or ids), max_size=2, unique=True))
        if messy:
            own += draw(st.lists(st.sampled_from(own), max_size=2))  # a key again, on a row with its own values
        if across_files:
            own += draw(st.lists(IDS, max_size=2))  # any ID: perhaps a node of another file too
        else:
            own = [node for node in own if not any(node in other for other in kinds.values())]
        kinds[table] = own
        tables[table] = [_node_row(draw, table, node) for node in own]
    starts, events, places = (
        kinds["people"] + kinds["vehicles"],
        kinds["crimes"] + kinds["incidents"],
        kinds["locations"],
    )
    anywhere = IDS if messy else st.nothing()
    involved = []
    for _ in range(draw(st.integers(1, 8))):
        if messy:
            start, role = draw(st.sampled_from(starts) | IDS), draw(st.sampled_from(ROLES))
        else:
            vehicle = draw(st.booleans())
            start = draw(st.sampled_from(kinds["vehicles"] if vehicle else kinds["people"]))
            role = draw(st.sampled_from(ROLES[3:] if vehicle else ROLES[:3]))
        involved.append([start, role, draw(st.sampled_from(events) | anywhere), "INVOLVED_IN", draw(MOMENT)])
    occurred = [
        [
            draw(st.sampled_from(events) | anywhere),
            draw(st.sampled_from(places) | anywhere),
            "OCCURRED_AT",
            draw(MOMENT),
        ]
        for _ in range(draw(st.integers(0, 5)))
    ]
    tables |= {"involved_in": involved, "occurred_at": occurred}
    if messy:
        for table in draw(st.sets(st.sampled_from(NODES), max_size=1)):
            del tables[table]  # a node file left out: its links are not checked when mapping, only by the shapes
    return tables


def _write(folder: Path, tables: dict[str, list[list[str]]], headers: dict[str, tuple[str, ...]]) -> list[Path]:
    """Write each table as CSV (with its header) under *folder*; a table named ``x~2`` is a second file of x."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows in tables.items():
        path = folder / f"{name.replace('~', '-')}.csv"
        with path.open("w", encoding="utf-8", newline="") as stream:
            csv.writer(stream, lineterminator="\n").writerows([headers[name.split("~")[0]], *rows])
        paths.append(path)
    return paths


def _split(draw: st.DrawFn, tables: dict[str, list[list[str]]], names: tuple[str, ...]) -> dict[str, list[list[str]]]:
    """One table written as two files, or not (as neo4j-admin reads several files of one label)."""
    name = draw(st.sampled_from(names))
    rows = tables.get(name, [])
    if len(rows) < 2 or not draw(st.booleans()):
        return tables
    cut = draw(st.integers(1, len(rows) - 1))
    return tables | {name: rows[:cut], f"{name}~2": rows[cut:]}


def _keys(paths: list[Path], engine: str, batch_rows: int) -> set[ResultKey]:
    report = validate(paths, engine=engine, options=MapOptions(batch_rows=batch_rows))
    return report_keys(report.shacl_report())


def _same_results(paths: list[Path], batch_rows: int) -> None:
    fast, reference = _keys(paths, "fast", batch_rows), _keys(paths, "pyshacl", batch_rows)
    assert fast == reference, (sorted(fast - reference), sorted(reference - fast))


@st.composite
def shuffled(
    draw: st.DrawFn, tables: st.SearchStrategy[dict[str, list[list[str]]]], names: tuple[str, ...], *, split: bool
) -> tuple[dict[str, list[list[str]]], int]:
    """The tables (perhaps one in two files) in a random file order, and a batch size of 1 to 4 rows."""
    chosen = draw(tables)
    chosen = _split(draw, chosen, names) if split else chosen
    order = draw(st.permutations(list(chosen)))
    return {name: chosen[name] for name in order}, draw(st.integers(1, 4))


@EXPORTS
@given(case=shuffled(graph_exports(messy=False), NODES, split=False))
def test_tidy_graph_exports_same_results(case: tuple, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Links between nodes of the kinds they name, polymorphic ends (a person or a vehicle, a crime or an
    incident), each ID once."""
    tables, batch_rows = case
    _same_results(_write(tmp_path_factory.mktemp("graph"), tables, HEADERS), batch_rows)


@EXPORTS
@given(case=shuffled(graph_exports(messy=True), NODES, split=False))
def test_messy_graph_exports_same_results(case: tuple, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Dangling and wrong-kind links, a key on several rows of one file (across batches), a node file
    left out."""
    tables, batch_rows = case
    _same_results(_write(tmp_path_factory.mktemp("graph"), tables, HEADERS), batch_rows)


@EXPORTS
@given(case=shuffled(graph_exports(messy=True, across_files=True), NODES, split=True))
def test_graph_exports_with_keys_across_files_same_results(
    case: tuple, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """As the messy exports, and an ID that is a node of two node files, and one table in two files."""
    tables, batch_rows = case
    _same_results(_write(tmp_path_factory.mktemp("graph"), tables, HEADERS), batch_rows)


def _person(node: str, name: str = "Alys Dunn") -> list[str]:
    return [node, name, "1990-01-02", "Person"]


TIDY = {
    "people": [_person("1")],
    "vehicles": [["2", "AB24CDE", "Ford", "Red", "Vehicle"]],
    "locations": [["5", "On or near Mill Lane", "52.1", "-1.3", "Location"]],
    "crimes": [["3", "C/3", "2024-03-01T10:00:00", "Burglary", "Crime"]],
    "incidents": [["4", "INC/4", "2024-03-01T10:00:00", "Noise nuisance", "Incident"]],
    "involved_in": [["1", "SUSPECT", "3", "INVOLVED_IN", ""], ["2", "USED", "4", "INVOLVED_IN", ""]],
    "occurred_at": [["3", "5", "OCCURRED_AT", ""], ["4", "5", "OCCURRED_AT", ""]],
}


@pytest.mark.parametrize(
    "tables",
    [
        TIDY | {"people~2": [_person("1", "Bryn Hale")]},
        TIDY | {"incidents": [*TIDY["incidents"], ["5", "INC/5", "2024-03-02T09:00:00", "Noise nuisance", "Incident"]]},
    ],
    ids=["a key in two files of one table", "an ID that is a node of two node files"],
)
def test_a_key_in_two_files_same_results(tables: dict[str, list[list[str]]], tmp_path: Path) -> None:
    """pySHACL sees both files' values of the record: two labels, datasets and runs (sh:maxCount; two source
    rows when the rows' numbers differ), and, for an ID that is a location and an incident, each property
    the other's closed shape does not allow (sh:closed)."""
    _same_results(_write(tmp_path, tables, HEADERS), 20_000)


def _force_a() -> tuple[dict[str, tuple[str, ...]], dict[str, list[list[str]]]]:
    headers, rows = {}, {}
    for table in FORCE_A_TABLES:
        with (EXAMPLES / "force-a" / f"{table}.csv").open(encoding="utf-8", newline="") as stream:
            header, *body = list(csv.reader(stream))
        headers[table], rows[table] = tuple(header), body
    return headers, rows


FORCE_A_HEADERS, FORCE_A_ROWS = _force_a()


@st.composite
def force_a_exports(draw: st.DrawFn, *, across_files: bool = False) -> dict[str, list[list[str]]]:
    """A few of Force A's link rows and, for each record they name, that record's row or not (a dangling
    link); now and then a record's row twice with another value (in a second file of its table when
    *across_files*), or a table left out."""
    links = draw(st.lists(st.sampled_from(FORCE_A_ROWS["links"]), min_size=1, max_size=5, unique_by=tuple))
    named = {row[1] for row in links} | {row[4] for row in links}
    tables: dict[str, list[list[str]]] = {"links": links}
    for table in ("nominals", "objects", "occurrences"):
        tables[table] = [row for row in FORCE_A_ROWS[table] if row[0] in named and draw(st.integers(0, 4))]
    places = {row[4] for row in tables["occurrences"]} | {row[7] for row in tables["nominals"]}
    tables["locations"] = [row for row in FORCE_A_ROWS["locations"] if row[0] in places and draw(st.integers(0, 4))]
    for table, column, other in (("nominals", 1, "Other"), ("occurrences", 2, "02/03/2024"), ("locations", 1, "99")):
        if tables[table] and draw(st.booleans()):
            twice = list(draw(st.sampled_from(tables[table])))
            twice[column] = other  # the same key on a second row, with another value
            tables.setdefault(f"{table}~2" if across_files else table, []).append(twice)
    if draw(st.booleans()):
        del tables[draw(st.sampled_from(["nominals", "objects", "occurrences", "locations"]))]
    return tables


@EXPORTS
@given(case=shuffled(force_a_exports(), FORCE_A_TABLES, split=False))
def test_force_a_exports_same_results(case: tuple, tmp_path_factory: pytest.TempPathFactory) -> None:
    tables, batch_rows = case
    _same_results(_write(tmp_path_factory.mktemp("force-a"), tables, FORCE_A_HEADERS), batch_rows)


@EXPORTS
@given(case=shuffled(force_a_exports(across_files=True), FORCE_A_TABLES, split=False))
def test_force_a_exports_with_keys_across_files_same_results(
    case: tuple, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """As above, with a key's second row in a second file of its table."""
    tables, batch_rows = case
    _same_results(_write(tmp_path_factory.mktemp("force-a"), tables, FORCE_A_HEADERS), batch_rows)


@pytest.mark.parametrize(
    "inputs",
    [
        sorted((EXAMPLES / "force-a").glob("*.csv")),
        [EXAMPLES / "force-b" / "export.json"],
        sorted((EXAMPLES / "force-c").glob("*.csv")),
    ],
    ids=["force-a", "force-b", "force-c"],
)
def test_bundled_exports_same_results(inputs: list[Path]) -> None:
    _same_results(list(reversed(inputs)), 20_000)
