"""How each vendor's stored run object is laid out: where its id, groups and statuses are.

The simulators' stores (`store.Store`) read and write runs through these specs, one per
vendor (`SPECS`) plus the other run kinds a vendor keeps beside its main one (`KINDS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class VendorSpec:
    """Where one vendor's stored run object keeps its id, groups and lifecycle statuses."""

    vendor: str
    object: str  # the stored run object
    id_pointers: tuple[str, ...]  # every field that carries the run id
    groups: tuple[tuple[str, str], ...]  # (group name, pointer): partitions seeded runs
    queued: str | None  # None: the vendor's enum cannot say it (Paragon)
    running: str | None
    succeeded: str
    failed: str
    cancelled: str | None
    error_fields: tuple[str, ...] = ()  # present only on failed runs
    output_fields: tuple[str, ...] = ()  # present only on succeeded runs
    emptied: tuple[tuple[str, Any], ...] = ()  # fields reset on runs made by writes


SPECS: dict[str, VendorSpec] = {
    "hatchet": VendorSpec(
        "hatchet", "hatchet.V1TaskSummary",
        ("/metadata/id", "/taskExternalId", "/workflowRunExternalId"),
        (("tenant", "/tenantId"), ("workflow", "/workflowId")),
        "QUEUED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED",
        error_fields=("errorMessage",), emptied=(("children", []), ("numSpawnedChildren", 0)),
    ),
    "knock": VendorSpec(
        "knock", "knock.WorkflowRecipientRun", ("/id",),
        (("workflow", "/workflow"), ("tenant", "/tenant")),
        "queued", "processing", "completed", "completed", "cancelled",
    ),
    "paragon": VendorSpec(
        "paragon", "paragon.WorkflowExecution", ("/id",),
        (("workflow", "/workflowId"), ("user", "/userId")),
        None, None, "SUCCEEDED", "FAILED", None,
    ),
    "restack": VendorSpec(
        "restack", "restack.WorkflowRunStatus", ("/runId",), (("workflow", "/workflowName"),),
        "queued", "running", "completed", "failed", None,
        error_fields=("error",), output_fields=("output",),
    ),
    "xceptor": VendorSpec(
        "xceptor", "xceptor.WorkflowRun", ("/id",), (("workflow", "/workflow_id"),),
        "pending", "running", "completed", "failed", "cancelled",
        error_fields=("error",), emptied=(("step_results", []),),
    ),
}  # fmt: skip


#: Other run objects a vendor keeps beside its main one, by kind: Restack's agent runs. Each
#: kind is its own Store (`Store.kinds`) on the main store's clock, seeded with the main
#: seeded runs' ids, so one known `runId` reaches a run of every kind (see restack_routes).
KINDS: dict[str, dict[str, VendorSpec]] = {
    "restack": {
        "agents": VendorSpec(
            "restack", "restack.AgentRunStatus", ("/runId",), (("agent", "/agentName"),),
            "queued", "running", "completed", "failed", None,
            error_fields=("error",), output_fields=("output",),
        ),
    },
}  # fmt: skip
