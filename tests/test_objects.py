"""Objects (issue 16): SIM cards, online accounts, IP and web addresses, cryptocurrency addresses, bank
accounts and payment cards held masked, firearms, vehicle details, and who holds an object outside any
event. Each fixture is checked in both engines: the fast engine must report exactly what pySHACL reports,
and both what the fixture states."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, SKOS, Graph, Literal, Namespace, URIRef

from policeonto.instances import load_records, records_to_graph
from policeonto.mapping import MappingCatalogue
from policeonto.validation import validate
from policeonto.validation.render import render
from tests.conftest import DATA, ROOT
from tests.stated import both_engines, check_stated

POLE = Namespace("https://w3id.org/policeonto/")
EX = Namespace("https://example.org/")
CODE = "https://w3id.org/policeonto/code/"

NEW_INVALID = [
    "bank-account-full-number.ttl",
    "contact-account-not-an-account.ttl",
    "crypto-address-bad.ttl",
    "device-imei-luhn.ttl",
    "firearm-bad.ttl",
    "holding-bad.ttl",
    "holding-object-not-an-object.ttl",
    "ip-address-bad.ttl",
    "online-account-without-handle-or-id.ttl",
    "payment-card-full-number.ttl",
    "sim-iccid.ttl",
    "sim-imsi-too-short.ttl",
    "vehicle-details-bad.ttl",
    "web-address-bad.ttl",
]


@pytest.mark.parametrize("name", NEW_INVALID)
def test_each_fault_is_exactly_the_stated_result_in_both_engines(name: str, shapes: Graph) -> None:
    check_stated(DATA / "invalid" / name, shapes)


def test_the_objects_of_a_records_system_conform_in_both_engines(shapes: Graph) -> None:
    assert both_engines(Graph().parse(DATA / "valid" / "objects.ttl", format="turtle"), shapes) == set()


def _luhn_digit(digits: str) -> str:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str(-total % 10)


@pytest.mark.parametrize(
    "body", ["894411000000001234", "894400000000000000", "893598765432109876", "894499999999999999"]
)
def test_a_19_digit_iccid_is_judged_by_its_luhn_digit_alike_in_both_engines(body: str, shapes: Graph) -> None:
    """Every wrong check digit of an ICCID is one finding; the right one none (Luhn computed here in Python)."""
    right = body + _luhn_digit(body)
    graph = Graph()
    for digit in "0123456789":
        sim = EX[f"sim-{digit}"]
        graph.add((sim, RDF.type, POLE.SimCard))
        graph.add((sim, POLE.iccid, Literal(body + digit)))
    found = both_engines(graph, shapes)
    assert {focus for focus, *_ in found} == {f"<{EX}sim-{d}>" for d in "0123456789" if body + d != right}
    assert {component for *_, component, _s in found} == {"http://www.w3.org/ns/shacl#SPARQLConstraintComponent"}


@pytest.mark.parametrize(
    ("slot", "held", "shown"),
    [
        ("masked_card_number", "4751290000001234", "475129******1234"),
        ("masked_card_number", "4751-2900-0000-1234", "4751-2*********1234"),
        ("masked_card_number", "475129*1234", "475129*1234"),  # one masked digit: too few
        ("masked_card_number", "12345", "*2345"),
        ("masked_account_number", "12345678", "****5678"),
        ("masked_account_number", "****56789", "*****6789"),
    ],
)
@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_an_unmasked_number_is_a_finding_showing_only_its_masked_form(
    tmp_path: Path, slot: str, held: str, shown: str, engine: str
) -> None:
    """The finding names the node, the slot and the value masked; the full number is in no finding and in
    no rendering of the report."""
    cls = "PaymentCard" if slot == "masked_card_number" else "BankAccount"
    data = tmp_path / "card.ttl"
    data.write_text(f'<https://example.org/x> a <{POLE}{cls}> ; <{POLE}{slot}> "{held}" .\n', encoding="utf-8")
    report = validate([data], engine=engine)
    (finding,) = report.findings
    assert (finding.code, finding.focus_node, finding.path, finding.value) == (
        "shape-sparql",
        "https://example.org/x",
        str(POLE[slot]),
        shown,
    )
    assert shown in finding.message
    if shown != held:  # a number masked too little (one * in a card number) is shown as it is
        assert held not in str(finding.as_dict())
        for fmt in ("text", "json", "html", "csv", "shacl"):
            assert held not in render(report, fmt)


@pytest.mark.parametrize(
    ("slot", "held"),
    [
        ("masked_card_number", "475129******1234"),
        ("masked_card_number", "************1234"),
        ("masked_card_number", "4751**********"),
        ("masked_account_number", "****5678"),
        ("masked_account_number", "5678"),
    ],
)
def test_a_masked_number_conforms_in_both_engines(slot: str, held: str, shapes: Graph) -> None:
    """Beside a full number (the one finding), a number in the masked form is no finding."""
    cls = POLE.PaymentCard if slot == "masked_card_number" else POLE.BankAccount
    graph = Graph()
    for node, value in ((EX.masked, held), (EX.full, "4751290000001234")):
        graph.add((node, RDF.type, cls))
        graph.add((node, POLE[slot], Literal(value)))
    assert {focus for focus, *_ in both_engines(graph, shapes)} == {f"<{EX.full}>"}


def test_a_contact_point_may_name_its_online_account_instead_of_its_handle(shapes: Graph) -> None:
    """The online-account rule asks for a handle or the account object; neither is still the one finding."""
    graph = Graph().parse(DATA / "valid" / "objects.ttl", format="turtle")
    contact = URIRef("https://example.org/force-a/contact-1")
    assert graph.value(contact, POLE.account_handle) is None
    assert graph.value(contact, POLE.online_account) is not None
    graph.remove((contact, POLE.online_account, None))
    found = both_engines(graph, shapes)
    assert {(f, c) for f, _p, _v, c, _s in found} == {
        (f"<{contact}>", "http://www.w3.org/ns/shacl#NodeConstraintComponent")
    }


def test_each_firearm_class_an_act_defines_means_its_legislation_gov_uk_provision(codelists: Graph) -> None:
    scheme = URIRef(CODE + "firearm-classification")
    concepts = {c: str(codelists.value(c, SKOS.notation)) for c in codelists.subjects(SKOS.inScheme, scheme)}
    assert len(concepts) >= 8
    by_code = {code: str(c) for c, code in concepts.items()}
    assert by_code["section-1-firearm"] == "http://www.legislation.gov.uk/id/ukpga/1968/27/section/1"
    assert by_code["section-2-shotgun"] == "http://www.legislation.gov.uk/id/ukpga/1968/27/section/2"
    assert by_code["section-5-1a-prohibited"] == "http://www.legislation.gov.uk/id/ukpga/1968/27/section/5/1A"
    ours = {code for code, iri in by_code.items() if iri.startswith(CODE)}
    assert ours == {"air-weapon", "not-known"}


def test_every_new_object_class_has_a_record_in_the_examples() -> None:
    graph = records_to_graph(load_records(ROOT / "examples" / "every-class.yaml"))
    typed = set(graph.objects(None, RDF.type))
    new = ["SimCard", "OnlineAccount", "IpAddress", "WebAddress", "CryptoAddress", "BankAccount", "PaymentCard"]
    assert {POLE[name] for name in [*new, "Firearm", "ObjectHolding"]} <= typed
    holding = next(graph.subjects(RDF.type, POLE.ObjectHolding))
    assert graph.value(holding, POLE.holding_role) == URIRef(CODE + "holding-role/custodian")


_CARDS_SOURCE = """id: https://example.org/force-e/source/cards
name: force_e_cards
title: Force E seized cards
license: http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/
prefixes:
  linkml: https://w3id.org/linkml/
  cards: https://example.org/force-e/source/cards/
default_prefix: cards
default_range: string
imports:
  - linkml:types
  - context
classes:
  CardRow:
    description: One seized payment card.
    mixins: [RowContext]
    slots: [card_ref, card_number]
slots:
  card_ref:
    title: Card Ref
    identifier: true
    required: true
  card_number:
    title: Card Number
    required: true
"""

_CARDS_TRANSFORM = """id: https://example.org/force-e/mappings/cards
title: Force E seized cards to policeonto
version: 0.1.0
license: http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/
source_schema: cards.source.yaml
target_schema: policeonto
policeonto:
  row_class: CardRow
class_derivations:
  PaymentCard:
    populated_from: CardRow
    slot_derivations:
      id: {expr: "base + 'force-e/card/' + card_ref"}
      masked_card_number: {populated_from: card_number}
      source_row: {populated_from: row}
"""


def test_a_full_card_number_in_a_mapped_table_is_a_finding_at_its_row_and_column_showing_it_masked(
    tmp_path: Path,
) -> None:
    """Through the mapping and the fast engine's table validation: the finding names the file, row and
    column (the second data row), and shows the number masked; the full number is in no rendering of the
    report."""
    folder = tmp_path / "mappings"
    folder.mkdir()
    (folder / "cards.source.yaml").write_text(_CARDS_SOURCE, encoding="utf-8")
    (folder / "force-e-cards.transform.yaml").write_text(_CARDS_TRANSFORM, encoding="utf-8")
    table = tmp_path / "cards.csv"
    table.write_text("Card Ref,Card Number\nK1,475129******1234\nK2,4751290000001234\n", encoding="utf-8")
    report = validate([table], catalogue=MappingCatalogue.search([folder], environment={}))
    assert report.rows == 2
    assert [(f.code, f.row, f.column, f.value) for f in report.findings] == [
        ("shape-sparql", 2, "Card Number", "475129******1234")
    ]
    for fmt in ("text", "json", "html", "csv", "shacl"):
        assert "4751290000001234" not in render(report, fmt)
