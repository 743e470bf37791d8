"""The fields the Knock and Hatchet list filters read, deterministic from the seed.

Seeded runs (and runs made by writes) get them from the seed and their position, spread so
that every filter value picks a strict subset:

- Knock: `recipient` (`user-1`, `user-2` or the object `{id: project-1, collection: projects}`)
  and `error_count` (0 on four runs in six, else 1 or 2).
- Hatchet: `additionalMetadata` (`env` = `prod`/`staging`, `team` = `team-1..3`), `type`
  (`DAG` on one run in three, else `TASK`) and `parentTaskExternalId` (on half the runs, one
  of two uuids), `idempotencyKey` (`idem-SEED-N`, unique, on one run in three), `retryCount` /
  `attempt` (0/1 or 1/2) and `payloadsRestricted` (false: the simulator's caller may see
  payloads). The worker a task ran on and the event that triggered its workflow are not
  fields of `V1TaskSummary`: `worker_of` and `event_of` derive them from the seed and run id.
- Paragon: the integration an execution ran for is not a field of `WorkflowExecution`, but a
  Paragon workflow belongs to one integration: `integration_of` derives it from the workflow.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any


def pool_uuid(seed: int, name: str, k: int) -> str:
    """The k-th deterministic uuid of a named pool (workers, events, parent tasks)."""
    digest = hashlib.sha256(f"{seed}:{name}:{k}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def _pick(seed: int, run_id: str, name: str, size: int) -> int:
    return hashlib.sha256(f"{seed}:{name}:{run_id}".encode()).digest()[0] % size


def worker_of(seed: int, run: dict[str, Any]) -> str | None:
    """The worker a Hatchet task ran on (one of three); None while it is still queued."""
    if run.get("status") == "QUEUED":
        return None
    run_id = str(run["metadata"]["id"])
    return pool_uuid(seed, "worker", _pick(seed, run_id, "worker", 3))


def event_of(seed: int, run: dict[str, Any]) -> str | None:
    """The event that triggered a Hatchet run (one of two), or None (half the runs)."""
    k = _pick(seed, str(run["metadata"]["id"]), "event", 4)
    return pool_uuid(seed, "event", k) if k < 2 else None


#: Integrations of Paragon's docs' examples ("e.g., salesforce, hubspot"), dealt to workflows.
PARAGON_INTEGRATIONS = ("salesforce", "hubspot")


def integration_of(workflows: tuple[str, ...], workflow: Any) -> str | None:
    """The integration of a Paragon workflow: dealt by its place in the store's workflows
    (so each integration has one); None for a workflow the store does not know."""
    if workflow not in workflows:
        return None
    return PARAGON_INTEGRATIONS[workflows.index(workflow) % len(PARAGON_INTEGRATIONS)]


KNOCK_RECIPIENTS: tuple[Any, ...] = (
    "user-1",
    "user-2",
    {"id": "project-1", "collection": "projects"},
)


def add_facets(vendor: str, seed: int, seq: int, body: dict[str, Any]) -> None:
    """Set the fields the filters read, each drawn on its own from the seed and position."""
    run = str(seq)
    if vendor == "knock":
        recipient = KNOCK_RECIPIENTS[_pick(seed, run, "recipient", 3)]
        body["recipient"] = dict(recipient) if isinstance(recipient, dict) else recipient
        errors = _pick(seed, run, "errors", 6)
        body["error_count"] = errors - 3 if errors > 3 else 0
    elif vendor == "hatchet":
        env, team = _pick(seed, run, "env", 2), _pick(seed, run, "team", 3)
        body["additionalMetadata"] = {"env": ("prod", "staging")[env], "team": f"team-{team + 1}"}
        body["type"] = "DAG" if _pick(seed, run, "type", 3) == 0 else "TASK"
        parent = _pick(seed, run, "parent", 4)
        if parent < 2:
            body["parentTaskExternalId"] = pool_uuid(seed, "parent", parent)
        else:
            body.pop("parentTaskExternalId", None)
        if _pick(seed, run, "idempotency", 3) == 0:
            body["idempotencyKey"] = f"idem-{seed}-{seq}"
        else:
            body.pop("idempotencyKey", None)
        retries = _pick(seed, run, "retries", 4) // 2  # 0 or 1
        body.update(payloadsRestricted=False, retryCount=retries, attempt=retries + 1)
