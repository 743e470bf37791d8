"""Run invariants: each rule passes a sane run and catches the broken one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from conftest import example, example_names
from test_examples import mutate

from conformance.instants import parse_instant
from conformance.semantics import INVARIANTS, check_invariants, load_profiles

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
    assert {(v.rule, v.pointer) for v in check_invariants(instance, name)} == expected


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


def test_objects_without_profile_have_no_invariants() -> None:
    assert check_invariants({"code": "x"}, "xceptor.Error") == ()


@pytest.mark.parametrize("name", PROFILED_EXAMPLES)
def test_screen_never_hides_a_violation(name: str) -> None:
    """The fast screen may send clean runs to the full check, never broken ones past it."""
    from corpus import corpus

    from conformance.semantics import _check, _screen

    profile = load_profiles()[name]
    screened = 0
    for instance in corpus(example(name), 3_000, seed=len(name)):
        if isinstance(instance, dict) and _screen(name)(instance):
            screened += 1
            assert tuple(_check(instance, profile, "")) == (), instance
    assert screened > 0
