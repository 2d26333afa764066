"""Quality report on the ontology itself, in the style of OBO ROBOT ``report``: SPARQL over the OWL.

Checks: missing labels and definitions, duplicate labels, deprecated terms in use, incomplete ontology
metadata, terms used but never declared. Each yields :class:`~policeonto.findings.Finding` objects.
"""

from __future__ import annotations

from collections.abc import Iterator

from owlrl import DeductiveClosure, OWLRL_Semantics
from owlrl.Namespaces import ERRNS
from pyoxigraph import QuerySolutions, RdfFormat, Store
from rdflib import OWL, RDF, Graph

from policeonto.findings import Finding, make
from policeonto.vocab import POLE

__all__ = ["QUERIES", "reasoning_problems", "report"]

_PREFIXES = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

_TERM = f"""
  VALUES ?kind {{ owl:Class owl:ObjectProperty owl:DatatypeProperty owl:NamedIndividual rdfs:Datatype }}
  ?term a ?kind .
  FILTER (isIRI(?term) && STRSTARTS(STR(?term), "{POLE}"))
"""

#: code -> SPARQL SELECT returning the finding's fields (?focus_node, and ?value / ?path where apt).
QUERIES: dict[str, str] = {
    "missing-label": f"""SELECT DISTINCT (?term AS ?focus_node) WHERE {{ {_TERM}
        FILTER NOT EXISTS {{ ?term rdfs:label ?label }} }}""",
    "missing-definition": f"""SELECT DISTINCT (?term AS ?focus_node) WHERE {{ {_TERM}
        FILTER NOT EXISTS {{ ?term skos:definition ?definition }} }}""",
    # Same kind of term, same label: two classes, two properties, or two codes of one code list.
    "duplicate-label": f"""SELECT DISTINCT (?term AS ?focus_node) (STR(?label) AS ?value) (?other AS ?path)
        WHERE {{ {_TERM}
          ?term rdfs:label ?label . ?other rdfs:label ?otherLabel ; a ?otherKind .
          FILTER (?term != ?other && LCASE(STR(?label)) = LCASE(STR(?otherLabel)))
          FILTER (?kind = ?otherKind || (?kind IN (owl:ObjectProperty, owl:DatatypeProperty)
                                         && ?otherKind IN (owl:ObjectProperty, owl:DatatypeProperty)))
          FILTER (?kind != owl:NamedIndividual || EXISTS {{ ?term a ?list . ?other a ?list .
                                                       ?list a owl:Class }})
        }}""",
    # A deprecated code stays a member of its code list (owl:oneOf, owl:AllDifferent): old data keeps it.
    "deprecated-term-in-use": """SELECT DISTINCT (?term AS ?focus_node) (?user AS ?path) WHERE {
          ?term owl:deprecated true . ?user ?p ?term .
          FILTER (?user != ?term && ?p NOT IN (rdfs:seeAlso, owl:annotatedTarget))
          FILTER (?p != rdf:first || NOT EXISTS { ?term a owl:NamedIndividual }) }""",
    "missing-ontology-metadata": """SELECT (?ontology AS ?focus_node) (?property AS ?path) WHERE {
          VALUES ?property { owl:versionIRI owl:versionInfo dcterms:license dcterms:title
                             dcterms:description }
          ?ontology a owl:Ontology .
          FILTER NOT EXISTS { ?ontology ?property ?any } }""",
    "undeclared-term": f"""SELECT DISTINCT (?term AS ?focus_node) WHERE {{
          {{ ?s ?term ?o }} UNION {{ ?s ?p ?term }}
          FILTER (isIRI(?term) && STRSTARTS(STR(?term), "{POLE}")
                  && !CONTAINS(SUBSTR(STR(?term), {len(str(POLE)) + 1}), "/"))
          FILTER NOT EXISTS {{ ?term a ?kind .
            FILTER (?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty, owl:NamedIndividual,
                              owl:AnnotationProperty, owl:Ontology, rdfs:Datatype)) }} }}""",
}


def report(ontology: Graph) -> Iterator[Finding]:
    """Run every quality check over *ontology* and yield the findings, check by check.

    >>> from rdflib import Graph
    >>> bare = Graph().parse(data="<https://w3id.org/policeonto/X> a <http://www.w3.org/2002/07/owl#Class> .")
    >>> sorted({f.code for f in report(bare)})
    ['missing-definition', 'missing-label']
    """
    store = Store()  # rdflib's SPARQL engine takes minutes on these queries; Oxigraph milliseconds
    store.load(ontology.serialize(format="nt", encoding="utf-8"), format=RdfFormat.N_TRIPLES)
    for code, query in QUERIES.items():
        solutions = store.query(_PREFIXES + query)
        assert isinstance(solutions, QuerySolutions)
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            where = {name: solution[name].value for name in names if solution[name] is not None}
            yield make(code, **where)


def reasoning_problems(*graphs: Graph) -> list[str]:
    """Compute the OWL RL closure of *graphs* together (owlrl) and return every inconsistency: owlrl's
    error messages (disjointness clashes, datatype clashes, ...) and every node inferred into owl:Nothing.
    An empty list means the ontology (and any data given with it) is consistent under OWL RL.
    """
    merged = Graph()
    for graph in graphs:
        merged += graph
    DeductiveClosure(OWLRL_Semantics).expand(merged)
    problems = [str(message) for message in merged.objects(None, ERRNS.error)]
    problems += [
        f"{node} is inferred to be owl:Nothing"
        for node in merged.subjects(RDF.type, OWL.Nothing)
        if node != OWL.Nothing
    ]
    return sorted(problems)
