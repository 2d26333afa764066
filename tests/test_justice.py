"""Justice events (issue 16): intelligence reports graded with the national 3x5x2 system, missing-person
reports, domestic abuse incidents, custody episodes, warrants and bail. Each fixture is checked in both
engines: the fast engine must report exactly what pySHACL reports, and both what the fixture states."""

from __future__ import annotations

import pytest
from rdflib import SKOS, Graph, URIRef

from policeonto.validation import validate
from tests.conftest import DATA
from tests.stated import both_engines, check_stated

POLE = "https://w3id.org/policeonto/"
CODE = POLE + "code/"

NEW_INVALID = [
    "bail-answer-before-start.ttl",
    "bail-breach-before-start.ttl",
    "bail-unknown-condition.ttl",
    "bail-without-person-or-start.ttl",
    "custody-authorised-before-arrival.ttl",
    "custody-release-before-arrival.ttl",
    "custody-times-with-and-without-timezone.ttl",
    "custody-unknown-release-reason.ttl",
    "custody-without-arrival.ttl",
    "domestic-abuse-relationship-not-a-relationship.ttl",
    "domestic-abuse-unknown-dash-level.ttl",
    "intelligence-handling-c-without-conditions.ttl",
    "intelligence-unknown-grade.ttl",
    "intelligence-without-assessment.ttl",
    "missing-person-found-before-last-seen.ttl",
    "missing-person-unknown-risk.ttl",
    "missing-person-without-person.ttl",
    "warrant-arrest-without-subject.ttl",
    "warrant-executed-before-issue.ttl",
    "warrant-search-without-premises.ttl",
    "warrant-subject-not-in-records.ttl",
    "warrant-unknown-type.ttl",
]


@pytest.mark.parametrize("name", NEW_INVALID)
def test_each_fault_is_exactly_the_stated_result_in_both_engines(name: str, shapes: Graph) -> None:
    check_stated(DATA / "invalid" / name, shapes)


def test_justice_events_of_a_records_system_conform_in_both_engines(shapes: Graph) -> None:
    graph = Graph().parse(DATA / "valid" / "justice.ttl", format="turtle")
    assert both_engines(graph, shapes) == set()


@pytest.mark.parametrize(
    ("name", "path", "value", "message"),
    [
        (
            "custody-release-before-arrival.ttl",
            "release_time",
            "2024-01-20T15:00:00",
            "release time 2024-01-20T15:00:00 is before arrival time 2024-01-21T00:10:00",
        ),
        (
            "bail-answer-before-start.ttl",
            "answer_date",
            "2023-04-21",
            "answer date 2023-04-21 is before bail start date 2024-01-21",
        ),
        (
            "warrant-executed-before-issue.ttl",
            "executed_time",
            "2024-04-01T23:30:00",
            "executed time 2024-04-01T23:30:00 is before issue date 2024-04-02",
        ),
    ],
)
@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_time_out_of_order_is_a_finding_naming_both_values(
    engine: str, name: str, path: str, value: str, message: str
) -> None:
    (finding,) = validate([DATA / "invalid" / name], engine=engine).findings
    assert finding.code == "shape-sparql"
    assert (finding.path, finding.value) == (POLE + path, value)
    assert finding.message == message


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_an_unknown_grade_is_a_finding_naming_the_code(engine: str) -> None:
    (finding,) = validate([DATA / "invalid" / "intelligence-unknown-grade.ttl"], engine=engine).findings
    assert finding.code == "shape-in"
    assert (finding.focus_node, finding.path, finding.value) == (
        "https://example.org/intel-1",
        POLE + "source_evaluation",
        CODE + "source-evaluation/6",
    )


@pytest.mark.parametrize(
    ("scheme", "codes"),
    [
        ("source-evaluation", {"1", "2", "3"}),
        ("intelligence-assessment", {"A", "B", "C", "D", "E"}),
        ("handling-code", {"P", "C"}),
        ("missing-person-risk", {"no-apparent-risk", "low", "medium", "high"}),
        ("dash-risk-level", {"standard", "medium", "high"}),
    ],
)
def test_the_national_gradings_are_exactly_their_published_codes(
    scheme: str, codes: set[str], codelists: Graph
) -> None:
    """3x5x2 is three lists of 3, 5 and 2 codes; APP 2021 has four missing-person risk levels, DASH three."""
    members = {
        str(c).removeprefix(CODE + scheme + "/") for c in codelists.subjects(SKOS.inScheme, URIRef(CODE + scheme))
    }
    assert members == codes
    for code in members:
        assert codelists.value(URIRef(f"{CODE}{scheme}/{code}"), SKOS.definition) is not None
