"""Inputs the fuzzers found that broke a reader, each with the error or result it must give now, and every
input saved under fuzz/crashes/ replayed through its target."""

from __future__ import annotations

import importlib
import io
import shutil
from pathlib import Path

import pyoxigraph
import pytest

from policeonto.errors import CrosswalkError, InstanceDataError, MappingSpecError
from policeonto.mapping import map_files
from policeonto.mapping.crosswalk import read_crosswalk
from policeonto.mapping.spec import load_mapping, mappings_dir
from policeonto.validation.rdf_input import read_rdf
from tests.conftest import ROOT

CRASHES = sorted(p for p in (ROOT / "fuzz" / "crashes").glob("*/*") if p.is_file() and not p.name.startswith("."))


@pytest.mark.parametrize("value", ["OCC/24 1", "OCC\x00 24", "OCC#1#2", "OCC[1]", "OCC%zz", 'OCC"<1>"', "OCC\ue000"])
def test_key_that_is_no_iri_part_still_writes_valid_ntriples(tmp_path: Path, value: str) -> None:
    path = tmp_path / "links.csv"
    rows = ["LINK_ID,OCC_REF,OCC_TYPE,ENTITY_TYPE,ENTITY_REF,ROLE_CODE", f'K0000001,"{value}",CRIME,NOM,N1,SUS']
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    sink = io.BytesIO()
    result = map_files([path], sink)
    assert (result.rows_read, result.rows_mapped) == (1, 1)
    triples = list(pyoxigraph.parse(sink.getvalue(), format=pyoxigraph.RdfFormat.N_TRIPLES))
    assert len(triples) == result.triples
    events = [t.object.value for t in triples if t.predicate.value == "https://w3id.org/policeonto/event"]
    assert len(events) == 1 and events[0].startswith("https://w3id.org/policeonto/data/force-a/occurrence/OCC")


def test_unclosed_quote_in_the_header_rejects_the_rest_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "2024-01-kent-street.csv"
    header = (ROOT / "examples" / "police-uk" / "2024-01-kent-street.csv").read_text(encoding="utf-8").splitlines()[0]
    path.write_text(header + ',"Extra\nrow,1,2\n', encoding="utf-8")
    result = map_files([path], io.BytesIO())
    assert (result.rows_read, result.rows_mapped, result.rows_rejected) == (1, 0, 1)
    assert result.rejected_by_reason == {"unterminated-quote": 1}
    assert [(f.code, f.row) for f in result.findings if f.code == "unterminated-quote"] == [("unterminated-quote", 1)]


@pytest.mark.parametrize("text", ['<http://a/> <http://b/> "x"^^ .', '@prefix p: <http://a/> . p:a p:b "x"^^'])
def test_turtle_datatype_mark_without_datatype_is_a_read_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InstanceDataError, match=r"broken.ttl: not valid turtle"):
        read_rdf(path)


def test_mapping_file_that_is_not_utf8_is_a_mapping_error(tmp_path: Path) -> None:
    folder = tmp_path / "mappings"
    shutil.copytree(mappings_dir(), folder)
    path = folder / "latin.transform.yaml"
    path.write_bytes((mappings_dir() / "police-uk-street.transform.yaml").read_bytes() + b"# caf\xe9 \xff\n")
    with pytest.raises(MappingSpecError, match=r"latin\.transform\.yaml: cannot read"):
        load_mapping(path)


@pytest.mark.parametrize("crash", CRASHES, ids=[f"{p.parent.name}/{p.name[:14]}" for p in CRASHES])
def test_saved_fuzz_crash_is_handled(crash: Path) -> None:
    target = importlib.import_module(f"fuzz.{crash.parent.name}")
    target.check(crash.read_bytes())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("source_schema: force,a.source.yaml", "broken.transform.yaml: source schema .* does not exist"),
        ("source_schema: [1, 2]", "broken.transform.yaml: needs a source_schema"),
        ("policeonto: [row_class]", "broken.transform.yaml: the policeonto block"),
        ("class_derivations: [Crime]", "broken.transform.yaml: each item of class_derivations must be 'Class: {...}'"),
        (
            "class_derivations: Crime",
            "broken.transform.yaml: class_derivations must map classes to derivations, or list",
        ),
        ("class_derivations: {Crime: [id]}", "broken.transform.yaml: the derivation of Crime must be a mapping"),
        ("policeonto: {row_class: StreetRow, file_name: '(unclosed'}", "broken.transform.yaml: policeonto.file_name"),
    ],
)
def test_malformed_mapping_file_is_a_mapping_error_naming_it(tmp_path: Path, change: str, message: str) -> None:
    folder = tmp_path / "mappings"
    shutil.copytree(mappings_dir(), folder)
    key = change.split(":", 1)[0]
    lines = (folder / "police-uk-street.transform.yaml").read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    end = next((i for i in range(at + 1, len(lines)) if lines[i] and not lines[i].startswith(" ")), len(lines))
    path = folder / "broken.transform.yaml"
    path.write_text("\n".join([*lines[:at], change, *lines[end:]]) + "\n", encoding="utf-8")
    with pytest.raises(MappingSpecError, match=message):
        load_mapping(path)


@pytest.mark.parametrize("curie_map", ["[a, b]", "just text", "7"])
def test_crosswalk_curie_map_that_is_no_mapping_is_a_crosswalk_error(tmp_path: Path, curie_map: str) -> None:
    source = mappings_dir() / "crosswalks" / "police-uk-gender.sssom.tsv"
    lines = source.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("#curie_map:"))
    end = next(i for i in range(at + 1, len(lines)) if not lines[i].startswith("#  "))
    path = tmp_path / "broken.sssom.tsv"
    path.write_text("\n".join([*lines[:at], f"#curie_map: {curie_map}", *lines[end:]]) + "\n", encoding="utf-8")
    with pytest.raises(CrosswalkError, match=r"broken.sssom.tsv: metadata curie_map is not a mapping"):
        read_crosswalk(path)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("quads.nq", '<http://a/s> <http://a/p> "x" <http://a/g> .\n<http://a/s> <http://a/p> "y" .\n'),
        ("quads.trig", '<http://a/g> { <http://a/s> <http://a/p> "x" . }\n<http://a/s> <http://a/p> "y" .\n'),
    ],
)
def test_named_graph_triples_are_read_for_validation(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert sorted(str(o) for o in read_rdf(path).objects()) == ["x", "y"]


def test_turtle_string_without_its_quote_is_a_read_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_bytes(b'<http://a> <http://b> "x')
    with pytest.raises(InstanceDataError, match=r"broken.ttl: not valid turtle"):
        read_rdf(path)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["Extra", "Extra"], {"unexpected-column": 2}),
        (["Month"], {"duplicate-column": 1}),
        (["Crime ID", "crime id", "Crime ID"], {"duplicate-column": 3}),
    ],
)
def test_repeated_column_names_are_unexpected_or_duplicate_columns(
    tmp_path: Path, extra: list[str], expected: dict[str, int]
) -> None:
    path = tmp_path / "2024-01-kent-street.csv"
    lines = (ROOT / "examples" / "police-uk" / "2024-01-kent-street.csv").read_text(encoding="utf-8").splitlines()[:3]
    path.write_text(
        "\n".join([",".join([lines[0], *extra]), *(",".join([line, *["x"] * len(extra)]) for line in lines[1:])])
        + "\n",
        encoding="utf-8",
    )
    sink = io.BytesIO()
    result = map_files([path], sink)
    assert (result.rows_read, result.rows_mapped, result.rows_rejected) == (2, 2, 0)
    assert {code: result.finding_counts[code] for code in ("unexpected-column", "duplicate-column")} == {
        "unexpected-column": 0,
        "duplicate-column": 0,
    } | expected
    assert len(list(pyoxigraph.parse(sink.getvalue(), format=pyoxigraph.RdfFormat.N_TRIPLES))) == result.triples
