"""The ``policeonto map`` command's work: output format, atomic writing, progress and the summary."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import BinaryIO

import click
from rdflib import Graph

from policeonto.cli_options import Voice
from policeonto.findings import has_errors
from policeonto.limits import Limits
from policeonto.mapping import DEFAULT_BASE, MapOptions, MappingCatalogue, MappingChoice, MapResult, map_files
from policeonto.output import atomic_output, write_atomically
from policeonto.rdf_formats import RdfFormat
from policeonto.scale.executor import Executor
from policeonto.vocab import ARTEFACTS, artefact_path

__all__ = ["run_map", "summary_lines"]


def summary_lines(result: MapResult, *, verbose: bool = False) -> list[str]:
    """The closing summary, for people: the first ten findings kept, or with *verbose* every one."""
    lines = [
        f"rows read {result.rows_read:,}, mapped {result.rows_mapped:,}, rejected {result.rows_rejected:,}; "
        f"{result.triples:,} triples in {result.seconds:.1f} s"
    ]
    for reason, count in sorted(result.rejected_by_reason.items(), key=lambda item: -item[1]):
        lines.append(f"  rejected {count:,}: {reason}")
    for code, count in sorted(result.finding_counts.items()):
        lines.append(f"  finding {code}: {count:,}")
    for finding in result.findings if verbose else result.findings[:10]:
        lines.append(f"    {finding.file}: {finding.message}")
    for summary in result.files:
        lines.append(f"  {summary.file}: {summary.mapping}, {summary.rows_read:,} rows")
    return lines


def _total_rows(inputs: tuple[Path, ...]) -> int:
    total = 0
    for path in inputs:
        if not path.is_file():  # mapping it reports the problem; a FIFO must not be opened (it blocks)
            continue
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(8 << 20):
                    total += chunk.count(b"\n")
        except OSError:
            pass
    return total


def _write(
    inputs: tuple[Path, ...],
    sink: BinaryIO,
    mappings: tuple[MappingChoice, MappingCatalogue],
    options: MapOptions,
    show: bool,
    executor: Executor,
) -> MapResult:
    mapping, catalogue = mappings
    if not show:
        return map_files(inputs, sink, mapping=mapping, catalogue=catalogue, options=options, executor=executor)
    with click.progressbar(length=_total_rows(inputs), label="mapping", file=sys.stderr) as bar:
        return map_files(
            inputs, sink, mapping=mapping, catalogue=catalogue, options=options, progress=bar.update, executor=executor
        )


def run_map(
    inputs: tuple[Path, ...],
    *,
    mapping: MappingChoice,
    catalogue: MappingCatalogue,
    output: Path | None,
    syntax: str | None,
    base: str | None,
    force: str | None,
    report: Path | None,
    voice: Voice,
    limits: Limits = Limits(),
    executor: Executor = Executor(),
) -> int:
    """Map *inputs*, write the RDF and the report, give the summary on standard error (standard output may
    carry the RDF); return the exit code."""
    rdf_format = RdfFormat(syntax) if syntax else (RdfFormat.from_extension(output) if output else RdfFormat.NTRIPLES)
    options = MapOptions(base=base or DEFAULT_BASE, force=force, limits=limits)
    mappings = (mapping, catalogue)
    voice = voice.to_stderr()
    big = sum(p.stat().st_size for p in inputs if p.is_file()) > (16 << 20)
    show = voice.format == "text" and not voice.quiet and sys.stderr.isatty() and big
    if output is None:
        if rdf_format is RdfFormat.JSONLD:
            raise click.UsageError("JSON-LD needs an output file (-o)")
        result = _write(inputs, sys.stdout.buffer, mappings, options, show, executor)
        sys.stdout.buffer.flush()
        result.outputs.append("-")
    elif rdf_format is RdfFormat.JSONLD:  # JSON-LD is built in memory from the N-Triples
        import tempfile

        with atomic_output(output) as sink, tempfile.TemporaryFile() as staging:  # an unnamed file: nothing left
            result = _write(inputs, staging, mappings, options, show, executor)
            staging.seek(0)
            graph = Graph().parse(staging, format="nt")
            context = json.loads(artefact_path(ARTEFACTS["context"]).read_text(encoding="utf-8"))["@context"]
            sink.write(graph.serialize(format=rdf_format.rdflib_name, context=context, indent=1).encode("utf-8"))
        result.outputs.append(str(output))
    else:  # N-Triples is also valid Turtle, so both stream
        with atomic_output(output) as sink:
            result = _write(inputs, sink, mappings, options, show, executor)
        result.outputs.append(str(output))
    if report is not None:
        write_atomically(report, json.dumps(result.as_dict(), indent=2))
    failed = bool(result.rows_rejected) or has_errors(result.finding_counts)
    for line in summary_lines(result, verbose=voice.verbose):
        if failed:  # -q keeps the errors: rejected rows and error findings are always said
            voice.problem(line)
        else:
            voice.say(line)
    voice.data(result.as_dict())
    return 1 if failed else 0
