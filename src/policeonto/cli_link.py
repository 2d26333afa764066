"""``policeonto link``: the records of one kind in every graph of a store, linked across forces with Splink,
each candidate pair recorded with its evidence and the pairs above the threshold joined into resolved
entities (a thin shell over :func:`policeonto.linkage.link`)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click

from policeonto.cli_options import Voice, summary_options

if TYPE_CHECKING:
    from policeonto.linkage import Match

__all__ = ["link"]

_SHOWN = 10  # the text summary shows this many of the most likely pairs (all of them with -v)


def _evidence_text(match: Match) -> str:
    """The three comparisons that weighed most in *match*, with their match weights."""
    return "; ".join(f"{item.comparison}: {item.level} ({item.weight:+.1f})" for item in match.evidence[:3])


@click.command()
@click.option(
    "--store", "location", default=None, help="The store: a folder, or a SPARQL 1.1 server's URL.  [default: out/store]"
)
@click.option(
    "--entity",
    type=click.Choice(["person", "vehicle", "address"]),
    default="person",
    show_default=True,
    help="Which records to link.",
)
@click.option(
    "--threshold", type=float, default=0.9, show_default=True, help="Pairs this likely or more form clusters."
)
@click.option("--floor", type=float, default=0.5, show_default=True, help="Pairs this likely or more are recorded.")
@click.option(
    "--model",
    "model_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The model file, reused when it is there, else trained and written.  [default: out/linkage/ENTITY-model.json]",
)
@click.option("--retrain", is_flag=True, help="Train the model again, even if its file is there.")
@click.option(
    "--review",
    type=(float, float),
    default=None,
    metavar="LOW HIGH",
    help="Write the pairs at least LOW and below HIGH likely to the -o file, for people to decide (CSV).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="The --review CSV file.")
@click.option(
    "--truth",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="A ground-truth CSV file: print precision, recall and F1 at several thresholds beside the exact "
    "identifier join's.",
)
@click.option(
    "--decisions",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A --review CSV with its decision, decided_by and decided_at columns filled in: recorded, and followed.",
)
@summary_options()
def link(
    location: str | None,
    entity: str,
    threshold: float,
    floor: float,
    model_path: Path | None,
    retrain: bool,
    review: tuple[float, float] | None,
    output: Path | None,
    truth: Path | None,
    decisions: Path | None,
    voice: Voice,
) -> int:
    """Link the records of one kind across the forces' graphs of a store (Splink, on DuckDB). Each pair at
    or above --floor is recorded as a RecordMatch with the comparisons that decided it, in the graph
    https://w3id.org/policeonto/graph/linkage/matches (vehicles: .../linkage/vehicle/matches, addresses:
    .../linkage/address/matches); the pairs at or above --threshold are joined into resolved entities in
    .../clusters beside it. The forces' graphs are not changed."""
    from policeonto.linkage import link as run_link
    from policeonto.linkage.evaluation import judge
    from policeonto.linkage.review import decision_lines, decision_summary, grey_zone, review_csv
    from policeonto.linkage.truth import read_truth
    from policeonto.output import write_atomically
    from policeonto.store import open_store

    if (review is None) != (output is None):
        raise click.UsageError("--review LOW HIGH and -o FILE go together")
    known = None if truth is None else read_truth(truth).of(entity)  # a bad file stops the run before it links
    chosen = model_path if model_path is not None else Path("out/linkage") / f"{entity}-model.json"
    with open_store(location, create=False) as store:
        result = run_link(
            store,
            entity=entity,  # type: ignore[arg-type]
            threshold=threshold,
            floor=floor,
            model_path=chosen,
            retrain=retrain,
            decisions=decisions,
        )
        judged = None if known is None else judge(store, result.pairs, known, entity)
    grey = () if review is None else grey_zone(result.pairs, *review, floor=floor)
    if output is not None:
        write_atomically(output, review_csv(grey))
    above = sum(1 for match in result.pairs if match.probability >= threshold)
    voice.data(
        {
            "entity": result.run.entity,
            "records": result.records,
            "graphs": result.graphs,
            "model": {"file": str(chosen), "version": result.run.model_version, "trained": result.trained},
            "run": result.run.iri,
            "threshold": threshold,
            "floor": floor,
            "pairs": len(result.pairs),
            "pairs_above_threshold": above,
            "review": None if output is None else {"file": str(output), "pairs": len(grey)},
            "evaluation": None if judged is None else [asdict(scores) for scores in judged],
            "decisions": decision_summary(result),
            "clusters": [
                {"iri": iri, "members": list(members), "matches": len(joined)}
                for (members, joined), iri in zip(result.clusters, result.resolved, strict=True)
            ],
            "top_pairs": [
                {
                    "first": match.first,
                    "second": match.second,
                    "probability": match.probability,
                    "weight": match.weight,
                    "evidence": [
                        {"comparison": item.comparison, "level": item.level, "bayes_factor": item.bayes_factor}
                        for item in match.evidence
                    ],
                }
                for match in result.pairs[:_SHOWN]
            ],
        }
    )
    how = "trained and written to" if result.trained else "read from"
    voice.say(
        f"{result.records} {entity} records in {result.graphs} graphs; model {result.run.model_version} {how} {chosen}"
    )
    voice.say(
        f"{len(result.pairs)} pairs at or above {floor}, {above} at or above {threshold}, "
        f"in {len(result.clusters)} clusters"
    )
    for line in decision_lines(result):
        voice.say(line)
    if review is not None:
        voice.say(f"{len(grey)} pairs from {review[0]} to below {review[1]} written for review to {output}")
    for scores in judged or ():
        at = "the exact identifier join" if scores.threshold is None else f"at {scores.threshold}"
        voice.say(
            f"against {truth}, {at}: precision {scores.precision}, recall {scores.recall}, F1 {scores.f1} "
            f"({scores.true_positives} found, {scores.false_positives} wrong, {scores.false_negatives} missed)"
        )
    for match in result.pairs if voice.verbose else result.pairs[:_SHOWN]:
        voice.say(f"  {match.probability:.4f}  {match.first}  {match.second}")
        voice.say(f"          {_evidence_text(match)}")
    return 0
