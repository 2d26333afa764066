"""The records of a mapped run, by identity and type, and the checks on links decided against all of them.

A batch is validated with the types, as far as they are known, of the nodes it names but does not describe.
A link checked by class (``sh:class``, or ``sh:or`` / ``sh:and`` / ``sh:node`` over class alternatives) can
still fail there only because the record it names is in a file or batch not yet mapped, so such a failure
is put off (:meth:`LinkChecks.split`) and decided once every file is mapped (:meth:`LinkChecks.decide`), against
the types of every record of the run. These checks only ever pass when types are added, so a link that
passes in its batch passes in the merged graph, and only failures need putting off: memory grows with the
records (:class:`NodeIndex`) and the failures, not with the triples. A link that still fails and names a
node no file of the run describes is a dangling reference.

>>> index = NodeIndex()
>>> index.add({RDF_TYPE: [pl.DataFrame({"s": ["<a>"], "o": ["<A>"]})]})
>>> index.types_of(pl.Series(["<a>", "<b>"])).rows(), index.described(pl.Series(["<a>", "<b>"])).to_list()
([('<a>', '<A>')], [True, False])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from policeonto.fastshacl import Shapes, TripleTable
from policeonto.fastshacl.engine import passing
from policeonto.fastshacl.shapes import Constraint, UnsupportedShapes
from policeonto.findings import Finding, make
from policeonto.terms import RDF_TYPE
from policeonto.vocab import SH

__all__ = ["DANGLING", "LinkChecks", "NodeIndex", "dangling_findings"]

#: The column of a violations frame that says a link names no node of the run.
DANGLING = "dangling"
_SEED = 0x9E3779B97F4A7C15
_CHECKED_BY_CLASS = frozenset({"Or", "And", "Node"})  # pass whenever one, every or the one shape does
_NOT_MONOTONE = frozenset({"Not", "Xone"})


def _hash(terms: pl.Series) -> pl.Series:
    return terms.hash(_SEED)


class NodeIndex:
    """Every node the run describes, with its classes: the subject of an ``rdf:type`` triple that any of its
    rows, or a file's provenance, made (every record a mapping makes has a type), as a 64-bit hash of the
    node's term kept under its class, 8 bytes a node and type whatever the length of its IRI. Two of ten
    million nodes share a hash with a chance of about 3 in a million; a link to a node that is not there
    would then be taken as a link to the other."""

    def __init__(self) -> None:
        self._by_class: dict[str, list[pl.Series]] = {}  # class -> hashes of its nodes
        self._kept = 0

    def add(self, triples: dict[str, list[pl.DataFrame]]) -> None:
        """Note the typed subjects of *triples* (frames of ``s``, ``o`` by predicate) and their types."""
        typed = triples.get(RDF_TYPE, [])
        if not typed:
            return
        types = pl.concat(typed)
        for (name,), part in types.partition_by("o", as_dict=True).items():
            self._by_class.setdefault(str(name), []).append(_hash(part.get_column("s")))
        # repeats (a point many rows share) are dropped whenever the parts have doubled: bounded work a node
        if sum(h.len() for hashes in self._by_class.values() for h in hashes) > 2 * self._kept + 100_000:
            for hashes in self._by_class.values():
                hashes[:] = [pl.concat(hashes).unique()]
            self._kept = sum(hashes[0].len() for hashes in self._by_class.values())

    def absorb(self, other: NodeIndex) -> None:
        """Note every node *other* (an index of another part of the run) holds."""
        for name, hashes in other._by_class.items():
            self._by_class.setdefault(name, []).extend(hashes)
        self._kept += other._kept

    def _hits(self, hashed: pl.Series) -> dict[str, pl.Series]:
        """Class -> those of the *hashed* nodes it has (the many hashes kept are probed, the few asked hashed)."""
        wanted = hashed.implode()
        hits = {}
        for name, hashes in self._by_class.items():
            every = pl.concat(hashes, rechunk=False)
            found = every.filter(every.is_in(wanted))
            if found.len():
                hits[name] = found
        return hits

    def described(self, nodes: pl.Series) -> pl.Series:
        """Whether each of *nodes* is described by the run."""
        hashed = _hash(nodes)
        hits = list(self._hits(hashed).values())
        return hashed.is_in(pl.concat(hits).implode()) if hits else pl.Series([False] * nodes.len())

    def types_of(self, nodes: pl.Series) -> pl.DataFrame:
        """The ``rdf:type`` pairs (``s``, ``o``) of those of *nodes* (distinct) that have a type."""
        distinct = nodes.unique()
        asked = pl.DataFrame({"s": distinct, "h": _hash(distinct)})
        found = [
            asked.filter(pl.col("h").is_in(hits.implode())).select("s", o=pl.lit(name, pl.String))
            for name, hits in self._hits(asked.get_column("h")).items()
        ]
        return pl.concat(found) if found else pl.DataFrame(schema={"s": pl.String, "o": pl.String})


def _class_only(shape_ids: tuple[str, ...] | str, shapes: Shapes) -> bool:
    ids = (shape_ids,) if isinstance(shape_ids, str) else shape_ids
    for shape_id in ids:
        shape = shapes.by_id[shape_id]
        if shape.path is not None or shape.properties or any(c.component != "Class" for c in shape.constraints):
            return False
    return True


@dataclass
class LinkChecks:
    """The constraints of *shapes* that decide a link by the class of the node it names, by the shape that
    holds each and its component; and the failures of them put off until every record is known."""

    shapes: Shapes
    by_key: dict[tuple[str, str], Constraint] = field(init=False)
    predicates: frozenset[str] = field(init=False)  # the predicates whose objects such constraints judge
    deferred: list[pl.DataFrame] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_key, unsupported, predicates = {}, [], set()
        for shape in self.shapes.by_id.values():
            for constraint in shape.constraints:
                by_class = constraint.component == "Class" or (
                    constraint.component in _CHECKED_BY_CLASS | _NOT_MONOTONE
                    and _class_only(constraint.value, self.shapes)
                )
                if not by_class or shape.path is None:  # a node shape: the alternatives of an sh:or, say
                    continue
                key = (shape.id, constraint.component)
                if constraint.component in _NOT_MONOTONE:
                    # a link that passes could fail once more types are known: checking it batch by batch
                    # would need every link kept, not only the failing ones
                    unsupported.append(f"{constraint.component} on the classes of linked nodes ({shape.id})")
                if key in self.by_key:  # its results could not be told apart
                    unsupported.append(f"two {constraint.component} constraints on the classes of links ({shape.id})")
                if shape.path.inverse:
                    unsupported.append(f"{constraint.component} on the subjects of an inverse path ({shape.id})")
                self.by_key[key] = constraint
                predicates.add(shape.path.predicate)
        self.predicates = frozenset(predicates)
        if unsupported:
            raise UnsupportedShapes(unsupported)

    def split(self, found: pl.DataFrame) -> pl.DataFrame:
        """*found* without the failures of link checks on IRIs, which are kept to decide at the end."""
        keys = [f"{shape}\x00{component}" for shape, component in self.by_key]
        later = (pl.col("shape") + "\x00" + pl.col("component")).is_in(keys) & pl.col("value").str.starts_with("<")
        put_off = found.filter(later)
        if put_off.is_empty():
            return found
        self.deferred.append(put_off)
        return found.filter(~later)

    def decide(self, index: NodeIndex) -> pl.DataFrame | None:
        """The put-off failures that still fail with every record of the run known, each marked
        :data:`DANGLING` when its value is a node the run does not describe; None when none fail."""
        if not self.deferred:
            return None
        later = pl.concat(self.deferred)
        self.deferred = []
        values = later.get_column("value").unique()
        table = TripleTable.from_parts({RDF_TYPE: [index.types_of(values)]})
        failing = []
        for (shape, component), part in later.partition_by(["shape", "component"], as_dict=True).items():
            ok = passing(self.shapes, self.by_key[(shape, component)], table, part.get_column("value"))
            failing.append(part.filter(~pl.col("value").is_in(ok.implode())))
        still = pl.concat(failing)
        if still.is_empty():
            return None
        return still.with_columns(~index.described(still.get_column("value")).alias(DANGLING))


def dangling_findings(violations: pl.DataFrame, *, file: str) -> tuple[pl.DataFrame, list[Finding]]:
    """The violations that are not dangling links, and a ``dangling-reference`` finding (file, row, column,
    value) for each that is, instead of its shape finding; its SHACL result stays in the report."""
    if DANGLING not in violations.columns:
        return violations, []
    dangling = violations.filter(pl.col(DANGLING))
    found = [
        make(
            "dangling-reference",
            file=file,
            row=r["row"],
            column=r["column"],
            value=r["value"][1:-1],
            focus_node=r["focus"][1:-1],
            path=r["path"],
            constraint=f"{SH}{r['component']}ConstraintComponent",
        )
        for r in dangling.sort("row", "focus", "path", nulls_last=True).iter_rows(named=True)
    ]
    return violations.filter(~pl.col(DANGLING)), found
