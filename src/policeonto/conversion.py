"""Turn records written in YAML or JSON into RDF, checked against the SHACL shapes.

>>> from pathlib import Path
>>> result = convert(Path("tests/data/valid/street-crime.json"))
>>> result.conforms, result.triples > 0
(True, True)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from policeonto.errors import OutputPathError
from policeonto.instances import read_records
from policeonto.limits import Limits
from policeonto.output import contained_path
from policeonto.rdf_formats import RdfFormat
from policeonto.shacl import run_pyshacl
from policeonto.vocab import ARTEFACTS, SH, artefact_path

__all__ = ["ConversionResult", "RdfFormat", "conform", "convert", "output_targets", "serialise"]


@dataclass
class ConversionResult:
    """The RDF made from one input, and whether it conforms to the shapes."""

    source: Path
    graph: Graph
    conforms: bool
    violations: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def triples(self) -> int:
        """How many triples were made."""
        return len(self.graph)


def conform(graph: Graph, shapes: Graph | None = None) -> tuple[bool, list[tuple[str, str, str, str]]]:
    """Validate *graph* against the shapes with pySHACL (the reference engine).

    Returns:
        Whether it conforms, and each top-level result as (focus node, path, constraint component, message).
    """
    conforms, report, results = run_pyshacl(graph, shapes)
    fields = (SH.focusNode, SH.resultPath, SH.sourceConstraintComponent, SH.resultMessage)
    return conforms, sorted(tuple(str(report.value(r, p) or "") for p in fields) for r in results)  # type: ignore[misc]


def convert(source: Path | str, *, validate: bool = True, limits: Limits = Limits()) -> ConversionResult:
    """Read a RecordSet from *source* (YAML or JSON) and return its RDF, validated unless told not to.

    Raises:
        InstanceDataError: *source* cannot be read (over ``limits.file_size``, not YAML or JSON, refused
            YAML tags, not fitting the schema).
    """
    source = Path(source)
    graph = read_records(source, limits=limits)
    conforms, violations = conform(graph) if validate else (True, [])
    return ConversionResult(source, graph, conforms, violations)


def serialise(graph: Graph, fmt: RdfFormat) -> str:
    """Write *graph* in *fmt*; JSON-LD is compacted with the project's context."""
    if fmt is RdfFormat.JSONLD:
        context_text = artefact_path(ARTEFACTS["context"]).read_text(encoding="utf-8")
        context = json.loads(context_text)["@context"]
        return graph.serialize(format=fmt.rdflib_name, context=context, indent=2)
    return graph.serialize(format=fmt.rdflib_name)


def output_targets(sources: Sequence[Path], output: Path | None, fmt: RdfFormat) -> list[Path | None]:
    """Where each source's RDF goes: nowhere (``None``, standard output) without *output*; *output* itself
    for one source unless it is a directory; else ``<output>/<source stem>.<fmt>``.

    Every name is checked before anything is written: each stays inside *output*, and no two sources
    share a target.

    Raises:
        OutputPathError: a derived name would leave *output*, or two sources would write the same file.

    >>> [t.as_posix() for t in output_targets([Path("a/kent.yaml"), Path("b.json")], Path("out"), RdfFormat.NTRIPLES)]
    ['out/kent.nt', 'out/b.nt']
    """
    if output is None:
        return [None] * len(sources)
    if len(sources) == 1 and not output.is_dir():
        return [output]
    targets: list[Path | None] = []
    claimed: dict[Path, Path] = {}
    for source in sources:
        target = contained_path(output, f"{source.stem}.{fmt.value}")
        if target in claimed:
            raise OutputPathError(
                f"{claimed[target]} and {source} would both write it", folder=output, name=target.name
            )
        claimed[target] = source
        targets.append(target)
    return targets
