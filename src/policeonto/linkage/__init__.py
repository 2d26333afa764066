"""Entity resolution across forces: the records of one kind in every graph of a store, linked with Splink
(Fellegi-Sunter, on DuckDB), each candidate pair recorded with its evidence and the pairs above a threshold
joined into resolved entities, in graphs of their own.

>>> from policeonto.linkage import link  # doctest: +SKIP
>>> result = link(store, entity="person", threshold=0.9, model_path=Path("person-model.json"))  # doctest: +SKIP
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph

from policeonto import __version__
from policeonto.errors import OptionError
from policeonto.linkage.decisions import (
    DECISIONS_GRAPH,
    Decision,
    decided_clusters,
    decision_graph,
    merge,
    read_decisions,
    stored_decisions,
)
from policeonto.linkage.entities import previous_entities, resolved_iris
from policeonto.linkage.graphs import CLUSTERS_GRAPH, MATCHES_GRAPH, LinkageRun, cluster_graph, match_graph
from policeonto.linkage.kinds import KINDS
from policeonto.linkage.model import LinkageModel, keyed, linker_for, read_model, train, unkeyed, write_model
from policeonto.linkage.pairs import Evidence, Match, matches
from policeonto.linkage.records import EntityKind
from policeonto.quiet import quieted
from policeonto.store.base import Store

__all__ = [
    "CLUSTERS_GRAPH",
    "DECISIONS_GRAPH",
    "MATCHES_GRAPH",
    "Decision",
    "Evidence",
    "LinkResult",
    "Match",
    "link",
]


@dataclass(frozen=True)
class LinkResult:
    """What a run of the linkage found: the records and graphs it read, the model (``trained`` when this
    run trained it), the pairs at or above the floor, most likely first, and the clusters at or above the
    threshold (each its members and the matches that joined them), with people's decisions followed.

    ``decisions_read`` are the decisions read from the decisions file this run (none without one);
    ``decisions`` those of the store's decisions graph, the new ones merged in, that applied (both records
    still in the store); ``stale`` those that did not (a record has gone: kept in the graph, not applied);
    ``contradicted`` the same-decisions not followed because they would join records decided not the same.
    ``resolved`` is the IRI of each cluster, in the order of ``clusters`` (see :mod:`policeonto.linkage.entities`:
    a cluster keeps the IRI of the entity of the last run it shares the most records with).
    """

    run: LinkageRun
    records: int
    graphs: int
    trained: bool
    pairs: tuple[Match, ...]
    clusters: tuple[tuple[tuple[str, ...], tuple[Match, ...]], ...]
    decisions_read: tuple[Decision, ...] = ()
    decisions: tuple[Decision, ...] = ()
    stale: tuple[Decision, ...] = ()
    contradicted: tuple[Decision, ...] = ()
    resolved: tuple[str, ...] = ()


def _check(name: str, value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise OptionError(f"--{name} must be a probability between 0 and 1, not {value}", option=name, value=value)
    return value


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _replace(store: Store, graph: Graph, name: str) -> None:
    """Replace graph *name* of *store* with *graph*, all or nothing, through the store's load."""
    with tempfile.TemporaryDirectory(prefix="policeonto-link-") as folder:
        path = Path(folder) / "graph.nt"
        graph.serialize(path, format="nt", encoding="utf-8")
        store.load(path, graph=name, syntax="nt")


def link(
    store: Store,
    *,
    entity: EntityKind = "person",
    threshold: float = 0.9,
    floor: float = 0.5,
    model_path: Path | None = None,
    retrain: bool = False,
    decisions: Path | None = None,
) -> LinkResult:
    """Link the *entity* records (``person``, ``vehicle`` or ``address``) of every graph in *store* across
    graphs, and replace the kind's matches graph (each pair at or above *floor*) and clusters graph (pairs at
    or above *threshold*, joined) in *store* (:data:`policeonto.linkage.kinds.KINDS` names them).

    The model is read from *model_path* when the file is there (unless *retrain*), else trained on the
    store's records without labels and saved there (when a path is given).

    Raises:
        OptionError: *entity* is not a kind linked, *threshold* or *floor* is not a probability, or the floor
            is above the threshold.
        LinkageModelError: the model file cannot be used.
        LinkageTrainingError: the store's records are too few to train a model on.
        InstanceDataError: the decisions file cannot be used (names the file, row, column and value).
        StoreError: the store cannot be queried or written.
    """
    if entity not in KINDS:
        raise OptionError(f"--entity {entity!r}: link one of {', '.join(KINDS)}", option="entity", value=entity)
    kind = KINDS[entity]
    _check("threshold", threshold)
    if _check("floor", floor) > threshold:
        raise OptionError(f"--floor {floor} is above --threshold {threshold}", option="floor", value=floor)
    started = _now()
    table = kind.pull(store)
    present = set(table["record"])
    read = () if decisions is None else read_decisions(decisions, present)
    every = merge(stored_decisions(store, kind.graphs.decisions), read)
    applying = tuple(d for d in every if d.first in present and d.second in present)
    groups, aliases, iris = keyed(table)
    trained = retrain or model_path is None or not model_path.exists()
    model: LinkageModel | None = None
    found: tuple[Match, ...] = ()
    with quieted("splink"):
        if len(groups) >= 2:
            model = (
                train(entity, groups, aliases, settings=kind.settings(), training=kind.training)
                if trained
                else read_model(model_path, entity)  # type: ignore[arg-type]
            )
            linker = linker_for(groups, aliases, model.settings, source=None if trained else model_path)
            predictions = linker.inference.predict(threshold_match_probability=floor).as_pandas_dataframe()
            found = matches(unkeyed(predictions, iris), model.settings)
        elif not trained:
            model = read_model(model_path, entity)  # type: ignore[arg-type]
    if model is not None and trained and model_path is not None:
        write_model(model, model_path)
    run = LinkageRun(
        iri=f"https://w3id.org/policeonto/data/linkage/run/{started.replace(':', '')}-{entity}",
        entity=entity,
        model_version=model.version if model is not None else "untrained",
        started_at=started,
        ended_at=_now(),
        threshold=threshold,
        floor=floor,
        software_version=__version__,
    )
    formed, contradicted = decided_clusters(found, threshold, applying)
    followed = tuple((d.iri, d.first, d.second) for d in applying if d.verdict == "same" and d not in contradicted)
    if decisions is not None:
        _replace(store, decision_graph(every), kind.graphs.decisions)
    _replace(store, match_graph(found, run), kind.graphs.matches)
    previous = previous_entities(store, entity, kind.graphs.clusters)
    resolved = resolved_iris(entity, [members for members, _ in formed], previous)
    _replace(store, cluster_graph(formed, resolved, run, followed), kind.graphs.clusters)
    return LinkResult(
        run=run,
        records=len(table),
        graphs=len(groups),
        trained=trained and model is not None,
        pairs=found,
        clusters=formed,
        decisions_read=read,
        decisions=applying,
        stale=tuple(d for d in every if d not in applying),
        contradicted=contradicted,
        resolved=resolved,
    )
