"""Say a class's SHACL shape in plain English: one sentence per property constraint, one per rule.

The sentences are read off the generated shapes graph, not the schema, so the page says exactly what the
validator checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Graph, Literal, Node, URIRef
from rdflib.collection import Collection

from policeonto.vocab import SH

__all__ = ["Constraint", "constraints"]

_KINDS = {
    SH.IRI: "an IRI",
    SH.Literal: "a literal value",
    SH.BlankNodeOrIRI: "a node (an IRI or a blank node)",
    SH.BlankNode: "a blank node",
}


@dataclass(frozen=True)
class Constraint:
    """One rule of a class's shape: the property it is about (None for a rule about the whole record) and the
    rule in plain English (Markdown)."""

    path: str | None
    text: str


def _curie(graph: Graph, node: Node) -> str:
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.curie(str(node), generate=False)
        except (KeyError, ValueError):
            return str(node)
    return str(node)


def _count(low: int, high: int | None) -> str:
    if high == 0:
        return "must not be given"
    if low == 0:
        return "is optional" + (
            "" if high is None else " and may be given at most once" if high == 1 else f" (at most {high})"
        )
    if high is None:
        return "is required (at least one)" if low == 1 else f"is required (at least {low})"
    if low == high:
        return "is required, exactly once" if low == 1 else f"is required, exactly {low} times"
    return f"is required, {low} to {high} times"


def _list(graph: Graph, head: Node) -> list[Node]:
    return list(Collection(graph, head))


def _int(graph: Graph, node: Node, predicate: URIRef) -> int | None:
    value = graph.value(node, predicate)
    return int(value) if isinstance(value, Literal) else None


#: Names the code list a set of codes comes from, as Markdown (a link to its page), or None.
CodeListNamer = Callable[[list[Node]], str | None]


def _property(graph: Graph, shape: Node, code_list: CodeListNamer) -> Constraint:
    path = graph.value(shape, SH.path)
    name = _curie(graph, path) if path is not None else "?"
    low = _int(graph, shape, SH.minCount) or 0
    high = _int(graph, shape, SH.maxCount)
    parts = [f"`{name}` {_count(low, high)}"]
    kind = graph.value(shape, SH.nodeKind)
    datatype = graph.value(shape, SH.datatype)
    if datatype is not None:
        parts.append(f"its value is a `{_curie(graph, datatype)}`")
    elif kind in _KINDS:
        parts.append(f"its value is {_KINDS[kind]}")
    target = graph.value(shape, SH["class"])
    if target is not None:
        parts.append(f"that is a `{_curie(graph, target)}`")
    alternatives = graph.value(shape, SH["or"])
    if alternatives is not None:
        classes = [graph.value(member, SH["class"]) for member in _list(graph, alternatives)]
        types = [graph.value(member, SH.datatype) for member in _list(graph, alternatives)]
        if all(classes):
            parts.append("that is one of " + ", ".join(f"`{_curie(graph, c)}`" for c in classes if c is not None))
        elif all(types):
            parts.append("written as one of " + ", ".join(f"`{_curie(graph, t)}`" for t in types if t is not None))
    members = graph.value(shape, SH["in"])
    if members is not None:
        codes = _list(graph, members)
        named = code_list(codes)
        if named is not None:
            parts.append(f"a code from {named} ({len(codes)} codes)")
        else:
            parts.append("one of " + ", ".join(f"`{_curie(graph, code)}`" for code in codes))
    pattern = graph.value(shape, SH.pattern)
    if pattern is not None:
        parts.append(f"matching the pattern `{pattern}`")
    low_value = graph.value(shape, SH.minInclusive)
    high_value = graph.value(shape, SH.maxInclusive)
    if low_value is not None and high_value is not None:
        parts.append(f"between {low_value} and {high_value}")
    elif low_value is not None:
        parts.append(f"at least {low_value}")
    elif high_value is not None:
        parts.append(f"at most {high_value}")
    fixed = graph.value(shape, SH.hasValue)
    if fixed is not None:
        parts.append(f"always `{_curie(graph, fixed)}`")
    return Constraint(name, "; ".join(parts[:2]) + (", " + ", ".join(parts[2:]) if parts[2:] else "") + ".")


def _given(graph: Graph, shape: Node) -> str | None:
    """The properties a shape requires, as ``a`` and ``b``, if that is all it says (as the generated shapes'
    node-level ``sh:or`` and ``sh:not`` members do)."""
    paths = []
    for member in graph.objects(shape, SH.property):
        path = graph.value(member, SH.path)
        if path is None or (_int(graph, member, SH.minCount) or 0) < 1:
            return None
        paths.append(f"`{_curie(graph, path)}`")
    return " and ".join(sorted(paths)) if paths else None


def _combinations(graph: Graph, shape: Node) -> list[Constraint]:
    """The shape's node-level ``sh:or`` (one of several sets of properties is required) and ``sh:not`` (a set
    of properties may not be given together), in plain English."""
    found = []
    for alternatives in graph.objects(shape, SH["or"]):
        options = [_given(graph, member) for member in _list(graph, alternatives)]
        if options and all(options):
            found.append(Constraint(None, f"A record must give {' or '.join(str(o) for o in options)} (at least one)."))
    for excluded in graph.objects(shape, SH["not"]):
        given = _given(graph, excluded)
        if given is not None:
            both = "both " if " and " in given else ""
            found.append(Constraint(None, f"A record may not give {both}{given}."))
    return found


def _rule(message: str) -> str:
    key = re.fullmatch(r"(\w+): (\w+) is not unique", message)
    if key:
        return f"Unique key `{key[2]}`: no two `{key[1]}` records may share its value."
    return message


def constraints(shapes: Graph, class_iri: str, *, code_list: CodeListNamer = lambda codes: None) -> list[Constraint]:
    """The rules the shape targeting *class_iri* checks, in the order the shape gives its properties.

    >>> from rdflib import Graph
    >>> from policeonto.vocab import ARTEFACTS, artefact_path
    >>> shapes = Graph().parse(artefact_path(ARTEFACTS["shacl"]))
    >>> rules = constraints(shapes, "https://w3id.org/policeonto/Weapon")
    >>> [rule.text for rule in rules if rule.path == "pole:weapon_type"]  # doctest: +ELLIPSIS
    ['`pole:weapon_type` is required, exactly once; one of `weapontype:firearm`, ...']
    >>> [rule.text for rule in constraints(shapes, "https://w3id.org/policeonto/PersonName") if rule.path is None][0]
    'A record must give `pole:given_name` or `pole:family_name` (at least one).'
    """
    cls = URIRef(class_iri)
    found: list[Constraint] = []
    for shape in sorted(shapes.subjects(SH.targetClass, cls), key=str):
        properties = sorted(
            shapes.objects(shape, SH.property),
            key=lambda p: (_int(shapes, p, SH.order) or 0, str(shapes.value(p, SH.path))),
        )
        found.extend(_property(shapes, p, code_list) for p in properties)
        found.extend(_combinations(shapes, shape))
        for rule in sorted(list(shapes.objects(shape, SH.node)) + list(shapes.objects(shape, SH.sparql)), key=str):
            message = shapes.value(rule, SH.message)
            if message is not None:
                found.append(Constraint(None, _rule(str(message))))
        if shapes.value(shape, SH.closed) == Literal(True):
            found.append(
                Constraint(None, "The shape is closed: a record may carry no property other than these and `rdf:type`.")
            )
    return found
