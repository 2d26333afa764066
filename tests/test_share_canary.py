"""Proof that nothing more leaves: exports whose every prohibited field holds a unique sentinel are shared,
and no sentinel, no substring of one (six characters or more), and no unkeyed hash of one (MD5, SHA-1,
SHA-256, hexadecimal) appears anywhere in the copy or its manifest; hypothesis generates records and
agreements and checks the same invariants."""

from __future__ import annotations

import csv
import json
import random
import re
import shutil
from dataclasses import replace
from datetime import date
from hashlib import md5, sha1, sha256
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policeonto.cli import main
from policeonto.sharing import Agreement, Pseudonymised
from policeonto.sharing.keys import AgreementKey
from policeonto.sharing.reading import read_agreement
from policeonto.sharing.select import LEVELS
from policeonto.sharing.share import make_copy, manifest_path, share
from policeonto.sharing.transform import PSEUDONYMS
from policeonto.terms import RDF_TYPE, literal
from tests.conftest import ROOT
from tests.share_agreements import SAFEGUARDING, P, iris

KEY = bytes(range(32))
TODAY = date(2026, 12, 5)
_LETTERS = "ghjkmnpqrstvwxyz"  # no hexadecimal digit, no vowel: a sentinel's piece cannot occur by chance


class Sentinels:
    """Unique values for prohibited fields: free text checked by every substring of six characters or more,
    identifiers (held to their format) checked whole."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.texts: set[str] = set()
        self.whole: set[str] = set()

    def text(self) -> str:
        value = "Q" + "".join(self.random.choice(_LETTERS) for _ in range(13))
        self.texts.add(value)
        return value

    def keep(self, value: str) -> str:
        """An identifier that must not leave as it is (it is pseudonymised)."""
        if value:
            self.whole.add(value)
        return value

    def fresh(self, prefix: str, digits: int) -> str:
        while True:
            value = prefix + "".join(self.random.choice("0123456789") for _ in range(digits))
            if value not in self.whole:
                self.whole.add(value)
                return value

    def leaks(self, data: bytes) -> list[str]:
        """Every sentinel, piece or hash of one found in *data*."""
        text = data.decode("utf-8")
        pieces = {t[i : i + 6] for t in self.texts for i in range(len(t) - 5)}
        runs = re.findall(f"[Q{_LETTERS}]{{6,}}", text)  # where a piece of a free-text sentinel could be
        found = sorted({r[i : i + 6] for r in runs for i in range(len(r) - 5)} & pieces)
        found += [value for value in sorted(self.whole) if value in text]
        hashes = {f(value.encode()).hexdigest() for value in self.texts | self.whole for f in (md5, sha1, sha256)}
        found += sorted(set(re.findall("[0-9a-f]{32,}", text)) & hashes)
        return found


def _rewrite_csv(path: Path, target: Path, fields: dict[str, object]) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for column, make in fields.items():
            row[column] = make(row)  # type: ignore[operator]
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _force_a(folder: Path, sentinels: Sentinels) -> list[Path]:
    """Force A's export with every field the safeguarding agreement prohibits holding a sentinel."""
    source = ROOT / "examples" / "force-a"
    nominals: dict[str, str] = {}

    def nominal(row: dict[str, str]) -> str:
        return nominals.setdefault(row["NOMINAL_ID"], sentinels.fresh("N", 7))

    text = lambda _row: sentinels.text()  # noqa: E731
    _rewrite_csv(
        source / "nominals.csv",
        folder / "nominals.csv",
        {"NOMINAL_ID": nominal, "SURNAME": text, "FORENAME": text, "PNC_ID": lambda r: sentinels.keep(r["PNC_ID"])},
    )
    _rewrite_csv(source / "locations.csv", folder / "locations.csv", {"PREMISES": text, "STREET": text, "TOWN": text})
    _rewrite_csv(
        source / "objects.csv",
        folder / "objects.csv",
        {"VRM": lambda r: sentinels.keep(r["VRM"]), "MAKE": text, "MODEL": text, "COLOUR": text},
    )
    _rewrite_csv(
        source / "links.csv",
        folder / "links.csv",
        {
            "ENTITY_REF": lambda r: (
                nominal({"NOMINAL_ID": r["ENTITY_REF"]}) if r["ENTITY_TYPE"] == "NOM" else r["ENTITY_REF"]
            )
        },
    )
    shutil.copy(source / "occurrences.csv", folder / "occurrences.csv")
    return sorted(folder.glob("*.csv"))


def _force_b(folder: Path, sentinels: Sentinels) -> list[Path]:
    """Force B's JSON export with names, addresses' lines and towns, vehicles' details as sentinels, and its
    PNC numbers and registration marks to be pseudonymised."""
    document = json.loads((ROOT / "examples" / "force-b" / "export.json").read_text(encoding="utf-8"))
    for record in document["data"] + document.get("included", []):
        attributes = record.get("attributes", {})
        if record["type"] == "persons":
            attributes["name"] = {"given": sentinels.text(), "family": sentinels.text()}
            attributes["pncNumber"] = sentinels.keep(attributes.get("pncNumber") or "")
        elif record["type"] == "addresses":
            attributes["address"]["line1"] = sentinels.text()
            attributes["address"]["town"] = sentinels.text()
        elif record["type"] == "vehicles":
            attributes["registration"] = sentinels.keep(attributes["registration"])
            for name in ("manufacturer", "model", "colour"):
                attributes[name] = sentinels.text()
    target = folder / "export.json"
    target.write_text(json.dumps(document), encoding="utf-8")
    return [target]


def _check(paths: list[Path], out: Path, sentinels: Sentinels) -> None:
    result = share(paths, SAFEGUARDING, out, key=KEY, today=TODAY)
    assert result.facts.records_shared > 500 and result.facts.pseudonymised > 200
    for written in (out, manifest_path(out)):
        assert sentinels.leaks(written.read_bytes()) == [], written.name
    assert KEY.hex() not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("syntax", ["nt", "jsonld"])
def test_no_sentinel_of_force_a_leaves(tmp_path: Path, syntax: str) -> None:
    sentinels = Sentinels(1)
    (tmp_path / "export").mkdir()
    paths = _force_a(tmp_path / "export", sentinels)
    assert len(sentinels.texts) > 1000 and len(sentinels.whole) > 400
    _check(paths, tmp_path / f"copy.{syntax}", sentinels)


def test_no_sentinel_of_force_b_leaves(tmp_path: Path) -> None:
    sentinels = Sentinels(2)
    paths = _force_b(tmp_path, sentinels)
    assert len(sentinels.texts) > 500 and len(sentinels.whole) > 200
    _check(paths, tmp_path / "copy.nt", sentinels)


def test_no_sentinel_leaves_a_copy_of_counts(tmp_path: Path) -> None:
    """Under the statistics agreement (aggregates only) neither export's sentinels, nor any of their pieces or
    hashes, are in the counts or their manifest."""
    sentinels = Sentinels(5)
    (tmp_path / "a").mkdir()
    paths = [*_force_a(tmp_path / "a", sentinels), *_force_b(tmp_path, sentinels)]
    statistics = read_agreement(ROOT / "examples" / "agreements" / "statistics.yaml")
    out = tmp_path / "counts.ttl"
    result = share(paths, statistics, out, today=TODAY)
    assert result.facts.records_shared == 0 and result.facts.triples_shared > 100
    for written in (out, manifest_path(out)):
        assert sentinels.leaks(written.read_bytes()) == [], written.name


def test_a_dry_run_shows_no_sentinel(tmp_path: Path) -> None:
    sentinels = Sentinels(4)
    paths = _force_b(tmp_path, sentinels)
    key = tmp_path / "steward.key"
    key.write_bytes(KEY.hex().encode())
    agreement = str(ROOT / "examples" / "agreements" / "safeguarding-partnership.yaml")
    args = ["share", *map(str, paths), "--agreement", agreement, "--key-file", str(key), "--dry-run", "-v"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0 and "field by field" in result.output
    assert sentinels.leaks(result.output.encode()) == []


def test_the_canary_sees_a_leak(tmp_path: Path) -> None:
    """The check itself: an agreement that lets names and addresses' lines leave is caught."""
    sentinels = Sentinels(3)
    (tmp_path / "export").mkdir()
    paths = _force_a(tmp_path / "export", sentinels)
    leaky = replace(
        SAFEGUARDING,
        classes=SAFEGUARDING.classes | iris("PersonName"),
        properties=SAFEGUARDING.properties | iris("names family_name"),
        prohibited=frozenset(),
    )
    share(paths, leaky, tmp_path / "copy.nt", key=KEY, today=TODAY)
    assert sentinels.leaks((tmp_path / "copy.nt").read_bytes())


# Records and agreements generated: people with a name (a sentinel), a marking, maybe a retention group;
# crimes with a handling code; involvements between them. Agreements permit a random part of it.

_CLASSES = ["Person", "PersonName", "PersonInvolvement", "Crime", "SecurityMarking"]
_PROPERTIES = [
    "names",
    "family_name",
    "label",
    "person",
    "event",
    "security_marking",
    "classification",
    "handling_code",
]


@st.composite
def _records(draw: st.DrawFn) -> tuple[pl.DataFrame, dict[str, str], set[str]]:
    """Triples, each person's name sentinel by the person's IRI, and the IRIs of records not OFFICIAL."""
    rows: list[tuple[str, str, str]] = []
    names: dict[str, str] = {}
    high: set[str] = set()
    people = draw(st.integers(1, 6))
    crimes = draw(st.integers(1, 3))
    for i in range(people):
        person = f"<https://example.org/x/person-{i}>"
        name = "Q" + draw(st.text(alphabet=_LETTERS, min_size=12, max_size=12))
        names[person] = name
        level = draw(st.sampled_from(LEVELS))
        if level != "OFFICIAL":
            high.add(person)
        rows += [
            (person, RDF_TYPE, f"<{P}Person>"),
            (person, f"<{P}label>", literal(name)),
            (person, f"<{P}names>", f"_:n{i}"),
            (f"_:n{i}", RDF_TYPE, f"<{P}PersonName>"),
            (f"_:n{i}", f"<{P}family_name>", literal(name)),
            (person, f"<{P}security_marking>", f"_:m{i}"),
            (f"_:m{i}", RDF_TYPE, f"<{P}SecurityMarking>"),
            (f"_:m{i}", f"<{P}classification>", f"<{P}code/security-classification/{level}>"),
        ]
    for j in range(crimes):
        crime = f"<https://example.org/x/crime-{j}>"
        code = draw(st.sampled_from("PC"))
        rows += [(crime, RDF_TYPE, f"<{P}Crime>"), (crime, f"<{P}handling_code>", f"<{P}code/handling-code/{code}>")]
        for i in draw(st.sets(st.integers(0, people - 1), max_size=3)):
            link = f"<https://example.org/x/link-{i}-{j}>"
            rows += [
                (link, RDF_TYPE, f"<{P}PersonInvolvement>"),
                (link, f"<{P}person>", f"<https://example.org/x/person-{i}>"),
                (link, f"<{P}event>", crime),
            ]
    return pl.DataFrame(rows, schema=dict.fromkeys("spo", pl.String), orient="row"), names, high


@st.composite
def _agreements(draw: st.DrawFn) -> Agreement:
    classes = draw(st.sets(st.sampled_from(_CLASSES)))
    properties = draw(st.sets(st.sampled_from(_PROPERTIES)))
    return Agreement(
        iri="https://example.org/agreement/" + draw(st.text(alphabet="abc", min_size=1, max_size=4)),
        title="generated",
        assigner="https://example.org/a",
        assignee="https://example.org/b",
        purpose="https://w3id.org/dpv#Purpose",
        legal_basis="https://w3id.org/dpv#LegalBasis",
        classes=frozenset(P + c for c in classes),
        properties=frozenset(P + p for p in properties),
        prohibited=frozenset(P + p for p in draw(st.sets(st.sampled_from(["label", "family_name"])))),
        handling_codes=frozenset(draw(st.sets(st.sampled_from("PC")))),
        pseudonymised=Pseudonymised(classes=frozenset({P + "Person"}) if draw(st.booleans()) else frozenset()),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_records(), _agreements())
def test_generated_copies_keep_every_invariant(
    generated: tuple[pl.DataFrame, dict[str, str], set[str]], agreement: Agreement
) -> None:
    records, names, high = generated
    copy = make_copy(records, agreement, key=AgreementKey.derive(KEY, agreement.iri), today=TODAY).triples
    text = "\n".join(" ".join(row) for row in copy.iter_rows())
    predicates = set(copy.get_column("p").to_list())
    assert predicates <= {f"<{p}>" for p in agreement.properties - agreement.prohibited} | {RDF_TYPE}
    assert set(copy.filter(pl.col("p") == RDF_TYPE).get_column("o").to_list()) <= {f"<{c}>" for c in agreement.classes}
    names_may_leave = {
        "label": f"<{P}label>" in predicates,
        "family_name": f"<{P}family_name>" in predicates,
    }
    if not any(names_may_leave.values()):
        assert not any(name in text for name in names.values())
    for person in high:  # above the ceiling: nothing of them, not their name, not a link to them
        assert person not in text and names[person] not in text
    if f"{P}Person" in agreement.pseudonymised.classes:
        assert "https://example.org/x/person-" not in text
        people = copy.filter((pl.col("p") == RDF_TYPE) & (pl.col("o") == f"<{P}Person>")).get_column("s")
        assert people.str.starts_with(f"<{PSEUDONYMS}").all()
    linked = copy.filter(pl.col("p").is_in([f"<{P}person>", f"<{P}event>"])).get_column("o").to_list()
    assert set(linked) <= set(copy.get_column("s").to_list()), "every link in the copy joins a record in it"
    if {f"{P}person", f"{P}event"} <= agreement.properties - agreement.prohibited:  # no link left half
        involvements = copy.filter((pl.col("p") == RDF_TYPE) & (pl.col("o") == f"<{P}PersonInvolvement>"))["s"]
        for predicate in ("person", "event"):
            ends = copy.filter(pl.col("p") == f"<{P}{predicate}>").get_column("s")
            assert involvements.is_in(ends).all(), f"a link that would reveal a withheld record leaves ({predicate})"
    if "C" not in agreement.handling_codes:
        assert f"<{P}code/handling-code/C>" not in text
