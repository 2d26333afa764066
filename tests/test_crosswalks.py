"""The SSSOM crosswalks: well-formed, complete for the documented value lists, consistent with the code
lists, and every malformation named by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import SKOS, Graph, Literal, URIRef

from policeonto.errors import CrosswalkError
from policeonto.mapping.crosswalk import read_crosswalk
from policeonto.mapping.plan import enum_codes
from policeonto.mapping.spec import list_mappings, mappings_dir

CROSSWALKS = sorted((mappings_dir() / "crosswalks").glob("*.sssom.tsv"))


@pytest.mark.parametrize("path", CROSSWALKS, ids=lambda p: p.name)
def test_crosswalk_is_valid_and_maps_to_known_codes(path: Path, view, codelists: Graph) -> None:
    walk = read_crosswalk(path)
    assert walk.metadata["license"].startswith("http")
    codes = enum_codes(view)
    assert walk.codes()
    for label, code in walk.codes().items():
        assert code in codes, (label, code)
        if not path.name.startswith("police-uk-"):
            continue  # a force's own codes are its own, not labels of the national code lists
        labels = {str(o) for p in (SKOS.prefLabel, SKOS.altLabel) for o in codelists.objects(URIRef(code), p)}
        assert label in labels, f"{label!r} is not a label of {code} in the SKOS code lists"


def test_every_coded_column_has_a_crosswalk() -> None:
    coded = {c.title for m in list_mappings() for c in m.columns if c.crosswalk is not None}
    assert coded >= {
        "Crime type",
        "Last outcome category",
        "Outcome type",
        "Type",
        "Gender",
        "Age range",
        "Self-defined ethnicity",
        "Officer-defined ethnicity",
        "Legislation",
        "Object of search",
        "Outcome",
        "Reported by",
        "Falls within",
    }


@pytest.mark.parametrize(
    ("walk", "old", "new"),
    [
        ("crime-outcome", "Offender imprisoned", "Offender sent to prison"),
        ("crime-outcome", "No further action", "Investigation complete; no suspect identified"),
        ("search-outcome", "Offender cautioned", "Caution (simple or conditional)"),
        (
            "self-defined-ethnicity",
            "White - White British (W1)",
            "White - English/Welsh/Scottish/Northern Irish/British",
        ),
        ("self-defined-ethnicity", "Not Stated (NS)", "Other ethnic group - Not stated"),
    ],
)
def test_old_and_new_labels_map_to_the_same_code(walk: str, old: str, new: str) -> None:
    codes = read_crosswalk(mappings_dir() / "crosswalks" / f"police-uk-{walk}.sssom.tsv").codes()
    assert codes[old] == codes[new]


HEAD = """#curie_map:
#  a: https://example.org/a/
#  b: https://example.org/b/
#license: https://example.org/licence
#mapping_set_id: https://example.org/set
subject_id\tsubject_label\tpredicate_id\tobject_id\tmapping_justification
"""


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (HEAD.replace("#license: https://example.org/licence\n", ""), "no license", None),
        (HEAD + "a:x\tX\tskos:exactMatch\tb:x\tsemapv:GuessWork\n", "not a SEMAPV term", 7),
        (HEAD + "a:x\tX\tskos:exactMatch\tc:x\tsemapv:ManualMappingCuration\n", "prefix 'c'", 7),
        (
            HEAD + "a:x\tX\tskos:exactMatch\tb:x\tsemapv:ManualMappingCuration\n"
            "a:y\tX\tskos:exactMatch\tb:y\tsemapv:ManualMappingCuration\n",
            "mapped twice",
            8,
        ),
        (HEAD + "a:x\t\tskos:exactMatch\tb:x\tsemapv:ManualMappingCuration\n", "subject_label is empty", 7),
        (HEAD.replace("\tmapping_justification", ""), "lacks columns", 6),
    ],
)
def test_malformed_crosswalks_are_named_by_file_and_line(
    tmp_path: Path, text: str, message: str, line: int | None
) -> None:
    path = tmp_path / "bad.sssom.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CrosswalkError, match=message) as caught:
        read_crosswalk(path)
    assert caught.value.path == path and caught.value.line == line


def test_exact_labels_only(codelists: Graph) -> None:
    walk = read_crosswalk(mappings_dir() / "crosswalks" / "police-uk-gender.sssom.tsv")
    assert "male" not in walk.codes() and walk.codes()["Male"].endswith("/gender/male")
    assert (URIRef(walk.codes()["Male"]), SKOS.prefLabel, Literal("Male", lang="en")) in codelists
