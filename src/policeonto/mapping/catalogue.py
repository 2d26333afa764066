"""Where mappings are found: folders of one's own, searched before the bundled folder.

A catalogue is a search path. Its folders are searched in order: the folders given (``--mappings DIR``,
each in turn), then those the ``POLICEONTO_MAPPINGS`` environment variable names (separated by
:data:`os.pathsep`, as ``PATH`` is), then the folder of the mappings that ship with policeonto. A mapping
is a ``<name>.transform.yaml`` file; one in an earlier folder shadows a mapping of the same name in a later
folder, so a force can replace a bundled mapping without touching the package.

A mapping in a folder of one's own refers to the bundled ``context.yaml`` and the bundled crosswalks by
name, with no copies: a file a mapping names that is not in its own folder is looked for, at the same
place, in the bundled folder (:func:`policeonto.mapping.spec.load_mapping`).

>>> catalogue = MappingCatalogue.search(environment={})
>>> [(folder.origin, folder.path == bundled_folder()) for folder in catalogue.folders]
[('bundled', True)]
>>> catalogue.path_of("police-uk-street").name, catalogue.path_of("no-such-mapping")
('police-uk-street.transform.yaml', None)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from policeonto.errors import MappingSpecError
from policeonto.vocab import artefact_dir

__all__ = ["ENVIRONMENT", "MappingCatalogue", "MappingFile", "MappingFolder", "bundled_folder"]

#: The environment variable naming folders of mappings, searched after the folders given.
ENVIRONMENT = "POLICEONTO_MAPPINGS"

#: How a mapping file's name ends; the rest is the mapping's name.
SUFFIX = ".transform.yaml"


def bundled_folder() -> Path:
    """The folder of the mappings that ship with policeonto (in a source checkout, its ``mappings/``)."""
    return artefact_dir(Path("mappings"))


@dataclass(frozen=True)
class MappingFolder:
    """A folder of a catalogue, and why it is there: ``given`` (``--mappings``), ``environment``
    (``POLICEONTO_MAPPINGS``) or ``bundled``."""

    path: Path
    origin: str


@dataclass(frozen=True)
class MappingFile:
    """A mapping a catalogue finds: its name, its file, and the files of the same name in later folders
    that it shadows."""

    name: str
    path: Path
    folder: MappingFolder
    shadows: tuple[Path, ...] = ()


@dataclass(frozen=True)
class MappingCatalogue:
    """The folders mappings are found in, searched in order; the bundled folder is the last."""

    folders: tuple[MappingFolder, ...]

    @classmethod
    def search(
        cls, folders: Iterable[Path | str] = (), *, environment: Mapping[str, str] | None = None
    ) -> MappingCatalogue:
        """The catalogue of *folders*, then the folders of ``POLICEONTO_MAPPINGS`` in *environment* (default:
        the process's environment), then the bundled folder. A folder named twice counts once, where it
        is first named.

        Raises:
            MappingSpecError: a folder named is not a directory (the message says whether it came from
                the environment variable).

        >>> MappingCatalogue.search(["no/such/folder"], environment={})
        Traceback (most recent call last):
        ...
        policeonto.errors.MappingSpecError: no/such/folder: no such folder of mappings
        """
        environment = os.environ if environment is None else environment
        named = [(Path(folder), "given") for folder in folders]
        named += [(Path(part), "environment") for part in environment.get(ENVIRONMENT, "").split(os.pathsep) if part]
        seen: set[Path] = set()
        found = []
        for path, origin in [*named, (bundled_folder(), "bundled")]:
            if not path.is_dir():
                where = f" (in {ENVIRONMENT})" if origin == "environment" else ""
                raise MappingSpecError(f"{path}: no such folder of mappings{where}")
            if path.resolve() not in seen:
                seen.add(path.resolve())
                found.append(MappingFolder(path, origin))
        return cls(tuple(found))

    def files(self) -> list[MappingFile]:
        """Every mapping the catalogue finds, by name: for each name, the file of the first folder that
        has one, and the files it shadows."""
        by_name: dict[str, list[tuple[Path, MappingFolder]]] = {}
        for folder in self.folders:
            for path in sorted(folder.path.glob(f"*{SUFFIX}")):
                by_name.setdefault(path.name.removesuffix(SUFFIX), []).append((path, folder))
        return [
            MappingFile(name, first, folder, tuple(path for path, _ in rest))
            for name, ((first, folder), *rest) in sorted(by_name.items())
        ]

    def path_of(self, name: str) -> Path | None:
        """The file of the mapping called *name*: in the first folder that has one; None if none has (or
        *name* is no plain name, but a path)."""
        if not name or Path(name).name != name or name in {".", ".."}:
            return None
        for folder in self.folders:
            path = folder.path / f"{name}{SUFFIX}"
            if path.is_file():
                return path
        return None

    @property
    def paths(self) -> tuple[Path, ...]:
        """The folders, in the order they are searched."""
        return tuple(folder.path for folder in self.folders)
