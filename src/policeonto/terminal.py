"""Text for people's terminals: what comes from input is shown, never obeyed.

A header, a value, an IRI or a file name read from outside may hold characters a terminal acts on rather
than shows: an escape sequence that recolours, retitles, clears the screen or writes a link (ESC, and C1
controls such as CSI U+009B), a carriage return or backspace that overwrites what was written, or a bidi
override that shows text in another order than it is. Every human-readable rendering (finding messages,
the report and query tables, summaries, error messages) passes what it prints through :func:`visible`,
which writes each of them as a visible escape. Machine formats (JSON, CSV, N-Triples) keep the data exact.
"""

from __future__ import annotations

import re
from typing import TextIO

__all__ = ["VisibleWriter", "visible"]

#: C0 controls, DEL, C1 controls, and the bidi embeddings, overrides and isolates.
_ACTIVE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object, *, keep: str = "") -> str:
    """*text* (any object, as ``str()`` gives it) with every control character and bidi override written
    as a visible escape (``\\x1b``, ``\\u202e``), except those in *keep* (a multi-line message keeps
    ``"\\n"``).

    >>> visible("Crime\\x1b[2J type\\u202e")
    'Crime\\\\x1b[2J type\\\\u202e'
    >>> visible("two\\nlines\\r", keep="\\n")
    'two\\nlines\\\\x0d'
    """
    text = str(text)
    if not _ACTIVE.search(text):
        return text
    return _ACTIVE.sub(lambda m: m.group() if m.group() in keep else _escape(m), text)


class VisibleWriter:
    """A text stream that writes what it is given through :func:`visible` (keeping newlines and tabs), for
    messages written by code that takes a stream (click's usage errors).

    >>> import io
    >>> sink = io.StringIO()
    >>> _ = VisibleWriter(sink).write("Error: no file 'a\\x1b[2J.csv'\\n")
    >>> sink.getvalue()
    "Error: no file 'a\\\\x1b[2J.csv'\\n"
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        """Write *text*, made visible; return how many characters of *text* were taken."""
        self._stream.write(visible(text, keep="\n\t"))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()
