"""Paths as the library takes them: a file given as a path or as text, or several."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from policeonto.limits import refuse_special

__all__ = ["Inputs", "input_paths"]

#: One file (a path, or its name as text) or several.
Inputs = Iterable[Path | str] | Path | str


def input_paths(inputs: Inputs) -> list[Path]:
    """The files *inputs* names: a single path is one file, never the letters of its name.

    Raises:
        InstanceDataError: one of them is there but is no regular file (a FIFO, a device, a folder), which
            is refused before anything opens it.

    >>> [p.name for p in input_paths("a/street.csv")], [p.name for p in input_paths(["x.csv", Path("y.ttl")])]
    (['street.csv'], ['x.csv', 'y.ttl'])
    """
    paths = [Path(inputs)] if isinstance(inputs, str | os.PathLike) else [Path(p) for p in inputs]
    for path in paths:
        refuse_special(path)
    return paths
