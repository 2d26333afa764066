"""``policeonto share``: a recipient's copy of records under an information sharing agreement, and its
manifest (a thin shell over :func:`policeonto.sharing.share.share`)."""

from __future__ import annotations

from pathlib import Path

import click
import polars as pl

from policeonto.cli_options import (
    Voice,
    executor_options,
    limit_option,
    mapping_options,
    summary_options,
    syntax_option,
)
from policeonto.limits import Limits
from policeonto.mapping.catalogue import MappingCatalogue
from policeonto.mapping.spec import MappingChoice
from policeonto.scale.executor import Executor
from policeonto.sharing.agreement import Agreement

__all__ = ["share"]


@click.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--store", "location", help="Share the records of this store (a folder or a SPARQL server's URL) instead."
)
@click.option(
    "--agreement",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The agreement: an ODRL policy (Turtle, JSON-LD) or its YAML form.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="The copy to write.")
@syntax_option(default=None)
@click.option(
    "--key-file", type=click.Path(dir_okay=False, path_type=Path), help="Read the pseudonymisation key from this file."
)
@click.option("--key-env", metavar="NAME", help="Read the pseudonymisation key from this environment variable.")
@click.option("--dry-run", is_flag=True, help="Write nothing; say what would leave and why, field by field.")
@click.option(
    "--resolve",
    metavar="PSEUDONYM",
    help="Say what a pseudonym of the agreement stands for (needs the key); the act is added to -o's record.",
)
@click.option("--agent", metavar="IRI", help="Who shares, for the manifest (default: the agreement's assigner).")
@mapping_options()
@limit_option
@executor_options
@summary_options()
def share(
    inputs: tuple[Path, ...],
    location: str | None,
    agreement: Path,
    output: Path | None,
    syntax: str | None,
    key_file: Path | None,
    key_env: str | None,
    dry_run: bool,
    resolve: str | None,
    agent: str | None,
    mapping: MappingChoice,
    catalogue: MappingCatalogue,
    limits: Limits,
    executor: Executor,
    voice: Voice,
) -> int:
    """Share INPUTS (exports, RDF, records in YAML), or the records of a --store, under an AGREEMENT: write
    the recipient's copy to OUTPUT and its manifest beside it (OUTPUT.manifest.ttl). What the agreement does
    not permit does not leave; the copy is checked against the agreement's closed profile and not written
    if it fails.

    The key (at least 32 bytes) is read from --key-file or the variable --key-env names, never from the
    command line; it is needed when the agreement pseudonymises.

    Exit 0 shared, 1 shared but rows of the exports were rejected in mapping (as policeonto map), 2 cannot
    run (a bad agreement or key, a copy that breaks its profile: nothing written).
    """
    from policeonto.mapping import MapOptions
    from policeonto.output import refuse_clashes
    from policeonto.rdf_formats import RdfFormat
    from policeonto.sharing.keys import read_key
    from policeonto.sharing.reading import read_agreement
    from policeonto.sharing.records import read_records_for_share, read_store_for_share
    from policeonto.sharing.share import manifest_path, share_records
    from policeonto.store import embedded_folder, open_store

    if bool(inputs) == (location is not None):
        raise click.UsageError("give the inputs or --store, one of them")
    if output is None and not dry_run:
        raise click.UsageError("give the copy's file (or with --resolve, the record's) with -o, or ask for --dry-run")
    if resolve is not None and (dry_run or (key_file is None and key_env is None)):
        raise click.UsageError("--resolve needs the key (--key-file or --key-env), and no --dry-run")
    chosen = [Path(name) for name in mapping or () if Path(name).suffix]
    folder = embedded_folder(location) if location is not None else None
    refuse_clashes(
        inputs=[*inputs, agreement, *chosen, *([key_file] if key_file is not None else [])],
        outputs=[] if output is None else [output] if resolve is not None else [output, manifest_path(output)],
        input_folders=[*(path.parent for path in chosen), *catalogue.paths, *([folder] if folder else [])],
    )
    fmt = RdfFormat(syntax) if syntax else RdfFormat.from_extension(output) if output else RdfFormat.NTRIPLES
    terms = read_agreement(agreement)
    key = read_key(key_file=key_file, key_env=key_env) if key_file is not None or key_env is not None else None
    if location is not None:
        with open_store(location, create=False, read_only=True, limits=limits) as store:
            records = read_store_for_share(store)
    else:
        records = read_records_for_share(
            list(inputs), mapping=mapping, catalogue=catalogue, options=MapOptions(limits=limits), executor=executor
        )
    if resolve is not None:
        assert output is not None and key is not None
        return _resolve(records.triples, terms, key, resolve, output, agent=agent or terms.assigner, voice=voice)
    if dry_run:
        from datetime import UTC, datetime

        from policeonto.sharing.explain import explain
        from policeonto.sharing.keys import AgreementKey
        from policeonto.sharing.share import make_copy

        derived = None if key is None else AgreementKey.derive(key, terms.iri)
        copy = make_copy(records.triples, terms, key=derived, today=datetime.now(UTC).date())
        for line in explain(copy, terms):
            voice.say(line)
        return 0
    assert output is not None
    result = share_records(records, terms, output, key=key, fmt=fmt, agent=agent)
    facts, mapped = result.facts, result.map_result
    voice.say(f"{facts.records_shared:,} records shared ({facts.triples_shared:,} triples) -> {result.copy}")
    for reason, count in sorted(facts.withheld.items()):
        voice.say(f"  withheld {count:,}: {reason}")
    for cls, count in sorted(facts.parts_withheld.items()):
        voice.detail(f"  parts left behind {count:,}: {cls}")
    for reason, count in sorted(facts.dropped.items()):
        voice.detail(f"  values left out {count:,}: {reason}")
    for what, count in sorted(facts.generalised.items()):
        voice.say(f"  generalised {count:,}: {what}")
    for what, count in sorted(facts.not_generalised.items()):
        voice.say(f"  withheld, not generalisable {count:,}: {what}")
    for table, count in sorted(facts.suppressed_cells.items()):
        voice.say(f"  cells suppressed {count:,}: {table}")
    if mapped.files:
        line = f"  rows read {mapped.rows_read:,}, mapped {mapped.rows_mapped:,}, rejected {mapped.rows_rejected:,}"
        if mapped.rows_rejected:
            voice.problem(line)
        else:
            voice.say(line)
        for reason, count in sorted(mapped.rejected_by_reason.items()):
            voice.problem(f"    rejected {count:,}: {reason}")
    voice.say(f"manifest: {result.manifest}")
    voice.data(
        {
            "copy": str(result.copy),
            "manifest": str(result.manifest),
            "agreement": facts.agreement,
            "copy_sha256": facts.copy_sha256,
            "records_shared": facts.records_shared,
            "triples_shared": facts.triples_shared,
            "pseudonymised": facts.pseudonymised,
            "withheld": dict(sorted(facts.withheld.items())),
            "parts_withheld": dict(sorted(facts.parts_withheld.items())),
            "dropped": dict(sorted(facts.dropped.items())),
            "generalised": dict(sorted(facts.generalised.items())),
            "not_generalised": dict(sorted(facts.not_generalised.items())),
            "suppressed_cells": dict(sorted(facts.suppressed_cells.items())),
            "rows_read": mapped.rows_read,
            "rows_mapped": mapped.rows_mapped,
            "rows_rejected": mapped.rows_rejected,
        }
    )
    return 1 if mapped.rows_rejected else 0


def _resolve(
    triples: pl.DataFrame, agreement: Agreement, key: bytes, pseudonym: str, record: Path, *, agent: str, voice: Voice
) -> int:
    """Resolve *pseudonym*, add the act to *record* (a Turtle file, appended to), say what it stands for."""
    from datetime import UTC, datetime

    from policeonto.sharing.keys import AgreementKey
    from policeonto.sharing.resolve import resolution_record, resolve

    when = datetime.now(UTC).replace(microsecond=0)
    found = resolve(triples, agreement, AgreementKey.derive(key, agreement.iri), pseudonym, today=when.date())
    act = resolution_record(
        agreement=agreement.iri, agent=agent, pseudonym=pseudonym, found=found is not None, when=when
    )
    with record.open("a", encoding="utf-8") as handle:  # a record of every resolution, kept
        handle.write(act.serialize(format="turtle"))
    if found is None:
        voice.problem(f"{pseudonym}: no record or value of the inputs has this pseudonym under {agreement.iri}")
        return 1
    voice.say(found)
    voice.data({"pseudonym": pseudonym, "resolved": found, "record": str(record)})
    return 0
