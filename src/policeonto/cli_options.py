"""The options every command shares, so that one word means one thing across the CLI.

- ``--format text|json``: how a command gives its summary (``validate`` adds its report formats, ``query``
  its result formats). JSON is for programs: one document, nothing else on that stream.
- ``-q``/``--quiet``: print only what is wrong (rejected rows, error findings, files not loaded).
- ``-v``/``--verbose``: print the detail too (every file, every kept finding).
- ``--syntax ttl|nt|jsonld``: the RDF syntax a command writes (``map``, ``convert``).
- ``--limit NAME=SIZE``: the limits on what is read.
- ``--mappings DIR``: a folder of mappings of one's own, searched before the bundled ones; ``--mapping``: the
  mapping (or mappings) to read tabular inputs with.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any

import click

from policeonto.rdf_formats import RdfFormat
from policeonto.terminal import visible

__all__ = [
    "Voice",
    "code_prefixes",
    "executor_options",
    "limit_option",
    "mapping_options",
    "summary_options",
    "syntax_option",
]


@dataclass(frozen=True)
class Voice:
    """How a command speaks: its summary as text or JSON, to standard output or (when standard output
    carries data, such as RDF) to standard error, and how much of it. Text from input is shown, never
    obeyed: control characters are escaped (a line break too, unless *keep* holds it)."""

    format: str = "text"
    quiet: bool = False
    verbose: bool = False
    err: bool = False

    def say(self, line: str, *, keep: str = "") -> None:
        """A line of the text summary (not with -q)."""
        if self.format == "text" and not self.quiet:
            click.echo(visible(line, keep=keep), err=self.err)

    def detail(self, line: str) -> None:
        """A line of the text summary shown only with -v."""
        if self.format == "text" and self.verbose:
            click.echo(visible(line), err=self.err)

    def problem(self, line: str) -> None:
        """A line saying what is wrong: always shown in the text summary, -q or not."""
        if self.format == "text":
            click.echo(visible(line), err=self.err)

    def data(self, value: object) -> None:
        """The summary as one JSON document (only with --format json)."""
        if self.format == "json":
            click.echo(json.dumps(value, indent=2), err=self.err)

    def to_stderr(self) -> Voice:
        """The same voice on standard error (standard output carries the command's data)."""
        return Voice(self.format, self.quiet, self.verbose, err=True)


def _refuse_syntax(_ctx: click.Context, param: click.Parameter, value: str) -> str:
    """``--format ttl`` (the old spelling) is told where the RDF syntax went, not just that it is wrong."""
    if value in {f.value for f in RdfFormat}:
        raise click.BadParameter(
            f"--format is the summary's format (text or json); the RDF syntax is --syntax {value}", param=param
        )
    return value


def summary_options(
    *, formats: tuple[str, ...] = ("text", "json"), quiet: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add ``--format`` (*formats*), and ``-q``/``-v`` unless *quiet* is false, to a command; it is given
    ``voice=``, a :class:`Voice`, in their place."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(command)
        def run(*args: Any, fmt: str, quiet: bool = False, verbose: bool = False, **kwargs: Any) -> Any:
            if quiet and verbose:
                raise click.UsageError("-q and -v ask for less and more: give one")
            return command(*args, voice=Voice(fmt, quiet, verbose), **kwargs)

        options = [
            click.option(
                "--format",
                "fmt",
                metavar="[" + "|".join(formats) + "]",
                default=formats[0],
                show_default=True,
                callback=_one_of(formats),
                help="How the summary is given.",
            )
        ]
        if quiet:
            options += [
                click.option("-q", "--quiet", is_flag=True, help="Print only what is wrong."),
                click.option("-v", "--verbose", is_flag=True, help="Print every detail too."),
            ]
        for option in reversed(options):
            run = option(run)
        return run

    return decorate


def _one_of(formats: tuple[str, ...]) -> Callable[[click.Context, click.Parameter, str], str]:
    def check(ctx: click.Context, param: click.Parameter, value: str) -> str:
        value = _refuse_syntax(ctx, param, value)
        if value not in formats:
            raise click.BadParameter(f"{value!r} is not one of {', '.join(map(repr, formats))}", param=param)
        return value

    return check


def syntax_option(*, default: str | None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--syntax``: the RDF syntax written (*default*, or when None, from -o's extension, else N-Triples)."""
    return click.option(
        "--syntax",
        type=click.Choice([f.value for f in RdfFormat]),
        default=default,
        show_default=default is not None,
        help="The RDF syntax written." + ("" if default else " Default: from -o's extension, else nt."),
    )


def _parse_limits(_ctx: click.Context, _param: click.Parameter, settings: tuple[str, ...]) -> Any:
    from policeonto.limits import LimitError, Limits

    try:
        return Limits.parse(settings)
    except LimitError as exc:
        raise click.BadParameter(str(exc)) from exc


limit_option = click.option(
    "--limit",
    "limits",
    multiple=True,
    metavar="NAME=SIZE",
    callback=_parse_limits,
    help="Raise or lower a limit on what is read (repeatable): file-size (default 2G), line-size (16M), "
    "field-size (4M), iri-size (8K), columns per table (2000), answer-size (256M, an answer from a SPARQL server).",
)


def code_prefixes(_ctx: click.Context, param: click.Parameter, prefixes: tuple[str, ...]) -> tuple[str, ...]:
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


def _catalogue(_ctx: click.Context, _param: click.Parameter, folders: tuple[Path, ...]) -> Any:
    from policeonto.errors import MappingSpecError
    from policeonto.mapping.catalogue import MappingCatalogue

    try:
        return MappingCatalogue.search(folders)
    except MappingSpecError as exc:  # a folder of POLICEONTO_MAPPINGS (click checks --mappings' own)
        raise click.UsageError(str(exc)) from exc


def _chosen(_ctx: click.Context, _param: click.Parameter, names: tuple[str, ...]) -> tuple[str, ...] | None:
    return names or None


def mapping_options(*, choose: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add ``--mappings DIR`` (repeatable) to a command, which is given ``catalogue=``, a
    :class:`~policeonto.mapping.catalogue.MappingCatalogue`: those folders, then ``POLICEONTO_MAPPINGS``'s,
    then the bundled one. Unless *choose* is false, add ``--mapping`` (repeatable) too, given as ``mapping=``:
    the names or ``.transform.yaml`` paths given, or None."""
    options = [
        click.option(
            "--mappings",
            "catalogue",
            multiple=True,
            metavar="DIR",
            type=click.Path(exists=True, file_okay=False, path_type=Path),
            callback=_catalogue,
            help="A folder of mappings of your own, searched before the folders of POLICEONTO_MAPPINGS and the "
            "bundled mappings (repeatable; the first folder holding a mapping of a name wins).",
        )
    ]
    if choose:
        options.insert(
            0,
            click.option(
                "--mapping",
                "mapping",
                multiple=True,
                metavar="NAME|FILE",
                callback=_chosen,
                help="The mapping for tabular inputs: a name, or a .transform.yaml file (default: recognised from "
                "each file's header). Give it again to have each file recognised among those given.",
            ),
        )

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def executor_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--workers N``, ``--scheduler ADDRESS`` and ``--chunk-rows N`` to a command, which is given
    ``executor=``, a :class:`~policeonto.scale.Executor`: where its files are mapped (this process when
    neither of the first two is given)."""

    @click.option(
        "--workers",
        type=click.IntRange(min=1),
        metavar="N",
        help="Run the files as tasks of a Dask cluster of N worker processes started for the run.",
    )
    @click.option(
        "--scheduler",
        metavar="ADDRESS",
        help="Run the files as tasks of the running Dask cluster whose scheduler is at ADDRESS (tcp://host:8786).",
    )
    @click.option(
        "--chunk-rows",
        type=click.IntRange(min=1),
        metavar="N",
        help="On a Dask cluster, map a CSV file of more rows in chunks of about N rows, each a task "
        "[default: 250,000].",
    )
    @wraps(command)
    def run(*args: Any, workers: int | None, scheduler: str | None, chunk_rows: int | None, **kwargs: Any) -> Any:
        from policeonto.scale import Executor

        if workers is not None and scheduler is not None:
            raise click.UsageError("give --workers or --scheduler, not both")
        chunks = {} if chunk_rows is None else {"chunk_rows": chunk_rows}
        return command(*args, executor=Executor(workers=workers, scheduler=scheduler, **chunks), **kwargs)

    return run
