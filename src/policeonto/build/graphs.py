"""Small helpers over rdflib graphs shared by the build steps."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from rdflib import BNode, Graph, Node, URIRef
from rdflib.collection import Collection

__all__ = ["canonical_bnodes", "canonical_turtle", "new_list", "prune_orphan_bnodes", "remove_tree"]


def remove_tree(g: Graph, node: Node) -> None:
    """Remove every triple about *node* and, recursively, about the blank nodes it owns."""
    for _, _, obj in list(g.triples((node, None, None))):
        g.remove((node, None, obj))
        if isinstance(obj, BNode) and not any(g.subjects(None, obj)):
            remove_tree(g, obj)


def prune_orphan_bnodes(g: Graph) -> None:
    """Remove blank nodes that nothing refers to any more (left behind by removed axioms).

    A blank node is an orphan when it is a subject but never an object, and it is not an axiom
    standing on its own (a general class inclusion, which is a blank subject of rdfs:subClassOf).
    """
    rdfs_sub = URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    changed = True
    while changed:
        changed = False
        for node in {s for s in g.subjects() if isinstance(s, BNode)}:
            if any(g.subjects(None, node)) or (node, rdfs_sub, None) in g:
                continue
            g.remove((node, None, None))
            changed = True


def new_list(g: Graph, items: Iterable[Node]) -> BNode:
    """Add an RDF list of *items* to *g* and return its head."""
    head = BNode()
    Collection(g, head, list(items))
    return head


def canonical_bnodes(g: Graph) -> Graph:
    """Return a copy of *g* whose blank nodes are named by a hash of what they contain.

    A blank node's name is the digest of its outgoing triples, with nested blank nodes replaced by their
    own digests (a Merkle hash; cycles are cut). Blank nodes with equal content are told apart by the
    triples that point to them. This is linear in the graph, where rdflib's general canonicalisation
    takes minutes on the shapes; it is enough for the tree-shaped blank nodes that OWL and SHACL use.
    """
    content: dict[BNode, str] = {}

    def digest(node: Node, path: frozenset[BNode]) -> str:
        if not isinstance(node, BNode):
            return node.n3()
        if node in content:
            return content[node]
        if node in path:
            return "_:cycle"
        parts = sorted(f"{p.n3()} {digest(o, path | {node})}" for p, o in g.predicate_objects(node))
        content[node] = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]
        return content[node]

    bnodes = {n for triple in g for n in triple if isinstance(n, BNode)}
    for node in bnodes:
        digest(node, frozenset())

    def referrers(node: BNode) -> str:
        return "|".join(sorted(f"{digest(s, frozenset())} {p.n3()}" for s, p in g.subject_predicates(node)))

    names: dict[BNode, BNode] = {}
    groups: dict[str, list[BNode]] = {}
    for node in bnodes:
        groups.setdefault(content[node], []).append(node)
    for key, members in groups.items():
        for index, node in enumerate(sorted(members, key=referrers)):
            names[node] = BNode(f"b{key}" if len(members) == 1 else f"b{key}x{index}")

    out = Graph(bind_namespaces="none")
    for prefix, ns in g.namespaces():
        out.bind(prefix, ns, override=True, replace=True)
    for s, p, o in g:
        out.add((names.get(s, s), p, names.get(o, o)))  # type: ignore[arg-type]
    return out


def canonical_turtle(g: Graph, *, header: str) -> str:
    """Serialise *g* deterministically: canonical blank-node names, sorted, with a comment header."""
    text = canonical_bnodes(g).serialize(format="longturtle")
    lines = [f"# {line}".rstrip() for line in header.strip().splitlines()]
    return "\n".join(lines) + "\n\n" + text.strip() + "\n"
