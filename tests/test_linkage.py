"""Cross-force entity resolution with Splink on DuckDB, against a real embedded store holding the force
examples as `policeonto load` puts them there, judged against their ground truth
(examples/linkage-truth.csv: 41 pairs of one person, 12 of them sharing a PNC ID in the examples, and 6
pairs of look-alikes). Force B's copy has every PNC ID taken out and one more date of birth transposed, so
no pair shares an identifier and the exact PNC join finds nothing."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from rdflib import RDF, XSD

from policeonto.cli import main
from policeonto.errors import LinkageModelError
from policeonto.fastshacl.report import ResultKey, report_keys
from policeonto.linkage import CLUSTERS_GRAPH, MATCHES_GRAPH, LinkResult, link
from policeonto.linkage.evaluation import CaseOutcome, baseline_pairs, case_outcomes, evaluate, score
from policeonto.linkage.graphs import match_iri
from policeonto.linkage.model import LinkageModel, read_model, settings_in
from policeonto.linkage.records import pull
from policeonto.linkage.truth import Truth, read_truth
from policeonto.store import EmbeddedStore, Store
from policeonto.validation import validate
from tests.test_linkage_records import people_store

ROOT = Path(__file__).resolve().parents[1]
A = "https://w3id.org/policeonto/data/force-a/nominal/"
B = "https://w3id.org/policeonto/data/force-b/person/"
TRUTH = ROOT / "examples" / "linkage-truth.csv"
CLUSTERS = 38  # the clusters at 0.9: one per pair found (twins, both known to Force A, are not joined)


@pytest.fixture(scope="module")
def truth() -> Truth:
    return read_truth(TRUTH).of("person")


def _force_b_without_identifiers(target: Path) -> Path:
    export = json.loads((ROOT / "examples" / "force-b" / "export.json").read_text(encoding="utf-8"))
    for item in export["included"]:
        if item["type"] == "persons":
            item["attributes"]["pncNumber"] = None
            if item["id"] == "PER-000085":
                item["attributes"]["birthDate"] = "1965-08-05"  # Force A has 08/05/1965
    target.mkdir(parents=True)
    path = target / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with Force A's people and places and Force B's export, loaded by `policeonto load`."""
    folder = tmp_path_factory.mktemp("linkage")
    force_a = folder / "force-a"
    force_a.mkdir()
    inputs = [shutil.copy(ROOT / "examples" / "force-a" / name, force_a) for name in ("nominals.csv", "locations.csv")]
    inputs.append(_force_b_without_identifiers(folder / "force-b"))
    store = folder / "store"
    # The examples carry planted faults (invalid codes, dangling references): load them anyway.
    loaded = CliRunner().invoke(main, ["load", *map(str, inputs), "--store", str(store), "--load-invalid"])
    assert loaded.exit_code == 1, loaded.output
    return store


@pytest.fixture(scope="module")
def first_run(loaded: Path) -> tuple[LinkResult, Path]:
    model = loaded.parent / "person-model.json"
    with EmbeddedStore(loaded) as store:
        return link(store, threshold=0.9, floor=0.5, model_path=model), model


def _count(store: Store, sparql: str) -> int:
    return int(store.query("PREFIX pole: <https://w3id.org/policeonto/>\n" + sparql).values("n").pop())


def test_people_sharing_no_identifier_are_paired_and_clustered(
    first_run: tuple[LinkResult, Path], loaded: Path, truth: Truth
) -> None:
    result, _ = first_run
    assert result.trained and result.records == 670 and result.graphs == 2
    with EmbeddedStore(loaded) as store:
        assert score(baseline_pairs(store), truth).f1 == 0.0  # the exact PNC join finds no one
    scored = [(match.first, match.second, match.probability) for match in result.pairs]
    low, high = evaluate(scored, truth, thresholds=(0.5, 0.9))
    # At 0.5 every pair of one person is found, and no look-alike: twins (same surname, birth and home) too
    # are told apart by their forenames, as the family level takes back what the surname and birth gave.
    assert (low.true_positives, low.false_positives, low.false_negatives) == (41, 0, 0)
    assert (low.precision, low.recall, low.f1) == (1.0, 1.0, 1.0)
    # At 0.9 the three women known by their maiden name in one force and married name in the other fall below.
    assert (high.true_positives, high.false_positives, high.false_negatives) == (38, 0, 3)
    assert (high.precision, high.recall, high.f1) == (1.0, 0.9268, 0.962)
    outcomes = case_outcomes(((match.first, match.second) for match in result.pairs if match.probability >= 0.9), truth)
    assert outcomes["married-surname"] == CaseOutcome(same_found=0, same=3, different_joined=0, different=0)
    assert outcomes["twins"] == CaseOutcome(same_found=1, same=1, different_joined=0, different=2)
    assert outcomes["father-and-son"] == CaseOutcome(same_found=1, same=1, different_joined=0, different=2)
    assert outcomes["common-name"] == CaseOutcome(same_found=0, same=0, different_joined=0, different=2)
    others = {case: o for case, o in outcomes.items() if case != "married-surname"}
    assert all(o.same_found == o.same and o.different_joined == 0 for o in others.values())
    likely = {(match.first, match.second) for match in result.pairs if match.probability >= 0.9}
    members = [set(members) for members, _ in result.clusters]
    assert len(result.clusters) == CLUSTERS and set().union(*members) == {r for pair in likely for r in pair}
    pnc = {item.level for match in result.pairs for item in match.evidence if item.comparison == "pnc_id"}
    assert pnc == {"pnc_id is NULL"}  # no pair was decided by an identifier
    transposed = next(match for match in result.pairs if match.first == A + "N0000228")
    assert "day and month transposed" in {item.level for item in transposed.evidence}
    variant = next(match for match in result.pairs if match.first == A + "N0000081")  # Mohammed / Muhammad
    assert "forename a variant of the same name" in {item.level for item in variant.evidence}


def test_people_with_no_name_are_pulled_and_linked_with_a_saved_model(
    first_run: tuple[LinkResult, Path], tmp_path: Path
) -> None:
    """A data.police.uk search's subject is a person with no name beside the forces' named people."""
    with people_store(tmp_path) as store:
        result = link(store, threshold=0.9, floor=0.5, model_path=first_run[1])
    assert not result.trained and (result.records, result.graphs) == (5, 2)
    assert [(m.first, m.second) for m in result.pairs] == [("https://example.org/a/1", "https://example.org/b/1")]


def on_spark(jobs: list[tuple[pd.DataFrame, dict[str, Any]]], checkpoints: Path) -> list[dict[tuple[str, str], float]]:
    """Each job's records (a table of ``pull``) linked on a local Spark (two cores, Splink's jar of string
    functions) with its settings, in one Spark session: the pairs at 0.5 or above with their match
    probabilities, each pair's records in order (Spark may put either on the left)."""
    from pyspark.sql import SparkSession
    from pyspark.sql.types import StringType, StructField, StructType
    from splink import Linker, SparkAPI
    from splink.backends.spark import similarity_jar_location

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.jars", similarity_jar_location())
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    found = []
    try:
        spark.sparkContext.setLogLevel("ERROR")
        spark.sparkContext.setCheckpointDir(str(checkpoints))
        for job, (table, settings) in enumerate(jobs):
            groups = [group.reset_index(drop=True) for _, group in table.groupby("graph", sort=True)]
            aliases = [f"job_{job}_graph_{index}" for index in range(len(groups))]  # one session's tables
            schema = StructType([StructField(column, StringType(), True) for column in table.columns])
            frames = [spark.createDataFrame([tuple(row) for row in g.itertuples(index=False)], schema) for g in groups]
            linker = Linker(frames, settings, SparkAPI(spark_session=spark), input_table_aliases=aliases)
            pairs = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
            rows = zip(pairs["record_l"], pairs["record_r"], pairs["match_probability"], strict=True)
            found.append({tuple(sorted((a, b))): p for a, b, p in rows})
            assert len(found[-1]) == len(pairs)  # no pair twice
    finally:
        spark.stop()
    return found


def test_the_saved_model_links_alike_on_splinks_spark_backend(first_run: tuple[LinkResult, Path], loaded: Path) -> None:
    """The model file's settings, written again for Spark's SQL with its probabilities, give on Spark (local,
    two cores, Splink's jar of string functions) the pairs and match probabilities DuckDB gives."""
    result, model_path = first_run
    model = read_model(model_path, "person")
    with EmbeddedStore(loaded) as store:
        table = pull(store)
    settings = settings_in(model, "spark", source=model_path)
    (found,) = on_spark([(table, settings)], loaded.parent / "spark-checkpoints")
    assert "jaro_winkler(" in json.dumps(settings) and "jaro_winkler_similarity" not in json.dumps(settings)
    on_duckdb = {tuple(sorted((m.first, m.second))): m.probability for m in result.pairs}
    assert sorted(found) == sorted(on_duckdb) and len(found) == len(result.pairs)
    assert all(abs(p - on_duckdb[pair]) < 1e-9 for pair, p in found.items())


def test_a_model_of_other_comparisons_is_not_carried_to_another_backend(
    first_run: tuple[LinkResult, Path], tmp_path: Path
) -> None:
    saved = json.loads(first_run[1].read_text(encoding="utf-8"))
    saved["settings"]["comparisons"] = saved["settings"]["comparisons"][:-1]
    model = LinkageModel("person", saved["settings"], saved["trained_at"], saved["splink_version"])
    with pytest.raises(LinkageModelError, match="train again with --retrain"):
        settings_in(model, "spark", source=tmp_path / "old-model.json")


def test_the_model_file_is_reused_and_gives_the_same_pairs(first_run: tuple[LinkResult, Path], loaded: Path) -> None:
    result, model = first_run
    saved = json.loads(model.read_text(encoding="utf-8"))
    assert saved["policeonto_linkage_model"] == 1 and saved["version"] == result.run.model_version
    with EmbeddedStore(loaded) as store:
        again = link(store, threshold=0.9, floor=0.5, model_path=model)
    assert not again.trained and again.run.model_version == result.run.model_version
    assert [(m.first, m.second, m.probability) for m in again.pairs] == [
        (m.first, m.second, m.probability) for m in result.pairs
    ]


def test_matches_and_clusters_have_graphs_of_their_own(first_run: tuple[LinkResult, Path], loaded: Path) -> None:
    result, _ = first_run
    with EmbeddedStore(loaded) as store:
        assert {MATCHES_GRAPH, CLUSTERS_GRAPH} <= set(store.graphs())
        matches = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{MATCHES_GRAPH}> {{ ?m a pole:RecordMatch }} }}"
        resolved = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{CLUSTERS_GRAPH}> {{ ?e a pole:ResolvedEntity }} }}"
        assert _count(store, matches) == len(result.pairs)
        assert _count(store, resolved) == len(result.clusters)
        # (The ontology graph's OWL 2 RL closure states each term owl:sameAs itself; no data graph has one.)
        same_as = (
            "ASK { GRAPH ?g { ?a <http://www.w3.org/2002/07/owl#sameAs> ?b } "
            "FILTER(?g != <https://w3id.org/policeonto/graph/ontology>) }"
        )
        assert store.query(same_as).boolean is False
        outside = (
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            "FILTER(STRSTARTS(STR(?s), 'https://w3id.org/policeonto/data/linkage/') "
            f"&& ?g NOT IN (<{MATCHES_GRAPH}>, <{CLUSTERS_GRAPH}>)) }}"
        )
        assert _count(store, outside) == 0
        # A run with a higher floor replaces the matches graph: fewer pairs, none left from before.
        fewer = link(store, threshold=0.99, floor=0.99, model_path=loaded.parent / "person-model.json")
        assert len(fewer.pairs) == sum(1 for match in result.pairs if match.probability >= 0.99) > 0
        assert _count(store, matches) == len(fewer.pairs)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda text: "{not json", "cannot read the model"),
        (lambda text: json.dumps({"settings": {}}), "not a policeonto linkage model"),
        (lambda text: text.replace('"entity": "person"', '"entity": "vehicle"'), "links vehicle records"),
        (lambda text: text.replace('"m_probability": 0.', '"m_probability": 0.1', 1), "changed after training"),
    ],
)
def test_a_bad_model_file_is_a_clear_error(first_run: tuple[LinkResult, Path], tmp_path: Path, change, says) -> None:
    _, model = first_run
    bad = tmp_path / "model.json"
    bad.write_text(change(model.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(LinkageModelError, match=says) as raised:
        read_model(bad, "person")
    assert str(bad) in str(raised.value)


def test_cli_links_and_refuses_a_bad_model(first_run: tuple[LinkResult, Path], loaded: Path, tmp_path: Path) -> None:
    _, model = first_run
    shown = CliRunner().invoke(main, ["link", "--store", str(loaded), "--model", str(model), "--format", "json"])
    assert shown.exit_code == 0, shown.output
    summary = json.loads(shown.output)
    assert summary["pairs_above_threshold"] == 38 and len(summary["clusters"]) == CLUSTERS
    assert summary["model"]["trained"] is False
    text = CliRunner().invoke(main, ["link", "--store", str(loaded), "--model", str(model)])
    assert f"38 at or above 0.9, in {CLUSTERS} clusters" in text.output
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    refused = CliRunner().invoke(main, ["link", "--store", str(loaded), "--model", str(bad)])
    assert refused.exit_code == 2 and f"{bad}: not a policeonto linkage model" in refused.output
    floor = CliRunner().invoke(main, ["link", "--store", str(loaded), "--model", str(model), "--floor", "0.95"])
    assert floor.exit_code == 2 and "--floor 0.95 is above --threshold 0.9" in floor.output


def _written(store: Store, target: Path, matches: str = MATCHES_GRAPH, clusters: str = CLUSTERS_GRAPH) -> Path:
    """The *matches* and *clusters* graphs (by default the person records'), with the types of the records
    they name, as one N-Triples file."""
    construct = (
        "CONSTRUCT { ?s ?p ?o . ?record a ?type } WHERE { "
        f"{{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g IN (<{matches}>, <{clusters}>)) }} UNION "
        f"{{ GRAPH <{matches}> {{ ?m <https://w3id.org/policeonto/first_record>|"
        "<https://w3id.org/policeonto/second_record> ?record } GRAPH ?h { ?record a ?type } } }"
    )
    target.write_text("".join(line + "\n" for line in store.query(construct).triples), encoding="utf-8")
    return target


def _keys(path: Path, engine: str) -> set[ResultKey]:
    return report_keys(validate([path], engine=engine).shacl_report())


def test_the_written_graphs_conform_to_their_shapes_in_both_engines(
    first_run: tuple[LinkResult, Path], loaded: Path, tmp_path: Path
) -> None:
    with EmbeddedStore(loaded) as store:
        link(store, threshold=0.9, floor=0.5, model_path=first_run[1])
        written = _written(store, tmp_path / "linkage.nt")
    assert _keys(written, "fast") == _keys(written, "pyshacl") == set()
    # Broken on purpose: a probability above 1, a match without its second record, a one-record entity.
    text = written.read_text(encoding="utf-8")
    pairs = sorted(first_run[0].pairs, key=lambda match: match.first)
    first, second = match_iri(pairs[0]), match_iri(pairs[1])
    lines = [
        line
        for line in text.splitlines()
        if not (line.startswith(f"<{second}> <https://w3id.org/policeonto/second_record>"))
    ]
    lines.append(f'<{first}> <https://w3id.org/policeonto/match_probability> "1.5"^^<{XSD.float}> .')
    lines.append(f"<https://example.org/lonely> <{RDF.type}> <https://w3id.org/policeonto/ResolvedEntity> .")
    broken = tmp_path / "broken.nt"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast, reference = _keys(broken, "fast"), _keys(broken, "pyshacl")
    assert fast == reference, (sorted(fast - reference), sorted(reference - fast))
    found = {(key[0], key[1].rsplit("/", 1)[-1], key[3].rsplit("#", 1)[-1]) for key in fast}
    assert {
        (f"<{first}>", "match_probability", "MaxInclusiveConstraintComponent"),
        (f"<{second}>", "second_record", "MinCountConstraintComponent"),
        ("<https://example.org/lonely>", "members", "MinCountConstraintComponent"),
    } <= found


def test_the_grey_zone_is_written_for_review(
    first_run: tuple[LinkResult, Path], loaded: Path, tmp_path: Path, truth: Truth
) -> None:
    _, model = first_run
    sheet = tmp_path / "review.csv"
    args = ["link", "--store", str(loaded), "--model", str(model), "--floor", "0.01", "--review", "0.01", "0.9"]
    written = CliRunner().invoke(main, [*args, "-o", str(sheet)])
    assert written.exit_code == 0, written.output
    rows = list(csv.DictReader(sheet.open(encoding="utf-8", newline="")))
    with EmbeddedStore(loaded) as store:
        grey = [match for match in link(store, floor=0.01, model_path=model).pairs if match.probability < 0.9]
    assert [(row["first_record"], row["second_record"]) for row in rows] == [(m.first, m.second) for m in grey]
    assert rows and all(row["decision"] == row["decided_by"] == "" for row in rows)
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())
    married = {p.key for p in truth.pairs if p.case == "married-surname"}  # the pairs of one person below 0.9
    assert married <= {(row["first_record"], row["second_record"]) for row in rows}
    below = CliRunner().invoke(main, [*args[:-2], "0.001", "0.9", "-o", str(sheet)])
    assert below.exit_code == 2 and "below --floor 0.01" in below.output
    alone = CliRunner().invoke(main, args)
    assert alone.exit_code == 2 and "go together" in alone.output


def test_the_example_query_finds_people_by_resolution_not_by_pnc(
    first_run: tuple[LinkResult, Path], loaded: Path
) -> None:
    query = (ROOT / "examples" / "queries" / "people-resolved-across-forces.rq").read_text(encoding="utf-8")
    with EmbeddedStore(loaded) as store:
        link(store, threshold=0.9, floor=0.5, model_path=first_run[1])
        found = store.query(query)
        by_pnc = store.query((ROOT / "examples" / "queries" / "people-in-both-forces.rq").read_text(encoding="utf-8"))
    assert len(found.rows) == CLUSTERS and by_pnc.rows == ()  # Force B's copy has no PNC ID: only resolution finds them
    assert set(found.values("forces")) == {"2"} and set(found.values("pnc_ids")) == {
        "0",
        "1",
    }  # Force A's, when it has one
    assert "Ann Parker | Anne Parker" in found.values("names") or "Anne Parker | Ann Parker" in found.values("names")


def test_cli_prints_the_scores_against_the_truth_beside_the_baseline(
    first_run: tuple[LinkResult, Path], loaded: Path
) -> None:
    args = ["link", "--store", str(loaded), "--model", str(first_run[1]), "--truth", str(TRUTH)]
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 0, text.output
    assert f"against {TRUTH}, the exact identifier join: precision 0.0, recall 0.0, F1 0.0" in text.output
    assert f"against {TRUTH}, at 0.5: precision 1.0, recall 1.0, F1 1.0 (41 found, 0 wrong, 0 missed)" in (text.output)
    shown = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).output)
    assert [(s["threshold"], s["f1"]) for s in shown["evaluation"]] == [
        (None, 0.0),
        (0.5, 1.0),
        (0.8, 0.962),
        (0.9, 0.962),
        (0.95, 0.962),
        (0.99, 0.962),
    ]


def test_cli_refuses_a_bad_truth_file_naming_it(
    first_run: tuple[LinkResult, Path], loaded: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "truth.csv"
    bad.write_text("entity,case,same,record_a,record_b\nperson,twins,maybe,urn:a,urn:b\n", encoding="utf-8")
    refused = CliRunner().invoke(
        main, ["link", "--store", str(loaded), "--model", str(first_run[1]), "--truth", str(bad)]
    )
    assert refused.exit_code == 2, refused.output
    assert str(bad) in refused.output and "column same: not true or false: 'maybe'" in refused.output
