"""What `contract --lifecycle` sends beyond plain GETs: the query a read operation cannot
go without, and (with --allow-writes) per vendor the contract's operation that makes a
run, the get-one that follows it, and its cancel and replay.

Named by operation id (the bundled contract's, checked by tests/test_contract_lifecycle.py),
with the request body each needs; `RUN` in a body stands for the id of the run it acts on.
A vendor whose contract makes no runs (Knock) has none: its runs are only polled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

RUN = "$run"  # in a body: the id of the run the request acts on
WORKFLOW = "runconform-lifecycle"  # the workflow a trigger names when --path-param does not


#: operation id -> the query it requires (Hatchet's list: a window start, and whether to
#: list tasks only: no, every run)
READ_QUERY: dict[str, dict[str, str]] = {
    "v1-workflow-run:list": {"since": "2000-01-01T00:00:00Z", "only_tasks": "false"},
}


@dataclass(frozen=True)
class RunWrites:
    """How a vendor's contract makes a run and acts on it."""

    trigger: str  # operation id of the write that makes a run
    body: Any  # its request body (None: none)
    follow: str | None  # the get-one that shows the run it made (None: lists show it)
    cancel: tuple[str, Any] | None = None  # (operation id, body)
    replay: tuple[str, Any] | None = None


WRITES: dict[str, RunWrites] = {
    "hatchet": RunWrites(
        "v1-workflow-run:create",
        {"workflowName": WORKFLOW, "input": {}},
        "v1-workflow-run:get",
        cancel=("workflow-run:cancel", {"workflowRunIds": [RUN]}),
        replay=("workflow-run:update:replay", {"workflowRunIds": [RUN]}),
    ),
    "paragon": RunWrites("replayWorkflowExecution", None, None),  # a replay is a new run
    "restack": RunWrites("scheduleWorkflow", {"input": {}}, "getWorkflowRun"),
    "xceptor": RunWrites(
        "executeWorkflow", {"parameters": {}}, "getWorkflowRun", cancel=("cancelWorkflowRun", None)
    ),
}


def with_run(body: Any, run_id: str) -> Any:
    """`body` with every `RUN` replaced by `run_id`."""
    if body == RUN:
        return run_id
    if isinstance(body, list):
        return [with_run(item, run_id) for item in body]
    if isinstance(body, dict):
        return {key: with_run(value, run_id) for key, value in body.items()}
    return body
