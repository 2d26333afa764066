"""Publish the schema's enums as SKOS concept schemes.

Each enum is a ``skos:ConceptScheme``; each permissible value a ``skos:Concept`` whose IRI is its
``meaning``, with ``skos:prefLabel`` (title), ``skos:altLabel`` (aliases: legacy and variant labels),
``skos:notation`` (the code), ``skos:definition``, ``rdfs:seeAlso`` (the public source a definition cites)
and the mappings between codes (for example 16+1 to 18+1 ethnicity).
"""

from __future__ import annotations

import re

from linkml_runtime.linkml_model.meta import EnumDefinition
from linkml_runtime.utils.schemaview import SchemaView
from rdflib import DCTERMS, OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef

from policeonto.build.deprecation import mark_deprecated

__all__ = ["CODE_BASE", "codelists_graph", "scheme_iri"]

CODE_BASE = "https://w3id.org/policeonto/code/"

_MAPPINGS = {
    "exact_mappings": SKOS.exactMatch,
    "close_mappings": SKOS.closeMatch,
    "broad_mappings": SKOS.broadMatch,
    "narrow_mappings": SKOS.narrowMatch,
    "related_mappings": SKOS.relatedMatch,
}


def scheme_iri(view: SchemaView, enum: EnumDefinition) -> URIRef:
    """The concept scheme IRI of *enum*: the shared namespace of its codes when they are policeonto
    codes, otherwise ``code/<enum-name-in-kebab-case>``.

    >>> from policeonto.vocab import schema_view
    >>> view = schema_view()
    >>> str(scheme_iri(view, view.get_enum("CrimeType")))
    'https://w3id.org/policeonto/code/crime-type'
    >>> str(scheme_iri(view, view.get_enum("Legislation")))
    'https://w3id.org/policeonto/code/legislation'
    """
    namespaces = {view.expand_curie(pv.meaning).rsplit("/", 1)[0] for pv in (enum.permissible_values or {}).values()}
    if len(namespaces) == 1:
        (namespace,) = namespaces
        if namespace.startswith(CODE_BASE):
            return URIRef(namespace)
    return URIRef(CODE_BASE + re.sub(r"(?<!^)(?=[A-Z])", "-", enum.name).lower())


def codelists_graph(view: SchemaView, iri: str) -> Graph:
    """Return every enum of the schema as a SKOS concept scheme, in one graph."""
    g = Graph()
    for prefix, ns in view.namespaces().items():
        g.bind(prefix, ns)
    g.bind("skos", SKOS)
    schema = view.schema
    ont = URIRef(iri)
    for enum in sorted(view.all_enums().values(), key=lambda e: e.name):
        scheme = scheme_iri(view, enum)
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
        g.add((scheme, SKOS.prefLabel, Literal(enum.title, lang="en")))
        g.add((scheme, SKOS.definition, Literal(enum.description, lang="en")))
        g.add((scheme, DCTERMS.license, URIRef(schema.license)))
        g.add((scheme, OWL.versionInfo, Literal(schema.version)))
        g.add((scheme, RDFS.isDefinedBy, ont))
        g.add((scheme, RDFS.seeAlso, URIRef(view.get_uri(enum, expand=True))))
        if enum.deprecated:  # the scheme stays, saying which scheme replaces it
            g.add((scheme, OWL.deprecated, Literal(True)))
            g.add((scheme, SKOS.historyNote, Literal(str(enum.deprecated), lang="en")))
            successor = view.get_enum(str(enum.deprecated_element_has_exact_replacement))
            if successor is not None:
                g.add((scheme, DCTERMS.isReplacedBy, scheme_iri(view, successor)))
        for text, pv in (enum.permissible_values or {}).items():
            concept = URIRef(view.expand_curie(pv.meaning))
            g.add((concept, RDF.type, SKOS.Concept))
            g.add((concept, SKOS.inScheme, scheme))
            g.add((concept, SKOS.topConceptOf, scheme))
            g.add((scheme, SKOS.hasTopConcept, concept))
            g.add((concept, SKOS.notation, Literal(text)))
            g.add((concept, SKOS.prefLabel, Literal(pv.title, lang="en")))
            for alias in pv.aliases or []:
                g.add((concept, SKOS.altLabel, Literal(alias, lang="en")))
            g.add((concept, SKOS.definition, Literal(pv.description, lang="en")))
            for source in pv.see_also or []:
                g.add((concept, RDFS.seeAlso, URIRef(source)))
            for key, predicate in _MAPPINGS.items():
                for target in getattr(pv, key) or []:
                    g.add((concept, predicate, URIRef(view.expand_curie(target))))
            for annotation in (pv.annotations or {}).values():
                note = f"{annotation.tag}: {annotation.value}"
                g.add((concept, SKOS.scopeNote, Literal(note, lang="en")))
    mark_deprecated(g, view)  # a deprecated code stays in its scheme, saying what replaces it
    return g
