"""Sharing under agreements: what a partner may receive, decided by an ODRL policy."""

from __future__ import annotations

from policeonto.sharing.agreement import Agreement, Generalisation, GeneralisedForm, Pseudonymised

__all__ = ["Agreement", "Generalisation", "GeneralisedForm", "Pseudonymised"]
