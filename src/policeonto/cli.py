"""The ``policeonto`` command: a thin shell over the library.

Exit codes: 0 success (valid, up to date), 1 the data or artefacts have problems, 2 cannot run.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import signal
import sys
import traceback
from collections import Counter
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from policeonto import __version__, interrupts
from policeonto.cli_options import (
    Voice,
    code_prefixes,
    executor_options,
    limit_option,
    mapping_options,
    summary_options,
    syntax_option,
)
from policeonto.errors import PoliceOntoError
from policeonto.rdf_formats import RdfFormat
from policeonto.terminal import VisibleWriter, visible

if TYPE_CHECKING:
    from policeonto.mapping.catalogue import MappingCatalogue

__all__ = ["main"]

EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT_RUN = 0, 1, 2


def _say(text: str, *, err: bool = False, keep: str = "") -> None:
    """Print a line for people: control characters from input are shown, never obeyed (a line break too,
    so a value cannot forge a line, unless *keep* holds it)."""
    click.echo(visible(text, keep=keep), err=err)


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
            _say(f"policeonto: error: {exc}", err=True, keep="\n")
            sys.exit(EXIT_CANNOT_RUN)
        except Exception as exc:  # a bug: never exit 1, which would read as "invalid"
            if debug:
                raise
            _say(f"policeonto: internal error: {type(exc).__name__}: {exc} (--debug shows where)", err=True, keep="\n")
            sys.exit(EXIT_CANNOT_RUN)
        sys.exit(code)

    return run


def _refuse_clashes(
    inputs: tuple[Path, ...],
    outputs: list[Path | None],
    *,
    mapping: tuple[str, ...] | None,
    catalogue: MappingCatalogue,
    output_folders: tuple[Path, ...] = (),
) -> None:
    """Refuse outputs that would overwrite an input, the mappings read (the folders of the catalogue, and
    the folder of each mapping named by its file), or each other; before anything is read."""
    from policeonto.output import refuse_clashes

    chosen = [Path(name) for name in mapping or () if Path(name).suffix]
    refuse_clashes(
        inputs=[*inputs, *chosen],
        outputs=outputs,
        input_folders=[*(path.parent for path in chosen), *catalogue.paths],
        output_folders=output_folders,
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
        except click.ClickException as exc:  # a usage error may quote a file name or a value: shown, not obeyed
            exc.show(file=VisibleWriter(click.get_text_stream("stderr")))
            raise click.exceptions.Exit(exc.exit_code) from None
        except KeyboardInterrupt as exc:
            if ctx.params.get("debug", False):
                click.echo(traceback.format_exc(), err=True, nl=False)
            signum = signal.SIGTERM if isinstance(exc, interrupts.Terminated) else signal.SIGINT
            what = "terminated (SIGTERM)" if signum == signal.SIGTERM else "interrupted (SIGINT)"
            _say(f"policeonto: {what}; unfinished output files were discarded", err=True)
            ctx.exit(128 + signum)


@click.group(cls=_Interruptible, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policeonto")
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
def main(debug: bool) -> None:
    """policeonto: the common policing ontology and its tools."""


@main.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any artefact would change.")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), help="Project directory.")
@summary_options()
@_guarded
def build(check: bool, root: Path | None, voice: Voice) -> int:
    """Regenerate the OWL, SHACL, SKOS code lists, JSON-LD context and Python classes from the schema."""
    from policeonto.build import build as run_build

    result = run_build(root, check=check)
    for artefact in result.artefacts:
        state = "changed" if artefact.path in result.changed else "up to date"
        if check and state == "changed":
            voice.problem(f"{artefact.path}: would be changed")
        else:
            voice.say(f"{artefact.path}: {state}")
    voice.say(f"{len(result.artefacts)} artefacts in {result.seconds:.1f} s")
    voice.data(
        {
            "artefacts": [{"path": str(a.path), "changed": a.path in result.changed} for a in result.artefacts],
            "check": check,
            "seconds": round(result.seconds, 3),
        }
    )
    if check and result.changed:
        _say("generated artefacts are out of date: run `policeonto build`", err=True)
        return EXIT_PROBLEMS
    return EXIT_OK


@main.command()
@click.argument("old")
@click.argument("new", default="src/policeonto/schema", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@_guarded
def diff(old: str, new: str, fmt: str) -> int:
    """Compare two releases of the schema (each a schema file, a folder or a git revision such as v0.1.0; NEW
    defaults to the working tree's schema): terms and codes added, removed, deprecated and changed, and
    whether data valid under OLD stays valid under NEW (exit 0) or not (exit 1)."""
    from policeonto.releases import diff_releases
    from policeonto.releases.render import as_json, as_markdown, as_text

    result = diff_releases(old, new, root=Path.cwd())
    render = {"text": as_text, "json": as_json, "markdown": as_markdown}[fmt]
    _say(render(result), keep="\n")
    return EXIT_OK if result.compatible else EXIT_PROBLEMS


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
            _say(f"{name.replace('_', ' '):>20}  {value}")
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
            _say(f"{finding.severity.value:7} {finding.code:28} {finding.message}")
        for problem in problems:
            _say(f"error   {'inconsistent':28} {problem}")
        summary = ", ".join(f"{n} {code}" for code, n in sorted(counts.items())) or "no findings"
        _say(
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
@syntax_option(default="ttl")
@click.option("--no-validate", is_flag=True, help="Do not check the RDF against the SHACL shapes.")
@limit_option
@summary_options()
@_guarded
def convert(
    inputs: tuple[Path, ...], output: Path | None, syntax: str, no_validate: bool, limits: Any, voice: Voice
) -> int:
    """Turn records in YAML or JSON into RDF and check it against the SHACL shapes."""
    from policeonto.conversion import convert as run_convert
    from policeonto.conversion import output_targets, serialise
    from policeonto.output import atomic_output, refuse_clashes

    rdf_format = RdfFormat(syntax)
    targets = output_targets(inputs, output, rdf_format)
    refuse_clashes(inputs=inputs, outputs=targets)
    voice = voice.to_stderr()  # standard output may carry the RDF
    failed, done = 0, []
    for source, target in zip(inputs, targets, strict=True):
        if target is None:
            result = run_convert(source, validate=not no_validate, limits=limits)
            click.echo(serialise(result.graph, rdf_format))
        else:
            with atomic_output(target) as sink:  # opened first: an unwritable target fails before the work
                result = run_convert(source, validate=not no_validate, limits=limits)
                sink.write(serialise(result.graph, rdf_format).encode("utf-8"))
            voice.say(f"{source}: {result.triples} triples -> {target}")
        done.append(
            {
                "source": str(source),
                "output": None if target is None else str(target),
                "triples": result.triples,
                "conforms": None if no_validate else result.conforms,
                "violations": [
                    {"focus_node": f, "path": where, "constraint": c, "message": m}
                    for f, where, c, m in result.violations
                ],
            }
        )
        if not result.conforms:
            failed += 1
            for focus, path, component, message in result.violations:
                voice.problem(f"{source}: {focus} {path} {component.rsplit('#', 1)[-1]}: {message}")
        elif not no_validate:
            voice.say(f"{source}: conforms to the SHACL shapes")
    voice.data({"files": done})
    return EXIT_PROBLEMS if failed else EXIT_OK


@main.command(name="mappings")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--explain", is_flag=True, help="For each FILE, how each mapping fits its header, and which is chosen.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@mapping_options(choose=False)
@_guarded
def list_mappings_command(files: tuple[Path, ...], explain: bool, fmt: str, catalogue: MappingCatalogue) -> int:
    """List the mappings, the folder each comes from (and those it shadows) and the columns each recognises;
    with --explain, how each mapping fits each FILE and which is chosen.

    Folders are searched in order: those given with --mappings, those of POLICEONTO_MAPPINGS, the bundled one.
    With --explain the exit code is 1 when a file would be refused (no fit, a weak fit, or a tie).
    """
    from policeonto.mapping import list_mappings

    if explain != bool(files):
        raise click.UsageError("--explain needs files, and files need --explain")
    if explain:
        from policeonto.mapping.recognition import explain_files

        explained = explain_files(files, list_mappings(catalogue=catalogue))
        if fmt == "json":
            click.echo(json.dumps({"files": [r.as_dict() for r in explained]}, indent=2))
        else:
            for line in (line for r in explained for line in r.lines()):
                _say(line)
        return EXIT_PROBLEMS if any(r.refusal for r in explained) else EXIT_OK
    from policeonto.mapping.listing import catalogue_lines, catalogue_values

    if fmt == "json":
        click.echo(json.dumps(catalogue_values(catalogue), indent=2))
    else:
        for line in catalogue_lines(catalogue):
            _say(line)
    return EXIT_OK


@main.command(name="map")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@mapping_options()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Output file (default: stdout).")
@syntax_option(default=None)
@click.option("--base", default=None, help="Base IRI of instance IRIs.")
@click.option("--force", "force", help="Publishing force code, when the file name does not say.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="Write the summary as JSON here.")
@limit_option
@executor_options
@summary_options()
@_guarded
def map_command(
    inputs: tuple[Path, ...],
    mapping: tuple[str, ...] | None,
    catalogue: MappingCatalogue,
    output: Path | None,
    syntax: str | None,
    base: str | None,
    force: str | None,
    report: Path | None,
    limits: Any,
    executor: Any,
    voice: Voice,
) -> int:
    """Map force exports onto the shared vocabulary and write RDF.

    Exit 0 when every row mapped cleanly, 1 when rows were rejected or values dropped, 2 when a file
    cannot be mapped at all.
    """
    from policeonto.mapping.cli_support import run_map

    _refuse_clashes(inputs, [output, report], mapping=mapping, catalogue=catalogue)
    return run_map(
        inputs,
        mapping=mapping,
        catalogue=catalogue,
        output=output,
        syntax=syntax,
        base=base,
        force=force,
        report=report,
        voice=voice,
        limits=limits,
        executor=executor,
    )


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@mapping_options()
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
    "--select", multiple=True, callback=code_prefixes, help="Only findings whose code starts with this (repeatable)."
)
@click.option(
    "--ignore", multiple=True, callback=code_prefixes, help="Drop findings whose code starts with this (repeatable)."
)
@limit_option
@executor_options
@summary_options(formats=("text", "json", "html", "csv", "shacl"))
@_guarded
def validate(
    inputs: tuple[Path, ...],
    mapping: tuple[str, ...] | None,
    catalogue: MappingCatalogue,
    output: Path | None,
    engine: str,
    max_issues: int | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    limits: Any,
    executor: Any,
    voice: Voice,
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
            catalogue=catalogue,
            engine=Engine(engine),
            max_issues=max_issues,
            select=select,
            ignore=ignore,
            options=MapOptions(limits=limits),
            executor=executor,
        )
        return report.valid, render(report, voice.format, quiet=voice.quiet, verbose=voice.verbose)

    _refuse_clashes(inputs, [output], mapping=mapping, catalogue=catalogue)
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
_deadline_option = click.option(
    "--deadline",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="SECONDS",
    help="Give a server this long to answer each request in full (an upload: one more second per MiB) [default: 300]",
)


def _say_retry(notice: object) -> None:
    _say(f"policeonto: {notice}", err=True)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--store", "location", default=None, help=_STORE_HELP + "  [default: out/store]")
@click.option("--graph", help="Named graph for a single input (default: the input's dataset IRI).")
@mapping_options()
@click.option("--no-validate", is_flag=True, help="Load without validating first.")
@click.option("--load-invalid", is_flag=True, help="Load inputs even when validation finds errors.")
@limit_option
@click.option(
    "--resume",
    is_flag=True,
    help="Finish a load that failed: drop staging graphs left behind, keep datasets already loaded.",
)
@click.option("--retries", type=click.IntRange(min=0), default=5, show_default=True, help=_RETRIES_HELP)
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True, help=_WAIT_HELP)
@_deadline_option
@executor_options
@summary_options()
@_guarded
def load(
    inputs: tuple[Path, ...],
    location: str | None,
    graph: str | None,
    mapping: tuple[str, ...] | None,
    catalogue: MappingCatalogue,
    no_validate: bool,
    load_invalid: bool,
    limits: Any,
    resume: bool,
    retries: int,
    wait: float,
    deadline: float | None,
    executor: Any,
    voice: Voice,
) -> int:
    """Validate, map and load exports, RDF and records in YAML into a store, one named graph per input.

    Exit 0 all loaded, 1 some input was invalid (and not loaded unless --load-invalid), 2 cannot run,
    130 interrupted (no graph is left half-loaded).
    """
    from policeonto.mapping import MapOptions
    from policeonto.store import embedded_folder, open_store
    from policeonto.store.base import check_graph
    from policeonto.store.jobs import load_inputs

    folder = embedded_folder(location)
    stored = (folder,) if folder else ()  # no input, nor mapping, in the store
    _refuse_clashes(inputs, [], mapping=mapping, catalogue=catalogue, output_folders=stored)
    if graph is not None:
        check_graph(graph)  # before the store is made
    store = open_store(location, retries=retries, wait=wait, on_retry=_say_retry, limits=limits, deadline=deadline)
    try:
        done = load_inputs(
            store,
            inputs,
            graph=graph,
            mapping=mapping,
            catalogue=catalogue,
            check=not no_validate,
            load_invalid=load_invalid,
            options=MapOptions(limits=limits),
            resume=resume,
            executor=executor,
        )
    finally:
        store.close()
    for item in done:
        state = "invalid, " if item.valid is False else ""
        if item.kept:
            voice.say(f"{item.source}: {state}already loaded, {item.triples:,} triples in <{item.graph}>")
        elif item.loaded and item.valid is False:
            voice.problem(f"{item.source}: {state}{item.triples:,} triples in <{item.graph}>")
        elif item.loaded:
            voice.say(f"{item.source}: {state}{item.triples:,} triples in <{item.graph}>")
        elif item.valid is False:
            voice.problem(f"{item.source}: invalid ({item.findings} findings; {item.reason}), not loaded")
        else:
            voice.problem(f"{item.source}: not loaded: {item.reason}")
    voice.say(f"store: {store.location}")
    voice.data({"store": store.location, "files": [dataclasses.asdict(item) for item in done]})
    return EXIT_PROBLEMS if any(item.valid is False for item in done) else EXIT_OK


@main.command()
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--query", "text", help="The query itself, instead of a .rq file.")
@click.option("--store", "location", default=None, help=_STORE_HELP + "  [default: out/store]")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--retries", type=click.IntRange(min=0), default=5, show_default=True, help=_RETRIES_HELP)
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True, help=_WAIT_HELP)
@click.option(
    "--federate",
    metavar="URL",
    multiple=True,
    help="Let SERVICE reach this endpoint (repeatable); any other SERVICE is refused before the query runs.",
)
@_deadline_option
@limit_option
@_guarded
def query(
    file: Path | None,
    text: str | None,
    location: str | None,
    fmt: str,
    retries: int,
    wait: float,
    federate: tuple[str, ...],
    deadline: float | None,
    limits: Any,
) -> int:
    """Run a SPARQL query (a .rq FILE or --query TEXT) over every graph in a store, opened read-only.

    The query reaches no other endpoint unless --federate names it."""
    from policeonto.store import open_store, render
    from policeonto.store.query_file import read_query

    if (file is None) == (text is None):
        raise click.UsageError("give a query file or --query, not both" if file else "give a query file or --query")
    sparql = text if text is not None else read_query(file)
    store = open_store(
        location,
        retries=retries,
        wait=wait,
        on_retry=_say_retry,
        create=False,
        read_only=True,
        limits=limits,
        deadline=deadline,
    )
    try:
        result = store.query(sparql, federate=federate)
    finally:
        store.close()
    click.echo(render(result, fmt), nl=False)
    return EXIT_OK


@main.command()
@click.option(
    "-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path("site"), show_default=True
)
@click.option("--mermaid", type=click.Path(dir_okay=False, path_type=Path), help="The Mermaid script to ship.")
@mapping_options(choose=False)
@summary_options()
@_guarded
def docs(output: Path, mermaid: Path | None, catalogue: MappingCatalogue, voice: Voice) -> int:
    """Build the documentation site (static HTML) from the schema, shapes and mappings (those of --mappings
    and POLICEONTO_MAPPINGS too, each shadowing a bundled mapping of its name)."""
    from policeonto.docs.site import build_site

    summary = build_site(output, mermaid=mermaid, catalogue=catalogue)
    voice.say(f"{summary.pages} pages written to {summary.output} in {summary.seconds:.1f} s")
    voice.data({"output": str(summary.output), "pages": summary.pages, "seconds": round(summary.seconds, 3)})
    return EXIT_OK


def _guard(command: click.Command) -> click.Command:
    """*command*, or each command of a group, guarded as every command is."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _guard(sub)
    elif command.callback is not None:
        command.callback = _guarded(command.callback)
    return command


#: Commands that live in modules of their own: (module, command).
_MODULE_COMMANDS = (
    ("policeonto.cli_scaffold", "scaffold"),
    ("policeonto.cli_agreement", "agreement"),
    ("policeonto.cli_share", "share"),
    ("policeonto.cli_assess", "assess"),
    ("policeonto.cli_link", "link"),
)

for _module, _name in _MODULE_COMMANDS:
    main.add_command(_guard(getattr(importlib.import_module(_module), _name)))
