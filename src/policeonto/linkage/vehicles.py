"""Vehicle records for linkage: read from a store, their registration marks and makes keyed, and the
Splink comparisons, blocking rules and training chosen for them.

The same vehicle in two forces' systems is written with its mark misread (``O`` for ``0``, ``I`` for ``1``,
``S`` for ``5``, ``B`` for ``8``, ``Z`` for ``2``: by people and by ANPR cameras alike), with or without a
space, in either case, and with its make shortened (``VW``, ``Merc``) or misspelt and its model written
another way (``3 Series``, ``3-Series``; ``Range Rover Evoque``, ``Evoque``). Different vehicles look alike:
the same make, model and colour (thousands of silver Ford Fiestas), marks one character apart, and a
cloned plate (one mark on two vehicles). The mark decides most, once misreadings are folded together;
make, model and colour say whether a mark that agrees is on the vehicle it was issued to.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pandas as pd

from policeonto.linkage.model import Training, exact_then, link_only
from policeonto.linkage.names import registration_key
from policeonto.linkage.records import Field, gather
from policeonto.store.base import Store

__all__ = [
    "COLUMNS",
    "MAKES",
    "NEIGHBOURING",
    "RARE",
    "RESPRAYED",
    "TRAINING",
    "UNLIKE",
    "make_key",
    "mark",
    "pull",
    "settings",
]

#: Makes as people shorten them, to the make they name (squeezed: lower case, letters and digits only, so
#: Land Rover and Landrover are one already); misspellings are left to the comparison's Jaro-Winkler level.
MAKES = {
    "vw": "volkswagen",
    "volks": "volkswagen",
    "merc": "mercedesbenz",
    "mercedes": "mercedesbenz",
    "mb": "mercedesbenz",
    "rangerover": "landrover",
    "lr": "landrover",
    "chevy": "chevrolet",
    "alfa": "alfaromeo",
}

#: The m probability of marks unlike in every way: one vehicle's two records almost never show it once
#: misreadings and slips have levels of their own (a plate transferred to another vehicle is the exception).
#: Fixed, not estimated: expectation maximisation blocking on make and model takes the many look-alikes it
#: finds there (same make, model and colour) for one vehicle, and learnt 0.4, which let make, model and
#: colour alone make a pair more likely than not.
RARE = 0.001
#: The m probability of marks one character apart that are not a misreading. Marks are issued in sequence,
#: so neighbouring marks are often on cars of one make, model and colour sold by one dealer on one day: one
#: character apart is no evidence either way, and its m is fixed at about its u (0.0002 on the examples),
#: so such a pair lands in the grey zone for a person to decide. Expectation maximisation learnt 0.18.
NEIGHBOURING = 0.0002
#: The m probabilities of a make or model unlike in every way (a miscoded record), and of another colour (a
#: respray, or Grey written for Silver). Fixed, not estimated: the examples hold no such pair of one vehicle,
#: so expectation maximisation learnt 0 for them, and a cloned plate (one mark on another vehicle) or a
#: resprayed car could never be weighed.
UNLIKE = 0.01
RESPRAYED = 0.05

#: The columns of a vehicle table after the record IRI and its graph, as the model compares them.
COLUMNS = ("mark", "mark_key", "make", "make_key", "model", "colour", "vehicle_type")

_FIELDS = (
    Field(
        ("mark",),
        "?record pole:identifiers ?id . "
        "?id pole:scheme <https://w3id.org/policeonto/code/identifier-scheme/vrm> ; pole:notation ?mark",
    ),
    Field(("make",), "?record pole:make ?make"),
    Field(("model",), "?record pole:model ?model"),
    Field(("colour",), "?record pole:colour ?colour"),
    Field(("vehicle_type",), "?record pole:vehicle_type ?vehicle_type"),
)


def _plain(text: str | None) -> str | None:
    """*text* in lower case, accents dropped, letters and digits only; None when nothing is left.

    >>> _plain("Mercedes-Benz"), _plain("3 Series"), _plain("A-Class"), _plain(" - ")
    ('mercedesbenz', '3series', 'aclass', None)
    """
    if text is None:
        return None
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", folded) or None


def mark(text: str | None) -> str | None:
    """A registration mark as written on the plate's record: upper case, no spaces or punctuation.

    >>> mark("ab12 cde"), mark("AB12-CDE"), mark("  ")
    ('AB12CDE', 'AB12CDE', None)
    """
    if text is None:
        return None
    return re.sub(r"[^A-Z0-9]", "", text.upper()) or None


def make_key(text: str | None) -> str | None:
    """The make *text* names, whichever way it is written (:data:`MAKES`), else *text* squeezed.

    >>> make_key("VW"), make_key("Volkswagen"), make_key("Merc"), make_key("Mercedes-Benz"), make_key("Land Rover")
    ('volkswagen', 'volkswagen', 'mercedesbenz', 'mercedesbenz', 'landrover')
    """
    plain = _plain(text)
    return None if plain is None else MAKES.get(plain, plain)


def pull(store: Store) -> pd.DataFrame:
    """Every vehicle record in *store*, one row each: ``record`` and ``graph`` (IRIs), then :data:`COLUMNS`
    (None where the record does not say): the mark and its key with misreadings folded
    (:func:`~policeonto.linkage.names.registration_key`), the make and its key, model and colour squeezed,
    and the vehicle type's code."""
    raw = gather(store, "Vehicle", _FIELDS)
    marks = [mark(value) for value in raw["mark"]]
    # Built at once as object columns: a column assigned from a list of strings and None would be inferred
    # as pandas' string type, which turns None into NaN.
    return pd.DataFrame(
        {
            "record": raw["record"],
            "graph": raw["graph"],
            "mark": marks,
            "mark_key": [None if value is None else registration_key(value) for value in marks],
            "make": [_plain(value) for value in raw["make"]],
            "make_key": [make_key(value) for value in raw["make"]],
            "model": [_plain(value) for value in raw["model"]],
            "colour": [_plain(value) for value in raw["colour"]],
            "vehicle_type": [None if value is None else value.rsplit("/", 1)[-1] for value in raw["vehicle_type"]],
        },
        dtype=object,
    )


def _comparisons() -> list[Any]:
    """Mark, make, model and colour, each null, exact, then its own levels; and the vehicle type, exact."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    def fixed(m: float, label: str = "All other comparisons") -> Any:
        return cll.ElseLevel().configure(label_for_charts=label, m_probability=m, fix_m_probability=True)

    contains = "contains(model_l, model_r) OR contains(model_r, model_l)"
    return [
        exact_then(
            "mark",
            [
                cll.ExactMatchLevel("mark_key").configure(label_for_charts="the same mark once misreadings are folded"),
                cll.DamerauLevenshteinLevel("mark", 1).configure(
                    label_for_charts="one character wrong or two swapped",
                    m_probability=NEIGHBOURING,
                    fix_m_probability=True,
                ),
                fixed(RARE, "different marks"),
            ],
            "registration mark (no spaces, upper case): exact, the same once O/0, I/1, S/5, B/8 and Z/2 are "
            "folded together, one character wrong or two swapped",
        ),
        exact_then(
            "make",
            [
                cll.ExactMatchLevel("make_key").configure(label_for_charts="the same make written another way"),
                cll.JaroWinklerLevel("make", 0.88).configure(label_for_charts="make misspelt"),
                fixed(UNLIKE),
            ],
            "make: exact, the same make shortened or run together (VW), Jaro-Winkler >= 0.88",
        ),
        exact_then(
            "model",
            [
                cll.CustomLevel(contains, label_for_charts="one model name within the other"),
                cll.JaroWinklerLevel("model", 0.88).configure(label_for_charts="model misspelt"),
                fixed(UNLIKE),
            ],
            "model: exact, one within the other (Range Rover Evoque, Evoque), Jaro-Winkler >= 0.88",
        ),
        exact_then("colour", [fixed(RESPRAYED)], "colour: exact"),
        cl.ExactMatch("vehicle_type"),
    ]


def settings() -> Any:
    """Splink's settings for vehicle records: mark, make, model, colour and type; ``link_only`` between
    graphs; blocking on the mark with misreadings folded, and on make and model."""
    from splink import block_on

    return link_only(
        _comparisons(),
        [block_on("mark_key"), block_on("make_key", "model")],
    )


#: Vehicle records: the same mark is taken to find 80 % of true matches; sessions on the folded mark (which
#: trains make, model, colour and type) and on make and model (which trains the mark).
TRAINING = Training(prior=(("mark",),), recall=0.8, sessions=(("mark_key",), ("make_key", "model")))
