"""Restack agent runs through the toolkit (issue 14 item 6): schema, identify, routing,
mapping, the simulator's agent operations and a contract run against them."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from conformance.bundle.resources import contracts_dir
from conformance.contract import ContractOptions, run_contract
from conformance.mapping import to_canonical
from conformance.simulator import Faults, start
from conformance.validation.identify import identify
from conformance.validation.routing import route

AGENT = "restack.AgentRunStatus"
RECORDING = contracts_dir() / "recordings" / "restack" / "agent-runs.yaml"
GOOD = {"runId": "run_a1", "agentName": "triage", "status": "running", "input": {}}
TOKEN = "t0k3n-for-agent-tests"


def test_the_bundled_agent_recording_conforms(run_cli) -> None:
    code, out, _ = run_cli("validate", str(RECORDING), "--schema", AGENT, "--strict")
    assert (code, out.splitlines()[-1]) == (
        0,
        "11 records: 11 conforming, 0 not conforming; 0 unreadable inputs; "
        "0 errors, 0 warnings, 0 info",
    )


DEFECTS = {
    "wrong-status-enum": (
        {**GOOD, "status": "cancelled"},
        '$.status: error: "cancelled" is not one of: "queued", "running", "completed", '
        '"failed" [enum]',
    ),
    "runId-not-a-string": ({**GOOD, "runId": 5}, "$.runId: error: 5 is not of type string [type]"),
    "missing-runId": (
        {k: v for k, v in GOOD.items() if k != "runId"},
        "$: error: 'runId' is a required property [required]",
    ),
    "missing-agentName": (
        {k: v for k, v in GOOD.items() if k != "agentName"},
        "$: error: 'agentName' is a required property [required]",
    ),
    "missing-status": (
        {k: v for k, v in GOOD.items() if k != "status"},
        "$: error: 'status' is a required property [required]",
    ),
}


@pytest.mark.parametrize("defect", DEFECTS)
def test_the_agent_schema_rejects_a_defect_beside_a_good_run(
    tmp_path: Path, run_cli, defect: str
) -> None:
    record, message = DEFECTS[defect]
    path = tmp_path / "runs.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(record) + "\n")
    code, out, _ = run_cli("validate", str(path), "--schema", AGENT)
    assert code == 1
    key = message.split(":")[0].removeprefix("$").removeprefix(".")
    member = f'"{key}": '  # at the bad value; at the record for a missing property
    column = json.dumps(record).index(member) + len(member) + 1 if key else 1
    assert out.splitlines() == [
        f"{path}:2:{column}: {message}",
        "2 records: 1 conforming, 1 not conforming; 0 unreadable inputs; "
        "1 error, 0 warnings, 0 info",
    ]


@pytest.mark.parametrize(
    "run_id", ["0193b1b2-7c1e-7a3f-9d2e-5b6c7d8e9f01", "run_with_underscore"], ids=["uuid", "_"]
)
def test_the_seed_runid_pattern_is_not_taken(tmp_path: Path, run_cli, run_id: str) -> None:
    """`^run_[a-zA-Z0-9]+$` is only in the catalogue's seed (errata.yaml `not_taken`):
    a Temporal-style id must not fail every real response."""
    path = tmp_path / "run.json"
    path.write_text(json.dumps({**GOOD, "runId": run_id}))
    code, out, _ = run_cli("validate", str(path), "--schema", AGENT)
    assert (code, out.splitlines()[-1].split(";")[0]) == (
        0,
        "1 record: 1 conforming, 0 not conforming",
    )


IDENTIFIED = {
    "agent run": ({**GOOD, "createdAt": "2026-11-30T09:14:02Z"}, AGENT),
    "agent run, unknown status": ({**GOOD, "status": "exploded"}, AGENT),
    "workflow run": (
        {**{k: v for k, v in GOOD.items() if k != "agentName"}, "workflowName": "sync"},
        "restack.WorkflowRunStatus",
    ),
}


@pytest.mark.parametrize(("instance", "name"), IDENTIFIED.values(), ids=IDENTIFIED.keys())
def test_identify_tells_an_agent_run_from_a_workflow_run(instance: Any, name: str) -> None:
    found = identify(instance)
    assert found.best is not None and found.best.name == name, found.doubt()


def test_a_run_without_its_name_is_not_identified() -> None:
    """The name is what tells the two run kinds apart: without it, neither is guessed."""
    found = identify(
        {"runId": "run_a1", "status": "completed", "createdAt": "2026-11-30T09:14:02Z"}
    )
    assert found.best is None
    assert found.doubt() == (
        "closest: restack.WorkflowRunResponse (0.51), restack.AgentRunStatus (0.34), "
        "restack.WorkflowRunStatus (0.34)"
    )


ROUTES = {
    "get agent run": (
        "GET",
        "https://api.restack.io/api/agents/triage/run_a1",
        ("getAgentRun", AGENT),
    ),
    "schedule agent": (
        "POST",
        "http://localhost:6233/api/agents/triage",
        ("scheduleAgent", None),  # AgentRunResponse is not extracted (manifest)
    ),
    "get workflow run": (
        "GET",
        "https://api.restack.io/api/workflows/sync/run_w1",
        ("getWorkflowRun", "restack.WorkflowRunStatus"),
    ),
}


@pytest.mark.parametrize(("method", "url", "expected"), ROUTES.values(), ids=ROUTES.keys())
def test_routing_by_url(method: str, url: str, expected: tuple[str, str | None]) -> None:
    found = route(method, url, 200)
    assert found is not None
    assert (found.operation.operation_id, found.schema, found.problems) == (*expected, ())


@pytest.mark.parametrize(
    ("status", "canonical"),
    [
        ("queued", "queued"),
        ("running", "running"),
        ("completed", "succeeded"),
        ("failed", "failed"),
    ],
)
def test_an_agent_run_maps_to_the_canonical_run(status: str, canonical: str) -> None:
    run = to_canonical({**GOOD, "status": status}, AGENT)
    assert (run["id"], run["workflow"], run["status"]) == ("run_a1", "triage", canonical)
    assert run["source"]["object"] == "AgentRunStatus"


# -- the simulator ------------------------------------------------------------------------------


def _call(url: str, method: str = "GET", body: bytes | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        data = error.read()
        return error.code, json.loads(data) if data else None


def test_serve_restack_answers_the_agent_operations(validator_for) -> None:
    from conformance.simulator.restack_routes import known_parameters

    with start("restack", seed=1, speed=0) as sim:
        run_id = sim.known_path_parameters()["runId"]
        agent = known_parameters(sim.store)["agentName"]
        status, body = _call(f"{sim.url}/api/agents/{agent}/{run_id}")
        assert status == 200 and (body["runId"], body["agentName"]) == (run_id, agent)
        assert not list(validator_for(AGENT).iter_errors(body))
        assert _call(f"{sim.url}/api/agents/someone-else/{run_id}") == (404, None)
        assert _call(f"{sim.url}/api/agents/{agent}/run_missing") == (404, None)
        payload = json.dumps({"input": {"ticketId": "tkt_1"}}).encode()
        status, made = _call(f"{sim.url}/api/agents/triage", "POST", payload)
        assert (status, sorted(made), made["status"]) == (200, ["runId", "status"], "queued")
        sim.advance(10)
        status, body = _call(f"{sim.url}/api/agents/triage/{made['runId']}")
        assert (status, body["input"], body["status"] in ("completed", "failed")) == (
            200,
            {"ticketId": "tkt_1"},
            True,
        )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "the body is not JSON"),
        (b"[1]", "the body must be an AgentRunRequest object"),
        (b'{"input": "text"}', "input must be an object"),
    ],
    ids=["not-json", "not-an-object", "input-not-an-object"],
)
def test_a_bad_schedule_body_is_refused(body: bytes, message: str) -> None:
    with start("restack", seed=1, speed=0) as sim:
        assert _call(f"{sim.url}/api/agents/triage", "POST", body) == (400, {"error": message})


def _agent_contract(drift: str | None) -> Any:
    from conformance.simulator.restack_routes import known_parameters

    with start("restack", seed=1, token=TOKEN, faults=Faults(drift=drift)) as sim:
        known = {**sim.known_path_parameters(), **known_parameters(sim.store)}
        options = ContractOptions(
            base_url=sim.url,
            max_examples=3,
            rate_limit=0,
            operations=("getAgentRun",),
            path_parameters=tuple(known.items()),
            headers=(("Authorization", f"Bearer {TOKEN}"),),
        )
        return run_contract("restack", options)


def test_a_contract_run_tests_the_agent_get_against_serve_restack() -> None:
    result = _agent_contract(None)
    assert [(r.operation, r.status, r.statuses) for r in result.runs] == [
        ("GET /api/agents/{agentName}/{runId}", "ok", (200, 200, 200))
    ]
    assert result.ok and result.failures == ()


def test_a_contract_run_names_drift_on_the_agent_get() -> None:
    result = _agent_contract("wrong-enum")
    assert not result.ok
    assert [
        (f.kind, f.keyword, f.path, f.message) for f in result.failures if f.kind == "schema"
    ] == [
        (
            "schema",
            "enum",
            "$.status",
            '"SIMULATED_DRIFT" is not one of: "queued", "running", "completed", "failed"',
        )
    ]
    [schema] = [f.schema_path for f in result.failures if f.kind == "schema"]
    assert schema.startswith("restack/AgentRunStatus.json#")
