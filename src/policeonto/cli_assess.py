"""``policeonto assess``: the interoperability maturity of a system's exports, scored from the evidence of
one mapping-and-validation pass and an answers file (a thin shell over :mod:`policeonto.assessment`)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from policeonto.cli_options import Voice, executor_options, limit_option, mapping_options, summary_options
from policeonto.limits import Limits
from policeonto.mapping import MappingCatalogue, MappingChoice
from policeonto.scale.executor import Executor

__all__ = ["assess"]


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@mapping_options()
@click.option(
    "--answers",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A YAML file answering the attested items (item id: true or false).",
)
@click.option(
    "--criteria",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A criteria file of your own (default: the bundled criteria).",
)
@click.option(
    "--agreements",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="A sharing agreement in force (ODRL Turtle, JSON-LD or YAML), or a folder of them; repeatable.",
)
@click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The assessment date (YYYY-MM-DD) agreements and review dates are judged on (default: today).",
)
@click.option(
    "--compare",
    "earlier",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An earlier assessment's JSON report: show the change since then.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
@limit_option
@executor_options
@summary_options(formats=("text", "json", "html", "dqv"))
def assess(
    inputs: tuple[Path, ...],
    mapping: MappingChoice,
    catalogue: MappingCatalogue,
    answers: Path | None,
    criteria: Path | None,
    agreements: tuple[Path, ...],
    on: datetime | None,
    earlier: Path | None,
    output: Path | None,
    limits: Limits,
    executor: Executor,
    voice: Voice,
) -> int:
    """Assess the interoperability maturity of a system's exports (INPUT files): foundational, structural,
    semantic and organisational levels, each scored from 0 to 1 against its gate. Exit 1 when the exports
    do not reach the foundational level."""
    from policeonto.assessment import gather, read_answers, read_criteria, score
    from policeonto.assessment.compare import compare, compare_lines, read_report
    from policeonto.assessment.html import render_html
    from policeonto.assessment.reports import as_dict, as_dqv, text_lines
    from policeonto.output import write_atomically

    chosen = read_criteria(criteria)
    answered = read_answers(answers) if answers is not None else {}
    before = read_report(earlier) if earlier is not None else None
    day = on.date() if on is not None else None
    evidence = gather(
        inputs, mapping=mapping, catalogue=catalogue, limits=limits, agreements=agreements, on=day, executor=executor
    )
    assessment = score(chosen, evidence, answered)
    if voice.format == "dqv":
        report = as_dqv(assessment).serialize(format="turtle")
    elif voice.format == "html":
        report = render_html(assessment)
    elif voice.format == "json":
        data = as_dict(assessment)
        report = json.dumps(data if before is None else {**data, "change": compare(before, assessment)}, indent=2)
    else:
        change = [] if before is None else compare_lines(compare(before, assessment))
        report = "\n".join([*text_lines(assessment, verbose=voice.verbose), *change])
    if output is not None:
        write_atomically(output, report)
        voice.to_stderr().say(f"{output}: at level {assessment.at_level or 'none'}")
    elif voice.format == "text":
        for line in report.splitlines():
            voice.say(line)
    else:
        click.echo(report)
    return 0 if assessment.at_level is not None else 1
