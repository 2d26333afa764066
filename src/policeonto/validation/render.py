"""Render a validation report: a terminal table grouped by code, JSON, HTML, CSV or a SHACL report."""

from __future__ import annotations

import json
from collections import Counter, defaultdict

from policeonto.findings import CATALOGUE, Severity
from policeonto.terminal import visible
from policeonto.validation.core import ValidationReport
from policeonto.validation.html import render_csv, render_html

__all__ = ["render"]


def _text(report: ValidationReport, *, quiet: bool = False, verbose: bool = False) -> str:
    """The report for a terminal: control characters from the input are shown as escapes. *quiet* keeps
    the verdicts and the errors (files with errors, error findings); *verbose* shows every finding kept,
    not the first 20 of each code."""
    lines = [
        f"{'valid' if report.valid else 'INVALID'}: {report.rows:,} rows, {report.records:,} records, "
        f"{report.triples:,} triples, {sum(report.finding_counts.values()):,} findings in {report.seconds:.1f} s"
    ]
    for entry in report.files if len(report.files) > 1 else ():  # each file's verdict, as load decides
        if quiet and entry.valid:
            continue
        errors = ", ".join(f"{code} x{count:,}" for code, count in entry.errors().items())
        lines.append(
            f"  {entry.file}: {'valid' if entry.valid else 'INVALID'}, {entry.rows:,} rows, "
            f"{sum(entry.finding_counts.values()):,} findings" + (f" (errors: {errors})" if errors else "")
        )
    shown = report.finding_counts
    if quiet:
        shown = Counter({c: n for c, n in shown.items() if c in CATALOGUE and CATALOGUE[c].severity is Severity.ERROR})
    shown_limit = None if verbose else 20
    if shown:
        lines.append(f"{'count':>8}  {'severity':8}  {'code':28}  title")
        for code, count in sorted(shown.items(), key=lambda item: (-item[1], item[0])):
            kind = CATALOGUE.get(code)
            lines.append(
                f"{count:>8,}  {kind.severity.value if kind else '':8}  {code:28}  {kind.title if kind else ''}"
            )
    by_code = defaultdict(list)
    for finding in report.findings:
        by_code[finding.code].append(finding)
    for code in sorted(set(by_code) | set(report.finding_counts)):
        if quiet and code not in shown:
            continue
        findings = by_code.get(code, [])
        lines.append(f"{code}:")
        for f in findings[:shown_limit]:
            where = ":".join(str(x) for x in (f.file, f.row) if x is not None)
            column = f" [{f.column}]" if f.column else ""
            node = f" <{f.focus_node}>" if f.focus_node else ""
            path = f" {f.path}" if f.path else ""
            lines.append(f"  {where}{column}{node}{path}: {f.message}")
        more = max(report.finding_counts.get(code, 0), len(findings)) - len(findings[:shown_limit])
        if more > 0:  # beyond the 20 shown, or not kept (--max-issues): counted, so said
            lines.append(f"  ... {more:,} more")
    return "".join(visible(line) + "\n" for line in lines)  # one line each, whatever the input held


def render(report: ValidationReport, fmt: str, *, quiet: bool = False, verbose: bool = False) -> str:
    """The report as ``text`` (with *quiet* or *verbose*, see :func:`_text`), ``json``, ``html``, ``csv``
    or ``shacl`` (Turtle ``sh:ValidationReport``)."""
    if fmt == "html":
        return render_html(report)
    if fmt == "csv":
        return render_csv(report)
    if fmt == "json":
        return json.dumps(report.as_dict(), indent=2) + "\n"
    if fmt == "shacl":
        return report.shacl_report().serialize(format="turtle")
    return _text(report, quiet=quiet, verbose=verbose)
