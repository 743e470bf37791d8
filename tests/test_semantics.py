"""Run invariants: each rule passes a sane run and catches the broken one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from conftest import example, example_names
from test_examples import mutate

from conformance.bundle.run_profiles import Identity, identity, load_profiles
from conformance.report.findings import Finding
from conformance.validation.instants import parse_instant
from conformance.validation.semantics import INVARIANTS, check_invariants

# (object, mutations to apply to its example, expected (rule, pointer) violations)
BROKEN: list[tuple[str, list[tuple[str, str, Any]], set[tuple[str, str]]]] = [
    (
        "xceptor.WorkflowRun",
        [("set", "/completed_at", "2026-11-20T05:59:59Z"), ("set", "/duration_ms", 0)],
        {("time-order", "/completed_at")},
    ),
    (
        "xceptor.WorkflowRun",
        [("set", "/duration_ms", 52000)],
        {("duration-consistent", "/duration_ms")},
    ),
    (
        "xceptor.WorkflowRun",
        [("remove", "/completed_at", None), ("remove", "/duration_ms", None)],
        {("terminal-has-end", "/completed_at")},
    ),
    (
        "xceptor.WorkflowRun",
        [("set", "/status", "running"), ("remove", "/error", None)],
        {("active-has-no-end", "/completed_at")},
    ),
    (
        "xceptor.WorkflowRun",
        [("set", "/step_results/1/records_failed", -2)],
        {("non-negative-count", "/step_results/1/records_failed")},
    ),
    (
        "xceptor.WorkflowRunList",
        [("set", "/pagination/total_pages", 3)],
        {("page-consistent", "/pagination/total_pages")},
    ),
    (
        "xceptor.WorkflowRunList",
        [("set", "/pagination/page_size", 0)],
        {("page-size", "/pagination/page_size")},
    ),
    (
        "hatchet.V1TaskSummary",
        [("set", "/startedAt", "2026-11-20T09:15:01.000Z"), ("set", "/duration", 8401)],
        {("time-order", "/startedAt")},
    ),
    (
        "hatchet.V1TaskSummaryList",
        [("set", "/pagination/next_page", 3)],
        {("page-consistent", "/pagination/next_page")},
    ),
    (
        "hatchet.V1TaskSummaryList",
        [("set", "/rows/0/status", "RUNNING")],
        {("active-has-no-end", "/rows/0/finishedAt")},
    ),
    (
        "knock.WorkflowRecipientRun",
        [("set", "/updated_at", "2026-11-19T10:00:00Z")],
        {("time-order", "/updated_at")},
    ),
    (
        "knock.ListWorkflowRecipientRunsResponse",
        [("set", "/page_info/page_size", 0)],
        {("page-size", "/page_info/page_size")},
    ),
    (
        "paragon.WorkflowExecutionList",
        [("set", "/nextLink", "/projects/p1/task-history/workflow-executions?offset=100")],
        {("page-consistent", "/nextLink")},
    ),
    (
        "paragon.WorkflowExecution",
        [("remove", "/dateEnded", None)],
        {("terminal-has-end", "/dateEnded")},
    ),
    (
        "restack.WorkflowRunStatus",
        [("set", "/completedAt", "2026-11-20T07:59:00Z")],
        {("time-order", "/completedAt")},
    ),
    ("canonical.WorkflowRun", [("set", "/step_count", 3)], {("step-count", "/step_count")}),
    ("xceptor.WorkflowRun", [("remove", "/id", None)], {("run-identity", "/id")}),
    ("paragon.WorkflowExecution", [("remove", "/status", None)], {("run-identity", "/status")}),
    (
        "xceptor.WorkflowRun",
        [("remove", "/id", None), ("remove", "/status", None)],
        {("run-identity", "")},
    ),
    # list rows are runs too (the profile's children)
    ("xceptor.WorkflowRunList", [("remove", "/data/0/id", None)], {("run-identity", "/data/0/id")}),
    (
        "xceptor.WorkflowRunList",
        [("remove", "/data/0/status", None), ("remove", "/data/0/id", None)],
        {("run-identity", "/data/0")},
    ),
]


PROFILED_EXAMPLES = sorted(set(load_profiles()) & set(example_names()))  # nested ones via parents


@pytest.mark.parametrize("name", PROFILED_EXAMPLES)
def test_sane_example_breaks_no_invariant(name: str) -> None:
    assert check_invariants(example(name), name) == ()


@pytest.mark.parametrize(
    ("name", "mutations", "expected"), BROKEN, ids=[f"{b[0]}-{sorted(b[2])[0][0]}" for b in BROKEN]
)
def test_broken_run_breaks_exactly_the_named_invariant(
    name: str, mutations: list, expected: set
) -> None:
    instance = example(name)
    for operation, pointer, value in mutations:
        instance = mutate(instance, operation, pointer, value)
    assert {(v.keyword, v.pointer) for v in check_invariants(instance, name)} == expected


def test_every_invariant_has_a_broken_case() -> None:
    assert {rule for *_, expected in BROKEN for rule, _ in expected} == set(INVARIANTS)


def test_messages_name_the_values() -> None:
    instance = mutate(example("xceptor.WorkflowRun"), "set", "/duration_ms", 52000)
    (violation,) = check_invariants(instance, "xceptor.WorkflowRun")
    assert violation.message == (
        "duration 52000 ms does not match finished - started = 42000 ms (tolerance 1000 ms)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016-12-31T23:59:60Z", datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
        (
            "2026-11-20t09:15:02.123456789+05:30",
            datetime(
                2026, 11, 20, 9, 15, 2, 123456, tzinfo=timezone(timedelta(hours=5, minutes=30))
            ),
        ),
        ("2026-11-20T09:15:02Z", datetime(2026, 11, 20, 9, 15, 2, tzinfo=UTC)),
        ("yesterday", None),
        ("2026-02-30T00:00:00Z", None),
        (1700000000, None),
    ],
)
def test_parse_instant(text: Any, expected: datetime | None) -> None:
    assert parse_instant(text) == expected


# the one place that says where a run keeps its id: contracts/semantics.yaml
RUN_IDS = {
    "canonical.WorkflowRun": "/id",
    "hatchet.V1TaskSummary": "/metadata/id",
    "hatchet.V1WorkflowRun": "/metadata/id",
    "knock.WorkflowRecipientRun": "/id",
    "knock.WorkflowRecipientRunDetail": "/id",
    "paragon.WorkflowExecution": "/id",
    "restack.WorkflowRunStatus": "/runId",
    "restack.AgentRunStatus": "/runId",
    "xceptor.WorkflowRun": "/id",
}


# a list page is its items; a step result is the workflow step it ran and its status
OTHER_IDENTITIES = {
    "xceptor.StepResult": Identity("step result", ("/step_id", "/status")),
    "hatchet.V1TaskSummaryList": Identity("list page", ("/rows",)),
    "hatchet.V1TaskEventList": Identity("list page", ("/rows",)),
    "hatchet.V1TaskTimingList": Identity("list page", ("/rows",)),
    "knock.ListWorkflowRecipientRunsResponse": Identity("list page", ("/items",)),
    "paragon.WorkflowExecutionList": Identity("list page", ("/workflowExecutions",)),
    "xceptor.WorkflowRunList": Identity("list page", ("/data",)),
}


def test_every_profile_names_what_makes_it_one() -> None:
    found = {name: identity(name) for name in load_profiles() if identity(name)}
    runs = {name: Identity("run", (pointer, "/status")) for name, pointer in RUN_IDS.items()}
    assert found == {**runs, **OTHER_IDENTITIES}


@pytest.mark.parametrize(
    ("name", "mutations", "pointer", "message"),
    [
        ("xceptor.WorkflowRun", [("remove", "/id")], "/id", "a run has an id: /id is missing"),
        ("xceptor.WorkflowRun", [("set", "/id")], "/id", "a run has an id: /id is null"),
        (
            "paragon.WorkflowExecution",
            [("remove", "/status")],
            "/status",
            "a run has a status: /status is missing",
        ),
        (
            "xceptor.WorkflowRun",
            [("remove", "/id"), ("remove", "/status")],
            "",
            "not a run: /id and /status are missing",
        ),
        (
            "xceptor.WorkflowRun",
            [("set", "/id"), ("remove", "/status")],
            "",
            "not a run: /id is null and /status is missing",
        ),
        (
            "xceptor.WorkflowRunList",
            [("remove", "/data/0/id")],
            "/data/0/id",
            "a run has an id: /id is missing",
        ),
        (
            "xceptor.StepResult",
            [("remove", "/step_id")],
            "/step_id",
            "a step result has an id: /step_id is missing",
        ),
        ("xceptor.WorkflowRunList", [("remove", "/data")], "", "not a list page: /data is missing"),
        ("hatchet.V1TaskEventList", [("remove", "/rows")], "", "not a list page: /rows is missing"),
    ],
)
def test_a_run_carries_its_id_and_status(
    name: str, mutations: list[tuple[str, str]], pointer: str, message: str
) -> None:
    instance = example(name)
    for operation, at in mutations:
        instance = mutate(instance, operation, at, None)
    assert check_invariants(instance, name) == (
        Finding("warning", "invariant", "run-identity", pointer, message),
    )


def test_an_object_that_requires_nothing_is_still_not_a_run_without_id_and_status() -> None:
    assert check_invariants({"hello": 1}, "paragon.WorkflowExecution") == (
        Finding(
            "warning", "invariant", "run-identity", "", "not a run: /id and /status are missing"
        ),
    )
    assert check_invariants({}, "xceptor.StepResult") == (
        Finding(
            "warning",
            "invariant",
            "run-identity",
            "",
            "not a step result: /step_id and /status are missing",
        ),
    )
    assert check_invariants({}, "xceptor.WorkflowRunList") == (
        Finding("warning", "invariant", "run-identity", "", "not a list page: /data is missing"),
    )


@pytest.mark.parametrize(
    ("name", "pointer"),
    [
        ("hatchet.V1WorkflowRun", "/metadata/id"),
        ("hatchet.V1TaskSummary", "/status"),
        ("knock.WorkflowRecipientRunDetail", "/id"),
        ("restack.WorkflowRunStatus", "/runId"),
        ("canonical.WorkflowRun", "/status"),
    ],
)
def test_where_the_schema_requires_the_id_and_status_it_alone_says_so(
    name: str, pointer: str
) -> None:
    """Its `required` error names the missing key; the rule would only say it twice."""
    from conformance.validation.engine import validate

    instance = mutate(example(name), "remove", pointer, None)
    assert check_invariants(instance, name) == ()
    result = validate(instance, name, strict=True)
    assert [(f.kind, f.keyword) for f in result.findings] == [("schema", "required")]


def test_objects_without_profile_have_no_invariants() -> None:
    assert check_invariants({"code": "x"}, "xceptor.Error") == ()


@pytest.mark.parametrize("name", PROFILED_EXAMPLES)
def test_screen_never_hides_a_violation(name: str) -> None:
    """The fast screen may send clean runs to the full check, never broken ones past it."""
    from corpus import corpus

    from conformance.validation.semantics import _check, _screen

    profile = load_profiles()[name]
    screened = 0
    for instance in corpus(example(name), 3_000, seed=len(name)):
        if isinstance(instance, dict) and _screen(name)(instance):
            screened += 1
            assert tuple(_check(instance, profile, "", name)) == (), instance
    assert screened > 0
