"""Compile a SHACL shapes graph into plain data the columnar engine evaluates.

Every shape becomes a :class:`Shape` (targets, an optional path, its constraints and nested property
shapes); every constraint parameter becomes a :class:`Constraint` naming its component. A shapes graph
that uses anything outside :data:`SUPPORTED` raises :class:`UnsupportedShapes` naming each feature, so a
caller can hand the whole validation to pySHACL instead of getting a partial answer.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, Node, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from policeonto.errors import PoliceOntoError
from policeonto.terms import term

__all__ = ["SUPPORTED", "Constraint", "Path", "Shape", "Shapes", "UnsupportedShapes", "compile_shapes"]

# Parameter -> constraint component (local names). Pairs such as pattern/flags are read together.
COMPONENTS = {
    "class": "Class",
    "datatype": "Datatype",
    "nodeKind": "NodeKind",
    "minCount": "MinCount",
    "maxCount": "MaxCount",
    "minInclusive": "MinInclusive",
    "maxInclusive": "MaxInclusive",
    "minExclusive": "MinExclusive",
    "maxExclusive": "MaxExclusive",
    "minLength": "MinLength",
    "maxLength": "MaxLength",
    "pattern": "Pattern",
    "in": "In",
    "hasValue": "HasValue",
    "languageIn": "LanguageIn",
    "uniqueLang": "UniqueLang",
    "equals": "Equals",
    "disjoint": "Disjoint",
    "lessThan": "LessThan",
    "lessThanOrEquals": "LessThanOrEquals",
    "not": "Not",
    "and": "And",
    "or": "Or",
    "xone": "Xone",
    "node": "Node",
    "sparql": "SPARQL",
}
_OTHER = {
    "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "path", "property", "closed",
    "ignoredProperties", "flags", "deactivated", "severity", "message", "name", "description", "order",
    "group", "defaultValue", "prefixes", "declare", "select",
}  # fmt: skip
SUPPORTED = frozenset(COMPONENTS) | _OTHER | {"Closed"}
_SHAPE_LINKS = ("node", "not", "property")
_SHAPE_LISTS = ("and", "or", "xone")


class UnsupportedShapes(PoliceOntoError):
    """The shapes use SHACL features the columnar engine does not evaluate."""

    def __init__(self, features: list[str]) -> None:
        self.features = sorted(set(features))
        super().__init__("not supported by the fast engine: " + ", ".join(self.features))


@dataclass(frozen=True)
class Path:
    """A predicate path, or the inverse of one."""

    predicate: str  # an IRI term, <...>
    inverse: bool = False

    @property
    def text(self) -> str:
        """The predicate's IRI, after ``^`` for an inverse path."""
        return ("^" if self.inverse else "") + self.predicate[1:-1]


@dataclass(frozen=True)
class Constraint:
    """One constraint: its component's local name and parameter (terms as N-Triples strings)."""

    component: str
    value: Any
    flags: str = ""
    message: str | None = None  # for SPARQL constraints: their own message


@dataclass
class Shape:
    """A node shape (no path) or property shape."""

    id: str
    path: Path | None = None
    target_classes: list[str] = field(default_factory=list)
    target_nodes: list[str] = field(default_factory=list)
    target_subjects_of: list[str] = field(default_factory=list)
    target_objects_of: list[str] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    severity: str = str(SH.Violation)
    messages: list[str] = field(default_factory=list)
    deactivated: bool = False

    @property
    def has_targets(self) -> bool:
        return bool(self.target_classes or self.target_nodes or self.target_subjects_of or self.target_objects_of)


@dataclass
class Shapes:
    """Every shape of a shapes graph by id, and those with targets, in a stable order."""

    by_id: dict[str, Shape]
    targeted: list[Shape]


def stable_ids(shapes: Shapes) -> dict[str, str]:
    """Shape id -> an id that is the same in every process that compiles the same shapes graph: a named
    shape's IRI, and for a blank node shape (whose label the parser draws at random) a digest of what it
    says, its parts by their stable ids. Two blank shapes that say the same get one id (either does the same)."""
    stable: dict[str, str] = {}

    def of(shape_id: str) -> str:
        if shape_id.startswith("<"):
            return shape_id
        if shape_id not in stable:
            stable[shape_id] = shape_id  # a shape that refers to itself: by its own label, inside
            shape = shapes.by_id[shape_id]
            said = [
                repr(shape.path),
                shape.target_classes,
                shape.target_nodes,
                shape.target_subjects_of,
                shape.target_objects_of,
                [(c.component, _linked(c, of), c.flags, c.message) for c in shape.constraints],
                [of(p.id) for p in shape.properties],
                shape.severity,
                shape.messages,
                shape.deactivated,
            ]
            stable[shape_id] = "_:s" + hashlib.sha256(repr(said).encode()).hexdigest()[:32]
        return stable[shape_id]

    for shape_id in shapes.by_id:
        of(shape_id)
    return stable


def _linked(constraint: Constraint, of: Callable[[str], str]) -> object:
    """A constraint's parameter, the shapes it names by their stable ids."""
    if constraint.component.lower() in _SHAPE_LINKS:
        return of(constraint.value)
    if constraint.component.lower() in _SHAPE_LISTS:
        return tuple(of(v) for v in constraint.value)
    if isinstance(constraint.value, frozenset):  # in an order of its own in each process
        return tuple(sorted(constraint.value))
    return constraint.value


def _items(graph: Graph, head: Node) -> list[Node]:
    return list(Collection(graph, head))


class _Compiler:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.shapes: dict[str, Shape] = {}
        self.unsupported: list[str] = []

    def shape(self, node: Node) -> Shape:
        key = term(node)
        if key in self.shapes:
            return self.shapes[key]
        shape = Shape(key)
        self.shapes[key] = shape  # before its parts: shapes may refer to themselves
        g = self.graph
        for predicate, _value in g.predicate_objects(node):
            if not isinstance(predicate, URIRef) or not str(predicate).startswith(str(SH)):
                continue
            name = str(predicate)[len(str(SH)) :]
            if name not in SUPPORTED:
                self.unsupported.append(f"sh:{name}")
        path = g.value(node, SH.path)
        if path is not None:
            shape.path = self.path(path)
        self.targets(node, shape)
        shape.deactivated = g.value(node, SH.deactivated) == Literal(True)
        shape.severity = str(g.value(node, SH.severity) or SH.Violation)
        shape.messages = sorted(str(m) for m in g.objects(node, SH.message))
        shape.constraints = list(self.constraints(node, shape))
        shape.properties = [self.shape(p) for p in sorted(g.objects(node, SH.property), key=term)]
        return shape

    def path(self, node: Node) -> Path | None:
        if isinstance(node, URIRef):
            return Path(term(node))
        inverse = self.graph.value(node, SH.inversePath)
        plain = len(set(self.graph.predicates(node, None))) == 1
        if isinstance(node, BNode) and isinstance(inverse, URIRef) and plain:
            return Path(term(inverse), inverse=True)
        self.unsupported.append("complex sh:path (sequence, alternative or repetition)")
        return None

    def targets(self, node: Node, shape: Shape) -> None:
        g = self.graph
        shape.target_classes = sorted(term(c) for c in g.objects(node, SH.targetClass))
        if (node, RDF.type, RDFS.Class) in g and isinstance(node, URIRef):
            shape.target_classes.append(term(node))
        shape.target_nodes = sorted(term(n) for n in g.objects(node, SH.targetNode))
        shape.target_subjects_of = sorted(term(p) for p in g.objects(node, SH.targetSubjectsOf))
        shape.target_objects_of = sorted(term(p) for p in g.objects(node, SH.targetObjectsOf))

    def constraints(self, node: Node, shape: Shape) -> Iterator[Constraint]:
        g = self.graph
        for parameter, component in COMPONENTS.items():
            for value in sorted(g.objects(node, SH[parameter]), key=term):
                if parameter in _SHAPE_LINKS:
                    yield Constraint(component, self.shape(value).id)
                elif parameter in _SHAPE_LISTS:
                    yield Constraint(component, tuple(self.shape(v).id for v in _items(g, value)))
                elif parameter == "in":
                    yield Constraint(component, frozenset(term(v) for v in _items(g, value)))
                elif parameter == "pattern":
                    yield Constraint(component, str(value), flags=str(g.value(node, SH.flags) or ""))
                elif parameter == "sparql":
                    yield self.sparql(value, shape)
                elif parameter == "languageIn":
                    yield Constraint(component, tuple(str(v) for v in _items(g, value)))
                elif parameter in ("minCount", "maxCount", "minLength", "maxLength"):
                    yield Constraint(component, int(value))
                elif parameter == "uniqueLang":
                    if value == Literal(True):
                        yield Constraint(component, True)
                else:
                    yield Constraint(component, term(value))
        if g.value(node, SH.closed) == Literal(True):
            ignored = g.value(node, SH.ignoredProperties)
            allowed = {term(v) for v in _items(g, ignored)} if ignored is not None else set()
            for prop in g.objects(node, SH.property):
                path = g.value(prop, SH.path)
                if isinstance(path, URIRef):
                    allowed.add(term(path))
            yield Constraint("Closed", frozenset(allowed))

    def sparql(self, node: Node, shape: Shape) -> Constraint:
        g = self.graph
        select = g.value(node, SH.select)
        if select is None:
            self.unsupported.append("SPARQL constraints without sh:select")
            return Constraint("SPARQL", "")
        if g.value(node, SH.deactivated) == Literal(True):
            return Constraint("SPARQL", None)
        prefixes = set()
        for owner in g.objects(node, SH.prefixes):
            for source in {owner, *g.transitive_objects(owner, OWL.imports)}:
                for declaration in g.objects(source, SH.declare):
                    prefix, namespace = g.value(declaration, SH.prefix), g.value(declaration, SH.namespace)
                    prefixes.add(f"PREFIX {prefix}: <{namespace}>")
        text = "\n".join([*sorted(prefixes), str(select)])
        problem = sparql_problem(text)
        if problem or ("$currentShape" in text and not shape.id.startswith("<")):
            self.unsupported.append(problem or "SPARQL constraints using a blank-node $currentShape")
        message = g.value(node, SH.message)
        return Constraint("SPARQL", text.replace("$currentShape", shape.id), message=_text(message))


_FORBIDDEN = re.compile(r"\b(MINUS|VALUES|SERVICE)\b|\bAS\s+[?$]this\b|\$shapesGraph", re.IGNORECASE)


_SUBSELECT = re.compile(r"\{\s*SELECT\b(.*?)\bWHERE\b", re.IGNORECASE | re.DOTALL)


def sparql_problem(query: str) -> str | None:
    """Why SHACL-SPARQL does not allow (or the engine does not run) *query*, or None."""
    body = re.sub(r'"[^"\n]*"|<[^>\s]*>|#[^\n]*', "", query)
    match = _FORBIDDEN.search(body)
    if match is not None:
        return f"SPARQL constraints using {match.group(0).strip()} (not allowed with pre-bound $this)"
    if any(not re.search(r"[?$]this\b", p) for p in _SUBSELECT.findall(body)):
        return "SPARQL constraints with a subquery that does not return $this"
    return None


def _text(value: Node | None) -> str | None:
    return None if value is None else str(value)


def compile_shapes(graph: Graph) -> Shapes:
    """Compile every shape of *graph*.

    Raises:
        UnsupportedShapes: the graph uses features outside :data:`SUPPORTED` (SPARQL-based constraint
            components, complex paths, ...).
    """
    compiler = _Compiler(graph)
    if any(graph.subjects(SH.parameter, None)) or any(graph.subjects(SH.validator, None)):
        compiler.unsupported.append("SPARQL-based constraint components")
    roots: set[Node] = set()
    for kind in (SH.NodeShape, SH.PropertyShape):
        roots.update(graph.subjects(RDF.type, kind))
    for target in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"):
        roots.update(graph.subjects(SH[target], None))
    roots.update(s for s in graph.subjects(RDF.type, RDFS.Class) if (s, RDF.type, SH.NodeShape) in graph)
    for root in sorted(roots, key=term):
        compiler.shape(root)
    if compiler.unsupported:
        raise UnsupportedShapes(compiler.unsupported)
    shapes = compiler.shapes
    return Shapes(shapes, [s for s in shapes.values() if s.has_targets])
