"""Give what leaves the form the agreement asks: values generalised (a date to its year, a date of birth to
a five-year age band, a postcode to its sector, a point to its LSOA) and pseudonyms put in place of the IRIs
of the pseudonymised classes' records (and of the parts they reach, whose IRIs are made from theirs), of
the identifiers of the pseudonymised schemes and of those identifiers' values, and of the source record ids
of pseudonymised records. Pseudonyms are keyed by the agreement (:class:`~policeonto.sharing.keys.AgreementKey`),
so a record has one pseudonym wherever it is named in the copy, and links still join. Blank nodes are
relabelled in the order they appear, so no label of the source leaves.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import polars as pl

from policeonto.errors import ShareKeyError
from policeonto.sharing.agreement import Agreement, Generalisation, GeneralisedForm
from policeonto.sharing.keys import AgreementKey
from policeonto.sharing.model import IDENTIFIER_SCHEMES, LSOA, NOTATION, SCHEME, SOURCE_RECORD_ID, WITHIN
from policeonto.terms import RDF_TYPE, XSD, iri
from policeonto.vocab import POLE

__all__ = [
    "PROVENANCE",
    "PSEUDONYMS",
    "Transformed",
    "generalise",
    "pseudonymise",
    "pseudonymised_nodes",
    "pseudonymised_values",
]

#: Where the pseudonyms of records live: this, then 32 hexadecimal digits.
PSEUDONYMS = f"{POLE}data/pseudonym/"
PROVENANCE = (iri(f"{POLE}derived_from"), iri(f"{POLE}generated_by"))  # shared by many records: not theirs
_GYEAR = f"^^<{XSD}gYear>"
_POSTCODE = r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9])[A-Z]{2}$"


@dataclass(frozen=True)
class Transformed:
    """The triples in their new form, values generalised counted by property and form, values withheld
    because they could not be generalised counted by property and reason, and pseudonyms made."""

    triples: pl.DataFrame
    generalised: Counter[str]
    not_generalised: Counter[str]
    pseudonymised: int = 0


def _lexical(column: str = "o") -> pl.Expr:
    return pl.col(column).str.extract(r'^"((?:[^"\\]|\\.)*)"', 1)


def _generalised_value(form: GeneralisedForm, today: date) -> pl.Expr:
    """The new object of a value in *form* (null: it cannot be put in that form)."""
    text = _lexical()
    if form is GeneralisedForm.YEAR:
        return pl.concat_str([pl.lit('"'), text.str.extract(r"^([0-9]{4})-", 1), pl.lit('"' + _GYEAR)])
    if form is GeneralisedForm.AGE_BAND:
        born = text.str.slice(0, 10).str.to_date(strict=False)
        month, day = born.dt.month().cast(pl.Int32), born.dt.day().cast(pl.Int32)  # Int8: 12 * 100 overflows
        birthday_passed = (month * 100 + day) <= (today.month * 100 + today.day)
        age = pl.lit(today.year) - born.dt.year().cast(pl.Int32) - pl.when(birthday_passed).then(0).otherwise(1)
        low = (age // 5) * 5
        return pl.when(age >= 0).then(
            pl.concat_str([pl.lit('"'), low.cast(pl.String), pl.lit("-"), (low + 4).cast(pl.String), pl.lit('"')])
        )
    if form is GeneralisedForm.POSTCODE_SECTOR:
        compact = text.str.to_uppercase().str.replace_all(" ", "", literal=True)
        sector = pl.concat_str([compact.str.extract(_POSTCODE, 1), pl.lit(" "), compact.str.extract(_POSTCODE, 2)])
        return pl.concat_str([pl.lit('"'), sector, pl.lit('"')])
    raise AssertionError(form)


def generalise(triples: pl.DataFrame, agreement: Agreement, *, today: date) -> Transformed:
    """*triples* with the values of the agreement's generalised properties in their coarser form; a value
    that cannot be (not a date, not a postcode, a point with no LSOA) is withheld and counted."""
    generalised: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for rule in agreement.generalised:
        p = iri(rule.property)
        if rule.form is GeneralisedForm.LSOA:
            triples, done, lost = _to_lsoa(triples, rule)
        else:
            triples, done, lost = _to_form(triples, p, rule.form, today)
        if done:
            generalised[f"{rule.property} {rule.form.value}"] += done
        if lost:
            failed[f"{rule.property} {rule.form.value}"] += lost
    return Transformed(triples, generalised, failed)


def _to_form(triples: pl.DataFrame, p: str, form: GeneralisedForm, today: date) -> tuple[pl.DataFrame, int, int]:
    """The values of *p* in *form*, each distinct value worked out once (as text) and put in place in the
    terms' own type (text, or dictionary-encoded as the records are); a value that cannot be is dropped."""
    chosen = pl.col("p") == p
    values = triples.filter(chosen).select(pl.col("o").unique().cast(pl.String))
    forms = values.with_columns(new=_generalised_value(form, today))
    failed = forms.filter(pl.col("new").is_null()).get_column("o").to_list()
    mapping = dict(forms.filter(pl.col("new").is_not_null()).iter_rows())
    lost_rows = chosen & pl.col("o").is_in(failed)
    lost = triples.filter(lost_rows).height
    done = triples.filter(chosen).height - lost
    triples = triples.filter(~lost_rows).with_columns(
        o=pl.when(chosen).then(pl.col("o").replace(mapping)).otherwise(pl.col("o"))
    )
    return triples, done, lost


def _to_lsoa(triples: pl.DataFrame, rule: Generalisation) -> tuple[pl.DataFrame, int, int]:
    """A point's values to the LSOA the data already places it in (its ``within`` an LSOA that leaves):
    a point that is a node is replaced by its LSOA; a point's coordinate (a literal) leaves only as that
    LSOA, through the link already there. Without an LSOA the value is withheld."""
    p = iri(rule.property)
    lsoas = triples.filter((pl.col("p") == RDF_TYPE) & (pl.col("o") == LSOA)).get_column("s")
    area = (
        triples.filter((pl.col("p") == WITHIN) & pl.col("o").is_in(lsoas))
        .group_by("s")
        .agg(pl.col("o").min().alias("area"))
    )
    chosen = triples.filter(pl.col("p") == p)
    rest = triples.filter(pl.col("p") != p)
    placed_node = chosen.join(area, left_on="o", right_on="s", how="left")
    placed_self = chosen.join(area, on="s", how="left").get_column("area")
    is_literal = chosen.get_column("o").cast(pl.String).str.starts_with('"')
    node_rows = placed_node.filter(~is_literal & pl.col("area").is_not_null()).select("s", "p", o=pl.col("area"))
    literal_done = (is_literal & placed_self.is_not_null()).sum()
    done = node_rows.height + literal_done
    return pl.concat([rest, node_rows.unique()]), done, chosen.height - done


def pseudonymised_nodes(
    triples: pl.DataFrame, agreement: Agreement, *, records: pl.Series
) -> tuple[pl.Series, pl.Series]:
    """The nodes of *triples* that the agreement gives pseudonyms: the records of its pseudonymised classes,
    the parts they reach (names, markers, identifiers), IRIs made from theirs, and the identifiers of its
    pseudonymised schemes (the second series: their values are pseudonymised too)."""
    scheme_iris = [f"{IDENTIFIER_SCHEMES}{code}>" for code in agreement.pseudonymised.identifier_schemes]
    classes = [iri(c) for c in agreement.pseudonymised.classes]
    owners = triples.filter((pl.col("p") == RDF_TYPE) & pl.col("o").is_in(classes)).get_column("s").unique()
    identifiers = triples.filter((pl.col("p") == SCHEME) & pl.col("o").is_in(scheme_iris)).get_column("s").unique()
    described = triples.get_column("s").unique()
    parts = triples.filter(
        ~pl.col("p").is_in([RDF_TYPE, *PROVENANCE])
        & pl.col("o").is_in(described.implode())
        & ~pl.col("o").is_in(records.implode())
    ).select("s", "o")
    nodes, frontier = owners, owners
    while frontier.len():  # the parts of pseudonymised records: names, markers, identifiers
        frontier = (
            parts.filter(pl.col("s").is_in(frontier.implode()) & ~pl.col("o").is_in(nodes.implode()))
            .get_column("o")
            .unique()
        )
        nodes = pl.concat([nodes, frontier])
    found = [nodes.cast(pl.String), identifiers.cast(pl.String), _derived(triples, nodes)]
    return pl.concat(found).unique(), identifiers.cast(pl.String)


def pseudonymised_values(triples: pl.DataFrame, nodes: pl.Series, identifiers: pl.Series) -> pl.Expr:
    """Which triples' objects are values given pseudonyms: identifiers' notations, records' source ids."""
    values = (pl.col("p") == NOTATION) & pl.col("s").is_in(identifiers.implode())
    return values | ((pl.col("p") == SOURCE_RECORD_ID) & pl.col("s").is_in(nodes.implode()))


def pseudonymise(
    triples: pl.DataFrame, agreement: Agreement, key: AgreementKey | None, *, records: pl.Series
) -> tuple[pl.DataFrame, int, Counter[str]]:
    """*triples* with pseudonyms in place of the IRIs and values the agreement pseudonymises, and blank
    nodes relabelled; with the number of nodes given a pseudonym, and the triples whose object became a
    pseudonym counted by predicate.

    Raises:
        ShareKeyError: the agreement pseudonymises something and *key* is None.
    """
    nodes, identifiers = pseudonymised_nodes(triples, agreement, records=records)
    if nodes.len() and key is None:
        raise ShareKeyError(
            "the agreement pseudonymises records or identifiers: give the key with --key-file or --key-env"
        )
    values = pseudonymised_values(triples, nodes, identifiers)
    changed = values | pl.col("o").is_in(nodes.filter(nodes.str.starts_with("<")))
    by_property = Counter(dict(triples.filter(changed).group_by("p").len().iter_rows()))
    if key is not None and (nodes.len() or not triples.filter(values).is_empty()):  # else nothing to rename
        old = triples.filter(values).get_column("o").unique().to_list()
        by_value = {v: f'"{key.pseudonym(v)}"' for v in old}
        by_node = {n: f"<{PSEUDONYMS}{key.pseudonym(n)}>" for n in nodes.to_list() if not n.startswith("_:")}
        triples = triples.with_columns(
            o=pl.when(values).then(pl.col("o").replace(by_value)).otherwise(pl.col("o").replace(by_node)),
            s=pl.col("s").replace(by_node),
        )
    return _relabel_blanks(triples), nodes.len(), by_property


def _derived(triples: pl.DataFrame, owners: pl.Series) -> pl.Series:
    """The IRIs made from an owner's IRI (``<owner/home>``, ``<owner#name>``): they would name the owner.
    Each IRI of *triples* is cut at its last ``/`` or ``#``, again and again, every IRI at once, until a cut
    is an owner's IRI or nothing is left to cut."""
    stems = owners.cast(pl.String)
    stems = stems.filter(stems.str.starts_with("<")).str.strip_prefix("<").str.strip_suffix(">")
    if not stems.len():
        return pl.Series("s", [], dtype=pl.String)
    terms = pl.concat([triples.get_column("s"), triples.get_column("o")]).unique().cast(pl.String)
    terms = terms.filter(terms.str.starts_with("<"))
    cuts = pl.DataFrame({"s": terms, "text": terms.str.strip_prefix("<").str.strip_suffix(">")})
    found = [pl.Series("s", [], dtype=pl.String)]
    while cuts.height:
        cuts = cuts.with_columns(text=pl.col("text").str.extract(r"^(.+)[/#][^/#]*$", 1)).drop_nulls("text")
        named = pl.col("text").is_in(stems.implode())
        found.append(cuts.filter(named).get_column("s"))
        cuts = cuts.filter(~named)
    return pl.concat(found)


def _relabel_blanks(triples: pl.DataFrame) -> pl.DataFrame:
    """Blank nodes labelled ``_:b0``, ``_:b1``... in the order they first appear (subjects, then objects);
    the terms are made distinct before they are read as text, so the copy's text is never all held."""
    terms = pl.concat([triples.get_column("s"), triples.get_column("o")]).unique(maintain_order=True).cast(pl.String)
    blanks = terms.filter(terms.str.starts_with("_:"))
    labels = {label: f"_:b{i}" for i, label in enumerate(blanks.to_list())}
    if not labels:
        return triples
    return triples.with_columns(s=pl.col("s").replace(labels), o=pl.col("o").replace(labels))
