"""``policeonto scaffold``: a draft mapping for an export never seen, usable as it is."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from policeonto.fastshacl.report import report_keys
from policeonto.mapping import MappingCatalogue, map_files
from policeonto.mapping.crosswalk import read_crosswalk
from policeonto.scaffold import draft_mapping, render, write_draft
from policeonto.scaffold.codes import draft_codes
from policeonto.scaffold.profile import profile_export
from policeonto.validation import validate
from policeonto.vocab import POLE
from tests.scaffold_export import write_export


def _policeonto(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policeonto", *map(str, args)], capture_output=True, text=True, check=False
    )


def _csv(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_draft_of_an_unseen_layout_maps_it_with_every_row_counted(tmp_path: Path) -> None:
    files = write_export(tmp_path / "force-d")
    draft = tmp_path / "draft"
    made = _policeonto("scaffold", *files, "-o", draft, "--format", "json")
    assert made.returncode == 0, made.stderr
    summary = json.loads(made.stdout)
    assert {t["table"]: (t["class"], t["columns"], t["unplaced"]) for t in summary["tables"]} == {
        "persons": (
            "Person",
            {
                "Person Ref": "Person.source_record_id",
                "Family Name": "PersonName.family_name",
                "Given Name": "PersonName.given_name",
                "Birth Date": "Person.date_of_birth",
                "Sex": "Person.gender",
            },
            [],
        ),
        "motor_vehicles": (
            "Vehicle",
            {
                "Veh No": "Vehicle.source_record_id",
                "Reg Mark": "Vehicle.identifiers",
                "Manufacturer": "Vehicle.make",
                "Body Type": "Vehicle.body_type",  # by its name: the vocabulary has body types,
            },
            [],
        ),
        "offences": (
            "Crime",
            {
                "Offence No": "Crime.source_record_id",
                "Offence Date": "Crime.start_time",
                "Offence Group": "Crime.crime_type",
            },
            ["Locus Postcode"],
        ),
        "person_offence_links": (
            "PersonInvolvement",
            {
                "Link No": "PersonInvolvement.source_record_id",
                "Person Ref": "PersonInvolvement.person",
                "Offence No": "PersonInvolvement.event",
                "Involvement": "PersonInvolvement.involvement_role",
            },
            [],
        ),
    }
    assert summary["unmatched"] == {
        "motor_vehicles/Body Type": [],
        "offences/Offence Group": ["Fraud"],
        "person_offence_links/Involvement": [],
        "persons/Sex": ["Not Stated"],
    }
    # the draft refers to the bundled context by name: nothing bundled is copied
    assert sorted(p.name for p in draft.iterdir()) == [
        "README.md",
        "crosswalks",
        "force-d-motor-vehicles.transform.yaml",
        "force-d-offences.transform.yaml",
        "force-d-person-offence-links.transform.yaml",
        "force-d-persons.transform.yaml",
        "force-d.source.yaml",
    ]
    offences = read_crosswalk(draft / "crosswalks" / "force-d-offence-group.sssom.tsv")
    assert {label: iri.rsplit("/", 1)[1] for label, iri in offences.codes().items()} == {
        "Burglary Dwelling": "burglary",
        "Shop Lifting": "shoplifting",
        "Criminal Damage": "criminal-damage-arson",
        "Robery": "robbery",
    }
    assert {row["mapping_justification"] for row in offences.rows} == {"semapv:LexicalMatching"}
    bodies = read_crosswalk(draft / "crosswalks" / "force-d-body-type.sssom.tsv").codes()
    assert {label: iri.rsplit("/", 1)[1] for label, iri in bodies.items()} == {
        "Saloon Car": "saloon",
        "Panel Van": "panel-van",
        "Motor Cycle": "motorcycle",
    }
    readme = (draft / "README.md").read_text(encoding="utf-8")
    assert "**no match** for `Fraud` (5 rows)" in readme
    assert "**no match** for `Not Stated` (6 rows)" in readme
    assert "| offences | `Offence Date` | date (%d/%m/%Y) | Crime.start_time |" in readme

    report = tmp_path / "report.json"
    mapped = _policeonto("map", "--mappings", draft, *files, "-o", tmp_path / "out.nt", "--report", report)
    assert mapped.returncode == 1, mapped.stderr  # rows rejected, each with its finding
    figures = json.loads(report.read_text(encoding="utf-8"))
    assert figures["rows_read"] == 107 == figures["rows_mapped"] + figures["rows_rejected"]
    assert figures["rows_rejected"] == 24
    assert figures["rejected_by_reason"] == {
        "unknown-code (Sex)": 6,  # Not Stated: no national label
        "unknown-code (Offence Group)": 5,  # Fraud: no national crime type
        "dangling-reference (Person Ref)": 8,  # P0099, and 7 links to people rejected for their Sex
        "dangling-reference (Offence No)": 5,  # links to offences rejected for Fraud
    }
    assert {f["file"].rsplit("/", 1)[1]: (f["mapping"], f["rows_read"]) for f in figures["files"]} == {
        "persons.csv": ("force-d-persons", 30),
        "motor_vehicles.csv": ("force-d-motor-vehicles", 12),
        "offences.csv": ("force-d-offences", 25),
        "person_offence_links.csv": ("force-d-person-offence-links", 40),
    }
    triples = (tmp_path / "out.nt").read_text(encoding="utf-8")
    offence = "<https://w3id.org/policeonto/data/force-d/offences/OFF/00001>"
    assert f'{offence} <https://w3id.org/policeonto/start_time> "2024-02-02T00:00:00"' in triples
    assert "<https://w3id.org/policeonto/data/identifier/vrm/BM11YAB>" in triples  # written "BM11 YAB"


def test_scaffold_will_not_write_over_a_draft(tmp_path: Path) -> None:
    files = write_export(tmp_path / "force-d")
    assert _policeonto("scaffold", *files, "-o", tmp_path / "draft").returncode == 0
    again = _policeonto("scaffold", *files, "-o", tmp_path / "draft")
    assert again.returncode == 2
    assert "refusing to write 'README.md': it exists (and 9 more of the draft's files)" in again.stderr


def test_columns_are_profiled_for_type_pattern_required_and_key(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "records.csv",
        "Ref,When,Seen,Count,Weight,Flag,Kind,Note",
        "R-01,01/02/2024,2024-02-01T10:00:00,3,1.5,true,A,x",
        "R-02,13/02/2024,2024-02-02T11:00:00,4,2,FALSE,B,",
        "R-03,28/02/2024,2024-02-03T12:00:00Z,5,2.25,true,A,y z",
        "R-04,29/02/2024,2024-02-04T12:00:00+01:00,6,3,false,B,",
    )
    (table,) = profile_export([path])
    got = {c.header: (c.range, c.date_format, c.pattern, c.filled, c.coded) for c in table.columns}
    assert got == {
        "Ref": ("string", None, "^[A-Z]\\-[0-9]{2}$", 4, False),
        "When": ("date", "%d/%m/%Y", None, 4, False),
        "Seen": ("datetime", None, None, 4, False),
        "Count": ("integer", None, None, 4, False),
        "Weight": ("decimal", None, None, 4, False),
        "Flag": ("boolean", None, None, 4, False),
        "Kind": ("string", None, None, 4, True),
        "Note": ("string", None, None, 2, False),
    }
    assert table.key == "Ref"
    assert table.column("Kind").values == (("A", 2), ("B", 2))


def test_a_few_bad_values_do_not_change_a_column_type(tmp_path: Path) -> None:
    rows = [f"P{n:03d},{1 + n % 28:02d}/03/1980" for n in range(40)] + ["P999,30/02/1980"]
    (table,) = profile_export([_csv(tmp_path / "people.csv", "Id,Born", *rows)])
    assert (table.column("Born").range, table.column("Born").date_format) == ("date", "%d/%m/%Y")


def test_a_graph_export_gets_keys_and_references_to_several_node_files(tmp_path: Path) -> None:
    people = _csv(tmp_path / "people.csv", "personId:ID,name", "1,A", "2,B", "3,C")
    cars = _csv(tmp_path / "cars.csv", "carId:ID,vrm", "10,AB12CDE", "11,XY19ABC")
    crimes = _csv(tmp_path / "crimes.csv", "crimeId:ID,offence", "20,Robbery", "21,Drugs")
    rel = _csv(
        tmp_path / "involved.csv", ":START_ID,:END_ID,:TYPE", "1,20,IN", "2,20,IN", "10,21,IN", "3,21,IN", "11,20,IN"
    )
    tables = {t.name: t for t in profile_export([people, cars, crimes, rel])}
    assert {n: t.key for n, t in tables.items()} == {
        "people": "personId:ID",
        "cars": "carId:ID",
        "crimes": "crimeId:ID",
        "involved": None,
    }
    involved = tables["involved"]
    assert involved.column(":START_ID").references == ("cars", "people")
    assert involved.column(":END_ID").references == ("crimes",)
    assert involved.column(":TYPE").pattern == "^IN$"
    source = render(draft_mapping([people, cars, crimes, rel], name="graph"))["graph.source.yaml"]
    assert "references: PeopleRow CarsRow" in source
    assert source.count("key_space: node") == 2  # people and cars: one column refers to both


def test_coded_values_match_national_labels_and_the_rest_are_left_to_the_steward() -> None:
    # Informant became a code of the list in issue 16; a bystander is still no part the list names.
    matches = draft_codes(("SUSP", "Vic", "WITNESS", "Offender (adult)", "Informant", "Bystander"), "InvolvementRole")
    assert [(m.value, m.code.notation if m.code else None, m.how) for m in matches] == [
        ("SUSP", "suspect", "prefix"),
        ("Vic", "victim", "prefix"),
        ("WITNESS", "witness", "normalised"),
        ("Offender (adult)", "offender", "fuzzy"),
        ("Informant", "informant", "exact"),
        ("Bystander", None, None),
    ]


@pytest.mark.parametrize(
    ("header", "values", "expected"),
    [
        ("Reg", ["AB12 CDE", "XY19ABC", "A123BCD"], ("Vehicle", "Vehicle.identifiers")),
        ("PNC", ["12/3456789Z", "99/1234567A"], ("Person", "Person.identifiers")),
        ("Where", ["ME14 1XX", "TN1 2AB"], ("Address", "Address.postcode")),
    ],
)
def test_values_suggest_a_class_and_slot(
    tmp_path: Path, header: str, values: list[str], expected: tuple[str, str]
) -> None:
    path = _csv(tmp_path / "things.csv", f"Id,{header}", *(f"T{n},{v}" for n, v in enumerate(values)))
    (plan,) = draft_mapping([path]).plans
    suggestion = plan.suggestion(header)
    assert suggestion is not None
    assert (plan.target_class, f"{suggestion.target_class}.{suggestion.slot}") == expected


def test_a_json_export_is_drafted_table_by_table(tmp_path: Path) -> None:
    document = {
        "data": [
            {"type": "people", "id": "PER-1", "attributes": {"familyName": "Ames", "gender": "MALE"}},
            {"type": "people", "id": "PER-2", "attributes": {"familyName": "Best", "gender": "FEMALE"}},
            {"type": "people", "id": "PER-3", "attributes": {"familyName": "Cole", "gender": "MALE"}},
        ]
    }
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    draft = draft_mapping([path], name="json-force")
    (plan,) = draft.plans
    assert plan.target_class == "Person"
    assert {s.column: s.slot for s in plan.suggestions} == {
        "id": "source_record_id",
        "attributes.familyName": "family_name",
        "attributes.gender": "gender",
    }
    transform = render(draft)["json-force-people.transform.yaml"]
    assert '  json: {"records": "data", "type": "people"}' in transform


def test_the_draft_of_force_c_gives_only_the_faults_planted_in_its_export(tmp_path: Path) -> None:
    """Every record the draft makes of Force C's graph export conforms to the shapes (its points keep their
    own slots; an EventLocation gets the role the vocabulary requires; a vehicle's role makes an
    ObjectInvolvement, a person's a PersonInvolvement) but where the export has faults: the generator's
    planted ones, and the links to the 4 people rejected for them."""
    files = sorted((Path(__file__).parent.parent / "examples" / "force-c").glob("*.csv"))
    draft = tmp_path / "graph-draft"
    assert _policeonto("scaffold", *files, "-o", draft, "--name", "graph-draft").returncode == 0
    tables = ["crimes", "incidents", "involved-in", "locations", "occurred-at", "people", "vehicles"]
    chosen = [arg for table in tables for arg in ("--mapping", f"graph-draft-{table}")]
    checked = _policeonto("validate", "--mappings", draft, *chosen, *files, "--format", "json")
    report = json.loads(checked.stdout)
    assert checked.returncode == 1, checked.stderr
    assert report["stats"]["by_code"] == {"dangling-reference": 19, "invalid-value": 4}
    transform = (draft / "graph-draft-involved-in.transform.yaml").read_text(encoding="utf-8")
    assert "if role == 'stolen' or role == 'used' else None" in transform
    assert "if role == 'suspect' or role == 'victim' or role == 'witness' else None" in transform


def test_hostile_headers_and_names_make_a_draft_that_maps(tmp_path: Path) -> None:
    """Headers with quotes, commas, a line break, a repeat and non-ASCII letters, and a mapping name with a
    quote, give slot names, expressions and YAML that load, and the file maps with every row counted."""
    path = tmp_path / "odd.csv"
    path.write_text(
        'Ref,"it\'s, a ""name""","two\nlines",Ref,Café №,class\nA1,x,1,A1,é,c\nA2,y,2,A2,ü,c\n', encoding="utf-8"
    )
    draft = tmp_path / "draft"
    made = _policeonto("scaffold", path, "-o", draft, "--name", "it's odd", "--format", "json")
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["name"] == "it-s-odd"
    report = tmp_path / "report.json"
    mapped = _policeonto(
        "map", "--mappings", draft, "--mapping", "it-s-odd-odd", path, "-o", tmp_path / "o.nt", "--report", report
    )
    assert mapped.returncode in (0, 1), mapped.stderr
    figures = json.loads(report.read_text(encoding="utf-8"))
    assert figures["rows_read"] == 2 == figures["rows_mapped"] + figures["rows_rejected"]


def test_the_fast_engine_and_pyshacl_agree_on_what_a_draft_makes(tmp_path: Path) -> None:
    """A draft's records (Force D's unseen layout, with its unknown codes and dangling link, and the links
    and involvements the draft makes) are judged alike by the fast engine and pySHACL."""
    files = write_export(tmp_path / "force-d")
    draft = tmp_path / "draft"
    write_draft(draft_mapping(files), draft)
    catalogue = MappingCatalogue.search([draft], environment={})
    fast = validate(files, catalogue=catalogue)
    reference = validate(files, catalogue=catalogue, engine="pyshacl")
    assert report_keys(fast.shacl_report()) == report_keys(reference.shacl_report())
    assert fast.finding_counts == reference.finding_counts
    assert fast.rows == 107
    # the registration marks written with a space are written as the vrm scheme writes them: no finding
    assert fast.finding_counts["shape-node"] == 0 == len(report_keys(fast.shacl_report()))
    out = io.BytesIO()
    map_files(files, out, catalogue=catalogue)
    graph = Graph().parse(data=out.getvalue(), format="nt")
    marks = sorted(str(o) for s, o in graph.subject_objects(POLE.notation) if "/identifier/vrm/" in str(s))
    assert marks[:2] == ["AL20YAB", "BM11YAB"] and len(marks) == 12  # written "AL20 YAB" in the export


def test_a_header_alone_two_files_of_one_name_and_a_sample_are_drafted(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    empty = _csv(tmp_path / "a" / "people.csv", "Id,Name")
    full = _csv(tmp_path / "b" / "people.csv", "Id,Name", *(f"P{n},N{n % 3}" for n in range(10)))
    tables = profile_export([empty, full], max_rows=4)
    assert [(t.name, t.rows, t.truncated, [c.header for c in t.columns]) for t in tables] == [
        ("people-1", 0, False, ["Id", "Name"]),
        ("people-2", 4, True, ["Id", "Name"]),
    ]
    files = render(draft_mapping([empty, full], name="two", max_rows=4))
    assert {"two-people-1.transform.yaml", "two-people-2.transform.yaml"} <= set(files)
    assert "| people.csv | people-2 | 4 (a sample) |" in files["README.md"]


def test_a_role_column_of_a_persons_and_an_objects_roles_makes_both_involvements(tmp_path: Path) -> None:
    people = _csv(tmp_path / "people.csv", "PersonId,Name", "P1,A", "P2,B", "P3,C")
    cars = _csv(tmp_path / "cars.csv", "CarId,Reg", "C1,AB12CDE", "C2,XY19ABC")
    crimes = _csv(tmp_path / "crimes.csv", "CrimeId,Offence", "K1,Robbery", "K2,Drugs")
    links = _csv(
        tmp_path / "links.csv",
        "LinkId,EntityRef,CrimeRef,RoleCode",
        "L1,P1,K1,SUS",
        "L2,P2,K1,VIC",
        "L3,C1,K1,STOL",
        "L4,P3,K2,SUS",
        "L5,C2,K2,USED",
    )
    draft = draft_mapping([people, cars, crimes, links], name="pair", hidden=["force-a", "force-c"])
    (walk,) = [c for c in draft.crosswalks if c.column == "RoleCode"]
    assert (walk.enum, walk.also) == ("InvolvementRole", "ObjectRole")
    write_draft(draft, tmp_path / "draft")
    codes = read_crosswalk(tmp_path / "draft" / walk.file).codes()
    assert {label: iri.split("/code/")[1] for label, iri in codes.items()} == {
        "SUS": "involvement-role/suspect",
        "VIC": "involvement-role/victim",
        "STOL": "object-role/stolen",
        "USED": "object-role/used",
    }
    transform = (tmp_path / "draft" / "pair-links.transform.yaml").read_text(encoding="utf-8")
    assert "if role_code == 'suspect' or role_code == 'victim' else None" in transform
    assert "  ObjectInvolvement:" in transform
    assert "if role_code == 'stolen' or role_code == 'used' else None" in transform
    report = tmp_path / "report.json"
    mapped = _policeonto(
        "map",
        "--mappings",
        tmp_path / "draft",
        people,
        cars,
        crimes,
        links,
        "--report",
        report,
        "-o",
        tmp_path / "out.nt",
    )
    assert mapped.returncode == 0, mapped.stderr
    assert json.loads(report.read_text(encoding="utf-8"))["rows_mapped"] == 12
    triples = (tmp_path / "out.nt").read_text(encoding="utf-8")
    assert (
        triples.count(
            "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/policeonto/ObjectInvolvement>"
        )
        == 2
    )


def test_two_links_to_one_table_fill_two_slots(tmp_path: Path) -> None:
    people = _csv(tmp_path / "people.csv", "PersonId,Name", "P1,A", "P2,B", "P3,C")
    pairs = _csv(tmp_path / "associates.csv", "PairId,FirstRef,SecondRef", "A1,P1,P2", "A2,P2,P3", "A3,P3,P1")
    plans = {p.table.name: p for p in draft_mapping([people, pairs]).plans}
    pair = plans["associates"]
    assert pair.target_class == "PersonAssociation"
    assert {s.column: s.slot for s in pair.suggestions if s.references} == {
        "FirstRef": "person",
        "SecondRef": "associate",
    }
