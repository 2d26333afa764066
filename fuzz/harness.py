"""What every fuzz target shares: a scratch file to write inputs to, the allowed outcomes, and the atheris
entry point."""

from __future__ import annotations

import logging
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
MAPPINGS = ROOT / "mappings"

#: Packages whose Python code atheris instruments for coverage (each target adds the parsers it drives).
INSTRUMENTED = ("policeonto",)


class Bug(AssertionError):
    """An input broke an invariant of the parser (not an error the parser raised)."""

    @classmethod
    def unexpected(cls, exc: BaseException, doing: str) -> Bug:
        """A bug for *exc*, raised while *doing*, with its traceback in the message (libFuzzer's log shows
        only the last exception of a chain)."""
        trace = "".join(traceback.format_exception(exc))
        return cls(f"{type(exc).__name__} {doing}: {exc}\n--- the exception ---\n{trace}")


_scratch: Path | None = None


def scratch(name: str, data: bytes) -> Path:
    """Write *data* to a file called *name* in a directory kept for the whole process, and return its path."""
    global _scratch
    if _scratch is None:
        _scratch = Path(tempfile.mkdtemp(prefix="policeonto-fuzz-"))
    path = _scratch / name
    path.write_bytes(data)
    return path


def expected(exc: BaseException, path: Path) -> bool:
    """Whether *exc* is an allowed outcome for an input in *path*: a documented error that names the file."""
    from policeonto.errors import PoliceOntoError

    return isinstance(exc, PoliceOntoError) and path.name in str(exc)


def head_lines(path: Path, lines: int) -> bytes:
    """The first *lines* lines of a file, as a small seed."""
    with path.open("rb") as handle:
        return b"".join(line for _, line in zip(range(lines), handle, strict=False))


def main(check: Callable[[bytes], None], *, imports: tuple[str, ...], packages: tuple[str, ...] = ()) -> None:
    """Run *check* under atheris with the command line's libFuzzer flags, the modules *imports* (and the
    packages *packages* they use) instrumented for coverage."""
    import importlib

    import atheris

    logging.disable(logging.WARNING)  # rdflib warns about every odd IRI it meets; only exceptions matter
    with atheris.instrument_imports(include=[*INSTRUMENTED, *packages]):
        for module in imports:
            importlib.import_module(module)

    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


Seeds = Iterator[tuple[str, bytes]]
