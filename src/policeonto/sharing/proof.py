"""The proof that nothing more leaves: an agreement compiled to a closed SHACL profile of the recipient's
copy, and every copy checked against it before it is written.

The profile has one closed node shape per permitted class (only the permitted properties and ``rdf:type``,
as its ignored properties; a property shape only where values are constrained), the generalised forms as
datatypes, patterns and classes, the pseudonymised classes' records named by pseudonyms only, and security
markings and handling codes within what the agreement allows. Beside the shapes, three checks that SHACL's
targets cannot make: every subject has a permitted class, every class named is permitted, every predicate
is permitted.

>>> from policeonto.sharing.agreement import Agreement
>>> P = "https://w3id.org/policeonto/"
>>> agreement = Agreement(iri="https://example.org/isa/1", title="t", assigner="https://example.org/a",
...     assignee="https://example.org/b", purpose="https://w3id.org/dpv#Safeguarding",
...     legal_basis="https://w3id.org/dpv#PublicTask", classes=frozenset({P + "Person"}),
...     properties=frozenset({P + "gender"}))
>>> copy = pl.DataFrame({"s": ["<https://example.org/p/1>"] * 2, "p": [RDF_TYPE, f"<{P}label>"],
...     "o": [f"<{P}Person>", '"Ann"']})
>>> try:
...     check_copy(copy, agreement)
... except ShareRefusedError as refused:
...     print(refused.predicate, refused.rule)
https://w3id.org/policeonto/label permitted-predicate
"""

from __future__ import annotations

import hashlib
from functools import cache

import polars as pl
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, XSD

from policeonto.errors import ShareRefusedError
from policeonto.fastshacl import Shapes, TripleTable, compile_shapes, evaluate
from policeonto.sharing.aggregates import AGGREGATES, COUNTS, OBS_VALUE, QB, RDFS_LABEL, dimension_values, dimensions
from policeonto.sharing.agreement import Agreement, GeneralisedForm
from policeonto.sharing.kanon import K_ANONYMITY, small_classes
from policeonto.sharing.model import (
    CLASSIFICATION,
    CLASSIFICATIONS,
    HANDLING_CODE,
    HANDLING_CODES,
    LSOA,
    NATIONAL_CAVEAT,
    NATIONAL_CAVEATS,
    SENSITIVE,
    vocabulary_facts,
)
from policeonto.sharing.select import LEVELS
from policeonto.sharing.transform import PSEUDONYMS
from policeonto.terms import RDF_TYPE, iri

__all__ = ["PROFILE", "aggregates_profile", "check_aggregates", "check_copy", "profile_graph"]

#: Where the profile's shapes are named: this, the agreement's IRI's digest, "/", the class or property.
PROFILE = "https://w3id.org/policeonto/share-profile/"
_FORMS = {
    GeneralisedForm.YEAR: (SH.datatype, XSD.gYear),
    GeneralisedForm.AGE_BAND: (SH.pattern, Literal("^[0-9]{1,3}-[0-9]{1,3}$")),
    GeneralisedForm.POSTCODE_SECTOR: (SH.pattern, Literal("^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9]$")),
    GeneralisedForm.LSOA: (SH["class"], URIRef(LSOA[1:-1])),
}


def _uri(term: str) -> URIRef:
    return URIRef(term[1:-1])


def _list(graph: Graph, items: list[URIRef | Literal]) -> BNode:
    head = BNode()
    Collection(graph, head, list(items))
    return head


def profile_graph(agreement: Agreement) -> Graph:
    """The closed SHACL profile of a copy made under *agreement*."""
    graph = Graph(bind_namespaces="none")
    graph.bind("sh", SH)
    base = f"{PROFILE}{_digest(agreement.iri)}/"
    properties = sorted(agreement.properties - agreement.prohibited)
    forms = {g.property: g.form for g in agreement.generalised}
    restricted = _restrictions(agreement)
    constrained = sorted(p for p in properties if p in forms or iri(p) in restricted)
    for cls in sorted(agreement.classes):
        shape = URIRef(base + cls.rsplit("/", 1)[-1].rsplit("#", 1)[-1])
        graph.add((shape, RDF.type, SH.NodeShape))
        graph.add((shape, SH.targetClass, URIRef(cls)))
        graph.add((shape, SH.closed, Literal(True)))  # closed over the permitted properties (and rdf:type)
        graph.add((shape, SH.ignoredProperties, _list(graph, [RDF.type, *(URIRef(p) for p in properties)])))
        if cls in agreement.pseudonymised.classes:
            graph.add((shape, SH.nodeKind, SH.IRI))
            graph.add((shape, SH.pattern, Literal(f"^{PSEUDONYMS}[0-9a-f]{{32}}$")))
        for prop in constrained:
            member = BNode()
            graph.add((shape, SH.property, member))
            graph.add((member, SH.path, URIRef(prop)))
            if prop in forms:
                constraint, value = _FORMS[forms[prop]]
                graph.add((member, constraint, value))
            if iri(prop) in restricted:
                allowed = restricted[iri(prop)]
                if allowed:
                    graph.add((member, SH["in"], _list(graph, [_uri(a) for a in allowed])))
                else:
                    graph.add((member, SH.maxCount, Literal(0)))
    return graph


def _restrictions(agreement: Agreement) -> dict[str, list[str]]:
    """The properties whose values the agreement limits (markings, handling codes), with the values allowed."""
    top = LEVELS.index(agreement.ceiling) + 1 if agreement.ceiling in LEVELS else 0
    out = {
        CLASSIFICATION: [f"{CLASSIFICATIONS}{level}>" for level in LEVELS[:top]],
        NATIONAL_CAVEAT: [f"{NATIONAL_CAVEATS}{c}>" for c in sorted(agreement.caveats_allowed)],
        HANDLING_CODE: [f"{HANDLING_CODES}{c}>" for c in sorted(agreement.handling_codes)],
    }
    if not agreement.sensitive_allowed:
        out[SENSITIVE] = []
    return out


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@cache
def _compiled(agreement: Agreement) -> Shapes:
    return compile_shapes(profile_graph(agreement))


def check_copy(copy: pl.DataFrame, agreement: Agreement) -> None:
    """Check the copy (``s``, ``p``, ``o`` terms) against the agreement's closed profile and the checks
    beside it, with the fast engine.

    Raises:
        ShareRefusedError: the first problem found, naming the predicate and the rule, never a value.
    """
    classes = {iri(c) for c in agreement.classes}
    predicates = {iri(p) for p in agreement.properties - agreement.prohibited} | {RDF_TYPE}
    for predicate in sorted(set(copy.get_column("p").unique().to_list()) - predicates):
        _refuse(predicate, "permitted-predicate", "is not permitted by the agreement")
    named = copy.filter(pl.col("p") == RDF_TYPE).get_column("o").unique().to_list()
    for cls in sorted(set(named) - classes):
        _refuse(RDF_TYPE, "permitted-class", f"names the class {cls}, which the agreement does not permit")
    typed = copy.filter((pl.col("p") == RDF_TYPE) & pl.col("o").is_in(list(classes))).get_column("s")
    untyped = copy.filter(~pl.col("s").is_in(typed))
    if untyped.height:
        _refuse(untyped.get_column("p")[0], "typed-subject", "is said of a node of no permitted class")
    found = _profile_findings(copy, _compiled(agreement))
    if found.height:
        first = found.sort("path", "component").row(0, named=True)
        component = f"sh:{first['component']}ConstraintComponent"
        _refuse(first["path"] or RDF_TYPE, component, "breaks the agreement's closed profile")
    if agreement.k is not None:
        small = small_classes(
            copy.cast(_TEXT), agreement.quasi_identifiers, agreement.k, records=vocabulary_facts().records
        )
        if small.height:
            _refuse(
                iri(agreement.quasi_identifiers[0]),
                K_ANONYMITY,
                f"leaves a record in a class of fewer than {agreement.k}",
            )


_TEXT = dict.fromkeys("spo", pl.String)
_PART = 200_000  # triples of the copy read as text at a time, to be checked


def _profile_findings(copy: pl.DataFrame, shapes: Shapes) -> pl.DataFrame:
    """What the closed profile finds in *copy* (text or dictionary-encoded), as its ``path`` and
    ``component``, checked a part at a time so its text is never all held: each part holds every triple of
    its subjects (parts are made on a hash of the subject) and the types of their objects (for ``sh:class``).
    The profile's shapes judge a node on its own triples and its values' types alone, so the parts find
    together what the whole copy would."""
    parts = -(-copy.height // _PART)
    if parts <= 1:
        return evaluate(shapes, TripleTable.from_frame(copy.cast(_TEXT))).select("path", "component")
    types = copy.filter(pl.col("p") == RDF_TYPE)
    found = []
    keyed = copy.with_columns(part=pl.col("s").hash() % parts)
    for part in keyed.partition_by("part", include_key=False):
        objects = types.join(part.select(s=pl.col("o")).unique(), on="s", how="semi")
        frame = pl.concat([part, objects]).cast(_TEXT)
        found.append(evaluate(shapes, TripleTable.from_frame(frame)).select("path", "component"))
    return pl.concat(found)


#: What an aggregates copy may say: the Data Cube's terms, the count, a data set's label and unit class.
_CUBE_PREDICATES = frozenset(
    {RDF_TYPE, RDFS_LABEL, COUNTS, OBS_VALUE}
    | {f"<{QB}{n}>" for n in ("structure", "component", "dimension", "measure", "dataSet")}
)
_CUBE_CLASSES = frozenset(
    f"<{QB}{n}>" for n in ("DataSet", "DataStructureDefinition", "ComponentSpecification", "Observation")
)


def aggregates_profile(agreement: Agreement) -> Graph:
    """The closed SHACL profile of a copy of counts under *agreement*: an observation has one data set, one
    count, a whole number of at least k, and values only of the permitted dimensions, each a code's IRI or a
    literal; a data set has a label, a structure and the class it counts, and nothing else."""
    graph = Graph(bind_namespaces="none")
    graph.bind("sh", SH)
    base = f"{PROFILE}{_digest(agreement.iri)}/aggregates/"
    dims = [_uri(d) for d in dimensions(agreement, vocabulary_facts())]
    cube = {
        "Observation": [_uri(f"<{QB}dataSet>"), _uri(OBS_VALUE), *dims],
        "DataSet": [_uri(RDFS_LABEL), _uri(COUNTS), _uri(f"<{QB}structure>")],
    }
    for name, allowed in cube.items():
        shape = URIRef(base + name)
        graph.add((shape, RDF.type, SH.NodeShape))
        graph.add((shape, SH.targetClass, URIRef(f"{QB}{name}")))
        graph.add((shape, SH.closed, Literal(True)))
        graph.add((shape, SH.ignoredProperties, _list(graph, [RDF.type, *allowed])))
        graph.add((shape, SH.nodeKind, SH.IRI))
    count = BNode()
    graph.add((URIRef(base + "Observation"), SH.property, count))
    graph.add((count, SH.path, _uri(OBS_VALUE)))
    graph.add((count, SH.datatype, XSD.integer))
    graph.add((count, SH.minInclusive, Literal(agreement.k or 1)))
    graph.add((count, SH.minCount, Literal(1)))
    graph.add((count, SH.maxCount, Literal(1)))
    for dim in dims:
        member = BNode()
        graph.add((URIRef(base + "Observation"), SH.property, member))
        graph.add((member, SH.path, dim))
        graph.add((member, SH.maxCount, Literal(1)))
    return graph


@cache
def _compiled_aggregates(agreement: Agreement) -> Shapes:
    return compile_shapes(aggregates_profile(agreement))


def check_aggregates(copy: pl.DataFrame, agreement: Agreement, *, described: pl.Series) -> None:
    """Check an aggregates copy: only Data Cube data sets, structures and observations under the copy's own
    names, only the permitted properties as dimensions, no node of the inputs (*described*) named but an
    LSOA, no literal but a count of at least k, a label, or a dimension's coarse value.

    Raises:
        ShareRefusedError: the first problem found, naming the predicate and the rule, never a value.
    """
    facts = vocabulary_facts()
    allowed = _CUBE_PREDICATES | set(dimensions(agreement, facts))
    for predicate in sorted(set(copy.get_column("p").unique().to_list()) - allowed):
        _refuse(predicate, "permitted-predicate", "is not permitted in a copy of aggregates")
    named = copy.filter(pl.col("p") == RDF_TYPE).get_column("o").unique().to_list()
    for cls in sorted(set(named) - _CUBE_CLASSES):
        _refuse(RDF_TYPE, "aggregates-only", f"names the class {cls}, which is no Data Cube class")
    if not copy.get_column("s").str.starts_with(f"<{AGGREGATES}").all():
        _refuse(copy.get_column("p")[0], "aggregates-only", "is said of a node that is no data set or observation")
    naming = copy.filter(pl.col("o").is_in(described) | pl.col("s").is_in(described))
    if naming.height:  # only an LSOA's IRI (a published code) may be a value: the rest name records
        _refuse(naming.get_column("p")[0], "aggregates-only", "names a node of the inputs")
    counts = copy.filter(pl.col("p") == OBS_VALUE).get_column("o").str.extract(r'^"([0-9]+)"', 1).cast(pl.Int64)
    if counts.is_null().any() or (counts < (agreement.k or 1)).any():
        _refuse(OBS_VALUE, K_ANONYMITY, f"holds a count that is no whole number of at least {agreement.k or 1}")
    dims = copy.filter(~pl.col("p").is_in(list(_CUBE_PREDICATES)))
    literal = dims.filter(~dimension_values(coarse_plain=True))
    if literal.height:
        _refuse(literal.get_column("p")[0], "aggregates-only", "holds a value that is no code or coarse form")
    found = evaluate(_compiled_aggregates(agreement), TripleTable.from_frame(copy))
    if found.height:
        first = found.sort("path", "component").row(0, named=True)
        component = f"sh:{first['component']}ConstraintComponent"
        _refuse(first["path"] or RDF_TYPE, component, "breaks the closed profile of a copy of counts")


def _refuse(predicate: str, rule: str, why: str) -> None:
    predicate = predicate.removeprefix("<").removesuffix(">")
    raise ShareRefusedError(
        f"the copy is not written: a triple's predicate {predicate} {why} (rule: {rule})",
        predicate=predicate,
        rule=rule,
    )
