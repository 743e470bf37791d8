"""Each bundled object accepts a real-looking example and rejects a broken one, for a reason."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conftest import example, example_names

from conformance.bundle.catalog import Catalog

# name -> (operation, JSON pointer, new value, keyword the validator must report, error path)
NEGATIVE: dict[str, tuple[str, str, Any, str, str]] = {
    "canonical.WorkflowRun": ("set", "/status", "completed", "enum", "/status"),
    "hatchet.APIErrors": ("remove", "/errors/0/description", None, "required", "/errors/0"),
    "hatchet.V1DagChildren": ("remove", "/dagId", None, "required", ""),
    "hatchet.V1TaskEventList": ("set", "/rows/0/eventType", "DONE", "enum", "/rows/0/eventType"),
    "hatchet.V1TaskStatus": ("replace-root", "", "completed", "enum", ""),
    "hatchet.V1TaskSummary": (
        "set",
        "/tenantId",
        "707d0855-80ab-4e1f-a156-f1c4546cbf5z",
        "format",
        "/tenantId",
    ),
    "hatchet.V1TaskSummaryList": ("remove", "/rows/0/taskExternalId", None, "required", "/rows/0"),
    "hatchet.V1TaskTimingList": ("set", "/rows/0/depth", "0", "type", "/rows/0/depth"),
    "hatchet.V1WorkflowRun": ("remove", "/metadata/id", None, "required", "/metadata"),
    "hatchet.V1WorkflowRunDetails": ("remove", "/shape", None, "required", ""),
    "hatchet.V1WorkflowRunDisplayNameList": (
        "remove",
        "/rows/1/displayName",
        None,
        "required",
        "/rows/1",
    ),
    "hatchet.V1WorkflowRunExternalIdList": ("set", "/2", 42, "type", "/2"),
    "knock.ListWorkflowRecipientRunsResponse": (
        "remove",
        "/page_info/page_size",
        None,
        "required",
        "/page_info",
    ),
    "knock.WorkflowRecipientRun": ("set", "/actor", 42, "anyOf", "/actor"),
    "knock.WorkflowRecipientRunDetail": (
        "set",
        "/events/0/status",
        "warn",
        "enum",
        "/events/0/status",
    ),
    "knock.WorkflowRecipientRunEvent": (
        "set",
        "/inserted_at",
        "yesterday",
        "format",
        "/inserted_at",
    ),
    "paragon.WorkflowExecution": ("set", "/status", "RUNNING", "enum", "/status"),
    "paragon.WorkflowExecutionList": ("set", "/nextLink", 3, "type", "/nextLink"),
    "restack.WorkflowRunResponse": ("remove", "/runId", None, "required", ""),
    "restack.WorkflowRunStatus": ("set", "/status", "cancelled", "enum", "/status"),
    "restack.AgentRunStatus": ("remove", "/agentName", None, "required", ""),
    "xceptor.Error": ("set", "/details", "none", "type", "/details"),
    "xceptor.StepResult": ("set", "/records_failed", -1, "minimum", "/records_failed"),
    "xceptor.WorkflowRun": ("set", "/duration_ms", 1.5, "type", "/duration_ms"),
    "xceptor.WorkflowRunList": (
        "set",
        "/data/0/triggered_by",
        "cron",
        "enum",
        "/data/0/triggered_by",
    ),
}


def mutate(instance: Any, operation: str, pointer: str, value: Any) -> Any:
    if operation == "replace-root":
        return value
    result = copy.deepcopy(instance)
    *parents, last = pointer.strip("/").split("/")
    node = result
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: int | str = int(last) if isinstance(node, list) else last
    if operation == "remove":
        del node[key]
    else:
        node[key] = value
    return result


def test_every_listed_object_has_an_example_and_a_negative_case(catalog: Catalog) -> None:
    assert set(catalog.names()) == set(example_names()) == set(NEGATIVE)


@pytest.mark.parametrize("name", example_names())
def test_example_conforms_to_corrected_schema(name: str, validator_for) -> None:
    errors = list(validator_for(name).iter_errors(example(name)))
    assert errors == []


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_broken_example_fails_for_the_named_reason(name: str, validator_for) -> None:
    operation, pointer, value, keyword, path = NEGATIVE[name]
    broken = mutate(example(name), operation, pointer, value)
    errors = list(validator_for(name).iter_errors(broken))
    found = {(e.validator, "".join(f"/{p}" for p in e.absolute_path)) for e in errors}
    assert found == {(keyword, path)}


def test_hatchet_run_fails_published_schema_for_the_documented_reason(validator_for) -> None:
    errors = list(
        validator_for("hatchet.V1WorkflowRun", "published").iter_errors(
            example("hatchet.V1WorkflowRun")
        )
    )
    assert [(e.validator, e.message) for e in errors] == [
        ("required", "'id' is a required property")
    ]


def test_knock_actor_accepts_anything_as_published(validator_for) -> None:
    run = mutate(example("knock.WorkflowRecipientRun"), "set", "/actor", 42)
    assert list(validator_for("knock.WorkflowRecipientRun", "published").iter_errors(run)) == []


def test_paragon_last_page_fails_as_published(validator_for) -> None:
    errors = list(
        validator_for("paragon.WorkflowExecutionList", "published").iter_errors(
            example("paragon.WorkflowExecutionList")
        )
    )
    assert [(e.validator, list(e.absolute_path)) for e in errors] == [("type", ["nextLink"])]


@pytest.mark.parametrize("group", [{}, {"dagId": "9b7e2f4a-51c3-4d2e-8f6a-0c1d2e3f4a5b"}])
def test_hatchet_dag_group_without_its_fields_passes_only_as_published(
    group: dict[str, str], validator_for
) -> None:
    """hatchet-dagchildren-required: Hatchet always writes dagId and children."""
    assert list(validator_for("hatchet.V1DagChildren", "published").iter_errors(group)) == []
    errors = validator_for("hatchet.V1DagChildren").iter_errors(group)
    assert sorted(e.message for e in errors) == sorted(
        f"'{k}' is a required property" for k in ("dagId", "children") if k not in group
    )
