"""The reference simulator over real loopback HTTP: contract conformance, pagination, state,
faults, drift and clean shutdown."""

from __future__ import annotations

import copy
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from conformance.errors import UsageError
from conformance.report.findings import Finding
from conformance.simulator import BODY_DRIFT_KINDS, VENDORS, Faults, Simulator, start
from conformance.simulator.faults import _break, decide
from conformance.validation.engine import validate
from conformance.validation.instants import parse_instant
from conformance.validation.routing import route

SINCE = "2000-01-01T00:00:00Z"
TIMEOUT = 5


def call(
    sim: Simulator, path: str, method: str = "GET", body: Any = None
) -> tuple[int, str | None, Any]:
    """(status, content type, JSON body or None) of one request to the simulator."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(sim.url + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            status, media, raw = response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        status, media, raw = error.code, error.headers["Content-Type"], error.read()
    return status, media, json.loads(raw) if raw else None


def conforms(sim: Simulator, method: str, path: str, body: Any = None) -> Any:
    """Call, route the exchange through the contract, assert status/type/body all conform."""
    status, media, payload = call(sim, path, method, body)
    routed = route(method, path, status, content_type=media, vendor=sim.vendor)
    assert routed is not None, path
    assert routed.problems == (), (path, routed.problems)
    if routed.schema is not None:
        findings = validate(payload, routed.schema, strict=True).findings
        assert findings == (), (path, findings)
    else:
        assert payload is None, (path, payload)
    return status, payload


def run_id(vendor: str, run: dict[str, Any]) -> str:
    if vendor == "hatchet":
        return run["metadata"]["id"]
    return run["runId" if vendor == "restack" else "id"]


def list_path(sim: Simulator, query: str = "", group: int = 0) -> str:
    """The list route of a vendor (Restack has none) for its first seeded group."""
    pools = sim.store.pools
    if sim.vendor == "hatchet":
        tenant = pools["tenant"][group]
        return (
            f"/api/v1/stable/tenants/{tenant}/workflow-runs?since={SINCE}&only_tasks=false{query}"
        )
    if sim.vendor == "xceptor":
        return f"/workflows/{pools['workflow'][group]}/runs?x=1{query}"
    if sim.vendor == "knock":
        return f"/v1/workflow_recipient_runs?x=1{query}"
    return f"{PARAGON_LIST}?x=1{query}"


PARAGON_LIST = "/projects/project-1/task-history/workflow-executions"


def get_paths(sim: Simulator, run: dict[str, Any]) -> list[str]:
    rid = run_id(sim.vendor, run)
    return {
        "hatchet": [
            f"/api/v1/stable/workflow-runs/{rid}",
            f"/api/v1/stable/workflow-runs/{rid}/status",
            f"/api/v1/stable/workflow-runs/{rid}/task-events",
            f"/api/v1/stable/workflow-runs/{rid}/task-timings",
        ],
        "knock": [f"/v1/workflow_recipient_runs/{rid}"],
        "paragon": [],
        "restack": [f"/api/workflows/{run.get('workflowName')}/{rid}"],
        "xceptor": [f"/workflows/{run.get('workflow_id')}/runs/{rid}"],
    }[sim.vendor]


@pytest.fixture
def make() -> Iterator[Callable[..., Simulator]]:
    started: list[Simulator] = []

    def factory(vendor: str, **kwargs: Any) -> Simulator:
        kwargs.setdefault("speed", 0)
        sim = start(vendor, **kwargs)
        started.append(sim)
        return sim

    yield factory
    for sim in started:
        sim.stop()


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_read_route_conforms(vendor: str, make: Callable[..., Simulator]) -> None:
    sim = make(vendor)
    runs = sim.store.all()
    if vendor != "restack":
        for group in range(3):
            conforms(sim, "GET", list_path(sim, group=group))
    for run in runs:
        for path in get_paths(sim, run):
            conforms(sim, "GET", path)


@pytest.mark.parametrize(
    ("vendor", "path"),
    [
        ("hatchet", "/api/v1/stable/workflow-runs/00000000-0000-4000-8000-000000000000/status"),
        ("hatchet", "/api/v1/stable/workflow-runs/00000000-0000-4000-8000-000000000000"),
        ("restack", "/api/workflows/nightly/run_missing"),
        ("xceptor", "/workflows/00000000-0000-4000-8000-000000000000/runs"),
        ("xceptor", "/v1/workflows/00000000-0000-4000-8000-000000000000/runs/x"),
    ],
)
def test_unknown_ids_answer_the_declared_error(
    vendor: str, path: str, make: Callable[..., Simulator]
) -> None:
    status, _ = conforms(make(vendor), "GET", path)
    assert status in (400, 404)


def walk(sim: Simulator, size: int) -> list[str]:
    """Every id the list route yields, following the vendor's own pagination to the end."""
    ids: list[str] = []
    vendor, query, link = sim.vendor, "", None
    for page in range(1, 200):
        if vendor == "hatchet":
            query = f"&limit={size}&offset={(page - 1) * size}"
        elif vendor == "xceptor":
            query = f"&page_size={size}&page={page}"
        elif vendor == "knock":
            query = f"&page_size={size}" + query
        _, body = conforms(sim, "GET", link or list_path(sim, query))
        items = {"hatchet": "rows", "knock": "items", "paragon": "workflowExecutions"}
        items["xceptor"] = "data"
        ids += [run_id(vendor, r) for r in body[items[vendor]]]
        if vendor == "hatchet" and "next_page" not in body["pagination"]:
            break
        if vendor == "xceptor" and page >= body["pagination"]["total_pages"]:
            break
        if vendor == "knock":
            if body["page_info"]["after"] is None:
                break
            query = f"&after={body['page_info']['after']}"
        if vendor == "paragon":  # 100 a page; the absolute nextLink is followed as given
            assert len(body["workflowExecutions"]) == 100 or body["nextLink"] is None
            if body["nextLink"] is None:
                break
            assert body["nextLink"] == f"{sim.url}{PARAGON_LIST}?x=1&offset={page * 100}"
            link = body["nextLink"].removeprefix(sim.url)
    return ids


@pytest.mark.parametrize("vendor", ["hatchet", "knock", "paragon", "xceptor"])
def test_pagination_sees_every_run_once(vendor: str, make: Callable[..., Simulator]) -> None:
    sim = make(vendor, runs=230 if vendor == "paragon" else 40, seed=3)
    ids = walk(sim, 7)
    expected = [run_id(vendor, r) for r in sim.store.all()]
    if vendor == "hatchet":
        expected = [run_id(vendor, r) for r in sim.store.all() if r["tenantId"] == _group(sim)]
    if vendor == "xceptor":
        expected = [run_id(vendor, r) for r in sim.store.all() if r["workflow_id"] == _group(sim)]
    assert len(ids) == len(set(ids)) and sorted(ids) == sorted(expected) and len(ids) > 7


def _group(sim: Simulator) -> str:
    return sim.store.pools["tenant" if sim.vendor == "hatchet" else "workflow"][0]


def test_knock_before_cursor_goes_back(make: Callable[..., Simulator]) -> None:
    sim = make("knock", runs=20)
    _, first = conforms(sim, "GET", list_path(sim, "&page_size=5"))
    _, second = conforms(
        sim, "GET", list_path(sim, f"&page_size=5&after={first['page_info']['after']}")
    )
    _, back = conforms(
        sim, "GET", list_path(sim, f"&page_size=5&before={second['page_info']['before']}")
    )
    assert back["items"] == first["items"] and first["page_info"]["before"] is None


FILTERS = {
    "hatchet": ("&statuses=COMPLETED&statuses=FAILED", "rows", "status", {"COMPLETED", "FAILED"}),
    "knock": ("&status[]=completed&workflow=workflow-2", "items", "status", {"completed"}),
    "paragon": ("&status=FAILED&userId=user-1", "workflowExecutions", "status", {"FAILED"}),
    "xceptor": ("&status=completed", "data", "status", {"completed"}),
}


@pytest.mark.parametrize("vendor", FILTERS)
def test_filters_filter(vendor: str, make: Callable[..., Simulator]) -> None:
    sim = make(vendor, runs=60, seed=5)
    query, items, field, wanted = FILTERS[vendor]
    _, everything = conforms(sim, "GET", list_path(sim, "&limit=100&page_size=100"))
    _, body = conforms(sim, "GET", list_path(sim, query + "&limit=100&page_size=100"))
    assert body[items] and len(body[items]) < len(everything[items])
    assert {r[field] for r in body[items]} <= wanted
    if vendor == "knock":
        assert {r["workflow"] for r in body[items]} == {"workflow-2"}
    if vendor == "paragon":
        assert {r["userId"] for r in body[items]} == {"user-1"} and body["nextLink"] is None


WRITES = {
    "hatchet": ("POST", lambda s: f"/api/v1/stable/tenants/{_group(s)}/workflow-runs/trigger",
                {"workflowName": "nightly", "input": {"a": 1}}),
    "paragon": ("POST", lambda s: "/projects/project-1/task-history/workflow-executions/"
                f"{run_id('paragon', s.store.all()[0])}/replay", None),
    "restack": ("POST", lambda s: "/api/workflows/nightly", {"input": {"a": 1}}),
    "xceptor": ("POST", lambda s: f"/workflows/{_group(s)}/runs", {"parameters": {"a": 1}}),
}  # fmt: skip
PHASES = {
    "hatchet": ("QUEUED", "RUNNING", {"COMPLETED", "FAILED"}),
    "paragon": (None, None, {"SUCCEEDED", "FAILED"}),
    "restack": ("queued", "running", {"completed", "failed"}),
    "xceptor": ("pending", "running", {"completed", "failed"}),
}


def _read_back(sim: Simulator, created: dict[str, Any]) -> dict[str, Any]:
    vendor = sim.vendor
    if vendor == "paragon":
        _, body = conforms(sim, "GET", list_path(sim, "&offset=0"))
        return next(r for r in body["workflowExecutions"] if r["id"] == created["id"])
    if vendor == "restack":
        path = f"/api/workflows/nightly/{created['runId']}"
    elif vendor == "hatchet":
        path = f"/api/v1/stable/workflow-runs/{created['run']['metadata']['id']}"
    else:
        path = f"/workflows/{_group(sim)}/runs/{created['id']}"
    _, body = conforms(sim, "GET", path)
    return body["run"] if vendor == "hatchet" else body


@pytest.mark.parametrize("vendor", WRITES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_write_moves_queued_running_terminal(
    vendor: str, seed: int, make: Callable[..., Simulator]
) -> None:
    sim = make(vendor, seed=seed)
    method, path, body = WRITES[vendor]
    _, created = conforms(sim, method, path(sim), body)
    seen = [_read_back(sim, created)]
    sim.advance(1.5)
    seen.append(_read_back(sim, created))
    sim.advance(5)
    seen.append(_read_back(sim, created))
    queued, running, terminal = PHASES[vendor]
    if queued is None:  # a history of finished runs only: the replay has just ended
        assert seen[0] == seen[1] == seen[2] and seen[0]["status"] in terminal
        assert parse_instant(seen[0]["dateStarted"]) < parse_instant(seen[0]["dateEnded"])
        return
    assert [r.get("status") for r in seen[:2]] == [queued, running]
    assert seen[2]["status"] in terminal
    keys = {"hatchet": ("startedAt", "finishedAt"), "xceptor": ("started_at", "completed_at")}
    if vendor in keys:
        start_key, end_key = keys[vendor]
        assert start_key not in seen[0] and end_key not in seen[1]
        began, ended = parse_instant(seen[1][start_key]), parse_instant(seen[2][end_key])
        assert began is not None and ended is not None and began < ended


def test_xceptor_cancel(make: Callable[..., Simulator]) -> None:
    sim = make("xceptor")
    _, created = conforms(sim, "POST", f"/workflows/{_group(sim)}/runs", {})
    sim.advance(1.2)
    path = f"/workflows/{_group(sim)}/runs/{created['id']}"
    _, cancelled = conforms(sim, "DELETE", path)
    sim.advance(10)
    _, later = conforms(sim, "GET", path)
    assert cancelled["status"] == later["status"] == "cancelled" and "started_at" in later


def test_bad_write_bodies_are_declared_errors(make: Callable[..., Simulator]) -> None:
    sim = make("hatchet")
    status, _ = conforms(
        sim, "POST", f"/api/v1/stable/tenants/{_group(sim)}/workflow-runs/trigger", {}
    )
    assert status == 400


EXPECT: dict[str, Callable[[Finding], bool]] = {
    "wrong-enum": lambda f: f.kind == "schema" and f.keyword == "enum",
    # a required field, or where the contract requires nothing (paragon, xceptor) the run's id
    "missing-required": lambda f: (
        (f.kind, f.keyword) in {("schema", "required"), ("invariant", "run-identity")}
    ),
    "wrong-type": lambda f: f.kind == "schema" and f.keyword == "type",
    "time-order": lambda f: f.kind == "invariant" and f.keyword == "time-order",
    "undocumented-field": lambda f: f.kind == "drift" and f.keyword == "undocumented",
}


def _drifted_responses(sim: Simulator, kind: str) -> list[tuple[str, Any, str]]:
    """(path, body, schema) of a list page and of one run that can carry the drift."""
    paths = [] if sim.vendor == "restack" else [list_path(sim)]
    able = [r for r in sim.store.all() if _break(kind, copy.deepcopy(r), sim.store.spec.object)]
    paths += get_paths(sim, able[0])[:1]
    found = []
    for path in paths:
        status, media, body = call(sim, path)
        routed = route("GET", path, status, content_type=media, vendor=sim.vendor)
        assert routed is not None and routed.schema is not None, (path, status, body)
        found.append((path, body, routed.schema))
    return found


@pytest.mark.parametrize("kind", BODY_DRIFT_KINDS)
@pytest.mark.parametrize("vendor", VENDORS)
def test_drift_breaks_exactly_its_rule(
    vendor: str, kind: str, make: Callable[..., Simulator]
) -> None:
    sim = make(vendor, faults=Faults(drift=kind), seed=2)
    for path, body, schema in _drifted_responses(sim, kind):
        findings = validate(body, schema, strict=True).findings
        assert findings, (path, kind)
        assert all(EXPECT[kind](f) for f in findings), (path, findings)


def test_latency_errors_and_resets_are_observable(make: Callable[..., Simulator]) -> None:
    slow = make("knock", faults=Faults(latency_ms=150))
    began = time.monotonic()
    assert call(slow, "/v1/workflow_recipient_runs")[0] == 200
    assert time.monotonic() - began >= 0.15
    failing = make("knock", faults=Faults(error_rate=1.0))
    status, media, body = call(failing, "/v1/workflow_recipient_runs")
    assert status == 503 and media == "application/json" and body["fault"] == "error-rate"
    resetting = make("knock", faults=Faults(reset_rate=1.0))
    with pytest.raises((ConnectionError, http.client.HTTPException, urllib.error.URLError)):
        call(resetting, "/v1/workflow_recipient_runs")


def test_faults_are_deterministic_with_the_seed() -> None:
    faults = Faults(error_rate=0.3, reset_rate=0.2)
    first = [decide(faults, 7, n) for n in range(50)]
    assert first == [decide(faults, 7, n) for n in range(50)]
    assert first != [decide(faults, 8, n) for n in range(50)]
    assert any(d.error for d in first) and any(d.reset for d in first)


def test_fault_specs_parse_and_refuse_nonsense() -> None:
    parsed = Faults.parse(["latency=20", "error-rate=0.5", "drift=time-order"])
    assert parsed == Faults(latency_ms=20, error_rate=0.5, drift="time-order")
    for bad in (["latency"], ["error-rate=2"], ["drift=nope"], ["colour=red"]):
        with pytest.raises(UsageError):
            Faults.parse(bad)


def test_same_seed_same_bodies(make: Callable[..., Simulator]) -> None:
    a, b = make("xceptor", seed=9), make("xceptor", seed=9)
    assert call(a, list_path(a))[2] == call(b, list_path(b))[2]


def test_stop_frees_the_port_and_the_thread() -> None:
    sim = start("restack")
    port, thread = sim.port, sim._thread
    assert call(sim, "/api/workflows/x/y")[0] == 404
    sim.stop()
    assert not thread.is_alive()
    with socket.socket() as probe:  # SO_REUSEADDR as any server: TIME_WAIT may remain
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
        probe.listen()
    sim.stop()  # idempotent
    with start("restack", port=port) as again:
        assert again.port == port and call(again, "/api/workflows/x/y")[0] == 404


def test_subprocess_prints_url_and_exits_0_on_sigterm() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "conformance.simulator", "knock", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        proc.stdout.readline()  # how to authenticate
        token = proc.stdout.readline().partition(" ")[0].removeprefix("RUNCONFORM_TOKEN=")
        request = urllib.request.Request(
            url + "/v1/workflow_recipient_runs", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT) as r:  # serve demands a token
            assert r.status == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
