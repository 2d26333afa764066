"""``policeonto scaffold``: draft a mapping folder for an export never seen (a thin shell over
:func:`policeonto.scaffold.draft_mapping`)."""

from __future__ import annotations

from pathlib import Path

import click

from policeonto.cli_options import Voice, limit_option, summary_options
from policeonto.errors import OutputPathError
from policeonto.limits import Limits

__all__ = ["scaffold"]


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True, help="The folder to write."
)
@click.option("--name", help="The mapping's name (default: the export's folder name).")
@click.option(
    "--rows",
    "max_rows",
    type=click.IntRange(min=1),
    default=200_000,
    show_default=True,
    help="Rows of each table profiled at most.",
)
@limit_option
@summary_options()
def scaffold(
    inputs: tuple[Path, ...], output: Path, name: str | None, max_rows: int, limits: Limits, voice: Voice
) -> int:
    """Draft a mapping for an export never seen (CSV files, JSON exports): a source schema, a
    transformation per table, a crosswalk per coded column and a README of what to review, in OUTPUT.
    Map with it as it is: policeonto map --mappings OUTPUT EXPORT..."""
    from policeonto.scaffold import draft_mapping, render, write_draft

    draft = draft_mapping(inputs, name=name, max_rows=max_rows, limits=limits)
    existing = sorted(relative for relative in render(draft) if (output / relative).exists())
    if existing:
        more = f" (and {len(existing) - 1} more of the draft's files)" if len(existing) > 1 else ""
        raise OutputPathError(f"it exists{more}; remove it or choose another folder", folder=output, name=existing[0])
    written = write_draft(draft, output)
    placed = sum(len(p.suggestions) for p in draft.plans)
    unplaced = sum(len(p.unplaced) for p in draft.plans)
    unmatched = sum(len(c.unmatched) for c in draft.crosswalks)
    for plan in draft.plans:
        voice.say(
            f"{plan.table.path.name}: {plan.table.name} -> {plan.target_class}, "
            f"{len(plan.suggestions)} of {len(plan.table.columns)} columns placed"
        )
    voice.say(
        f"{len(written)} files written to {output}: {placed} columns placed, {unplaced} not, "
        f"{len(draft.crosswalks)} crosswalks, {unmatched} coded values unmatched; review {output / 'README.md'}"
    )
    voice.data(
        {
            "output": str(output),
            "name": draft.name,
            "files": [str(p) for p in written],
            "tables": [
                {
                    "file": str(p.table.path),
                    "table": p.table.name,
                    "class": p.target_class,
                    "columns": {s.column: f"{s.target_class}.{s.slot}" for s in p.suggestions},
                    "unplaced": [h for h, _ in p.unplaced],
                }
                for p in draft.plans
            ],
            "unmatched": {f"{c.table}/{c.column}": [m.value for m in c.unmatched] for c in draft.crosswalks},
        }
    )
    return 0
