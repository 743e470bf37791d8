"""Issue 14 item 2: every operation of a bundled contract is served, or named as not served.

Derived from the bundled contracts: each operation of each vendor is called on a real
simulator on 127.0.0.1 with the known ids and the contract's required query parameters. A
route-less 404 (`{"error": "no VENDOR route for PATH"}`) fails, unless the simulator lists the
operation in `not_served` with a reason (which `python -m conformance.simulator` prints at
start-up), and then it answers 501 with that reason. A 2xx body must conform, strictly, to the contract's response schema.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from conformance.contract.loading import contract_documents
from conformance.simulator import VENDORS, Simulator, start
from conformance.validation.engine import validate
from conformance.validation.routing import load_operations, route

SINCE = "2000-01-01T00:00:00Z"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
FORMATS = Draft202012Validator.FORMAT_CHECKER
POST_BODY = {"workflowName": "simulated", "input": {}}


def not_served(vendor: str) -> dict[str, str]:
    """The simulator's list of operations it does not serve ({} where it keeps none)."""
    try:
        module = importlib.import_module("conformance.simulator.hatchet_routes")
    except ImportError:
        return {}
    listed: Callable[[str], dict[str, str]] = module.not_served
    return listed(vendor)


def required_query(vendor: str, method: str, template: str) -> list[str]:
    """The names of the required query parameters the contract declares for an operation."""
    names: list[str] = []
    for document in contract_documents(vendor):
        spec = document.document.get("paths", {}).get(template, {}).get(method.lower(), {})
        for parameter in spec.get("parameters", []):
            if parameter.get("in") == "query" and parameter.get("required"):
                names.append(parameter["name"])
    return names


CASES = [
    (op.vendor, op.method.upper(), op.path_template) for v in VENDORS for op in load_operations(v)
]


@pytest.fixture(scope="module")
def sims() -> Iterator[dict[str, Simulator]]:
    running = {v: start(v, speed=0, runs=10) for v in VENDORS}
    try:
        yield running
    finally:
        for sim in running.values():
            sim.stop()


def call(sim: Simulator, method: str, path: str, body: Any = None) -> tuple[int, str, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(sim.url + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            status, media, raw = response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        status, media, raw = error.code, error.headers["Content-Type"] or "", error.read()
    return status, media, json.loads(raw) if raw else None


def conforms(sim: Simulator, method: str, path: str, status: int, media: str, body: Any) -> None:
    routed = route(method, path, status, content_type=media, vendor=sim.vendor)
    assert routed is not None and routed.problems == (), (path, routed)
    if routed.schema is not None:
        assert validate(body, routed.schema, strict=True).findings == (), (path, body)
        return
    # A response schema the bundle does not extract: checked against the contract itself.
    declared = routed.response.unbundled_ref if routed.response is not None else None
    assert declared is not None, (method, path, status)
    source, _, pointer = declared.partition("#")
    (document,) = [d.document for d in contract_documents(sim.vendor) if d.source == source]
    schema = {
        "$ref": "#" + pointer,
        "components": document["components"],
        "paths": document["paths"],
    }
    errors = list(Draft202012Validator(schema, format_checker=FORMATS).iter_errors(body))
    assert errors == [], (path, body)


@pytest.mark.parametrize(("vendor", "method", "template"), CASES, ids=[" ".join(c) for c in CASES])
def test_every_contract_operation_is_served_or_listed(
    sims: dict[str, Simulator], vendor: str, method: str, template: str
) -> None:
    sim, listed = sims[vendor], not_served(vendor)
    known = sim.known_path_parameters()
    run_id = next(iter(sim.store._by_id))
    path = template
    for name, value in known.items():
        path = path.replace("{" + name + "}", value)
    path = path.replace("{workflow}", "simulated")  # Hatchet's v0 workflow name (not served)
    assert "{" not in path, f"no known value for a path parameter of {template}"
    values = {"since": SINCE, "only_tasks": "false", "external_ids": run_id, "dag_ids": run_id}
    values["tenant"] = known.get("tenant", "")  # Hatchet's dags/tasks takes it in the query
    query = [f"{name}={values[name]}" for name in required_query(vendor, method, template)]
    full = path + ("?" + "&".join(query) if query else "")
    status, media, body = call(sim, method, full, POST_BODY if method == "POST" else None)
    if f"{method} {template}" in listed:
        reason = listed[f"{method} {template}"]
        assert reason.strip(), "a not-served operation says why"
        assert (status, body) == (
            501,
            {"errors": [{"description": f"not served by the simulator: {reason}"}]},
        )
        return  # 501 is declared by few of these: the simulator says it does not model them
    assert not (
        status == 404 and isinstance(body, dict) and "route for" in str(body.get("error"))
    ), f"{method} {template} is not served: {body}"
    assert 200 <= status < 300, (method, full, status, body)
    conforms(sim, method, full, status, media, body)


def test_not_served_names_only_contract_operations_and_serve_prints_them() -> None:
    listed = not_served("hatchet")
    operations = {f"{m} {t}" for _, m, t in CASES}
    assert listed and set(listed) <= operations
    child = subprocess.Popen(
        [sys.executable, "-m", "conformance.simulator", "hatchet", "--runs", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().startswith("http://127.0.0.1:")
    finally:
        child.terminate()
        _, err = child.communicate(timeout=10)
    printed = [line for line in err.splitlines() if line.startswith("not served: ")]
    assert printed == [f"not served: {op}: {why}" for op, why in listed.items()]


# -- the Hatchet operations this item adds ------------------------------------------------------


@pytest.fixture(scope="module")
def hatchet() -> Iterator[Simulator]:
    with start("hatchet", speed=0, runs=30) as sim:
        yield sim


def _tenant_path(sim: Simulator, tail: str) -> str:
    return f"/api/v1/stable/tenants/{sim.store.pools['tenant'][0]}/workflow-runs{tail}"


def test_display_names_of_the_asked_runs(hatchet: Simulator) -> None:
    runs = [r for r in hatchet.store.all() if r["tenantId"] == hatchet.store.pools["tenant"][0]]
    first, second = runs[1], runs[0]
    ids = [first["metadata"]["id"], UNKNOWN, second["metadata"]["id"]]
    path = _tenant_path(hatchet, "/display-names?" + "&".join(f"external_ids={i}" for i in ids))
    status, media, body = call(hatchet, "GET", path)
    assert status == 200
    conforms(hatchet, "GET", path, status, media, body)
    assert body["rows"] == [
        {"metadata": r["metadata"], "displayName": r["displayName"]} for r in (first, second)
    ]


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        ("/display-names", "external_ids is required"),
        ("/display-names?external_ids=abc", "external_ids 'abc' is not a uuid"),
        ("/external-ids", "since is required"),
        (
            f"/external-ids?since={SINCE}&running_filter=X",
            "running_filter 'X' is not ALL, ON_WORKER or EVICTED",
        ),
    ],
)
def test_hatchet_bad_query_is_refused(hatchet: Simulator, tail: str, message: str) -> None:
    path = _tenant_path(hatchet, tail)
    status, media, body = call(hatchet, "GET", path)
    assert (status, body) == (400, {"errors": [{"description": message}]})
    conforms(hatchet, "GET", path, status, media, body)


@pytest.mark.parametrize(
    "filters",
    [
        "",
        "&statuses=COMPLETED",
        "&statuses=RUNNING&statuses=FAILED",
        "&additional_metadata=env:prod",
    ],
)
def test_external_ids_are_those_the_list_lists(hatchet: Simulator, filters: str) -> None:
    path = _tenant_path(hatchet, f"/external-ids?since={SINCE}{filters}")
    status, media, ids = call(hatchet, "GET", path)
    assert status == 200
    conforms(hatchet, "GET", path, status, media, ids)
    listed = _tenant_path(hatchet, f"?since={SINCE}&only_tasks=false&limit=1000{filters}")
    _, _, page = call(hatchet, "GET", listed)
    assert ids == [r["metadata"]["id"] for r in page["rows"]]
    assert ids or not filters


def test_task_by_id(hatchet: Simulator) -> None:
    run = hatchet.store.all()[0]
    status, media, body = call(hatchet, "GET", f"/api/v1/stable/tasks/{run['metadata']['id']}")
    assert (status, body) == (200, run)
    # V1TaskSummary, checked as the one row of a V1TaskSummaryList.
    listed = _tenant_path(hatchet, f"?since={SINCE}&only_tasks=false")
    conforms(
        hatchet,
        "GET",
        listed,
        200,
        media,
        {"pagination": {"current_page": 1, "num_pages": 1}, "rows": [body]},
    )
    status, _, body = call(hatchet, "GET", f"/api/v1/stable/tasks/{UNKNOWN}")
    assert (status, body) == (404, {"errors": [{"description": "task not found"}]})
