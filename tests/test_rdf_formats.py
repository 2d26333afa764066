"""The RDF format registry: it agrees with pyoxigraph, keeps every extension the old tables accepted, and its
names parse and serialize with rdflib and pyoxigraph alike."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from policeonto.errors import InstanceDataError, OptionError
from policeonto.rdf_formats import EXTENSIONS, SYNTAXES, RdfFormat, Syntax, by_name, from_extension, from_media_type
from policeonto.store.base import syntax_of
from policeonto.validation.rdf_input import is_rdf, rdf_format_of

# What the tables before the registry said: extension -> (rdflib name, store syntax).
OLD = {
    ".ttl": ("turtle", "ttl"),
    ".nt": ("nt", "nt"),
    ".jsonld": ("json-ld", "jsonld"),
    ".json": ("json-ld", None),  # JSON-LD only when the content says so; never a store syntax by name
    ".rdf": ("xml", "xml"),
    ".owl": ("xml", "xml"),
    ".xml": ("xml", "xml"),
    ".nq": ("nquads", "nq"),
    ".trig": ("trig", "trig"),
}
MEDIA = {
    "nt": "application/n-triples",
    "nq": "application/n-quads",
    "ttl": "text/turtle",
    "trig": "application/trig",
    "xml": "application/rdf+xml",
    "jsonld": "application/ld+json",
}


@pytest.mark.parametrize("syntax", SYNTAXES, ids=lambda s: s.name)
def test_the_registry_agrees_with_pyoxigraph(syntax: Syntax) -> None:
    assert syntax.media_type == MEDIA[syntax.name]
    assert ox.RdfFormat.from_media_type(syntax.media_type) == syntax.oxigraph
    assert from_media_type(syntax.media_type) is syntax
    assert syntax.names_graphs == (syntax.name in {"nq", "trig", "jsonld"})
    assert f".{syntax.oxigraph.file_extension}" in syntax.extensions
    for extension in syntax.extensions:
        if extension != ".owl":  # pyoxigraph does not know .owl
            assert ox.RdfFormat.from_extension(extension[1:]) == syntax.oxigraph
    assert by_name(syntax.name) is by_name(syntax.rdflib) is syntax


@pytest.mark.parametrize("extension", sorted(OLD))
def test_every_old_extension_maps_as_before(extension: str) -> None:
    rdflib_name, store_syntax = OLD[extension]
    path = Path(f"data{extension.upper()}")
    assert rdf_format_of(path) == rdflib_name
    assert syntax_of(path) == store_syntax
    assert is_rdf(path)  # not a file: the .json sniff is left to reading


def test_no_other_extension_is_rdf() -> None:
    assert set(OLD) == EXTENSIONS
    assert from_extension("data.csv") is None and syntax_of(Path("data.yaml")) is None
    assert not is_rdf(Path("data.csv"))
    with pytest.raises(InstanceDataError, match=r"not an RDF file extension \(\.json, \.jsonld, \.nq,"):
        rdf_format_of(Path("data.csv"))
    assert from_media_type("text/csv") is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [("out.ttl", "ttl"), ("out.turtle", "ttl"), ("out.NT", "nt"), ("out.jsonld", "jsonld"), ("out.json-ld", "jsonld")],
)
def test_written_format_from_extension(name: str, expected: str) -> None:
    fmt = RdfFormat.from_extension(Path(name))
    assert fmt.value == expected and fmt.syntax is by_name(expected)


@pytest.mark.parametrize("name", ["out.json", "out.nq", "out.xml", "out.trig", "out.docx", "out"])
def test_written_format_refuses_what_it_does_not_write(name: str) -> None:
    with pytest.raises(OptionError, match="unknown RDF file extension"):
        RdfFormat.from_extension(Path(name))


S, P, G = "http://e/s", "http://e/p", "http://e/g"


@pytest.mark.parametrize("syntax", SYNTAXES, ids=lambda s: s.name)
def test_round_trip_through_the_registrys_names(syntax: Syntax) -> None:
    triple = (URIRef(S), URIRef(P), Literal("café"))
    if syntax.names_graphs:
        dataset = Dataset()
        dataset.graph(URIRef(G)).add(triple)
        text = dataset.serialize(format=syntax.rdflib)
    else:
        graph = Graph()
        graph.add(triple)
        text = graph.serialize(format=syntax.rdflib)
    quads = list(ox.parse(input=text.encode("utf-8"), format=syntax.oxigraph))
    assert [(q.subject.value, q.predicate.value, q.object.value) for q in quads] == [(S, P, "café")]
    assert [q.graph_name for q in quads] == [ox.NamedNode(G) if syntax.names_graphs else ox.DefaultGraph()]

    back = ox.serialize(quads if syntax.names_graphs else [q.triple for q in quads], format=syntax.oxigraph)
    assert back is not None
    parsed = Dataset()
    parsed.parse(data=back.decode("utf-8"), format=syntax.rdflib)
    assert [(s, p, o) for s, p, o, _ in parsed.quads((None, None, None, None))] == [triple]
