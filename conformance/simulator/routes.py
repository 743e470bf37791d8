"""The run-API routes of each vendor's contract, answered from a `Store`.

Pagination, as each contract declares it:

- Hatchet: `conformance.simulator.hatchet_routes` (every operation of its own OpenAPI).
- Knock: cursors. `after`/`before` are opaque cursors (the run's position);
  `page_info.after` is set when more runs follow, `page_info.before` when runs precede;
  `page_size` (default 50) is clamped to 1..100. Filters: `filters.knock_filter`. A
  non-integer `page_size` is a 400. A cursor the simulator did not write names no position
  in the list, so nothing is after or before it: an empty page with no cursors (never the
  first page). It is not refused: the contract types cursors as any string and declares
  no error status, so a 400 would fail the simulator's own contract run.
- Paragon: `{"workflowExecutions": [...], "nextLink": ...}` as Paragon's docs show it (no
  total): `offset`, 100 per page, `nextLink` an absolute URL on the simulator's own origin,
  null on the last page. Filters and dates: `filters.paragon_filter` (a bad value is a 400,
  which the contract does not declare). The simulator is one project, `PARAGON_PROJECT`:
  Paragon's API key belongs to a project, so another `projectId` is a 401 (declared).
- Xceptor: `page` (1-based) and `page_size` (1..100, default 25), clamped; a page past the
  last is a 404 with the contract's `Error` body (an empty page there would contradict
  `total_pages`). `status` filters. Lists are per workflow: an unknown workflow is a 404.
  A non-integer page or a status outside the enum is a 400 `Error` (undeclared for the list).

An unknown id answers 404 with the contract's error body where the operation declares one;
where it declares no 404 but a 400 (Hatchet's v1 get), 400 with that body.
"""

from __future__ import annotations

import base64
import binascii
import math
from typing import Any
from urllib.parse import urlencode

from conformance.simulator.filters import (
    integer,
    knock_filter,
    paragon_filter,
    xceptor_query,
)
from conformance.simulator.hatchet_routes import REFUSED as HATCHET_REFUSED
from conformance.simulator.hatchet_routes import ROUTES as HATCHET_ROUTES
from conformance.simulator.protocol import (
    UUID,
    Handler,
    Request,
    Response,
    Route,
    compile_template,
)
from conformance.simulator.restack_routes import ROUTES as RESTACK_AGENTS
from conformance.simulator.store import Store
from conformance.words import plural

# -- Knock --------------------------------------------------------------------------------------


def _cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode().rstrip("=")


_NOWHERE = -1  # the position of a cursor this list did not write: nothing is near it


def _uncursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return int(text.removeprefix("seq:")) if text.startswith("seq:") else _NOWHERE
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return _NOWHERE


def _knock_error(status: int, code: str, message: str) -> Response:
    """Knock's error body (`code`, `message`, `status`); the list declares no error status."""
    return Response(status, {"code": code, "message": message, "status": status}, None)


def _knock_page(req: Request) -> tuple[int, int | None, int | None] | str:
    """(page_size, after, before) of Knock's list, or the message refusing them."""
    size = integer(req, "page_size", 50)
    if isinstance(size, str):
        return size
    return min(max(size, 1), 100), _uncursor(req.one("after")), _uncursor(req.one("before"))


def knock_list(store: Store, req: Request) -> Response:
    keep, paging = knock_filter(req), _knock_page(req)
    if isinstance(keep, str) or isinstance(paging, str):
        return _knock_error(400, "invalid_params", keep if isinstance(keep, str) else str(paging))
    runs = [(store.seq_of(r["id"]) or 0, r) for r in store.all() if keep(r)]
    size, after, before = paging
    if _NOWHERE in (after, before):
        runs = []
    if after is not None:
        window = [x for x in runs if x[0] > after][:size]
    elif before is not None:
        window = [x for x in runs if x[0] < before][-size:]
    else:
        window = runs[:size]
    first, last = (window[0][0], window[-1][0]) if window else (None, None)
    page_info = {
        "__typename": "PageInfo",
        "after": _cursor(last) if last is not None and runs[-1][0] > last else None,
        "before": _cursor(first) if first is not None and runs[0][0] < first else None,
        "page_size": size,
    }
    body = {"items": [r for _, r in window], "page_info": page_info}
    return Response(200, body, "knock.ListWorkflowRecipientRunsResponse")


def knock_get(store: Store, req: Request) -> Response:
    run = store.find(req.params["id"])
    if run is None:  # the contract declares only 200; Knock's own error shape
        return _knock_error(404, "resource_missing", "not found")
    return Response(200, {**run, "events": []}, "knock.WorkflowRecipientRunDetail")


# -- Paragon ------------------------------------------------------------------------------------

PARAGON_PAGE = 100
PARAGON_PROJECT = "project-1"  # the one project whose key the simulator's token is


def paragon_list(store: Store, req: Request) -> Response:
    """The list; a malformed value is refused, not ignored (that would widen the filter).

    The contract declares only 200, 401 and 429 for this operation: no status says "bad
    request", so the simulator answers 400, the usual one, and a recording shows it as
    undeclared.
    """
    if req.params["projectId"] != PARAGON_PROJECT:
        return Response(401)  # declared without a body: the key is not this project's
    everything = store.all()  # a store read from a database has no pools: its workflows
    workflows = store.pools.get("workflow") or tuple(
        dict.fromkeys(r["workflowId"] for r in everything)
    )
    keep, offset = paragon_filter(req, workflows), integer(req, "offset", 0)
    if isinstance(keep, str) or isinstance(offset, str):
        return Response(400, {"message": keep if isinstance(keep, str) else offset}, None)
    runs = [r for r in everything if keep(r)]
    if req.one("sortBy") == "DESC":
        runs.reverse()
    offset = max(offset, 0)
    link = None
    if offset + PARAGON_PAGE < len(runs):
        query = {k: v for k, v in req.query.items() if k != "offset"}
        query["offset"] = [str(offset + PARAGON_PAGE)]
        link = f"{req.base_url}{req.path}?{urlencode(query, doseq=True)}"
    body = {"workflowExecutions": runs[offset:][:PARAGON_PAGE], "nextLink": link}
    return Response(200, body, "paragon.WorkflowExecutionList")


def paragon_replay(store: Store, req: Request) -> Response:
    execution = req.params["executionId"]
    if req.params["projectId"] != PARAGON_PROJECT:
        return Response(401)
    if store.find(execution) is None:
        return Response(404)  # declared without a body
    run = store.create({}, like=execution)
    return Response(200, run, "paragon.WorkflowExecution")


# -- Restack ------------------------------------------------------------------------------------


def restack_schedule(store: Store, req: Request) -> Response:
    try:
        payload = req.json()
    except ValueError:
        payload = {}
    fields: dict[str, Any] = {"/workflowName": req.params["workflowName"]}
    if isinstance(payload, dict) and isinstance(payload.get("input"), dict):
        fields["/input"] = payload["input"]
    run = store.create(fields)
    body = {"runId": run["runId"], "status": run["status"]}
    return Response(200, body, "restack.WorkflowRunResponse")


def restack_get(store: Store, req: Request) -> Response:
    run = store.find(req.params["runId"])
    if run is None or run["workflowName"] != req.params["workflowName"]:
        return Response(404)  # declared without a body
    return Response(200, run, "restack.WorkflowRunStatus")


# -- Xceptor ------------------------------------------------------------------------------------


def _xceptor_error(status: int, code: str, message: str) -> Response:
    return Response(status, {"code": code, "message": message}, "xceptor.Error")


def _xceptor_runs(store: Store, workflow: str) -> list[dict[str, Any]] | None:
    runs = [r for r in store.all() if r.get("workflow_id") == workflow]
    return runs or None


def xceptor_list(store: Store, req: Request) -> Response:
    runs = _xceptor_runs(store, req.params["workflowId"])
    if runs is None:
        return _xceptor_error(404, "workflow_not_found", "workflow not found")
    paging = xceptor_query(req)
    if isinstance(paging, str):
        return _xceptor_error(400, "invalid_parameter", paging)
    status, (page, size) = req.one("status"), paging
    runs = [r for r in runs if status is None or r.get("status") == status]
    pages = math.ceil(len(runs) / size)
    if page > max(pages, 1):
        past = f"page {page} is past {plural(pages, 'page')}"
        return _xceptor_error(404, "page_out_of_range", past)
    pagination = {"page": page, "page_size": size, "total_items": len(runs), "total_pages": pages}
    body = {"data": runs[(page - 1) * size :][:size], "pagination": pagination}
    return Response(200, body, "xceptor.WorkflowRunList")


def _xceptor_one(store: Store, req: Request) -> dict[str, Any] | Response:
    run = store.find(req.params["runId"])
    if run is None or run.get("workflow_id") != req.params["workflowId"]:
        return _xceptor_error(404, "run_not_found", "workflow or run not found")
    return run


def xceptor_get(store: Store, req: Request) -> Response:
    run = _xceptor_one(store, req)
    return run if isinstance(run, Response) else Response(200, run, "xceptor.WorkflowRun")


def xceptor_cancel(store: Store, req: Request) -> Response:
    run = _xceptor_one(store, req)
    if isinstance(run, Response):
        return run
    return Response(200, store.cancel(run["id"]), "xceptor.WorkflowRun")


def xceptor_execute(store: Store, req: Request) -> Response:
    workflow = req.params["workflowId"]
    try:
        payload = req.json()
    except ValueError:
        return _xceptor_error(400, "invalid_body", "the body is not JSON")
    if not UUID.match(workflow):
        return _xceptor_error(400, "invalid_workflow", "workflowId must be a uuid")
    fields: dict[str, Any] = {"/workflow_id": workflow, "/triggered_by": "api"}
    if isinstance(payload, dict) and isinstance(payload.get("parameters"), dict):
        fields["/input_parameters"] = payload["parameters"]
    return Response(201, store.create(fields), "xceptor.WorkflowRun")


#: the handlers that cancel a run (`Store.cancel`): a simulator with none serves no cancel
CANCELS: frozenset[Handler] = frozenset({xceptor_cancel})

ROUTES: dict[str, tuple[tuple[str, str, Handler], ...]] = {
    "hatchet": HATCHET_ROUTES,  # conformance.simulator.hatchet_routes
    "knock": (
        ("GET", "/v1/workflow_recipient_runs", knock_list),
        ("GET", "/v1/workflow_recipient_runs/{id}", knock_get),
    ),
    "paragon": (
        ("GET", "/projects/{projectId}/task-history/workflow-executions", paragon_list),
        (
            "POST",
            "/projects/{projectId}/task-history/workflow-executions/{executionId}/replay",
            paragon_replay,
        ),
    ),
    "restack": (
        ("POST", "/api/workflows/{workflowName}", restack_schedule),
        ("GET", "/api/workflows/{workflowName}/{runId}", restack_get),
    ),
    "xceptor": (
        ("GET", "/workflows/{workflowId}/runs", xceptor_list),
        ("POST", "/workflows/{workflowId}/runs", xceptor_execute),
        ("GET", "/workflows/{workflowId}/runs/{runId}", xceptor_get),
        ("DELETE", "/workflows/{workflowId}/runs/{runId}", xceptor_cancel),
    ),
}


def routes_for(vendor: str) -> tuple[Route, ...]:
    served = ROUTES[vendor] + (HATCHET_REFUSED if vendor == "hatchet" else ())
    served += RESTACK_AGENTS if vendor == "restack" else ()  # restack_routes: agent runs
    return tuple(Route(m, t, h, compile_template(t)) for m, t, h in served)
