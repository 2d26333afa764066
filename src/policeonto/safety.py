"""Read what comes from outside without following it anywhere: bounded YAML, XML without a DTD, and files
confined to the folder they were given in.

- YAML is read with the safe loader (no ``!!python/...`` tags) and refused if its aliases would expand it
  into a far larger document (the YAML form of "billion laughs") or make it refer to itself.
- YAML and parsed JSON are refused if they nest deeper than :data:`MAX_NESTING` levels, so nothing that
  walks them by recursion (PyYAML's composer, LinkML's loader, a flattener) runs out of stack.
- XML is refused if it has a document type declaration: no entities, internal or external, are expanded
  and nothing is fetched. The check parses with expat, so it holds whatever encoding the document
  declares.
- A file that a mapping names (its source schema, a crosswalk, a schema import) must lie inside the
  mapping's folder.

>>> load_yaml("a: &x [1, 2]\\nb: *x")
{'a': [1, 2], 'b': [1, 2]}
>>> inside(Path("/srv/mappings/x.yaml"), Path("/srv/mappings"))
True
"""

from __future__ import annotations

import contextlib
import re
import xml.parsers.expat
from pathlib import Path
from typing import Any

import yaml

from policeonto.errors import UnsafeInputError

__all__ = [
    "MAX_ALIAS_EXPANSION",
    "MAX_NESTING",
    "SURROGATE_ESCAPE",
    "check_nesting",
    "inside",
    "load_yaml",
    "screen_xml",
]

#: A ``\\u`` escape of a UTF-16 surrogate (D800 to DFFF) in JSON or Turtle text. Unpaired, or in Turtle at
#: all, it stands for no character, and the text it makes cannot be written out as UTF-8.
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")

#: How many nodes the aliases of a YAML document may add when expanded.
MAX_ALIAS_EXPANSION = 100_000

#: How deeply YAML or JSON values may nest (lists and mappings in one another); the project's own files and
#: the exports it reads nest fewer than ten levels.
MAX_NESTING = 64


def load_yaml(text: str) -> Any:
    """Parse YAML *text* with the safe loader, refusing alias bombs, self-reference and deep nesting.

    Raises:
        yaml.YAMLError: not valid YAML, or a tag the safe loader does not know (``!!python/object``).
        UnsafeInputError: aliases expand the document by more than :data:`MAX_ALIAS_EXPANSION` nodes, a node
            contains itself, or values nest deeper than :data:`MAX_NESTING` levels.

    >>> load_yaml("a: " + "[" * 100 + "]" * 100)
    Traceback (most recent call last):
    ...
    policeonto.errors.UnsafeInputError: line 1: values nested deeper than 64 levels are refused
    """
    loader = _ShallowLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


class _ShallowLoader(yaml.SafeLoader):
    """The safe loader, refusing values nested deeper than :data:`MAX_NESTING` while it composes them (its
    composer recurses once per level, and would otherwise fail with a ``RecursionError``)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_NESTING and self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
                raise UnsafeInputError(
                    f"line {self.peek_event().start_mark.line + 1}: values nested deeper than {MAX_NESTING} "
                    "levels are refused"
                )
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self.depth -= 1


def check_nesting(value: Any) -> None:
    """Refuse parsed JSON (lists and dicts) that nests deeper than :data:`MAX_NESTING` levels.

    Raises:
        UnsafeInputError: it does.

    >>> import json
    >>> check_nesting(json.loads('{"a": [[1]]}'))
    >>> check_nesting(json.loads("[" * 70 + "]" * 70))
    Traceback (most recent call last):
    ...
    policeonto.errors.UnsafeInputError: values nested deeper than 64 levels are refused
    """
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, depth = stack.pop()
        if depth > MAX_NESTING:
            raise UnsafeInputError(f"values nested deeper than {MAX_NESTING} levels are refused")
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def _check_expansion(root: yaml.Node) -> None:
    """Count the nodes the document has once aliases are expanded; refuse cycles and large expansions."""
    sizes: dict[int, int] = {}
    distinct = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_nodes: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] - distinct > MAX_ALIAS_EXPANSION:
                raise UnsafeInputError(
                    f"its aliases expand it to over {MAX_ALIAS_EXPANSION:,} more nodes than it has; "
                    "write the values out instead of repeating them through aliases"
                )
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise UnsafeInputError("a node refers to itself through an alias")
        open_nodes.add(key)
        distinct += 1
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def screen_xml(data: bytes) -> None:
    """Refuse an XML document with a document type declaration (and so any entity declaration).

    Raises:
        UnsafeInputError: the document declares a DOCTYPE or entities; the message gives the line.
    """
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_: object) -> None:
        raise UnsafeInputError(
            f"line {parser.CurrentLineNumber}: a document type declaration (DOCTYPE or ENTITY) is refused: "
            "entities are never expanded or fetched"
        )

    def root(*_: object) -> None:  # past the prolog: no declaration can follow
        raise _Prolog

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = root
    # past the prolog it was clean; not well-formed (or in an encoding expat does not know), the RDF/XML
    # parser, expat too, says so
    with contextlib.suppress(_Prolog, xml.parsers.expat.ExpatError, LookupError):
        parser.Parse(data, True)


class _Prolog(Exception):
    """The first element began."""


def inside(path: Path, folder: Path) -> bool:
    """Whether *path*, with links and ``..`` resolved, lies inside *folder*."""
    return path.resolve().is_relative_to(folder.resolve())
