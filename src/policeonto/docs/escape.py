"""Strings from mappings, crosswalks, the schema and the examples, escaped for where they land on a page.

The site's pages are Markdown that MkDocs turns into HTML, and Python-Markdown passes raw HTML through. A
mapping's title, a column name or a crosswalk's source value comes from a file someone else wrote, so it
must never become markup: not an HTML tag, not a Markdown link (``[x](javascript:...)``), not an
attribute list (``{ onclick=... }``, which ``attr_list`` turns into attributes), not a table cell
boundary. The templates pass every such string through one of these filters:

- ``text``: inline Markdown text (a table cell, a heading, a paragraph);
- ``code``: the same, shown as code (an HTML ``<code>`` element, since a Markdown code span would end at a
  backtick in the value and shows escapes literally);
- ``fence``: the backticks that open and close a fenced block holding the value (more than any run of
  backticks in it, so it cannot end the block early);
- ``mermaid``: a label in a Mermaid diagram, with Mermaid's own entity codes.
"""

from __future__ import annotations

import re

__all__ = ["FILTERS", "code", "fence", "mermaid", "safe_name", "text"]

#: Characters Markdown or one of the site's extensions would act on (links, emphasis, code, table
#: cells, attribute lists, block markers): each is written with a backslash, which Markdown removes.
_MARKDOWN = re.compile(r"[\\`*_{}\[\]()#+\-.!|]")
#: Characters HTML would act on: written as character references, which Markdown passes through.
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def text(value: object) -> str:
    """*value* as inline Markdown that shows exactly its characters: Markdown's own syntax escaped with a
    backslash, ``&``, ``<`` and ``>`` as character references, line breaks as spaces.

    >>> print(text("<script>alert(1)</script>"))
    &lt;script&gt;alert\\(1\\)&lt;/script&gt;
    >>> print(text("[x](javascript:y) {: onclick=z }"))
    \\[x\\]\\(javascript:y\\) \\{: onclick=z \\}
    >>> text("Force A nominals")
    'Force A nominals'
    """
    flat = " ".join(str(value).splitlines()) if value is not None else ""
    escaped = _MARKDOWN.sub(lambda m: "\\" + m.group(), flat)
    return "".join(_HTML.get(character, character) for character in escaped)


def code(value: object) -> str:
    """*value* shown as inline code, whatever characters it holds.

    >>> print(code("Crime`<b>`|x"))
    <code>Crime\\`&lt;b&gt;\\`\\|x</code>
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
