"""The invariants a mapping run must keep, whatever its input: checked by the fuzz targets and the
property tests alike."""

from __future__ import annotations

import io
from pathlib import Path

from fuzz.harness import Bug, expected


def map_checked(path: Path, *, catalogue: object = None) -> object:
    """Map *path* with the bundled mappings (or those of *catalogue*, a
    :class:`~policeonto.mapping.MappingCatalogue`) and check the run's invariants; return the result, or the
    allowed error it raised.

    Raises:
        Bug: an exception other than an allowed error, or a broken invariant.
    """
    import pyoxigraph

    from policeonto.findings import CATALOGUE
    from policeonto.mapping import map_files

    sink = io.BytesIO()
    try:
        result = map_files([path], sink, catalogue=catalogue)  # type: ignore[arg-type]
    except Exception as exc:
        if expected(exc, path):
            return exc
        raise Bug.unexpected(exc, f"mapping {path.name}") from exc
    for summary in result.files:
        if summary.rows_read != summary.rows_mapped + summary.rows_rejected:
            raise Bug(
                f"rows read {summary.rows_read} != mapped {summary.rows_mapped} + rejected {summary.rows_rejected}"
            )
        if sum(summary.rejected_by_reason.values()) != summary.rows_rejected:
            raise Bug(f"rejections without a reason: {summary.rows_rejected} rejected, {summary.rejected_by_reason}")
        for reason in summary.rejected_by_reason:
            if reason.split(" ", 1)[0] not in CATALOGUE:
                raise Bug(f"rejection reason {reason!r} is not a finding code")
    unknown = set(result.finding_counts) - set(CATALOGUE)
    if unknown:
        raise Bug(f"finding codes not in the catalogue: {sorted(unknown)}")
    data = sink.getvalue()
    try:
        parsed = list(pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_TRIPLES))
    except (SyntaxError, ValueError) as exc:
        raise Bug(f"the N-Triples written for {path.name} do not parse: {exc}") from exc
    if len(parsed) != result.triples:
        raise Bug(f"{result.triples} triples counted, {len(parsed)} written")
    return result
