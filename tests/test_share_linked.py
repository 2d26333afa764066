"""Small-number suppression across the tables of an aggregates-only copy: a cell suppressed in one table cannot
be worked out from a margin another publishes (a one-way table over a dimension of a two- or three-way one),
from its table's total, or from the same cell of another class's table; exact counts, and Hypothesis playing
the attacker who knows every total."""

from __future__ import annotations

from collections import Counter

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from policeonto.sharing.aggregates import OBS_VALUE, QB, aggregate
from policeonto.sharing.model import vocabulary_facts
from policeonto.sharing.reading import read_agreement
from policeonto.terms import RDF_TYPE
from tests.conftest import ROOT

STATISTICS = read_agreement(ROOT / "examples" / "agreements" / "statistics.yaml")  # k = 10
K = 10
P = "https://w3id.org/policeonto/"
DIMS = {"age_range": "age-range", "gender": "gender", "self_defined_ethnicity": "self-defined-ethnicity"}
JOINT = {"Person": ("gender", "self_defined_ethnicity"), "PersonInvolvement": tuple(DIMS)}


def _triples(records: list[tuple[str, str, dict[str, str]]]) -> pl.DataFrame:
    """Triples of records given as (local name, class, {property: code})."""
    rows = []
    for name, cls, values in records:
        s = f"<{P}test/{name}>"
        rows.append((s, RDF_TYPE, f"<{P}{cls}>"))
        rows += [(s, f"<{P}{p}>", f"<{P}code/{DIMS[p]}/{v}>") for p, v in values.items()]
    return pl.DataFrame(rows, schema=dict.fromkeys("spo", pl.String), orient="row")


def _copy(records: list[tuple[str, str, dict[str, str]]]) -> tuple[dict[str, dict[tuple[str, ...], int]], Counter]:
    """The published tables (label to cells: values, in the order of the label's dimensions, to counts) and
    the suppressed cells by data set."""
    triples = _triples(records)
    subjects = triples.get_column("s").unique()
    counts = aggregate(triples, STATISTICS, vocabulary_facts(), records=subjects, described=subjects)
    out = counts.triples
    labels = dict(out.filter(pl.col("p").str.ends_with("#label>")).select("s", "o").iter_rows())
    tables: dict[str, dict[tuple[str, ...], int]] = {label.strip('"'): {} for label in labels.values()}
    members = out.filter(pl.col("p") == f"<{QB}dataSet>").select("s", "o").iter_rows()
    for obs, dataset in members:
        label = labels[dataset].strip('"')
        rows = dict(out.filter(pl.col("s") == obs).select("p", "o").iter_rows())
        dims = label.split(" by ")[1].split(", ")
        key = tuple(rows[f"<{P}{d}>"].rsplit("/", 1)[-1].rstrip(">") for d in dims)
        tables[label][key] = int(rows[OBS_VALUE].split('"')[1])
    return tables, counts.suppressed


def test_a_cell_hidden_in_a_three_way_table_cannot_be_worked_out_from_a_one_way_one() -> None:
    # Women aged 10-17: 3. One table at a time, the 3 and the next smallest (20 men aged 10-17) are suppressed,
    # and the 30 women less the 27 aged 18-24 would give the 3; across the tables the whole three-way table goes.
    cells = {("10-17", "female"): 3, ("18-24", "female"): 27, ("10-17", "male"): 20, ("18-24", "male"): 20}
    records = [
        (f"i{age}{gender}{n}", "PersonInvolvement", {"age_range": age, "gender": gender, "self_defined_ethnicity": e})
        for (age, gender), count in cells.items()
        for n, e in enumerate(["W1"] * count)
    ]
    tables, suppressed = _copy(records)
    assert tables["PersonInvolvement by gender"] == {("female",): 30, ("male",): 40}
    assert tables["PersonInvolvement by age_range"] == {("10-17",): 23, ("18-24",): 47}
    assert tables["PersonInvolvement by age_range, gender, self_defined_ethnicity"] == {}
    assert dict(suppressed) == {"PersonInvolvement by age_range, gender, self_defined_ethnicity": 4}


def test_a_cell_hidden_for_one_class_is_hidden_for_another_that_counts_it_the_same() -> None:
    # 55 people, 52 of them searched once: 12 women in both tables. One table at a time, the people's 12 women
    # are suppressed (with the 3 of gender not known) but the searched's 12 leave, and give them away.
    people = [("female", 12), ("male", 40), ("not-known", 3)]
    records = [(f"p{g}{n}", "Person", {"gender": g}) for g, count in people for n in range(count)]
    records += [(f"i{g}{n}", "PersonInvolvement", {"gender": g}) for g, count in people[:2] for n in range(count)]
    tables, suppressed = _copy(records)
    assert tables == {"Person by gender": {}, "PersonInvolvement by gender": {}}
    assert dict(suppressed) == {"Person by gender": 3, "PersonInvolvement by gender": 2}


#: Groups of records alike (age range, gender, ethnicity, how many), so that cells come near k and are often
#: hidden: records drawn one at a time rarely give a table a cell to hide beside a margin that gives it away.
_GROUPS = st.lists(
    st.tuples(
        st.sampled_from(["10-17", "18-24", "over-34"]),
        st.sampled_from(["female", "male", "not-known"]),
        st.sampled_from(["W1", "B1", "NS"]),
        st.integers(1, 25),
    ),
    min_size=1,
    max_size=12,
)


def _recoverable(truth: dict[str, Counter], published: dict[str, dict[tuple[str, ...], int]], units: Counter) -> list:
    """What an attacker who knows every table's total and which cells are not empty can work out: each
    relation (a table's total, a margin) with exactly one hidden cell, or hidden cells within a published total
    of fewer than k records between them; and a cell hidden in one class's table but the same in another's."""
    found = []

    def hidden(label: str) -> set[tuple[str, ...]]:
        return set(truth[label]) - set(published.get(label, {}))

    for label, cells in truth.items():
        cls = label.split(" by ")[0]
        gone = hidden(label)
        if gone == set(cells):  # all hidden: their sum is the class's count, which the manifest gives anyway
            continue
        if len(gone) == 1 or 0 < sum(cells[c] for c in gone) < K:
            found.append((label, "total", units[cls], sorted(gone)))
    for cls, dims in JOINT.items():
        if not units[cls]:
            continue
        joint = f"{cls} by {', '.join(dims)}"
        for at, dim in enumerate(dims):
            margin = f"{cls} by {dim}"
            for (value,), total in truth[margin].items():
                inside = {c for c in hidden(joint) if c[at] == value}
                outside = (value,) in hidden(margin)
                if len(inside) + outside == 1 or (not outside and 0 < sum(truth[joint][c] for c in inside) < K):
                    found.append((joint, margin, value, total, sorted(inside), outside))
    for dim in ("gender", "self_defined_ethnicity"):
        person, involvement = f"Person by {dim}", f"PersonInvolvement by {dim}"
        for key, n in truth[person].items():
            if truth.get(involvement, {}).get(key) == n and (key in hidden(person)) != (key in hidden(involvement)):
                found.append((person, involvement, key, n))
    return found


@settings(max_examples=40, deadline=None)
@given(groups=_GROUPS, searched=st.integers(0, 300))
def test_no_suppressed_cell_can_be_recovered_from_any_published_total_or_margin(
    groups: list[tuple[str, str, str, int]], searched: int
) -> None:
    # Each person has a gender and an ethnicity; the first *searched* of them were searched once, the search
    # recording their age range too, so the two classes' one-way tables over gender and ethnicity often agree.
    people = [dict(zip(DIMS, group[:3], strict=True)) for group in groups for _ in range(group[3])]
    records = [(f"p{n}", "Person", {d: v[d] for d in JOINT["Person"]}) for n, v in enumerate(people)]
    records += [(f"i{n}", "PersonInvolvement", v) for n, v in enumerate(people[:searched])]
    published, suppressed = _copy(records)
    truth: dict[str, Counter] = {}
    units: Counter = Counter()
    for _, cls, values in records:
        units[cls] += 1
        for dim in values:
            truth.setdefault(f"{cls} by {dim}", Counter())[(values[dim],)] += 1
        truth.setdefault(f"{cls} by {', '.join(JOINT[cls])}", Counter())[tuple(values[d] for d in JOINT[cls])] += 1
    assert set(published) == set(truth)
    for label, cells in published.items():
        assert all(truth[label][key] == n >= K for key, n in cells.items()), label
    assert suppressed == Counter({label: len(truth[label]) - len(published[label]) for label in truth}) - Counter()
    assert _recoverable(truth, published, units) == []
