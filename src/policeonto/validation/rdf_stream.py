"""RDF read out of core into a triple table: N-Triples, N-Quads, Turtle and TriG, a block at a time.

The file is never held whole. N-Triples and N-Quads are read in blocks of whole lines (each line checked
against ``Limits.line_size``); a block of canonical N-Triples is split vectorised, any other block, and
Turtle and TriG as one stream, go through Oxigraph's parser (which fetches nothing and says where a
syntax error is). Each block's terms are written as :mod:`policeonto.terms` writes them, checked against
the IRI and literal limits, then dictionary-encoded (:mod:`policeonto.fastshacl.dictionary`): each distinct
term is kept once and numbered, and a triple is kept as two 32-bit codes under its predicate. Once the
file is read, the triples of each predicate are made distinct on their codes, and the table keeps the
codes with the dictionary: the engine works on the codes and decodes only the terms it reads as text or
reports, so memory grows with the distinct terms and 8 bytes a triple, not with the file's text.

>>> from tempfile import TemporaryDirectory
>>> from policeonto.rdf_formats import by_name
>>> with TemporaryDirectory() as folder:
...     path = Path(folder) / "in.nt"
...     _ = path.write_bytes(b'<http://ex/a> <http://ex/p> "x"@en .\\n<http://ex/a> <http://ex/p> "x"@en .\\n')
...     table = read_streamed(path, by_name("nt"), Limits())
>>> table.pairs("<http://ex/p>").rows(), table.decoded().pairs("<http://ex/p>").rows()
([(0, 1)], [('<http://ex/a>', '"x"@en')])
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import polars as pl
import pyoxigraph as ox

from policeonto.errors import InstanceDataError, shorten
from policeonto.fastshacl import TripleTable, parse_ntriples
from policeonto.fastshacl.dictionary import Dictionary, keyed
from policeonto.limits import Limits, read_blocks
from policeonto.rdf_formats import Syntax
from policeonto.terms import blank, iri, literal
from policeonto.validation.rdf_input import check_iri

__all__ = ["STREAMED", "check_terms", "parse_quads", "read_streamed"]

#: The syntaxes read a block at a time (RDF/XML, whose DTD is screened first, and JSON-LD, whose contexts
#: are, are read whole).
STREAMED = frozenset({"nt", "nq", "ttl", "trig"})
_BLOCK = 16 << 20  # bytes read at once
_BATCH = 200_000  # quads of Turtle or TriG turned into terms at once
_LINES = frozenset({"nt", "nq"})
_PARSERS = 2  # blocks parsed at once, beside the one being encoded


def read_streamed(
    path: Path, syntax: Syntax, limits: Limits, *, block: int = _BLOCK, batch: int = _BATCH
) -> TripleTable:
    """The triples of the file at *path* (of every graph, for N-Quads and TriG) as a table, read *block*
    bytes at a time (N-Triples, N-Quads) or *batch* quads at a time (Turtle, TriG).

    Raises:
        InstanceDataError: the file is over ``limits.file_size`` or no regular file, a line is over
            ``limits.line_size``, an IRI or literal is over its limit, or the file is not valid in its syntax
            (with the line where the parser says).
    """
    encoded = _Encoded(path)
    for part in _blocks(path, syntax, limits, block, batch):
        encoded.add(part)
    return encoded.table()


@dataclass(frozen=True)
class _Block:
    """A block's triples checked and keyed, ready to be numbered: its distinct terms (as
    :func:`~policeonto.fastshacl.dictionary.keyed` gives them) and, under each predicate, the rows of its
    triples' subjects ``s`` and objects ``o`` among them."""

    distinct: pl.DataFrame
    by_predicate: dict[str, pl.DataFrame]


def _block(frame: pl.DataFrame, path: Path, limits: Limits) -> _Block:
    """The triples of *frame* checked against the limits and keyed (work that needs no dictionary, so that
    the parsing threads do it beside the numbering of an earlier block)."""
    check_terms(frame, path, limits)
    n = frame.height
    terms = keyed(pl.concat([frame["s"], frame["o"]]), source=path)
    rows = pl.DataFrame({"p": frame["p"], "s": terms.at.slice(0, n), "o": terms.at.slice(n, n)})
    parts = rows.partition_by("p", as_dict=True, include_key=False) if n else {}
    return _Block(terms.distinct, {str(p): part for (p,), part in parts.items()})


def _blocks(path: Path, syntax: Syntax, limits: Limits, block: int, batch: int) -> Iterator[_Block]:
    """The file's triples a block at a time, checked and keyed."""
    blocks = read_blocks(path, limits, size=block)
    if syntax.name not in _LINES:  # Oxigraph reads the stream, holding a batch of quads at a time
        for frame in parse_quads(_Stream(blocks), syntax, path, batch=batch):
            yield _block(frame, path, limits)
        return
    lines = _lines(blocks, path, limits)
    with ThreadPoolExecutor(max_workers=_PARSERS) as pool:  # polars and Oxigraph parse without the GIL
        parsing: deque[Future[_Block]] = deque()
        while True:
            try:
                first, data = next(lines)
            except StopIteration:
                break
            except InstanceDataError:
                for earlier in parsing:  # an error in an earlier block is the one to report
                    earlier.result()
                raise
            parsing.append(pool.submit(_parse_lines, data, syntax, path, first, limits))
            if len(parsing) > _PARSERS:
                yield parsing.popleft().result()
        while parsing:
            yield parsing.popleft().result()


def _parse_lines(block: bytes, syntax: Syntax, path: Path, first: int, limits: Limits) -> _Block:
    """The triples of a block of whole lines starting at line *first*, checked and keyed: split vectorised
    when it is canonical N-Triples, otherwise through Oxigraph's parser."""
    frame = parse_ntriples(block) if syntax.name == "nt" else None
    if frame is None:
        frame = pl.concat(list(parse_quads(block, syntax, path, first_line=first)))
    return _block(frame, path, limits)


def _lines(blocks: Iterable[bytes], path: Path, limits: Limits) -> Iterator[tuple[int, bytes]]:
    """Blocks of whole lines, each with the number of its first line; a line over ``limits.line_size``
    is refused with its number."""
    carry, line = b"", 1
    for data in blocks:
        data = carry + data
        cut = data.rfind(b"\n") + 1
        block, carry = data[:cut], data[cut:]
        if block:  # before the unfinished line after it, which comes later in the file
            _check_lines(block, path, limits, line)
        if len(carry) > limits.line_size:
            raise _long(path, limits, line + block.count(b"\n"))
        if block:
            yield line, block
            line += block.count(b"\n")
    if carry:
        yield line, carry


def _check_lines(block: bytes, path: Path, limits: Limits, first: int) -> None:
    """Refuse a line of *block* over ``limits.line_size``. Such a line spans a whole window of half the limit
    (windows aligned on multiples of it), so the block is split into lines only when a window holds no
    line end."""
    half = max(limits.line_size // 2, 1)
    windows = range(0, len(block), half)
    if len(block) <= limits.line_size or all(block.find(b"\n", at, at + half) >= 0 for at in windows):
        return
    if max(map(len, block.split(b"\n"))) > limits.line_size:
        lengths = [len(line) for line in block.split(b"\n")]
        raise _long(path, limits, first + next(i for i, n in enumerate(lengths) if n > limits.line_size))


def _long(path: Path, limits: Limits, line: int) -> InstanceDataError:
    return InstanceDataError(f"the line is over the limit ({limits.hint('line_size')})", path=path, line=line)


class _Stream:
    """Blocks of bytes as the binary file object Oxigraph's parser reads."""

    def __init__(self, blocks: Iterator[bytes]) -> None:
        self._blocks, self._block, self._at = blocks, b"", 0

    def read(self, size: int = -1) -> bytes:
        while self._at >= len(self._block):
            block = next(self._blocks, None)
            if block is None:
                return b""
            self._block, self._at = block, 0
        end = len(self._block) if size is None or size < 0 else min(self._at + size, len(self._block))
        out, self._at = self._block[self._at : end], end  # what is read is copied, not what is left
        return out


def parse_quads(
    source: bytes | _Stream, syntax: Syntax, path: Path, *, first_line: int = 1, batch: int = _BATCH
) -> Iterator[pl.DataFrame]:
    """The triples of *source* (of every graph) through Oxigraph's parser, as frames of terms of at most
    *batch* rows; *first_line* is the line *source* starts at in the file.

    Raises:
        InstanceDataError: not valid in its syntax, with the line Oxigraph gives.
    """
    quads = ox.parse(source, format=syntax.oxigraph, base_iri=path.resolve().as_uri())  # type: ignore[arg-type]
    try:
        while True:  # Oxigraph writes each batch's triples (of whatever graph) as N-Triples
            if not syntax.names_graphs:  # every quad in the default graph: as N-Quads, its lines are N-Triples
                data = ox.serialize(islice(quads, batch), format=ox.RdfFormat.N_QUADS)
            else:
                data = ox.serialize((q.triple for q in islice(quads, batch)), format=ox.RdfFormat.N_TRIPLES)
            yield _terms(data)  # the last frame empty
            if not data:
                break
    except SyntaxError as exc:
        line = exc.lineno + first_line - 1 if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        message = f"not valid {syntax.name}: {shorten(str(exc).splitlines()[0], 300)}"
        raise InstanceDataError(message, path=path, line=line) from exc
    except MemoryError as exc:  # Oxigraph's parser: "Reached the buffer maximal size of 16777216"
        raise InstanceDataError(
            "a token (an IRI or literal) is over 16M, the most Oxigraph's parser reads", path=path
        ) from exc


def _terms(data: bytes) -> pl.DataFrame:
    """The triples of *data* (N-Triples as Oxigraph writes them) as a frame of terms written as
    :mod:`policeonto.terms` writes them: split vectorised, unless a literal holds a character Oxigraph
    escapes otherwise (a tab, a control character) or a triple is quoted, when each term is written here.
    Either way a term has one spelling, whichever batch it is in."""
    split = parse_ntriples(data)
    if split is not None:
        return split
    triples = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    s = [_term(triple.subject) for triple in triples]
    p = [_term(triple.predicate) for triple in triples]
    o = [_term(triple.object) for triple in triples]
    return pl.DataFrame({"s": s, "p": p, "o": o}, schema=dict.fromkeys("spo", pl.String))


def _term(value: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """The term as :mod:`policeonto.terms` writes it (a quoted triple, which RDF 1.1 has not, as Oxigraph does)."""
    if isinstance(value, ox.NamedNode):
        return iri(value.value)
    if isinstance(value, ox.BlankNode):
        return blank(value.value)
    if isinstance(value, ox.Literal):
        return literal(value.value, datatype=value.datatype.value, language=value.language)
    return str(value)


def check_terms(frame: pl.DataFrame, path: Path, limits: Limits) -> None:
    """Refuse an IRI longer than ``limits.iri_size`` bytes, or a literal whose lexical form is larger than
    ``limits.field_size`` bytes."""
    longest = frame.select(pl.col("s", "p", "o").str.len_bytes().max()).row(0)
    if max((n or 0) for n in longest) <= min(limits.iri_size + 2, limits.field_size):  # no term near a limit
        return
    for column in ("s", "p", "o"):
        long = pl.col(column).str.starts_with("<") & (pl.col(column).str.len_bytes() > limits.iri_size + 2)
        for value in frame.filter(long).head(1)[column]:
            check_iri(value[1:-1], path, limits)
    longer = frame.filter(pl.col("o").str.len_bytes() > limits.field_size)  # no shorter term has a longer literal
    size = pl.col("o").str.extract(r'^"(.*)"', 1).str.len_bytes()
    big = longer.with_columns(size=size).filter(pl.col("size") > limits.field_size).head(1)
    for s, p, _, n in big.iter_rows():
        raise InstanceDataError(
            f"the literal of {s} {p} is {n:,} bytes, over the limit ({limits.hint('field_size')})", path=path
        )


class _Encoded:
    """Triples dictionary-encoded as they arrive: each term numbered in one :class:`Dictionary`, each triple
    kept as two 32-bit codes under its predicate."""

    def __init__(self, path: Path) -> None:
        self.dictionary = Dictionary(source=path)
        self.by_predicate: dict[str, list[pl.DataFrame]] = {}

    def add(self, block: _Block) -> None:
        if not block.by_predicate:
            return
        codes = self.dictionary.number(block.distinct)
        for predicate, rows in block.by_predicate.items():
            part = pl.DataFrame({"s": codes.gather(rows["s"]), "o": codes.gather(rows["o"])})
            self.by_predicate.setdefault(predicate, []).append(part)

    def table(self) -> TripleTable:
        """The triples, distinct under each predicate, with their dictionary."""
        by_predicate = {p: _distinct(self.by_predicate.pop(p)) for p in list(self.by_predicate)}
        return TripleTable(by_predicate, terms=self.dictionary.terms())


def _distinct(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """The pairs of codes of *parts*, each once (judged on one 64-bit key a pair)."""
    pairs = pl.concat(parts)
    key = pairs["s"].cast(pl.UInt64) * (1 << 32) + pairs["o"].cast(pl.UInt64)
    return pairs.filter(key.is_first_distinct())
