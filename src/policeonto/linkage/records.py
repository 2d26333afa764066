"""The records linkage compares, pulled from a store: for each entity kind its records, then one SPARQL query
per field, every graph at once, joined into one row per record (its IRI, the graph holding it, and the
fields the model compares) in a pandas table."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from policeonto.linkage.names import forename_key, surname_key
from policeonto.store.base import Store
from policeonto.store.results import plain

__all__ = ["COLUMNS", "LINKAGE_GRAPHS", "EntityKind", "Field", "code", "gather", "phonetic", "pull", "rows", "squeeze"]

#: The kinds of record linked (each in :data:`policeonto.linkage.kinds.KINDS`).
EntityKind = Literal["person", "vehicle", "address"]

# Linkage writes its own graphs under this IRI (policeonto's own graphs, which hold no records to link).
LINKAGE_GRAPHS = "https://w3id.org/policeonto/graph/linkage/"
_OWN_GRAPHS = "https://w3id.org/policeonto/graph/"  # the ontology's and linkage's graphs hold no records
_ENTAILED = re.compile(r"/entailed$")

_PREFIXES = "PREFIX pole: <https://w3id.org/policeonto/>\n"


@dataclass(frozen=True)
class Field:
    """What a record of a kind says, read by one SPARQL pattern over the store's union: *pattern* binds
    ``?record`` and each of *variables*. A record the pattern gives several answers takes the least of
    them (the variables compared in order, a missing value last), or, with *joined*, its one variable's
    distinct values in order, joined by ``", "``."""

    variables: tuple[str, ...]
    pattern: str
    joined: bool = False


# Each kind's records are those typed as its class in a dataset's graph or its entailed graph (a
# subclass's record is typed in <g>/entailed: it is counted in <g>); then one query per field. Reading
# field by field keeps every query a scan Oxigraph answers from its indexes: one query with an OPTIONAL
# per field and a GROUP BY took minutes at 100,000 records, and superlinearly more at 1,000,000.
_PERSON = (
    Field(
        ("surname", "forename"),
        "?record pole:names ?name . ?name pole:family_name ?surname . OPTIONAL { ?name pole:given_name ?forename }",
    ),
    Field(("dob",), "?record pole:date_of_birth ?dob"),
    Field(("gender",), "?record pole:gender ?gender"),
    Field(
        ("pnc_id",),
        "?record pole:identifiers ?id . "
        "?id pole:scheme <https://w3id.org/policeonto/code/identifier-scheme/pnc-id> ; pole:notation ?pnc_id",
    ),
    Field(
        ("postcode",),
        "?lives a pole:PersonAddress ; pole:person ?record ; pole:address ?home . ?home pole:postcode ?postcode",
    ),
)


def gather(store: Store, cls: str, fields: tuple[Field, ...]) -> pd.DataFrame:
    """Every record of class *cls* (a ``pole:`` name) in *store*'s datasets, one row a record and graph
    (``record``, ``graph``), in order of both, with a column for each variable of *fields* (plain values,
    None where the record does not say)."""
    typed = rows(store, f"{_PREFIXES}SELECT ?record ?typed WHERE {{ GRAPH ?typed {{ ?record a pole:{cls} }} }}")
    typed = typed[[not graph.startswith(_OWN_GRAPHS) for graph in typed["typed"]]]
    table = pd.DataFrame(
        {"record": typed["record"], "graph": [_ENTAILED.sub("", graph) for graph in typed["typed"]]}, dtype=object
    )
    table = table.drop_duplicates().sort_values(["record", "graph"], ignore_index=True)
    for field in fields:
        names = " ".join(f"?{name}" for name in field.variables)
        found = rows(store, f"{_PREFIXES}SELECT ?record {names} WHERE {{ {field.pattern} }}")
        found = found.sort_values(["record", *field.variables], na_position="last", kind="stable")
        if field.joined:
            (name,) = field.variables
            found = found.drop_duplicates().groupby("record", sort=False, as_index=False)[name].agg(", ".join)
        else:
            found = found.drop_duplicates("record")
        table = table.merge(found, on="record", how="left")
    # Missing values as None (a merge leaves NaN), every column of object type.
    return table.astype(object).where(table.notna(), None)


# The columns of each kind's table after the record IRI and its graph, as the model compares them.
COLUMNS: dict[EntityKind, tuple[str, ...]] = {
    "person": (
        "forename",
        "surname",
        "forename_key",
        "surname_key",
        "forename_code",
        "surname_code",
        "dob",
        "gender",
        "pnc_id",
        "postcode",
    ),
}


def squeeze(text: str | None) -> str | None:
    """*text* as linkage compares it: accents dropped, lower case, only letters and digits; ``mac`` at the
    start of a name written ``mc`` (MacDonald and McDonald are one name); None when nothing is left.

    >>> squeeze("MacDonald"), squeeze(" O'Neill "), squeeze("Zoë"), squeeze("AB12 CDE"), squeeze("--")
    ('mcdonald', 'oneill', 'zoe', 'ab12cde', None)
    """
    if text is None:
        return None
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    kept = re.sub(r"[^a-z0-9]", "", folded)
    if kept.startswith("mac") and len(kept) > 5:
        kept = "mc" + kept[3:]
    return kept or None


_SOUNDS = {**dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2"), **dict.fromkeys("dt", "3")}
_SOUNDS |= {"l": "4", "m": "5", "n": "5", "r": "6"}


def phonetic(name: str | None) -> str | None:
    """The Soundex code of a squeezed *name* (its first letter and three digits), so names spelt
    differently but said alike agree: Mohammed and Muhammad, Smith and Smyth.

    >>> phonetic("mohammed"), phonetic("muhammad"), phonetic("smith"), phonetic("smyth"), phonetic(None)
    ('M530', 'M530', 'S530', 'S530', None)
    """
    letters = re.sub(r"[^a-z]", "", name or "")
    if not letters:
        return None
    digits, last = [], _SOUNDS.get(letters[0], "")
    for letter in letters[1:]:
        sound = _SOUNDS.get(letter, "")
        if sound and sound != last:
            digits.append(sound)
        if letter not in "hw":  # h and w do not part two letters of one sound; vowels do
            last = sound
    return (letters[0].upper() + "".join(digits) + "000")[:4]


def code(text: str | None) -> str | None:
    """An identifier or postcode without spaces or punctuation, upper case."""
    kept = squeeze(text)
    return kept.upper() if kept else None


def rows(store: Store, query: str) -> pd.DataFrame:
    """The answer to SPARQL *query* on *store* as a table of plain values (None where unbound)."""
    result = store.query(query)
    return pd.DataFrame(
        [[None if value is None else plain(value) for value in row] for row in result.rows],
        columns=list(result.variables),
        dtype=object,
    )


def pull(store: Store) -> pd.DataFrame:
    """Every person record in *store*, one row each: ``record`` and ``graph`` (IRIs), then the
    :data:`COLUMNS` of the kind, squeezed for comparison (None when the record does not say)."""
    raw = gather(store, "Person", _PERSON)
    forename_keys = [None if value is None else forename_key(value) or None for value in raw["forename"]]
    surname_keys = [None if value is None else surname_key(value) or None for value in raw["surname"]]
    # Built at once as object columns: a column assigned from a list of strings and None would be inferred
    # as pandas' string type, which turns None into NaN.
    return pd.DataFrame(
        {
            "record": raw["record"],
            "graph": raw["graph"],
            "forename": [squeeze(value) for value in raw["forename"]],
            "surname": [squeeze(value) for value in raw["surname"]],
            # The keys of names.py: Bill and William, Mohammed and Muhammad, MacDonald and McDonald are one name.
            "forename_key": forename_keys,
            "surname_key": surname_keys,
            "forename_code": [phonetic(value) for value in forename_keys],
            "surname_code": [phonetic(value) for value in surname_keys],
            "dob": raw["dob"],
            "gender": [None if value is None else value.rsplit("/", 1)[-1] for value in raw["gender"]],
            "pnc_id": [code(value) for value in raw["pnc_id"]],
            "postcode": [code(value) for value in raw["postcode"]],
        },
        dtype=object,
    )
