"""Check an agreement graph against the SHACL shapes of the project's ODRL profile, with pySHACL.

Each shape is one rule; each breach is an ``agreement-profile`` finding whose constraint is the shape's
IRI and whose value is the shape's message. A node without an IRI of its own (a permission, a constraint)
is named by the path to it from the agreement, so findings read the same on every run.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from policeonto.findings import Finding, make
from policeonto.quiet import RDFLIB_LITERALS, quieted
from policeonto.shacl import run_pyshacl
from policeonto.sharing.terms import ODRL
from policeonto.vocab import SH, artefact_path

__all__ = ["SHAPES_PATH", "check_profile", "profile_shapes"]

#: The profile's shapes, beside the model's.
SHAPES_PATH = Path("shapes/policeonto-odrl-shapes.ttl")


@cache
def _shapes_text() -> str:
    return artefact_path(SHAPES_PATH).read_text(encoding="utf-8")


def profile_shapes() -> Graph:
    """The profile's SHACL shapes (a fresh graph: pySHACL may add to the one it is given)."""
    return Graph().parse(data=_shapes_text(), format="turtle")


def _name(graph: Graph, node: Node, depth: int = 0) -> str:
    """*node* as a reader can find it: its IRI, or the path to it from a node that has one."""
    if not isinstance(node, BNode) or depth > 8:
        return str(node)
    for subject, predicate in sorted(graph.subject_predicates(node), key=str):
        short = graph.namespace_manager.normalizeUri(predicate) if isinstance(predicate, URIRef) else str(predicate)
        return f"{_name(graph, subject, depth + 1)} {short}"
    return "a node of the agreement"


def _rule(shapes: Graph, shape: Node) -> tuple[str, str | None]:
    """The named shape (the rule) that *shape* is or belongs to, and that rule's message."""
    for _ in range(8):
        if isinstance(shape, URIRef):
            message = shapes.value(shape, SH.message)
            return str(shape), None if message is None else str(message)
        parent = shapes.value(None, SH.property, shape) or shapes.value(None, SH.node, shape)
        if parent is None:
            break
        shape = parent
    return "a shape of the profile", None


def check_profile(graph: Graph, file: str) -> list[Finding]:
    """A finding for each breach of the profile's shapes in the agreement *graph* read from *file*."""
    shapes = profile_shapes()
    with quieted(RDFLIB_LITERALS):
        _, report, results = run_pyshacl(graph, shapes)
    findings = []
    for result in results:
        rule, rule_message = _rule(shapes, report.value(result, SH.sourceShape))
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        message = rule_message or str(report.value(result, SH.resultMessage) or "")
        shown = [value] if value is not None and not isinstance(value, BNode) else []
        if not shown and focus is not None:  # a constraint breaking its left operand's rule: show what it gives
            shown = sorted(graph.objects(focus, ODRL.rightOperand), key=str)
        if shown:
            message += f" (found {', '.join(v.n3(graph.namespace_manager) for v in shown)})"
        findings.append(
            make(
                "agreement-profile",
                file=file,
                focus_node=_name(graph, focus) if focus is not None else None,
                path=str(path) if isinstance(path, URIRef) else None,
                value=message,
                constraint=rule,
            )
        )
    return sorted(findings, key=lambda f: (f.constraint or "", f.focus_node or "", f.value or ""))
