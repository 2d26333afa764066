"""Agreements for the share tests, as values (the examples' files are read by the CLI tests)."""

from __future__ import annotations

from dataclasses import replace

from policeonto.sharing import Agreement, Generalisation, GeneralisedForm, Pseudonymised

P = "https://w3id.org/policeonto/"


def iris(names: str) -> frozenset[str]:
    """The vocabulary IRIs of the space-separated *names*."""
    return frozenset(P + n for n in names.split())


#: For tests/data/sharing/marked.ttl: OFFICIAL at most, no SENSITIVE, no caveats, handling code P.
BASE = Agreement(
    iri="https://example.org/agreement/marked",
    title="tests",
    assigner="https://example.org/force-x",
    assignee="https://example.org/partner",
    purpose="https://w3id.org/dpv#ProtectionOfVitalInterests",
    legal_basis="https://w3id.org/dpv#PublicInterest",
    classes=iris("Person PersonName PersonInvolvement Crime Address Identifier SecurityMarking"),
    properties=iris(
        "names given_name family_name person event involvement_role crime_type identifiers scheme notation "
        "postcode occurred_at handling_code security_marking classification label sensitive national_caveats"
    ),
    handling_codes=frozenset({"P"}),
)

#: A local authority safeguarding partnership: persons pseudonymised, dates of birth to age bands, postcodes
#: to sectors, registration marks and PNC IDs pseudonymised, no names, no free text, no intelligence.
SAFEGUARDING = Agreement(
    iri="https://example.org/agreement/safeguarding",
    title="Safeguarding partnership",
    assigner="https://example.org/force-x",
    assignee="https://example.org/county-council",
    purpose="https://w3id.org/dpv#ProtectionOfVitalInterests",
    legal_basis="https://w3id.org/dpv#PublicInterest",
    classes=iris(
        "Person PersonInvolvement PersonAddress Crime StopAndSearch Address Identifier Vehicle ObjectInvolvement"
    ),
    properties=iris(
        "person event involvement_role crime_type date_of_birth gender ethnic_appearance postcode address "
        "address_type identifiers scheme notation occurred_at start_time search_type search_outcome legislation "
        "object object_role vehicle_type address_lines"
    ),
    prohibited=iris("address_lines"),
    pseudonymised=Pseudonymised(identifier_schemes=frozenset({"pnc-id", "vrm"}), classes=iris("Person")),
    generalised=(
        Generalisation(P + "date_of_birth", GeneralisedForm.AGE_BAND),
        Generalisation(P + "postcode", GeneralisedForm.POSTCODE_SECTOR),
    ),
)

#: The same partnership's second agreement (another purpose): its pseudonyms must not join the first's.
SAFEGUARDING_2 = replace(SAFEGUARDING, iri="https://example.org/agreement/safeguarding-2")
