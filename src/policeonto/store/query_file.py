"""Reading a query from a file, as untrusted input."""

from __future__ import annotations

from pathlib import Path

from policeonto.errors import InstanceDataError
from policeonto.limits import Limits, read_bounded

__all__ = ["read_query"]


def read_query(file: Path, *, limits: Limits = Limits()) -> str:
    """The text of a query file (a regular file, read within the file-size limit; UTF-8, a byte order mark
    allowed).

    Raises:
        InstanceDataError: the file is no regular file, over the limit, or not UTF-8 text, naming it and
            where the first bad byte is.
    """
    data = read_bounded(file, limits)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        reason = f"cannot read the query: not UTF-8 text ({exc.reason} at byte {exc.start})"
        raise InstanceDataError(reason, path=file, line=line, column=column) from None
