"""The records linkage pulls from a store, when some records say little: a data.police.uk search's subject
is a person with no name, date of birth or identifier, beside the forces' named people."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from policeonto.errors import LinkageTrainingError
from policeonto.linkage import link
from policeonto.linkage.model import DUCKDB_MEMORY, keyed, linker_for, settings_for, unkeyed
from policeonto.linkage.records import COLUMNS, Field, gather, pull
from policeonto.store import EmbeddedStore

POLE = "https://w3id.org/policeonto/"
A = "https://example.org/force-a"
B = "https://example.org/force-b"


def _person(record: str, given: str | None, family: str | None, born: str | None) -> str:
    lines = [f"<{record}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{POLE}Person> ."]
    if family is not None:
        lines.append(f"<{record}> <{POLE}names> <{record}/name> .")
        lines.append(f'<{record}/name> <{POLE}family_name> "{family}" .')
        if given is not None:
            lines.append(f'<{record}/name> <{POLE}given_name> "{given}" .')
    if born is not None:
        lines.append(f'<{record}> <{POLE}date_of_birth> "{born}"^^<http://www.w3.org/2001/XMLSchema#date> .')
    return "\n".join(lines) + "\n"


def people_store(folder: Path) -> EmbeddedStore:
    store = EmbeddedStore(folder / "store")
    people = {
        A: [("a/1", "Mohammed", "MacDonald", "1980-03-04"), ("a/2", None, None, None), ("a/3", None, "Smith", None)],
        B: [("b/1", "Muhammad", "McDonald", "1980-04-03"), ("b/2", None, None, None)],
    }
    for graph, rows in people.items():
        path = folder / f"{graph.rsplit('/', 1)[-1]}.nt"
        path.write_text("".join(_person(f"https://example.org/{r}", g, f, d) for r, g, f, d in rows))
        store.load(path, graph=graph, syntax="nt")
    return store


def test_records_without_a_name_are_pulled_with_none_not_nan(tmp_path: Path) -> None:
    with people_store(tmp_path) as store:
        table = pull(store)
    assert list(table.columns) == ["record", "graph", *COLUMNS["person"]]
    assert all(str(table[column].dtype) == "object" for column in table.columns)
    rows = {record: row for record, row in zip(table["record"], table.to_dict("records"), strict=True)}
    assert rows["https://example.org/a/2"]["forename"] is None
    assert rows["https://example.org/a/2"]["forename_code"] is None
    assert rows["https://example.org/a/3"]["surname_code"] == "S530"
    assert rows["https://example.org/a/3"]["forename_key"] is None
    assert rows["https://example.org/b/1"]["forename_code"] == rows["https://example.org/a/1"]["forename_code"]


def test_too_few_records_to_train_on_is_a_clear_error(tmp_path: Path) -> None:
    with (
        people_store(tmp_path) as store,
        pytest.raises(LinkageTrainingError, match="cannot train a person model") as raised,
    ):
        link(store, threshold=0.9, floor=0.0, model_path=None)
    assert "5 records" in str(raised.value) and "--model" in str(raised.value)
    assert raised.value.entity == "person"


def test_a_record_with_several_values_takes_the_least_and_keeps_a_name_whole(tmp_path: Path) -> None:
    """Field by field: the least of several answers (a name's surname and forename from one name), an address's
    lines joined in order, a record typed only in an entailed graph counted in its dataset's graph, and the
    linkage graphs (policeonto's own) left out."""
    person, address = f"{A}/p", f"{A}/addr"
    rdf = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    data = tmp_path / "a.nt"
    data.write_text(
        f'<{person}> <{POLE}names> <{person}/n1> .\n<{person}/n1> <{POLE}family_name> "Smith" .\n'
        f'<{person}/n1> <{POLE}given_name> "Zoe" .\n<{person}> <{POLE}names> <{person}/n2> .\n'
        f'<{person}/n2> <{POLE}family_name> "Jones" .\n<{person}/n2> <{POLE}given_name> "Amy" .\n'
        f'<{person}> <{POLE}date_of_birth> "1990-02-01" .\n<{person}> <{POLE}date_of_birth> "1980-01-01" .\n'
        f'<{address}> {rdf} <{POLE}Address> .\n<{address}> <{POLE}address_lines> "Mill Lane" .\n'
        f'<{address}> <{POLE}address_lines> "Flat 3, 12" .\n'
    )
    entailed = tmp_path / "entailed.nt"
    entailed.write_text(f"<{person}> {rdf} <{POLE}Person> .\n")
    own = tmp_path / "own.nt"
    own.write_text(f"<{A}/q> {rdf} <{POLE}Person> .\n")
    with EmbeddedStore(tmp_path / "store") as store:
        store.load(data, graph=A, syntax="nt")
        store.load(entailed, graph=f"{A}/entailed-only", syntax="nt")
        store.load(own, graph="https://w3id.org/policeonto/graph/linkage/matches", syntax="nt")
        store.update(f"MOVE <{A}/entailed-only> TO <{A}/entailed>")
        people = gather(store, "Person", (Field(("surname", "forename"), _NAMES), Field(("dob",), _BORN)))
        places = gather(store, "Address", (Field(("lines",), f"?record <{POLE}address_lines> ?lines", joined=True),))
    assert people.to_dict("records") == [
        {"record": person, "graph": A, "surname": "Jones", "forename": "Amy", "dob": "1980-01-01"}
    ]
    assert places.to_dict("records") == [{"record": address, "graph": A, "lines": "Flat 3, 12, Mill Lane"}]


_NAMES = f"?record <{POLE}names> ?n . ?n <{POLE}family_name> ?surname . OPTIONAL {{ ?n <{POLE}given_name> ?forename }}"
_BORN = f"?record <{POLE}date_of_birth> ?dob"


def test_linkage_duckdb_holds_a_share_of_memory_and_spills_to_a_folder_of_its_own() -> None:

    table = pd.DataFrame(
        {
            "record": ["https://x/b", "https://x/a"],
            "graph": ["g1", "g2"],
            **{c: [None, None] for c in COLUMNS["person"]},
        },
        dtype=object,
    )
    groups, aliases, iris = keyed(table)
    linker = linker_for(groups, aliases, settings_for("person"))
    setting = linker.misc.query_sql(
        "SELECT current_setting('memory_limit') AS memory, current_setting('temp_directory') AS spill"
    ).to_dict("records")[0]
    expected = duckdb.connect()
    expected.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    assert setting["memory"] == expected.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert Path(setting["spill"]).parent == Path(tempfile.gettempdir())
    assert Path(setting["spill"]).name.startswith("policeonto-linkage-")
    pairs = unkeyed(pd.DataFrame({"record_l": ["0"], "record_r": ["1"]}), iris)
    assert pairs.to_dict("records") == [{"record_l": "https://x/b", "record_r": "https://x/a"}]
