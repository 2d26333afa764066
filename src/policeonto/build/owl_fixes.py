"""Mend gen-owl's output: each fix names the LinkML issue it works around (linkml 1.12.1).

Every fix takes the raw graph and the schema view and changes the graph in place. They run in the order
of :data:`OWL_FIXES`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from linkml_runtime.utils.schemaview import SchemaView
from rdflib import DCTERMS, OWL, RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, URIRef

from policeonto.build.deprecation import mark_deprecated
from policeonto.build.graphs import new_list, prune_orphan_bnodes, remove_tree
from policeonto.errors import BuildError

__all__ = [
    "MAPPING_PREDICATES",
    "OWL_FIXES",
    "container_slots",
    "mend_owl",
    "ontology_header",
    "release_versions",
]

#: SKOS mapping properties that LinkML's *_mappings become; they belong in the alignment module.
MAPPING_PREDICATES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)


def container_slots(view: SchemaView) -> set[str]:
    """Names of the tree-root container class's slots, which exist only for YAML and JSON."""
    roots = [c for c in view.all_classes().values() if c.tree_root]
    return {slot for root in roots for slot in view.class_slots(root.name)}


def _uri(view: SchemaView, curie: str) -> URIRef:
    return URIRef(view.expand_curie(curie))


_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")


def _semver(version: str, what: str) -> tuple[int, int, int]:
    match = _SEMVER.match(version)
    if match is None:
        raise BuildError(f"the schema's {what} {version!r} is not a semantic version (MAJOR.MINOR.PATCH)")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def release_versions(view: SchemaView) -> tuple[str, str | None]:
    """The schema's version and the version of the release before it (its ``prior_version`` annotation),
    both semantic versions, the prior one lower.

    >>> from policeonto.vocab import schema_view
    >>> release_versions(schema_view())
    ('0.2.0', '0.1.0')

    Raises:
        BuildError: a version is not MAJOR.MINOR.PATCH, or the prior one is not lower.
    """
    schema = view.schema
    version = str(schema.version)
    annotation = schema.annotations.get("prior_version")
    prior = None if annotation is None else str(annotation.value)
    if prior is not None and _semver(prior, "prior_version") >= _semver(version, "version"):
        raise BuildError(f"the schema's prior_version {prior} is not lower than its version {version}")
    _semver(version, "version")
    return version, prior


def ontology_header(g: Graph, view: SchemaView, iri: str, *, title: str, description: str) -> URIRef:
    """Write the ontology header that gen-owl lacks (no versionIRI, versionInfo, license as IRI): the
    release's IRI ``<id>/<version>/<module>`` and, when the schema names the release before it, that
    release's IRI as owl:priorVersion.

    No upstream issue was found for the missing header metadata; gen-owl's ontology IRI suffix is
    linkml/linkml#246 and #569 (set to "" in the generator options).

    Raises:
        BuildError: the versions are not semantic versions in order (:func:`release_versions`).
    """
    schema = view.schema
    version, prior = release_versions(view)
    module = iri.rsplit("/", 1)[-1]
    ont = URIRef(iri)
    for old in list(g.subjects(RDF.type, OWL.Ontology)):
        g.remove((old, None, None))
    g.add((ont, RDF.type, OWL.Ontology))
    g.add((ont, OWL.versionIRI, URIRef(f"{schema.id}/{version}/{module}")))
    g.add((ont, OWL.versionInfo, Literal(version)))
    g.add((ont, DCTERMS.license, URIRef(schema.license)))
    g.add((ont, DCTERMS.title, Literal(title, lang="en")))
    g.add((ont, RDFS.label, Literal(title, lang="en")))
    g.add((ont, DCTERMS.description, Literal(description, lang="en")))
    if prior is not None:
        g.add((ont, OWL.priorVersion, URIRef(f"{schema.id}/{prior}/{module}")))
    return ont


def fix_module_schemes(g: Graph, view: SchemaView) -> None:
    """gen-owl puts each term skos:inScheme its LinkML module, whose IRI is not a concept scheme.

    Terms are defined by the ontology instead (rdfs:isDefinedBy). No upstream issue found.
    """
    ont = URIRef(view.schema.id)
    for term, _, _ in list(g.triples((None, SKOS.inScheme, None))):
        g.remove((term, SKOS.inScheme, None))
        g.add((term, RDFS.isDefinedBy, ont))


def fix_labels(g: Graph, view: SchemaView) -> None:
    """gen-owl labels terms with their code name ("crime_type") and puts the title in dcterms:title.

    A steward reads rdfs:label, so the title becomes the label; descriptions become skos:definition.
    No upstream issue found (the metadata profiles do not cover titles).
    """
    for term, _, title in list(g.triples((None, DCTERMS.title, None))):
        if (term, RDF.type, OWL.Ontology) in g:
            continue
        g.remove((term, DCTERMS.title, title))
        g.set((term, RDFS.label, Literal(str(title), lang="en")))
    for term, _, comment in list(g.triples((None, RDFS.comment, None))):
        g.remove((term, RDFS.comment, comment))
        g.add((term, SKOS.definition, Literal(str(comment), lang="en")))
    linkml = str(view.expand_curie("linkml:"))
    for triple in [t for t in g if str(t[1]).startswith(linkml)]:
        g.remove(triple)  # metamodel bookkeeping (linkml:permissible_values), not OWL
    for term, _, definition in list(g.triples((None, SKOS.definition, None))):
        if definition.language is None:
            g.remove((term, SKOS.definition, definition))
            g.add((term, SKOS.definition, Literal(str(definition), lang="en")))


def fix_type_metadata(g: Graph, view: SchemaView) -> None:
    """gen-owl declares each LinkML type as an rdfs:Datatype but drops its title and description, and
    writes code-list and slot annotations (such as a force's country, or a slot's check, mask or ``not_after``) as
    undeclared properties. Types get their label and definition; code-list annotations are published in the
    SKOS code lists instead, and a slot's check or mask in the shapes. No upstream issue found.
    """
    for t in view.all_types(imports=True).values():
        iri = URIRef(view.get_uri(t, native=True, expand=True))
        if (iri, RDF.type, RDFS.Datatype) in g:
            g.set((iri, RDFS.label, Literal(t.title or t.name, lang="en")))
            g.set((iri, SKOS.definition, Literal(t.description or t.name, lang="en")))
            g.add((iri, RDFS.isDefinedBy, URIRef(view.schema.id)))
    tags = {
        tag
        for enum in view.all_enums().values()
        for pv in (enum.permissible_values or {}).values()
        for tag in (pv.annotations or {})
    }
    tags |= {tag for slot in view.all_slots().values() for tag in (slot.annotations or {})}
    for tag in tags:
        g.remove((None, _uri(view, f"{view.schema.default_prefix}:{tag}"), None))


def fix_slot_annotations(g: Graph, view: SchemaView) -> None:
    """gen-owl writes a slot's annotations (``not_before``, which the build makes a SHACL constraint in
    :mod:`policeonto.build.time_order`) as undeclared properties of the slot. They are dropped: the
    constraint is published in the shapes, and the slot's definition says it. No upstream issue found.
    """
    tags = {tag for slot in view.all_slots().values() for tag in (slot.annotations or {})}
    for tag in tags:
        g.remove((None, _uri(view, f"{view.schema.default_prefix}:{tag}"), None))


def fix_xsd_redefinition(g: Graph, view: SchemaView) -> None:
    """A LinkML type with ``uri: xsd:gYearMonth`` and a pattern makes gen-owl assert
    ``xsd:gYearMonth owl:equivalentClass [xsd:string and pattern]``, redefining a built-in datatype.

    Axioms about XSD's own datatypes are dropped. No upstream issue found (owlgen.py, type handling).
    """
    for subject in {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(str(XSD))}:
        remove_tree(g, subject)


_ANCHORS = re.compile(r"^\^(?P<body>.*?)(?<!\\)\$$", re.DOTALL)


def fix_pattern_anchors(g: Graph, view: SchemaView) -> None:
    """LinkML patterns are anchored with ^ and $ (ECMAScript, as SHACL reads them), but gen-owl copies
    them into xsd:pattern facets, where XSD regexes are implicitly anchored and ^ and $ are literal
    characters. The anchors are stripped. linkml/linkml#1695.
    """
    for facet, _, pattern in list(g.triples((None, XSD.pattern, None))):
        match = _ANCHORS.match(str(pattern))
        if match:
            g.set((facet, XSD.pattern, Literal(match["body"])))


def fix_class_expressions(g: Graph, view: SchemaView) -> None:
    """gen-owl translates a class's ``exactly_one_of`` into ``owl:disjointUnionOf`` of slot restrictions
    (which says the class *is* their disjoint union), and ``none_of`` / ``any_of`` / ``all_of`` into
    complements, unions and intersections of ``allValuesFrom xsd:string`` restrictions that ignore the
    conditions and the slots' ranges. For ``none_of`` this makes an event with neither a month nor a start
    time inconsistent. These axioms are removed; the SHACL shapes enforce the expressions (sh:xone,
    sh:not, sh:or, sh:and). No upstream issue found; related: linkml/linkml#2400.
    """
    for cls, _, head in list(g.triples((None, OWL.disjointUnionOf, None))):
        g.remove((cls, OWL.disjointUnionOf, head))
    for cls in view.all_classes().values():
        if not (cls.any_of or cls.all_of or cls.none_of or cls.exactly_one_of):
            continue
        iri = URIRef(view.get_uri(cls, native=True, expand=True))
        for expression in list(g.objects(iri, RDFS.subClassOf)):
            if isinstance(expression, BNode) and any(
                (expression, p, None) in g for p in (OWL.complementOf, OWL.unionOf, OWL.intersectionOf)
            ):
                g.remove((iri, RDFS.subClassOf, expression))
    prune_orphan_bnodes(g)


def fix_rule_axioms(g: Graph, view: SchemaView) -> None:
    """gen-owl turns ``rules`` into general class inclusions that ignore the slots' ranges: an enum code
    becomes a string literal (``scheme some {"pnc-id"}``) and a decimal ``some xsd:string``, so the
    axioms never apply, or apply wrongly. They are removed: rules are closed-world checks, which the SHACL
    shapes enforce. No upstream issue found; related: linkml/linkml#3958 (enums), #2464 (rules).
    """
    for axiom in [s for s in g.subjects(RDFS.subClassOf, None) if isinstance(s, BNode)]:
        remove_tree(g, axiom)
    prune_orphan_bnodes(g)


def fix_type_designator(g: Graph, view: SchemaView) -> None:
    """The ``type`` slot (``designates_type``, ``slot_uri: rdf:type``) tells YAML and JSON readers the
    class of an entry; gen-owl declares it as an ordinary object property with restrictions. In RDF it is
    rdf:type itself, so the property and its restrictions go. No upstream issue found.
    """
    _remove_slots(g, view, {s.name for s in view.all_slots().values() if s.designates_type})


def fix_container(g: Graph, view: SchemaView) -> None:
    """The tree-root container (RecordSet) exists to read and write YAML and JSON; it is not part of the
    vocabulary, so its class and list slots are removed. Project choice, not a LinkML gap.
    """
    for root in [c for c in view.all_classes().values() if c.tree_root]:
        remove_tree(g, URIRef(view.get_uri(root, native=True, expand=True)))
    _remove_slots(g, view, container_slots(view))


def _remove_slots(g: Graph, view: SchemaView, names: set[str]) -> None:
    for name in names:
        prop = URIRef(view.get_uri(view.get_slot(name), native=True, expand=True))
        remove_tree(g, prop)
        for restriction in list(g.subjects(OWL.onProperty, prop)):
            for owner, pred in list(g.subject_predicates(restriction)):
                g.remove((owner, pred, restriction))
            remove_tree(g, restriction)
    prune_orphan_bnodes(g)


def fix_code_mappings(g: Graph, view: SchemaView) -> None:
    """Mappings between codes (16+1 to 18+1 ethnicity) are published in the SKOS code lists; the core
    OWL keeps only the codes as individuals of their code-list class. Project choice.
    """
    for enum in view.all_enums().values():
        for pv in (enum.permissible_values or {}).values():
            if pv.meaning:
                code = _uri(view, pv.meaning)
                for predicate in MAPPING_PREDICATES:
                    g.remove((code, predicate, None))


def fix_disjointness(g: Graph, view: SchemaView) -> None:
    """gen-owl ignores a class's ``disjoint_with`` (it honours only ``children_are_mutually_disjoint``),
    so nothing stops a node being both a person and a vehicle. Each declared pair becomes
    owl:disjointWith. No upstream issue found (owlgen.py has no disjoint_with handling in 1.12.1).
    """
    for cls in view.all_classes().values():
        for other in cls.disjoint_with or []:
            g.add(
                (
                    URIRef(view.get_uri(cls, native=True, expand=True)),
                    OWL.disjointWith,
                    URIRef(view.get_uri(view.get_class(other), native=True, expand=True)),
                )
            )


def fix_code_distinctness(g: Graph, view: SchemaView) -> None:
    """gen-owl makes codes individuals but does not say they are different, and OWL makes no unique-name
    assumption: a crime with two crime types would merely make the two codes the same individual. Each
    code list's codes are declared owl:AllDifferent, so such data is an inconsistency. No upstream issue
    found.
    """
    for enum in sorted(view.all_enums().values(), key=lambda e: e.name):
        codes = [_uri(view, pv.meaning) for pv in (enum.permissible_values or {}).values()]
        if len(codes) > 1:
            axiom = BNode()
            g.add((axiom, RDF.type, OWL.AllDifferent))
            g.add((axiom, OWL.distinctMembers, new_list(g, codes)))


def fix_deprecation(g: Graph, view: SchemaView) -> None:
    """gen-owl drops ``deprecated`` and ``deprecated_element_has_exact_replacement``: a deprecated term is
    marked owl:deprecated, with its reason (skos:historyNote) and what replaces it (dcterms:isReplacedBy),
    so it keeps its IRI and says what to use. No upstream issue found (owlgen.py, 1.12.1).
    """
    mark_deprecated(g, view)


OwlFix = Callable[[Graph, SchemaView], None]

#: The fixes, in the order they run.
OWL_FIXES: tuple[OwlFix, ...] = (
    fix_module_schemes,
    fix_labels,
    fix_type_metadata,
    fix_slot_annotations,
    fix_xsd_redefinition,
    fix_pattern_anchors,
    fix_class_expressions,
    fix_rule_axioms,
    fix_type_designator,
    fix_container,
    fix_code_mappings,
    fix_disjointness,
    fix_code_distinctness,
    fix_deprecation,
)


def split_alignments(g: Graph, view: SchemaView, alignment_iri: str) -> Graph:
    """Move every mapping to an external vocabulary out of *g* into an alignment module.

    exact mappings become skos:exactMatch plus rdfs:subClassOf / rdfs:subPropertyOf (a policeonto term is
    never wider than the term it exactly matches); the others stay SKOS mapping relations only, which
    carry no OWL semantics. The module imports nothing over the network: its owl:imports is metadata.
    """
    aligned = Graph()
    for prefix, ns in g.namespaces():
        aligned.bind(prefix, ns)
    for predicate in MAPPING_PREDICATES:
        for term, _, external in list(g.triples((None, predicate, None))):
            g.remove((term, predicate, external))
            aligned.add((term, predicate, external))
            if predicate == SKOS.exactMatch:
                if (term, RDF.type, OWL.Class) in g:
                    aligned.add((term, RDFS.subClassOf, external))
                elif any(g.triples((term, RDF.type, kind)) for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)):
                    aligned.add((term, RDFS.subPropertyOf, external))
    ont = URIRef(alignment_iri)
    aligned.add((ont, OWL.imports, URIRef(view.schema.id)))
    return aligned


def mend_owl(g: Graph, view: SchemaView) -> Graph:
    """Apply every OWL fix to *g* in order and return it."""
    for fix in OWL_FIXES:
        fix(g, view)
    return g
