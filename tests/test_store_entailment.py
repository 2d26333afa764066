"""Entailments written in the load pipeline from the ontology's class and property tables, on the embedded
store and a real `oxigraph serve`: the same triples as the SPARQL update that joins with the ontology graph,
and replaced with the graph they come from."""

from __future__ import annotations

from pathlib import Path

from policeonto.store import Store
from policeonto.store.entailment import NAMESPACE, Entailment
from policeonto.store.reasoning import ONTOLOGY_GRAPH, entailment_of

POLE = "https://w3id.org/policeonto/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
A = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# a closed hierarchy, as owlrl leaves it: a crime is an event and an entity; owl:Thing is not entailed
ONTOLOGY = f"""<{POLE}Crime> <{RDFS}subClassOf> <{POLE}Event> .
<{POLE}Crime> <{RDFS}subClassOf> <{POLE}Entity> .
<{POLE}Crime> <{RDFS}subClassOf> <{POLE}Crime> .
<{POLE}Event> <{RDFS}subClassOf> <{POLE}Entity> .
<{POLE}Event> <{RDFS}subClassOf> <http://www.w3.org/2002/07/owl#Thing> .
<{POLE}suspect> <{RDFS}subPropertyOf> <{POLE}person> .
"""


def _data(path: Path, crimes: range) -> Path:
    lines = []
    for n in crimes:
        lines += [
            f"<https://example.org/crime/{n}> <{A}> <{POLE}Crime> .",
            f'<https://example.org/crime/{n}> <{POLE}label> "crime {n}" .',
            f"<https://example.org/link/{n}> <{POLE}suspect> <https://example.org/person/{n}> .",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _triples(store: Store, graph: str) -> set[tuple[str | None, ...]]:
    return set(store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").rows)


def _entailment_update(graph: str) -> str:
    """The SPARQL update the store ran before the tables: what the staged graph ``?staged`` entails, joined
    with the ontology graph where the update runs, written to ``<graph>/entailed`` (the reference here)."""
    entailed = f"{graph}/entailed"
    within = f'FILTER(isIRI(?super) && ?super != ?sub && STRSTARTS(STR(?super), "{NAMESPACE}"))'
    return f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
DROP SILENT GRAPH <{entailed}> ;
INSERT {{ GRAPH <{entailed}> {{ ?s a ?super }} }}
WHERE {{ GRAPH ?staged {{ ?s a ?sub }} GRAPH <{ONTOLOGY_GRAPH}> {{ ?sub rdfs:subClassOf ?super {within} }} }} ;
INSERT {{ GRAPH <{entailed}> {{ ?s ?super ?o }} }}
WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?sub rdfs:subPropertyOf ?super {within} }} GRAPH ?staged {{ ?s ?sub ?o }} }}"""


def test_entailments_from_tables_match_the_update_and_are_replaced(store: Store, tmp_path: Path) -> None:
    ontology = tmp_path / "ontology.nt"
    ontology.write_text(ONTOLOGY, encoding="utf-8")
    store.load(ontology, graph=ONTOLOGY_GRAPH, syntax="nt")
    entail = entailment_of(store)
    assert entail == Entailment(
        superclasses={f"{POLE}Crime": (f"{POLE}Entity", f"{POLE}Event"), f"{POLE}Event": (f"{POLE}Entity",)},
        superproperties={f"{POLE}suspect": (f"{POLE}person",)},
    )
    data = _data(tmp_path / "data.nt", range(3))
    by_tables, by_update = "https://example.org/graph/tables", "https://example.org/graph/update"
    assert store.load(data, graph=by_tables, syntax="nt", entail=entail) == 9
    assert store.load(data, graph=by_update, syntax="nt", update=_entailment_update(by_update)) == 9
    entailed = _triples(store, f"{by_tables}/entailed")
    assert entailed == _triples(store, f"{by_update}/entailed")
    assert len(entailed) == 3 * 3  # two superclasses of each crime, one super-property of each link
    assert ("<https://example.org/link/1>", f"<{POLE}person>", "<https://example.org/person/1>") in entailed

    # replaced: the entailments are those of the new triples only, published with them
    assert store.load(_data(tmp_path / "less.nt", range(5, 6)), graph=by_tables, syntax="nt", entail=entail) == 3
    assert {row[0] for row in _triples(store, f"{by_tables}/entailed")} == {
        "<https://example.org/crime/5>",
        "<https://example.org/link/5>",
    }
    assert not [g for g in store.graphs() if "staging" in g]
