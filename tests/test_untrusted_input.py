"""Untrusted input at every entry point: nothing is fetched, no file is read that was not given, nothing is
expanded without bound, and every size limit holds.

A real TCP listener on loopback records any connection, and a sentinel file outside the inputs holds a
secret; each hostile input points at one or both. Every case must give a result or a clear error naming
the file, the listener must see no connection, and the secret must appear in no output.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from policeonto.cli import main
from policeonto.conversion import convert
from policeonto.errors import InstanceDataError, MappingInputError, MappingSpecError, PoliceOntoError
from policeonto.limits import LimitError, Limits, parse_size
from policeonto.mapping import MapOptions, load_mapping, map_files
from policeonto.mapping.reader import inspect
from policeonto.mapping.spec import mappings_dir
from policeonto.store import EmbeddedStore, render
from policeonto.store.jobs import load_inputs
from policeonto.validation import Engine, validate
from policeonto.validation.rdf_input import read_rdf
from tests.conftest import DATA, ROOT

STREET = (DATA / "sources" / "street-sample.csv").read_text(encoding="utf-8")
SECRET = "SENTINEL-7f3a9c-never-to-be-read"
OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"
OWL_ONTOLOGY = "http://www.w3.org/2002/07/owl#Ontology"


class Listener:
    """A TCP server on 127.0.0.1 that records every connection it accepts."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.socket.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.socket.accept()
            except OSError:
                continue
            with client:
                client.settimeout(1)
                try:
                    self.connections.append(client.recv(4096) or b"(connected)")
                except OSError:
                    self.connections.append(b"(connected)")

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def sentinel(tmp_path: Path) -> Path:
    """A file outside every input folder, holding the secret."""
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


def _hostile_rdf(folder: Path, url: str, sentinel: Path) -> dict[str, Path]:
    """RDF inputs that point at the listener or the sentinel, in every syntax that could be made to."""
    folder.mkdir(exist_ok=True)
    secret = sentinel.as_uri()
    person = '"@id": "https://x/p", "@type": "https://w3id.org/policeonto/Person"'
    laughs = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    rdf_xml = (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://x/">'
        '<rdf:Description rdf:about="https://x/p"><ex:note>{body}</ex:note></rdf:Description></rdf:RDF>'
    )
    texts: dict[str, str | bytes] = {
        "remote-context.jsonld": f'{{"@context": "{url}/ctx", {person}}}',
        "file-context.jsonld": f'{{"@context": "{secret}", {person}}}',
        "relative-context.jsonld": f'{{"@context": "../outside/secret.txt", {person}}}',
        "scoped-context.jsonld": json.dumps(
            {
                "@context": {"knows": {"@id": "https://x/knows", "@context": f"{url}/scoped"}},
                "@id": "https://x/p",
                "knows": {"@id": "https://x/q"},
            }
        ),
        "type-scoped-context.jsonld": json.dumps(
            {"@context": [{"T": {"@id": "https://x/T", "@context": [secret]}}], "@id": "https://x/p", "@type": "T"}
        ),
        "import-context.jsonld": json.dumps({"@context": {"@import": f"{url}/import"}, "@id": "https://x/p"}),
        "graph-context.jsonld": json.dumps({"@graph": [{"@context": f"{url}/inner", "@id": "https://x/p"}]}),
        "remote-context.json": f'{{"@context": "{url}/ctx", {person}}}',
        "imports.ttl": f"<https://x/o> a <{OWL_ONTOLOGY}> ; <{OWL_IMPORTS}> <{url}/o> , <{secret}> .",
        "imports.nt": f"<https://x/o> <{OWL_IMPORTS}> <{url}/o> .\n<https://x/o> <{OWL_IMPORTS}> <{secret}> .\n",
        "imports.nq": f"<https://x/o> <{OWL_IMPORTS}> <{url}/o> <https://x/g> .\n",
        "imports.trig": f"<https://x/g> {{ <https://x/o> <{OWL_IMPORTS}> <{url}/o> . }}",
        "imports.rdf": (
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:owl="http://www.w3.org/2002/07/owl#">'
            f'<owl:Ontology rdf:about="https://x/o"><owl:imports rdf:resource="{url}/o"/></owl:Ontology></rdf:RDF>'
        ),
        "external-entity.rdf": (
            f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "{url}/e"><!ENTITY f SYSTEM "{secret}">]>'
            + rdf_xml.format(body="&e;&f;")
        ),
        "parameter-entity.owl": (
            f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "{url}/p"> %p;]>' + rdf_xml.format(body="x")
        ),
        "laughs.xml": f'<?xml version="1.0"?><!DOCTYPE r [{laughs}]>' + rdf_xml.format(body="&l9;"),
        "utf16-entity.rdf": (
            f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY f SYSTEM "{secret}">]>'
            + rdf_xml.format(body="&f;")
        ).encode("utf-16"),
    }
    paths = {}
    for name, text in texts.items():
        path = folder / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        paths[name] = path
    return paths


def _outcome(path: Path, run: Callable[[], object]) -> str:
    """Run one entry point on one input: 'result', or 'refused' when it raised a PoliceOntoError naming the
    file. Anything else fails the test."""
    try:
        run()
    except PoliceOntoError as exc:
        assert path.name in str(exc), f"{path.name}: the error does not name the file: {exc}"
        assert SECRET not in str(exc)
        return "refused"
    return "result"


def _no_leak(listener: Listener, *outputs: str) -> None:
    assert listener.connections == [], f"connections made: {listener.connections}"
    for output in outputs:
        assert SECRET not in output


# What each hostile RDF input must give: refused before parsing, or read with nothing followed.
RDF_EXPECTED = {
    "remote-context.jsonld": "refused",
    "file-context.jsonld": "refused",
    "relative-context.jsonld": "refused",
    "scoped-context.jsonld": "refused",
    "type-scoped-context.jsonld": "refused",
    "import-context.jsonld": "refused",
    "graph-context.jsonld": "refused",
    "remote-context.json": "refused",
    "imports.ttl": "result",
    "imports.nt": "result",
    "imports.nq": "result",
    "imports.trig": "result",
    "imports.rdf": "result",
    "external-entity.rdf": "refused",
    "parameter-entity.owl": "refused",
    "laughs.xml": "refused",
    "utf16-entity.rdf": "refused",
}


@pytest.mark.parametrize("entry", ["read_rdf", "validate-fast", "validate-pyshacl", "load", "load-no-validate"])
def test_hostile_rdf_fetches_nothing_through_the_library(
    entry: str, tmp_path: Path, listener: Listener, sentinel: Path
) -> None:
    inputs = _hostile_rdf(tmp_path / "in", listener.url, sentinel)
    store = EmbeddedStore(tmp_path / "store") if entry.startswith("load") else None
    outcomes, outputs = {}, []
    for name, path in inputs.items():
        if entry == "read_rdf":
            run: Callable[[], object] = lambda p=path: outputs.append(read_rdf(p).serialize(format="nt"))  # noqa: E731
        elif entry.startswith("validate"):
            engine = Engine.FAST if entry == "validate-fast" else Engine.PYSHACL
            run = lambda p=path, e=engine: outputs.append(json.dumps(validate([p], engine=e).as_dict()))  # noqa: E731
        else:
            assert store is not None
            run = lambda p=path: load_inputs(store, [p], check=entry == "load", load_invalid=True)  # noqa: E731
        outcomes[name] = _outcome(path, run)
    if store is not None:
        outputs.append(render(store.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"), "csv"))
        store.close()
    assert outcomes == RDF_EXPECTED
    _no_leak(listener, *outputs)


@pytest.mark.parametrize("command", ["validate", "load", "load-no-validate"])
def test_hostile_rdf_fetches_nothing_through_the_cli(
    command: str, tmp_path: Path, listener: Listener, sentinel: Path
) -> None:
    inputs = _hostile_rdf(tmp_path / "in", listener.url, sentinel)
    runner = CliRunner()
    outcomes = {}
    for name, path in inputs.items():
        if command == "validate":
            args = ["validate", "--format", "json", str(path)]
        else:
            args = ["load", "--store", str(tmp_path / "store"), str(path)]
            args += ["--no-validate"] if command == "load-no-validate" else ["--load-invalid"]
        result = runner.invoke(main, args)
        assert "Traceback" not in result.output and "internal error" not in result.output, result.output
        _no_leak(listener, result.output)
        if result.exit_code == 2:
            assert str(path) in result.output, result.output
            outcomes[name] = "refused"
        else:
            assert result.exit_code in {0, 1}, result.output
            outcomes[name] = "result"
    assert outcomes == RDF_EXPECTED


# Mapping folders whose files point outside, at the network, or hold unsafe YAML.


def _mapping_folder(tmp_path: Path) -> Path:
    """A copy of the street-crime mapping, its source schema, the context schema and the crosswalks."""
    folder = tmp_path / "maps"
    folder.mkdir()
    for name in ("police-uk-street.transform.yaml", "police-uk-street.source.yaml", "context.yaml"):
        shutil.copy(mappings_dir() / name, folder / name)
    shutil.copytree(mappings_dir() / "crosswalks", folder / "crosswalks")
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


SCHEMA = "source_schema: police-uk-street.source.yaml"


def _hostile_mapping(kind: str, folder: Path, url: str, sentinel: Path) -> Path:
    """Turn the copied mapping into one of the hostile kinds; return the path of its transform file."""
    transform, source = folder / "police-uk-street.transform.yaml", folder / "police-uk-street.source.yaml"
    outside = sentinel.parent / "street.source.yaml"
    shutil.copy(source, outside)
    marker = sentinel.parent / "executed"
    edits = {
        "schema-url": (transform, "source_schema: police-uk-street.source.yaml", f"source_schema: {url}/s.yaml"),
        "schema-file-url": (
            transform,
            "source_schema: police-uk-street.source.yaml",
            f"source_schema: {outside.as_uri()}",
        ),
        "schema-absolute": (transform, "source_schema: police-uk-street.source.yaml", f"source_schema: {outside}"),
        "schema-parent": (
            transform,
            "source_schema: police-uk-street.source.yaml",
            "source_schema: ../outside/street.source.yaml",
        ),
        "import-url": (source, "  - context\n", f"  - context\n  - {url}/imported\n"),
        "import-curie": (source, "  - context\n", "  - context\n  - evil:imported\n"),
        "import-parent": (source, "  - context\n", "  - context\n  - ../outside/secret\n"),
        "import-linkml-traversal": (source, "  - context\n", "  - context\n  - linkml:../../../../../../../../tmp/x\n"),
        "crosswalk-absolute": (
            source,
            "crosswalk: crosswalks/police-uk-police-force.sssom.tsv",
            f"crosswalk: {sentinel}",
        ),
        "crosswalk-parent": (
            source,
            "crosswalk: crosswalks/police-uk-police-force.sssom.tsv",
            "crosswalk: ../outside/secret.txt",
        ),
        "crosswalk-url": (
            source,
            "crosswalk: crosswalks/police-uk-police-force.sssom.tsv",
            f"crosswalk: {url}/walk.sssom.tsv",
        ),
        "python-tag": (transform, "title:", f"note: !!python/object/apply:os.system ['touch {marker}']\ntitle:"),
        "alias-bomb": (
            transform,
            "title:",
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(7))
            + "title:",
        ),
    }
    path, old, new = edits[kind]
    if kind == "import-curie":
        _edit(source, "prefixes:\n", f"prefixes:\n  evil: {url}/\n")
    _edit(path, old, new)
    return transform


MAPPING_KINDS = [
    "schema-url",
    "schema-file-url",
    "schema-absolute",
    "schema-parent",
    "import-url",
    "import-curie",
    "import-parent",
    "import-linkml-traversal",
    "crosswalk-absolute",
    "crosswalk-parent",
    "crosswalk-url",
    "python-tag",
    "alias-bomb",
]


@pytest.mark.parametrize("kind", MAPPING_KINDS)
def test_hostile_mapping_is_refused_naming_the_mapping(
    kind: str, tmp_path: Path, listener: Listener, sentinel: Path
) -> None:
    transform = _hostile_mapping(kind, _mapping_folder(tmp_path), listener.url, sentinel)
    csv = tmp_path / "2018-04-city-of-london-street.csv"
    csv.write_text(STREET, encoding="utf-8")
    with pytest.raises(MappingSpecError) as caught:
        load_mapping(transform)
    assert str(transform) in str(caught.value)
    runner = CliRunner()
    for command in (
        ["map", "--mapping", str(transform), str(csv)],
        ["validate", "--mapping", str(transform), str(csv)],
    ):
        result = runner.invoke(main, command)
        assert result.exit_code == 2, result.output
        assert str(transform) in result.output and "Traceback" not in result.output
        _no_leak(listener, result.output)
    _no_leak(listener, str(caught.value))
    assert not (sentinel.parent / "executed").exists()


def test_the_copied_mapping_folder_itself_maps(tmp_path: Path, listener: Listener) -> None:
    """The hostile kinds above differ from a working mapping folder only by their one edit."""
    transform = _mapping_folder(tmp_path) / "police-uk-street.transform.yaml"
    csv = tmp_path / "2018-04-city-of-london-street.csv"
    csv.write_text(STREET, encoding="utf-8")
    result = CliRunner().invoke(main, ["map", "--mapping", str(transform), "-q", str(csv)])
    assert result.exit_code == 0, result.output
    _no_leak(listener, result.output)


HOSTILE_EXPRESSIONS = [
    "__import__('os').system('touch executed')",
    "crime_id.__class__.__mro__[1].__subclasses__()",
    "str.__dict__",
    "(lambda: 1)()",
    "[x for x in crime_id for y in crime_id for z in crime_id]",
    "{x: x for x in crime_id}",
    "9**9**9",
    "'a' * 10**9",
    "crime_id[0]",
    "f'{crime_id}'",
    "open('/etc/passwd').read()",
    "eval('1')",
    "(yield)",
    "base + '" + "x" * 5000 + "'",
    "base" + " + base" * 1500,
    "'{}'.format(base)",
    "__builtins__",
    "__import__",
]


@pytest.mark.parametrize("expression", HOSTILE_EXPRESSIONS, ids=range(len(HOSTILE_EXPRESSIONS)))
def test_hostile_expression_is_refused_at_load(expression: str, tmp_path: Path) -> None:
    transform = _mapping_folder(tmp_path) / "police-uk-street.transform.yaml"
    _edit(transform, "month: {populated_from: month}", f"month: {{expr: {json.dumps(expression)}}}")
    with pytest.raises(MappingSpecError) as caught:
        load_mapping(transform)
    assert str(transform) in str(caught.value)
    assert not (tmp_path / "executed").exists() and not Path("executed").exists()


def test_unrestricted_eval_is_never_enabled() -> None:
    uses = [
        (path.relative_to(ROOT), line)
        for path in (ROOT / "src").rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if "unrestricted_eval" in line
    ]
    assert uses, "the reference path must say unrestricted_eval=False explicitly"
    assert all(re.search(r"unrestricted_eval=False\b", line) for _, line in uses), uses


def test_reference_path_does_not_run_an_expression_linkml_map_would_eval(tmp_path: Path, sentinel: Path) -> None:
    """An expression that reaches linkml-map (bypassing the loader's check) is not run by asteval: the
    reference path keeps linkml-map's restricted evaluator, which refuses statements and calls."""
    pytest.importorskip("linkml_map")
    from policeonto.mapping.reference import reference_graph

    mapping = load_mapping("police-uk-street")
    spec = json.loads(json.dumps(mapping.specification))
    spec["class_derivations"]["Crime"]["slot_derivations"]["month"] = {
        "expr": f"target = open({str(sentinel)!r}).read()"
    }
    hostile = dataclasses.replace(mapping, specification=spec)
    csv = tmp_path / "2018-04-city-of-london-street.csv"
    csv.write_text(STREET, encoding="utf-8")
    context = {
        "base": "https://x/",
        "dataset": "https://x/d",
        "run": "https://x/r",
        "dataset_key": "k",
        "publisher": "",
    }
    try:
        graph, _ = reference_graph(csv, context=context, mapping=hostile)
    except Exception as exc:  # linkml-map's restricted evaluator refuses it with an error of its own
        assert SECRET not in str(exc)
    else:
        assert SECRET not in graph.serialize(format="nt")


# Instance data (convert) and source exports (map) with hostile content.


def test_convert_refuses_unsafe_yaml_and_fetches_nothing(tmp_path: Path, listener: Listener, sentinel: Path) -> None:
    marker = tmp_path / "executed"
    cases = {
        "tag.yaml": f"persons: !!python/object/apply:os.system ['touch {marker}']\n",
        "new-tag.yaml": f"persons: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n",
        "bomb.yaml": "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(7)),
        "loop.yaml": "persons: &p [*p]\n",
        "context.json": json.dumps({"@context": f"{listener.url}/ctx", "persons": [{"id": sentinel.as_uri()}]}),
    }
    runner = CliRunner()
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        outcome = _outcome(path, lambda p=path: convert(p, validate=False))
        assert outcome == ("result" if name == "context.json" else "refused"), name
        if name in {"bomb.yaml", "loop.yaml"}:
            with pytest.raises(InstanceDataError, match="alias"):
                convert(path, validate=False)
        result = runner.invoke(main, ["convert", "--no-validate", str(path)])
        assert result.exit_code in ({0} if name == "context.json" else {2}), result.output
        _no_leak(listener, result.output)
    assert not marker.exists()


def test_records_whose_text_is_a_path_or_url_are_only_text(tmp_path: Path, listener: Listener, sentinel: Path) -> None:
    """LinkML's loaders take text that looks like a file name or a URL for one, and read it from there."""
    runner = CliRunner()
    for number, text in enumerate([str(sentinel), sentinel.as_uri(), f"{listener.url}/records.yaml"]):
        path = tmp_path / f"records-{number}.yaml"
        path.write_text(text, encoding="utf-8")
        assert _outcome(path, lambda p=path: convert(p, validate=False)) == "refused"
        for command in (["convert"], ["validate"], ["load", "--store", str(tmp_path / "store")]):
            result = runner.invoke(main, [*command, str(path)])
            assert result.exit_code == 2 and "not a RecordSet" in result.output, result.output
            _no_leak(listener, result.output)


def test_exports_with_urls_in_their_cells_are_only_data(tmp_path: Path, listener: Listener, sentinel: Path) -> None:
    header, first, *rest = STREET.splitlines()
    first = first.replace("On or near Charterhouse Street", f"{listener.url}/x {sentinel.as_uri()}")
    csv = tmp_path / "2018-04-city-of-london-street.csv"
    csv.write_text("\n".join([header, first, *rest]) + "\n", encoding="utf-8")
    document = {
        "links": {"self": f"{listener.url}/self"},
        "data": [{"type": "people", "id": "p1", "links": {"related": sentinel.as_uri()}}],
    }
    export = tmp_path / "export.jsonapi"
    export.write_text(json.dumps(document), encoding="utf-8")
    runner = CliRunner()
    mapped = runner.invoke(main, ["map", "-q", str(csv)])
    assert mapped.exit_code == 0 and f"{listener.url}/x" in mapped.output  # a plain string literal
    checked = runner.invoke(main, ["validate", "--format", "json", str(csv)])
    assert checked.exit_code in {0, 1}
    loaded = runner.invoke(main, ["load", "--store", str(tmp_path / "store"), str(csv)])
    assert loaded.exit_code in {0, 1}
    exported = runner.invoke(main, ["map", "-q", str(export)])
    assert exported.exit_code in {0, 1, 2} and "Traceback" not in exported.output
    _no_leak(listener, checked.output, loaded.output, exported.output)


# Limits.


def test_limit_settings_parse_and_bad_ones_are_usage_errors() -> None:
    assert Limits.parse(["file-size=1K", "line-size=2M", "field-size=3"]) == Limits(
        file_size=1024, line_size=2 << 20, field_size=3
    )
    assert parse_size("2GiB") == 2 << 30
    for bad in ["file-size", "rows=10", "field-size=-1", "field-size=lots", "line-size=0"]:
        with pytest.raises(LimitError):
            Limits.parse([bad])
    result = CliRunner().invoke(main, ["map", "--limit", "rows=10", "x.csv"])
    assert result.exit_code == 2 and "--limit" in result.output


def _street(tmp_path: Path, rows: list[str] | None = None, name: str = "2018-04-city-of-london-street.csv") -> Path:
    header, *body = STREET.splitlines()
    path = tmp_path / name
    path.write_text("\n".join([header, *(rows if rows is not None else body)]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["csv", "json", "ttl", "yaml"])
def test_file_size_limit_refuses_the_file_naming_it_and_the_limit(kind: str, tmp_path: Path) -> None:
    if kind == "csv":
        path = _street(tmp_path)
        run: Callable[[Limits], object] = lambda limits: map_files([path], _Sink(), options=MapOptions(limits=limits))  # noqa: E731
        expected: type[PoliceOntoError] = MappingInputError
    elif kind == "json":
        path = tmp_path / "export.json"
        shutil.copy(ROOT / "examples" / "force-b" / "export.json", path)
        run = lambda limits: map_files([path], _Sink(), options=MapOptions(limits=limits))  # noqa: E731
        expected = MappingInputError
    elif kind == "ttl":
        path = tmp_path / "records.ttl"
        shutil.copy(DATA / "valid" / "records-system.ttl", path)
        run = lambda limits: validate([path], options=MapOptions(limits=limits))  # noqa: E731
        expected = InstanceDataError
    else:
        path = tmp_path / "stop-and-search.yaml"
        shutil.copy(DATA / "valid" / "stop-and-search.yaml", path)
        run = lambda limits: convert(path, validate=False, limits=limits)  # noqa: E731
        expected = InstanceDataError
    run(Limits())  # within the default limits
    with pytest.raises(expected) as caught:
        run(Limits(file_size=100))
    message = str(caught.value)
    assert str(path) in message and "file-size limit is 100" in message and "--limit file-size=" in message
    command = {"csv": "map", "json": "map", "ttl": "validate", "yaml": "convert"}[kind]
    result = CliRunner().invoke(main, [command, "--limit", "file-size=100", str(path)])
    assert result.exit_code == 2 and str(path) in result.output and "--limit file-size=" in result.output


class _Sink:
    """A binary sink that keeps what is written."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, data: bytes) -> int:
        self.data += data
        return len(data)


def _map_rows(path: Path, limits: Limits):
    result = map_files([path], _Sink(), options=MapOptions(limits=limits))
    assert result.rows_read == result.rows_mapped + result.rows_rejected
    return result


@pytest.mark.parametrize("careful", [False, True], ids=["fast-reader", "careful-reader"])
def test_field_and_line_limits_reject_the_row_with_a_finding(careful: bool, tmp_path: Path) -> None:
    _, *body = STREET.splitlines()
    wide = body[0].replace("On or near Charterhouse Street", "W" * 3000)  # one field over 2,000 bytes
    fields = body[1].split(",")
    fields[6] = fields[8] = fields[11] = "x" * 1900  # each field within 2,000 bytes, the row over 5,000
    long_line = ",".join(fields)
    rows = [wide, long_line, *body[2:]]
    if careful:  # an odd quote count sends the file to the careful reader
        rows.append('"unterminated,2018-04')
    path = _street(tmp_path, rows)
    limits = Limits(field_size=2000, line_size=5000)
    result = _map_rows(path, limits)
    by_code = {f.code: f for f in result.findings}
    assert by_code["field-too-large"].row == 1 and by_code["field-too-large"].column == "Location"
    assert "WWWW" in (by_code["field-too-large"].value or "")
    assert by_code["line-too-long"].row == 2
    assert result.rejected_by_reason["field-too-large"] == 1 and result.rejected_by_reason["line-too-long"] == 1
    assert result.rows_read == len(rows)
    plain = _map_rows(path, Limits())
    assert "field-too-large" not in plain.finding_counts and "line-too-long" not in plain.finding_counts


def test_a_field_over_pythons_csv_limit_in_a_malformed_file_rejects_one_row(tmp_path: Path) -> None:
    """The careful reader used to stop at Python's own 128 KiB field limit and drop the rest of the file."""
    _, *body = STREET.splitlines()
    huge = body[0].replace("On or near Charterhouse Street", '"' + "H" * 300_000 + '"')
    rows = [huge, *body[1:], "too,few,fields"]
    path = _street(tmp_path, rows)
    result = _map_rows(path, Limits())
    assert result.rows_read == len(rows)
    assert result.rows_mapped == len(body) and result.rejected_by_reason == {"wrong-field-count": 1}
    small = _map_rows(path, Limits(field_size=100_000))
    assert small.rejected_by_reason["field-too-large"] == 1
    assert small.rows_mapped == len(body) - 1 and small.rows_read == len(rows)


def test_json_string_over_the_field_limit_rejects_its_record(tmp_path: Path) -> None:
    source = ROOT / "examples" / "force-b" / "export.json"
    document = json.loads(source.read_text(encoding="utf-8"))
    record = next(r for r in document["data"] if isinstance(r, dict) and r.get("attributes"))
    key = next(k for k, v in record["attributes"].items() if isinstance(v, str))
    record["attributes"][key] = "J" * 5000
    export = tmp_path / source.name
    export.write_text(json.dumps(document), encoding="utf-8")
    result = _map_rows(export, Limits(field_size=4000))
    found = [f for f in result.findings if f.code == "field-too-large"]
    assert len(found) == 1 and found[0].column == f"attributes.{key}" and "JJJ" in (found[0].value or "")


def test_rdf_literal_and_line_limits_refuse_the_file(tmp_path: Path) -> None:
    big = tmp_path / "big-literal.nt"
    big.write_text(f'<https://x/a> <https://x/b> "{"L" * 5000}" .\n', encoding="utf-8")
    ttl = tmp_path / "big-literal.ttl"
    ttl.write_text(f'<https://x/a> <https://x/b> "{"L" * 5000}" .\n', encoding="utf-8")
    for path, engine in [(big, Engine.FAST), (ttl, Engine.FAST), (ttl, Engine.PYSHACL)]:
        with pytest.raises(InstanceDataError) as caught:
            validate([path], engine=engine, options=MapOptions(limits=Limits(field_size=4000)))
        assert caught.value.path == path and "--limit field-size=" in str(caught.value)
        validate([path], engine=engine)  # within the default
    lines = tmp_path / "long-line.nt"
    lines.write_text('<https://x/a> <https://x/b> "short" .\n' * 3 + f'<https://x/a> <https://x/b> "{"L" * 500}" .\n')
    with pytest.raises(InstanceDataError) as caught:
        validate([lines], options=MapOptions(limits=Limits(line_size=200)))
    assert caught.value.path == lines and caught.value.line == 4 and "--limit line-size=" in str(caught.value)


def test_a_header_longer_than_the_first_read_is_read_whole_or_refused(tmp_path: Path) -> None:
    header, *body = STREET.splitlines()
    long_name = "Note " + "N" * 70_000  # the header runs past the first 64 KiB read
    path = tmp_path / "2018-04-city-of-london-street.csv"
    path.write_text("\n".join([f"{header},{long_name}", *(f"{row},n" for row in body)]) + "\n", encoding="utf-8")
    assert inspect(path).header[-1] == long_name
    result = _map_rows(path, Limits())
    assert result.rows_mapped == len(body)
    with pytest.raises(MappingInputError) as caught:
        inspect(path, limits=Limits(line_size=50_000))
    assert caught.value.path == path and caught.value.line == 1 and "--limit line-size=" in str(caught.value)
