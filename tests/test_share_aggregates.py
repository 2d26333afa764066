"""Aggregates only: the example statistics agreement gives a copy of RDF Data Cube observations from the force
examples and from a real data.police.uk stop-and-search file (exact counts), cells under k suppressed and
counted, no record's IRI and no identifier in it, and a copy that breaks those rules refused."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from policeonto.cli import main
from policeonto.errors import ShareRefusedError
from policeonto.fastshacl import TripleTable, compile_shapes, evaluate
from policeonto.fastshacl.report import report_keys, result_keys
from policeonto.shacl import run_pyshacl
from policeonto.sharing.aggregates import AGGREGATES, OBS_VALUE, QB, named_nodes, suppressed_cells
from policeonto.sharing.manifest import SHARE
from policeonto.sharing.proof import aggregates_profile, check_aggregates
from policeonto.sharing.reading import read_agreement
from policeonto.sharing.records import read_records_for_share
from policeonto.sharing.share import Copy, make_copy, share
from policeonto.terms import RDF_TYPE, node
from tests.conftest import ROOT

TODAY = date(2026, 12, 5)
STATISTICS = read_agreement(ROOT / "examples" / "agreements" / "statistics.yaml")
FORCES = [*sorted((ROOT / "examples" / "force-a").glob("*.csv")), ROOT / "examples" / "force-b" / "export.json"]
CITY = ROOT.parent / "shared" / "data" / "police-uk" / "stop-and-search" / "2020-03-city-of-london-stop-and-search.csv"
P = "https://w3id.org/policeonto/"


@pytest.fixture(scope="module")
def city() -> tuple[pl.DataFrame, Copy]:
    records = read_records_for_share([CITY]).triples
    return records, make_copy(records, STATISTICS, key=None, today=TODAY)


def _table(copy: pl.DataFrame, label: str) -> dict[tuple[str, ...], int]:
    """The cells of the data set *label*: dimension values (sorted by predicate) to count."""
    dataset = copy.filter((pl.col("p").str.ends_with("#label>")) & (pl.col("o") == f'"{label}"')).get_column("s")[0]
    observations = copy.filter((pl.col("p") == f"<{QB}dataSet>") & (pl.col("o") == dataset)).get_column("s")
    cells = {}
    for obs in observations.to_list():
        rows = copy.filter(pl.col("s") == obs)
        count = int(rows.filter(pl.col("p") == OBS_VALUE).get_column("o")[0].split('"')[1])
        values = rows.filter(pl.col("p").str.starts_with(f"<{P}")).sort("p").get_column("o").to_list()
        cells[tuple(v.rsplit("/", 1)[-1].rstrip(">") for v in values)] = count
    return cells


def test_a_real_stop_and_search_file_as_counts(city: tuple[pl.DataFrame, Copy]) -> None:
    records, copy = city
    triples = copy.triples
    assert copy.records_shared == 0 and copy.pseudonymised == 0
    assert dict(copy.withheld) == {"class-not-permitted": 66}  # the points: their class is not permitted
    types = dict(triples.filter(pl.col("p") == RDF_TYPE).group_by("o").len().iter_rows())
    assert types == {
        f"<{QB}DataSet>": 11,
        f"<{QB}DataStructureDefinition>": 11,
        f"<{QB}ComponentSpecification>": 24,
        f"<{QB}Observation>": 25,
    }
    assert _table(triples, "PersonInvolvement by gender") == {("female",): 24, ("male",): 147}  # as in the file
    # Outcomes 124, 41, 5 and 1: 5 and 1 are under k, and 6 between them could be told from the total, so 41 goes too
    assert _table(triples, "StopAndSearch by search_outcome") == {("no-further-action",): 124}
    assert _table(triples, "StopAndSearch by search_type") == {("person",): 129, ("person-and-vehicle",): 42}
    assert _table(triples, "StopAndSearch by source_force") == {("city-of-london",): 171}
    assert dict(copy.suppressed_cells) == {
        "PersonInvolvement by age_range": 2,
        "PersonInvolvement by officer_defined_ethnicity": 2,
        "PersonInvolvement by self_defined_ethnicity": 14,
        "PersonInvolvement by age_range, gender, self_defined_ethnicity": 54,
        "StopAndSearch by object_of_search": 4,
        "StopAndSearch by search_outcome": 3,
    }
    counts = triples.filter(pl.col("p") == OBS_VALUE).get_column("o").str.extract(r'"(\d+)"', 1).cast(pl.Int64)
    assert counts.min() >= 10, "no cell of fewer than k = 10 records"
    assert triples.get_column("s").str.starts_with(f"<{AGGREGATES}").all(), "only data sets and observations"
    described = set(records.get_column("s").to_list())
    assert not described & (set(triples.get_column("o").to_list()) | set(triples.get_column("s").to_list()))
    assert "row-" not in " ".join(triples.get_column("o").to_list()), "no record's IRI, no source row"


def test_the_force_examples_as_counts() -> None:
    records = read_records_for_share(FORCES).triples
    copy = make_copy(records, STATISTICS, key=None, today=TODAY)
    observations = copy.triples.filter((pl.col("p") == RDF_TYPE) & (pl.col("o") == f"<{QB}Observation>"))
    # Suppressed one table at a time, cells could be worked out from a margin (before the linkage cases: the 3
    # women of ethnicity NS from the 13 of NS, the 9 of gender not known and no ethnicity from the 306 of none);
    # suppressed across the tables they cannot. Counted with the 35 people each force holds for the linkage cases.
    assert observations.height == 34
    assert dict(copy.suppressed_cells) == {
        "Person by self_defined_ethnicity": 12,
        "Person by gender, self_defined_ethnicity": 33,
        "StopAndSearch by legislation": 2,
        "StopAndSearch by search_outcome": 4,
    }
    assert not set(records.get_column("s").to_list()) & set(copy.triples.get_column("o").to_list())


@pytest.mark.parametrize(
    ("counts", "k", "hidden"),
    [
        ([40, 3, 25, 12], 10, {1, 3}),  # one cell under k: the next smallest goes too, or it could be worked out
        ([40, 3, 4, 25], 10, {1, 2, 3}),  # two under k, 7 between them: still fewer than k
        ([40, 3, 9, 25], 10, {1, 2}),  # two under k, 12 between them
        ([40, 25], 10, set()),
        ([5], 10, {0}),
    ],
)
def test_small_number_suppression(counts: list[int], k: int, hidden: set[int]) -> None:
    assert suppressed_cells(counts, k) == hidden


def test_a_copy_naming_a_record_or_a_small_count_is_refused(city: tuple[pl.DataFrame, Copy]) -> None:
    records, copy = city
    described = named_nodes(records)
    obs = copy.triples.filter(pl.col("p") == OBS_VALUE).get_column("s")[0]
    record = records.filter(pl.col("p") == RDF_TYPE).get_column("s")[0]
    with pytest.raises(ShareRefusedError) as caught:
        check_aggregates(
            pl.concat([copy.triples, pl.DataFrame({"s": [obs], "p": [f"<{P}gender>"], "o": [record]})]),
            STATISTICS,
            described=described,
        )
    assert caught.value.rule == "aggregates-only" and "row-" not in str(caught.value)
    small = copy.triples.with_columns(
        o=pl.when(pl.col("s").eq(obs) & pl.col("p").eq(OBS_VALUE)).then(pl.lit('"3"')).otherwise(pl.col("o"))
    )
    with pytest.raises(ShareRefusedError) as caught:
        check_aggregates(small, STATISTICS, described=described)
    assert caught.value.rule == "k-anonymity"
    with pytest.raises(ShareRefusedError) as caught:
        check_aggregates(pl.concat([copy.triples, records.head(1).cast(pl.String)]), STATISTICS, described=described)
    assert caught.value.rule in {"permitted-predicate", "aggregates-only"}


def test_the_manifest_and_the_command(tmp_path: Path) -> None:
    result = share([CITY], STATISTICS, tmp_path / "stats.ttl", today=TODAY)
    manifest = Graph().parse(result.manifest)
    cells = {
        str(manifest.value(node, SHARE.reason)): manifest.value(node, SHARE["count"]).toPython()
        for node in manifest.objects(None, SHARE.suppressedCells)
    }
    assert cells["StopAndSearch by search_outcome"] == 3 and sum(cells.values()) == 79
    assert (None, SHARE.recordsShared, Literal(0)) in manifest
    copy = Graph().parse(tmp_path / "stats.ttl")
    assert len(set(copy.subjects(URIRef(RDF_TYPE[1:-1]), URIRef(f"{QB}Observation")))) == 25
    out = tmp_path / "cli.nt"
    run = CliRunner().invoke(
        main,
        [
            "share",
            str(CITY),
            "--agreement",
            str(ROOT / "examples/agreements/statistics.ttl"),
            "-o",
            str(out),
            "--format",
            "json",
        ],
        catch_exceptions=False,
    )
    assert run.exit_code == 0
    summary = json.loads(run.stdout)
    assert summary["records_shared"] == 0 and sum(summary["suppressed_cells"].values()) == 79


def _graph(frame: pl.DataFrame) -> Graph:
    graph = Graph()
    for s, p, o in frame.iter_rows():
        graph.add((node(s), node(p), node(o)))
    return graph


@pytest.mark.parametrize(
    "tampered",
    [
        "none",
        "small count",  # a count under k
        "second count",  # two counts for one cell
        "record property",  # a property no dimension (an observation is closed)
        "data set said more",  # a data set with a property of its own (closed too)
    ],
)
def test_the_closed_profile_of_counts_gives_pyshacls_results(city: tuple[pl.DataFrame, Copy], tampered: str) -> None:
    _, copy = city
    obs = copy.triples.filter(pl.col("p") == OBS_VALUE).get_column("s").sort()[0]
    dataset = copy.triples.filter(pl.col("p") == f"<{QB}structure>").get_column("s").sort()[0]
    extra = {
        "none": [],
        "small count": [(obs, OBS_VALUE, '"4"^^<http://www.w3.org/2001/XMLSchema#integer>')],
        "second count": [(obs, OBS_VALUE, '"999"^^<http://www.w3.org/2001/XMLSchema#integer>')],
        "record property": [(obs, f"<{P}source_row>", '"7"^^<http://www.w3.org/2001/XMLSchema#integer>')],
        "data set said more": [(dataset, f"<{P}gender>", f"<{P}code/gender/female>")],
    }[tampered]
    data = pl.concat([copy.triples, pl.DataFrame(extra, schema=dict.fromkeys("spo", pl.String), orient="row")])
    shapes = aggregates_profile(STATISTICS)
    fast = result_keys(evaluate(compile_shapes(shapes), TripleTable.from_frame(data.unique())))
    conforms, report, _ = run_pyshacl(_graph(data.unique()), shapes)
    assert fast == report_keys(report)
    assert conforms == (tampered == "none") == (not fast)


def test_a_dry_run_says_what_would_be_counted() -> None:
    run = CliRunner().invoke(
        main, ["share", str(CITY), "--agreement", str(ROOT / "examples/agreements/statistics.yaml"), "--dry-run"]
    )
    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    assert "  only counts would leave: 25 cells in 11 tables (233 triples)" in lines
    assert any(
        line.startswith("  3 cells suppressed") and line.endswith("StopAndSearch by search_outcome") for line in lines
    )
    assert f"    {P}gender: a dimension of 5 cells" in lines  # 2 in the gender table, 3 in the three-way one
    assert f"    {P}person: 171 stay: property-not-permitted" in lines
