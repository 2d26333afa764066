"""The Markdown pages of the documentation site, from the LinkML schema, the shapes and the mappings.

LinkML's documentation generator writes a page per class, slot, enum and type; the templates in
``templates/`` extend its own with what architects ask of a vocabulary: the shape in plain English, an
example in Turtle and JSON-LD, the mappings that fill each term, the codes with their source values, and
diagrams. Pages about mappings, IRIs and downloads are written here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from linkml.generators.docgen import DocGenerator, enshorten
from linkml_runtime.linkml_model.meta import ClassDefinition, EnumDefinition, SlotDefinition
from rdflib import Graph
from rdflib.term import Node

from policeonto.docs.constraints import Constraint, constraints
from policeonto.docs.coverage import CodeSource, Coverage, SlotSource
from policeonto.docs.escape import FILTERS, code, mermaid, text
from policeonto.docs.examples import Example

__all__ = ["TEMPLATES", "CodeRow", "PageGenerator", "anchor", "render", "term_pages"]

#: The templates the site is written with.
TEMPLATES = Path(__file__).parent / "templates"
_POLE = ("Person", "Object", "Location", "Event", "Organisation")


@dataclass(frozen=True)
class CodeRow:
    """One code of a code list, as its page lists it."""

    notation: str
    iri: str
    curie: str
    label: str
    aliases: tuple[str, ...]
    description: str
    sources: tuple[CodeSource, ...]
    matches: tuple[str, ...] = ()  # the codes of other code lists it matches, as Markdown ("exact: [W1](...)")
    notes: tuple[str, ...] = ()  # its annotations as the SKOS scope notes give them ("inverse: child")


@dataclass
class PageGenerator(DocGenerator):
    """LinkML's documentation generator, told about the shapes, examples and mappings."""

    shapes: Graph = field(default_factory=Graph)
    class_examples: dict[str, Example] = field(default_factory=dict)
    mapping_coverage: list[Coverage] = field(default_factory=list)
    sources_of_codes: dict[str, list[CodeSource]] = field(default_factory=dict)

    def customize_environment(self, env: Environment) -> None:
        """LinkML's filters, with descriptions shortened and escaped, and the site's escaping filters."""
        super().customize_environment(env)
        env.filters.update(FILTERS)
        env.filters["enshorten"] = lambda value: text(enshorten(value))

    # ---- pages' names --------------------------------------------------------------------------------
    def page(self, name: str) -> str:
        """The page (file name without ``.md``) of the schema element called *name*."""
        return self.name(self.schemaview.get_element(name))

    @cached_property
    def code_pages(self) -> dict[str, tuple[str, str]]:
        """Code IRI -> the page of its code list and its notation."""
        view = self.schemaview
        return {
            view.expand_curie(value.meaning): (self.name(enum), notation)
            for enum in view.all_enums().values()
            for notation, value in (enum.permissible_values or {}).items()
            if value.meaning
        }

    def code_list_link(self, codes: list[Node]) -> str | None:
        """A Markdown link to the code list all *codes* belong to, if there is one."""
        owners = {self.code_pages.get(str(code), (None,))[0] for code in codes}
        if len(owners) == 1 and None not in owners:
            (page,) = owners
            return f"[{page}]({page}.md)"
        return None

    # ---- classes -------------------------------------------------------------------------------------
    def rules(self, element: ClassDefinition) -> list[Constraint]:
        """The class's SHACL shape in plain English."""
        iri = self.schemaview.get_uri(element, expand=True)
        return constraints(self.shapes, iri, code_list=self.code_list_link)

    def example(self, element: ClassDefinition) -> Example | None:
        """The record the class's page shows, if the examples have one."""
        return self.class_examples.get(element.name)

    def populated_by(self, element: ClassDefinition) -> list[tuple[Coverage, list[SlotSource]]]:
        """The mappings that make records of the class, each with the slots it fills."""
        return [(c, c.classes[element.name]) for c in self.mapping_coverage if element.name in c.classes]

    def slot_populated_by(self, element: SlotDefinition) -> list[tuple[Coverage, str, SlotSource]]:
        """The mappings that fill the slot, with the class and the source."""
        return [
            (c, cls, source)
            for c in self.mapping_coverage
            for cls, sources in sorted(c.classes.items())
            for source in sources
            if source.slot == element.name
        ]

    def mappings_of_class(self, element: ClassDefinition) -> list[tuple[str, str]]:
        """(kind, CURIE) of each mapping to an external vocabulary declared on the element."""
        found = []
        for kind in ("exact", "close", "broad", "narrow", "related"):
            for target in getattr(element, f"{kind}_mappings") or []:
                found.append((kind, target))
        return found

    def expand(self, curie: str) -> str:
        """The IRI a CURIE of the schema stands for."""
        return self.schemaview.expand_curie(curie)

    # ---- diagrams ------------------------------------------------------------------------------------
    def _object_slots(self, cls: str, *, direct: bool) -> list[SlotDefinition]:
        view = self.schemaview
        names = view.class_slots(cls, direct=direct)
        slots = [view.induced_slot(name, cls) for name in names]
        return [s for s in slots if s.range in view.all_classes()]

    @cached_property
    def _referred_by(self) -> dict[str, list[tuple[str, str]]]:
        """Class -> (class, slot) of each concrete class's own slot that refers to it."""
        view = self.schemaview
        found: dict[str, list[tuple[str, str]]] = {}
        for other in sorted(view.all_classes()):
            if not view.get_class(other).abstract:
                for slot in self._object_slots(other, direct=True):
                    found.setdefault(slot.range, []).append((other, slot.name))
        return found

    def neighbourhood_diagram(self, element: ClassDefinition) -> str:
        """A Mermaid class diagram of the class, its parents and children, and the classes it refers to and
        that refer to it."""
        view = self.schemaview
        me = element.name
        lines = ["classDiagram", "    direction LR"]
        shown = {me}
        lines.append(f"    class {me} {{")
        for slot in (view.induced_slot(name, me) for name in view.class_slots(me, direct=True)):
            if slot.range not in view.all_classes():
                lines.append(f"        +{mermaid(slot.name)} {mermaid(slot.range)}")
        lines.append("    }")
        for parent in view.class_parents(me):
            lines.append(f"    {parent} <|-- {me}")
            shown.add(parent)
        for child in sorted(view.class_children(me, mixins=False)):
            lines.append(f"    {me} <|-- {child}")
            shown.add(child)
        for slot in self._object_slots(me, direct=False):
            lines.append(f'    {me} --> "{mermaid(self.cardinality(slot))}" {slot.range} : {mermaid(slot.name)}')
            shown.add(slot.range)
        # what refers to a superclass refers to this class too: drawn to the superclass, with the line up to it
        chain = view.class_ancestors(me, mixins=False)
        for depth, ancestor in enumerate(chain):
            referrers = [(o, s) for o, s in self._referred_by.get(ancestor, []) if o != me and o not in chain]
            if not referrers:
                continue
            for below, above in pairwise(chain[: depth + 1]):
                if above not in shown:
                    lines.append(f"    {above} <|-- {below}")
                    shown.add(above)
            for other, slot_name in referrers:
                lines.append(f"    {other} --> {ancestor} : {mermaid(slot_name)}")
                shown.add(other)
        for name in sorted(shown):
            lines.append(f'    click {name} href "{self.page(name)}.html"')
        return "\n".join(lines)

    def model_diagram(self) -> str:
        """The whole model at a glance: one box per POLE kind (and organisations) listing its subclasses, one
        rounded box per kind of link, and the relations between them."""
        view = self.schemaview
        group = {cls: top for top in _POLE for cls in view.class_descendants(top)}
        lines = ["flowchart LR"]
        for top in _POLE:
            kinds = sorted(c for c, g in group.items() if g == top and c != top and not view.get_class(c).abstract)
            rows = [" · ".join(mermaid(k) for k in kinds[i : i + 3]) for i in range(0, len(kinds), 3)]
            label = "<br>".join([f"<b>{top}</b>", *rows])
            lines.append(f'    {top}["{label}"]')
        links = sorted(view.class_descendants("Link", reflexive=False))
        for link in links:
            lines.append(f"    {link}([{link}])")
        edges: dict[tuple[str, str], set[str]] = {}
        for link in links:
            for slot in self._object_slots(link, direct=False):
                if slot.range in group:
                    edges.setdefault((link, group[slot.range]), set()).add(slot.name)
        for cls in sorted(group):
            for slot in self._object_slots(cls, direct=True):
                if slot.range in group:
                    edges.setdefault((group[cls], group[slot.range]), set()).add(slot.name)
        for (source, target), labels in sorted(edges.items()):
            lines.append(f"    {source} -- {mermaid(', '.join(sorted(labels)))} --> {target}")
        for cls in [*_POLE, *links]:
            lines.append(f'    click {cls} href "{self.page(cls)}.html"')
        return "\n".join(lines)

    # ---- code lists ----------------------------------------------------------------------------------
    def codes(self, element: EnumDefinition) -> list[CodeRow]:
        """Every code of the code list, with the source values that crosswalk to it."""
        rows = []
        for notation, value in (element.permissible_values or {}).items():
            iri = self.schemaview.expand_curie(value.meaning) if value.meaning else ""
            rows.append(
                CodeRow(
                    notation=notation,
                    iri=iri,
                    curie=value.meaning or "",
                    label=value.title or notation,
                    aliases=tuple(value.aliases or ()),
                    description=" ".join((value.description or "").split()),
                    sources=tuple(self.sources_of_codes.get(iri, ())),
                    matches=tuple(self._matches(value)),
                    notes=tuple(f"{note.tag}: {note.value}" for note in (value.annotations or {}).values()),
                )
            )
        return rows

    def _matches(self, value: Any) -> list[str]:
        """The codes of other code lists a code is declared to match (its SKOS mapping relations), each
        linked to its place on its code list's page."""
        found = []
        for kind, said in (
            ("exact", "exact"),
            ("close", "close"),
            ("broad", "broader"),
            ("narrow", "narrower"),
            ("related", "related"),
        ):
            for curie in getattr(value, f"{kind}_mappings", None) or []:
                target = self.code_pages.get(self.schemaview.expand_curie(curie))
                if target is None:
                    found.append(f"{said}: {code(curie)}")
                else:
                    page, notation = target
                    found.append(f"{said}: [{code(notation)}]({page}.md#{anchor(notation)}) in {page}")
        return found

    def anchor(self, notation: str) -> str:
        """The anchor of a code on its code list's page."""
        return anchor(notation)


def anchor(notation: str) -> str:
    """The anchor of a code on its code list's page: its notation, lower case, other characters as ``-``.

    >>> anchor("IC1"), anchor("misuse-of-drugs-act-1971-s23"), anchor("A1 / A2")
    ('code-ic1', 'code-misuse-of-drugs-act-1971-s23', 'code-a1-a2')
    """
    return "code-" + re.sub(r"[^a-z0-9]+", "-", notation.lower()).strip("-")


def term_pages(generator: PageGenerator) -> list[tuple[str, str, str]]:
    """(kind, IRI, page with anchor) of every term the vocabulary defines: classes, slots, code lists,
    types and codes. This is the table behind the IRI convention."""
    view = generator.schemaview
    found = []
    for kind, elements in (
        ("class", view.all_classes()),
        ("slot", view.all_slots()),
        ("code list", view.all_enums()),
        ("type", {n: t for n, t in view.all_types().items() if not generator._exclude_type(t)}),
    ):
        for element in elements.values():
            if generator._is_external(element):
                continue
            found.append((kind, view.get_uri(element, expand=True), f"{generator.name(element)}.md"))
    for iri, (page, notation) in generator.code_pages.items():
        found.append(("code", iri, f"{page}.md#{anchor(notation)}"))
    return sorted(found, key=lambda row: (row[1], row[0]))


def render(template: str, **values: Any) -> str:
    """Render one of the site's own templates (not an element page)."""
    environment = Environment(loader=FileSystemLoader(TEMPLATES), keep_trailing_newline=True)
    environment.filters.update(FILTERS)
    return environment.get_template(template).render(**values)
