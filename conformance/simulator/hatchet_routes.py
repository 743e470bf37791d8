"""Hatchet's operations, as its own OpenAPI (contracts/hatchet/hatchet-api.openapi.json,
assembled from Hatchet's multi-file document) declares them, answered from a `Store`.

Every operation of the bundled contract is either served here or named in `NOT_SERVED` with
the reason, which `serve_forever` prints at start-up: a route-less 404 would otherwise read as
"the vendor has no such operation" rather than "the simulator does not model it". A
not-served operation answers 501 (Hatchet's "Not implemented") saying why.

Parameters (each has an effect, or a refusal: 400 with Hatchet's `APIErrors` body):

- list `.../tenants/{tenant}/workflow-runs`: `since` (required), `until`, `statuses`,
  `workflow_ids`, `offset`/`limit` (default 50; below 1 reads as 50, above 1000 as 1000;
  `current_page = offset // limit + 1`, capped at `num_pages`; `next_page` only when a page
  follows), and `filters.hatchet_filter`: `only_tasks` (required), `additional_metadata`
  with `additional_metadata_operator`, `worker_id`, `parent_task_external_id`,
  `triggering_event_external_id`, `idempotency_keys`, `running_filter`; `include_payloads=false`
  lists rows with empty `input`/`output`. Oldest first.
- `display-names?external_ids=...`: the asked runs of the tenant that exist, in the order asked.
- `external-ids`: the ids of the tenant's runs the list would list for the same filters.
- run `get`, `status`, `task-events` (`offset`/`limit`), `task-timings` (`depth`: rows at
  most that deep; every simulated task is at depth 0), all from `hatchet_views`.
- `GET /api/v1/stable/tasks/{task}` (`attempt`: the current attempt gives the task as stored;
  an earlier one the task as that attempt ended, FAILED (it was retried); a later one is 404)
  and its `task-events` (`offset`/`limit`); 404 for an unknown task, as declared.
- `GET /api/v1/stable/dags/tasks?dag_ids=...&tenant=...`: a `V1DagChildren` per asked DAG run
  (type DAG) of the tenant, with its stored children, in the order asked.

An unknown run id is 400 on the run operations that declare no 404 (get, task-events,
task-timings), 404 where it is declared (status, task, task events).
"""

from __future__ import annotations

from typing import Any

import conformance.simulator.hatchet_views as views
from conformance.simulator.filters import hatchet_filter, integer, one_of, without_payloads
from conformance.simulator.protocol import UUID, Handler, Request, Response, bad_instant, in_window
from conformance.simulator.store import Store

_RUNNING_FILTERS = ("ALL", "ON_WORKER", "EVICTED")
_STATUSES = ("QUEUED", "RUNNING", "COMPLETED", "CANCELLED", "FAILED")


def hatchet_error(status: int, message: str) -> Response:
    """Hatchet's `APIErrors` body."""
    return Response(status, {"errors": [{"description": message}]}, "hatchet.APIErrors")


def window_problem(req: Request) -> str | None:
    """Why a tenant's run query (the list, external-ids) cannot be answered, or None:
    the tenant is a uuid, `since` is given, both bounds are RFC 3339."""
    if not UUID.match(req.params["tenant"]):
        return "tenant must be a uuid"
    since, until = req.one("since"), req.one("until")
    if since is None:
        return "since is required"
    if bad_instant(since, until):
        return "since and until must be RFC 3339 date-times"
    return None


def _paged(req: Request, rows: list[Any], schema: str) -> Response:
    """One `offset`/`limit` page of `rows` (a non-integer is refused)."""
    offset, limit = integer(req, "offset", 0), integer(req, "limit", 50)
    for problem in (offset, limit):
        if isinstance(problem, str):
            return hatchet_error(400, problem)
    assert isinstance(offset, int) and isinstance(limit, int)
    offset, limit = max(offset, 0), 50 if limit < 1 else min(limit, 1000)
    body = {"pagination": views.page(offset, limit, len(rows)), "rows": rows[offset:][:limit]}
    return Response(200, body, schema)


def _running_ok(running: str, run: dict[str, Any]) -> bool:
    if running == "ALL" or run["status"] != "RUNNING":
        return True
    return bool(run.get("isEvicted")) == (running == "EVICTED")


def _matching(store: Store, req: Request, query: dict[str, list[str]]) -> list[Any] | str:
    """The tenant's runs the list query `query` selects, or why it is refused."""
    problem = window_problem(req)
    if problem:
        return problem
    running = req.one("running_filter") or "ALL"
    if running not in _RUNNING_FILTERS:
        return f"running_filter {running!r} is not ALL, ON_WORKER or EVICTED"
    bad_status = one_of(req, "statuses", _STATUSES)
    if bad_status:
        return bad_status
    for value in req.query.get("workflow_ids", ()):
        if not UUID.match(value):
            return f"workflow_ids {value!r} is not a uuid"
    keep = hatchet_filter(Request({}, query, b"", req.base_url, req.path), store.seed)
    if isinstance(keep, str):
        return keep
    tenant, since, until = req.params["tenant"], req.one("since"), req.one("until")
    statuses = set(req.query.get("statuses", ()))
    workflows = set(req.query.get("workflow_ids", ()))
    return [
        r
        for r in store.all()
        if r["tenantId"] == tenant
        and in_window(r["createdAt"], since, until)
        and (not statuses or r["status"] in statuses)
        and (not workflows or r["workflowId"] in workflows)
        and _running_ok(running, r)
        and keep(r)
    ]


def hatchet_list(store: Store, req: Request) -> Response:
    rows = _matching(store, req, req.query)
    if isinstance(rows, str):
        return hatchet_error(400, rows)
    if req.one("include_payloads") == "false":
        rows = [without_payloads(r) for r in rows]
    return _paged(req, rows, "hatchet.V1TaskSummaryList")


def hatchet_external_ids(store: Store, req: Request) -> Response:
    # The operation declares no only_tasks/worker/parent/event filter: DAGs and tasks alike.
    metadata_only = {k: v for k, v in req.query.items() if k.startswith("additional_metadata")}
    rows = _matching(store, req, {**metadata_only, "only_tasks": ["false"]})
    if isinstance(rows, str):
        return hatchet_error(400, rows)
    return Response(200, [r["metadata"]["id"] for r in rows], "hatchet.V1WorkflowRunExternalIdList")


def _uuids_refused(values: list[str], name: str) -> str | None:
    """Why a required list of uuids is refused (missing, or one is not a uuid), or None."""
    if not values:
        return f"{name} is required"
    bad = next((v for v in values if not UUID.match(v)), None)
    return None if bad is None else f"{name} {bad!r} is not a uuid"


def hatchet_display_names(store: Store, req: Request) -> Response:
    tenant, wanted = req.params["tenant"], req.query.get("external_ids", [])
    if not UUID.match(tenant):
        return hatchet_error(400, "tenant must be a uuid")
    refused = _uuids_refused(wanted, "external_ids")
    if refused:
        return hatchet_error(400, refused)
    runs = [store.find(value) for value in dict.fromkeys(wanted)]
    rows = [
        {"metadata": r["metadata"], "displayName": r["displayName"]}
        for r in runs
        if r is not None and r["tenantId"] == tenant
    ]
    body = {"pagination": {"current_page": 1, "num_pages": 1 if rows else 0}, "rows": rows}
    return Response(200, body, "hatchet.V1WorkflowRunDisplayNameList")


def _run(store: Store, req: Request) -> dict[str, Any] | None:
    return store.find(req.params["v1_workflow_run"])


def hatchet_get(store: Store, req: Request) -> Response:
    run = _run(store, req)
    if run is None:
        return hatchet_error(404, "workflow run not found")  # operation errata declare it
    return Response(200, views.details(store.seed, run), "hatchet.V1WorkflowRunDetails")


def hatchet_status(store: Store, req: Request) -> Response:
    run = _run(store, req)
    if run is None:
        return hatchet_error(404, "workflow run not found")
    return Response(200, run["status"], "hatchet.V1TaskStatus")


def hatchet_run_events(store: Store, req: Request) -> Response:
    run = _run(store, req)
    if run is None:
        return hatchet_error(404, "workflow run not found")  # operation errata declare it
    return _paged(req, views.task_events(store.seed, run), "hatchet.V1TaskEventList")


def hatchet_timings(store: Store, req: Request) -> Response:
    run = _run(store, req)
    if run is None:
        return hatchet_error(404, "workflow run not found")  # operation errata declare it
    depth = integer(req, "depth", 0)
    if isinstance(depth, str):
        return hatchet_error(400, depth)
    rows = [t for t in (views.task_timing(run),) if depth < 0 or t["depth"] <= depth]
    body = {"pagination": views.page(0, max(len(rows), 1), len(rows)), "rows": rows}
    return Response(200, body, "hatchet.V1TaskTimingList")


def hatchet_trigger(store: Store, req: Request) -> Response:
    tenant = req.params["tenant"]
    try:
        payload = req.json()
    except ValueError:
        return hatchet_error(400, "the body is not JSON")
    if not UUID.match(tenant):
        return hatchet_error(400, "tenant must be a uuid")
    if not isinstance(payload, dict) or not isinstance(payload.get("workflowName"), str):
        return hatchet_error(400, "workflowName (string) and input (object) are required")
    if not isinstance(payload.get("input"), dict):
        return hatchet_error(400, "workflowName (string) and input (object) are required")
    fields: dict[str, Any] = {
        "/tenantId": tenant,
        "/displayName": payload["workflowName"],
        "/workflowName": payload["workflowName"],
        "/input": payload["input"],
    }
    if isinstance(payload.get("additionalMetadata"), dict):
        fields["/additionalMetadata"] = payload["additionalMetadata"]
    run = store.create(fields)
    return Response(200, views.details(store.seed, run), "hatchet.V1WorkflowRunDetails")


def hatchet_task(store: Store, req: Request) -> Response:
    run = store.find(req.params["task"])
    if run is None:
        return hatchet_error(404, "task not found")
    attempt = integer(req, "attempt", int(run.get("attempt", 1)))
    if isinstance(attempt, str):
        return hatchet_error(400, attempt)
    current = int(run.get("attempt", 1))
    if attempt < 1 or attempt > current:
        return hatchet_error(404, f"task attempt {attempt} not found")
    if attempt < current:  # an earlier attempt failed: that is why there is a later one
        run = {k: v for k, v in run.items() if k != "output"}
        run.update(status="FAILED", attempt=attempt, retryCount=attempt - 1, output={})
        run["errorMessage"] = f"attempt {attempt} failed; retried"
    return Response(200, run, "hatchet.V1TaskSummary")


def hatchet_task_events(store: Store, req: Request) -> Response:
    run = store.find(req.params["task"])
    if run is None:
        return hatchet_error(404, "task not found")
    return _paged(req, views.task_events(store.seed, run), "hatchet.V1TaskEventList")


def hatchet_dag_tasks(store: Store, req: Request) -> Response:
    tenant, wanted = req.one("tenant"), req.query.get("dag_ids", [])
    if tenant is None or not UUID.match(tenant):
        return hatchet_error(400, "tenant (a uuid) is required")
    refused = _uuids_refused(wanted, "dag_ids")
    if refused:
        return hatchet_error(400, refused)
    runs = [store.find(value) for value in dict.fromkeys(wanted)]
    body = [
        {"dagId": r["metadata"]["id"], "children": r.get("children", [])}
        for r in runs
        if r is not None and r["tenantId"] == tenant and r.get("type") == "DAG"
    ]
    return Response(200, body, None)


_H = "/api/v1/stable"
_RUN = _H + "/workflow-runs/{v1-workflow-run}"
ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("GET", _H + "/tenants/{tenant}/workflow-runs", hatchet_list),
    ("POST", _H + "/tenants/{tenant}/workflow-runs/trigger", hatchet_trigger),
    ("GET", _H + "/tenants/{tenant}/workflow-runs/display-names", hatchet_display_names),
    ("GET", _H + "/tenants/{tenant}/workflow-runs/external-ids", hatchet_external_ids),
    ("GET", _RUN, hatchet_get),
    ("GET", _RUN + "/status", hatchet_status),
    ("GET", _RUN + "/task-events", hatchet_run_events),
    ("GET", _RUN + "/task-timings", hatchet_timings),
    ("GET", _H + "/tasks/{task}", hatchet_task),
    ("GET", _H + "/tasks/{task}/task-events", hatchet_task_events),
    ("GET", _H + "/dags/tasks", hatchet_dag_tasks),
)

_V0 = "Hatchet's v0 API (bundled for its operations only): "
#: Operations of the bundled Hatchet contract the simulator does not serve, with the reason.
NOT_SERVED: dict[str, str] = {
    "POST /api/v1/stable/tenants/{tenant}/durable-tasks/branch": (
        "durable tasks (their node and branch history) are not simulated"
    ),
    "POST /api/v1/tenants/{tenant}/workflows/{workflow}/scheduled": _V0 + "schedules are not "
    "simulated",
    "POST /api/v1/tenants/{tenant}/workflows/{workflow}/crons": _V0 + "cron triggers are not "
    "simulated",
    "POST /api/v1/tenants/{tenant}/workflows/cancel": _V0 + "the v1 run store is not exposed "
    "through v0 bulk cancel",
    "POST /api/v1/workflows/{workflow}/trigger": _V0 + "trigger v1 runs with POST "
    "/api/v1/stable/tenants/{tenant}/workflow-runs/trigger",
    "POST /api/v1/tenants/{tenant}/workflow-runs/replay": _V0 + "the v1 run store is not "
    "exposed through v0 replay",
    "GET /api/v1/tenants/{tenant}/workflow-runs/{workflow-run}/input": _V0 + "v0 workflow-run "
    "inputs are not simulated",
}


def not_served(vendor: str) -> dict[str, str]:
    """`METHOD /path` -> why the simulator does not serve that operation of `vendor`."""
    return dict(NOT_SERVED) if vendor == "hatchet" else {}


def _refusal(reason: str) -> Handler:
    def handler(store: Store, req: Request) -> Response:
        return hatchet_error(501, f"not served by the simulator: {reason}")

    return handler


#: A not-served operation answers 501 (Hatchet's "Not implemented") saying why, not a
#: route-less 404.
REFUSED: tuple[tuple[str, str, Handler], ...] = tuple(
    (key.partition(" ")[0], key.partition(" ")[2], _refusal(why)) for key, why in NOT_SERVED.items()
)
