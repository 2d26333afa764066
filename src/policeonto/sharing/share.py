"""Share records under an agreement: the recipient's copy, proved against the agreement's closed profile
before it is written, and its manifest beside it.

A copy is made in stages, each a plain function of plain values: read the records
(:mod:`~policeonto.sharing.records`), select what may leave (:mod:`~policeonto.sharing.select`), generalise
and pseudonymise (:mod:`~policeonto.sharing.transform`), check (:mod:`~policeonto.sharing.proof`), then
write the copy and its manifest (:mod:`~policeonto.sharing.manifest`). A copy that fails the check is not
written, nor is its manifest.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

import polars as pl
from rdflib import Graph

from policeonto.errors import ShareRefusedError
from policeonto.mapping import MapOptions, MappingCatalogue, MappingChoice, MapResult
from policeonto.output import atomic_output, write_atomically
from policeonto.rdf_formats import RdfFormat
from policeonto.scale.executor import Executor
from policeonto.sharing.aggregates import aggregate, named_nodes
from policeonto.sharing.agreement import Agreement
from policeonto.sharing.kanon import suppress
from policeonto.sharing.keys import AgreementKey
from policeonto.sharing.manifest import ShareFacts, manifest_graph
from policeonto.sharing.model import vocabulary_facts
from policeonto.sharing.proof import check_aggregates, check_copy
from policeonto.sharing.records import TERMS, SharedRecords, distinct_triples, read_records_for_share
from policeonto.sharing.select import LEVELS, Selection, select
from policeonto.sharing.transform import Transformed, generalise, pseudonymise
from policeonto.vocab import ARTEFACTS, artefact_path, schema_view

__all__ = [
    "Copy",
    "ShareResult",
    "make_copy",
    "manifest_path",
    "serialise_copy",
    "share",
    "share_records",
    "write_copy",
]

_ODRL_DATE = "http://www.w3.org/ns/odrl/2/dateTime"
_SLICE = 200_000  # triples written at a time: the text of one slice is held, never the whole copy's
_TEXT = dict.fromkeys("spo", pl.String)


@dataclass(frozen=True)
class Copy:
    """A recipient's copy, checked: its triples (``s``, ``p``, ``o`` in the order they are written, held
    dictionary-encoded but for a copy of counts), and what was shared, withheld, dropped and generalised."""

    encoded: pl.DataFrame
    records_shared: int
    pseudonymised: int
    withheld: Counter[str]
    parts_withheld: Counter[str]
    dropped: Counter[str]
    generalised: Counter[str]
    not_generalised: Counter[str]
    left_out: Counter[tuple[str, str]]  # (predicate, reason) -> triples not in the copy
    pseudonymised_by_property: Counter[str]
    suppressed_cells: Counter[str] = field(default_factory=Counter)  # aggregates only: cells under k, by data set

    @property
    def triples(self) -> pl.DataFrame:
        """The copy's triples as text (the whole copy's text at once: for small copies and tests)."""
        return self.encoded.cast(_TEXT)


@dataclass(frozen=True)
class ShareResult:
    """A share done: the copy and manifest written, the facts the manifest states, and the summary of
    mapping the exports among the inputs."""

    copy: Path
    manifest: Path
    facts: ShareFacts
    map_result: MapResult


def make_copy(records: pl.DataFrame, agreement: Agreement, *, key: AgreementKey | None, today: date) -> Copy:
    """The copy of *records* (``s``, ``p``, ``o`` N-Triples terms) that *agreement* lets leave on *today*:
    the records it permits, with those of equivalence classes under its k suppressed (:mod:`.kanon`), or,
    when it lets only aggregates leave, their counts (:mod:`.aggregates`).

    Raises:
        ShareRefusedError: the agreement has ended, or the copy breaks its closed profile.
        ShareKeyError: the agreement pseudonymises and *key* is None.
    """
    if agreement.valid_until is not None and today > agreement.valid_until:
        raise ShareRefusedError(
            f"the copy is not written: the agreement {agreement.iri} ended on {agreement.valid_until.isoformat()}",
            predicate=_ODRL_DATE,
            rule="valid-until",
        )
    if agreement.ceiling not in LEVELS:  # no ceiling known: nothing can be judged against it
        raise ShareRefusedError(
            f"the copy is not written: the agreement's ceiling {agreement.ceiling!r} is none of {', '.join(LEVELS)}",
            predicate="",
            rule="ceiling",
        )
    selection = select(records, agreement, today=today)
    shaped = generalise(selection.triples, agreement, today=today)
    if agreement.aggregates_only:
        return _aggregate_copy(records, selection, shaped, agreement)
    kept, withheld, parts_withheld, dropped = (
        shaped.triples,
        selection.withheld,
        selection.parts_withheld,
        selection.dropped,
    )
    leaving, left_out = selection.records, selection.dropped_by_property
    if agreement.k is not None:  # suppressed to reach k: counted, never silent (judged on the terms' text)
        done = suppress(kept.cast(_TEXT), agreement.k, agreement.quasi_identifiers, vocabulary_facts(), kept=leaving)
        kept, leaving, left_out = done.triples, done.records, left_out + done.left_out
        withheld, parts_withheld = withheld + done.withheld, parts_withheld + done.parts_withheld
        dropped = dropped + Counter({"object-withheld": done.dropped} if done.dropped else {})
    triples, pseudonymised, renamed = pseudonymise(kept, agreement, key, records=leaving)
    # each triple once, in order: sorted on the encoded terms (in the terms' order), left encoded: the copy's
    # text is read a slice at a time, to be checked and to be written
    triples = distinct_triples(triples.cast(TERMS)).sort("s", "p", "o")
    check_copy(triples, agreement)
    return Copy(
        encoded=triples,
        records_shared=leaving.len(),
        pseudonymised=pseudonymised,
        withheld=withheld,
        parts_withheld=parts_withheld,
        dropped=dropped,
        generalised=shaped.generalised,
        not_generalised=shaped.not_generalised,
        left_out=left_out,
        pseudonymised_by_property=renamed,
    )


def _aggregate_copy(records: pl.DataFrame, selection: Selection, shaped: Transformed, agreement: Agreement) -> Copy:
    """The copy of an agreement that lets only aggregates leave: counts of the records selected, checked."""
    described = named_nodes(records)
    counts = aggregate(
        shaped.triples.cast(_TEXT), agreement, vocabulary_facts(), records=selection.records, described=described
    )
    check_aggregates(counts.triples, agreement, described=described)
    return Copy(
        encoded=counts.triples,
        records_shared=0,  # no record leaves: counts of them do
        pseudonymised=0,
        withheld=selection.withheld,
        parts_withheld=selection.parts_withheld,
        dropped=selection.dropped,
        generalised=shaped.generalised,
        not_generalised=shaped.not_generalised,
        left_out=selection.dropped_by_property,
        pseudonymised_by_property=Counter(),
        suppressed_cells=counts.suppressed,
    )


def _lines(triples: pl.DataFrame) -> bytes:
    """*triples* as N-Triples lines, in their order, each as it is (as ``policeonto map`` writes them)."""
    lines = triples.select(line=pl.concat_str([pl.col("s"), pl.col("p"), pl.col("o")], separator=" ") + " .")
    sink = io.BytesIO()
    lines.write_csv(sink, include_header=False, quote_style="never")
    return sink.getvalue()


def write_copy(triples: pl.DataFrame, fmt: RdfFormat, sink: BinaryIO) -> str:
    """Write the copy to *sink* in *fmt* and return the SHA-256 of what was written: one triple a line in
    the copy's order for N-Triples and Turtle (N-Triples is Turtle), a slice of lines at a time; JSON-LD
    with the vocabulary's context through rdflib (which holds the whole graph).

    >>> sink = io.BytesIO()
    >>> digest = write_copy(pl.DataFrame({"s": ["<a:s>"], "p": ["<a:p>"], "o": ['"x"']}), RdfFormat.NTRIPLES, sink)
    >>> sink.getvalue(), digest == hashlib.sha256(sink.getvalue()).hexdigest()
    (b'<a:s> <a:p> "x" .\\n', True)
    """
    digest = hashlib.sha256()
    if fmt is RdfFormat.JSONLD:
        graph = Graph().parse(data=_lines(triples).decode("utf-8"), format="nt")
        context = json.loads(artefact_path(ARTEFACTS["context"]).read_text(encoding="utf-8"))["@context"]
        data = graph.serialize(format="json-ld", context=context, indent=1).encode("utf-8")
        digest.update(data)
        sink.write(data)
        return digest.hexdigest()
    for start in range(0, triples.height, _SLICE):
        data = _lines(triples.slice(start, _SLICE))
        digest.update(data)
        sink.write(data)
    return digest.hexdigest()


def serialise_copy(triples: pl.DataFrame, fmt: RdfFormat) -> bytes:
    """The copy's bytes in *fmt*, as :func:`write_copy` writes them."""
    sink = io.BytesIO()
    write_copy(triples, fmt, sink)
    return sink.getvalue()


def manifest_path(output: Path) -> Path:
    """Where the manifest of the copy *output* is written: beside it, ``OUT.manifest.ttl``."""
    return output.with_name(output.name + ".manifest.ttl")


def share(
    inputs: list[Path],
    agreement: Agreement,
    output: Path,
    *,
    key: bytes | None = None,
    fmt: RdfFormat | None = None,
    agent: str | None = None,
    mapping: MappingChoice = None,
    catalogue: MappingCatalogue | None = None,
    options: MapOptions | None = None,
    today: date | None = None,
    executor: Executor = Executor(),
) -> ShareResult:
    """Share *inputs* (exports, RDF, records in YAML) under *agreement*: write the recipient's copy to
    *output* and its manifest beside it (:func:`manifest_path`). The exports are mapped where *executor*
    says (here, or as tasks of a Dask cluster: the same copy); the copy is made here, from every record.

    Args:
        key: the steward's key (:func:`~policeonto.sharing.keys.read_key`); needed when the agreement
            pseudonymises. The agreement's own key is derived from it.
        fmt: the copy's syntax (default: from *output*'s extension).
        agent: who shares, an IRI (default: the agreement's assigner).
        today: the date of sharing (default: today, UTC), for review dates, age bands and the agreement's end.

    Raises:
        ShareRefusedError: the copy breaks the agreement's closed profile, or the agreement has ended:
            nothing is written.
        ShareKeyError: the agreement pseudonymises and no key is given.
        MappingInputError, MappingSpecError, InstanceDataError: an input cannot be read or mapped.
    """
    started = datetime.now(UTC).replace(microsecond=0)
    fmt = fmt or RdfFormat.from_extension(output)  # a wrong extension is said before the work
    records = read_records_for_share(inputs, mapping=mapping, catalogue=catalogue, options=options, executor=executor)
    return share_records(records, agreement, output, key=key, fmt=fmt, agent=agent, today=today, started=started)


def share_records(
    records: SharedRecords,
    agreement: Agreement,
    output: Path,
    *,
    key: bytes | None = None,
    fmt: RdfFormat | None = None,
    agent: str | None = None,
    today: date | None = None,
    started: datetime | None = None,
) -> ShareResult:
    """Share *records* already read (from files, :func:`~policeonto.sharing.records.read_records_for_share`,
    or a store, :func:`~policeonto.sharing.records.read_store_for_share`) as :func:`share` does."""
    started = started or datetime.now(UTC).replace(microsecond=0)
    fmt = fmt or RdfFormat.from_extension(output)
    derived = None if key is None else AgreementKey.derive(key, agreement.iri)
    copy = make_copy(records.triples, agreement, key=derived, today=today or started.date())
    manifest = manifest_path(output)
    with atomic_output(output) as sink:  # the copy is proved: it is written, then its manifest
        facts = _facts(records, agreement, copy, output, fmt, agent, started, write_copy(copy.encoded, fmt, sink))
        written = manifest_graph(facts).serialize(format="turtle")
    write_atomically(manifest, written)
    return ShareResult(output, manifest, facts, records.map_result)


def _facts(
    records: SharedRecords,
    agreement: Agreement,
    copy: Copy,
    output: Path,
    fmt: RdfFormat,
    agent: str | None,
    started: datetime,
    copy_sha256: str,
) -> ShareFacts:
    """What a share did, for its manifest."""
    return ShareFacts(
        agreement=agreement.iri,
        agent=agent or agreement.assigner,
        recipient=agreement.assignee,
        purpose=agreement.purpose,
        legal_basis=agreement.legal_basis,
        started=started,
        ended=datetime.now(UTC).replace(microsecond=0),
        inputs=records.inputs,
        copy_name=output.name,
        copy_sha256=copy_sha256,
        media_type=fmt.syntax.media_type,
        vocabulary_version=str(schema_view().schema.version),
        records_shared=copy.records_shared,
        triples_shared=copy.encoded.height,
        pseudonymised=copy.pseudonymised,
        withheld=copy.withheld,
        parts_withheld=copy.parts_withheld,
        dropped=copy.dropped,
        generalised=copy.generalised,
        not_generalised=copy.not_generalised,
        rows_read=records.map_result.rows_read,
        rows_rejected=records.map_result.rejected_by_reason,
        suppressed_cells=copy.suppressed_cells,
    )
