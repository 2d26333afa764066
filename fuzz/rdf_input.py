"""Fuzz target: RDF read for validation, in every syntax policeonto accepts.

The first byte of an input picks the syntax (its file extension); the rest is the file. The input is read
by the safe reader (:func:`~policeonto.validation.rdf_input.read_rdf`) and by the reader validation uses
(:func:`~policeonto.validation.fast.read_table`, with its vectorised N-Triples path); when both read it,
they must find the same number of distinct triples.
"""

from __future__ import annotations

from fuzz.harness import ROOT, Bug, Seeds, expected, main, scratch

NAME = "rdf_input"
SUFFIXES = (".nt", ".nq", ".ttl", ".trig", ".rdf", ".jsonld")
_RDFLIB = {".nt": "nt", ".nq": "nquads", ".ttl": "turtle", ".trig": "trig", ".rdf": "xml", ".jsonld": "json-ld"}


def check(data: bytes) -> None:
    """Read *data* as RDF; raise :class:`~fuzz.harness.Bug` on anything but a graph or an allowed error."""
    from policeonto.validation.fast import read_table
    from policeonto.validation.rdf_input import raw_literals, read_rdf

    if not data:
        return
    path = scratch("input" + SUFFIXES[data[0] % len(SUFFIXES)], data[1:])
    outcomes = []
    for read in (read_rdf, read_table):
        try:
            with raw_literals():
                outcomes.append(len(read(path)))
        except Exception as exc:
            if not expected(exc, path):
                raise Bug.unexpected(exc, f"from {read.__name__} on {path.name}") from exc
            outcomes.append(None)
    graph, table = outcomes
    if graph is not None and table is not None and graph != table:
        raise Bug(f"{path.name}: read_rdf found {graph} triples, read_table {table}")


def seeds() -> Seeds:
    """The project's own Turtle test files, and one of them written in every other syntax."""
    from rdflib import Dataset, Graph

    files = sorted((ROOT / "tests" / "data").glob("*/*.ttl"))
    for path in files:
        yield path.name, bytes([SUFFIXES.index(".ttl")]) + path.read_bytes()
    graph = Graph().parse(ROOT / "tests" / "data" / "valid" / "records-system.ttl")
    for index, suffix in enumerate(SUFFIXES):
        if suffix in {".nq", ".trig"}:
            dataset = Dataset()
            named = dataset.graph("https://example.org/graph")
            for triple in graph:
                named.add(triple)
            text = dataset.serialize(format=_RDFLIB[suffix])
        else:
            text = graph.serialize(format=_RDFLIB[suffix])
        yield f"records-system{suffix}", bytes([index]) + text.encode("utf-8")
    yield from _xml_variants(graph.serialize(format="xml"))


def _xml_variants(text: str) -> Seeds:
    """RDF/XML in the forms that once slipped past the DOCTYPE screen: space before the declaration,
    ``standalone="maybe"``, encodings expat does not read, UTF-16 and UTF-32, a DOCTYPE in lower case or
    inside the root element. Mutations of them probe the screen's edges."""
    body = text.split("?>", 1)[-1]
    doctype = '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    variants = {
        "space": b" " + text.encode(),
        "standalone-maybe": ('<?xml version="1.0" standalone="maybe"?>' + body).encode(),
        "shift-jis": ('<?xml version="1.0" encoding="Shift_JIS"?>' + body).encode(),
        "utf-16": ('<?xml version="1.0" encoding="UTF-16"?>' + body).encode("utf-16"),
        "utf-32": ('<?xml version="1.0" encoding="UTF-32"?>' + body).encode("utf-32"),
        "lower-doctype": (doctype.replace("DOCTYPE", "doctype") + body).encode(),
        "doctype-in-root": body.replace(">", ">" + doctype, 1).encode(),
    }
    for name, data in variants.items():
        yield f"records-system-{name}.rdf", bytes([SUFFIXES.index(".rdf")]) + data


if __name__ == "__main__":
    main(check, imports=("policeonto.validation.fast",), packages=("rdflib.plugins.parsers", "rdflib.term"))
