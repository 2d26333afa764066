"""Strings from mappings, crosswalks, the schema and the examples, escaped for where they land on a page.

The site's pages are Markdown that MkDocs turns into HTML, and Python-Markdown passes raw HTML through. A
mapping's title, a column name or a crosswalk's source value comes from a file someone else wrote, so it
must never become markup: not an HTML tag, not a Markdown link (``[x](javascript:...)``), not an
attribute list (``{ onclick=... }``, which ``attr_list`` turns into attributes), not a table cell
boundary. The templates pass every such string through one of these filters:

- ``text``: inline Markdown text (a table cell, a heading, a paragraph);
- ``code``: the same, shown as code (an HTML ``<code>`` element, since a Markdown code span would end at a
  backtick in the value and shows character references literally);
- ``fence``: the backticks that open and close a fenced block holding the value (more than any run of
  backticks in it, so it cannot end the block early);
- ``mermaid``: a label in a Mermaid diagram, with Mermaid's own entity codes.
"""

from __future__ import annotations

import re

__all__ = ["FILTERS", "code", "fence", "mermaid", "safe_name", "text"]

#: Characters Markdown, its table, attribute-list and autolink syntax, or HTML would act on.
_ACTIVE = re.compile(r"[&<>\"'`*_\[\]()|\\{}~!#:]")
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def text(value: object) -> str:
    """*value* as inline Markdown that shows exactly its characters: each character Markdown or HTML
    would act on becomes a numeric character reference, and line breaks become spaces.

    >>> text("<script>alert(1)</script>")
    '&#60;script&#62;alert&#40;1&#41;&#60;/script&#62;'
    >>> text("[x](javascript:y) {: onclick=z }")
    '&#91;x&#93;&#40;javascript&#58;y&#41; &#123;&#58; onclick=z &#125;'
    >>> text("Force A nominals")
    'Force A nominals'
    """
    flat = " ".join(str(value).splitlines()) if value is not None else ""
    return _ACTIVE.sub(lambda m: f"&#{ord(m.group())};", flat)


def code(value: object) -> str:
    """*value* shown as inline code, whatever characters it holds.

    >>> code("Crime`<b>`|x")
    '<code>Crime&#96;&#60;b&#62;&#96;&#124;x</code>'
    """
    return f"<code>{text(value)}</code>"


def fence(value: object) -> str:
    """The backtick fence for a block holding *value*: longer than any run of backticks in it (at least 3).

    >>> fence("plain"), fence("a ```` b")
    ('```', '`````')
    """
    runs = [len(run) for run in re.findall(r"`+", str(value))]
    return "`" * max(3, max(runs, default=0) + 1)


def mermaid(value: object) -> str:
    """*value* as the text of a Mermaid label: HTML and Mermaid's own syntax shown, not obeyed (Mermaid
    writes ``#name;`` and ``#NNN;`` for character entities).

    >>> mermaid('<img src=x onerror="alert(1)">')
    '#60;img src=x onerror=#34;alert#40;1#41;#34;#62;'
    """
    flat = " ".join(str(value).splitlines())
    return re.sub(r"[&<>\"'#;:()\[\]{}|`]", lambda m: f"#{ord(m.group())};", flat)


def safe_name(name: str) -> bool:
    """True when *name* can be a page's file name and a link as it is (letters, digits, ``.``, ``_``, ``-``).

    >>> safe_name("police-uk-street"), safe_name("x<img src=y onerror=z>")
    (True, False)
    """
    return _SAFE_NAME.fullmatch(name) is not None


#: The filters as the site's Jinja environments register them.
FILTERS = {"text": text, "code": code, "fence": fence, "mermaid": mermaid}
