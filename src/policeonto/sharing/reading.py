"""Read an information sharing agreement: an ODRL 2.2 policy in Turtle or JSON-LD, or its YAML form.

Reading is checking. A file is read (safely: nothing fetched, sizes bounded), its ODRL terms checked, its
one ``odrl:Agreement`` checked against the profile's SHACL shapes, read into a policy, and that policy
checked against the ontology, DPV and itself. Each stage reports every problem it finds as a finding, and
the first stage with a problem ends the check: :func:`check_agreement` returns them,
:func:`read_agreement` raises them as one :class:`~policeonto.errors.AgreementError`.

>>> import policeonto
>>> examples = Path(policeonto.__file__).parents[2] / "examples" / "agreements"
>>> agreement = read_agreement(examples / "neighbouring-force.yaml")
>>> agreement.ceiling, agreement.sensitive_allowed, len(agreement.classes) > 10
('OFFICIAL', True, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from rdflib import Graph

from policeonto.errors import AgreementError, InstanceDataError, UnsafeInputError, shorten
from policeonto.findings import Finding, make
from policeonto.limits import Limits, read_bounded
from policeonto.quiet import RDFLIB_LITERALS, quieted
from policeonto.safety import load_yaml
from policeonto.sharing.agreement import Agreement
from policeonto.sharing.consistency import make_agreement
from policeonto.sharing.policy import find_policy, read_policy, unknown_terms
from policeonto.sharing.profile import check_profile
from policeonto.sharing.yaml_form import compile_form
from policeonto.validation.rdf_input import read_rdf

__all__ = ["RDF_SUFFIXES", "YAML_SUFFIXES", "AgreementCheck", "check_agreement", "compile_yaml", "read_agreement"]

YAML_SUFFIXES = (".yaml", ".yml")
RDF_SUFFIXES = (".ttl", ".jsonld", ".json")


@dataclass(frozen=True)
class AgreementCheck:
    """What checking an agreement file found: the agreement, or the findings that refuse it."""

    path: Path
    agreement: Agreement | None
    findings: tuple[Finding, ...]

    @property
    def valid(self) -> bool:
        """Whether the agreement may be shared under."""
        return self.agreement is not None


def compile_yaml(path: Path) -> tuple[str | None, list[Finding]]:
    """The ODRL Turtle the YAML agreement at *path* compiles to, or None and the findings on it.

    Raises:
        AgreementError: the file cannot be opened.
    """
    try:
        text = read_bounded(path, Limits()).decode("utf-8")
        data = load_yaml(text)
    except OSError as exc:
        raise AgreementError(f"cannot be read: {exc.strerror or exc}", path=path, rule="agreement-unreadable") from exc
    except (yaml.YAMLError, UnsafeInputError, UnicodeDecodeError, InstanceDataError) as exc:
        message = f"not valid YAML: {shorten(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 300)}"
        return None, [make("agreement-unreadable", file=str(path), value=message)]
    return compile_form(data, str(path))


def _graph(path: Path) -> tuple[Graph | None, list[Finding]]:
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        text, findings = compile_yaml(path)
        if text is None:
            return None, findings
        with quieted(RDFLIB_LITERALS):
            return Graph().parse(data=text, format="turtle"), []
    if suffix not in RDF_SUFFIXES:
        value = f"an agreement is Turtle (.ttl), JSON-LD (.jsonld) or YAML (.yaml), not {path.suffix or 'no suffix'}"
        return None, [make("agreement-unreadable", file=str(path), value=value)]
    if not path.is_file():
        raise AgreementError("no such file", path=path, rule="agreement-unreadable")
    try:
        return read_rdf(path), []
    except InstanceDataError as exc:
        message = str(exc).removeprefix(f"{path}: ")
        return None, [make("agreement-unreadable", file=str(path), value=message)]


def check_agreement(path: Path | str) -> AgreementCheck:
    """Check the agreement at *path* (``.ttl``, ``.jsonld`` or ``.yaml``): every finding of the first stage
    that has any, or the agreement if there are none.

    Raises:
        AgreementError: the file does not exist or cannot be opened (a problem in it is a finding).
    """
    path = Path(path)
    file = str(path)
    graph, findings = _graph(path)
    if graph is None:
        return AgreementCheck(path, None, tuple(findings))
    if findings := unknown_terms(graph, file):
        return AgreementCheck(path, None, tuple(findings))
    policy_node, findings = find_policy(graph, file)
    if policy_node is None:
        return AgreementCheck(path, None, tuple(findings))
    if findings := check_profile(graph, file):
        return AgreementCheck(path, None, tuple(findings))
    policy, findings = read_policy(graph, policy_node, file)
    if policy is None:
        return AgreementCheck(path, None, tuple(findings))
    agreement, findings = make_agreement(policy, file)
    return AgreementCheck(path, agreement, tuple(findings))


def read_agreement(path: Path | str) -> Agreement:
    """The agreement in the file at *path*: ODRL 2.2 Turtle (``.ttl``), JSON-LD (``.jsonld``) or the YAML
    form (``.yaml``), checked as :func:`check_agreement` checks it.

    Raises:
        AgreementError: the file cannot be read, or the agreement breaks a rule; it names the file and the
            first rule broken, and carries every finding.
    """
    check = check_agreement(path)
    if check.agreement is None:
        first = check.findings[0]
        raise AgreementError(first.message, path=check.path, rule=first.code, findings=check.findings)
    return check.agreement
