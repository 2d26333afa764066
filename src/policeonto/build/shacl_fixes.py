"""Mend gen-shacl's output: each fix names the LinkML issue it works around (linkml 1.12.1).

The shapes must stand on their own: any SHACL engine, given only the shapes and the data, must report the
same results. Class-level constraints that gen-shacl drops are translated into core SHACL here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from linkml_runtime.linkml_model.meta import AnonymousClassExpression, ClassRule, SlotDefinition
from linkml_runtime.utils.schemaview import SchemaView
from rdflib import RDF, XSD, BNode, Graph, Literal, Node, URIRef
from rdflib.collection import Collection

from policeonto.build.check_digits import fix_check_digits, fix_slot_checks
from policeonto.build.graphs import new_list, prune_orphan_bnodes, remove_tree
from policeonto.build.masked import fix_masked_slots
from policeonto.build.owl_fixes import container_slots
from policeonto.build.postcodes import fix_postcode_hierarchy
from policeonto.build.time_order import fix_time_order
from policeonto.errors import SchemaError
from policeonto.vocab import SH

__all__ = ["SHACL_FIXES", "mend_shacl", "slot_iri"]


def slot_iri(view: SchemaView, name: str) -> URIRef:
    """The IRI of slot *name* as gen-shacl uses it (its slot_uri when given)."""
    return URIRef(view.get_uri(view.get_slot(name), expand=True))


def class_iri(view: SchemaView, name: str) -> URIRef:
    """The IRI of class *name*."""
    return URIRef(view.get_uri(view.get_class(name), expand=True))


def _shape(view: SchemaView, class_name: str) -> URIRef:
    # gen-shacl names each node shape after its class IRI (use_class_uri_names).
    return class_iri(view, class_name)


def _remove_property_shapes(g: Graph, paths: set[URIRef]) -> None:
    for prop_shape, _, path in list(g.triples((None, SH.path, None))):
        if path in paths:
            for shape in list(g.subjects(SH.property, prop_shape)):
                g.remove((shape, SH.property, prop_shape))
            remove_tree(g, prop_shape)


def fix_identifier_shapes(g: Graph, view: SchemaView) -> None:
    """gen-shacl makes a property shape for the identifier slot (``id``), which can never match: the
    identifier is the subject IRI itself. linkml/linkml#1507.
    """
    _remove_property_shapes(g, {slot_iri(view, s.name) for s in view.all_slots().values() if s.identifier})


def fix_type_designator(g: Graph, view: SchemaView) -> None:
    """The ``type`` slot is rdf:type; a maxCount 1 shape on it would reject any node typed with its
    superclasses too (as after RDFS inference). Targets already select by type. No upstream issue found.
    """
    _remove_property_shapes(g, {slot_iri(view, s.name) for s in view.all_slots().values() if s.designates_type})


def fix_container(g: Graph, view: SchemaView) -> None:
    """The RecordSet container is for YAML and JSON only; its shape and list slots go. Project choice."""
    for root in [c for c in view.all_classes().values() if c.tree_root]:
        remove_tree(g, _shape(view, root.name))
    prune_orphan_bnodes(g)
    _remove_property_shapes(g, {slot_iri(view, name) for name in container_slots(view)})


def fix_class_ranges(g: Graph, view: SchemaView) -> None:
    """``sh:class C`` is satisfied only through rdfs:subClassOf triples in the *data* graph, so a value
    typed with a subclass of C fails unless the ontology is loaded with the data. Each such constraint
    becomes ``sh:or`` over C and its subclasses, so the shapes work on the data alone. Not a LinkML bug:
    a consequence of SHACL's instance semantics that gen-shacl leaves to the user.
    """
    for prop_shape, _, cls in list(g.triples((None, SH["class"], None))):
        name = _class_name(view, cls)
        if name is None:
            continue
        descendants = [d for d in view.class_descendants(name, reflexive=False)]
        if not descendants:
            continue
        options = []
        for option in [name, *sorted(descendants)]:
            if view.get_class(option).abstract:
                continue
            node = BNode()
            g.add((node, SH["class"], class_iri(view, option)))
            options.append(node)
        g.remove((prop_shape, SH["class"], cls))
        g.add((prop_shape, SH["or"], new_list(g, options)))


def _class_name(view: SchemaView, iri: Node) -> str | None:
    for cls in view.all_classes().values():
        if class_iri(view, cls.name) == iri:
            return cls.name
    return None


def _condition_shape(g: Graph, view: SchemaView, slot_name: str, cond: SlotDefinition) -> BNode:
    """Translate one LinkML slot condition into a SHACL property shape. Unsupported keys fail loudly."""
    supported = {"name", "required", "value_presence", "equals_string", "pattern", "minimum_value", "maximum_value"}
    used = {k for k, v in cond._as_dict.items() if v not in (None, [], {}, False)}
    unsupported = used - supported
    if unsupported:
        raise SchemaError(f"slot condition keys not translated to SHACL: {sorted(unsupported)}", element=slot_name)
    shape = BNode()
    g.add((shape, SH.path, slot_iri(view, slot_name)))
    presence = str(cond.value_presence) if cond.value_presence else None
    if cond.required or presence == "PRESENT":
        g.add((shape, SH.minCount, Literal(1)))
    if presence == "ABSENT":
        g.add((shape, SH.maxCount, Literal(0)))
    if cond.equals_string is not None:
        g.add((shape, SH.hasValue, _typed_value(view, slot_name, cond.equals_string)))
    if cond.pattern is not None:
        g.add((shape, SH.pattern, Literal(cond.pattern)))
    if cond.minimum_value is not None:
        g.add((shape, SH.minInclusive, Literal(cond.minimum_value)))
    if cond.maximum_value is not None:
        g.add((shape, SH.maxInclusive, Literal(cond.maximum_value)))
    return shape


def _typed_value(view: SchemaView, slot_name: str, text: str) -> Node:
    """The RDF term a slot value is written as: an enum's meaning IRI, or a literal of the slot's type."""
    slot_range = view.get_slot(slot_name).range
    enum = view.get_enum(slot_range) if slot_range else None
    if enum is not None:
        pv = (enum.permissible_values or {}).get(text)
        if pv is None or not pv.meaning:
            raise SchemaError(f"{text!r} is not a code of {enum.name}", element=slot_name)
        return URIRef(view.expand_curie(pv.meaning))
    if slot_range == "boolean":
        return Literal(text == "true", datatype=XSD.boolean)
    return Literal(text)


def _expression_shape(g: Graph, view: SchemaView, expr: AnonymousClassExpression) -> BNode:
    """A node shape requiring every slot condition of *expr*, and one of its ``any_of`` expressions (a
    rule's postcondition can be "this slot or that one")."""
    node = BNode()
    for slot_name, cond in (expr.slot_conditions or {}).items():
        g.add((node, SH.property, _condition_shape(g, view, slot_name, cond)))
    if expr.any_of:
        g.add((node, SH["or"], new_list(g, [_expression_shape(g, view, e) for e in expr.any_of])))
    return node


_BOOLEAN_OPERATORS = {"any_of": SH["or"], "exactly_one_of": SH.xone, "all_of": SH["and"]}


def _shapes_of_class_and_descendants(view: SchemaView, name: str) -> Iterable[URIRef]:
    for cls in [name, *view.class_descendants(name, reflexive=False)]:
        if not view.get_class(cls).abstract:
            yield _shape(view, cls)


def fix_class_expressions(g: Graph, view: SchemaView) -> None:
    """gen-shacl drops a class's ``any_of``, ``exactly_one_of``, ``all_of`` and ``none_of``.
    They become sh:or, sh:xone, sh:and and sh:not on the class's shape and on its subclasses' shapes
    (which carry the inherited slots). linkml/linkml#2400 (and #1600 for any_of).
    """
    for cls in view.all_classes().values():
        for key, operator in _BOOLEAN_OPERATORS.items():
            expressions = getattr(cls, key) or []
            if not expressions:
                continue
            for shape in _shapes_of_class_and_descendants(view, cls.name):
                options = [_expression_shape(g, view, e) for e in expressions]
                g.add((shape, operator, new_list(g, options)))
        for expr in cls.none_of or []:
            for shape in _shapes_of_class_and_descendants(view, cls.name):
                g.add((shape, SH["not"], _expression_shape(g, view, expr)))


def _rule_shape(g: Graph, view: SchemaView, rule: ClassRule) -> BNode:
    """``if P then Q`` as core SHACL: ``sh:or ( [ sh:not P ] Q )``."""
    if rule.elseconditions or rule.bidirectional or rule.deactivated:
        raise SchemaError(
            "rules with else-conditions, bidirectional or deactivated are not translated", element=rule.title
        )
    pre = _expression_shape(g, view, rule.preconditions)
    post = _expression_shape(g, view, rule.postconditions)
    negated = BNode()
    g.add((negated, SH["not"], pre))
    implication = BNode()
    g.add((implication, SH["or"], new_list(g, [negated, post])))
    if rule.description:
        g.add((implication, SH.message, Literal(rule.description, lang="en")))
    if rule.title:
        g.add((implication, SH.name, Literal(rule.title, lang="en")))
    return implication


def fix_rules(g: Graph, view: SchemaView) -> None:
    """gen-shacl translates only some rule patterns, and only into SHACL-SPARQL (linkml/linkml#2464,
    partly done in #3451). Every rule becomes core SHACL instead (``sh:or ( [ sh:not P ] Q )``), on the
    class's shape and its subclasses' shapes, so any SHACL Core engine checks it.
    """
    for cls in view.all_classes().values():
        for rule in cls.rules or []:
            for shape in _shapes_of_class_and_descendants(view, cls.name):
                g.add((shape, SH.node, _rule_shape(g, view, rule)))


def fix_unique_keys(g: Graph, view: SchemaView) -> None:
    """gen-shacl drops ``unique_keys`` (no upstream issue found). Each key becomes a SHACL-SPARQL
    constraint: no two nodes of the class share the key's values.
    """
    for cls in view.all_classes().values():
        for key in (cls.unique_keys or {}).values():
            paths = [slot_iri(view, s) for s in key.unique_key_slots]
            patterns = " ".join(f"$this <{p}> ?k{i} . ?other <{p}> ?k{i} ." for i, p in enumerate(paths))
            target = class_iri(view, cls.name)
            select = (
                "SELECT $this ?value WHERE { "
                f"{patterns} ?other a <{target}> . "
                "FILTER (?other != $this) BIND (?k0 AS ?value) }"
            )
            constraint = BNode()
            g.add((constraint, RDF.type, SH.SPARQLConstraint))
            g.add((constraint, SH.select, Literal(select)))
            g.add((constraint, SH.message, Literal(f"{cls.name}: {key.unique_key_name} is not unique", lang="en")))
            for shape in _shapes_of_class_and_descendants(view, cls.name):
                g.add((shape, SH.sparql, constraint))


def fix_disjoint_slots(g: Graph, view: SchemaView) -> None:
    """gen-shacl drops a slot's ``disjoint_with`` (no upstream issue found). Each becomes ``sh:disjoint`` on
    every property shape of the slot: no node may have the same value for both slots (a relationship's
    relative is never its person).
    """
    for slot in view.all_slots().values():
        for other in slot.disjoint_with or []:
            path, disjoint = slot_iri(view, slot.name), slot_iri(view, other)
            for prop_shape in list(g.subjects(SH.path, path)):
                g.add((prop_shape, SH.disjoint, disjoint))


def fix_not_after(g: Graph, view: SchemaView) -> None:
    """A slot annotated ``not_after: OTHER`` (a range's earliest date) is never after OTHER's value on the
    same node. LinkML has no metaslot for it; ``sh:lessThanOrEquals`` would say so, but its result names
    only one of the two values, so it becomes a SHACL-SPARQL constraint whose message names both, on the
    shapes of the classes that have the slot and their subclasses. Project choice.
    """
    for slot in view.all_slots().values():
        other = slot.annotations.get("not_after") if slot.annotations else None
        if other is None:
            continue
        first, second = slot_iri(view, slot.name), slot_iri(view, str(other.value))
        select = (
            f"SELECT $this ?value ?other ?path WHERE {{ $this <{first}> ?value . $this <{second}> ?other . "
            f"FILTER (?value > ?other) BIND (<{first}> AS ?path) }}"
        )
        constraint = BNode()
        g.add((constraint, RDF.type, SH.SPARQLConstraint))
        g.add((constraint, SH.select, Literal(select)))
        message = f"{slot.name} {{?value}} is after {other.value} {{?other}}"
        g.add((constraint, SH.message, Literal(message, lang="en")))
        owners = [c.name for c in view.all_classes().values() if slot.name in (c.slots or [])]
        for owner in owners:
            for shape in _shapes_of_class_and_descendants(view, owner):
                g.add((shape, SH.sparql, constraint))


def check_enum_agreement(g: Graph, view: SchemaView) -> None:
    """gen-owl and gen-shacl disagree about enums (linkml/linkml#3958): OWL classes or individuals versus
    string literals. With every permissible value given a ``meaning`` (enforced here) and individuals
    chosen for OWL, both use the same code IRIs; this check fails the build if any sh:in list differs.
    """
    for enum in view.all_enums().values():
        missing = [text for text, pv in (enum.permissible_values or {}).items() if not pv.meaning]
        if missing:
            raise SchemaError(f"permissible values without a meaning: {missing}", element=enum.name)
    codes = {
        URIRef(view.expand_curie(pv.meaning))
        for enum in view.all_enums().values()
        for pv in (enum.permissible_values or {}).values()
    }
    for _, _, head in g.triples((None, SH["in"], None)):
        for member in Collection(g, head):
            if member not in codes:
                raise SchemaError(f"sh:in member {member} is not a code IRI", element="shapes")


ShaclFix = Callable[[Graph, SchemaView], None]

#: The fixes, in the order they run.
SHACL_FIXES: tuple[ShaclFix, ...] = (
    fix_identifier_shapes,
    fix_type_designator,
    fix_container,
    fix_class_ranges,
    fix_class_expressions,
    fix_rules,
    fix_unique_keys,
    fix_disjoint_slots,
    fix_not_after,
    fix_check_digits,
    fix_postcode_hierarchy,
    fix_slot_checks,
    fix_masked_slots,
    fix_time_order,
    check_enum_agreement,
)


def mend_shacl(g: Graph, view: SchemaView) -> Graph:
    """Apply every SHACL fix to *g* in order and return it."""
    for fix in SHACL_FIXES:
        fix(g, view)
    return g
