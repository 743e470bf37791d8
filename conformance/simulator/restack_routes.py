"""Restack's agent operations: schedule an agent, get an agent run.

Agent runs live in the Restack store's `agents` kind (`vendor_specs.KINDS`), on the same clock as
workflow runs; a run an agent schedule makes follows the same lifecycle (queued, running,
then completed or failed).

- `POST /api/agents/{agentName}` (a write): the optional body is an `AgentRunRequest`;
  its `input` object is kept on the run. A body that is not JSON, or not an object, or whose
  `input` is not an object, is refused with 400 (the contract declares no 400; Restack's
  own error statuses are 401, 404, 500, none of which says "bad request"). Answers an
  `AgentRunResponse` (`runId`, `status`), which the bundle does not extract (see the
  Restack manifest): the same text as `WorkflowRunResponse`.
- `GET /api/agents/{agentName}/{runId}`: the `AgentRunStatus`; 404 without a body (as
  declared) for an unknown run or a run of another agent.

The seeded agent runs carry the seeded workflow runs' ids (run i of each kind shares the
id), so the one `--path-param runId=...` a contract run takes reaches a run on both GET
operations; `known_parameters` names that run. Runs made by writes get ids of their own.
"""

from __future__ import annotations

from typing import Any

from conformance.simulator.protocol import Handler, Request, Response
from conformance.simulator.store import Store

AGENTS = "agents"


def agents(store: Store) -> Store:
    """The agent runs kept beside a Restack store's workflow runs."""
    return store.kinds[AGENTS]


def _refusal(message: str) -> Response:
    return Response(400, {"error": message}, None)


def schedule_agent(store: Store, req: Request) -> Response:
    try:
        payload = req.json()
    except ValueError:
        return _refusal("the body is not JSON")
    if not isinstance(payload, dict):
        return _refusal("the body must be an AgentRunRequest object")
    fields: dict[str, Any] = {"/agentName": req.params["agentName"]}
    if "input" in payload:
        if not isinstance(payload["input"], dict):
            return _refusal("input must be an object")
        fields["/input"] = payload["input"]
    run = agents(store).create(fields)
    # AgentRunResponse is not bundled (WorkflowRunResponse's text under another name): the
    # body is WorkflowRunResponse's, so drift breaks it as that one
    return Response(
        200, {"runId": run["runId"], "status": run["status"]}, "restack.WorkflowRunResponse"
    )


def get_agent_run(store: Store, req: Request) -> Response:
    run = agents(store).find(req.params["runId"])
    if run is None or run.get("agentName") != req.params["agentName"]:
        return Response(404)  # declared without a body
    return Response(200, run, "restack.AgentRunStatus")


def known_parameters(store: Store) -> dict[str, str]:
    """`agentName` of the seeded agent run that shares the first workflow run's id."""
    first = next(iter(store.all()), None)
    run = agents(store).find(first["runId"]) if first else None
    return {"agentName": str(run["agentName"])} if run and run.get("agentName") else {}


ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("POST", "/api/agents/{agentName}", schedule_agent),
    ("GET", "/api/agents/{agentName}/{runId}", get_agent_run),
)
