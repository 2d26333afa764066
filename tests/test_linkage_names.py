"""Name and registration mark keys for linkage, and the forename groups file they read."""

from __future__ import annotations

from pathlib import Path

import pytest

from policeonto.errors import InstanceDataError
from policeonto.linkage.names import forename_groups, forename_key, registration_key, surname_key


@pytest.mark.parametrize(
    ("a", "b"),
    [("Bill", "William"), ("Peggy", "Margaret"), ("Mohammed", "Muhammad"), ("Zoë", "Zoe"), ("Siân", "SIAN"),
     ("Steven", "Stephen"), ("Katherine", "Catherine"), ("Jonathon", "Jonathan")],
)  # fmt: skip
def test_forename_variants_share_a_key(a: str, b: str) -> None:
    assert forename_key(a) == forename_key(b)


@pytest.mark.parametrize(("a", "b"), [("John", "Jack"), ("Jonathan", "John"), ("Liam", "William"), ("Ann", "Hannah")])
def test_different_forenames_keep_different_keys(a: str, b: str) -> None:
    assert forename_key(a) != forename_key(b)


def test_surname_and_registration_keys() -> None:
    assert surname_key("MacDonald") == surname_key("McDonald") == surname_key("Mc Donald") == "mcdonald"
    assert surname_key("O'Neill") == surname_key("ONEILL")
    assert surname_key("Mack") != surname_key("Mc")
    assert registration_key("AB12 CDE") == registration_key("ab12cde") == registration_key("A812-CDE")
    assert registration_key("SO51 OBX") == registration_key("5051 0BX")
    assert registration_key("AB12 CDE") != registration_key("AB12 CDF")


def test_every_bundled_group_names_its_source() -> None:
    groups = forename_groups()
    assert len(set(groups.values())) >= 40
    assert all(key == forename_key(key) for key in groups.values())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("william\tbill,will\n", "expected canonical<TAB>variants<TAB>source"),
        ("william\tbill\t \n", "expected canonical<TAB>variants<TAB>source"),
        ("william\tbill\tsome source\nwillis\tbill\tanother\n", "'bill' is in the groups of 'william' and 'willis'"),
        ("william\tbill,,will\tsome source\n", "an empty name"),
    ],
)
def test_a_bad_groups_file_names_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "names.tsv"
    path.write_text("# groups\n\n" + text, encoding="utf-8")
    with pytest.raises(InstanceDataError, match=message) as caught:
        forename_groups(path)
    assert str(caught.value).startswith(f"{path}:")
    assert caught.value.line is not None and caught.value.line >= 3
