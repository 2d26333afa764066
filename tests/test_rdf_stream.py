"""RDF validated out of core: N-Triples, N-Quads, Turtle and TriG read a block at a time and
dictionary-encoded give the findings pySHACL gives on the same file (violations, blank nodes, literals with
language tags and datatypes, N-Quads and TriG with several graphs), whatever the block size; a blank node
named in two blocks is one node; the line limit and syntax errors name the line in the whole file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import RDF, XSD, BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from policeonto.errors import InstanceDataError
from policeonto.fastshacl import TripleTable
from policeonto.fastshacl.report import report_keys, result_keys
from policeonto.limits import Limits
from policeonto.rdf_formats import by_name
from policeonto.shacl import run_pyshacl
from policeonto.validation.fast import read_table, violations_of
from policeonto.validation.rdf_input import read_rdf
from policeonto.validation.rdf_stream import read_streamed
from tests.conftest import DATA

POLE = "https://w3id.org/policeonto/"
EX = "https://example.org/"
_FIXTURES = (
    "contact-bad-phone-number.ttl",
    "crime-unknown-crime-type.ttl",
    "custody-release-before-arrival.ttl",
    "device-imei-luhn.ttl",
    "bail-without-person-or-start.ttl",
    "communication-party-without-party.ttl",
)
_SYNTAXES = {"nt": "nt", "nq": "nquads", "ttl": "turtle", "trig": "trig"}


def _graph() -> Graph:
    """Invalid fixtures together, with blank nodes (one valid, one not), and literals with language tags and
    datatypes, well and ill typed, and with a tab."""
    graph = Graph()
    for name in _FIXTURES:
        graph.parse(DATA / "invalid" / name, format="turtle")
    person, place = URIRef(f"{EX}person-9"), BNode("where")
    graph.add((person, RDF.type, URIRef(f"{POLE}Person")))
    graph.add((person, URIRef(f"{POLE}name"), Literal("Siân", lang="cy")))
    graph.add((person, URIRef(f"{POLE}source_row"), Literal("7", datatype=XSD.integer)))
    graph.add((person, URIRef(f"{POLE}date_of_birth"), Literal("1990-13-45", datatype=XSD.date)))
    graph.add((person, URIRef(f"{POLE}date_of_birth"), Literal("1990-01-02", datatype=XSD.date)))
    graph.add((place, RDF.type, URIRef(f"{POLE}Location")))
    graph.add((place, URIRef(f"{POLE}latitude"), Literal("91.5", datatype=XSD.decimal)))
    graph.add((person, URIRef(f"{POLE}lives_at"), place))
    graph.add((person, URIRef(f"{POLE}label"), Literal("Siân\tJones")))  # a tab: Oxigraph writes it escaped
    graph.add((place, URIRef(f"{POLE}label"), Literal("Siân\tJones", lang="cy")))
    return graph


def _write(graph: Graph, folder: Path, extension: str) -> Path:
    """*graph* in the syntax of *extension*; in N-Quads and TriG, its triples spread over the default graph
    and two named graphs (one triple in two graphs)."""
    path = folder / f"data.{extension}"
    if extension in {"nq", "trig"}:
        dataset = Dataset()
        for i, triple in enumerate(sorted(graph)):
            target = dataset.default_context if i % 3 == 0 else dataset.graph(URIRef(f"{EX}graph/{i % 3}"))
            target.add(triple)
            if i == 5:
                dataset.graph(URIRef(f"{EX}graph/copy")).add(triple)
        path.write_bytes(dataset.serialize(format=_SYNTAXES[extension], encoding="utf-8"))
    else:
        path.write_bytes(graph.serialize(format=_SYNTAXES[extension], encoding="utf-8"))
    return path


def _parsed(table: TripleTable) -> Graph:
    return Graph().parse(data=table.ntriples().decode("utf-8"), format="nt")


def _anonymous(keys: set[tuple]) -> set[tuple]:
    """Result keys with every blank node's label put as ``_:`` (each parser names them its own way)."""
    return {tuple("_:" if isinstance(k, str) and k.startswith("_:") else k for k in key) for key in keys}


@pytest.mark.parametrize("extension", sorted(_SYNTAXES))
def test_streamed_findings_are_pyshacl_s(extension: str, tmp_path: Path, shapes: Graph) -> None:
    path = _write(_graph(), tmp_path, extension)
    fast = result_keys(violations_of(read_table(path)))
    _, report, _ = run_pyshacl(read_rdf(path), shapes)
    assert len(fast) > len(_FIXTURES)  # every fixture's finding, the ill-typed literals and the blank node's
    assert any(key[0].startswith("_:") for key in fast)
    assert _anonymous(fast) == _anonymous(report_keys(report))


@pytest.mark.parametrize("extension", sorted(_SYNTAXES))
def test_small_blocks_read_what_one_block_reads(extension: str, tmp_path: Path) -> None:
    """Read 97 bytes or three quads at a time, the table and its violations are those of the whole file."""
    path = _write(_graph(), tmp_path, extension)
    syntax = by_name(extension)
    whole = read_streamed(path, syntax, Limits())
    small = read_streamed(path, syntax, Limits(), block=97, batch=3)
    assert len(small) == len(whole) == len(_graph())
    assert isomorphic(_parsed(small), _parsed(whole))  # Turtle's [] is named anew at each parse
    assert _anonymous(result_keys(violations_of(small))) == _anonymous(result_keys(violations_of(whole)))


def test_a_blank_node_named_in_two_blocks_is_one_node(tmp_path: Path) -> None:
    lines = [f'_:b1 <{EX}p> "{i}" .' for i in range(40)] + [f"<{EX}a> <{EX}q> _:b1 ."]
    path = tmp_path / "blank.nt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_streamed(path, by_name("nt"), Limits(), block=64).decoded()
    assert table.pairs(f"<{EX}p>")["s"].unique().to_list() == table.pairs(f"<{EX}q>")["o"].to_list() == ["_:b1"]
    parsed = _parsed(table)
    assert len(parsed) == 41 and len(set(parsed.subjects(URIRef(f"{EX}p"), None))) == 1


@pytest.mark.parametrize("extension", ["nt", "nq"])
def test_a_long_line_in_a_later_block_is_refused_with_its_number(extension: str, tmp_path: Path) -> None:
    lines = [f'<{EX}s{i}> <{EX}p> "{i}" .' for i in range(30)]
    lines[23] = f'<{EX}s> <{EX}p> "{"x" * 400}" .'
    path = tmp_path / f"long.{extension}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InstanceDataError, match="line is over the limit") as caught:
        read_streamed(path, by_name(extension), Limits(line_size=300), block=128)
    assert caught.value.line == 24


def test_of_two_long_lines_the_first_is_named(tmp_path: Path) -> None:
    """A block ending in a long line, cut off by the block's end while also too long, names the first."""
    path = tmp_path / "long.nt"
    path.write_bytes(b"a" * 8 + b"\n" + b"b" * 20 + b"\n")
    with pytest.raises(InstanceDataError, match="line is over the limit") as caught:
        read_streamed(path, by_name("nt"), Limits(line_size=5), block=16)
    assert caught.value.line == 1


@pytest.mark.parametrize("extension", ["nt", "nq"])
def test_a_syntax_error_in_a_later_block_names_its_line(extension: str, tmp_path: Path) -> None:
    lines = [f'<{EX}s{i}> <{EX}p> "{i}" .' for i in range(30)]
    lines[26] = f'<{EX}s> <{EX}p> "unclosed .'
    path = tmp_path / f"bad.{extension}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InstanceDataError, match=f"not valid {extension}") as caught:
        read_streamed(path, by_name(extension), Limits(), block=100)
    assert caught.value.line == 27


@pytest.mark.parametrize(
    "line",
    [f"<{EX}s> <{EX}p> .", f"<{EX}s> .", f'<{EX}s> <{EX}p> "a" "b" .', f"<{EX}s> <{EX}p>  <{EX}o> ."],
)
def test_a_line_that_is_not_one_triple_is_a_syntax_error(line: str, tmp_path: Path) -> None:
    """A line with no object, no predicate or two objects is refused with its number, in the block the
    vectorised split reads, never taken for a triple missing a term or for a literal holding quotes."""
    lines = [f'<{EX}s{i}> <{EX}p> "{i}" .' for i in range(30)]
    lines[17] = line
    path = tmp_path / "short.nt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if "  " in line:  # two spaces: valid N-Triples the split hands to the full parser
        assert len(read_streamed(path, by_name("nt"), Limits())) == 30
        return
    with pytest.raises(InstanceDataError, match="not valid nt") as caught:
        read_streamed(path, by_name("nt"), Limits())
    assert caught.value.line == 18


_REFUSED = {
    "relative IRI": f'<s> <{EX}p> "x" .',
    "no scheme": f'<1http://ex/s> <{EX}p> "x" .',
    "bad percent": f'<{EX}%zz> <{EX}p> "x" .',
    "IPv6 host unclosed": f'<http://[::1/s> <{EX}p> "x" .',
    "blank label with a tab": f'_:a\tb <{EX}p> "x" .',
    "blank label ending in a dot": f'_:a. <{EX}p> "x" .',
    "language subtag over 8": f'<{EX}s> <{EX}p> "x"@abcdefghijk .',
    "relative datatype": f'<{EX}s> <{EX}p> "x"^^<foo> .',
}


@pytest.mark.parametrize("line", list(_REFUSED.values()), ids=list(_REFUSED))
def test_what_the_full_parser_refuses_the_split_hands_over(line: str, tmp_path: Path) -> None:
    """A term Oxigraph's N-Triples parser refuses is refused with its line, whichever block it is in,
    never read by the vectorised split as it stands."""
    for at in (0, 12):  # at the start of the file, and further in
        lines = [f'<{EX}s{i}> <{EX}p> "{i}" .' for i in range(20)]
        lines[at] = line
        path = tmp_path / f"refused-{at}.nt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with pytest.raises(InstanceDataError, match="not valid nt") as caught:
            read_streamed(path, by_name("nt"), Limits())
        assert caught.value.line == at + 1


@pytest.mark.parametrize("wrapped", ["byte-order mark", "zlib", "gzip"])
def test_a_wrapped_file_is_not_unwrapped(wrapped: str, tmp_path: Path) -> None:
    """A byte-order mark is no part of N-Triples, and compressed bytes are no N-Triples at all: the split
    does not drop the one or unpack the other (polars' CSV reader does both) but hands them over."""
    import gzip
    import zlib

    text = "".join(f'<{EX}s{i}> <{EX}p> "{i}" .\n' for i in range(8)).encode("utf-8")
    data = {"byte-order mark": b"\xef\xbb\xbf" + text, "zlib": zlib.compress(text, 0), "gzip": gzip.compress(text)}
    path = tmp_path / "wrapped.nt"
    path.write_bytes(data[wrapped])
    with pytest.raises(InstanceDataError):
        read_streamed(path, by_name("nt"), Limits())


@pytest.mark.parametrize("end", ["\r\n", "\r"])
def test_lines_ended_by_carriage_returns_are_every_one_read(end: str, tmp_path: Path) -> None:
    """N-Triples lines may end in CR LF or in CR alone: each triple is read, none is lost in another's line."""
    lines = [f'<{EX}s{i}> <{EX}p> "{i}" .' for i in range(30)]
    path = tmp_path / "cr.nt"
    path.write_bytes(end.join(lines).encode("utf-8") + end.encode("utf-8"))
    table = read_streamed(path, by_name("nt"), Limits(), block=200).decoded()
    assert sorted(table.pairs(f"<{EX}p>")["o"].to_list()) == sorted(f'"{i}"' for i in range(30))


@pytest.mark.parametrize("extension", ["nt", "nq", "ttl"])
def test_a_literal_over_the_field_limit_in_a_later_block_is_refused(extension: str, tmp_path: Path) -> None:
    lines = [f'<{EX}s{i}> <{EX}p> "{"y" * 90}"@en .' for i in range(30)]
    lines[21] = f'<{EX}s> <{EX}p> "{"x" * 101}"@en .'
    path = tmp_path / f"literal.{extension}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(read_streamed(path, by_name(extension), Limits(field_size=101), block=256, batch=4)) == 30
    with pytest.raises(InstanceDataError, match="101 bytes, over the limit"):
        read_streamed(path, by_name(extension), Limits(field_size=100), block=256, batch=4)


@pytest.mark.parametrize(("block", "escaped"), [(1 << 20, False), (80, False), (1 << 20, True)])
def test_a_language_tag_spelt_two_ways_is_one_term(block: int, escaped: bool, tmp_path: Path, shapes: Graph) -> None:
    """RDF compares language tags without case, and so does rdflib (pySHACL's parser): ``"Theft"@EN-GB`` and
    ``"Theft"@en-gb`` are one literal, so a crime given both has one label, not two over its limit of one;
    read in one block, over several, or by Oxigraph's parser (a line with an escape). The findings are
    pySHACL's, but that the fast engine writes a tag in lower case (as Oxigraph's parser does, in every
    syntax) where rdflib keeps the spelling it read first."""
    crime = f"<{EX}crime-1>"
    lines = [
        f"{crime} <{RDF.type}> <{POLE}Crime> .",
        f'{crime} <{POLE}label> "Theft"@EN-GB .',
        f'{crime} <{POLE}description> "Theft from the person"@en .',
        f'{crime} <{POLE}label> "Theft"@en-gb .',
        f'{crime} <{POLE}description> "Theft from the person"@EN .',
    ]
    if escaped:
        lines.append(f'<{EX}person-1> <{POLE}name> "Ren\\u00e9e"@FR .')
    path = tmp_path / "labels.nt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_streamed(path, by_name("nt"), Limits(), block=block)
    assert len(table) == 3 + escaped
    fast = result_keys(violations_of(table))
    _, report, _ = run_pyshacl(read_rdf(path), shapes)
    assert fast == {
        tuple(re.sub(r'"@[A-Za-z0-9-]+$', lambda m: m[0].lower(), k) if isinstance(k, str) else k for k in key)
        for key in report_keys(report)
    }
    assert not any("MaxCount" in str(key) for key in fast)
    assert any(key[2] == '"Theft"@en-gb' for key in fast)


@pytest.mark.parametrize("batch", [1, 2, 1000])
def test_a_term_read_in_two_batches_of_turtle_is_one_term(batch: int, tmp_path: Path) -> None:
    """Turtle's batches are written as N-Triples by Oxigraph and split, or, when a literal holds a character
    Oxigraph escapes otherwise (a tab), written term by term: a term in batches read each way is one term."""
    path = tmp_path / "data.ttl"
    path.write_text(
        f"@prefix ex: <{EX}> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        'ex:a ex:p "x", "1"^^xsd:integer, "y"@en-GB .\n'
        'ex:b ex:q "t\\tt" ; ex:p "x", "1"^^xsd:integer, "y"@en-gb .\n'
        'ex:c ex:q "t\\tt" .\n',
        encoding="utf-8",
    )
    table = read_streamed(path, by_name("ttl"), Limits(), batch=batch)
    p, q = table.pairs(f"<{EX}p>"), table.pairs(f"<{EX}q>")
    assert p.height == 6 and p["o"].n_unique() == 3 and q["o"].n_unique() == 1
    decoded = table.decoded()
    assert sorted(set(decoded.pairs(f"<{EX}p>")["o"])) == [
        '"1"^^<http://www.w3.org/2001/XMLSchema#integer>',
        '"x"',
        '"y"@en-gb',
    ]
    assert decoded.pairs(f"<{EX}q>")["o"].unique().to_list() == ['"t\tt"']
