"""Identifying bare JSON values by shape: every example is itself, and doubt gives unknown.

Identification looks at the shape only (keys, nested keys, required keys, `__typename`),
never at validity or enum values: a broken record is still what it is.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conftest import example, example_names

from conformance.bundle.catalog import Catalog
from conformance.validation.identify import Identification, identify

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
    "hello": {"hello": 1},
    "only a status": {"status": "completed"},
    "only generic keys": {"id": "run_1", "status": "completed", "created_at": "2026-11-20"},
    "knock run with the event's __typename": with_changes(
        "knock.WorkflowRecipientRun", __typename="WorkflowRecipientRunEvent"
    ),
    "knock event with the run's __typename": with_changes(
        "knock.WorkflowRecipientRunEvent", __typename="WorkflowRecipientRun"
    ),
    "an empty hatchet list is any hatchet list": {"pagination": {}, "rows": []},
    "an array of runs": [example("xceptor.WorkflowRun")],
    "an array of numbers": [1, 2],
    "an array of external ids and a number": ["9b7e2f4a-51c3-4d2e-8f6a-0c1d2e3f4a5b", 7],
    "the keys an xceptor step and run share": {
        "status": "completed",
        "started_at": "2026-11-20T06:00:00Z",
        "completed_at": "2026-11-20T06:00:42Z",
    },
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
    # a __typename no listed object has is ignored, like an unknown enum value
    "knock run, unknown __typename": (
        "knock.WorkflowRecipientRun",
        with_changes("knock.WorkflowRecipientRun", __typename="Foo"),
    ),
    "knock event, unknown __typename": (
        "knock.WorkflowRecipientRunEvent",
        with_changes("knock.WorkflowRecipientRunEvent", __typename="MessageEvent"),
    ),
    "a restack run id alone": ("restack.WorkflowRunResponse", {"runId": "0192f4a1-8c3e"}),
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
        ("hatchet.V1WorkflowRun", "13/16 properties present"),
        ("xceptor.WorkflowRun", "10/10 keys are properties of xceptor.WorkflowRun"),
        ("restack.WorkflowRunResponse", "2/2 properties present"),
        ("paragon.WorkflowExecution", "8/8 keys are properties of paragon.WorkflowExecution"),
        ("hatchet.V1TaskStatus", "'RUNNING' is in the enum"),
        (
            "hatchet.V1WorkflowRunExternalIdList",
            "an array of strings, as hatchet.V1WorkflowRunExternalIdList is",
        ),
    ],
)
def test_reasons_say_why(name: str, reason: str) -> None:
    found = identify(example(name))
    assert found.best is not None
    assert reason in found.best.reasons


def test_typenames_are_named() -> None:
    run = with_changes("knock.WorkflowRecipientRun", __typename="WorkflowRecipientRunEvent")
    expected = "__typename 'WorkflowRecipientRunEvent' is not 'WorkflowRecipientRun'"
    assert expected in identify(run).candidates[0].reasons
    foo = identify(with_changes("knock.WorkflowRecipientRun", __typename="Foo"))
    assert "__typename 'Foo' is no listed object's (ignored)" in foo.candidates[0].reasons


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


# -- what a record is does not depend on whether it is a good one ------------------------------


def _enum_keys(name: str) -> list[str]:
    """Top-level keys of the example whose schema property is an enum (status, type...)."""
    from conformance.validation.identify import _bundle

    bundle = _bundle(None)
    view, instance = bundle.views[name], example(name)
    return [
        key
        for key in (instance if isinstance(instance, dict) else ())
        if key in view.properties
        and key != "__typename"
        and bundle.view(*view.properties[key]).enum is not None
    ]


ENUM_CASES = [(name, key) for name in example_names() for key in _enum_keys(name)]


@pytest.mark.parametrize(("name", "key"), ENUM_CASES, ids=[f"{n}-{k}" for n, k in ENUM_CASES])
def test_an_unknown_enum_value_does_not_change_what_a_record_is(name: str, key: str) -> None:
    found = identify(with_changes(name, **{key: "exploded"}), vendor=vendor_for(name))
    assert found.best is not None, found.doubt()
    assert found.best.name == name


def test_enum_objects_are_there_to_be_found() -> None:
    assert len(ENUM_CASES) >= 8  # status of every vendor, Hatchet's type, Xceptor's triggered_by


# -- too close to call ---------------------------------------------------------------------------

EMPTY_HATCHET_LIST = {"rows": [], "pagination": {"current_page": 1, "num_pages": 1}}
HATCHET_LISTS = (
    "hatchet.V1TaskEventList",
    "hatchet.V1TaskSummaryList",
    "hatchet.V1TaskTimingList",
    "hatchet.V1WorkflowRunDisplayNameList",
)


def test_an_empty_hatchet_list_is_too_close_to_call() -> None:
    found = identify(EMPTY_HATCHET_LIST)
    assert found.best is None
    assert tuple(c.name for c in found.tied) == HATCHET_LISTS
    assert found.why == "the keys present (pagination, rows) fit each of them, and rows is empty"
    assert found.doubt() == (
        "too close to call: hatchet.V1TaskEventList (1.00), hatchet.V1TaskSummaryList (1.00), "
        "hatchet.V1TaskTimingList (1.00), hatchet.V1WorkflowRunDisplayNameList (1.00): the keys "
        "present (pagination, rows) fit each of them, and rows is empty"
    )


def test_one_row_tells_the_hatchet_lists_apart() -> None:
    for name in HATCHET_LISTS:
        listed = example(name)
        assert listed["rows"], name
        found = identify(
            {"rows": listed["rows"][:1], "pagination": EMPTY_HATCHET_LIST["pagination"]}
        )
        assert found.best is not None and found.best.name == name, found.doubt()


def test_a_missing_required_key_tells_objects_apart_however_close_the_scores() -> None:
    """A knock run has no events; a run detail must: the required key decides, not a margin."""
    detail = identify(example("knock.WorkflowRecipientRunDetail"))
    run = identify(without("knock.WorkflowRecipientRunDetail", "events"))
    assert detail.best is not None and detail.best.name == "knock.WorkflowRecipientRunDetail"
    assert run.best is not None and run.best.name == "knock.WorkflowRecipientRun"
    assert not detail.tied and not run.tied


def test_doubt_without_a_tie_names_the_closest() -> None:
    assert identify({"hello": 1}).doubt() == "closest: none"
    weak = identify({"status": "completed"})
    assert weak.doubt().startswith("closest: ")
    assert not weak.tied


# -- a run carries its id or its status ------------------------------------------------------------


def _without_identity(name: str) -> dict[str, Any]:
    from conformance.bundle.run_profiles import run_identity

    instance = copy.deepcopy(example(name))
    for pointer in run_identity(name):
        *parents, last = pointer.strip("/").split("/")
        holder = instance
        for part in parents:
            holder = holder[part]
        del holder[last]
    return instance


RUNS = [
    "hatchet.V1TaskSummary",
    "hatchet.V1WorkflowRun",
    "knock.WorkflowRecipientRun",
    "knock.WorkflowRecipientRunDetail",
    "paragon.WorkflowExecution",
    "restack.WorkflowRunStatus",
    "xceptor.WorkflowRun",
    "canonical.WorkflowRun",
]


@pytest.mark.parametrize("name", RUNS)
def test_a_record_without_id_and_status_is_never_that_run(name: str) -> None:
    found = identify(_without_identity(name), vendor=vendor_for(name))
    assert name not in {c.name for c in found.candidates}
    assert found.best is None or found.best.name != name


@pytest.mark.parametrize("name", RUNS)
def test_a_run_with_either_its_id_or_its_status_is_still_that_run(name: str) -> None:
    from conformance.bundle.run_profiles import run_identity

    id_pointer, status_pointer = run_identity(name)
    for gone in (id_pointer, status_pointer):
        *parents, last = gone.strip("/").split("/")
        instance = copy.deepcopy(example(name))
        holder = instance
        for part in parents:
            holder = holder[part]
        del holder[last]
        found = identify(instance, vendor=vendor_for(name))
        assert found.best is not None and found.best.name == name, (gone, found.doubt())


# A display-name row {metadata, displayName} has only keys a task summary row defines too:
# what tells the lists apart is what each row lacks of the other's required keys.
ROW_CASES = {
    "task summary rows": (
        "hatchet.V1TaskSummaryList",
        [("hatchet.V1TaskSummaryList", 1.0, 0), ("hatchet.V1TaskTimingList", 0.905, 2)],
    ),
    "display-name rows": (
        "hatchet.V1WorkflowRunDisplayNameList",
        [
            ("hatchet.V1WorkflowRunDisplayNameList", 1.0, 0),
            ("hatchet.V1TaskSummaryList", 0.959, 24),
        ],
    ),
}


@pytest.mark.parametrize(("name", "ranked"), ROW_CASES.values(), ids=ROW_CASES.keys())
def test_rows_lacking_required_keys_tell_the_hatchet_lists_apart(
    name: str, ranked: list[tuple[str, float, int]]
) -> None:
    found = identify(example(name))
    assert found.best is not None and found.best.name == name, found.doubt()
    assert [(c.name, c.confidence, c.missing) for c in found.candidates[:2]] == ranked
