"""The records linkage pulls from a store, when some records say little: a data.police.uk search's subject
is a person with no name, date of birth or identifier, beside the forces' named people."""

from __future__ import annotations

from pathlib import Path

import pytest

from policeonto.errors import LinkageTrainingError
from policeonto.linkage import link
from policeonto.linkage.records import COLUMNS, pull
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
