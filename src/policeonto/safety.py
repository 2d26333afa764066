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
    """Refuse an XML document with a document type declaration (and so any entity declaration), failing
    closed: a document the screen cannot read to its end is refused too.

    Two checks, so that no parser that reads the bytes differently from expat can meet a declaration the
    screen missed:

    - the text ``<!DOCTYPE`` or ``<!ENTITY``, in any case, anywhere in the bytes read as UTF-8 (or any
      ASCII-compatible encoding), UTF-16 or UTF-32 of either byte order: in the prolog, after the root
      element began (where expat stops but Oxigraph's parser still expands entities), or in a comment;
    - expat reads the whole document, in the encoding it declares, without an error and without a DOCTYPE.
      Anything it cannot read (leading space before the XML declaration, ``standalone="maybe"``, an unknown
      or multi-byte encoding, UTF-32, a declared encoding the bytes contradict) is refused: the screen
      cannot tell what another parser would make of it.

    >>> screen_xml(b'<?xml version="1.0"?><r/>')
    >>> try:
    ...     screen_xml(b' <?xml version="1.0"?><r/>')
    ... except UnsafeInputError as exc:
    ...     print(str(exc)[:61])
    not well-formed XML at line 1 (XML or text declaration not at

    Raises:
        UnsafeInputError: the document holds a DOCTYPE or entity declaration, or expat cannot read it whole.
    """
    if (at := _declaration_at(data)) is not None:
        raise UnsafeInputError(f"line {data.count(_NEWLINE, 0, at) + 1}: {_REFUSED}")
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_: object) -> None:
        raise UnsafeInputError(f"line {parser.CurrentLineNumber}: {_REFUSED}")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    try:
        parser.Parse(data, True)
    except UnsafeInputError:
        raise
    except xml.parsers.expat.ExpatError as exc:
        reason = xml.parsers.expat.ErrorString(exc.code)
        raise UnsafeInputError(
            f"not well-formed XML at line {exc.lineno} ({reason}), so it cannot be shown to hold no DOCTYPE"
        ) from exc
    except (LookupError, ValueError) as exc:  # unknown, or multi-byte, encodings (expat reads neither)
        raise UnsafeInputError(
            f"expat cannot read its encoding ({str(exc)[:80]}), so it cannot be shown to hold no "
            "DOCTYPE; write it in UTF-8"
        ) from exc


_NEWLINE = b"\n"
_REFUSED = "a document type declaration (DOCTYPE or ENTITY) is refused: entities are never expanded or fetched"


def _declaration_pattern() -> re.Pattern[bytes]:
    """``<!DOCTYPE`` or ``<!ENTITY`` in any case, in the bytes of UTF-8, UTF-16 and UTF-32 of both orders."""
    alternatives = []
    for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        for word in ("DOCTYPE", "ENTITY"):
            parts = [re.escape("<!".encode(encoding))]
            parts += [
                b"(?:" + re.escape(c.upper().encode(encoding)) + b"|" + re.escape(c.lower().encode(encoding)) + b")"
                for c in word
            ]
            alternatives.append(b"".join(parts))
    return re.compile(b"|".join(alternatives))


_DECLARATION = _declaration_pattern()


def _declaration_at(data: bytes) -> int | None:
    """Where the first ``<!DOCTYPE`` or ``<!ENTITY`` of :func:`_declaration_pattern` begins, or None.

    Every form holds the byte ``!``, rare in RDF/XML, so only the bytes around each one are searched
    (a plain search of the whole document is ten times slower).
    """
    bang = data.find(b"!")
    while bang != -1:
        if found := _DECLARATION.search(data, max(0, bang - 8), bang + 40):
            return found.start()
        bang = data.find(b"!", bang + 1)
    return None


def inside(path: Path, folder: Path) -> bool:
    """Whether *path*, with links and ``..`` resolved, lies inside *folder*."""
    return path.resolve().is_relative_to(folder.resolve())
