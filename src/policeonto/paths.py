"""Paths as the library takes them: a file given as a path or as text, or several."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["Inputs", "input_paths"]

#: One file (a path, or its name as text) or several.
Inputs = Iterable[Path | str] | Path | str


def input_paths(inputs: Inputs) -> list[Path]:
    """The files *inputs* names: a single path is one file, never the letters of its name.

    >>> [p.name for p in input_paths("a/street.csv")], [p.name for p in input_paths(["x.csv", Path("y.ttl")])]
    (['street.csv'], ['x.csv', 'y.ttl'])
    """
    if isinstance(inputs, str | os.PathLike):
        return [Path(inputs)]
    return [Path(p) for p in inputs]
