"""Address records for linkage: read from a store, their lines split into flat, house and street with the
usual abbreviations written out, and the Splink comparisons, blocking rules and training chosen for them.

One address in two forces' systems is written ``12 Station Road`` and ``12 Station Rd``, ``Flat 3, 12 Mill
Lane`` and ``3/12 Mill Lane``, with its postcode spaced or not. Different addresses look alike: the houses
of one street share its postcode, street and town, and the flats of one house its number as well. So the
house number and the flat decide, once the postcode or the street has put two addresses side by side.
Addresses carry no coordinates in the forces' exports (a map point is a record of its own), so none are
compared.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pandas as pd

from policeonto.linkage.model import Training, exact_then, link_only, postcode_comparison
from policeonto.linkage.records import Field, code, gather
from policeonto.store.base import Store

__all__ = ["COLUMNS", "FLATS_APART", "RARE", "STREET_TYPES", "TRAINING", "pull", "settings", "split_lines"]

#: Street types as addresses abbreviate them (Royal Mail's and the Ordnance Survey's usual forms), written
#: out when they end a street's name ("St Johns Rd" is St Johns Road: the first St is a saint).
STREET_TYPES = {
    "rd": "road",
    "st": "street",
    "str": "street",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "cl": "close",
    "dr": "drive",
    "cres": "crescent",
    "ter": "terrace",
    "terr": "terrace",
    "pl": "place",
    "gdns": "gardens",
    "sq": "square",
    "ct": "court",
    "pde": "parade",
    "wk": "walk",
    "gr": "grove",
    "gro": "grove",
    "hl": "hill",
    "wy": "way",
}

#: The m probability of different house numbers or names: one address's two records almost never show
#: them. Fixed, not estimated: expectation maximisation blocking on the postcode takes the houses of one
#: street, which share it, for one address.
RARE = 0.001
#: The m probability of different flats. Its u is small (0.0003 on the examples: most addresses are not
#: flats), and the flats of one house agree on everything else (postcode, house, street and town: +28 on
#: the examples, as the model takes the comparisons as independent), so the m is fixed where two flats
#: outweigh them (-18): one address's two records as good as never name two flats. At 0.000001 (-8) the
#: flats of one house were joined at 0.998.
FLATS_APART = 1e-9

#: The columns of an address table after the record IRI and its graph, as the model compares them.
COLUMNS = ("flat", "house", "street", "town", "postcode")

_FIELDS = (
    Field(("lines",), "?record pole:address_lines ?lines", joined=True),
    Field(("town",), "?record pole:post_town ?town"),
    Field(("postcode",), "?record pole:postcode ?postcode"),
)

_FLAT = re.compile(r"^(?:flat|apartment|apt|unit|room)\s*([0-9]+[a-z]?|[a-z])\b[\s,]*")
_SLASHED = re.compile(r"^([0-9]+[a-z]?)\s*/\s*(?=[0-9])")  # 3/12 Mill Lane: flat 3 of number 12
_NUMBER = re.compile(r"^[0-9]+[a-z]?$")


def _words(text: str) -> str:
    """*text* in lower case without accents, punctuation other than commas and slashes made spaces."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9,/]+", " ", folded).strip()


def _street(words: list[str]) -> str | None:
    """A street's words run together, its last word (the street type) written out."""
    if not words:
        return None
    return "".join([*words[:-1], STREET_TYPES.get(words[-1], words[-1])])


def split_lines(lines: str | None) -> tuple[str | None, str | None, str | None]:
    """An address's lines as its flat, house (number or name) and street, each squeezed; None where the
    lines do not say.

    >>> split_lines("12 Station Rd"), split_lines("12 Station Road")
    ((None, '12', 'stationroad'), (None, '12', 'stationroad'))
    >>> split_lines("Flat 3, 12 Mill Lane"), split_lines("3/12 Mill Ln"), split_lines("Flat B 4A High St")
    (('3', '12', 'milllane'), ('3', '12', 'milllane'), ('b', '4a', 'highstreet'))
    >>> split_lines("Rose Cottage, St Johns Rd"), split_lines(None)
    ((None, 'rosecottage', 'stjohnsroad'), (None, None, None))
    """
    if lines is None:
        return None, None, None
    text = _words(lines)
    flat = None
    if found := _SLASHED.match(text) or _FLAT.match(text):
        flat, text = found.group(1), text[found.end() :]
    first, comma, rest = text.partition(",")
    words = first.replace("/", " ").split()
    if words and _NUMBER.match(words[0]):
        return flat, words[0], _street(words[1:] + rest.replace(",", " ").replace("/", " ").split())
    if comma:  # a house name, then the street
        return flat, "".join(words) or None, _street(rest.replace(",", " ").replace("/", " ").split())
    return flat, None, _street(words)


def pull(store: Store) -> pd.DataFrame:
    """Every address record in *store*, one row each: ``record`` and ``graph`` (IRIs), then :data:`COLUMNS`
    (None where the record does not say): flat, house and street from its lines (:func:`split_lines`), its
    post town squeezed, and its postcode without spaces in upper case."""
    raw = gather(store, "Address", _FIELDS)
    parts = [split_lines(value or None) for value in raw["lines"]]
    towns = [None if value is None else re.sub(r"[^a-z0-9]", "", _words(value)) or None for value in raw["town"]]
    # Built at once as object columns (see policeonto.linkage.records.pull: pandas would turn None into NaN).
    return pd.DataFrame(
        {
            "record": raw["record"],
            "graph": raw["graph"],
            "flat": [flat for flat, _, _ in parts],
            "house": [house for _, house, _ in parts],
            "street": [street for _, _, street in parts],
            "town": towns,
            "postcode": [code(value) for value in raw["postcode"]],
        },
        dtype=object,
    )


def _flat() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="flat",
        comparison_levels=[
            cll.CustomLevel("flat_l IS NULL AND flat_r IS NULL", label_for_charts="neither is a flat"),
            cll.ExactMatchLevel("flat"),
            cll.CustomLevel("flat_l IS NULL OR flat_r IS NULL", label_for_charts="a flat on one side only"),
            cll.ElseLevel().configure(
                label_for_charts="different flats", m_probability=FLATS_APART, fix_m_probability=True
            ),
        ],
        comparison_description="flat: neither a flat, the same flat, a flat on one side only, different flats",
    )


def _house() -> Any:
    import splink.comparison_level_library as cll

    apart = cll.ElseLevel().configure(label_for_charts="different houses", m_probability=RARE, fix_m_probability=True)
    return exact_then("house", [apart], "house number or name: exact")


def _named(column: str, description: str) -> Any:
    import splink.comparison_level_library as cll

    within = f"contains({column}_l, {column}_r) OR contains({column}_r, {column}_l)"
    return exact_then(
        column,
        [
            cll.JaroWinklerLevel(column, 0.9),
            cll.CustomLevel(within).configure(label_for_charts=f"one {column} within the other"),
            cll.ElseLevel(),
        ],
        f"{description}: exact, Jaro-Winkler >= 0.9, one within the other (a house name run in)",
    )


def settings() -> Any:
    """Splink's settings for address records: postcode, house, flat, street and town; ``link_only``
    between graphs; blocking on the postcode, on street and town, and on house and street."""
    from splink import block_on

    return link_only(
        [
            postcode_comparison(),
            _house(),
            _flat(),
            _named("street", "street, its type written out"),
            _named("town", "post town"),
        ],
        [block_on("postcode"), block_on("street", "town"), block_on("house", "street")],
    )


#: Address records: the same postcode and house, or the same house, street and town, taken to find 80 % of
#: true matches; sessions on the postcode (which trains house, flat, street and town) and on street and
#: town (which trains the postcode).
TRAINING = Training(
    prior=(("postcode", "house"), ("house", "street", "town")),
    recall=0.8,
    sessions=(("postcode",), ("street", "town")),
)
