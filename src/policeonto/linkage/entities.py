"""Resolved entities keep their IRIs from run to run. A cluster is named when it first forms, from its
members then; on every later run each cluster takes over the IRI of the resolved entity of the store's
clusters graph it shares the most records with, so an unchanged cluster, or one a record joined or left,
keeps its IRI, and a query or a note that named the entity still finds it.

The rules, in this order (each IRI goes to one cluster at most, each cluster takes one IRI at most):

1. A cluster and a previous entity that share records are a candidate; candidates are taken most records
   shared first, then by the previous IRI, then by the cluster's first member (so the outcome never depends
   on the order anything was read in).
2. Two entities merged: the merged cluster keeps the IRI of the one it shares the most records with (on a
   tie, the IRI that sorts first); the other IRI is no longer used.
3. An entity split: the part with the most of its records keeps its IRI (on a tie, the part whose first
   member sorts first); the other parts are new clusters.
4. A new cluster is named from its members, sorted: ``.../resolved/<kind>/`` and the first 24 hex digits of
   the SHA-256 of their IRIs, one a line (the same members, the same IRI, on any store and any run).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence

from policeonto.linkage.records import LINKAGE_GRAPHS, EntityKind
from policeonto.store.base import Store
from policeonto.store.results import plain

__all__ = ["previous_entities", "resolved_iri", "resolved_iris"]

_CLUSTERS = LINKAGE_GRAPHS + "clusters"
_DATA = "https://w3id.org/policeonto/data/linkage/resolved/"


def resolved_iri(entity: EntityKind, members: Sequence[str], *, attempt: int = 0) -> str:
    """The IRI of a new cluster of *members* (rule 4); *attempt* above 0 names it again when the IRI is
    taken already (by an entity that kept it after losing the records it was named from).

    >>> resolved_iri("person", ["https://x/b", "https://x/a"]) == resolved_iri("person", ["https://x/a", "https://x/b"])
    True
    >>> resolved_iri("person", ["https://x/a", "https://x/b"])[:55]
    'https://w3id.org/policeonto/data/linkage/resolved/perso'
    """
    text = "\n".join(sorted(members)) + (f"\n{attempt}" if attempt else "")
    return f"{_DATA}{entity}/{hashlib.sha256(text.encode()).hexdigest()[:24]}"


def previous_entities(store: Store, entity: EntityKind, graph: str = _CLUSTERS) -> dict[str, frozenset[str]]:
    """The resolved entities of kind *entity* in *store*'s clusters graph *graph*, each with its members (none
    when there is no such graph)."""
    sparql = (
        "PREFIX pole: <https://w3id.org/policeonto/>\n"
        f"SELECT ?entity ?member WHERE {{ GRAPH <{graph}> {{ ?entity a pole:ResolvedEntity ; "
        f'pole:entity_kind ?kind ; pole:members ?member FILTER(STR(?kind) = "{entity}") }} }}'
    )
    found: dict[str, set[str]] = {}
    for iri, member in store.query(sparql).rows:
        found.setdefault(plain(iri), set()).add(plain(member))
    return {iri: frozenset(members) for iri, members in found.items()}


def resolved_iris(
    entity: EntityKind, clusters: Sequence[Sequence[str]], previous: Mapping[str, frozenset[str]]
) -> tuple[str, ...]:
    """The IRI of each of *clusters* (each its members, sorted), in order, by the rules above, given the
    *previous* entities (each IRI with its members).

    >>> old = {"urn:e1": frozenset({"a", "b"}), "urn:e2": frozenset({"c", "d"})}
    >>> resolved_iris("person", [("a", "b", "x"), ("c", "d")], old)  # grown, unchanged: both kept
    ('urn:e1', 'urn:e2')
    >>> resolved_iris("person", [("a", "b", "c")], old)  # merged: more shared with e1
    ('urn:e1',)
    >>> split = resolved_iris("person", [("a", "x"), ("b", "y")], old)  # split evenly: the first part keeps it
    >>> split[0], split[1] == resolved_iri("person", ("b", "y"))
    ('urn:e1', True)
    """
    owner = {member: iri for iri, members in previous.items() for member in members}
    candidates = sorted(
        (-shared, iri, members[0], index)
        for index, members in enumerate(clusters)
        for iri, shared in Counter(owner[m] for m in members if m in owner).items()
    )
    named: dict[int, str] = {}
    taken: set[str] = set()
    for _, iri, _, index in candidates:
        if index not in named and iri not in taken:
            named[index] = iri
            taken.add(iri)
    for index, members in enumerate(clusters):
        if index in named:
            continue
        attempt = 0
        while (iri := resolved_iri(entity, members, attempt=attempt)) in taken:
            attempt += 1
        named[index] = iri
        taken.add(iri)
    return tuple(named[index] for index in range(len(clusters)))
