"""Vehicles and addresses linked across forces like people, each kind end to end: records read from a real
embedded store holding the force examples as `policeonto load` puts them there, its own model file and
graphs, people's decisions, and scores against the planted ground truth (examples/linkage-truth.csv: 17
pairs of one vehicle, 13 of them under one registration mark, and 7 look-alikes; 30 pairs of one address,
22 of them exact copies, and 5 look-alikes)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from policeonto.cli import main
from policeonto.errors import LinkageModelError, OptionError
from policeonto.linkage import CLUSTERS_GRAPH, MATCHES_GRAPH, LinkResult, link
from policeonto.linkage.addresses import split_lines
from policeonto.linkage.evaluation import CaseOutcome, Scores, baseline_pairs, case_outcomes, evaluate, score
from policeonto.linkage.kinds import KINDS
from policeonto.linkage.model import read_model, settings_in
from policeonto.linkage.truth import Truth, read_truth
from policeonto.linkage.vehicles import make_key
from policeonto.store import EmbeddedStore, Store
from policeonto.store.results import plain
from tests.test_linkage import _keys, _written, on_spark

ROOT = Path(__file__).resolve().parents[1]
TRUTH = ROOT / "examples" / "linkage-truth.csv"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with Force A's vehicles, places and people and Force B's export, loaded by `policeonto load`."""
    folder = tmp_path_factory.mktemp("kinds")
    names = ("objects.csv", "locations.csv", "nominals.csv")
    inputs = [str(ROOT / "examples" / "force-a" / name) for name in names]
    inputs.append(str(ROOT / "examples" / "force-b" / "export.json"))
    store = folder / "store"
    # The examples carry planted faults (invalid codes and postcodes, dangling references): load them anyway.
    loaded = CliRunner().invoke(main, ["load", *inputs, "--store", str(store), "--load-invalid"])
    assert loaded.exit_code == 1, loaded.output
    return store


@pytest.fixture(scope="module")
def runs(loaded: Path) -> dict[str, tuple[LinkResult, Path]]:
    """People, then vehicles, then addresses linked in one store, each with its own model file."""
    done = {}
    with EmbeddedStore(loaded) as store:
        for kind in ("person", "vehicle", "address"):
            model = loaded.parent / f"{kind}-model.json"
            done[kind] = link(store, entity=kind, threshold=0.9, floor=0.5, model_path=model), model  # type: ignore[arg-type]
    return done


def _truth(kind: str) -> Truth:
    return read_truth(TRUTH).of(kind)


def _count(store: Store, graph: str, kind: str) -> int:
    sparql = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?m a <https://w3id.org/policeonto/{kind}> }} }}"
    return int(store.query(sparql).values("n").pop())


def _judged(
    runs: dict[str, tuple[LinkResult, Path]], loaded: Path, kind: str, thresholds: tuple[float, ...]
) -> tuple[LinkResult, Truth, Scores, list[Scores], dict[str, CaseOutcome]]:
    """A kind's run, its ground truth, the exact join's scores, the linkage's at *thresholds*, and the
    outcome of each case at 0.9."""
    result, _ = runs[kind]
    truth = _truth(kind)
    with EmbeddedStore(loaded) as store:
        baseline = score(baseline_pairs(store, kind), truth)
    scored = [(match.first, match.second, match.probability) for match in result.pairs]
    outcomes = case_outcomes(((m.first, m.second) for m in result.pairs if m.probability >= 0.9), truth)
    return result, truth, baseline, evaluate(scored, truth, thresholds=thresholds), outcomes


def test_vehicles_are_linked_through_misreadings_and_look_alikes_kept_apart(
    runs: dict[str, tuple[LinkResult, Path]], loaded: Path
) -> None:
    result, truth, baseline, (low, high), outcomes = _judged(runs, loaded, "vehicle", (0.5, 0.9))
    assert result.trained and result.records == 268 and result.graphs == 2
    # The exact mark join finds the shared marks and the makes written differently, misses the misread
    # marks, and takes the cloned plate for one vehicle.
    assert (baseline.true_positives, baseline.false_positives, baseline.false_negatives) == (13, 1, 4)
    assert baseline.f1 == 0.8387
    # At 0.5 the three marks one character apart on one make, model and colour are in the grey zone.
    assert (low.true_positives, low.false_positives, low.false_negatives) == (17, 3, 0)
    assert (high.true_positives, high.false_positives, high.false_negatives, high.f1) == (17, 0, 0, 1.0)
    assert outcomes["misread-mark"] == CaseOutcome(same_found=4, same=4, different_joined=0, different=0)
    assert outcomes["cloned-plate"] == CaseOutcome(same_found=0, same=0, different_joined=0, different=1)
    apart = {p.key for p in truth.pairs if p.case == "one-character-apart"}
    assert all(0.5 <= m.probability < 0.9 for m in result.pairs if (m.first, m.second) in apart)
    misread = {p.key for p in truth.pairs if p.case == "misread-mark"}
    evidence = next(m.evidence for m in result.pairs if (m.first, m.second) in misread)
    assert "the same mark once misreadings are folded" in {item.level for item in evidence}
    assert len(result.clusters) == 17


def test_addresses_are_linked_through_abbreviations_and_flats_kept_apart(
    runs: dict[str, tuple[LinkResult, Path]], loaded: Path
) -> None:
    result, _, baseline, (high,), outcomes = _judged(runs, loaded, "address", (0.9,))
    assert result.trained and result.records == 448 and result.graphs == 2
    assert (baseline.true_positives, baseline.false_positives, baseline.false_negatives) == (22, 0, 8)
    assert (high.true_positives, high.false_positives, high.false_negatives, high.f1) == (30, 0, 0, 1.0)
    for case in ("street-abbreviated", "flat-written-differently", "postcode-without-space"):
        assert outcomes[case].same_found == outcomes[case].same > 0
    for case in ("neighbouring-houses", "flats-of-one-house"):
        assert outcomes[case].different_joined == 0 < outcomes[case].different


def test_each_kind_has_its_graphs_and_model_and_leaves_the_others_alone(
    runs: dict[str, tuple[LinkResult, Path]], loaded: Path
) -> None:
    with EmbeddedStore(loaded) as store:
        graphs = set(store.graphs())
        for kind, (result, model) in runs.items():
            named = KINDS[kind].graphs  # type: ignore[index]
            assert {named.matches, named.clusters} <= graphs
            assert _count(store, named.matches, "RecordMatch") == len(result.pairs)
            assert _count(store, named.clusters, "ResolvedEntity") == len(result.clusters)
            assert json.loads(model.read_text(encoding="utf-8"))["entity"] == kind
        # The person graphs are where they were, and linking vehicles and addresses after left them whole.
        assert (KINDS["person"].graphs.matches, KINDS["person"].graphs.clusters) == (MATCHES_GRAPH, CLUSTERS_GRAPH)
        assert _count(store, MATCHES_GRAPH, "RecordMatch") == len(runs["person"][0].pairs) > 0
        assert all(
            match.first.startswith("https://w3id.org/policeonto/data/force-a/object/")
            for match in runs["vehicle"][0].pairs
        )
    with pytest.raises(LinkageModelError, match="links vehicle records, not address records"):
        read_model(runs["vehicle"][1], "address")
    with EmbeddedStore(loaded) as store, pytest.raises(OptionError, match="link one of person, vehicle, address"):
        link(store, entity="phone", model_path=None)  # type: ignore[arg-type]


def test_the_example_query_finds_vehicles_by_resolution_misread_marks_and_all(
    runs: dict[str, tuple[LinkResult, Path]], loaded: Path
) -> None:
    query = (ROOT / "examples" / "queries" / "vehicles-resolved-across-forces.rq").read_text(encoding="utf-8")
    with EmbeddedStore(loaded) as store:
        link(store, entity="vehicle", threshold=0.9, floor=0.5, model_path=runs["vehicle"][1])
        found = store.query(query)
    assert len(found.rows) == 17 and found.values("forces") == {"2"}
    # The 4 misread plates: two marks for one vehicle, which an exact join of marks cannot see.
    counted = [plain(row[list(found.variables).index("mark_count")]) for row in found.rows]
    assert sorted(counted) == ["1"] * 13 + ["2"] * 4
    assert any("Merc" in makes.split(" | ") for makes in found.values("makes"))


def test_the_vehicle_graphs_conform_in_both_engines(
    runs: dict[str, tuple[LinkResult, Path]], loaded: Path, tmp_path: Path
) -> None:
    with EmbeddedStore(loaded) as store:
        named = KINDS["vehicle"].graphs
        written = _written(store, tmp_path / "vehicles.nt", named.matches, named.clusters)
    assert _keys(written, "fast") == _keys(written, "pyshacl") == set()
    text = written.read_text(encoding="utf-8")
    broken = tmp_path / "broken.nt"
    lines = [line for line in text.splitlines() if "/entity_kind>" not in line or "/resolved/" not in line]
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast, reference = _keys(broken, "fast"), _keys(broken, "pyshacl")
    assert fast == reference and {key[1].rsplit("/", 1)[-1].rstrip(">") for key in fast} == {"entity_kind"}


def test_the_vehicle_and_address_models_link_alike_on_splinks_spark_backend(
    runs: dict[str, tuple[LinkResult, Path]], loaded: Path
) -> None:
    """Their model files' settings, written again for Spark's SQL (their custom levels' contains and IS
    NULL among them), give on Spark the pairs and match probabilities DuckDB gives."""
    jobs, expected = [], []
    with EmbeddedStore(loaded) as store:
        for kind in ("vehicle", "address"):
            result, path = runs[kind]
            model = read_model(path, kind)  # type: ignore[arg-type]
            jobs.append((KINDS[kind].pull(store), settings_in(model, "spark", source=path)))  # type: ignore[index]
            expected.append({(m.first, m.second): m.probability for m in result.pairs})
    for found, on_duckdb in zip(on_spark(jobs, loaded.parent / "spark-checkpoints"), expected, strict=True):
        assert sorted(found) == sorted(on_duckdb) and found
        assert all(abs(p - on_duckdb[pair]) < 1e-9 for pair, p in found.items())


def test_vehicle_decisions_are_recorded_in_their_own_graph_and_survive_a_rerun(
    runs: dict[str, tuple[LinkResult, Path]], loaded: Path, tmp_path: Path
) -> None:
    model = runs["vehicle"][1]
    sheet = tmp_path / "review.csv"
    base = ["link", "--store", str(loaded), "--entity", "vehicle", "--model", str(model)]
    written = CliRunner().invoke(main, [*base, "--review", "0.5", "0.9", "-o", str(sheet)])
    assert written.exit_code == 0, written.output
    rows = list(csv.DictReader(sheet.open(encoding="utf-8", newline="")))
    apart = {p.key for p in _truth("vehicle").pairs if p.case == "one-character-apart"}
    assert {(row["first_record"], row["second_record"]) for row in rows} == apart
    assert "mark" in rows[0] and "forename" not in rows[0]
    rows[0] |= {"decision": "same", "decided_by": "pc1234@force-a.police.uk", "decided_at": "2026-07-05"}
    decided = tmp_path / "decided.csv"
    with decided.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    pair = (rows[0]["first_record"], rows[0]["second_record"])
    followed = CliRunner().invoke(main, [*base, "--decisions", str(decided)])
    assert followed.exit_code == 0, followed.output
    assert "1 decisions read; 1 followed (1 same, 0 not-same)" in followed.output
    with EmbeddedStore(loaded) as store:
        again = link(store, entity="vehicle", model_path=model)
        person = link(store, entity="person", model_path=runs["person"][1])
        named = KINDS["vehicle"].graphs
        assert _count(store, named.decisions, "MatchDecision") == 1
        assert KINDS["person"].graphs.decisions not in set(store.graphs())
    assert [(d.first, d.second) for d in again.decisions] == [pair] and not again.stale
    assert any(set(pair) <= set(members) for members, _ in again.clusters)
    assert not person.decisions and not person.stale  # a vehicle's decision is not a person's, nor stale there


def test_cli_links_each_kind_and_scores_it_beside_its_baseline(
    runs: dict[str, tuple[LinkResult, Path]], loaded: Path
) -> None:
    for kind, f1 in (("vehicle", 0.8387), ("address", 0.8462)):
        args = ["link", "--store", str(loaded), "--entity", kind, "--model", str(runs[kind][1]), "--truth", str(TRUTH)]
        shown = CliRunner().invoke(main, [*args, "--format", "json"])
        assert shown.exit_code == 0, shown.output
        report = json.loads(shown.output)
        assert report["entity"] == kind and report["model"]["trained"] is False
        assert report["evaluation"][0]["threshold"] is None and report["evaluation"][0]["f1"] == f1
        text = CliRunner().invoke(main, args)
        assert f"{runs[kind][0].records} {kind} records in 2 graphs" in text.output


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("12 Station Road", "12 Station Rd"),
        ("Flat 3, 12 Mill Lane", "3/12, Mill Ln"),
        ("Flat 3, 12 Mill Lane", "FLAT 3 12 MILL LANE"),
        ("Rose Cottage High Street", "Rose Cottage High St"),
    ],
)
def test_one_address_written_two_ways_splits_alike(a: str, b: str) -> None:
    assert split_lines(a) == split_lines(b)


@pytest.mark.parametrize(
    ("a", "b"), [("Flat 1, 12 Mill Lane", "Flat 2, 12 Mill Lane"), ("12 Mill Lane", "14 Mill Lane")]
)
def test_different_addresses_split_apart(a: str, b: str) -> None:
    assert split_lines(a) != split_lines(b)


def test_makes_shortened_share_a_key_and_marks_with_spaces_are_one_mark(tmp_path: Path) -> None:
    assert make_key("VW") == make_key("Volkswagen") and make_key("Merc") == make_key("Mercedes-Benz")
    assert make_key("Ford") != make_key("Fiat")
    # A mark written with a space and in lower case by one system is the other's mark.
    store = EmbeddedStore()
    for force, mark in (("a", "AB12 CDE"), ("b", "ab12cde")):
        path = tmp_path / f"{force}.ttl"
        path.write_text(
            f"<urn:{force}:1> a <https://w3id.org/policeonto/Vehicle> ; <https://w3id.org/policeonto/identifiers> "
            f'<urn:id:{force}> ; <https://w3id.org/policeonto/make> "Ford" .\n<urn:id:{force}> '
            "<https://w3id.org/policeonto/scheme> <https://w3id.org/policeonto/code/identifier-scheme/vrm> ; "
            f'<https://w3id.org/policeonto/notation> "{mark}" .\n',
            encoding="utf-8",
        )
        store.load(path, graph=f"https://example.org/graph/{force}", syntax="turtle")
    table = KINDS["vehicle"].pull(store)
    store.close()
    assert list(table["mark"]) == ["AB12CDE", "AB12CDE"] and list(table["mark_key"]) == ["A812CDE", "A812CDE"]


def test_the_examples_plant_each_vehicle_and_address_case() -> None:
    truth = read_truth(TRUTH)
    counts = {(p.entity, p.case, p.same): 0 for p in truth.pairs}
    for p in truth.pairs:
        counts[p.entity, p.case, p.same] += 1
    assert {key: n for key, n in counts.items() if key[0] != "person"} == {
        ("vehicle", "shared-mark", True): 10,
        ("vehicle", "misread-mark", True): 4,
        ("vehicle", "make-written-differently", True): 3,
        ("vehicle", "same-make-model-colour", False): 3,
        ("vehicle", "one-character-apart", False): 3,
        ("vehicle", "cloned-plate", False): 1,
        ("address", "shared-address", True): 22,
        ("address", "street-abbreviated", True): 3,
        ("address", "flat-written-differently", True): 3,
        ("address", "postcode-without-space", True): 2,
        ("address", "neighbouring-houses", False): 3,
        ("address", "flats-of-one-house", False): 2,
    }


def test_a_vehicle_or_address_that_does_not_say_reads_as_none(tmp_path: Path) -> None:
    """Records with a field and records without it, side by side: the missing ones are None, never pandas'
    NaN (a column of strings and None would be inferred as pandas' string type)."""
    pole = "https://w3id.org/policeonto/"
    path = tmp_path / "few.ttl"
    path.write_text(
        f'<urn:v:1> a <{pole}Vehicle> ; <{pole}make> "Ford" ; <{pole}identifiers> <urn:id:1> .\n'
        f'<urn:id:1> <{pole}scheme> <{pole}code/identifier-scheme/vrm> ; <{pole}notation> "AB12CDE" .\n'
        f"<urn:v:2> a <{pole}Vehicle> .\n"
        f'<urn:a:1> a <{pole}Address> ; <{pole}postcode> "AB1 2CD" ; <{pole}address_lines> "12 Mill Ln" .\n'
        f"<urn:a:2> a <{pole}Address> .\n",
        encoding="utf-8",
    )
    store = EmbeddedStore()
    store.load(path, graph="https://example.org/graph/few", syntax="turtle")
    vehicles, addresses = KINDS["vehicle"].pull(store), KINDS["address"].pull(store)
    store.close()
    assert vehicles.to_dict("records")[1] == {
        "record": "urn:v:2", "graph": "https://example.org/graph/few", "mark": None, "mark_key": None,
        "make": None, "make_key": None, "model": None, "colour": None, "vehicle_type": None,
    }  # fmt: skip
    assert list(vehicles["mark_key"]) == ["A812CDE", None] and list(addresses["house"]) == ["12", None]
    assert list(addresses["street"]) == ["milllane", None] and list(addresses["postcode"]) == ["AB12CD", None]
