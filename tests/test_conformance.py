"""Valid and invalid instances against the SHACL shapes, with pySHACL as the reference engine.

Every invalid fixture states, in ``# expect:`` lines (in the file, or in ``<file>.expect`` for JSON), the
focus node (``_`` for a blank node), path (``-`` for none) and constraint component of each result it must
produce; the test checks that pySHACL reports exactly those and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef

from policeonto.conversion import conform
from policeonto.errors import InstanceDataError
from policeonto.instances import load_records, records_to_graph
from tests.conftest import DATA

POLE = "https://w3id.org/policeonto/"


def _graph(path: Path) -> Graph:
    if path.suffix == ".ttl":
        return Graph().parse(path, format="turtle")
    return records_to_graph(load_records(path))


def _expected(path: Path) -> set[tuple[str, str, str]]:
    source = path.with_name(path.name + ".expect") if path.suffix == ".json" else path
    expected = set()
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:"):
            focus, result_path, component = line.removeprefix("# expect:").split()
            result_path = result_path.replace("pole:", POLE).strip("<>")
            expected.add((focus, "" if result_path == "-" else result_path, "http://www.w3.org/ns/shacl#" + component))
    assert expected, f"{path.name} states no expectation"
    return expected


def _fixtures(kind: str) -> list[Path]:
    return sorted(p for p in (DATA / kind).iterdir() if p.suffix in {".ttl", ".yaml", ".json"})


@pytest.mark.parametrize("path", _fixtures("valid"), ids=lambda p: p.name)
def test_valid_instances_conform(path: Path, shapes: Graph) -> None:
    conforms, results = conform(_graph(path), shapes)
    assert results == []
    assert conforms


@pytest.mark.parametrize("path", _fixtures("invalid"), ids=lambda p: p.name)
def test_invalid_instance_reports_exactly_the_stated_violation(path: Path, shapes: Graph) -> None:
    graph = _graph(path)
    conforms, results = conform(graph, shapes)
    blank = {str(node) for node in graph.all_nodes() if isinstance(node, BNode)}
    reported = {
        ("_" if focus in blank else focus, result_path, component) for focus, result_path, component, _ in results
    }
    assert not conforms
    assert reported == _expected(path)


def test_example_in_examples_conforms(shapes: Graph) -> None:
    graph = records_to_graph(load_records(DATA.parents[1] / "examples" / "pole-example.yaml"))
    assert (URIRef("https://example.org/kent/occurrence/OCC-2024-0042"), None, None) in graph
    assert conform(graph, shapes) == (True, [])


def test_yaml_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("persons:\n  - id: https://example.org/p\n    names: [unclosed\n", encoding="utf-8")
    with pytest.raises(InstanceDataError) as caught:
        load_records(bad)
    assert caught.value.path == bad
    assert caught.value.line == 4
    assert str(bad) in str(caught.value)


def test_json_syntax_error_names_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"persons": [\n  {"id": }\n]}', encoding="utf-8")
    with pytest.raises(InstanceDataError) as caught:
        load_records(bad)
    assert (caught.value.line, caught.value.column) == (2, 10)


def test_record_that_does_not_fit_the_schema_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "unknown-code.yaml"
    bad.write_text("persons:\n  - id: https://example.org/p\n    gender: sometimes\n", encoding="utf-8")
    with pytest.raises(InstanceDataError, match="does not fit the schema"):
        load_records(bad)


def test_decimals_from_numbers_are_shortest_and_from_text_exact(tmp_path: Path) -> None:
    path = tmp_path / "point.yaml"
    path.write_text(
        "locations:\n  - id: https://example.org/p\n    type: pole:Point\n    latitude: 51.518207\n"
        "    longitude: '-0.123456789012345678'\n",
        encoding="utf-8",
    )
    graph = records_to_graph(load_records(path))
    values = {str(p).rsplit("/", 1)[-1]: str(o) for _, p, o in graph if "itude" in str(p)}
    assert values == {"latitude": "51.518207", "longitude": "-0.123456789012345678"}
    path.write_text(path.read_text().replace("'-0.123456789012345678'", "'-0.120'"), encoding="utf-8")
    graph = records_to_graph(load_records(path))
    assert {str(o) for _, p, o in graph if "longitude" in str(p)} == {"-0.12"}
