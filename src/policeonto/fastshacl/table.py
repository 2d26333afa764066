"""A graph as a table of N-Triples terms, split by predicate for the engine's joins.

The table's nodes are the terms themselves, or, when it carries a dictionary of :class:`Terms`, their
32-bit codes: the engine works on either alike (:meth:`TripleTable.encode` and :meth:`TripleTable.decode`
turn terms into the table's nodes and back), joining and counting on codes and decoding only what it
must read as text or report.

>>> table = TripleTable.from_frame(pl.DataFrame({
...     "s": ["<a>", "<a>", "<b>"], "p": [RDF_TYPE, "<name>", RDF_TYPE], "o": ["<C>", '"x"', "<D>"]}))
>>> table.pairs("<name>").rows(), len(table)
([('<a>', '"x"')], 3)
>>> encoded = table.encoded()
>>> encoded.pairs("<name>").dtypes, encoded.decode(encoded.instances("<C>")).to_list()
([UInt32, UInt32], ['<a>'])
>>> encoded.decoded().pairs("<name>").rows()
[('<a>', '"x"')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cached_property

import polars as pl
from rdflib import Graph

from policeonto.fastshacl.dictionary import CODE, Dictionary, Terms
from policeonto.terms import RDF_TYPE, RDFS_SUBCLASS_OF, term

__all__ = ["TripleTable", "parse_ntriples"]


class TripleTable:
    """The triples of one graph, by predicate: ``pairs(p)`` is a frame of subjects ``s`` and objects ``o``,
    terms or, with *terms*, their codes in that dictionary."""

    def __init__(self, by_predicate: dict[str, pl.DataFrame], *, terms: Terms | None = None) -> None:
        self.by_predicate = by_predicate
        self.terms = terms
        self.node_type: pl.DataType = CODE() if terms is not None else pl.String()
        self._empty = pl.DataFrame(schema={"s": self.node_type, "o": self.node_type})
        self._distinct: dict[tuple[str, str], pl.Series] = {}
        self._counts: dict[tuple[str, str], pl.DataFrame] = {}
        self._instances: dict[str, pl.Series] = {}
        self._over: dict[tuple[str, str, int], pl.DataFrame] = {}

    @classmethod
    def from_frame(cls, frame: pl.DataFrame) -> TripleTable:
        """From a frame of ``s``, ``p``, ``o`` term strings (duplicates allowed)."""
        parts = frame.partition_by("p", as_dict=True, include_key=False) if frame.height else {}
        return cls({key[0]: _distinct_pairs(part) for key, part in parts.items()})

    @classmethod
    def from_parts(cls, parts: dict[str, list[pl.DataFrame]]) -> TripleTable:
        """From frames of ``s``, ``o`` term strings by predicate (duplicates allowed)."""
        return cls({p: _distinct_pairs(pl.concat(frames)) for p, frames in parts.items() if frames})

    @classmethod
    def from_graph(cls, graph: Graph) -> TripleTable:
        """From an rdflib graph."""
        s, p, o = [], [], []
        for subject, predicate, obj in graph:
            s.append(term(subject))
            p.append(term(predicate))
            o.append(term(obj))
        return cls.from_frame(pl.DataFrame({"s": s, "p": p, "o": o}, schema=dict.fromkeys("spo", pl.String)))

    @classmethod
    def concat(cls, tables: Iterable[TripleTable], *, disjoint: bool = False) -> TripleTable:
        """The union of several tables; *disjoint* says no triple is in two of them (no need to look)."""
        parts: dict[str, list[pl.DataFrame]] = {}
        for table in tables:
            table = table.decoded()
            for predicate, pairs in table.by_predicate.items():
                parts.setdefault(predicate, []).append(pairs)
        return cls(
            {p: frames[0] if len(frames) == 1 else _union(frames, disjoint=disjoint) for p, frames in parts.items()}
        )

    def __len__(self) -> int:
        return sum(f.height for f in self.by_predicate.values())

    def encode(self, terms: pl.Series | list[str]) -> pl.Series:
        """*terms* (N-Triples strings) as this table's nodes: themselves, or their codes."""
        terms = terms if isinstance(terms, pl.Series) else pl.Series(terms, dtype=pl.String)
        return terms.cast(pl.String) if self.terms is None else self.terms.encode(terms.cast(pl.String))

    def decode(self, nodes: pl.Series) -> pl.Series:
        """This table's *nodes* as N-Triples strings (null stays null)."""
        return nodes if self.terms is None else self.terms.decode(nodes)

    def decoded(self) -> TripleTable:
        """This table with terms for nodes."""
        if self.terms is None:
            return self
        decoded = {p: f.select(self.decode(f["s"]), self.decode(f["o"])) for p, f in self.by_predicate.items()}
        return TripleTable(decoded)

    def encoded(self) -> TripleTable:
        """This table with codes for nodes."""
        if self.terms is not None:
            return self
        dictionary = Dictionary()
        frames = list(self.by_predicate.values())
        codes = dictionary.codes(pl.concat([f[c] for f in frames for c in "so"] + [self._empty["s"]]))
        by_predicate, at = {}, 0
        for predicate, frame in self.by_predicate.items():
            n = frame.height
            by_predicate[predicate] = pl.DataFrame({"s": codes.slice(at, n), "o": codes.slice(at + n, n)})
            at += 2 * n
        return TripleTable(by_predicate, terms=dictionary.terms())

    def subjects(self) -> pl.Series:
        """Every distinct subject."""
        return pl.concat([f["s"] for f in self.by_predicate.values()] + [self._empty["s"]]).unique()

    def pairs(self, predicate: str) -> pl.DataFrame:
        """Subjects and objects of *predicate*."""
        return self.by_predicate.get(predicate, self._empty)

    @cached_property
    def types(self) -> pl.DataFrame:
        """``rdf:type`` pairs."""
        return self.pairs(RDF_TYPE)

    def subclasses(self, cls_term: str) -> set[object]:
        """*cls_term* and every class below it through ``rdfs:subClassOf`` in this graph, as nodes."""
        edges = self._subclass_edges
        top = self.encode([cls_term])[0]
        found, todo = {top}, [top]
        while todo:
            for sub in edges.get(todo.pop(), ()):
                if sub not in found:
                    found.add(sub)
                    todo.append(sub)
        return found

    @cached_property
    def _subclass_edges(self) -> dict[object, list[object]]:
        edges: dict[object, list[object]] = {}
        for sub, sup in self.pairs(RDFS_SUBCLASS_OF).iter_rows():
            edges.setdefault(sup, []).append(sub)
        return edges

    @cached_property
    def _typed(self) -> dict[object, pl.Series]:
        parts = self.types.partition_by("o", as_dict=True, include_key=False) if self.types.height else {}
        return {key[0]: part["s"] for key, part in parts.items()}

    def instances(self, cls_term: str) -> pl.Series:
        """Every node typed *cls_term* or one of its subclasses (distinct)."""
        if cls_term not in self._instances:
            parts = [self._typed[c] for c in sorted(self.subclasses(cls_term)) if c in self._typed]  # type: ignore[type-var]
            found = pl.concat(parts) if parts else self._empty["s"]
            self._instances[cls_term] = found.unique() if len(parts) > 1 else found
        return self._instances[cls_term]

    def predicates_of(self, nodes: pl.Series, *, besides: frozenset[str] = frozenset()) -> set[str]:
        """Every predicate, other than those in *besides*, that some node among *nodes* (distinct) is the
        subject of."""
        if nodes.is_empty():
            return set()
        predicates = [p for p in self.by_predicate if p not in besides]
        if len(self.by_predicate) > 64:  # more than one mask holds: look predicate by predicate
            return {p for p in predicates if self.by_predicate[p]["s"].is_in(nodes.implode()).any()}
        # Each subject's predicates as a bit mask, keyed by the subject's 64-bit hash. Two subjects whose
        # hashes collide share a mask, which can only add predicates: the few found are then confirmed.
        bits = {p: 1 << i for i, p in enumerate(self.by_predicate)}
        if self.terms is not None:  # codes index the masks: exact, nothing to confirm
            masks = self._code_masks
            found = masks.gather(nodes.filter(nodes < masks.len())).bitwise_or() or 0
            return {p for p in predicates if found & bits[p]}
        asked = sum(bits[p] for p in predicates)
        masks = self._subject_masks.filter((pl.col("mask") & asked) != 0)
        hits = nodes.hash().alias("h").to_frame().join(masks, on="h").select(pl.col("mask").bitwise_or()).item()
        suspects = [p for p in predicates if (hits or 0) & bits[p]]
        subjects = nodes.to_frame("s")
        return {p for p in suspects if not self.by_predicate[p].join(subjects, on="s", how="semi").is_empty()}

    @cached_property
    def _code_masks(self) -> pl.Series:
        """Each code's predicates as a bit mask (at most 64 predicates), 8 bytes a term."""
        masks = pl.zeros(len(self.terms or ()), dtype=pl.UInt64, eager=True)
        for i, pairs in enumerate(self.by_predicate.values()):
            at = pairs["s"].unique()
            masks = masks.scatter(at, masks.gather(at) | pl.Series([1 << i], dtype=pl.UInt64))
        return masks

    @cached_property
    def _subject_masks(self) -> pl.DataFrame:
        parts = [
            f.select(h=pl.col("s").hash(), mask=pl.lit(1 << i, dtype=pl.UInt64))
            for i, f in enumerate(self.by_predicate.values())
        ]
        frame = pl.concat(parts) if parts else pl.DataFrame(schema={"h": pl.UInt64, "mask": pl.UInt64})
        return frame.group_by("h").agg(pl.col("mask").bitwise_or())

    def distinct(self, predicate: str, column: str) -> pl.Series:
        """The distinct subjects (``s``) or objects (``o``) of *predicate*."""
        key = (predicate, column)
        if key not in self._distinct:
            self._distinct[key] = self.pairs(predicate)[column].unique()
        return self._distinct[key]

    def over(self, predicate: str, column: str, limit: int) -> pl.DataFrame:
        """The subjects (or objects) with more than *limit* values of *predicate*: ``f``, ``len``."""
        key = (predicate, column, limit)
        if key not in self._over:
            if limit >= 1 and self.pairs(predicate)[column].n_unique() == self.pairs(predicate).height:
                self._over[key] = pl.DataFrame(schema={"f": pl.String, "len": pl.UInt32})  # one value each
            else:
                self._over[key] = self.counts(predicate, column).filter(pl.col("len") > limit)
        return self._over[key]

    def counts(self, predicate: str, column: str) -> pl.DataFrame:
        """How many values each subject (``column="s"``) or object (``"o"``) has for *predicate*: ``f``, ``len``."""
        key = (predicate, column)
        if key not in self._counts:
            self._counts[key] = self.pairs(predicate).group_by(column).len().rename({column: "f"})
        return self._counts[key]

    def ntriples(self, predicates: Iterable[str] | None = None, *, skolem: str | None = None) -> bytes:
        """The triples (of *predicates*, or all) as N-Triples; with *skolem*, blank nodes ``_:x`` become
        IRIs ``<{skolem}x>`` (stores rename blank nodes on loading)."""
        chosen = self.by_predicate if predicates is None else {p: self.pairs(p) for p in predicates}

        def named(column: str) -> pl.Expr:
            if skolem is None:
                return pl.col(column)
            return pl.col(column).str.replace(r"^_:(.*)$", f"<{skolem}${{1}}>")

        def terms(pairs: pl.DataFrame) -> pl.DataFrame:
            return pairs.select(self.decode(pairs["s"]), self.decode(pairs["o"]))

        lines = [
            terms(pairs).select(pl.concat_str([named("s"), pl.lit(f" {p} "), named("o"), pl.lit(" .\n")])).to_series()
            for p, pairs in chosen.items()
            if pairs.height
        ]
        return b"".join(s.str.join("").item().encode("utf-8") for s in lines)


def _distinct_pairs(pairs: pl.DataFrame) -> pl.DataFrame:
    """*pairs* without repeated rows (hashing first: most tables have none to drop)."""
    if pairs.hash_rows().n_unique() == pairs.height:
        return pairs
    return pairs.unique()


def _union(frames: list[pl.DataFrame], *, disjoint: bool) -> pl.DataFrame:
    return pl.concat(frames) if disjoint else _distinct_pairs(pl.concat(frames))


def parse_ntriples(data: bytes) -> pl.DataFrame | None:
    """Split N-Triples into ``s``, ``p``, ``o`` vectorised; None if any line needs a full parser (other
    whitespace than single spaces, escapes beyond the canonical ones, comments, a syntax error such as a
    line with no object) or the data is not UTF-8. Language tags are written in lower case.

    >>> parse_ntriples(b'<http://ex/a> <http://ex/p> "x y" .\\n').rows()
    [('<http://ex/a>', '<http://ex/p>', '"x y"')]
    >>> parse_ntriples(b'<http://ex/a> <http://ex/p> .\\n') is None
    True
    """
    if b"\\" in data and re.search(rb"\\[uUtbf']", data):
        return None
    lines = _split_lines(data)
    if lines is None:
        return None
    lines = lines.filter(lines.str.len_bytes() > 0)
    frame = (
        lines.to_frame()
        .select(pl.col("line").str.strip_suffix(" .").alias("body"), pl.col("line").str.ends_with(" .").alias("end"))
        .select(pl.col("body").str.splitn(" ", 3).alias("parts"), "end")
        .select(
            pl.col("parts").struct.field("field_0").alias("s"),
            pl.col("parts").struct.field("field_1").alias("p"),
            pl.col("parts").struct.field("field_2").alias("o"),
            "end",
        )
    )
    if frame.is_empty():
        return frame.drop("end")
    iri = lambda c: c.str.contains(_IRI) & ~c.str.contains(_NOT_IN_IRI)  # noqa: E731
    blank = lambda c: c.str.contains(_BLANK)  # noqa: E731
    literal = lambda c: c.str.starts_with('"') & c.str.contains(_LITERAL)  # noqa: E731
    checks = {"s": lambda c: iri(c) | blank(c), "p": iri, "o": lambda c: iri(c) | blank(c) | literal(c)}
    if not frame["end"].all():
        return None
    for column, check in checks.items():  # each distinct term once: a subject or a code comes many times
        distinct = frame[column].unique()
        if not distinct.to_frame().select(check(pl.col(column)).fill_null(False).all()).item():
            return None
    return _lower_languages(frame.drop("end"), distinct)  # distinct: the objects, checked last


def _lower_languages(frame: pl.DataFrame, objects: pl.Series) -> pl.DataFrame:
    """*frame* with every language tag of its *objects* (its distinct objects) in lower case, as Oxigraph's
    parser writes them: a tag is one term whatever its case (``"a"@en-GB`` is ``"a"@en-gb``), so it must have
    one spelling.

    >>> frame = pl.DataFrame({"s": ["<s>"] * 3, "p": ["<p>"] * 3, "o": ['"a"@en-GB', '"A"', '"a"@en-GB']})
    >>> _lower_languages(frame, frame["o"].unique())["o"].to_list()
    ['"a"@en-gb', '"A"', '"a"@en-gb']
    """
    upper = objects.filter(objects.str.contains(_UPPER_LANGUAGE))
    if upper.is_empty():
        return frame
    parts = r'(?s)^(.*")(@[A-Za-z0-9-]+)$'  # the tag, at the end (a quote in the text is escaped)
    lowered = pl.DataFrame({"term": upper}).select(
        pl.concat_str(pl.col("term").str.extract(parts, 1), pl.col("term").str.extract(parts, 2).str.to_lowercase())
    )
    return frame.with_columns(pl.col("o").replace(upper, lowered.to_series()))


def _split_lines(data: bytes) -> pl.Series | None:
    """The lines of *data* (by the CSV reader, which splits in parallel, unless a line may end in a carriage
    return or a literal holds a NUL, the byte it splits fields on); None if it is not UTF-8 or a line ends in
    a carriage return alone (the full parser reads that)."""
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None  # a line ended by a carriage return alone
    if data[:1] not in (b"<", b"_") or b"\r" in data or b"\x00" in data:
        # the CSV reader would drop a byte-order mark and unpack compressed bytes: it reads only blocks that
        # start as a triple does
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return pl.Series("line", [text], dtype=pl.String).str.split("\n").explode().str.strip_suffix("\r")
    try:
        read = pl.read_csv(
            data, has_header=False, separator="\x00", quote_char=None, schema={"line": pl.String}, raise_if_empty=False
        )
    except pl.exceptions.ComputeError:  # not UTF-8
        return None
    return read["line"]


_IRI = r"^<[A-Za-z][A-Za-z0-9+.-]*:[^>]*>$"  # an absolute IRI: a scheme first
#: What an IRI may not hold but at its ends, and a percent not followed by two hex digits (brackets, which only
#: an IPv6 host may hold, go to the full parser).
_NOT_IN_IRI = r'.[<>"{}|^`\\\x00-\x20\[\]].|%(?:[0-9A-Fa-f][^0-9A-Fa-f]|[^0-9A-Fa-f])'
#: A blank node label in ASCII (any other goes to the full parser, which knows the Unicode ranges).
_BLANK = r"^_:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$"
_DATATYPE = r'\^\^<[A-Za-z][A-Za-z0-9+.-]*:[^<>"{}|^`\\\x00-\x20]*>'
_LANGUAGE = r"@[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*"  # a longer subtag goes to the full parser, which refuses it
_UPPER_LANGUAGE = r'"@[a-z0-9-]*[A-Z][A-Za-z0-9-]*$'  # a language tag with an upper-case letter
#: A literal as canonical N-Triples writes it: no quote, backslash or line break but escaped (a block with the
#: other escapes goes to the full parser), then a datatype or a language tag, or neither.
_LITERAL = rf'^"(?:[^"\\\r\n]|\\[nr"\\])*"(?:{_DATATYPE}|{_LANGUAGE})?$'
