"""The ``policeonto`` command: a thin shell over the library.

Exit codes: 0 success (valid, up to date), 1 the data or artefacts have problems, 2 cannot run.
"""

from __future__ import annotations

import json
import signal
import sys
import traceback
from collections import Counter
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from policeonto import __version__, interrupts
from policeonto.errors import PoliceOntoError

__all__ = ["main"]

EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT_RUN = 0, 1, 2


def _guarded(command: Callable[..., int]) -> Callable[..., None]:
    """Turn policeonto errors into a one-line message and exit 2 (a traceback only with --debug)."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            code = command(*args, **kwargs)
        except click.ClickException:  # a usage error found inside the command: click's message and exit 2
            raise
        except (PoliceOntoError, OSError) as exc:
            if debug:
                raise
            click.echo(f"policeonto: error: {exc}", err=True)
            sys.exit(EXIT_CANNOT_RUN)
        except Exception as exc:  # a bug: never exit 1, which would read as "invalid"
            if debug:
                raise
            click.echo(f"policeonto: internal error: {type(exc).__name__}: {exc} (--debug shows where)", err=True)
            sys.exit(EXIT_CANNOT_RUN)
        sys.exit(code)

    return run


def _parse_limits(_ctx: click.Context, _param: click.Parameter, settings: tuple[str, ...]) -> Any:
    from policeonto.limits import LimitError, Limits

    try:
        return Limits.parse(settings)
    except LimitError as exc:
        raise click.BadParameter(str(exc)) from exc


def _code_prefixes(_ctx: click.Context, param: click.Parameter, prefixes: tuple[str, ...]) -> tuple[str, ...]:
    """The finding-code prefixes of --select / --ignore, each a prefix of some declared code (a typo would
    otherwise select nothing, or ignore nothing, without a word)."""
    from difflib import get_close_matches

    from policeonto.findings import CATALOGUE

    for prefix in prefixes:
        if not any(code.startswith(prefix) for code in CATALOGUE) and not prefix.startswith("shape-"):
            near = get_close_matches(prefix, list(CATALOGUE), n=3)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise click.BadParameter(f"no finding code starts with {prefix!r}{hint}", param=param)
    return prefixes


_limit_option = click.option(
    "--limit",
    "limits",
    multiple=True,
    metavar="NAME=SIZE",
    callback=_parse_limits,
    help="Raise or lower a size limit on the inputs (repeatable): file-size (default 2G), "
    "line-size (16M), field-size (4M), iri-size (8K).",
)


class _Interruptible(click.Group):
    """The command group: SIGTERM unwinds like Ctrl-C, and either ends with one line and exit 128 + signal."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with interrupts.handling():
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            finally:
                interrupts.check()  # a signal Python swallowed (raised in a finaliser) still ends the run
        except KeyboardInterrupt as exc:
            if ctx.params.get("debug", False):
                click.echo(traceback.format_exc(), err=True, nl=False)
            signum = signal.SIGTERM if isinstance(exc, interrupts.Terminated) else signal.SIGINT
            what = "terminated (SIGTERM)" if signum == signal.SIGTERM else "interrupted (SIGINT)"
            click.echo(f"policeonto: {what}; unfinished output files were discarded", err=True)
            ctx.exit(128 + signum)


@click.group(cls=_Interruptible, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policeonto")
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
def main(debug: bool) -> None:
    """policeonto: the common policing ontology and its tools."""


@main.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any artefact would change.")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), help="Project directory.")
@_guarded
def build(check: bool, root: Path | None) -> int:
    """Regenerate the OWL, SHACL, SKOS code lists, JSON-LD context and Python classes from the schema."""
    from policeonto.build import build as run_build

    result = run_build(root, check=check)
    for artefact in result.artefacts:
        state = "changed" if artefact.path in result.changed else "up to date"
        verb = "would be " if check and state == "changed" else ""
        click.echo(f"{artefact.path}: {verb}{state}")
    click.echo(f"{len(result.artefacts)} artefacts in {result.seconds:.1f} s")
    if check and result.changed:
        click.echo("generated artefacts are out of date: run `policeonto build`", err=True)
        return EXIT_PROBLEMS
    return EXIT_OK


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_guarded
def stats(fmt: str) -> int:
    """Count the classes, slots, code lists, codes and formats of the vocabulary."""
    from policeonto.stats import vocabulary_stats
    from policeonto.vocab import schema_view

    counts = vocabulary_stats(schema_view()).as_dict()
    if fmt == "json":
        click.echo(json.dumps(counts, indent=2))
    else:
        for name, value in counts.items():
            click.echo(f"{name.replace('_', ' '):>20}  {value}")
    return EXIT_OK


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_guarded
def report(fmt: str) -> int:
    """Check the ontology's quality (labels, definitions, metadata) and its OWL RL consistency."""
    from rdflib import Graph

    from policeonto.quality import reasoning_problems
    from policeonto.quality import report as quality_report
    from policeonto.vocab import ARTEFACTS, artefact_path

    ontology = Graph().parse(artefact_path(ARTEFACTS["owl"]), format="turtle")
    alignments = Graph().parse(artefact_path(ARTEFACTS["alignments"]), format="turtle")
    findings = list(quality_report(ontology))
    problems = reasoning_problems(ontology, alignments)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "valid": not findings and not problems,
                    "findings": [f.as_dict() for f in findings],
                    "inconsistencies": problems,
                },
                indent=2,
            )
        )
    else:
        counts = Counter(f.code for f in findings)
        for finding in findings:
            click.echo(f"{finding.severity.value:7} {finding.code:28} {finding.message}")
        for problem in problems:
            click.echo(f"error   {'inconsistent':28} {problem}")
        summary = ", ".join(f"{n} {code}" for code, n in sorted(counts.items())) or "no findings"
        click.echo(
            f"{len(ontology)} triples checked: {summary}; "
            f"{'consistent' if not problems else f'{len(problems)} inconsistencies'} under OWL RL"
        )
    return EXIT_PROBLEMS if findings or problems else EXIT_OK


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the RDF here (one input) or into this directory (several).",
)
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld"]), default="ttl", show_default=True)
@click.option("--no-validate", is_flag=True, help="Do not check the RDF against the SHACL shapes.")
@_limit_option
@_guarded
def convert(inputs: tuple[Path, ...], output: Path | None, fmt: str, no_validate: bool, limits: Any) -> int:
    """Turn records in YAML or JSON into RDF and check it against the SHACL shapes."""
    from policeonto.convert import RdfFormat, output_targets, serialise
    from policeonto.convert import convert as run_convert
    from policeonto.output import atomic_output

    rdf_format = RdfFormat(fmt)
    failed = 0
    for source, target in zip(inputs, output_targets(inputs, output, rdf_format), strict=True):
        if target is None:
            result = run_convert(source, validate=not no_validate, limits=limits)
            click.echo(serialise(result.graph, rdf_format))
        else:
            with atomic_output(target) as sink:  # opened first: an unwritable target fails before the work
                result = run_convert(source, validate=not no_validate, limits=limits)
                sink.write(serialise(result.graph, rdf_format).encode("utf-8"))
            click.echo(f"{source}: {result.triples} triples -> {target}", err=True)
        if not result.conforms:
            failed += 1
            for focus, path, component, message in result.violations:
                click.echo(f"{source}: {focus} {path} {component.rsplit('#', 1)[-1]}: {message}", err=True)
        elif not no_validate:
            click.echo(f"{source}: conforms to the SHACL shapes", err=True)
    return EXIT_PROBLEMS if failed else EXIT_OK


@main.command(name="mappings")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_guarded
def list_mappings_command(fmt: str) -> int:
    """List the mappings and the columns each recognises."""
    from policeonto.mapping import list_mappings

    mappings = list_mappings()
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "name": m.name,
                        "title": m.title,
                        "version": m.version,
                        "columns": [c.title for c in m.columns],
                        "required": [c.title for c in m.required_columns],
                    }
                    for m in mappings
                ],
                indent=2,
            )
        )
        return EXIT_OK
    for m in mappings:
        click.echo(f"{m.name}  {m.version}  {m.title}")
        click.echo(f"    columns: {', '.join(c.title + ('*' if c.required else '') for c in m.columns)}")
    click.echo("* required")
    return EXIT_OK


@main.command(name="map")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--mapping", help="Mapping to use (default: recognised from each file's header).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Output file (default: stdout).")
@click.option(
    "--format", "fmt", type=click.Choice(["nt", "ttl", "jsonld"]), help="Default: from -o's extension, else nt."
)
@click.option("--base", default=None, help="Base IRI of instance IRIs.")
@click.option("--force", "force", help="Publishing force code, when the file name does not say.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="Write the summary as JSON here.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@_limit_option
@_guarded
def map_command(
    inputs: tuple[Path, ...],
    mapping: str | None,
    output: Path | None,
    fmt: str | None,
    base: str | None,
    force: str | None,
    report: Path | None,
    quiet: bool,
    limits: Any,
) -> int:
    """Map force exports onto the shared vocabulary and write RDF.

    Exit 0 when every row mapped cleanly, 1 when rows were rejected or values dropped, 2 when a file
    cannot be mapped at all.
    """
    from policeonto.mapping.cli_support import run_map

    return run_map(
        inputs,
        mapping=mapping,
        output=output,
        fmt=fmt,
        base=base,
        force=force,
        report=report,
        quiet=quiet,
        limits=limits,
    )


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--mapping", help="Mapping for tabular inputs (default: recognised from the header).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "html", "csv", "shacl"]), default="text", show_default=True
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
@click.option(
    "--engine",
    type=click.Choice(["fast", "pyshacl"]),
    default="fast",
    show_default=True,
    help="The columnar SHACL engine, or pySHACL (the reference).",
)
@click.option("--max-issues", type=click.IntRange(min=0), help="Keep at most this many findings.")
@click.option(
    "--select", multiple=True, callback=_code_prefixes, help="Only findings whose code starts with this (repeatable)."
)
@click.option(
    "--ignore", multiple=True, callback=_code_prefixes, help="Drop findings whose code starts with this (repeatable)."
)
@_limit_option
@_guarded
def validate(
    inputs: tuple[Path, ...],
    mapping: str | None,
    fmt: str,
    output: Path | None,
    engine: str,
    max_issues: int | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    limits: Any,
) -> int:
    """Validate exports (through their mapping), RDF and records in YAML against the shared vocabulary.

    Exit 0 valid, 1 invalid, 2 cannot run.
    """
    from policeonto.mapping import MapOptions
    from policeonto.output import atomic_output
    from policeonto.validation import Engine
    from policeonto.validation import validate as run_validate
    from policeonto.validation.render import render

    def run() -> tuple[bool, str]:
        report = run_validate(
            inputs,
            mapping=mapping,
            engine=Engine(engine),
            max_issues=max_issues,
            select=select,
            ignore=ignore,
            options=MapOptions(limits=limits),
        )
        return report.valid, render(report, fmt)

    if output is None:
        valid, text = run()
        click.echo(text, nl=False)
    else:
        with atomic_output(output) as sink:  # opened first: an unwritable target fails before the work
            valid, text = run()
            sink.write(text.encode("utf-8"))
    return EXIT_OK if valid else EXIT_PROBLEMS


_STORE_HELP = "Store: a directory for the embedded Oxigraph store, or a SPARQL 1.1 server's URL."
_RETRIES_HELP = "Retry a server's transient failures this many times, backing off exponentially."
_WAIT_HELP = "Wait up to this many seconds for another process to release the embedded store."


def _say_retry(notice: object) -> None:
    click.echo(f"policeonto: {notice}", err=True)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--store", "location", default=None, help=_STORE_HELP + "  [default: out/store]")
@click.option("--graph", help="Named graph for a single input (default: the input's dataset IRI).")
@click.option("--mapping", help="Mapping for tabular inputs (default: recognised from the header).")
@click.option("--no-validate", is_flag=True, help="Load without validating first.")
@click.option("--load-invalid", is_flag=True, help="Load inputs even when validation finds errors.")
@_limit_option
@click.option(
    "--resume",
    is_flag=True,
    help="Finish a load that failed: drop staging graphs left behind, keep datasets already loaded.",
)
@click.option("--retries", type=click.IntRange(min=0), default=5, show_default=True, help=_RETRIES_HELP)
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True, help=_WAIT_HELP)
@_guarded
def load(
    inputs: tuple[Path, ...],
    location: str | None,
    graph: str | None,
    mapping: str | None,
    no_validate: bool,
    load_invalid: bool,
    limits: Any,
    resume: bool,
    retries: int,
    wait: float,
) -> int:
    """Validate, map and load exports, RDF and records in YAML into a store, one named graph per input.

    Exit 0 all loaded, 1 some input was invalid (and not loaded unless --load-invalid), 2 cannot run,
    130 interrupted (no graph is left half-loaded).
    """
    from policeonto.mapping import MapOptions
    from policeonto.store import open_store
    from policeonto.store.jobs import load_inputs

    store = open_store(location, retries=retries, wait=wait, on_retry=_say_retry)
    try:
        done = load_inputs(
            store,
            inputs,
            graph=graph,
            mapping=mapping,
            check=not no_validate,
            load_invalid=load_invalid,
            options=MapOptions(limits=limits),
            resume=resume,
        )
    finally:
        store.close()
    for item in done:
        state = "invalid, " if item.valid is False else ""
        if item.kept:
            click.echo(f"{item.source}: {state}already loaded, {item.triples:,} triples in <{item.graph}>")
        elif item.loaded:
            click.echo(f"{item.source}: {state}{item.triples:,} triples in <{item.graph}>")
        elif item.valid is False:
            click.echo(f"{item.source}: invalid ({item.findings} findings; policeonto validate shows them), not loaded")
        else:
            click.echo(f"{item.source}: not loaded, as other files of its export are invalid")
    click.echo(f"store: {store.location}")
    return EXIT_PROBLEMS if any(item.valid is False for item in done) else EXIT_OK


def _query_text(file: Path) -> str:
    """The text of a ``.rq`` file: a regular file, read within the file-size limit, in UTF-8."""
    from policeonto.errors import InstanceDataError
    from policeonto.limits import Limits, read_bounded

    try:
        return read_bounded(file, Limits()).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InstanceDataError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=file) from exc


@main.command()
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--query", "text", help="The query itself, instead of a .rq file.")
@click.option("--store", "location", default=None, help=_STORE_HELP + "  [default: out/store]")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--retries", type=click.IntRange(min=0), default=5, show_default=True, help=_RETRIES_HELP)
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True, help=_WAIT_HELP)
@_guarded
def query(file: Path | None, text: str | None, location: str | None, fmt: str, retries: int, wait: float) -> int:
    """Run a SPARQL query (a .rq FILE or --query TEXT) over every graph in a store."""
    from policeonto.store import open_store, render

    if (file is None) == (text is None):
        raise click.UsageError("give a query file or --query, not both" if file else "give a query file or --query")
    sparql = text if text is not None else _query_text(file)
    store = open_store(location, retries=retries, wait=wait, on_retry=_say_retry, create=False)
    try:
        result = store.query(sparql)
    finally:
        store.close()
    click.echo(render(result, fmt), nl=False)
    return EXIT_OK


@main.command()
@click.option(
    "-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path("site"), show_default=True
)
@click.option("--mermaid", type=click.Path(dir_okay=False, path_type=Path), help="The Mermaid script to ship.")
@_guarded
def docs(output: Path, mermaid: Path | None) -> int:
    """Build the documentation site (static HTML) from the schema, shapes and mappings."""
    from policeonto.docs.site import build_site

    summary = build_site(output, mermaid=mermaid)
    click.echo(f"{summary.pages} pages written to {summary.output} in {summary.seconds:.1f} s")
    return EXIT_OK
