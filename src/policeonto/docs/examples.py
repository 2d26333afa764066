"""Per-class examples for the documentation, cut from the bundled example records.

The records in ``examples/pole-example.yaml`` and ``examples/every-class.yaml`` are converted to RDF the same
way ``policeonto convert`` does it; each class's page shows one record of that class (or, for an abstract
class, of its first concrete subclass) in Turtle and in JSON-LD.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from linkml_runtime.utils.schemaview import SchemaView
from rdflib import RDF, BNode, Graph, Namespace, URIRef
from rdflib.term import Node

from policeonto.conversion import RdfFormat, serialise
from policeonto.instances import read_records

__all__ = ["CONTEXT_IRI", "Example", "example_graph", "examples"]

#: The IRI JSON-LD documents use to name the policeonto context.
CONTEXT_IRI = "https://w3id.org/policeonto/context.jsonld"
_EX = Namespace("https://example.org/")


@dataclass(frozen=True)
class Example:
    """One record shown on a class's page."""

    cls: str  # the class the record is an instance of (a subclass, for an abstract class)
    node: str
    turtle: str
    jsonld: str


def example_graph(sources: Iterable[Path]) -> Graph:
    """The RDF of every record in *sources* (RecordSet YAML or JSON files)."""
    graph = Graph()
    for source in sources:
        graph += read_records(source)
    return graph


def _description(graph: Graph, node: URIRef | BNode, view: SchemaView) -> Graph:
    """The node's triples and, recursively, those of the blank nodes it points at (its bounded description),
    with blank nodes renamed in the order they are met, so the same records always print the same way."""
    out = Graph(bind_namespaces="none")
    names: dict[BNode, BNode] = {}

    def rename(term: Node) -> Node:
        if isinstance(term, BNode):
            return names.setdefault(term, BNode(f"b{len(names)}"))
        return term

    todo: list[URIRef | BNode] = [node]
    seen: set[URIRef | BNode] = set()
    while todo:
        subject = todo.pop(0)
        if subject in seen:
            continue
        seen.add(subject)
        for s, p, o in sorted(graph.triples((subject, None, None)), key=lambda t: (str(t[1]), _key(graph, t[2]))):
            out.add((rename(s), p, rename(o)))
            if isinstance(o, BNode):
                todo.append(o)
    used = {str(term) for triple in out for term in triple}
    for prefix, namespace in view.namespaces().items():
        if any(term.startswith(str(namespace)) for term in used):
            out.bind(prefix, namespace, override=True)
    return out


def _key(graph: Graph, term: Node) -> str:
    """A sort key for a term that does not depend on blank node labels."""
    if isinstance(term, BNode):
        return "~" + " ".join(
            sorted(f"{p} {'_' if isinstance(o, BNode) else o}" for p, o in graph.predicate_objects(term))
        )
    return str(term)


def _embed(document: dict[str, Any]) -> dict[str, Any]:
    """Nest each blank node in the one node that refers to it, as JSON-LD writers usually do. A blank node
    nothing refers to (the record itself, when it has no IRI) stays at the top, without its label.

    >>> _embed({"id": "_:b0", "type": "pole:PersonName", "given_name": "Mary"})
    {'type': 'pole:PersonName', 'given_name': 'Mary'}
    """
    nodes = document.get("@graph", [document])
    blank = {n["id"]: n for n in nodes if str(n.get("id", "")).startswith("_:")}
    referred: set[str] = set()

    def refer(value: Any) -> None:
        if isinstance(value, list):
            for v in value:
                refer(v)
        elif isinstance(value, dict):
            if set(value) == {"id"} and value["id"] in blank:
                referred.add(value["id"])
            for v in value.values():
                refer(v)

    for n in nodes:
        refer({k: v for k, v in n.items() if k != "id"})

    def nest(value: Any) -> Any:
        if isinstance(value, list):
            return [nest(v) for v in value]
        if isinstance(value, dict):
            if set(value) == {"id"} and value["id"] in blank:
                inner = dict(blank[value["id"]])
                del inner["id"]
                return nest(inner)
            return {k: nest(v) for k, v in value.items()}
        return value

    roots = [
        nest({k: v for k, v in n.items() if not (k == "id" and v in blank)})
        for n in nodes
        if n.get("id") not in referred
    ]
    return roots[0] if len(roots) == 1 else {"@graph": roots}


def _jsonld(graph: Graph) -> str:
    document = json.loads(serialise(graph, RdfFormat.JSONLD))
    document.pop("@context", None)
    body = _embed(document)
    return json.dumps({"@context": CONTEXT_IRI, **body}, indent=2, ensure_ascii=False)


def examples(graph: Graph, view: SchemaView) -> dict[str, Example]:
    """Class name -> the record its page shows, for every class with a record of it or of a subclass.

    >>> from policeonto.vocab import schema_view
    >>> graph = example_graph([Path("examples/pole-example.yaml")])
    >>> found = examples(graph, schema_view())
    >>> found["Vehicle"].node, found["Object"].cls
    ('https://example.org/kent/object/VEH-77', 'Property')
    """
    by_type: dict[str, list[URIRef | BNode]] = {}
    for node, cls in graph.subject_objects(RDF.type):
        if isinstance(node, URIRef | BNode):
            by_type.setdefault(str(cls), []).append(node)
    found: dict[str, Example] = {}
    for name in sorted(view.all_classes()):
        for candidate in [name, *sorted(view.class_descendants(name, reflexive=False))]:
            iri = view.get_uri(candidate, expand=True)
            nodes = sorted(by_type.get(iri, []), key=lambda n: _key(graph, n))
            if nodes:
                description = _description(graph, nodes[0], view)
                turtle = description.serialize(format="turtle").strip()
                node = str(nodes[0]) if isinstance(nodes[0], URIRef) else "a blank node"
                found[name] = Example(candidate, node, turtle, _jsonld(description))
                break
    return found
