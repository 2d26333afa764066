"""Organisational evidence from the sharing package: the agreements in force on the assessment date, the
records at least one of them could share, and the records whose MoPI review date can be computed.

An agreement is judged as ``policeonto share`` judges it: read and checked (:func:`check_agreement`), in
force while its ``valid_until`` has not passed, and a record could be shared under it when the share's own
selection (:func:`~policeonto.sharing.select.select`, ODRL's default deny) lets it leave on that date.

>>> import policeonto
>>> from datetime import date
>>> folder = Path(policeonto.__file__).parents[2] / "examples" / "agreements"
>>> [(a.iri.rsplit("/", 1)[1], a.state) for a in read_agreements([folder], on=date(2026, 12, 5))]
[('neighbouring-force', 'in force'), ('safeguarding-partnership', 'in force'), ('statistics', 'in force')]
>>> [a.state for a in read_agreements([folder], on=date(2027, 4, 1))]
['in force', 'ended 2027-03-31', 'ended 2027-03-31']
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from policeonto.errors import AgreementError
from policeonto.mapping.events import Made
from policeonto.sharing.agreement import Agreement
from policeonto.sharing.model import RECORDED_AT, RETENTION_GROUP, vocabulary_facts
from policeonto.sharing.reading import RDF_SUFFIXES, YAML_SUFFIXES, check_agreement
from policeonto.sharing.select import select
from policeonto.terms import RDF_TYPE

__all__ = ["IN_FORCE", "AgreementState", "read_agreements", "reviewable", "shareable"]

IN_FORCE = "in force"
_SUFFIXES = (*YAML_SUFFIXES, *RDF_SUFFIXES)
_DATE = r'^"[0-9]{4}-[0-9]{2}-[0-9]{2}'


@dataclass(frozen=True)
class AgreementState:
    """One agreement given: its file, its IRI (empty when refused), and its state on the assessment date:
    ``in force``, ``ended YYYY-MM-DD``, ``no purpose or legal basis`` or ``refused: <rule>``."""

    path: str
    iri: str
    state: str
    agreement: Agreement | None

    @property
    def in_force(self) -> bool:
        """True when the agreement may be shared under on the assessment date."""
        return self.state == IN_FORCE


def _files(paths: list[Path] | tuple[Path, ...]) -> list[Path]:
    """*paths*, a folder standing for the agreement files in it."""
    out: list[Path] = []
    for path in map(Path, paths):
        out += sorted(p for p in path.iterdir() if p.suffix.lower() in _SUFFIXES) if path.is_dir() else [path]
    return out


def _state(path: Path, on: date) -> AgreementState:
    check = check_agreement(path)
    agreement = check.agreement
    if agreement is None:
        return AgreementState(str(path), "", f"refused: {check.findings[0].code}", None)
    if agreement.valid_until is not None and agreement.valid_until < on:
        return AgreementState(str(path), agreement.iri, f"ended {agreement.valid_until.isoformat()}", agreement)
    if not agreement.purpose or not agreement.legal_basis:
        return AgreementState(str(path), agreement.iri, "no purpose or legal basis", agreement)
    return AgreementState(str(path), agreement.iri, IN_FORCE, agreement)


def read_agreements(paths: list[Path] | tuple[Path, ...], *, on: date) -> tuple[AgreementState, ...]:
    """The agreements in the files (or folders of files) *paths*, each with its state *on* the date; an
    agreement given in two forms (its YAML and its Turtle) counts once, by its IRI.

    Raises:
        AgreementError: a file does not exist or cannot be opened.
    """
    states: list[AgreementState] = []
    seen: set[str] = set()
    for path in _files(paths):
        if not path.is_file():
            raise AgreementError("no such file", path=path, rule="agreement-unreadable")
        state = _state(path, on)
        if state.iri and state.iri in seen:
            continue
        seen.add(state.iri)
        states.append(state)
    return tuple(states)


def shareable(triples: pl.DataFrame, agreements: tuple[AgreementState, ...], *, on: date) -> tuple[int, int]:
    """How many records (instances of a record class) *triples* hold, and how many of them at least one
    agreement in force that shares records (not only counts) would let leave *on* the date."""
    facts = vocabulary_facts()
    types = triples.filter(pl.col("p") == RDF_TYPE)
    records = types.filter(pl.col("o").cast(pl.String).is_in(list(facts.records))).get_column("s").n_unique()
    shared: set[str] = set()
    for state in agreements:
        if state.in_force and state.agreement is not None and not state.agreement.aggregates_only:
            shared.update(select(triples, state.agreement, today=on, facts=facts).records.to_list())
    return records, len(shared)


def reviewable(made: Made) -> int:
    """The records *made* whose MoPI review date can be computed: a retention group with a known review
    period and the date the record was recorded (as the share judges "past review")."""
    objects = dict(made.objects)
    group, recorded = objects.get(RETENTION_GROUP), objects.get(RECORDED_AT)
    if group is None or recorded is None:
        return 0
    known = group.cast(pl.String).is_in(list(vocabulary_facts().review_years)) & recorded.cast(pl.String).str.contains(
        _DATE
    )
    return int(known.fill_null(False).sum())
