"""Locations (issue 16): postcode units, sectors, districts and areas as places, linked up their hierarchy
and checked against their own codes; addresses linked to their postcode unit; premises with their type,
address and UPRN. Each fixture is checked in both engines: the fast engine must report exactly what pySHACL
reports, and both what the fixture states."""

from __future__ import annotations

import csv
import io
import re

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef

from policeonto.errors import MappingSpecError
from policeonto.fastshacl.report import report_keys
from policeonto.instances import load_records, records_to_graph
from policeonto.mapping import MappingCatalogue, map_files
from policeonto.mapping.expressions import compile_expression
from policeonto.mapping.reference_functions import EXTENSION_FUNCTIONS
from policeonto.shacl import run_pyshacl
from policeonto.validation import validate
from tests.conftest import DATA
from tests.stated import both_engines, check_stated, fast_results

POLE = "https://w3id.org/policeonto/"
PLACE = POLE + "place/"
SH = "http://www.w3.org/ns/shacl#"
EXAMPLE = DATA.parents[1] / "examples" / "every-class.yaml"

NEW_INVALID = [
    "address-postcode-other-unit.ttl",
    "duplicate-postcode-unit.ttl",
    "postcode-codes-not-in-form.ttl",
    "postcode-district-wrong-area.ttl",
    "postcode-sector-wrong-district.ttl",
    "postcode-unit-sector-is-a-district.ttl",
    "postcode-unit-wrong-sector.ttl",
    "premises-bad-type-and-address.ttl",
]


@pytest.mark.parametrize("name", NEW_INVALID)
def test_each_fault_is_exactly_the_stated_result_in_both_engines(name: str, shapes: Graph) -> None:
    check_stated(DATA / "invalid" / name, shapes)


def test_postcode_places_addresses_and_premises_conform_in_both_engines(shapes: Graph) -> None:
    graph = Graph().parse(DATA / "valid" / "places.ttl", format="turtle")
    assert both_engines(graph, shapes) == set()


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_unit_in_another_sector_is_a_finding_naming_the_sector_and_both_codes(engine: str) -> None:
    (finding,) = validate([DATA / "invalid" / "postcode-unit-wrong-sector.ttl"], engine=engine).findings
    assert finding.code == "shape-sparql"
    assert (finding.focus_node, finding.path, finding.value) == (
        PLACE + "postcode-unit/SW1A1AA",
        POLE + "in_postcode_sector",
        PLACE + "postcode-sector/SW1A2",
    )
    assert "SW1A 1AA is in sector SW1A 1, not SW1A 2" in finding.message


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_an_address_whose_postcode_is_not_its_units_names_both(engine: str) -> None:
    (finding,) = validate([DATA / "invalid" / "address-postcode-other-unit.ttl"], engine=engine).findings
    assert (finding.code, finding.path, finding.value) == (
        "shape-sparql",
        POLE + "in_postcode_unit",
        PLACE + "postcode-unit/ME141XY",
    )
    assert "postcode is ME14 1XX, but its postcode unit is ME14 1XY" in finding.message


#: Postcodes of every outward form (A9, A99, A9A, AA9, AA99, AA9A), a non-geographic district (DN55) among
#: them.
POSTCODES = ["M1 1AE", "B33 8TH", "W1A 0AX", "CR2 6XH", "DN55 1PT", "EC1A 1BB", "SW1A 2AA", "ME14 1XX"]


def _parts(postcode: str) -> tuple[str, str, str]:
    """Sector, district and area of *postcode*, read as the Postcode Address File describes them."""
    outward, inward = postcode.split(" ")
    return f"{outward} {inward[0]}", outward, re.match("[A-Z]+", outward).group(0)


def _hierarchy(postcodes: list[str], wrong: set[str]) -> Graph:
    """Each postcode's unit, sector, district and area, each linked to its container, except that the
    postcodes in *wrong* have each link made to the next postcode's container instead."""
    g = Graph()
    iri = {}
    for postcode in postcodes:
        sector, district, area = _parts(postcode)
        for kind, code in (("unit", postcode), ("sector", sector), ("district", district), ("area", area)):
            node = iri[kind, code] = URIRef(f"{PLACE}postcode-{kind}/{code.replace(' ', '')}")
            g.add((node, RDF.type, URIRef(POLE + "Postcode" + kind.title())))
            g.add((node, URIRef(POLE + "area_code"), Literal(code)))
    for i, postcode in enumerate(postcodes):
        own = (postcode, *_parts(postcode))
        other = (postcodes[(i + 1) % len(postcodes)], *_parts(postcodes[(i + 1) % len(postcodes)]))
        links = [("unit", "sector", "in_postcode_sector"), ("sector", "district", "in_postcode_district"),
                 ("district", "area", "in_postcode_area")]  # fmt: skip
        for level, (kind, container, slot) in enumerate(links):
            target = other if postcode in wrong else own
            g.add((iri[kind, own[level]], URIRef(POLE + slot), iri[container, target[level + 1]]))
    return g


def test_the_hierarchy_checks_agree_with_the_postcode_address_files_reading_in_both_engines(shapes: Graph) -> None:
    """Every outward form's unit, sector and district is in the container its code names, and a link to
    another's is a result on the link in pySHACL and the fast engine alike (the neighbours in the list
    differ at each level: no two share a sector, district or area)."""
    assert fast_results(_hierarchy(POSTCODES, set())) == set()
    wrong = {"B33 8TH", "DN55 1PT", "EC1A 1BB"}
    graph = _hierarchy(POSTCODES, wrong)
    fast = fast_results(graph)
    _, report, _ = run_pyshacl(graph, shapes)
    assert fast == report_keys(report)
    found = {
        (focus.strip("<>"), path)
        for focus, path, _value, component, _severity in fast
        if component == SH + "SPARQLConstraintComponent"
    }
    expected = set()
    for postcode in wrong:
        sector, district, _area = _parts(postcode)
        expected |= {
            (f"{PLACE}postcode-unit/{postcode.replace(' ', '')}", POLE + "in_postcode_sector"),
            (f"{PLACE}postcode-sector/{sector.replace(' ', '')}", POLE + "in_postcode_district"),
            (f"{PLACE}postcode-district/{district}", POLE + "in_postcode_area"),
        }
    assert found == expected
    assert len(fast) == len(expected)


def test_the_example_records_link_an_address_to_its_postcode_places_and_a_premises_to_its_address() -> None:
    graph = records_to_graph(load_records(EXAMPLE))
    unit = URIRef(PLACE + "postcode-unit/ME141XX")
    assert graph.value(unit, RDF.type) == URIRef(POLE + "PostcodeUnit")
    assert graph.value(unit, URIRef(POLE + "in_postcode_sector")) == URIRef(PLACE + "postcode-sector/ME141")
    address = URIRef("https://example.org/kent/address/ADR-6")
    assert graph.value(address, URIRef(POLE + "in_postcode_unit")) == unit
    (premises,) = graph.subjects(RDF.type, URIRef(POLE + "Premises"))
    assert graph.value(premises, URIRef(POLE + "premises_address")) == address
    assert graph.value(premises, URIRef(POLE + "premises_type")) == URIRef(
        POLE + "code/premises-type/licensed-premises"
    )
    assert fast_results(graph) == set()


#: Postcodes as exports write them, and what postcode(x, part) gives for each part.
WRITTEN = {
    "SW1A 1AA": ("SW1A 1AA", "SW1A 1", "SW1A", "SW"),
    " sw1a1aa ": ("SW1A 1AA", "SW1A 1", "SW1A", "SW"),
    "b33  8th": ("B33 8TH", "B33 8", "B33", "B"),
    "W1A\u00a00AX": ("W1A 0AX", "W1A 0", "W1A", "W"),
    "M1 1AE": ("M1 1AE", "M1 1", "M1", "M"),
    "GIR 0AA": ("GIR 0AA", None, None, None),
    "SW1A 1A": (None, None, None, None),
    "SW1A": (None, None, None, None),
    "": (None, None, None, None),
    None: (None, None, None, None),
}


@pytest.mark.parametrize("part", ["unit", "sector", "district", "area"])
def test_a_postcode_column_gives_its_unit_sector_district_and_area_in_both_paths(part: str) -> None:
    index = ["unit", "sector", "district", "area"].index(part)
    values = list(WRITTEN)
    frame = pl.DataFrame({"x": values}, schema={"x": pl.String})
    fast = frame.select(compile_expression(f"postcode(x, '{part}')", {"x"})).to_series().to_list()
    reference = [EXTENSION_FUNCTIONS["postcode"](value, part) for value in values]
    assert fast == reference == [WRITTEN[value][index] for value in values]


POSTCODE_TEXT = st.text(alphabet=st.sampled_from("AEGIMRSWBaez019 \u00a0\x1c\tß-"), max_size=10)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=80)
@given(st.lists(st.one_of(st.none(), POSTCODE_TEXT), min_size=1, max_size=8))
def test_postcode_parts_agree_with_linkml_map_on_generated_text(values: list[str | None]) -> None:
    """The fast path (Polars) gives what linkml-map's evaluator gives with the plain Python function."""
    eval_utils = pytest.importorskip("linkml_map.utils.eval_utils")
    frame = pl.DataFrame({"x": values}, schema={"x": pl.String})
    for part in ("unit", "sector", "district", "area"):
        expression = f"postcode(x, '{part}')"
        fast = frame.select(compile_expression(expression, {"x"})).to_series().to_list()
        reference = [
            eval_utils.eval_expr_with_mapping(expression, {"x": v}, functions=EXTENSION_FUNCTIONS, strict=True)
            for v in values
        ]
        assert fast == reference, (expression, values)


def test_a_postcode_part_that_is_not_one_is_refused_when_the_mapping_loads() -> None:
    with pytest.raises(MappingSpecError, match="postcode\\(\\)'s part must be one of unit, sector, district, area"):
        compile_expression("postcode(x, 'ward')", {"x"})
    with pytest.raises(MappingSpecError, match="must be a text literal"):
        compile_expression("postcode(x, y)", {"x", "y"})


FORCE_A_LOCATIONS = DATA.parents[1] / "examples" / "force-a" / "locations.csv"


def test_a_force_exports_postcode_column_yields_its_postcode_places_that_conform_in_both_engines(
    shapes: Graph,
) -> None:
    """Force A's real locations file, mapped by a transformation of one's own with postcode(): each valid
    postcode gives one unit, and each sector, district and area one place however many rows name it."""
    catalogue = MappingCatalogue.search([DATA / "postcode-mappings"], environment={})
    out = io.BytesIO()
    result = map_files(FORCE_A_LOCATIONS, out, mapping="force-a-postcode-places", catalogue=catalogue)
    assert result.rows_read == 213 == result.rows_mapped + result.rows_rejected  # 13 planted for address linkage
    # The export's four planted postcode faults are dropped by the source schema's pattern, each a finding.
    assert {(f.code, f.row, f.column) for f in result.findings} == {
        ("invalid-value", 52, "POSTCODE"),
        ("invalid-value", 57, "POSTCODE"),
        ("invalid-value", 163, "POSTCODE"),
        ("invalid-value", 170, "POSTCODE"),
    }
    graph = Graph().parse(data=out.getvalue().decode("utf-8"), format="nt")
    fast = fast_results(graph)
    _, report, _ = run_pyshacl(graph, shapes)
    assert fast == report_keys(report) == set()
    with FORCE_A_LOCATIONS.open(encoding="utf-8", newline="") as handle:
        written = [row["POSTCODE"] for row in csv.DictReader(handle)]
    valid = {p for p in written if re.fullmatch("[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}", p)}
    parts = [_parts(p) for p in valid]
    for kind, expected in (
        ("Unit", valid),
        ("Sector", {s for s, _d, _a in parts}),
        ("District", {d for _s, d, _a in parts}),
        ("Area", {a for _s, _d, a in parts}),
    ):
        places = graph.subjects(RDF.type, URIRef(POLE + "Postcode" + kind))
        assert {str(graph.value(s, URIRef(POLE + "area_code"))) for s in places} == expected, kind
    linked = list(graph.subject_objects(URIRef(POLE + "in_postcode_unit")))
    assert len(linked) == len([p for p in written if p in valid]) == 209  # 196, and 13 planted for linkage


def test_premises_types_name_their_addressbase_class_and_the_acts_they_cite(codelists: Graph) -> None:
    """The SKOS code list publishes each premises type's AddressBase secondary class as a scope note and the
    Act a code is defined by as its rdfs:seeAlso."""
    base = POLE + "code/premises-type/"
    codes = set(codelists.subjects(SKOS.inScheme, URIRef(base.rstrip("/"))))
    assert len(codes) == 16
    notes = {
        str(code).removeprefix(base): str(note).removeprefix("addressbase_class: ")
        for code in codes
        for note in codelists.objects(code, SKOS.scopeNote)
        if str(note).startswith("addressbase_class: ")
    }
    assert notes["shop"] == "CR" and notes["flat"] == notes["dwelling-house"] == "RD" and len(notes) == 12
    assert (
        URIRef(base + "licensed-premises"),
        RDFS.seeAlso,
        URIRef("https://www.legislation.gov.uk/ukpga/2003/17/section/11"),
    ) in codelists
