"""An information sharing agreement as a plain value: what may leave, in which form, for whom and why.

An agreement is written as a W3C ODRL 2.2 policy (or in a YAML form compiled to one); reading it yields
one :class:`Agreement`, which every later stage takes. ODRL's default is deny: a class or property that
the agreement does not permit does not leave.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = ["Agreement", "Generalisation", "GeneralisedForm", "Pseudonymised"]


class GeneralisedForm(StrEnum):
    """The coarser form a value leaves in."""

    YEAR = "year"  # a date of birth or other date to its year
    AGE_BAND = "age-band"  # a date of birth to a five-year age band at the date of sharing
    LSOA = "lsoa"  # a point to the Lower Layer Super Output Area it lies in
    POSTCODE_SECTOR = "postcode-sector"  # a postcode to its sector ("SW1A 1")


@dataclass(frozen=True)
class Generalisation:
    """One property whose values leave only in a coarser *form*."""

    property: str  # IRI of the property
    form: GeneralisedForm


@dataclass(frozen=True)
class Pseudonymised:
    """What is pseudonymised with the agreement's key: identifier schemes and records' IRIs of classes."""

    identifier_schemes: frozenset[str] = frozenset()  # scheme codes, such as "pnc-id" or "nhs-number"
    classes: frozenset[str] = frozenset()  # IRIs of classes whose records' IRIs are rewritten


@dataclass(frozen=True)
class Agreement:
    """An information sharing agreement, read from its ODRL policy.

    *classes* and *properties* are the IRIs that may leave; everything else is withheld. *ceiling* is
    the highest Government Security Classification code a record may carry (``OFFICIAL``, ``SECRET``),
    *sensitive_allowed* whether OFFICIAL-SENSITIVE records may leave, *caveats_allowed* the national
    caveats a recipient may receive and *handling_codes* the intelligence handling codes (``P``, ``C``).
    *k* with *quasi_identifiers* asks for k-anonymity over those property IRIs; *aggregates_only* lets
    only counts leave.
    """

    iri: str
    title: str
    assigner: str  # IRI of the organisation that shares
    assignee: str  # IRI of the recipient organisation
    purpose: str  # IRI of a DPV purpose
    legal_basis: str  # IRI of a DPV legal basis
    classes: frozenset[str]
    properties: frozenset[str]
    ceiling: str = "OFFICIAL"
    sensitive_allowed: bool = False
    caveats_allowed: frozenset[str] = frozenset()
    handling_codes: frozenset[str] = frozenset()
    withhold_past_review: bool = True
    valid_until: date | None = None
    pseudonymised: Pseudonymised = Pseudonymised()
    generalised: tuple[Generalisation, ...] = ()
    prohibited: frozenset[str] = frozenset()  # property IRIs that never leave (free text), even if permitted
    k: int | None = None
    quasi_identifiers: tuple[str, ...] = ()
    aggregates_only: bool = False
