"""Hatchet operations beyond list/get/trigger: display names, external ids, one task.

Every operation of a bundled contract is either served or named in `NOT_SERVED` with the
reason, which `serve_forever` prints at start-up: a route-less 404 would otherwise read as
"the vendor has no such operation" rather than "the simulator does not model it".

- `GET .../tenants/{tenant}/workflow-runs/display-names?external_ids=...` (required, uuids):
  a `V1WorkflowRunDisplayNameList` of the asked runs of that tenant that exist, in the order
  asked (an unknown id is left out, as a list leaves out what does not match), one page.
- `GET .../tenants/{tenant}/workflow-runs/external-ids`: the `V1WorkflowRunExternalIdList`
  of the tenant's runs matching `since` (required), `until`, `statuses`, `workflow_ids`,
  `additional_metadata` (as the list reads them, `filters.hatchet_filter`) and
  `running_filter` (ALL, ON_WORKER: RUNNING runs not evicted, EVICTED: RUNNING runs evicted).
- `GET /api/v1/stable/tasks/{task}`: the stored `V1TaskSummary`; 404 in Hatchet's error
  shape for an unknown id. Hatchet serves it; the bundled contract does not declare it.

A not-served operation answers 501 with `not served by the simulator: REASON`.
"""

from __future__ import annotations

from typing import Any

from conformance.simulator.filters import hatchet_filter
from conformance.simulator.protocol import UUID, Handler, Request, Response, bad_instant, in_window
from conformance.simulator.store import Store

_RUNNING_FILTERS = ("ALL", "ON_WORKER", "EVICTED")


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


def hatchet_display_names(store: Store, req: Request) -> Response:
    tenant, wanted = req.params["tenant"], req.query.get("external_ids", [])
    if not UUID.match(tenant):
        return hatchet_error(400, "tenant must be a uuid")
    if not wanted:
        return hatchet_error(400, "external_ids is required")
    for value in wanted:
        if not UUID.match(value):
            return hatchet_error(400, f"external_ids {value!r} is not a uuid")
    runs = [store.find(value) for value in dict.fromkeys(wanted)]
    rows = [
        {"metadata": r["metadata"], "displayName": r["displayName"]}
        for r in runs
        if r is not None and r["tenantId"] == tenant
    ]
    body = {"pagination": {"current_page": 1, "num_pages": 1 if rows else 0}, "rows": rows}
    return Response(200, body, None)


def _running_ok(running: str, run: dict[str, Any]) -> bool:
    if running == "ALL" or run["status"] != "RUNNING":
        return True
    return bool(run.get("isEvicted")) == (running == "EVICTED")


def hatchet_external_ids(store: Store, req: Request) -> Response:
    problem = window_problem(req)
    if problem:
        return hatchet_error(400, problem)
    tenant, since, until = req.params["tenant"], req.one("since"), req.one("until")
    running = req.one("running_filter") or "ALL"
    if running not in _RUNNING_FILTERS:
        return hatchet_error(400, f"running_filter {running!r} is not ALL, ON_WORKER or EVICTED")
    # The operation declares no only_tasks/worker/parent/event filter: DAGs and tasks alike.
    metadata_only = {k: v for k, v in req.query.items() if k.startswith("additional_metadata")}
    keep = hatchet_filter(
        Request({}, {**metadata_only, "only_tasks": ["false"]}, b"", req.base_url, req.path),
        store.seed,
    )
    if isinstance(keep, str):
        return hatchet_error(400, keep)
    statuses = set(req.query.get("statuses", ()))
    workflows = set(req.query.get("workflow_ids", ()))
    ids = [
        r["metadata"]["id"]
        for r in store.all()
        if r["tenantId"] == tenant
        and in_window(r["createdAt"], since, until)
        and (not statuses or r["status"] in statuses)
        and (not workflows or r["workflowId"] in workflows)
        and _running_ok(running, r)
        and keep(r)
    ]
    return Response(200, ids, None)


def hatchet_task(store: Store, req: Request) -> Response:
    run = store.find(req.params["task"])
    if run is None:
        return hatchet_error(404, "task not found")
    return Response(200, run, "hatchet.V1TaskSummary")


_H = "/api/v1/stable"
ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("GET", _H + "/tenants/{tenant}/workflow-runs/display-names", hatchet_display_names),
    ("GET", _H + "/tenants/{tenant}/workflow-runs/external-ids", hatchet_external_ids),
    ("GET", _H + "/tasks/{task}", hatchet_task),
)

_V0 = "Hatchet's v0 API (workflow-run-api.openapi.yml, bundled for its operations only): "
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
