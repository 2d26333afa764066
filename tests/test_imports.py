"""Every import of a policeonto name anywhere in the repository resolves.

Fuzz targets, benchmarks and example generators import inside functions, so a name the library renames or
removes breaks them only when they run (a fuzz target, minutes into a run). This reads each such import
from the source and looks the name up, without running the file that holds it.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("src", "tests", "fuzz", "benchmarks", "examples")


def _imports() -> list[tuple[str, int, str, str]]:
    """(file, line, module, name) for each ``from policeonto... import name`` in the repository."""
    found = []
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.ImportFrom)
                    and node.level == 0
                    and (node.module or "").startswith("policeonto")
                ):
                    relative = str(path.relative_to(ROOT))
                    found.extend((relative, node.lineno, node.module, alias.name) for alias in node.names)
    return found


def _resolves(module: str, name: str) -> bool:
    if hasattr(importlib.import_module(module), name):
        return True
    try:  # a submodule: `from policeonto import store`
        importlib.import_module(f"{module}.{name}")
    except ModuleNotFoundError:
        return False
    return True


def test_every_policeonto_import_resolves() -> None:
    imports = _imports()
    assert len(imports) > 500  # the walk found the repository's imports
    missing = [
        f"{path}:{line}: from {module} import {name}"
        for path, line, module, name in imports
        if not _resolves(module, name)
    ]
    assert not missing, "\n".join(missing)


def test_a_name_the_library_lacks_is_found() -> None:
    assert not _resolves("policeonto.store.reasoning", "entailment_update")
    assert _resolves("policeonto.store.reasoning", "entailment_of")
    assert _resolves("policeonto", "store")
