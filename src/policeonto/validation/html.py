"""A self-contained HTML validation report a steward can open and send on, and a findings CSV that is safe
to open in a spreadsheet.

The page has no external resources: styles and the summary charts (findings by code and by column, as
inline SVG) are in the file.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from html import escape

from policeonto.findings import CATALOGUE
from policeonto.validation.core import ValidationReport

__all__ = ["FIELDS", "render_csv", "render_html", "spreadsheet_safe"]

FIELDS = ("code", "severity", "message", "file", "row", "column", "value", "focus_node", "path", "constraint")
_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_safe(value: object) -> str:
    """A cell value a spreadsheet will not run as a formula.

    >>> spreadsheet_safe("=HYPERLINK(\\"http://x\\")"), spreadsheet_safe("-0.1"), spreadsheet_safe(7)
    ('\\'=HYPERLINK("http://x")', "'-0.1", '7')
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def render_csv(report: ValidationReport) -> str:
    """The findings as CSV, one per line, every cell made spreadsheet-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for finding in report.findings:
        data = finding.as_dict()
        writer.writerow([spreadsheet_safe(data[name]) for name in FIELDS])
    return out.getvalue()


def _chart(title: str, counts: Counter[str]) -> str:
    if not counts:
        return ""
    rows = counts.most_common(15)
    top = max(count for _, count in rows)
    height = 22 * len(rows) + 10
    bars = []
    for i, (label, count) in enumerate(rows):
        width = max(2, round(360 * count / top))
        y = 22 * i + 5
        bars.append(
            f'<text x="0" y="{y + 14}" class="label">{escape(label)}</text>'
            f'<rect x="230" y="{y}" width="{width}" height="16" rx="2"><title>{escape(label)}: {count}</title></rect>'
            f'<text x="{236 + width}" y="{y + 13}" class="count">{count:,}</text>'
        )
    return (
        f"<figure><figcaption>{escape(title)}</figcaption>"
        f'<svg role="img" aria-label="{escape(title)}" width="660" height="{height}" '
        f'viewBox="0 0 660 {height}">{"".join(bars)}</svg></figure>'
    )


_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;color:#1b1b1b;padding:0 1rem}
h1{font-size:1.5rem} .verdict{padding:.6rem 1rem;border-radius:.4rem;font-weight:600}
.valid{background:#e3f4e6;color:#14532d} .invalid{background:#fde8e8;color:#7f1d1d}
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem} dt{color:#555}
figure{margin:1rem 0} figcaption{font-weight:600;margin-bottom:.3rem} rect{fill:#2b6cb0}
.label{font-size:12px} .count{font-size:12px;fill:#333}
table{border-collapse:collapse;width:100%;font-size:13px} th,td{border-bottom:1px solid #ddd;padding:.3rem;
text-align:left;vertical-align:top} th{background:#f4f4f4;position:sticky;top:0} td{word-break:break-all}
"""


def render_html(report: ValidationReport) -> str:
    """The report as one self-contained HTML page."""
    verdict = "valid" if report.valid else "invalid"
    by_column = Counter(f.column or (f.path or "").rsplit("/", 1)[-1] or "(none)" for f in report.findings)
    codes = "".join(
        f"<tr><td>{escape(code)}</td><td>{count:,}</td><td>{escape(CATALOGUE[code].title)}</td>"
        f"<td>{escape(CATALOGUE[code].description)}</td></tr>"
        for code, count in sorted(report.finding_counts.items(), key=lambda item: (-item[1], item[0]))
        if count
    )
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(str(f.as_dict()[name] or ''))}</td>" for name in FIELDS) + "</tr>"
        for f in report.findings
    )
    total = sum(report.finding_counts.values())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>policeonto validation report</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_STYLE}</style></head>
<body><h1>Validation report</h1>
<p class="verdict {verdict}">{"Valid" if report.valid else "Invalid"}: {total:,} findings</p>
<dl><dt>rows</dt><dd>{report.rows:,}</dd><dt>records</dt><dd>{report.records:,}</dd>
<dt>triples</dt><dd>{report.triples:,}</dd><dt>seconds</dt><dd>{report.seconds:.2f}</dd></dl>
{_chart("Findings by code", Counter({c: n for c, n in report.finding_counts.items() if n}))}
{_chart("Findings by column or property (listed findings)", by_column) if report.findings else ""}
<h2>Codes</h2><table><thead><tr><th>code</th><th>count</th><th>title</th><th>how to fix</th></tr></thead>
<tbody>{codes}</tbody></table>
<h2>Findings</h2><table><thead><tr>{"".join(f"<th>{name}</th>" for name in FIELDS)}</tr></thead>
<tbody>{rows}</tbody></table></body></html>
"""
