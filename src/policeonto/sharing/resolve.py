"""The steward resolves a pseudonym back to the record or value it stands for, with the agreement's key,
and the act is recorded: who, when, under which agreement, which pseudonym (never what it resolved to).

Pseudonyms are keyed hashes, so resolving one is finding the term of the records, as the share selected and
shaped them, whose pseudonym it is: without the key no one can; with it, only the steward who holds it.

>>> from datetime import UTC, datetime
>>> record = resolution_record(agreement="https://example.org/isa/1", agent="https://example.org/steward",
...     pseudonym="0123456789abcdef0123456789abcdef", found=True, when=datetime(2026, 12, 5, tzinfo=UTC))
>>> "0123456789abcdef0123456789abcdef" in record.serialize(format="turtle")
True
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import polars as pl
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import PROV

from policeonto.sharing.agreement import Agreement
from policeonto.sharing.keys import AgreementKey
from policeonto.sharing.manifest import SHARE
from policeonto.sharing.select import select
from policeonto.sharing.transform import PSEUDONYMS, generalise, pseudonymised_nodes, pseudonymised_values

__all__ = ["resolution_record", "resolve"]


def resolve(
    records: pl.DataFrame, agreement: Agreement, key: AgreementKey, pseudonym: str, *, today: date
) -> str | None:
    """The N-Triples term (a record's IRI, an identifier's value) of *records* whose pseudonym under
    *agreement* is *pseudonym* (the 32 hexadecimal digits, or a pseudonym IRI or literal holding them), or
    None when no term of the records has it."""
    digits = pseudonym.strip().strip('<>"').removeprefix(PSEUDONYMS)
    selection = select(records, agreement, today=today)
    shaped = generalise(selection.triples, agreement, today=today).triples
    nodes, identifiers = pseudonymised_nodes(shaped, agreement, records=selection.records)
    values = shaped.filter(pseudonymised_values(shaped, nodes, identifiers)).get_column("o").unique()
    for term in [*nodes.filter(nodes.str.starts_with("<")).to_list(), *values.to_list()]:
        if key.pseudonym(term) == digits:
            return term
    return None


def resolution_record(*, agreement: str, agent: str, pseudonym: str, found: bool, when: datetime) -> Graph:
    """The record of one resolution, as PROV-O: who resolved which pseudonym of which agreement, when, and
    whether it was found (never what it resolved to)."""
    graph = Graph(bind_namespaces="none")
    graph.bind("prov", PROV)
    graph.bind("share", SHARE)
    act = URIRef(f"urn:uuid:{uuid.uuid4()}")
    graph.add((act, RDF.type, PROV.Activity))
    graph.add((act, RDF.type, SHARE.Resolution))
    graph.add((act, PROV.wasAssociatedWith, URIRef(agent)))
    graph.add((act, PROV.startedAtTime, Literal(when.isoformat(), datatype=XSD.dateTime)))
    graph.add((act, SHARE.agreement, URIRef(agreement)))
    graph.add((act, SHARE.pseudonym, Literal(pseudonym)))
    graph.add((act, SHARE.found, Literal(found)))
    return graph
