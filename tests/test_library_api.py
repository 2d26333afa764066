"""The library as a program calls it: paths given as text, stores in ``with`` blocks, errors from the one
hierarchy, results as data."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from policeonto.conversion import RdfFormat, convert
from policeonto.errors import MappingSpecError, OptionError, PoliceOntoError, StoreError
from policeonto.instances import load_records, read_records
from policeonto.limits import LimitError, Limits
from policeonto.mapping import MapOptions, list_mappings, map_files, map_stream
from policeonto.output import atomic_output, write_atomically
from policeonto.store import EmbeddedStore, RemoteStore, open_store, render
from policeonto.store.jobs import load_inputs
from policeonto.validation import validate
from tests.conftest import POLICE_UK, ROOT

EXAMPLE = ROOT / "examples" / "pole-example.yaml"


def test_embedded_store_is_a_context_manager_closed_on_leaving(tmp_path: Path) -> None:
    with open_store(tmp_path / "store") as store:
        assert store.graphs() == []
    with open_store(tmp_path / "store") as again:  # the lock was let go: the store opens again
        assert again.query("ASK { ?s ?p ?o }").boolean is False


def test_remote_store_is_a_context_manager() -> None:
    with RemoteStore("http://127.0.0.1:9", retries=0) as store:
        assert store.location == "http://127.0.0.1:9"


def test_closing_a_store_twice_does_nothing_and_a_closed_store_refuses_work(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed") as caught:
        store.query("ASK { ?s ?p ?o }")
    assert caught.value.store == str(tmp_path / "store")


def test_embedded_store_takes_its_directory_as_text(tmp_path: Path) -> None:
    with EmbeddedStore(str(tmp_path / "store")) as store:
        assert store.location == str(tmp_path / "store")
    assert (tmp_path / "store").is_dir()


STREET = POLICE_UK / "street" / "2018-04-city-of-london-street.csv"


@pytest.mark.parametrize("read", [convert, load_records, read_records], ids=["convert", "load_records", "read_records"])
def test_records_readers_take_a_path_as_text(read: Callable[..., object]) -> None:
    assert read(str(EXAMPLE)) is not None


def test_atomic_output_takes_its_target_as_text(tmp_path: Path) -> None:
    with atomic_output(str(tmp_path / "out.nt")) as sink:
        sink.write(b"done\n")
    assert write_atomically(str(tmp_path / "report.json"), "{}") == tmp_path / "report.json"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nt", "report.json"]


@pytest.mark.parametrize("given", [str(STREET), STREET], ids=["text", "path"])
def test_validate_and_map_files_take_a_single_path_as_one_input(given: str | Path) -> None:
    report = validate(given)
    assert (report.rows, report.valid) == (663, True)
    mapped = map_files(given, io.BytesIO())
    assert [f.file for f in mapped.files] == [str(STREET)]
    assert mapped.rows_read == mapped.rows_mapped + mapped.rows_rejected == 663


def test_load_inputs_takes_a_single_path_as_one_input(tmp_path: Path) -> None:
    with open_store(tmp_path / "store") as store:
        (loaded,) = load_inputs(store, str(EXAMPLE))
    assert (loaded.source, loaded.loaded, loaded.valid) == (str(EXAMPLE), True, True)
    assert loaded.triples > 100


@pytest.mark.parametrize(
    ("call", "option"),
    [
        (lambda: map_files(STREET, io.BytesIO(), options=MapOptions(base="not an IRI")), "base"),
        (lambda: map_files(STREET, io.BytesIO(), options=MapOptions(force="atlantis")), "force"),
        (lambda: validate(STREET, engine="fastest"), "engine"),
        (lambda: next(map_stream(STREET, options=MapOptions(base="not an IRI"))), "base"),
        (lambda: RdfFormat.from_extension(Path("out.docx")), "format"),
    ],
    ids=["base", "force", "engine", "stream-base", "format"],
)
def test_a_wrong_option_is_an_option_error_and_a_value_error(call: Callable[[], object], option: str) -> None:
    with pytest.raises(OptionError) as caught:
        call()
    assert isinstance(caught.value, PoliceOntoError) and isinstance(caught.value, ValueError)
    assert caught.value.option == option


def test_reading_records_leaves_the_logging_configuration_as_it_was() -> None:
    dumper_log = logging.getLogger("linkml_runtime.dumpers.rdflib_dumper")
    before = dumper_log.level
    dumper_log.setLevel(logging.INFO)
    try:
        assert len(read_records(EXAMPLE)) > 100
        assert dumper_log.level == logging.INFO
    finally:
        dumper_log.setLevel(before)


def test_a_loaded_graph_counts_every_finding_not_only_those_kept(tmp_path: Path) -> None:
    rows = STREET.read_text(encoding="utf-8").splitlines(keepends=True)
    bad = [row.replace(",Other theft,", ",Not a crime type,") for row in rows]
    export = tmp_path / "2018-04-city-of-london-street.csv"
    export.write_text("".join(bad), encoding="utf-8")
    wrong = sum(row.count(",Not a crime type,") for row in bad)
    assert wrong > 5
    with open_store(tmp_path / "store") as store:
        (loaded,) = load_inputs(store, [export], load_invalid=True, options=MapOptions(keep_findings=5))
    assert (loaded.valid, loaded.findings) == (False, wrong)


@pytest.mark.parametrize("given", [{"file_size": 0}, {"line_size": -5}, {"field_size": "10M"}], ids=str)
def test_a_limit_that_is_no_positive_byte_count_is_refused_when_made(given: dict[str, object]) -> None:
    with pytest.raises(LimitError, match=next(iter(given))):
        Limits(**given)  # type: ignore[arg-type]


def test_list_mappings_takes_its_folder_as_text_and_refuses_a_missing_one(tmp_path: Path) -> None:
    assert [m.name for m in list_mappings(str(ROOT / "mappings"))] == [m.name for m in list_mappings()]
    with pytest.raises(MappingSpecError, match="no such folder"):
        list_mappings(tmp_path / "nowhere")


def test_importing_policeonto_loads_no_linkml_and_touches_no_logging() -> None:
    probe = (
        "import logging, sys\n"
        "before = dict(logging.root.manager.loggerDict)\n"
        "import policeonto\n"
        "assert 'linkml_runtime' not in sys.modules, 'linkml_runtime imported'\n"
        "assert logging.root.handlers == [] and logging.root.level == logging.WARNING\n"
        "print(policeonto.schema_view().schema.name)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False, cwd=ROOT)
    assert (done.returncode, done.stdout) == (0, "policeonto\n"), done.stderr


def test_render_refuses_a_format_it_does_not_write() -> None:
    with EmbeddedStore() as store:
        result = store.query("SELECT ?s WHERE { ?s ?p ?o }")
    assert render(result, "csv") == "s\r\n"
    with pytest.raises(OptionError) as caught:
        render(result, "xml")
    assert (caught.value.option, caught.value.value) == ("format", "xml")


def test_open_store_without_create_refuses_a_missing_store_and_makes_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-store"
    with pytest.raises(StoreError, match="no store here") as caught:
        open_store(missing, create=False)
    assert caught.value.store == str(missing) and not missing.exists()
    with open_store(missing) as made:  # the default makes it
        assert made.graphs() == []
    with open_store(missing, create=False) as found:
        assert found.graphs() == []


def test_every_public_name_resolves_at_the_top_level() -> None:
    import policeonto

    missing = [name for name in policeonto.__all__ if getattr(policeonto, name, None) is None]
    assert missing == []
    assert callable(policeonto.map_files) and callable(policeonto.convert) and callable(policeonto.validate)


def test_the_working_functions_take_their_options_by_keyword_only() -> None:
    import inspect

    import policeonto

    # the inputs (and the store or output they go to) are positional; every option is a keyword
    positional = {"map_files": 2, "validate": 1, "load_inputs": 2, "convert": 1, "open_store": 1}
    for name, count in positional.items():
        parameters = list(inspect.signature(getattr(policeonto, name)).parameters.values())
        kinds = [p.kind for p in parameters[count:]]
        assert kinds and all(k is inspect.Parameter.KEYWORD_ONLY for k in kinds), name


def test_importing_the_package_does_not_import_polars_or_pyoxigraph() -> None:
    code = "import sys, policeonto; print(sorted(m for m in ('polars', 'pyoxigraph') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
