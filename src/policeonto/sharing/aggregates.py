"""Aggregates only: the copy is counts, not records, as a statistical summary in the W3C RDF Data Cube
vocabulary (``qb:``, https://www.w3.org/TR/vocab-data-cube/), with the count as SDMX-RDF's
``sdmx-measure:obsValue``.

For each permitted class with records that leave, one ``qb:DataSet`` per dimension (a permitted property
whose values are codes or coarse forms: crime type, force, gender, age range, a month, an age band, a
postcode sector; not yet a property whose values are records, such as a location as its LSOA), and one
over the agreement's quasi-identifiers together when the class carries two or more. Each ``qb:Observation``
is a cell: its dimension values and how many records have them (a record without a value counts under
``share:none``). A cell of fewer than k records is suppressed (small-number
suppression), and when the suppressed cells could be worked out from the others (one cell alone, or fewer
than k records between them), within a table or from a margin another table publishes, the next smallest is
suppressed too (:mod:`policeonto.sharing.linked`); every suppressed cell is counted, by data set.
Values that could name a record (identifiers, free text, dates and times, records' IRIs) are never
dimensions.

>>> dimension_value('"2024-01"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>'), dimension_value('"Ann"')
(True, False)
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

import polars as pl

from policeonto.sharing.agreement import Agreement, GeneralisedForm
from policeonto.sharing.linked import Table, suppress
from policeonto.sharing.model import LSOA, VocabularyFacts
from policeonto.terms import RDF_TYPE, XSD, iri

__all__ = [
    "AGGREGATES",
    "NONE",
    "OBS_VALUE",
    "QB",
    "Aggregates",
    "aggregate",
    "dimension_value",
    "dimension_values",
    "dimensions",
    "named_nodes",
    "suppressed_cells",
]

QB = "http://purl.org/linked-data/cube#"
OBS_VALUE = "<http://purl.org/linked-data/sdmx/2009/measure#obsValue>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
COUNTS = "<https://w3id.org/policeonto/share#counts>"  # a data set's unit: the class whose records it counts
NONE = "<https://w3id.org/policeonto/share#none>"  # the value of a record that has none
#: Where a copy's data sets are named: this, the agreement's IRI's digest, "/", the class and dimensions.
AGGREGATES = "https://w3id.org/policeonto/share-aggregates/"
_COARSE = (f"^^<{XSD}gYear>", f"^^<{XSD}gYearMonth>", f"^^<{XSD}boolean>")
_FORMS = (GeneralisedForm.AGE_BAND, GeneralisedForm.POSTCODE_SECTOR, GeneralisedForm.YEAR)


def _qb(name: str) -> str:
    return f"<{QB}{name}>"


@dataclass(frozen=True)
class Aggregates:
    """The copy's triples (data sets, structures, observations), the cells suppressed by data set, and the
    records counted by class."""

    triples: pl.DataFrame
    suppressed: Counter[str]
    counted: Counter[str]


def dimension_value(term: str, *, coarse_plain: bool = False) -> bool:
    """Whether *term* may be a dimension's value: a coded value's IRI, a year, a month or a truth value
    (a plain literal only as a generalised form, *coarse_plain*). Which IRIs name records is checked apart."""
    if term.startswith("<"):
        return True
    if term.startswith('"'):
        return term.endswith(_COARSE) or (coarse_plain and term.endswith('"'))
    return False


def dimension_values(*, coarse_plain: bool = False) -> pl.Expr:
    """:func:`dimension_value` of the column ``o``, as an expression."""
    o = pl.col("o")
    plain = o.str.ends_with('"') if coarse_plain else pl.lit(False)
    return o.str.starts_with("<") | (
        o.str.starts_with('"')
        & (o.str.ends_with(_COARSE[0]) | o.str.ends_with(_COARSE[1]) | o.str.ends_with(_COARSE[2]) | plain)
    )


def dimensions(agreement: Agreement, facts: VocabularyFacts) -> list[str]:
    """The properties that may be dimensions: permitted, not prohibited, and not references to records."""
    return sorted(iri(p) for p in agreement.properties - agreement.prohibited if iri(p) not in facts.references)


def named_nodes(records: pl.DataFrame) -> pl.Series:
    """The nodes of the inputs *records* whose IRIs must not leave in counts: every subject but an LSOA (an
    LSOA's IRI is a published statistical geography, a value like a code)."""
    lsoas = records.filter((pl.col("p") == RDF_TYPE) & (pl.col("o") == LSOA)).get_column("s")
    subjects = records.get_column("s").unique()
    return subjects.filter(~subjects.is_in(lsoas))


def suppressed_cells(counts: list[int], k: int) -> set[int]:
    """The positions of the cells of one table to suppress: those under *k*, then the smallest others while
    the suppressed could be worked out (one cell alone, or fewer than *k* records between them).

    >>> sorted(suppressed_cells([40, 3, 25, 12], 10))
    [1, 3]
    >>> sorted(suppressed_cells([40, 25], 10))
    []
    """
    (hidden,) = suppress([Table("", ("",), {(f"{i:09d}",): n for i, n in enumerate(counts)})], k)
    return {int(i) for (i,) in hidden}


def aggregate(
    triples: pl.DataFrame, agreement: Agreement, facts: VocabularyFacts, *, records: pl.Series, described: pl.Series
) -> Aggregates:
    """The counts of the *records* that leave, from their *triples* (selected and generalised), as data sets.
    *described* are the nodes of the inputs (records and parts) that no value may name (all but LSOAs,
    :func:`named_nodes`)."""
    k = agreement.k or 1
    base = f"{AGGREGATES}{hashlib.sha256(agreement.iri.encode()).hexdigest()[:16]}/"
    plain = {iri(g.property) for g in agreement.generalised if g.form in _FORMS}
    props = dimensions(agreement, facts)
    values = triples.filter(pl.col("s").is_in(records) & pl.col("p").is_in(props) & ~pl.col("o").is_in(described))
    values = values.filter(dimension_values() | (pl.col("p").is_in(list(plain)) & dimension_values(coarse_plain=True)))
    classes = sorted(iri(c) for c in agreement.classes if iri(c) in facts.records)
    types = triples.filter((pl.col("p") == RDF_TYPE) & pl.col("s").is_in(records) & pl.col("o").is_in(classes))
    out: list[tuple[str, str, str]] = []
    suppressed: Counter[str] = Counter()
    counted: Counter[str] = Counter()
    qis = [iri(q) for q in agreement.quasi_identifiers]
    tables: list[Table] = []
    for cls in classes:
        members = types.filter(pl.col("o") == cls).get_column("s").unique()
        if not members.len():
            continue
        counted[cls] += members.len()
        mine = values.filter(pl.col("s").is_in(members))
        carried = sorted(set(mine.get_column("p").unique().to_list()))
        joint = [q for q in qis if q in carried]
        for dims in [[p] for p in carried] + ([joint] if len(joint) >= 2 else []):
            tables.append(Table(cls, tuple(dims), _cells(dims, members, mine)))
    for table, hidden in zip(tables, suppress(tables, k), strict=True):  # across tables: they share margins
        name, triples_out = _table(base, table, hidden)
        out += triples_out
        if hidden:
            suppressed[name] += len(hidden)
    frame = pl.DataFrame(out, schema=dict.fromkeys("spo", pl.String), orient="row")
    return Aggregates(frame.unique().sort("s", "p", "o"), suppressed, counted)


def _local(term: str) -> str:
    return term[1:-1].rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _cells(dims: list[str], members: pl.Series, values: pl.DataFrame) -> dict[tuple[str, ...], int]:
    """The cells of the table of *members* over *dims*: each combination of values with its count."""
    grid = pl.DataFrame({"s": members}).join(pl.DataFrame({"p": dims}), how="cross")
    each = grid.join(values.select("s", "p", "o"), on=["s", "p"], how="left").with_columns(pl.col("o").fill_null(NONE))
    if len(dims) == 1:  # one dimension: a record with several values counts under each
        cells = each.group_by("o").agg(pl.col("s").n_unique().alias("n"))
        return {(value,): n for value, n in cells.iter_rows()}
    # several: a record counts under its values together (the first of several, by order)
    firsts = each.sort("o").group_by("s", "p").agg(pl.col("o").first()).pivot(on="p", index="s", values="o")
    cells = firsts.group_by(dims).agg(pl.len().alias("n"))
    return {tuple(row[:-1]): row[-1] for row in cells.iter_rows()}


def _table(base: str, table: Table, hidden: set[tuple[str, ...]]) -> tuple[str, list[tuple[str, str, str]]]:
    """One data set: its name and its triples, without its *hidden* cells."""
    cls, dims = table.unit, table.dims
    name = _local(cls) + " by " + ", ".join(_local(d) for d in dims)
    dataset = f"<{base}{_local(cls)}/{'-'.join(_local(d) for d in dims)}>"
    structure = dataset[:-1] + "/structure>"
    out = [
        (dataset, RDF_TYPE, _qb("DataSet")),
        (dataset, RDFS_LABEL, f'"{name}"'),
        (dataset, COUNTS, cls),
        (dataset, _qb("structure"), structure),
        (structure, RDF_TYPE, _qb("DataStructureDefinition")),
    ]
    for part, (link, value) in [(_local(d), (_qb("dimension"), d)) for d in dims] + [
        ("count", (_qb("measure"), OBS_VALUE))
    ]:
        component = structure[:-1] + f"/{part}>"
        out += [
            (structure, _qb("component"), component),
            (component, RDF_TYPE, _qb("ComponentSpecification")),
            (component, link, value),
        ]
    for key, n in sorted(table.cells.items()):
        if key in hidden:
            continue
        obs = dataset[:-1] + "/" + hashlib.sha256("\t".join(key).encode()).hexdigest()[:16] + ">"
        out += [(obs, RDF_TYPE, _qb("Observation")), (obs, _qb("dataSet"), dataset)]
        out += [(obs, d, v) for d, v in zip(dims, key, strict=True)]
        out.append((obs, OBS_VALUE, f'"{n}"^^<{XSD}integer>'))
    return name, out
