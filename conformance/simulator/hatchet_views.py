"""What Hatchet's read operations show of a stored run (a `V1TaskSummary`), as its own
OpenAPI document (upstream-openapi/) shapes it.

A simulated run is one task: its workflow run (`V1WorkflowRun`), its events
(`V1TaskEvent`: QUEUED when created, ASSIGNED and STARTED on a worker when it starts, then
FINISHED / FAILED / CANCELLED, each at the run's own instants, oldest first) and its timing
(`V1TaskTiming`, depth 0) are all derived from the stored row, so every view agrees with the
list and with each other. The worker of ASSIGNED/STARTED is the one the `worker_id` list
filter reads (`facets.worker_of`).
"""

from __future__ import annotations

import math
from typing import Any

from conformance.simulator.facets import worker_of

#: The V1WorkflowRun fields a V1TaskSummary also has (V1WorkflowRun's properties).
RUN_FIELDS = (
    *("metadata", "status", "startedAt", "finishedAt", "duration", "tenantId"),
    *("additionalMetadata", "displayName", "workflowId", "output", "errorMessage"),
    *("workflowVersionId", "input", "createdAt", "parentTaskExternalId", "payloadsRestricted"),
)
_ENDED = {"COMPLETED": "FINISHED", "FAILED": "FAILED", "CANCELLED": "CANCELLED"}


def workflow_run(summary: dict[str, Any]) -> dict[str, Any]:
    """The V1WorkflowRun view of a stored V1TaskSummary (its fields are a subset)."""
    return {k: summary[k] for k in RUN_FIELDS if k in summary}


def task_events(seed: int, summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The task's V1TaskEvents, oldest first."""
    status, created = summary["status"], summary["createdAt"]
    started = summary.get("startedAt")
    steps: list[tuple[str, str, str]] = [("QUEUED", created, "the task was queued")]
    if started is not None and status != "QUEUED":
        steps.append(("ASSIGNED", started, "the task was assigned to a worker"))
        steps.append(("STARTED", started, "the task started on its worker"))
    if status in _ENDED:
        said = {"COMPLETED": "the task finished", "FAILED": "the task failed"}
        end = summary.get("finishedAt") or started or created
        steps.append((_ENDED[status], end, said.get(status, "the task was cancelled")))
    worker = worker_of(seed, summary)
    events = []
    for k, (kind, moment, message) in enumerate(steps):
        event: dict[str, Any] = {
            "id": int(summary["taskId"]) * 10 + k + 1,
            "taskId": summary["taskExternalId"],
            "timestamp": moment,
            "eventType": kind,
            "message": message,
            "taskDisplayName": summary["displayName"],
            "retryCount": summary.get("retryCount", 0),
            "attempt": summary.get("attempt", 1),
        }
        if kind in ("ASSIGNED", "STARTED") and worker is not None:
            event["workerId"] = worker
        if kind == "FAILED" and summary.get("errorMessage"):
            event["errorMessage"] = summary["errorMessage"]
        events.append(event)
    return events


def task_timing(summary: dict[str, Any]) -> dict[str, Any]:
    """The task's V1TaskTiming (a simulated run is one task at depth 0)."""
    timing: dict[str, Any] = {
        "metadata": summary["metadata"],
        "depth": 0,
        "status": summary["status"],
        "taskDisplayName": summary["displayName"],
        "taskExternalId": summary["taskExternalId"],
        "taskId": summary["taskId"],
        "taskInsertedAt": summary["taskInsertedAt"],
        "tenantId": summary["tenantId"],
        "queuedAt": summary["createdAt"],
        "workflowRunId": summary["workflowRunExternalId"],
    }
    for name in ("startedAt", "finishedAt", "retryCount", "attempt", "isEvicted"):
        if name in summary:
            timing[name] = summary[name]
    if "parentTaskExternalId" in summary:
        timing["parentTaskExternalId"] = summary["parentTaskExternalId"]
    return timing


def details(seed: int, summary: dict[str, Any]) -> dict[str, Any]:
    """The V1WorkflowRunDetails of a run: the run, its task and the task's events."""
    return {
        "run": workflow_run(summary),
        "taskEvents": task_events(seed, summary),
        "shape": [],
        "tasks": [summary],
    }


def page(offset: int, limit: int, total: int) -> dict[str, int]:
    """Hatchet's PaginationResponse of `offset`/`limit` over `total` rows."""
    pages = math.ceil(total / limit)
    current = min(offset // limit + 1, max(pages, 1))
    body = {"current_page": current, "num_pages": pages}
    if current < pages:
        body["next_page"] = current + 1
    return body
