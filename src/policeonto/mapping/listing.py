"""What ``policeonto mappings`` shows: the folders searched and the mappings found along them, for people
(lines) and for programs (JSON-ready values)."""

from __future__ import annotations

from policeonto.mapping.catalogue import MappingCatalogue
from policeonto.mapping.spec import load_mapping

__all__ = ["catalogue_lines", "catalogue_values"]

_ORIGINS = {"given": "--mappings", "environment": "POLICEONTO_MAPPINGS", "bundled": "bundled"}


def catalogue_values(catalogue: MappingCatalogue) -> list[dict[str, object]]:
    """Each mapping the catalogue finds: name, title, version, where it is and what it shadows, its columns."""
    listed = []
    for entry in catalogue.files():
        m = load_mapping(entry.path)
        listed.append(
            {
                "name": m.name,
                "title": m.title,
                "version": m.version,
                "path": str(entry.path),
                "folder": str(entry.folder.path),
                "origin": entry.folder.origin,
                "shadows": [str(path) for path in entry.shadows],
                "columns": [c.title for c in m.columns],
                "required": [c.title for c in m.required_columns],
            }
        )
    return listed


def catalogue_lines(catalogue: MappingCatalogue) -> list[str]:
    """The folders searched, in order, then each mapping with the folder it came from and its columns."""
    lines = ["folders searched, in order:"]
    lines += [f"  {n}. {f.path} ({_ORIGINS[f.origin]})" for n, f in enumerate(catalogue.folders, start=1)]
    for entry in catalogue.files():
        m = load_mapping(entry.path)
        number = catalogue.folders.index(entry.folder) + 1
        shadows = "".join(f"; shadows {path}" for path in entry.shadows)
        lines.append(f"{m.name}  {m.version}  {m.title}")
        lines.append(f"    from: folder {number} ({_ORIGINS[entry.folder.origin]}){shadows}")
        lines.append(f"    columns: {', '.join(c.title + ('*' if c.required else '') for c in m.columns)}")
    return [*lines, "* required"]
