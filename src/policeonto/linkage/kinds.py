"""The kinds of record policeonto links, one entry each: how its records are read from a store, Splink's
settings and training for it, and the graphs its results go to.

Person records keep the graphs they were first written to (``…/graph/linkage/matches``, ``clusters`` and
``decisions``); every other kind has graphs named after it (``…/graph/linkage/vehicle/matches``), so linking
one kind never replaces another's results or decisions.

>>> KINDS["vehicle"].graphs.matches
'https://w3id.org/policeonto/graph/linkage/vehicle/matches'
>>> KINDS["person"].graphs.clusters
'https://w3id.org/policeonto/graph/linkage/clusters'
>>> sorted(KINDS)
['address', 'person', 'vehicle']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from policeonto.linkage import addresses, vehicles
from policeonto.linkage.model import PERSON_TRAINING, Training, settings_for
from policeonto.linkage.records import LINKAGE_GRAPHS, EntityKind, pull
from policeonto.store.base import Store

__all__ = ["KINDS", "Kind", "LinkageGraphs"]


@dataclass(frozen=True)
class LinkageGraphs:
    """The graphs one kind's linkage writes: record matches, resolved entities, people's decisions."""

    matches: str
    clusters: str
    decisions: str

    @classmethod
    def under(cls, prefix: str) -> LinkageGraphs:
        return cls(prefix + "matches", prefix + "clusters", prefix + "decisions")


@dataclass(frozen=True)
class Kind:
    """One kind of record: its name, its reader (a table with ``record``, ``graph`` and the columns its
    settings compare), Splink's settings for it, how its model is trained, and its graphs."""

    name: EntityKind
    pull: Callable[[Store], pd.DataFrame]
    settings: Callable[[], Any]
    training: Training
    graphs: LinkageGraphs


KINDS: dict[EntityKind, Kind] = {
    "person": Kind(
        "person", pull, lambda: settings_for("person"), PERSON_TRAINING, LinkageGraphs.under(LINKAGE_GRAPHS)
    ),
    "vehicle": Kind(
        "vehicle", vehicles.pull, vehicles.settings, vehicles.TRAINING, LinkageGraphs.under(LINKAGE_GRAPHS + "vehicle/")
    ),
    "address": Kind(
        "address",
        addresses.pull,
        addresses.settings,
        addresses.TRAINING,
        LinkageGraphs.under(LINKAGE_GRAPHS + "address/"),
    ),
}
