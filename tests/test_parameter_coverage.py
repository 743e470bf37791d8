"""Issue 14: every (operation, parameter) pair of the bundled contracts has an observed effect.

The pairs are read from the bundled contracts the way `runconform contract VENDOR` reads them
(`conformance.contract.loading.contract_documents`), never from a hand-written list. `EFFECTS`
says, for each pair, what the parameter does ("filters", "pages", "path id", "refused when
malformed", ...) and how to see it against a running simulator on 127.0.0.1:

- `Changes(query)`: the operation's base request with `query` answers 2xx and a different body
  than the base request without it (a value replaces the base request's value of that name);
- `Refused(query)`: a malformed value is refused with 400, in the declared body where the
  operation declares a 400 (the test id says "undeclared" where it does not);
- `Missing()`: a required parameter left out is refused with 400;
- `PathId(value)`: the base request (known ids) answers 2xx, the same with `value` in the
  parameter a declared 4xx (or, with `status=`, that status);
- `Created(...)`: a write puts the path value in the run it makes.

An operation the simulator does not serve (`hatchet_routes.not_served`) is checked to answer
501 with its reason. A pair of the contracts that `EFFECTS` does not know fails, so does an
entry of `EFFECTS` the contracts no longer have, and so does a pair whose effect is not seen:
a newly bundled parameter the simulator ignores fails CI. There is no known-gap entry: every
pair has an observed effect.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from conformance.contract.loading import VENDORS, contract_documents
from conformance.simulator import Simulator, start
from conformance.simulator.hatchet_routes import not_served
from conformance.validation.engine import validate
from conformance.validation.routing import route

TOKEN = "coverage-token"
RUNS = 40
SINCE = "2000-01-01T00:00:00Z"
_METHODS = ("get", "put", "post", "delete", "patch")
Value = str | Callable[[Simulator], str]


@dataclass(frozen=True)
class Pair:
    vendor: str
    method: str
    path: str
    location: str
    name: str
    required: bool
    statuses: frozenset[str]

    @property
    def operation(self) -> str:
        return f"{self.vendor} {self.method} {self.path}"

    @property
    def key(self) -> str:
        return f"{self.operation} {self.location}:{self.name}"


def contract_pairs() -> list[Pair]:
    """Every (operation, parameter) pair of every bundled contract, path-level ones included."""
    pairs: list[Pair] = []
    for vendor in VENDORS:
        for document in contract_documents(vendor):
            doc = document.document
            named = (doc.get("components") or {}).get("parameters") or {}
            for path, item in doc["paths"].items():
                for method in _METHODS:
                    if method not in item:
                        continue
                    operation = item[method]
                    declared = frozenset(str(s) for s in operation.get("responses", {}))
                    for parameter in item.get("parameters", []) + operation.get("parameters", []):
                        if "$ref" in parameter:
                            parameter = named[parameter["$ref"].rpartition("/")[2]]
                        pairs.append(
                            Pair(
                                vendor,
                                method.upper(),
                                path,
                                parameter["in"],
                                parameter["name"],
                                bool(parameter.get("required")),
                                declared,
                            )
                        )
    return pairs


# -- talking to the simulator ------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    media: str | None


def _resolve(value: Value, sim: Simulator) -> str:
    return value(sim) if callable(value) else value


def send(
    sim: Simulator,
    method: str,
    path: str,
    params: dict[str, str],
    query: list[tuple[str, str]],
    body: Any = None,
) -> Answer:
    target = path
    for name, value in params.items():
        target = target.replace("{" + name + "}", quote(value, safe=""))
    url = sim.url + target + ("?" + urlencode(query) if query else "")
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {TOKEN}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, media, raw = response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        status, media, raw = error.code, error.headers["Content-Type"], error.read()
    return Answer(status, json.loads(raw) if raw else None, media)


@dataclass(frozen=True)
class Base:
    """An operation's base request: path values beyond the known ids, query, body."""

    query: Callable[[Simulator], list[tuple[str, str]]] = lambda sim: []
    params: Callable[[Simulator], dict[str, str]] = lambda sim: {}
    body: Any = None


@dataclass
class Ctx:
    sim: Simulator
    pair: Pair
    base: Base
    notes: list[str] = field(default_factory=list)

    def params(self) -> dict[str, str]:
        return {**self.sim.known_path_parameters(), **self.base.params(self.sim)}

    def call(
        self,
        query: list[tuple[str, str]] | None = None,
        params: dict[str, str] | None = None,
        drop: str | None = None,
    ) -> Answer:
        base = [(k, v) for k, v in self.base.query(self.sim) if k != drop]
        extra = query or []
        names = {k for k, _ in extra}
        merged = [(k, v) for k, v in base if k not in names] + extra
        return send(
            self.sim,
            self.pair.method,
            self.pair.path,
            {**self.params(), **(params or {})},
            merged,
            self.base.body,
        )

    def conforms(self, answer: Answer) -> None:
        """A declared status's body conforms to its declared schema; an undeclared one is noted."""
        if str(answer.status) not in self.pair.statuses:
            self.notes.append(f"status {answer.status} undeclared")
            return
        path = self.pair.path
        for name, value in self.params().items():
            path = path.replace("{" + name + "}", value)
        routed = route(
            self.pair.method, path, answer.status, content_type=answer.media, vendor=self.sim.vendor
        )
        if routed is not None and routed.schema is not None and answer.body is not None:
            assert validate(answer.body, routed.schema, strict=True).findings == ()


def _pairs_of(query: str, sim: Simulator) -> list[tuple[str, str]]:
    return [(k, v) for k, _, v in (part.partition("=") for part in query.split("&"))]


# -- effects ----------------------------------------------------------------------------------


class Probe:
    label = ""

    def check(self, ctx: Ctx) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class Changes(Probe):
    query: Value
    label: str = "filters"

    def check(self, ctx: Ctx) -> None:
        before = ctx.call()
        after = ctx.call(_pairs_of(_resolve(self.query, ctx.sim), ctx.sim))
        assert 200 <= before.status < 300, (before.status, before.body)
        assert 200 <= after.status < 300, (after.status, after.body)
        ctx.conforms(after)
        assert after.body != before.body, f"{self.query}: the same response as without it"


@dataclass(frozen=True)
class Refused(Probe):
    query: str
    status: int = 400
    label: str = "refused when malformed"

    def check(self, ctx: Ctx) -> None:
        answer = ctx.call(_pairs_of(self.query, ctx.sim))
        assert answer.status == self.status, (self.query, answer.status, answer.body)
        ctx.conforms(answer)


@dataclass(frozen=True)
class Nowhere(Probe):
    """A cursor the list did not write: an empty page with no cursors, not the first page
    (the contract types cursors as any string and declares no error status)."""

    query: str
    label: str = "a foreign cursor pages to nothing"

    def check(self, ctx: Ctx) -> None:
        answer = ctx.call(_pairs_of(self.query, ctx.sim))
        assert answer.status == 200, (self.query, answer.status, answer.body)
        ctx.conforms(answer)
        assert answer.body["items"] == [], answer.body
        assert (answer.body["page_info"]["after"], answer.body["page_info"]["before"]) == (
            None,
            None,
        )


@dataclass(frozen=True)
class Missing(Probe):
    status: int = 400
    label: str = "required"

    def check(self, ctx: Ctx) -> None:
        answer = ctx.call(drop=ctx.pair.name)
        assert answer.status == self.status, (answer.status, answer.body)
        ctx.conforms(answer)


@dataclass(frozen=True)
class PathId(Probe):
    value: str = "00000000-0000-4000-8000-000000000000"
    status: int | None = None  # None: any 4xx the operation declares
    label: str = "path id"

    def check(self, ctx: Ctx) -> None:
        known = ctx.call()
        assert 200 <= known.status < 300, (known.status, known.body)
        other = ctx.call(params={ctx.pair.name: self.value})
        if self.status is None:
            declared = {s for s in ctx.pair.statuses if s.startswith("4")}
            assert str(other.status) in declared, (other.status, sorted(declared))
        else:
            assert other.status == self.status, (other.status, other.body)
        ctx.conforms(other)


@dataclass(frozen=True)
class Scopes(Probe):
    """Another value of a path parameter (another tenant) answers 2xx with other runs."""

    value: Value
    label: str = "scopes"

    def check(self, ctx: Ctx) -> None:
        here = ctx.call()
        there = ctx.call(params={ctx.pair.name: _resolve(self.value, ctx.sim)})
        assert 200 <= here.status < 300 and 200 <= there.status < 300, (here, there)
        assert here.body != there.body


@dataclass(frozen=True)
class Created(Probe):
    """A write under `value` makes a run that is read back under it and not under another."""

    read: str  # the GET template reading the run back
    run_id: str  # the pointer of the run id in the write's response
    value: str = "nightly-report"
    label: str = "names the run written"

    def check(self, ctx: Ctx) -> None:
        answer = ctx.call(params={ctx.pair.name: self.value})
        assert 200 <= answer.status < 300, (answer.status, answer.body)
        run = answer.body[self.run_id]
        params = {**ctx.params(), ctx.pair.name: self.value, "runId": run}
        assert send(ctx.sim, "GET", self.read, params, []).status == 200
        params[ctx.pair.name] = self.value + "-other"
        assert send(ctx.sim, "GET", self.read, params, []).status == 404


@dataclass(frozen=True)
class Echoed(Probe):
    """A write under a path value makes a run that carries it at `pointer`."""

    pointer: str
    value: Value
    label: str = "names the run written"

    def check(self, ctx: Ctx) -> None:
        value = _resolve(self.value, ctx.sim)
        answer = ctx.call(params={ctx.pair.name: value})
        assert 200 <= answer.status < 300, (answer.status, answer.body)
        node = answer.body
        for token in self.pointer.split("/")[1:]:
            node = node[token]
        assert node == value


def pool(name: str, k: int = 0) -> Callable[[Simulator], str]:
    return lambda sim: sim.store.pools[name][k]


def first(pointer: Callable[[dict[str, Any]], Any]) -> Callable[[Simulator], str]:
    """A value read from the simulator's first run (a real id, a real key)."""

    def value(sim: Simulator) -> str:
        return str(pointer(sim.store.all()[0]))

    return value


def knock_cursor(name: str) -> Callable[[Simulator], str]:
    """The `page_info` cursor the second page of 5 carries."""

    def value(sim: Simulator) -> str:
        one = send(sim, "GET", "/v1/workflow_recipient_runs", {}, [("page_size", "5")])
        after = one.body["page_info"]["after"]
        two = send(
            sim, "GET", "/v1/workflow_recipient_runs", {}, [("page_size", "5"), ("after", after)]
        )
        return f"{name}={two.body['page_info'][name]}"

    return value


def middle(pointer: str, *, offset: bool = True) -> Callable[[Simulator], str]:
    """The median instant at `pointer` of the stored runs (without its offset: Paragon's form)."""

    def value(sim: Simulator) -> str:
        runs = sorted(r[pointer] for r in sim.store.all() if r.get(pointer))
        moment = runs[len(runs) // 2]
        return moment if offset else moment[:19]

    return value


def prefixed(name: str, value: Value) -> Callable[[Simulator], str]:
    return lambda sim: f"{name}={_resolve(value, sim)}"


# -- the table --------------------------------------------------------------------------------

_H = "hatchet GET /api/v1/stable"
_HL = f"{_H}/tenants/{{tenant}}/workflow-runs"
_HX = f"{_H}/tenants/{{tenant}}/workflow-runs/external-ids"
_UUID = "00000000-0000-4000-8000-000000000000"
_K = "knock GET /v1/workflow_recipient_runs"
_P = "paragon GET /projects/{projectId}/task-history/workflow-executions"
_PR = "paragon POST /projects/{projectId}/task-history/workflow-executions/{executionId}/replay"
_X = "xceptor GET /workflows/{workflowId}/runs"
_XR = "/workflows/{workflowId}/runs/{runId}"


def _hatchet_tenant(sim: Simulator) -> dict[str, str]:
    return {"tenant": sim.store.pools["tenant"][0]}


def _hatchet_window(sim: Simulator) -> list[tuple[str, str]]:
    return [("since", SINCE), ("only_tasks", "false")]


def _hatchet_lists(prefix: str) -> dict[str, tuple[Probe, ...]]:
    """The query parameters the run list and external-ids share."""
    return {
        f"{prefix} path:tenant": (PathId("not-a-uuid", status=400), Scopes(pool("tenant", 1))),
        f"{prefix} query:statuses": (Changes("statuses=COMPLETED"), Refused("statuses=DONE")),
        f"{prefix} query:since": (
            Missing(),
            Changes(prefixed("since", middle("createdAt"))),
            Refused("since=yesterday"),
        ),
        f"{prefix} query:until": (
            Changes(prefixed("until", middle("createdAt"))),
            Refused("until=tomorrow"),
        ),
        f"{prefix} query:additional_metadata": (Changes("additional_metadata=env:prod"),),
        f"{prefix} query:workflow_ids": (
            Changes(prefixed("workflow_ids", pool("workflow"))),
            Refused("workflow_ids=wf-1"),
        ),
        f"{prefix} query:running_filter": (
            Changes("running_filter=EVICTED"),
            Refused("running_filter=SOMETIMES"),
        ),
    }


EFFECTS: dict[str, tuple[Probe, ...]] = {
    # -- Hatchet (helper A is rebuilding it: entries as observed; failures are reported) --
    **_hatchet_lists(_HL),
    f"{_HL} query:offset": (Changes("offset=3", "pages"), Refused("offset=three")),
    f"{_HL} query:limit": (Changes("limit=2", "pages"), Refused("limit=two")),
    f"{_HL} query:additional_metadata_operator": (
        Changes(
            "additional_metadata=env:prod&additional_metadata=team:team-1"
            "&additional_metadata_operator=AND"
        ),
        Refused("additional_metadata_operator=XOR"),
    ),
    f"{_HL} query:worker_id": (
        Changes(lambda sim: f"worker_id={_pool_uuid('worker')}"),
        Refused("worker_id=w-1"),
    ),
    f"{_HL} query:only_tasks": (Missing(), Changes("only_tasks=true"), Refused("only_tasks=maybe")),
    f"{_HL} query:parent_task_external_id": (
        Changes(
            prefixed(
                "parent_task_external_id", first(lambda r: r.get("parentTaskExternalId") or _UUID)
            )
        ),
        Refused("parent_task_external_id=123"),
    ),
    f"{_HL} query:triggering_event_external_id": (
        Changes(lambda sim: f"triggering_event_external_id={_pool_uuid('event')}"),
        Refused("triggering_event_external_id=e"),
    ),
    f"{_HL} query:include_payloads": (
        Changes("include_payloads=false"),
        Refused("include_payloads=no"),
    ),
    f"{_HL} query:idempotency_keys": (Changes("idempotency_keys=no-such-key"),),
    **_hatchet_lists(_HX),
    f"{_HL}/display-names path:tenant": (
        PathId("not-a-uuid", status=400),
        Scopes(pool("tenant", 1)),
    ),
    f"{_HL}/display-names query:external_ids": (
        Missing(),
        Changes(lambda sim: f"external_ids={_tenant_runs(sim)[0]}"),
        Refused("external_ids=run-1"),
    ),
    "hatchet POST /api/v1/stable/tenants/{tenant}/workflow-runs/trigger path:tenant": (
        Echoed("/run/tenantId", pool("tenant")),
        PathId("not-a-uuid", status=400),
    ),
    f"{_H}/workflow-runs/{{v1-workflow-run}} path:v1-workflow-run": (PathId(),),
    f"{_H}/workflow-runs/{{v1-workflow-run}}/status path:v1-workflow-run": (PathId(),),
    f"{_H}/workflow-runs/{{v1-workflow-run}}/task-events path:v1-workflow-run": (PathId(),),
    f"{_H}/workflow-runs/{{v1-workflow-run}}/task-events query:offset": (Refused("offset=x"),),
    f"{_H}/workflow-runs/{{v1-workflow-run}}/task-events query:limit": (Refused("limit=x"),),
    f"{_H}/workflow-runs/{{v1-workflow-run}}/task-timings path:v1-workflow-run": (PathId(),),
    f"{_H}/workflow-runs/{{v1-workflow-run}}/task-timings query:depth": (Refused("depth=x"),),
    f"{_H}/tasks/{{task}} path:task": (PathId(),),
    f"{_H}/tasks/{{task}} query:attempt": (Refused("attempt=first"),),
    f"{_H}/tasks/{{task}}/task-events path:task": (PathId(),),
    f"{_H}/tasks/{{task}}/task-events query:offset": (Refused("offset=x"),),
    f"{_H}/tasks/{{task}}/task-events query:limit": (Refused("limit=x"),),
    f"{_H}/dags/tasks query:dag_ids": (Missing(), Refused("dag_ids=dag-1")),
    f"{_H}/dags/tasks query:tenant": (Missing(), Refused("tenant=t-1")),
    # -- Knock --
    "knock GET /v1/workflow_recipient_runs/{id} path:id": (PathId(status=404),),
    f"{_K} query:after": (Changes(knock_cursor("after"), "pages"), Nowhere("after=garbage")),
    f"{_K} query:before": (Changes(knock_cursor("before"), "pages"), Nowhere("before=garbage")),
    f"{_K} query:page_size": (Changes("page_size=5", "pages"), Refused("page_size=ten")),
    f"{_K} query:workflow": (Changes("workflow=workflow-1"),),
    f"{_K} query:status[]": (Changes("status[]=completed"), Refused("status[]=failed")),
    f"{_K} query:tenant": (Changes("tenant=tenant-1"),),
    f"{_K} query:has_errors": (Changes("has_errors=true"), Refused("has_errors=yes")),
    f"{_K} query:recipient": (
        Changes("recipient=user-1"),
        Changes("recipient[id]=project-1&recipient[collection]=projects"),
        Refused("recipient[id]=project-1"),
        Refused("id=project-1&collection=projects"),
    ),
    f"{_K} query:starting_at": (
        Changes(prefixed("starting_at", middle("inserted_at"))),
        Refused("starting_at=not-a-date"),
    ),
    f"{_K} query:ending_at": (
        Changes(prefixed("ending_at", middle("inserted_at"))),
        Refused("ending_at=2025-01-01T00:00:00"),
    ),
    # -- Paragon --
    f"{_P} path:projectId": (PathId("project-2", status=401),),
    f"{_P} query:integration": (Changes("integration=salesforce"),),
    f"{_P} query:workflowId": (Changes(prefixed("workflowId", pool("workflow"))),),
    f"{_P} query:userId": (Changes("userId=user-1"),),
    f"{_P} query:status": (Changes("status=FAILED"), Refused("status=RUNNING")),
    f"{_P} query:afterDate": (
        Changes(prefixed("afterDate", middle("dateStarted", offset=False))),
        Changes(prefixed("afterDate", middle("dateStarted"))),
        Refused("afterDate=not-a-date"),
    ),
    f"{_P} query:beforeDate": (
        Changes(prefixed("beforeDate", middle("dateStarted", offset=False))),
        Refused("beforeDate=2023-02-30T00:00:00"),
    ),
    f"{_P} query:sortBy": (Changes("sortBy=DESC", "sorts"), Refused("sortBy=up")),
    f"{_P} query:offset": (Changes("offset=5", "pages"), Refused("offset=ten")),
    f"{_PR} path:projectId": (PathId("project-2", status=401),),
    f"{_PR} path:executionId": (PathId(status=404),),
    # -- Restack (helper B adds agent runs: entries as observed) --
    "restack POST /api/workflows/{workflowName} path:workflowName": (
        Created("/api/workflows/{workflowName}/{runId}", "runId"),
    ),
    "restack GET /api/workflows/{workflowName}/{runId} path:workflowName": (
        PathId("another-workflow", status=404),
    ),
    "restack GET /api/workflows/{workflowName}/{runId} path:runId": (PathId("run_x", status=404),),
    "restack POST /api/agents/{agentName} path:agentName": (
        Created("/api/agents/{agentName}/{runId}", "runId"),
    ),
    "restack GET /api/agents/{agentName}/{runId} path:agentName": (
        PathId("another-agent", status=404),
    ),
    "restack GET /api/agents/{agentName}/{runId} path:runId": (PathId("run_x", status=404),),
    # -- Xceptor --
    f"{_X} path:workflowId": (PathId(status=404),),
    f"{_X} query:page": (Changes("page=2", "pages"), Refused("page=two")),
    f"{_X} query:page_size": (Changes("page_size=3", "pages"), Refused("page_size=1.5")),
    f"{_X} query:status": (Changes("status=completed"), Refused("status=done")),
    "xceptor POST /workflows/{workflowId}/runs path:workflowId": (
        Echoed("/workflow_id", pool("workflow")),
        PathId("not-a-uuid", status=400),
    ),
    f"xceptor GET {_XR} path:workflowId": (PathId(status=404),),
    f"xceptor GET {_XR} path:runId": (PathId(status=404),),
    f"xceptor DELETE {_XR} path:workflowId": (PathId(status=404),),
    f"xceptor DELETE {_XR} path:runId": (PathId(status=404),),
}


def _tenant_runs(sim: Simulator) -> list[str]:
    """The ids of the first tenant's runs."""
    tenant = sim.store.pools["tenant"][0]
    return [str(r["metadata"]["id"]) for r in sim.store.all() if r["tenantId"] == tenant]


def _pool_uuid(name: str) -> str:
    from conformance.simulator.facets import pool_uuid

    return pool_uuid(0, name, 0)


#: The base request of an operation, where it needs more than the known path ids.
BASES: dict[str, Base] = {
    _HL.removeprefix("hatchet "): Base(_hatchet_window, _hatchet_tenant),
    _HX.removeprefix("hatchet "): Base(lambda sim: [("since", SINCE)], _hatchet_tenant),
    f"{_HL}/display-names".removeprefix("hatchet "): Base(
        lambda sim: [("external_ids", run_id) for run_id in _tenant_runs(sim)[:2]],
        _hatchet_tenant,
    ),
    "POST /api/v1/stable/tenants/{tenant}/workflow-runs/trigger": Base(
        body={"workflowName": "nightly", "input": {}}
    ),
    "GET /api/v1/stable/dags/tasks": Base(
        lambda sim: [
            ("dag_ids", str(sim.store.all()[0]["metadata"]["id"])),
            ("tenant", sim.store.pools["tenant"][0]),
        ]
    ),
    "POST /api/workflows/{workflowName}": Base(body={"input": {}}),
    "POST /api/agents/{agentName}": Base(body={"input": {}}),
    "GET /workflows/{workflowId}/runs": Base(lambda sim: [("page_size", "5")]),
    "POST /workflows/{workflowId}/runs": Base(body={"parameters": {}}),
}

PAIRS = contract_pairs()


def _label(pair: Pair) -> str:
    if pair.operation.partition(" ")[2] in not_served(pair.vendor):
        return "not served (501)"
    probes = EFFECTS.get(pair.key)
    if probes is None:
        return "UNKNOWN"
    return ", ".join(dict.fromkeys(p.label for p in probes))


@pytest.fixture(scope="module")
def simulators() -> Iterator[dict[str, Simulator]]:
    sims: dict[str, Simulator] = {}
    try:
        for vendor in sorted({p.vendor for p in PAIRS}):
            sims[vendor] = start(vendor, speed=0, runs=RUNS, token=TOKEN)
        yield sims
    finally:
        for sim in sims.values():
            sim.stop()


@pytest.mark.parametrize("pair", PAIRS, ids=[f"{p.key} [{_label(p)}]" for p in PAIRS])
def test_every_parameter_has_an_observed_effect(
    pair: Pair, simulators: dict[str, Simulator]
) -> None:
    sim = simulators[pair.vendor]
    operation = pair.operation.partition(" ")[2]
    reason = not_served(pair.vendor).get(operation)
    if reason is not None:
        ctx = Ctx(sim, pair, BASES.get(operation, Base()))
        answer = ctx.call()
        assert answer.status == 501, (answer.status, answer.body)
        assert reason in json.dumps(answer.body)
        return
    probes = EFFECTS.get(pair.key)
    assert probes is not None, f"no effect recorded for {pair.key}: add it to EFFECTS"
    ctx = Ctx(sim, pair, BASES.get(operation, Base()))
    for probe in probes:
        probe.check(ctx)


def test_the_table_names_only_contract_pairs() -> None:
    known = {p.key for p in PAIRS}
    assert sorted(set(EFFECTS) - known) == []
