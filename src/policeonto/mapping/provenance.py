"""What a mapping run says of each file it maps: the values its rows share (base, dataset and run IRIs,
publishing force) and the PROV-O description of the source dataset and of the run."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from policeonto import __version__
from policeonto.errors import OptionError
from policeonto.mapping.reader import SourceFile
from policeonto.mapping.spec import Mapping
from policeonto.vocab import POLE, schema_view

__all__ = ["check_base", "file_context", "file_force", "provenance_graph"]


def check_base(base: str) -> str:
    """*base*, if it is an absolute IRI ending with ``/`` or ``#``.

    Raises:
        OptionError: it is not.
    """
    if not re.match(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]*[/#]$", base, re.IGNORECASE):
        raise OptionError(f"base IRI {base!r} must be an absolute IRI ending with / or #", option="base", value=base)
    return base


def file_force(mapping: Mapping, path: Path) -> str | None:
    """The force a file's name gives, if the mapping's file-name pattern has a ``force`` group."""
    groups = mapping.file_name.groups(path.name) if mapping.file_name is not None else None
    return groups.get("force") if groups else None


def _force_codes() -> dict[str, str]:
    """Police force code -> its IRI."""
    enum = schema_view().get_enum("PoliceForceCode")
    return {text: schema_view().expand_curie(pv.meaning) for text, pv in enum.permissible_values.items()}


def file_context(source: SourceFile, mapping: Mapping, *, base: str, force: str | None, run: str) -> dict[str, str]:
    """The values every row of *source* shares: base, dataset and run IRIs, file key, publishing force
    (*force*, else the one the file name gives).

    Raises:
        OptionError: *force* is not a police force code. A force named by the file name that is not a code
            is left out (the stream reports it).
    """
    forces = _force_codes()
    if force is not None and force not in forces:
        raise OptionError(
            f"force {force!r} is not a police force code (such as kent, metropolitan)", option="force", value=force
        )
    force = force or file_force(mapping, source.path)
    key = re.sub(r"[^a-z0-9]+", "-", source.path.stem.lower()).strip("-") or "data"
    return {
        "base": base,
        "dataset": f"{base}dataset/{source.sha256}",
        "run": run,
        "dataset_key": key,
        "publisher": force if force in forces else None,
    }


def provenance_graph(
    source: SourceFile, mapping: Mapping, context: dict[str, str], rows: int, started: datetime
) -> Graph:
    """The PROV-O description of the source file (a SourceDataset) and of the mapping run."""
    g = Graph()
    dataset, run = URIRef(context["dataset"]), URIRef(context["run"])
    g.add((dataset, RDF.type, POLE.SourceDataset))
    g.add((dataset, POLE.file_name, Literal(source.path.name)))
    g.add((dataset, POLE.sha256, Literal(source.sha256)))
    g.add((dataset, POLE.media_type, Literal(context.get("media_type", "text/csv"))))
    g.add((dataset, POLE.byte_size, Literal(source.size, datatype=XSD.integer)))
    g.add((dataset, POLE.row_count, Literal(rows, datatype=XSD.integer)))
    if context["publisher"]:
        g.add((dataset, POLE.publisher, URIRef(_force_codes()[context["publisher"]])))
    g.add((run, RDF.type, POLE.MappingRun))
    g.add((run, POLE.started_at, Literal(started.isoformat(timespec="seconds"), datatype=XSD.dateTime)))
    g.add((run, POLE.mapping_name, Literal(mapping.name)))
    g.add((run, POLE.mapping_version, Literal(mapping.version)))
    g.add((run, POLE.ontology_version, Literal(str(schema_view().schema.version))))
    g.add((run, POLE.software_version, Literal(__version__)))
    g.add((run, POLE.used, dataset))
    return g
