"""The one error hierarchy of policeonto.

Every error policeonto raises on purpose is a :class:`PoliceOntoError`. Each subclass also derives from the
built-in exception that fits, so callers can catch either. A message that quotes something from outside (a
value, a column name) quotes it through :func:`shorten`, so it stays short whatever the input.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from policeonto.findings import Finding

__all__ = [
    "AgreementError",
    "BuildError",
    "CriteriaError",
    "CrosswalkError",
    "InstanceDataError",
    "LinkageModelError",
    "LinkageTrainingError",
    "MappingInputError",
    "MappingSpecError",
    "OptionError",
    "OutputPathError",
    "PoliceOntoError",
    "SchemaError",
    "ShareKeyError",
    "ShareRefusedError",
    "StoreBusyError",
    "StoreError",
    "UnsafeInputError",
    "shorten",
]


def shorten(text: str, width: int = 80) -> str:
    """*text*, cut to *width* characters with an ellipsis if longer: a value from outside quoted in a message.

    >>> shorten("Crime ID"), shorten("x" * 100, 10)
    ('Crime ID', 'xxxxxxxxx…')
    """
    return text if len(text) <= width else text[: width - 1] + "…"


class PoliceOntoError(Exception):
    """Base class of every error policeonto raises on purpose.

    An error crosses a process boundary (a Dask worker's task) intact: it is rebuilt from its message and
    attributes, not by calling its class with the message alone (most take keyword arguments).
    """

    def __reduce__(self) -> tuple[object, ...]:
        return _rebuilt, (type(self), self.args, dict(self.__dict__))


def _rebuilt(kind: type[PoliceOntoError], args: tuple[object, ...], state: dict[str, object]) -> PoliceOntoError:
    """An error of *kind* with *args* and the attributes *state*, without calling its ``__init__``."""
    error = kind.__new__(kind)
    error.args = args
    error.__dict__.update(state)
    return error


class SchemaError(PoliceOntoError, ValueError):
    """The LinkML schema breaks a rule of the project (for example an enum value without a meaning)."""

    def __init__(self, message: str, *, element: str | None = None) -> None:
        super().__init__(message if element is None else f"{element}: {message}")
        self.element = element


class BuildError(PoliceOntoError, RuntimeError):
    """Generating an artefact from the schema failed or produced something inconsistent."""


class InstanceDataError(PoliceOntoError, ValueError):
    """Instance data (YAML, JSON or RDF) could not be read.

    Carries the file and, where the parser reports them, the line and column.
    """

    def __init__(self, message: str, *, path: Path | str, line: int | None = None, column: int | None = None) -> None:
        where = str(path) + (f":{line}" if line is not None else "") + (f":{column}" if column else "")
        super().__init__(f"{where}: {message}")
        self.path = Path(path)
        self.line = line
        self.column = column


class CrosswalkError(InstanceDataError):
    """An SSSOM crosswalk file is malformed (names the file and line)."""


class MappingSpecError(PoliceOntoError, ValueError):
    """A mapping file (transformation specification or source schema) is wrong."""


class MappingInputError(InstanceDataError):
    """An input file cannot be mapped at all: unreadable, empty, unrecognised, or lacking a required
    column. Problems with single rows are findings, not errors."""


class StoreError(PoliceOntoError, RuntimeError):
    """The triple store cannot be opened, loaded or queried (names the store and what went wrong)."""

    def __init__(self, message: str, *, store: str, graph: str | None = None) -> None:
        super().__init__(f"{store}: {message}")
        self.store = store
        self.reason = message
        self.graph = graph


class StoreBusyError(StoreError):
    """Another process has the embedded store open (carries its process id, when known)."""

    def __init__(self, message: str, *, store: str, pid: int | None = None) -> None:
        super().__init__(message, store=store)
        self.pid = pid


class CriteriaError(PoliceOntoError, ValueError):
    """An assessment criteria file (or answers file) cannot be used: carries the file and the evidence item
    (or key) that is wrong, None when the file as a whole is."""

    def __init__(self, message: str, *, path: Path | str, item: str | None = None) -> None:
        where = f"{path}" if item is None else f"{path}: item {item!r}"
        super().__init__(f"{where}: {message}")
        self.path = Path(path)
        self.item = item


class LinkageModelError(PoliceOntoError, ValueError):
    """A linkage model file cannot be used: unreadable, not a model, for another kind of record, or changed
    since it was trained (carries the file)."""

    def __init__(self, message: str, *, path: Path | str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = Path(path)


class LinkageTrainingError(PoliceOntoError, ValueError):
    """A linkage model cannot be trained on a store's records: too few pairs of them across graphs agree on
    what training blocks on (carries the kind of record)."""

    def __init__(self, message: str, *, entity: str) -> None:
        super().__init__(message)
        self.entity = entity


class OptionError(PoliceOntoError, ValueError):
    """An option given to a function or command is not one it accepts (carries the option and the value)."""

    def __init__(self, message: str, *, option: str, value: object) -> None:
        super().__init__(message)
        self.option = option
        self.value = value


class UnsafeInputError(PoliceOntoError, ValueError):
    """An input uses a construct policeonto refuses to follow or expand: a DTD or entity, a YAML alias bomb.

    Readers re-raise it as their own error naming the file (:class:`InstanceDataError`,
    :class:`MappingSpecError`), so callers rarely meet it alone.
    """


class OutputPathError(PoliceOntoError, ValueError):
    """An output would go where it must not: a name derived from input outside the directory chosen for it,
    or an output that is one of the command's inputs or another of its outputs.

    Carries the directory, the refused name, the reason and, for a clash, the other path (``other``).
    """

    def __init__(self, reason: str, *, folder: Path | str, name: str, other: Path | str | None = None) -> None:
        target = f"{folder}: refusing to write {name!r}" if other is None else f"refusing to write {Path(folder, name)}"
        super().__init__(f"{target}: {reason}")
        self.folder = Path(folder)
        self.name = name
        self.reason = reason
        self.other = None if other is None else Path(other)


class AgreementError(PoliceOntoError, ValueError):
    """An information sharing agreement is refused: it cannot be read, or it breaks a rule (of ODRL, of the
    project's ODRL profile, or of the ontology).

    Carries the file, the rule broken first (a finding code of :data:`policeonto.findings.CATALOGUE`) and
    every finding, so a steward sees all that is wrong at once.
    """

    def __init__(self, message: str, *, path: Path | str, rule: str, findings: tuple[Finding, ...] = ()) -> None:
        more = f" (and {len(findings) - 1} more findings)" if len(findings) > 1 else ""
        super().__init__(f"{path}: {rule}: {message}{more}")
        self.path = Path(path)
        self.rule = rule
        self.findings = findings


class ShareKeyError(PoliceOntoError, ValueError):
    """The key of ``policeonto share`` is missing, unreadable or too short. The message names where the key
    was to come from (a file, an environment variable), never the key."""


class ShareRefusedError(PoliceOntoError, RuntimeError):
    """A recipient's copy breaks the closed profile its agreement compiles to, so it is not written.

    Carries the predicate of the first offending triple and the rule it breaks; never a value.
    """

    def __init__(self, message: str, *, predicate: str, rule: str) -> None:
        super().__init__(message)
        self.predicate = predicate
        self.rule = rule


class ClusterError(PoliceOntoError, RuntimeError):
    """The Dask cluster a run was to use cannot be reached or started (names the scheduler's address, with
    any user name or password in it left out)."""

    def __init__(self, message: str, *, address: str) -> None:
        super().__init__(f"{address}: {message}")
        self.address = address
