"""The vocabularies an agreement is written in: ODRL 2.2, this project's ODRL profile, DPV and the model's
own code lists, with the terms of each that an agreement may use.

>>> str(PROFILE)
'https://w3id.org/policeonto/odrl/'
>>> DPV.PublicBenefit in PURPOSES, DPV.LegalObligation in LEGAL_BASES
(True, True)
"""

from __future__ import annotations

from rdflib import Namespace, URIRef

__all__ = [
    "CAVEAT",
    "CLASSIFICATIONS",
    "DPV",
    "GSC",
    "LEGAL_BASES",
    "ODRL",
    "ODRL_TERMS",
    "POA",
    "PROFILE",
    "PURPOSES",
    "SCHEME",
]

#: W3C ODRL 2.2 (https://www.w3.org/TR/odrl-vocab/).
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
#: This project's ODRL profile; its IRI is the namespace itself (``ontology/policeonto-odrl-profile.ttl``).
POA = Namespace("https://w3id.org/policeonto/odrl/")
PROFILE = URIRef(str(POA))
#: W3C Data Privacy Vocabulary (https://w3id.org/dpv).
DPV = Namespace("https://w3id.org/dpv#")
#: The model's code lists an agreement names values from.
GSC = Namespace("https://w3id.org/policeonto/code/security-classification/")
CAVEAT = Namespace("https://w3id.org/policeonto/code/national-caveat/")
SCHEME = Namespace("https://w3id.org/policeonto/code/identifier-scheme/")

#: The ODRL 2.2 terms an agreement may use; any other term of the ODRL namespace is refused.
ODRL_TERMS = frozenset(
    ODRL[name]
    for name in (
        "Agreement",
        "Permission",
        "Prohibition",
        "Duty",
        "Constraint",
        "AssetCollection",
        "profile",
        "uid",
        "assigner",
        "assignee",
        "permission",
        "prohibition",
        "duty",
        "target",
        "partOf",
        "action",
        "refinement",
        "constraint",
        "leftOperand",
        "operator",
        "rightOperand",
        "distribute",
        "purpose",
        "dateTime",
        "eq",
        "lteq",
        "gteq",
        "isAnyOf",
    )
)

#: Ceilings, lowest first: the right operand of ``poa:classification``, with the Government Security
#: Classification it allows at most and whether OFFICIAL-SENSITIVE records may leave.
CLASSIFICATIONS: dict[URIRef, tuple[str, bool]] = {
    GSC.OFFICIAL: ("OFFICIAL", False),
    POA.officialSensitive: ("OFFICIAL", True),
    GSC.SECRET: ("SECRET", True),
    GSC["TOP-SECRET"]: ("TOP-SECRET", True),
}

#: DPV purposes an agreement may name (DPV 2.x, https://w3id.org/dpv#, module "purposes"): the ones that
#: fit public-sector sharing. DPV has no purpose narrower for policing or safeguarding; a force that needs
#: one extends DPV and adds it here.
PURPOSES = frozenset(
    DPV[name]
    for name in (
        "PublicBenefit",
        "Counterterrorism",
        "AntiTerrorismOperations",
        "FraudPreventionAndDetection",
        "CounterMoneyLaundering",
        "MisusePreventionAndDetection",
        "EnforceSecurity",
        "IdentityVerification",
        "Verification",
        "LegalCompliance",
        "FulfilmentOfObligation",
        "RecordManagement",
        "OrganisationRiskManagement",
        "OrganisationGovernance",
        "ResearchAndDevelopment",
        "NonCommercialResearch",
        "AcademicResearch",
    )
)

#: DPV legal bases (DPV 2.x, module "legal_basis"); named with ``dpv:hasLegalBasis``.
LEGAL_BASES = frozenset(
    DPV[name]
    for name in (
        "LegalObligation",
        "OfficialAuthorityOfController",
        "PublicInterest",
        "VitalInterest",
        "VitalInterestOfDataSubject",
        "VitalInterestOfNaturalPerson",
        "LegitimateInterest",
        "LegitimateInterestOfController",
        "LegitimateInterestOfThirdParty",
        "Consent",
        "Contract",
    )
)
