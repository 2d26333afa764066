"""An assessment as one self-contained HTML page (no script, no file or URL it loads): the level reached,
the four levels with their scores and gates, each item's evidence (counts and worst offenders), and the
improvements that would raise a level most, ordered by gain.

>>> from policeonto.assessment import Evidence, read_criteria, score
>>> page = render_html(score(read_criteria(), Evidence(inputs=()), {}))
>>> page.startswith("<!DOCTYPE html>"), "<script" in page
(True, False)
"""

from __future__ import annotations

from html import escape

from policeonto.assessment.scoring import Assessment, Result

__all__ = ["improvements", "render_html"]

_STYLE = """body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#1b1b1b}
table{border-collapse:collapse;width:100%;margin:0.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:0.3rem 0.5rem;
text-align:left;vertical-align:top}th{background:#f2f2f2}.below{color:#a00}.reached{color:#070}
.bar{display:inline-block;height:0.7rem;background:#2a6}.track{display:inline-block;width:8rem;background:#eee}
ul{margin:0;padding-left:1.2rem}"""


_STATES = {"reached": "reached", "below": "below gate"}


def improvements(assessment: Assessment) -> list[tuple[float, Result]]:
    """Each item below 1 with the gain in its level's score were it made whole, largest gain first."""
    weights = {
        level: sum(r.item.weight for r in assessment.results if r.item.level == level) for level in assessment.scores
    }
    gains = [
        (round(r.item.weight * (1 - r.measured.score) / weights[r.item.level], 4), r)
        for r in assessment.results
        if r.measured.score < 1
    ]
    return sorted(gains, key=lambda pair: (-pair[0], pair[1].item.id))


def _bar(score: float) -> str:
    return f'<span class="track"><span class="bar" style="width:{score * 8:.2f}rem"></span></span> {score:.4f}'


def _item_row(result: Result) -> str:
    counts = "".join(f"<li>{escape(k)}: {v:,}</li>" for k, v in result.measured.counts.items())
    offenders = "".join(f"<li>{escape(o)}</li>" for o in result.measured.offenders[:10])
    kind = "attested" if result.attested else "measured"
    return (
        f'<tr id="item-{escape(result.item.id)}"><td><code>{escape(result.item.id)}</code><br>'
        f"{escape(result.item.description)}</td>"
        f"<td>{escape(result.item.how)}</td><td>{result.item.weight:g}</td><td>{_bar(result.measured.score)}</td>"
        f"<td>{kind}</td><td><ul>{counts}</ul></td><td><ul>{offenders}</ul></td></tr>"
    )


def render_html(assessment: Assessment) -> str:
    """The page (see the module's description)."""
    criteria = assessment.criteria
    reached = assessment.at_level or "none (foundational not reached)"
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        "<title>Interoperability maturity assessment</title>",
        f"<style>{_STYLE}</style></head><body><h1>Interoperability maturity assessment</h1>",
        f'<p>At level: <strong id="at-level">{escape(reached)}</strong> (criteria {escape(criteria.version)}).</p>',
        "<p>Inputs:</p><ul>" + "".join(f"<li>{escape(i)}</li>" for i in assessment.inputs) + "</ul>",
        '<h2>Levels</h2><table id="levels"><tr><th>level</th><th>score</th><th>gate</th><th></th></tr>',
    ]
    for level in criteria.levels:
        state = "reached" if assessment.reached(level) else "below"
        parts.append(
            f'<tr><td><a href="#{level}">{level}</a></td><td>{_bar(assessment.scores[level])}</td>'
            f'<td>{criteria.gates[level]:g}</td><td class="{state}">{_STATES[state]}</td></tr>'
        )
    parts.append('</table><h2>Improvements, by gain</h2><table id="improvements">')
    parts.append("<tr><th>item</th><th>level</th><th>gain in the level's score</th><th>worst offenders</th></tr>")
    for gain, result in improvements(assessment):
        offenders = ", ".join(escape(o) for o in result.measured.offenders[:3])
        parts.append(
            f'<tr><td><a href="#item-{escape(result.item.id)}">{escape(result.item.id)}</a></td>'
            f"<td>{result.item.level}</td><td>+{gain:.4f}</td><td>{offenders}</td></tr>"
        )
    parts.append("</table>")
    for level in criteria.levels:
        parts.append(f'<h2 id="{level}">{level.capitalize()}: {assessment.scores[level]:.4f}</h2><table>')
        parts.append(
            "<tr><th>item</th><th>how measured</th><th>weight</th><th>score</th><th></th>"
            "<th>counts</th><th>offenders</th></tr>"
        )
        parts.extend(_item_row(r) for r in assessment.results if r.item.level == level)
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
