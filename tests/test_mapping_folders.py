"""Folders of mappings of one's own: ``--mappings DIR`` and ``POLICEONTO_MAPPINGS`` searched before the bundled
folder, a mapping there naming the bundled context and crosswalks with no copies, shadowing, the order of the
folders, and references out of a folder refused.

The folder ``tests/data/own-mappings`` holds a format the project does not ship (Force D's custody register):
a transformation and a source schema that imports the bundled ``context`` and codes its Sex column with the
bundled ``crosswalks/police-uk-gender.sssom.tsv``, by name, neither copied. Its sample
``tests/data/sources/custody-register.csv`` has four rows, one with a sex no crosswalk knows.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from policeonto.cli import main
from policeonto.errors import MappingInputError, MappingSpecError
from policeonto.fastshacl.report import report_keys
from policeonto.mapping import MapOptions, MappingCatalogue, load_mapping, map_files
from policeonto.mapping.catalogue import ENVIRONMENT, bundled_folder
from policeonto.mapping.provenance import file_context
from policeonto.mapping.reader import inspect
from policeonto.mapping.reference import reference_graph, without_string_datatype
from policeonto.validation import validate
from policeonto.vocab import POLE
from tests.conftest import DATA, ROOT

OWN = DATA / "own-mappings"
CUSTODY = DATA / "sources" / "custody-register.csv"
STREET = DATA / "sources" / "street-sample.csv"
OUTCOMES = DATA / "sources" / "outcomes-sample.csv"
PERSON = "https://w3id.org/policeonto/data/force-d/person/"


@pytest.fixture
def mine(tmp_path: Path) -> Path:
    """A copy of the Force D folder: a transformation and a source schema, nothing else."""
    folder = tmp_path / "mine"
    shutil.copytree(OWN, folder)
    assert sorted(p.name for p in folder.iterdir()) == ["custody.source.yaml", "force-d-custody.transform.yaml"]
    return folder


def _cli(*args: object, env: dict[str, str] | None = None):
    return CliRunner(env={ENVIRONMENT: "", **(env or {})}).invoke(main, [str(a) for a in args])


def _mapped(path: Path, **kwargs) -> tuple[object, Graph]:
    sink = io.BytesIO()
    result = map_files(path, sink, **kwargs)
    assert result.rows_read == result.rows_mapped + result.rows_rejected
    return result, Graph().parse(data=sink.getvalue().decode("utf-8"), format="nt")


def _variant(source: Path, target: Path, old: str, new: str) -> Path:
    """*source* copied to *target* with *old* replaced by *new* (which must be there)."""
    text = source.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {source.name}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


# ---- a new format from a folder of one's own ----------------------------------------------------------


def test_a_folder_of_ones_own_maps_a_new_format_with_the_bundled_context_and_crosswalk(mine: Path) -> None:
    catalogue = MappingCatalogue.search([mine], environment={})
    result, graph = _mapped(CUSTODY, catalogue=catalogue)
    assert (result.rows_read, result.rows_mapped, result.rows_rejected, result.triples) == (4, 3, 1, 39)
    assert [(f.code, f.row, f.column, f.value) for f in result.findings] == [("unknown-code", 4, "Sex", "X")]
    assert result.files[0].mapping == "force-d-custody"
    gender = "https://w3id.org/policeonto/code/gender/"
    assert {(str(s), str(o)) for s, o in graph.subject_objects(POLE.gender)} == {
        (PERSON + "C-000001", gender + "female"),
        (PERSON + "C-000002", gender + "male"),
        (PERSON + "C-000003", gender + "not-known"),
    }
    mapping = load_mapping("force-d-custody", catalogue=catalogue)
    (sex,) = [c for c in mapping.columns if c.title == "Sex"]
    assert (
        sex.crosswalk is not None
        and sex.crosswalk.path == bundled_folder() / "crosswalks" / "police-uk-gender.sssom.tsv"
    )
    assert mapping.imports == (("context", str((bundled_folder() / "context").resolve())),)


def test_without_the_folder_no_mapping_recognises_the_new_format(mine: Path) -> None:
    with pytest.raises(MappingInputError, match="no mapping recognises this header"):
        map_files(CUSTODY, io.BytesIO(), catalogue=MappingCatalogue.search(environment={}))


def test_the_cli_lists_maps_validates_and_loads_from_a_folder_given_with_mappings(mine: Path, tmp_path: Path) -> None:
    listed = _cli("mappings", "--mappings", mine, "--format", "json")
    assert listed.exit_code == 0, listed.output
    entry = next(m for m in json.loads(listed.stdout) if m["name"] == "force-d-custody")
    assert (entry["folder"], entry["origin"], entry["shadows"]) == (str(mine), "given", [])
    assert entry["required"] == ["Custody Ref", "Surname", "Sex"]
    street = next(m for m in json.loads(listed.stdout) if m["name"] == "police-uk-street")
    assert (street["folder"], street["origin"]) == (str(bundled_folder()), "bundled")

    report = tmp_path / "report.json"
    mapped = _cli("map", "--mappings", mine, CUSTODY, "-o", tmp_path / "custody.nt", "--report", report)
    assert mapped.exit_code == 1, mapped.output  # a row rejected
    counts = json.loads(report.read_text(encoding="utf-8"))
    assert (counts["rows_read"], counts["rows_mapped"], counts["rows_rejected"]) == (4, 3, 1)
    assert counts["rejected_by_reason"] == {"unknown-code (Sex)": 1}

    checked = _cli("validate", "--mappings", mine, CUSTODY, "--format", "json")
    assert checked.exit_code == 1, checked.output
    findings = json.loads(checked.stdout)["findings"]
    assert [(f["code"], f["row"], f["column"], f["value"]) for f in findings] == [("unknown-code", 4, "Sex", "X")]

    store = tmp_path / "store"
    loaded = _cli("load", "--mappings", mine, CUSTODY, "--store", store, "--load-invalid", "--format", "json")
    assert loaded.exit_code == 1, loaded.output
    (file,) = json.loads(loaded.stdout)["files"]
    assert (file["loaded"], file["triples"], file["valid"]) == (True, 39, False)
    persons = "PREFIX pole: <https://w3id.org/policeonto/> SELECT ?p WHERE { GRAPH ?g { ?p a pole:Person } }"
    answer = _cli("query", "--store", store, "--query", persons, "--format", "csv")
    assert answer.exit_code == 0, answer.output
    assert sorted(answer.stdout.split()) == [*(PERSON + f"C-00000{n}" for n in (1, 2, 3)), "p"]


def test_a_mapping_given_by_its_file_needs_no_copies_beside_it(mine: Path) -> None:
    """The issue's first stumble: a mapping used by path failed until context.yaml and the crosswalks were
    copied beside it."""
    result = _cli("map", "--mapping", mine / "force-d-custody.transform.yaml", CUSTODY, "-q")
    assert result.exit_code == 1, result.output
    assert "rows read 4, mapped 3, rejected 1" in result.output


def test_an_output_inside_a_folder_of_mappings_is_refused(mine: Path) -> None:
    result = _cli("map", "--mappings", mine, CUSTODY, "-o", mine / "custody.nt")
    assert result.exit_code == 2
    assert f"refusing to write {mine / 'custody.nt'}: it is inside the input folder {mine}" in result.output
    assert not (mine / "custody.nt").exists()


# ---- the order of the folders, and shadowing -----------------------------------------------------------


def _force_d(folder: Path, system: str) -> Path:
    """The Force D mapping in *folder*, its records' source system *system*."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(OWN / "custody.source.yaml", folder / "custody.source.yaml")
    return _variant(
        OWN / "force-d-custody.transform.yaml",
        folder / "force-d-custody.transform.yaml",
        "source_system: {value: Force D custody}",
        f"source_system: {{value: {system}}}",
    )


def _systems(graph: Graph) -> set[str]:
    return {str(o) for o in graph.objects(None, POLE.source_system)}


def test_a_folder_given_comes_before_the_environments_which_come_before_the_bundled(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    _force_d(first, "first folder")
    _force_d(second, "second folder")
    street = _variant(  # a street mapping of the second folder, its source schema the bundled one, by name
        bundled_folder() / "police-uk-street.transform.yaml",
        second / "police-uk-street.transform.yaml",
        "source_system: {value: data.police.uk}",
        "source_system: {value: second folder}",
    )
    environment = {ENVIRONMENT: str(second)}
    both = MappingCatalogue.search([first], environment=environment)
    assert [(f.path, f.origin) for f in both.folders] == [
        (first, "given"),
        (second, "environment"),
        (bundled_folder(), "bundled"),
    ]
    assert _systems(_mapped(CUSTODY, catalogue=both)[1]) == {"first folder"}
    assert _systems(_mapped(STREET, catalogue=both)[1]) == {"second folder"}
    only = MappingCatalogue.search(environment=environment)
    assert _systems(_mapped(CUSTODY, catalogue=only)[1]) == {"second folder"}
    files = {f.name: f for f in both.files()}
    assert files["force-d-custody"].shadows == (second / "force-d-custody.transform.yaml",)
    assert (files["police-uk-street"].path, files["police-uk-street"].shadows) == (
        street,
        (bundled_folder() / "police-uk-street.transform.yaml",),
    )
    assert (
        load_mapping("police-uk-street", catalogue=both).source_schema
        == (bundled_folder() / "police-uk-street.source.yaml").resolve()
    )


def test_the_cli_says_which_folder_each_mapping_came_from_and_what_it_shadows(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    _force_d(first, "first folder")
    _force_d(second, "second folder")
    result = _cli("mappings", "--mappings", first, env={ENVIRONMENT: str(second)})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:4] == [
        "folders searched, in order:",
        f"  1. {first} (--mappings)",
        f"  2. {second} (POLICEONTO_MAPPINGS)",
        f"  3. {bundled_folder()} (bundled)",
    ]
    at = lines.index("force-d-custody  0.1.0  Force D custody register to policeonto")
    assert lines[at + 1] == f"    from: folder 1 (--mappings); shadows {second / 'force-d-custody.transform.yaml'}"
    at = lines.index("police-uk-street  0.1.0  data.police.uk street-level crime to policeonto")
    assert lines[at + 1] == "    from: folder 3 (bundled)"


def test_the_library_searches_the_environments_folders_by_default(mine: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENVIRONMENT, os.pathsep.join(["", str(mine)]))  # an empty entry is no folder
    result, _ = _mapped(CUSTODY)
    assert (result.rows_read, result.rows_mapped, result.rows_rejected) == (4, 3, 1)
    assert validate(CUSTODY).finding_counts == {"unknown-code": 1}
    cli = _cli("map", CUSTODY, "-q", env={ENVIRONMENT: str(mine)})
    assert cli.exit_code == 1 and "rows read 4, mapped 3, rejected 1" in cli.output


def test_a_folder_that_is_not_there_is_refused(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    with pytest.raises(MappingSpecError, match=f"^{gone}: no such folder of mappings \\(in POLICEONTO_MAPPINGS\\)$"):
        MappingCatalogue.search(environment={ENVIRONMENT: str(gone)})
    result = _cli("map", STREET, env={ENVIRONMENT: str(gone)})
    assert result.exit_code == 2
    assert f"{gone}: no such folder of mappings (in POLICEONTO_MAPPINGS)" in result.output
    result = _cli("map", "--mappings", gone, STREET)
    assert result.exit_code == 2 and "does not exist" in result.output


# ---- --mapping given more than once ---------------------------------------------------------------------


def test_mapping_given_twice_has_each_file_recognised_among_those_given(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    args = ["--mapping", "police-uk-street", "--mapping", "police-uk-outcomes", "--report", report]
    result = _cli("map", *args, STREET, OUTCOMES, "-o", tmp_path / "out.nt", "-q")
    assert result.exit_code == 0, result.output
    files = json.loads(report.read_text(encoding="utf-8"))["files"]
    assert [(Path(f["file"]).name, f["mapping"]) for f in files] == [
        ("street-sample.csv", "police-uk-street"),
        ("outcomes-sample.csv", "police-uk-outcomes"),
    ]


def test_a_file_none_of_the_mappings_given_fits_is_refused(tmp_path: Path) -> None:
    result = _cli("map", "--mapping", "police-uk-outcomes", "--mapping", "police-uk-stop-and-search", STREET)
    assert result.exit_code == 2
    assert "no mapping recognises this header (police-uk-outcomes lacks" in result.output
    assert "police-uk-stop-and-search lacks" in result.output


# ---- references out of a folder -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "what", "text"),
    [
        ("  - context\n", "  - ../context\n", "custody.source.yaml import", "../context.yaml"),
        (
            "crosswalks/police-uk-gender.sssom.tsv",
            "../crosswalks/police-uk-gender.sssom.tsv",
            "sex crosswalk",
            "../crosswalks/police-uk-gender.sssom.tsv",
        ),
        (
            "crosswalks/police-uk-gender.sssom.tsv",
            "crosswalks/../../mappings/crosswalks/police-uk-gender.sssom.tsv",
            "sex crosswalk",
            "crosswalks/../../mappings/crosswalks/police-uk-gender.sssom.tsv",
        ),
    ],
    ids=["import-parent", "crosswalk-parent", "crosswalk-dotdot-inside"],
)
def test_a_reference_out_of_the_folder_is_refused_though_the_bundled_folder_has_it(
    mine: Path, old: str, new: str, what: str, text: str
) -> None:
    """A name not in the folder is looked for in the bundled folder at the same place; a path that leaves the
    folder is refused before that, even one that leads to a bundled file."""
    (mine.parent / "mappings" / "crosswalks").mkdir(parents=True)  # what ../mappings/... would reach
    _variant(mine / "custody.source.yaml", mine / "custody.source.yaml", old, new)
    transform = mine / "force-d-custody.transform.yaml"
    with pytest.raises(MappingSpecError) as caught:
        load_mapping(transform)
    assert str(caught.value) == f"{transform}: {what} {text!r} is outside the mapping's folder {mine}; refused"


def test_a_link_out_of_the_folder_is_refused(mine: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(bundled_folder() / "context.yaml", outside / "context.yaml")
    (mine / "context.yaml").symlink_to(outside / "context.yaml")
    transform = mine / "force-d-custody.transform.yaml"
    with pytest.raises(MappingSpecError) as caught:
        load_mapping(transform)
    assert str(caught.value) == (
        f"{transform}: custody.source.yaml import 'context.yaml' is outside the mapping's folder {mine}; refused"
    )


def test_a_file_in_neither_folder_is_named_where_it_was_looked_for(mine: Path) -> None:
    _variant(mine / "custody.source.yaml", mine / "custody.source.yaml", "police-uk-gender", "force-d-sex")
    transform = mine / "force-d-custody.transform.yaml"
    with pytest.raises(MappingSpecError) as caught:
        load_mapping(transform)
    assert str(caught.value).startswith(f"{transform}: crosswalk {mine / 'crosswalks' / 'force-d-sex.sssom.tsv'}")


def test_one_import_naming_files_in_two_places_is_refused(mine: Path) -> None:
    """LinkML's importmap maps an import's name to one file: a name found in the bundled folder for one
    schema and beside another schema cannot be both."""
    _variant(
        mine / "custody.source.yaml", mine / "custody.source.yaml", "  - context\n", "  - context\n  - sub/extra\n"
    )
    (mine / "sub").mkdir()
    (mine / "sub" / "extra.yaml").write_text(
        "id: https://example.org/extra\nname: extra\nimports: [linkml:types, context]\n", encoding="utf-8"
    )
    shutil.copy(bundled_folder() / "context.yaml", mine / "sub" / "context.yaml")
    transform = mine / "force-d-custody.transform.yaml"
    with pytest.raises(MappingSpecError) as caught:
        load_mapping(transform)
    places = ", ".join(sorted([str((bundled_folder() / "context.yaml").resolve()), str(mine / "sub" / "context.yaml")]))
    assert str(caught.value) == f"{transform}: the import 'context' names different files ({places}); rename one"


def test_a_street_mapping_of_ones_own_keeps_the_bundled_results(tmp_path: Path) -> None:
    """A copy of a bundled transformation alone in a folder (its source schema, context and crosswalks found
    in the bundled folder) makes exactly what the bundled mapping makes."""
    folder = tmp_path / "copy"
    folder.mkdir()
    shutil.copy(bundled_folder() / "police-uk-street.transform.yaml", folder)
    _, bundled = _mapped(STREET, catalogue=MappingCatalogue.search(environment={}))
    _, copied = _mapped(STREET, catalogue=MappingCatalogue.search([folder], environment={}))
    assert len(bundled) == len(copied) > 0
    assert _steady(bundled) == _steady(copied)


def _steady(graph: Graph) -> set:
    """The triples that do not name the run (whose IRI holds the second it started)."""
    return {t for t in graph if t[1] != POLE.started_at and not any("/run/" in str(term) for term in t)}


def test_mappings_given_for_a_json_export_read_their_tables_of_it(tmp_path: Path) -> None:
    """A JSON export is read through the JSON mappings among those given (a CSV one among them reads the CSV
    files), each table in turn."""
    report = tmp_path / "report.json"
    chosen = ["--mapping", "force-b-persons", "--mapping", "force-b-vehicles", "--mapping", "police-uk-street"]
    export = ROOT / "examples" / "force-b" / "export.json"
    result = _cli("map", *chosen, export, STREET, "-o", tmp_path / "out.nt", "--report", report, "-q")
    assert result.exit_code == 1, result.output  # the example export's deliberate faults
    files = json.loads(report.read_text(encoding="utf-8"))["files"]
    assert [(Path(f["file"]).name, f["mapping"], f["rows_read"]) for f in files] == [
        ("export.json", "force-b-persons", 335),  # 35 of them planted for the linkage cases
        ("export.json", "force-b-vehicles", 134),  # 14 of them planted for the vehicle linkage cases
        ("street-sample.csv", "police-uk-street", 4),
    ]


# ---- the reference path and pySHACL read a folder of one's own alike -------------------------------------


def test_the_reference_path_maps_a_folder_of_ones_own_alike(mine: Path) -> None:
    """linkml-map's ObjectTransformer, given the source schema's view with the bundled context found through
    LinkML's importmap, makes the graph the fast path makes."""
    pytest.importorskip("linkml_map")
    catalogue = MappingCatalogue.search([mine], environment={})
    result, fast = _mapped(CUSTODY, catalogue=catalogue)
    mapping = load_mapping("force-d-custody", catalogue=catalogue)
    run = str(next(iter(set(fast.objects(None, POLE.generated_by)))))
    context = file_context(inspect(CUSTODY), mapping, base=MapOptions().base, force=None, run=run)
    reference, rows = reference_graph(CUSTODY, context=context, mapping=mapping)
    assert rows == {1, 2, 3} and result.rows_mapped == 3
    records = Graph()
    for triple in fast:
        if "/dataset/" not in str(triple[0]) and "/run/" not in str(triple[0]):
            records.add(triple)
    assert isomorphic(without_string_datatype(records), without_string_datatype(reference))


def test_the_fast_engine_and_pyshacl_agree_on_a_folder_of_ones_own(mine: Path, tmp_path: Path) -> None:
    broken = tmp_path / "custody-register.csv"  # a date of birth no calendar has: a shape finding
    broken.write_text(CUSTODY.read_text(encoding="utf-8").replace("1985-11-30", "1985-11-31"), encoding="utf-8")
    catalogue = MappingCatalogue.search([mine], environment={})
    fast = validate(broken, catalogue=catalogue)
    reference = validate(broken, catalogue=catalogue, engine="pyshacl")
    assert report_keys(fast.shacl_report()) == report_keys(reference.shacl_report())
    assert fast.finding_counts == reference.finding_counts
