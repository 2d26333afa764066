"""``policeonto agreement``: check an information sharing agreement, and compile the YAML form to ODRL (a
thin shell over :mod:`policeonto.sharing.reading`)."""

from __future__ import annotations

from pathlib import Path

import click

from policeonto.cli_options import Voice, summary_options
from policeonto.errors import OutputPathError
from policeonto.findings import Finding

__all__ = ["agreement"]


@click.group()
def agreement() -> None:
    """Check information sharing agreements (ODRL 2.2 policies under the policeonto profile) and compile
    their YAML form to ODRL."""


def _findings(voice: Voice, path: Path, findings: tuple[Finding, ...]) -> None:
    for finding in findings:
        voice.problem(f"{path}: {finding.code}: {finding.message}")
        if finding.constraint:
            voice.detail(f"    rule: {finding.constraint}")


@agreement.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@summary_options()
def check(files: tuple[Path, ...], voice: Voice) -> int:
    """Check agreements (.ttl, .jsonld or .yaml): their ODRL terms, the profile's shapes, and their targets,
    purposes and codes against the ontology, DPV and themselves. Exit 1 if any is refused."""
    from policeonto.sharing.reading import check_agreement

    checks = [check_agreement(path) for path in files]
    for result in checks:
        if result.agreement is None:
            _findings(voice, result.path, result.findings)
            continue
        a = result.agreement
        sensitive = "-SENSITIVE" if a.sensitive_allowed and a.ceiling == "OFFICIAL" else ""
        voice.say(
            f"{result.path}: valid: {a.title}: {len(a.classes)} classes and {len(a.properties)} properties to "
            f"{a.assignee}, at most {a.ceiling}{sensitive}"
            + (f", until {a.valid_until.isoformat()}" if a.valid_until else "")
            + (", aggregates only" if a.aggregates_only else "")
        )
    voice.data(
        [
            {
                "file": str(r.path),
                "valid": r.valid,
                "agreement": r.agreement.iri if r.agreement else None,
                "findings": [f.as_dict() for f in r.findings],
            }
            for r in checks
        ]
    )
    return 0 if all(r.valid for r in checks) else 1


@agreement.command(name="compile")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The Turtle to write."
)
@summary_options()
def compile_(source: Path, output: Path, voice: Voice) -> int:
    """Compile an agreement's YAML form to the ODRL 2.2 Turtle it stands for, written only if the agreement
    passes every check (exit 1 with the findings otherwise)."""
    from policeonto.output import refuse_clashes, write_atomically
    from policeonto.sharing.reading import YAML_SUFFIXES, check_agreement, compile_yaml

    if source.suffix.lower() not in YAML_SUFFIXES:
        raise click.UsageError(f"{source}: compile reads the YAML form (.yaml); a .ttl agreement needs no compiling")
    if output.suffix.lower() != ".ttl":
        raise OutputPathError("the compiled agreement is Turtle: name it .ttl", folder=output.parent, name=output.name)
    refuse_clashes(inputs=[source], outputs=[output])
    result = check_agreement(source)
    if result.agreement is None:
        _findings(voice, source, result.findings)
        voice.data({"file": str(source), "output": None, "findings": [f.as_dict() for f in result.findings]})
        return 1
    text, _ = compile_yaml(source)
    assert text is not None  # the check compiled it already
    write_atomically(output, text)
    voice.say(f"{source}: compiled to {output}")
    voice.data({"file": str(source), "output": str(output), "findings": []})
    return 0
