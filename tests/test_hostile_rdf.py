"""Hostile RDF, JSON-LD and records inputs: every reader refuses them with a clear error naming the file, in
bounded time and memory.

- RDF/XML with a DOCTYPE anywhere and in any encoding, and RDF/XML the screen cannot read to its end, is
  refused on every path (validate, load with and without validation, the library's readers).
- Inputs that are no regular file (a FIFO, ``/dev/zero`` behind a link, a folder) are refused without
  being opened, and no reader reads more than the file-size limit.
- IRIs are bounded (``--limit iri-size``) in RDF, JSON-LD and records; huge numbers, huge tokens and lone
  surrogates are clear errors; rdflib's per-literal warnings do not flood standard error.

The inputs are generated here; the CLI runs in a subprocess, its peak memory read from ``wait4``.
"""

from __future__ import annotations

import codecs
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from policeonto.errors import CrosswalkError, InstanceDataError, MappingSpecError, PoliceOntoError
from policeonto.limits import Limits, check_file_size, read_bounded
from policeonto.mapping import MapOptions
from policeonto.safety import screen_xml
from policeonto.store import EmbeddedStore
from policeonto.store.jobs import load_inputs
from policeonto.validation import validate
from policeonto.validation.fast import read_table
from policeonto.validation.rdf_input import read_rdf
from tests.peak import run_measured

ROOT = Path(__file__).resolve().parents[1]
RSS_BOUND_KIB = 1 << 20  # 1 GiB
TIMEOUT = 120  # a guard against hanging, far above the few seconds a refusal takes

EX = "http://example.org/"
_DOCTYPE = """<!DOCTYPE rdf:RDF [
<!ENTITY l0 "laughlaugh">
<!ENTITY l1 "&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;">
<!ENTITY l2 "&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;">
<!ENTITY l3 "&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;">
<!ENTITY l4 "&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;">
<!ENTITY l5 "&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;">
<!ENTITY l6 "&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;">
]>
"""  # &l6; is 10 MB: enough to see it expanded, small enough that a run without the screen stays harmless
_ROOT_OPEN = f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="{EX}">\n'
_BODY = f'<rdf:Description rdf:about="{EX}x"><ex:p>&l6;</ex:p></rdf:Description>\n</rdf:RDF>\n'
_CLEAN = _ROOT_OPEN + f'<rdf:Description rdf:about="{EX}x"><ex:p>plain</ex:p></rdf:Description>\n</rdf:RDF>\n'


def _bomb(prolog: str = "", doctype: str = _DOCTYPE) -> str:
    return prolog + doctype + _ROOT_OPEN + _BODY


def _declared(encoding: str) -> str:
    return f'<?xml version="1.0" encoding="{encoding}"?>\n'


#: Billion-laughs documents that slipped past the old screen (it gave up quietly when expat erred before the
#: DOCTYPE, and stopped at the root element) or that only a screen reading every encoding sees.
HOSTILE_XML: dict[str, bytes] = {
    "plain": _bomb().encode(),
    "space-before-declaration": b"  \n" + _bomb('<?xml version="1.0"?>\n').encode(),
    "standalone-maybe": _bomb('<?xml version="1.0" standalone="maybe"?>\n').encode(),
    "unknown-encoding": _bomb(_declared("x-no-such-encoding")).encode(),
    "multi-byte-encoding": _bomb(_declared("Shift_JIS")).encode(),
    "lower-case-doctype": _bomb(doctype=_DOCTYPE.replace("DOCTYPE", "doctype")).encode(),
    "after-comment-and-pi": _bomb("<!-- a comment -->\n<?pi data?>\n").encode(),
    "inside-the-root": (_ROOT_OPEN + _DOCTYPE + _BODY).encode(),
    "utf-8-bom": codecs.BOM_UTF8 + _bomb().encode(),
    "utf-8-declaring-utf-16": _bomb(_declared("UTF-16")).encode(),
    "utf-8-bom-declaring-utf-16": codecs.BOM_UTF8 + _bomb(_declared("UTF-16")).encode(),
    "utf-16-bom": _bomb(_declared("UTF-16")).encode("utf-16"),
    "utf-16-le": _bomb(_declared("UTF-16LE")).encode("utf-16-le"),
    "utf-16-be": _bomb(_declared("UTF-16BE")).encode("utf-16-be"),
    "utf-32-bom": _bomb(_declared("UTF-32")).encode("utf-32"),
    "utf-32-be": _bomb(_declared("UTF-32BE")).encode("utf-32-be"),
    "ebcdic": _bomb(_declared("cp500")).encode("cp500"),
}

#: Documents without a DOCTYPE that expat cannot read to the end: nobody can say what another parser makes
#: of them, so they are refused too (fail closed).
UNREADABLE_XML: dict[str, bytes] = {
    "space-before-declaration": b" " + ('<?xml version="1.0"?>\n' + _CLEAN).encode(),
    "standalone-maybe": ('<?xml version="1.0" standalone="maybe"?>\n' + _CLEAN).encode(),
    "unknown-encoding": (_declared("x-no-such-encoding") + _CLEAN).encode(),
    "multi-byte-encoding": (_declared("Shift_JIS") + _CLEAN).encode(),
    "utf-32": (_declared("UTF-32") + _CLEAN).encode("utf-32"),
    "not-well-formed-after-the-root": (_CLEAN + "<x>").encode(),
}


def run_cli(*args: str, cwd: Path, timeout: float = TIMEOUT) -> tuple[int, str, str, int]:
    """Run ``policeonto ARGS``; its exit code, standard output and error, and peak RSS in KiB."""
    out, err = cwd / "cli.out", cwd / "cli.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        code, peak = run_measured(
            [sys.executable, "-m", "policeonto", *args],
            timeout=timeout,
            peak_file=cwd / "cli.peak",
            cwd=cwd,
            stdout=stdout,
            stderr=stderr,
        )
    return code, out.read_text(errors="replace"), err.read_text(errors="replace"), peak


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _refused(path: Path, run: Callable[[], object]) -> str:
    with pytest.raises(InstanceDataError) as caught:
        run()
    assert caught.value.path == path
    return str(caught.value)


# 1. RDF/XML: no DOCTYPE anywhere, and nothing the screen cannot read ------------------------------------


@pytest.mark.parametrize("variant", sorted(HOSTILE_XML))
def test_a_doctype_is_refused_by_the_screen_in_every_form(variant: str) -> None:
    with pytest.raises(PoliceOntoError, match="DOCTYPE"):
        screen_xml(HOSTILE_XML[variant])


@pytest.mark.parametrize("variant", sorted(UNREADABLE_XML))
def test_xml_the_screen_cannot_read_to_the_end_is_refused(variant: str) -> None:
    with pytest.raises(PoliceOntoError, match="cannot be shown to hold no DOCTYPE"):
        screen_xml(UNREADABLE_XML[variant])


def test_plain_rdf_xml_still_passes_the_screen_in_utf_8_and_utf_16() -> None:
    screen_xml(_CLEAN.encode())
    screen_xml(('<?xml version="1.0" encoding="UTF-16"?>\n' + _CLEAN).encode("utf-16"))
    screen_xml(("<!-- a comment -->\n" + _CLEAN).encode())


@pytest.mark.parametrize("variant", sorted(HOSTILE_XML) + [f"unreadable-{v}" for v in UNREADABLE_XML])
@pytest.mark.parametrize("suffix", [".rdf", ".owl", ".xml"])
def test_hostile_rdf_xml_is_refused_by_every_library_reader(variant: str, suffix: str, tmp_path: Path) -> None:
    data = UNREADABLE_XML[variant.removeprefix("unreadable-")] if variant.startswith("unreadable-") else None
    path = _write(tmp_path, f"hostile{suffix}", data if data is not None else HOSTILE_XML[variant])
    _refused(path, lambda: read_rdf(path))
    _refused(path, lambda: read_table(path))
    _refused(path, lambda: validate([path]))
    for check in (True, False):
        with EmbeddedStore() as store:
            _refused(path, lambda: load_inputs(store, [path], check=check))  # noqa: B023
            assert not [g for g in store.graphs() if "dataset" in g]


# the CLI's load calls load_inputs, tested above with every variant; a subprocess each for three of them
@pytest.mark.parametrize("variant", ["plain", "space-before-declaration", "inside-the-root"])
def test_load_without_validation_refuses_a_doctype_in_bounded_memory(variant: str, tmp_path: Path) -> None:
    path = _write(tmp_path, "hostile.rdf", HOSTILE_XML[variant])
    code, out, err, rss = run_cli("load", "--no-validate", "--store", str(tmp_path / "store"), str(path), cwd=tmp_path)
    assert code == 2, (out, err)
    assert str(path) in err and "DOCTYPE" in err and "Traceback" not in err
    assert rss < RSS_BOUND_KIB


@pytest.mark.parametrize("command", [["validate"], ["load", "--store", "store"], ["convert"]])
def test_every_command_refuses_a_doctype_behind_leading_space(command: list[str], tmp_path: Path) -> None:
    path = _write(tmp_path, "hostile.owl", HOSTILE_XML["space-before-declaration"])
    code, out, err, rss = run_cli(*command, str(path), cwd=tmp_path)
    assert code == 2, (out, err)
    assert str(path) in err and "Traceback" not in err and "laughlaugh" not in out + err
    assert rss < RSS_BOUND_KIB


def test_plain_rdf_xml_still_loads_without_validation(tmp_path: Path) -> None:
    path = _write(tmp_path, "plain.rdf", _CLEAN.encode())
    with EmbeddedStore() as store:
        (loaded,) = load_inputs(store, [path], check=False)
    assert loaded.loaded and loaded.triples >= 1


# 3. Only regular files, read within the limit --------------------------------------------------------------


def _answer_every_open(fifo: Path) -> None:
    while True:
        fifo.open("wb").close()


def _special_files(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    # should a reader open the FIFO, a writer opens it too and closes it at once, so the test fails instead of
    # hanging; when nothing opens it (as it should be), this thread waits until the tests end
    threading.Thread(target=_answer_every_open, args=(fifo,), daemon=True).start()
    zero = tmp_path / "zero"
    zero.symlink_to("/dev/zero")
    folder = tmp_path / "folder"
    folder.mkdir()
    return {"fifo": fifo, "dev-zero-link": zero, "folder": folder}


@pytest.mark.parametrize("kind", ["fifo", "dev-zero-link", "folder"])
def test_no_regular_file_is_refused_by_the_file_readers(kind: str, tmp_path: Path) -> None:
    special = _special_files(tmp_path)[kind]
    for check in (check_file_size, read_bounded):
        with pytest.raises(InstanceDataError, match="not a regular file") as caught:
            check(special, Limits())
        assert caught.value.path == special
    with pytest.raises(CrosswalkError, match="not a regular file"):
        from policeonto.mapping.crosswalk import read_crosswalk

        read_crosswalk(special)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero-link"])
@pytest.mark.parametrize("suffix", [".csv", ".json", ".yaml", ".ttl", ".nt", ".rdf", ".jsonld"])
def test_every_input_that_is_no_regular_file_is_refused_by_the_library(kind: str, suffix: str, tmp_path: Path) -> None:
    target = _special_files(tmp_path)[kind]
    path = tmp_path / f"input{suffix}"
    path.symlink_to(target)
    _refused(path, lambda: validate([path]))
    with EmbeddedStore() as store:
        _refused(path, lambda: load_inputs(store, [path], check=False))


@pytest.mark.parametrize(
    ("kind", "command"),
    [
        ("fifo", ["validate"]),
        ("fifo", ["map"]),
        ("fifo", ["convert"]),
        ("fifo", ["load", "--no-validate", "--store", "store"]),
        ("fifo", ["query", "--store", "store"]),
        ("dev-zero-link", ["map"]),
        ("dev-zero-link", ["query", "--store", "store"]),
    ],
)
def test_the_cli_refuses_a_fifo_or_dev_zero_as_input(kind: str, command: list[str], tmp_path: Path) -> None:
    suffix = ".rq" if command[0] == "query" else ".yaml" if command[0] == "convert" else ".csv"
    path = tmp_path / f"input{suffix}"
    path.symlink_to(_special_files(tmp_path)[kind])
    code, out, err, rss = run_cli(*command, str(path), cwd=tmp_path, timeout=30)
    assert code == 2, (out, err)
    assert "not a regular file" in err and str(path) in err and "Traceback" not in err
    assert rss < RSS_BOUND_KIB


def test_a_mapping_file_that_is_no_regular_file_is_refused(tmp_path: Path) -> None:
    from policeonto.mapping.spec import _read_yaml

    with pytest.raises(MappingSpecError, match="not a regular file"):
        _read_yaml(_special_files(tmp_path)["fifo"])


def test_read_bounded_reads_no_more_than_the_limit_plus_one(tmp_path: Path) -> None:
    path = _write(tmp_path, "small.nt", b"x" * 100)
    assert read_bounded(path, Limits(file_size=100)) == b"x" * 100
    with pytest.raises(InstanceDataError, match="over the limit"):
        read_bounded(path, Limits(file_size=99))


# 2. IRIs are bounded wherever they are read from outside ----------------------------------------------------

_LONG = "https://example.org/p/" + "9" * 10_000  # over the default iri-size of 8K
_PERSON = "https://w3id.org/policeonto/Person"


def _records(tmp_path: Path, identifier: str, *, reference: str = f"{EX}crime/1", name: str = "records.yaml") -> Path:
    text = (
        f"events:\n  - id: '{identifier}'\n    type: pole:Arrest\n    start_time: 2024-07-04T06:00:00\n"
        f"    arrest_for: ['{reference}']\n"
    )
    return _write(tmp_path, name, text.encode())


def _iri_inputs(tmp_path: Path) -> dict[str, Path]:
    triple = f"<{_LONG}> <{EX}p> <{EX}o> .\n"
    return {
        "ttl": _write(tmp_path, "long.ttl", triple.encode()),
        "nt": _write(tmp_path, "long.nt", triple.encode()),
        "nq": _write(tmp_path, "long.nq", triple.encode()),
        "object": _write(tmp_path, "long-object.ttl", f"<{EX}s> <{EX}p> <{_LONG}> .\n".encode()),
        "jsonld": _write(tmp_path, "long.jsonld", f'{{"@id": "{_LONG}", "{EX}p": "v"}}'.encode()),
        "rdf": _write(tmp_path, "long.rdf", _CLEAN.replace(f"{EX}x", _LONG).encode()),
        "records-id": _records(tmp_path, _LONG),
        "records-reference": _records(tmp_path, f"{EX}p/1", reference=_LONG, name="reference.yaml"),
    }


@pytest.mark.parametrize("kind", ["ttl", "nt", "nq", "object", "jsonld", "rdf", "records-id", "records-reference"])
def test_an_iri_over_the_limit_is_refused_on_every_path(kind: str, tmp_path: Path) -> None:
    path = _iri_inputs(tmp_path)[kind]
    message = _refused(path, lambda: validate([path]))
    assert "--limit iri-size=" in message and len(message) < 400  # the value cut, not echoed whole
    with EmbeddedStore() as store:
        message = _refused(path, lambda: load_inputs(store, [path], check=False))
    assert "--limit iri-size=" in message and len(message) < 400
    raised = Limits.parse(["iri-size=64K"])
    if kind.startswith("records"):
        return  # within a raised limit, the schema decides (a reference must name a force)
    validate([path], options=MapOptions(limits=raised))


def test_a_records_file_with_a_10_mb_id_is_refused_at_once_by_the_cli(tmp_path: Path) -> None:
    path = _records(tmp_path, "https://example.org/p/" + "9" * (10 << 20))
    code, out, err, rss = run_cli("validate", str(path), cwd=tmp_path)
    assert code == 2, (out, err)
    assert str(path) in err and "events[1].id" in err and "iri-size" in err and len(err) < 500
    assert rss < RSS_BOUND_KIB


def test_iri_size_is_a_limit_like_the_others() -> None:
    assert Limits().iri_size == 8 << 10
    assert Limits.parse(["iri-size=1K"]).iri_size == 1024


def test_a_token_over_oxigraphs_buffer_is_a_clear_error_on_load(tmp_path: Path) -> None:
    path = _write(tmp_path, "huge-literal.ttl", f'<{EX}s> <{EX}p> "{"L" * (17 << 20)}" .\n'.encode())
    limits = Limits(field_size=32 << 20, line_size=32 << 20, iri_size=32 << 20)
    with EmbeddedStore() as store:
        message = _refused(path, lambda: load_inputs(store, [path], check=False, options=MapOptions(limits=limits)))
    assert "16M" in message


# 4. Huge numbers and lone surrogates are clear errors -------------------------------------------------------


def _number_and_surrogate_inputs(tmp_path: Path) -> dict[str, Path]:
    digits = "9" * 5000
    return {
        "jsonld-number": _write(tmp_path, "number.jsonld", f'{{"@id": "{EX}s", "{EX}p": {digits}}}'.encode()),
        "records-number": _write(
            tmp_path, "number.yaml", f"persons:\n  - id: {EX}p/1\n    source_record_id: {digits}\n".encode()
        ),
        "records-json-number": _write(
            tmp_path, "number.json", f'{{"persons": [{{"id": "{EX}p/1", "source_record_id": {digits}}}]}}'.encode()
        ),
        "records-surrogate": _write(
            tmp_path, "surrogate.yaml", f'persons:\n  - id: {EX}p/1\n    source_record_id: "a\\ud800b"\n'.encode()
        ),
        "records-surrogate-id": _write(tmp_path, "surrogate-id.yaml", f'persons:\n  - id: "{EX}p/\\udc00"\n'.encode()),
        "jsonld-surrogate": _write(tmp_path, "surrogate.jsonld", f'{{"@id": "{EX}s", "{EX}p": "a\\ud800"}}'.encode()),
        "jsonld-surrogate-iri": _write(
            tmp_path, "surrogate-iri.jsonld", f'{{"@id": "{EX}s\\ud800", "{EX}p": "a"}}'.encode()
        ),
    }


@pytest.mark.parametrize(
    "kind",
    [
        "jsonld-number",
        "records-number",
        "records-json-number",
        "records-surrogate",
        "records-surrogate-id",
        "jsonld-surrogate",
        "jsonld-surrogate-iri",
    ],
)
def test_huge_numbers_and_lone_surrogates_are_errors_naming_the_file(kind: str, tmp_path: Path) -> None:
    path = _number_and_surrogate_inputs(tmp_path)[kind]
    if kind == "records-json-number":
        from policeonto.instances import read_records

        _refused(path, lambda: read_records(path))
        return  # a .json file is a source export to validate and load
    for message in (
        _refused(path, lambda: validate([path])),
        _refused(path, lambda: load_inputs(EmbeddedStore(), [path], check=False)),
    ):
        assert "digits" in message or "surrogate" in message, message


@pytest.mark.parametrize("kind", ["records-surrogate", "jsonld-number"])
def test_the_cli_says_what_is_wrong_with_exit_2_and_no_traceback(kind: str, tmp_path: Path) -> None:
    path = _number_and_surrogate_inputs(tmp_path)[kind]
    for command in (["validate"], ["load", "--no-validate", "--store", "store"]):
        code, out, err, _ = run_cli(*command, str(path), cwd=tmp_path)
        assert code == 2, (out, err)
        assert err.startswith(f"policeonto: error: {path}") and "internal error" not in err


# 5. rdflib's warnings per ill-typed literal stay off standard error ----------------------------------------


def test_ill_typed_literals_are_findings_not_a_flood_on_stderr(tmp_path: Path) -> None:
    lines = "".join(
        f'<{EX}s{n}> a <{_PERSON}> ; <https://w3id.org/policeonto/date_of_birth> "day {n}"^^'
        "<http://www.w3.org/2001/XMLSchema#date> .\n"
        for n in range(2000)
    )
    path = _write(tmp_path, "ill-typed.ttl", lines.encode())
    code, out, err, _ = run_cli("validate", "--format", "json", str(path), cwd=tmp_path)
    assert code == 1, err[:2000]
    assert len(err) < 2000, err[:2000]  # was a traceback per literal: 2,000 of them, about 800 KB
    assert '"date_of_birth' in out or "date_of_birth" in out


def test_quieting_rdflib_leaves_the_logging_configuration_as_it_was(tmp_path: Path) -> None:
    import logging

    logger = logging.getLogger("rdflib.term")
    before = logger.level
    path = _write(
        tmp_path, "ill-typed.ttl", f'<{EX}s> <{EX}p> "x"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'.encode()
    )
    read_rdf(path)
    assert logger.level == before
