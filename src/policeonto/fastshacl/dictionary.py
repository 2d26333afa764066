"""RDF terms dictionary-encoded: each distinct N-Triples term kept once and numbered by a 32-bit code.

A block of terms is first keyed (:func:`keyed`: its distinct terms with their hashes, and where each of its
terms is among them), which needs no dictionary and so may run beside the numbering of another block. A
:class:`Dictionary` numbers keyed blocks one at a time (new ones after those it has seen), finding each
by its 64-bit hash in a few sorted runs that are merged as they grow (so finding a block's terms costs
a binary search in each, not a pass over every term seen); :meth:`Dictionary.terms` freezes it into
:class:`Terms`, which a :class:`~policeonto.fastshacl.TripleTable` carries when its columns hold codes:
the engine then joins and counts on the codes and decodes only the terms it must read as text or report.

Two distinct terms with one 64-bit hash are refused, never merged: each term also carries a second,
independent 64-bit hash, and a term found by its first hash must agree on the second.

>>> builder = Dictionary()
>>> builder.codes(pl.Series(["<a>", '"x"', "<a>"])).to_list()
[0, 1, 0]
>>> builder.codes(pl.Series(["<b>", "<a>"])).to_list()
[2, 0]
>>> terms = builder.terms()
>>> terms.decode(pl.Series([2, 1, None], dtype=pl.UInt32)).to_list()
['<b>', '"x"', None]
>>> terms.encode(pl.Series(["<a>", "<new>", None])).to_list()
[0, 3, None]
>>> terms.decode(pl.Series([3], dtype=pl.UInt32)).to_list()
['<new>']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from policeonto.errors import InstanceDataError

__all__ = ["CODE", "Dictionary", "Keyed", "Terms", "keyed"]

#: The type of a term's code.
CODE = pl.UInt32
_RUN = {"h": pl.UInt64, "check": pl.UInt64, "code": CODE}


def _keyed(terms: pl.Series) -> pl.DataFrame:
    """*terms* with their two hashes, ``h`` and ``check``."""
    return terms.alias("term").to_frame().select("term", h=pl.col("term").hash(0), check=pl.col("term").hash(7))


def _collision(source: Path | str) -> InstanceDataError:
    return InstanceDataError("two distinct terms share a 64-bit hash; the file cannot be read encoded", path=source)


@dataclass(frozen=True)
class Keyed:
    """A block of terms ready to be numbered: its *distinct* terms (``term``, ``h``, ``check``) and, for each
    term of the block in order, the row of *distinct* that holds it (*at*)."""

    distinct: pl.DataFrame
    at: pl.Series


def keyed(terms: pl.Series, *, source: Path | str = "<terms>") -> Keyed:
    """*terms* keyed for :meth:`Dictionary.number` (found by hash join, in the order of *terms*).

    Raises:
        InstanceDataError: two distinct terms of *terms* share a 64-bit hash.
    """
    frame = _keyed(terms)
    distinct = frame.filter(pl.col("h").is_first_distinct())
    first = distinct.select("h", first="check").with_row_index("at")
    found = frame.select("h", "check").join(first, on="h", how="left", maintain_order="left")
    if (found["check"] != found["first"]).any():
        raise _collision(source)
    return Keyed(distinct, found["at"].cast(CODE))


def _find(runs: list[pl.DataFrame], keyed: pl.DataFrame, source: Path | str) -> pl.Series:
    """The code of each row of *keyed* found in *runs* (null where none has it).

    Raises:
        InstanceDataError: a row found by its hash disagrees on its second hash (two terms, one hash).
    """
    found = pl.Series("code", [None] * keyed.height, dtype=CODE)
    h, check = keyed["h"], keyed["check"]
    for run in runs:  # a binary search: a hash join would hash the whole run again for every block
        at = run["h"].search_sorted(h).clip(upper_bound=run.height - 1)
        hit = run["h"].gather(at) == h
        if (hit & (run["check"].gather(at) != check)).any():
            raise _collision(source)
        found = found.fill_null(_where(hit, run["code"].gather(at)))
    return found


def _where(mask: pl.Series, values: pl.Series) -> pl.Series:
    """*values* where *mask* is true, null elsewhere."""
    frame = pl.DataFrame({"m": mask.fill_null(False), "v": values})
    return frame.select(pl.when(pl.col("m")).then(pl.col("v"))).to_series().alias(values.name)


class Dictionary:
    """Numbers terms as blocks of them arrive (from *source*, which errors name); :meth:`terms` gives the
    finished dictionary."""

    def __init__(self, *, source: Path | str = "<terms>") -> None:
        self._source = source
        self._values: list[pl.Series] = []
        self._runs: list[pl.DataFrame] = []  # each sorted on h, the larger first
        self._size = 0

    def codes(self, terms: pl.Series) -> pl.Series:
        """The code of each of *terms* (repeats allowed), new terms numbered after those seen before.

        Raises:
            InstanceDataError: two distinct terms share a 64-bit hash.
        """
        block = keyed(terms, source=self._source)
        return self.number(block.distinct).gather(block.at).alias(terms.name)

    def number(self, distinct: pl.DataFrame) -> pl.Series:
        """The code of each of the *distinct* terms of a :class:`Keyed` block, in order, new terms numbered
        after those seen before.

        Raises:
            InstanceDataError: a term has the 64-bit hash of another it is not.
        """
        code = _find(self._runs, distinct, self._source)
        new = distinct.filter(code.is_null())
        if new.height:
            numbered = pl.int_range(self._size, self._size + new.height, dtype=CODE, eager=True)
            code = code.scatter(code.is_null().arg_true(), numbered)
            self._size += new.height
            # copied out of the block: a slice of a string column would keep the whole block's text alive
            self._values.append(pl.Series("term", new["term"].to_list(), dtype=pl.String))
            self._add(new.select("h", "check", code=numbered).sort("h"))
        return code

    def _add(self, run: pl.DataFrame) -> None:
        self._runs.append(run)
        while len(self._runs) > 1 and self._runs[-2].height <= 2 * self._runs[-1].height:
            last = self._runs.pop()
            self._runs[-1] = pl.concat([self._runs[-1], last]).sort("h")

    def terms(self) -> Terms:
        """The terms numbered so far, frozen."""
        runs = [r.select("h", "code") for r in self._runs]
        index = pl.concat(runs).sort("h") if runs else pl.DataFrame(schema={"h": pl.UInt64, "code": CODE})
        values = pl.concat(self._values) if self._values else pl.Series("term", [], dtype=pl.String)
        return Terms(values.alias("term"), index)


class Terms:
    """Distinct terms, term number *i* at ``values[i]``; *index* holds each term's 64-bit hash ``h``
    (sorted) and code. A term not among them is numbered, after them, when it is first encoded (a target
    node or a value a SPARQL query makes, which the data may not have)."""

    def __init__(self, values: pl.Series, index: pl.DataFrame) -> None:
        self._values = values
        self._index = index
        self._more: list[str] = []
        self._numbered: dict[str, int] = {}

    def __len__(self) -> int:
        return self._values.len() + len(self._more)

    def decode(self, codes: pl.Series) -> pl.Series:
        """The term of each code of *codes* (null stays null)."""
        values = self._values if not self._more else pl.concat([self._values, pl.Series(self._more)])
        return values.gather(codes).alias(codes.name)

    def encode(self, terms: pl.Series) -> pl.Series:
        """The code of each term of *terms* (null stays null), numbering any term not yet known."""
        found = self._known(terms)
        for term in terms.filter(found.is_null() & terms.is_not_null()).unique(maintain_order=True).to_list():
            if term not in self._numbered:
                self._numbered[term] = len(self)
                self._more.append(term)
        if self._numbered:
            found = found.fill_null(terms.replace_strict(self._numbered, default=None, return_dtype=CODE))
        return found.alias(terms.name)

    def _known(self, terms: pl.Series) -> pl.Series:
        """The code of each of *terms* among the dictionary's own (null for others)."""
        if not self._index.height:
            return pl.Series(terms.name, [None] * terms.len(), dtype=CODE)
        h = terms.hash(0)
        at = self._index["h"].search_sorted(h).clip(upper_bound=self._index.height - 1)
        code = self._index["code"].gather(at)
        return _where((self._index["h"].gather(at) == h) & (self._values.gather(code) == terms), code)
