"""Identifying bare JSON values by shape: every example is itself, and doubt gives unknown."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conftest import example, example_names

from conformance.catalog import Catalog
from conformance.identify import Identification, identify

THRESHOLD = 0.6


def vendor_for(name: str) -> str | None:
    """Canonical objects are only candidates when asked for by vendor."""
    return "canonical" if name.startswith("canonical.") else None


def test_every_listed_object_is_a_positive_case(catalog: Catalog) -> None:
    assert set(example_names()) == set(catalog.names())


@pytest.mark.parametrize("name", example_names())
def test_every_example_is_identified_as_itself(name: str) -> None:
    found = identify(example(name), vendor=vendor_for(name))
    assert found.best is not None, found.candidates
    assert found.best.name == name
    assert found.best.confidence >= THRESHOLD
    assert found.candidates[0] == found.best


@pytest.mark.parametrize("name", example_names())
def test_examples_are_identified_within_their_vendor(name: str) -> None:
    found = identify(example(name), vendor=name.split(".", 1)[0])
    assert found.best is not None
    assert found.best.name == name


def with_changes(name: str, **changes: Any) -> dict[str, Any]:
    instance = copy.deepcopy(example(name))
    instance.update(changes)
    return instance


def without(name: str, *keys: str) -> dict[str, Any]:
    instance = copy.deepcopy(example(name))
    for key in keys:
        del instance[key]
    return instance


NEGATIVE: dict[str, object] = {
    "empty object": {},
    "empty array": [],
    "string": "x",
    "lowercase status word": "running",
    "null": None,
    "number": 42,
    "boolean": True,
    "unrelated object": {"foo": 1},
    "only a status": {"status": "completed"},
    "only generic keys": {"id": "run_1", "status": "completed", "created_at": "2026-11-20"},
    "knock run, unknown __typename": with_changes("knock.WorkflowRecipientRun", __typename="Foo"),
    "knock event, unknown __typename": with_changes(
        "knock.WorkflowRecipientRunEvent", __typename="MessageEvent"
    ),
    "an empty hatchet list is any hatchet list": {"pagination": {}, "rows": []},
    "an array of runs": [example("xceptor.WorkflowRun")],
    "a restack run id alone": {"runId": "0192f4a1-8c3e"},
}


@pytest.mark.parametrize("instance", NEGATIVE.values(), ids=NEGATIVE.keys())
def test_weak_or_ambiguous_values_are_unknown(instance: object) -> None:
    found = identify(instance)
    assert found.unknown
    assert found.best is None


# a broken but recognisable object is still identified, with less confidence than its example
NEAR_MISSES: dict[str, tuple[str, object]] = {
    "hatchet list with a bad row": (
        "hatchet.V1TaskSummaryList",
        {
            **example("hatchet.V1TaskSummaryList"),
            "rows": [{**example("hatchet.V1TaskSummary"), "tenantId": "not-a-uuid"}],
        },
    ),
    "xceptor run with a Hatchet-style status": (
        "xceptor.WorkflowRun",
        with_changes("xceptor.WorkflowRun", status="COMPLETED"),
    ),
    "paragon execution without its dates": (
        "paragon.WorkflowExecution",
        without("paragon.WorkflowExecution", "dateStarted", "dateEnded"),
    ),
    "knock run without required fields": (
        "knock.WorkflowRecipientRun",
        without("knock.WorkflowRecipientRun", "trigger_source", "inserted_at"),
    ),
    "bare xceptor error": ("xceptor.Error", {"code": "E1", "message": "boom"}),
}


@pytest.mark.parametrize(("name", "instance"), NEAR_MISSES.values(), ids=NEAR_MISSES.keys())
def test_near_misses_are_identified_with_less_confidence(name: str, instance: object) -> None:
    found = identify(instance)
    assert found.best is not None, found.candidates
    assert found.best.name == name
    assert THRESHOLD <= found.best.confidence <= identify(example(name)).best.confidence  # type: ignore[union-attr]


# lists and their items must not be confused either way
LISTS = [
    ("hatchet.V1TaskSummaryList", "hatchet.V1TaskSummary"),
    ("knock.ListWorkflowRecipientRunsResponse", "knock.WorkflowRecipientRun"),
    ("paragon.WorkflowExecutionList", "paragon.WorkflowExecution"),
    ("xceptor.WorkflowRunList", "xceptor.WorkflowRun"),
]


@pytest.mark.parametrize(("list_name", "item_name"), LISTS)
def test_lists_are_told_apart_from_their_items(list_name: str, item_name: str) -> None:
    as_list = identify(example(list_name))
    as_item = identify(example(item_name))
    assert as_list.best is not None
    assert as_item.best is not None
    assert (as_list.best.name, as_item.best.name) == (list_name, item_name)
    assert item_name not in {c.name for c in as_list.candidates if c.confidence >= THRESHOLD}


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("knock.WorkflowRecipientRun", "has __typename 'WorkflowRecipientRun'"),
        ("hatchet.V1WorkflowRun", "status 'COMPLETED' is in the enum"),
        ("xceptor.WorkflowRun", "triggered_by 'schedule' is in the enum"),
        ("restack.WorkflowRunResponse", "valid against the schema"),
        ("paragon.WorkflowExecution", "8/8 keys are properties of paragon.WorkflowExecution"),
        ("hatchet.V1TaskStatus", "'RUNNING' is in the enum"),
    ],
)
def test_reasons_say_why(name: str, reason: str) -> None:
    found = identify(example(name))
    assert found.best is not None
    assert reason in found.best.reasons


def test_wrong_typename_and_wrong_enum_are_named() -> None:
    run = identify(with_changes("knock.WorkflowRecipientRun", __typename="Foo"))
    assert "__typename 'Foo' is not 'WorkflowRecipientRun'" in run.candidates[0].reasons
    xceptor = identify(with_changes("xceptor.WorkflowRun", status="COMPLETED"))
    assert "status 'COMPLETED' is not in the enum" in xceptor.candidates[0].reasons


def test_vendor_and_threshold_narrow_the_answer() -> None:
    assert identify(example("knock.WorkflowRecipientRun"), vendor="hatchet").unknown
    assert not any(
        c.name.startswith("canonical.")
        for c in identify(example("canonical.WorkflowRun")).candidates
    )
    error = {"code": "E1", "message": "boom"}
    assert identify(error, threshold=0.99).unknown
    assert identify(error, threshold=0.99).candidates == identify(error).candidates


def test_identification_is_deterministic_and_ordered() -> None:
    instance = example("hatchet.V1TaskTimingList")
    first, second = identify(instance), identify(copy.deepcopy(instance))
    assert first == second
    assert isinstance(first, Identification)
    ranks = [(-c.confidence, c.name) for c in first.candidates]
    assert ranks == sorted(ranks)
    assert all(0 < c.confidence <= 1 for c in first.candidates)
    assert len(first.candidates) <= 5
