"""Recognising a file's mapping from its header: the best fit is chosen, and a tie or a weak fit is refused
with a message naming the file, the mappings and --mapping, never guessed at."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policeonto.cli import main
from policeonto.errors import MappingInputError
from policeonto.mapping.catalogue import MappingCatalogue
from policeonto.mapping.reader import inspect
from policeonto.mapping.recognition import Fit, recognise, recognition
from policeonto.mapping.spec import Mapping, list_mappings, load_mapping, mappings_dir

ROOT = Path(__file__).resolve().parents[1]
STREET_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
    "Last outcome category,Context"
)
STREET_ROW = (
    ",2024-01,Kent Police,Kent Police,-2.745754,52.119164,On or near Street 704,E01003164,Area 0632E,"
    "Possession of weapons,Offender sentenced as part of another case,"
)

#: Three files of another graph database's export, none of them a Force C table, though each has the two or
#: three columns a Force C mapping requires: recognised before as vehicles and as occurred-at links.
UNRELATED = {
    "registrations.csv": (
        "vehicleId:ID,:LABEL,keeperName,keeperPostcode,acquired:date,disposed:date,insurer",
        "20001,Vehicle,A Smith,ME1 1AA,2020-01-02,,Acme",
    ),
    "calls.csv": (
        ":START_ID,:END_ID,:TYPE,started:datetime,duration:int,cellSite,imei",
        "P1,P2,CALLED,2024-01-02T10:00:00,65,C-77,356938035643809",
    ),
    "owns.csv": (
        ":START_ID,:END_ID,:TYPE,since:date,until:date,share:float,source,verified:boolean",
        "P1,V1,OWNS,2020-01-02,,1.0,DVLA,true",
    ),
}


def csv_tables() -> list[Mapping]:
    return [m for m in list_mappings() if m.json is None]


def write(path: Path, header: str, row: str) -> Path:
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    return path


def policeonto(*args: str | Path) -> Result:
    """``policeonto ARGS``, run in this process."""
    return CliRunner().invoke(main, list(map(str, args)))


def mappings_command(*args: str | Path) -> Result:
    return policeonto("mappings", *args)


def street_copy(folder: Path, name: str) -> Mapping:
    """The bundled street-level crime mapping copied into *folder* as *name*, without its file_name pattern."""
    bundled = mappings_dir()
    (folder / "crosswalks").mkdir(parents=True)
    for file in ("police-uk-street.source.yaml", "context.yaml"):
        shutil.copy(bundled / file, folder / file)
    for crosswalk in bundled.glob("crosswalks/police-uk-*.sssom.tsv"):
        shutil.copy(crosswalk, folder / "crosswalks" / crosswalk.name)
    text = (bundled / "police-uk-street.transform.yaml").read_text(encoding="utf-8")
    pattern = "  file_name: '^(?P<month>[0-9]{4}-[0-9]{2})-(?P<force>[a-z-]+)-street\\.csv$'\n"
    assert pattern in text
    (folder / f"{name}.transform.yaml").write_text(text.replace(pattern, ""), encoding="utf-8")
    return load_mapping(folder / f"{name}.transform.yaml")


def test_a_fit_is_scored_from_its_columns_and_file_name(tmp_path: Path) -> None:
    path = write(tmp_path / "2024-01-kent-street.csv", STREET_HEADER + ",Notes,Crime ID", STREET_ROW + ",x,y")
    found = recognition(inspect(path), csv_tables())
    best = found.fits[0]
    assert best == Fit(
        mapping="police-uk-street",
        required_found=3,
        required_total=3,
        optional_found=9,
        optional_total=9,
        unknown_columns=("Notes", "Crime ID"),
        missing_required=(),
        file_name=True,
    )
    assert (best.found, best.unknown, best.optional_missing, best.score, best.weak) == (12, 2, 0, 10, False)
    assert best.reasons == (
        "score 10 = 12 found - 2 unknown - 0 optional missing",
        "required 3/3, optional 9/9",
        "unknown 'Notes', 'Crime ID'",
        "file name matches its pattern",
    )
    assert (found.chosen, found.refusal, found.columns) == ("police-uk-street", None, 14)


def test_two_mappings_that_fit_equally_well_are_refused_naming_both(tmp_path: Path) -> None:
    # a node file with the columns of Force C's crimes and of its incidents: four of each's five columns
    header = "crimeId:ID,incidentId:ID,reference,committed:datetime,reported:datetime,:LABEL"
    path = write(
        tmp_path / "events.csv", header, "12119,10127,INC/5000,2024-01-02T10:00:00,2024-01-02T10:05:00,Incident"
    )
    with pytest.raises(MappingInputError) as caught:
        recognise(inspect(path), csv_tables())
    assert str(caught.value) == (
        f"{path}:1: force-c-crimes and force-c-incidents fit this header equally well (score 1 each), and none of "
        "them has a file_name pattern; refused rather than guessed: name one with --mapping force-c-crimes or "
        "--mapping force-c-incidents"
    )
    run = policeonto("map", path, "-o", tmp_path / "out.nt")
    assert run.exit_code == 2 and run.stderr == f"policeonto: error: {caught.value}\n"
    assert not (tmp_path / "out.nt").exists()
    named = policeonto("map", path, "--mapping", "force-c-incidents", "-o", tmp_path / "out.nt")
    assert named.exit_code == 0, named.stderr[-2000:]


def test_a_file_name_pattern_breaks_a_tie(tmp_path: Path) -> None:
    copy = street_copy(tmp_path / "mine", "my-street")  # the same columns, and no file_name pattern
    mappings = [copy, load_mapping("police-uk-street")]
    named = write(tmp_path / "2024-01-kent-street.csv", STREET_HEADER, STREET_ROW)
    assert recognise(inspect(named), mappings).mapping.name == "police-uk-street"
    found = recognition(inspect(named), mappings)
    assert [(f.mapping, f.score, f.file_name) for f in found.fits] == [
        ("police-uk-street", 12, True),
        ("my-street", 12, None),
    ]
    unnamed = write(tmp_path / "street.csv", STREET_HEADER, STREET_ROW)
    with pytest.raises(MappingInputError) as caught:
        recognise(inspect(unnamed), mappings)
    assert str(caught.value) == (
        f"{unnamed}:1: my-street and police-uk-street fit this header equally well (score 12 each), and the file "
        "name matches no file_name pattern of theirs; refused rather than guessed: name one with --mapping "
        "my-street or --mapping police-uk-street"
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "registrations.csv",
            "only 2 of this file's 7 columns are columns of force-c-vehicles, fewer than half (unknown 'keeperName', "
            "'keeperPostcode', 'acquired:date', 'disposed:date', 'insurer'): a weak fit, refused rather than mapped "
            "as force-c-vehicles rows; if the file is one, name it with --mapping force-c-vehicles",
        ),
        (
            "calls.csv",
            "only 3 of this file's 7 columns are columns of force-c-occurred-at, fewer than half (unknown "
            "'started:datetime', 'duration:int', 'cellSite', 'imei'): a weak fit, refused rather than mapped as "
            "force-c-occurred-at rows; if the file is one, name it with --mapping force-c-occurred-at",
        ),
        (
            "owns.csv",
            "only 3 of this file's 8 columns are columns of force-c-occurred-at, fewer than half (unknown "
            "'since:date', 'until:date', 'share:float', 'source', 'verified:boolean'): a weak fit, refused rather "
            "than mapped as force-c-occurred-at rows; if the file is one, name it with --mapping force-c-occurred-at",
        ),
    ],
)
def test_a_file_of_another_kind_with_a_few_required_columns_is_refused(tmp_path: Path, name: str, message: str) -> None:
    path = write(tmp_path / name, *UNRELATED[name])
    with pytest.raises(MappingInputError) as caught:
        recognise(inspect(path), csv_tables())
    assert str(caught.value) == f"{path}:1: {message}"


def test_unrelated_files_are_not_mapped_as_empty_records_unless_named(tmp_path: Path) -> None:
    paths = [write(tmp_path / name, *lines) for name, lines in UNRELATED.items()]
    run = policeonto("map", *paths, "-o", tmp_path / "out.nt")
    assert run.exit_code == 2 and "a weak fit, refused rather than mapped as" in run.stderr
    assert not (tmp_path / "out.nt").exists()
    named = policeonto(
        "map", paths[0], "--mapping", "force-c-vehicles", "--report", tmp_path / "r.json", "-o", tmp_path / "o.nt"
    )
    assert named.exit_code == 0, named.stderr[-2000:]  # named, it is mapped, its other columns said to be unknown
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert (report["rows_read"], report["rows_mapped"], report["finding_counts"]["unexpected-column"]) == (1, 1, 5)


def test_a_weak_fit_is_taken_when_the_file_name_says_what_it_is(tmp_path: Path) -> None:
    extra = "".join(f",note {i}" for i in range(13))
    named = write(tmp_path / "2024-01-kent-street.csv", STREET_HEADER + extra, STREET_ROW + ",x" * 13)
    assert recognise(inspect(named), csv_tables()).mapping.name == "police-uk-street"
    unnamed = write(tmp_path / "export.csv", STREET_HEADER + extra, STREET_ROW + ",x" * 13)
    with pytest.raises(MappingInputError, match=r"only 12 of this file's 25 columns are columns of police-uk-street"):
        recognise(inspect(unnamed), csv_tables())
    half = write(tmp_path / "half.csv", STREET_HEADER + extra[: extra.index(",note 12")], STREET_ROW + ",x" * 12)
    assert recognise(inspect(half), csv_tables()).mapping.name == "police-uk-street"  # 12 of 24: half is enough


def test_every_bundled_example_and_real_file_is_recognised() -> None:
    files = sorted((ROOT / "examples").glob("*/*.csv")) + sorted((ROOT / "tests" / "data" / "sources").glob("*.csv"))
    files += sorted((ROOT.parent / "shared" / "data" / "police-uk").glob("*/*.csv"))
    tables = [
        m for m in list_mappings(catalogue=MappingCatalogue.search([ROOT / "tests/data/own-mappings"])) if not m.json
    ]
    chosen = {path: recognition(inspect(path), tables).chosen for path in files}
    assert None not in chosen.values(), chosen
    assert chosen[ROOT / "tests/data/sources/custody-register.csv"] == "force-d-custody"  # a folder of one's own
    assert chosen[ROOT / "examples/force-c/involved_in.csv"] == "force-c-involved-in"
    assert chosen[ROOT / "examples/force-c/occurred_at.csv"] == "force-c-occurred-at"
    assert chosen[ROOT / "examples/force-c/locations.csv"] == "force-c-locations"
    assert chosen[ROOT / "examples/force-a/locations.csv"] == "force-a-locations"


def test_explain_prints_each_fit_best_first_and_the_verdict(tmp_path: Path) -> None:
    calls = write(tmp_path / "calls.csv", *UNRELATED["calls.csv"])
    run = mappings_command("--explain", ROOT / "examples" / "force-c" / "involved_in.csv", calls)
    assert run.exit_code == 1, run.stderr  # a file would be refused
    assert run.stdout.splitlines() == [
        f"{ROOT / 'examples' / 'force-c' / 'involved_in.csv'} (5 columns): recognised as force-c-involved-in",
        "  1. force-c-involved-in: score 5 = 5 found - 0 unknown - 0 optional missing; required 4/4, optional 1/1",
        "  2. force-c-occurred-at: score 3 = 4 found - 1 unknown - 0 optional missing; required 3/3, optional 1/1; "
        "unknown 'role'",
        "  3. force-a-locations: lacks required 'LOCATION_ID' (0 of 1 found)",
        "  4. force-a-nominals: lacks required 'NOMINAL_ID', 'SURNAME' (0 of 2 found)",
        "  5. force-a-objects: lacks required 'OBJECT_ID', 'OBJECT_TYPE' (0 of 2 found)",
        "  and 13 more mappings, each lacking as many required columns or more",
        f"{calls} (7 columns): refused: only 3 of this file's 7 columns are columns of force-c-occurred-at, fewer "
        "than half (unknown 'started:datetime', 'duration:int', 'cellSite', 'imei'): a weak fit, refused rather "
        "than mapped as force-c-occurred-at rows; if the file is one, name it with --mapping force-c-occurred-at",
        "  1. force-c-occurred-at: score -2 = 3 found - 4 unknown - 1 optional missing; required 3/3, optional 0/1; "
        "unknown 'started:datetime', 'duration:int', 'cellSite', 'imei'; weak: fewer than half the file's columns "
        "are its",
        "  2. force-c-involved-in: lacks required 'role' (3 of 4 found)",
        "  3. force-a-locations: lacks required 'LOCATION_ID' (0 of 1 found)",
        "  4. force-a-nominals: lacks required 'NOMINAL_ID', 'SURNAME' (0 of 2 found)",
        "  and 14 more mappings, each lacking as many required columns or more",
    ]
    ok = mappings_command("--explain", ROOT / "examples" / "force-c" / "involved_in.csv")
    assert ok.exit_code == 0, ok.stderr


def test_explain_as_json(tmp_path: Path) -> None:
    header = "crimeId:ID,incidentId:ID,reference,committed:datetime,reported:datetime,:LABEL"
    path = write(
        tmp_path / "events.csv", header, "12119,10127,INC/5000,2024-01-02T10:00:00,2024-01-02T10:05:00,Incident"
    )
    run = mappings_command("--explain", path, "--format", "json")
    assert run.exit_code == 1, run.stderr
    (found,) = json.loads(run.stdout)["files"]
    assert (found["file"], found["columns"], found["chosen"], found["json"]) == (str(path), 6, None, False)
    assert found["refused"].startswith("force-c-crimes and force-c-incidents fit this header equally well")
    assert found["fits"][0] == {
        "mapping": "force-c-crimes",
        "fits": True,
        "score": 1,
        "required_found": 4,
        "required_total": 4,
        "optional_found": 0,
        "optional_total": 1,
        "unknown": 2,
        "weak": False,
        "file_name_matches": None,
        "missing_required": [],
        "unknown_columns": ["incidentId:ID", "reported:datetime"],
    }
    assert [f["mapping"] for f in found["fits"][:2]] == ["force-c-crimes", "force-c-incidents"]
    assert found["fits"][2]["fits"] is False and found["fits"][2]["score"] is None


def test_explain_of_a_wide_header_is_short(tmp_path: Path) -> None:
    extra = "".join(f",{'N' * 500}{i}" for i in range(1_900))
    path = write(tmp_path / "wide.csv", STREET_HEADER + extra, STREET_ROW + ",x" * 1_900)
    run = mappings_command("--explain", path)
    assert run.exit_code == 1, run.stderr
    assert "(1,912 columns): refused: only 12 of this file's 1,912 columns" in run.stdout
    assert "and 1,890 more (1,900 in all)" in run.stdout and len(run.stdout) < 4_000
    run = mappings_command("--explain", path, "--format", "json")
    assert len(run.stdout) < 40_000
    with pytest.raises(MappingInputError) as caught:
        recognise(inspect(path), csv_tables())
    assert "and 1,890 more (1,900 in all)" in str(caught.value) and len(str(caught.value)) < 1_000


def test_files_without_explain_and_explain_without_files_are_usage_errors() -> None:
    for args in (["x.csv"], ["--explain"]):
        run = mappings_command(*args)
        assert run.exit_code == 2 and "--explain needs files, and files need --explain" in run.stderr


def test_explain_says_a_json_export_is_recognised_by_its_records() -> None:
    export = ROOT / "examples" / "force-b" / "export.json"
    run = mappings_command("--explain", export)
    assert run.exit_code == 0, run.stderr
    assert run.stdout == f"{export}: a JSON export: its mappings are chosen by its records' types, not by a header\n"
    (found,) = json.loads(mappings_command("--explain", export, "--format", "json").stdout)["files"]
    assert (found["json"], found["chosen"], found["refused"], found["fits"]) == (True, None, None, [])
