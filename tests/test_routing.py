"""Routing recorded exchanges through the vendor contracts: real contracts, then rules."""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType

import pytest
import yaml

from conformance.errors import UsageError
from conformance.validation import routing
from conformance.validation.routing import (
    Operation,
    ResponseSpec,
    load_operations,
    route,
    url_problem,
)

UUID = "707d0855-80ab-4e1f-a156-f1c4546cbf52"
HATCHET_HOST = "https://app.hatchet.run"  # Hatchet declares `servers: [{url: ''}]`


def concrete_url(op: Operation, *, with_host: bool = True) -> str:
    """A realistic URL for an operation: its server, filled template, a query string."""
    server = next((s for s in op.servers if "://" in s), HATCHET_HOST)
    path = re.sub(r"\{[^}]+\}", UUID, op.path_template)
    query = "?since=2026-11-20T00%3A00%3A00Z&limit=5&only_tasks=false"
    if not with_host:
        server = re.sub(r"^[a-z]+://[^/]+", "", server)
    return server.rstrip("/") + path + query


def first_status(op: Operation) -> int:
    return int(next(s for s in op.declared_statuses if s.isdigit()))


ALL_OPERATIONS = load_operations()


def test_every_vendor_with_an_openapi_source_has_operations() -> None:
    assert {op.vendor for op in ALL_OPERATIONS} == {
        "hatchet",
        "knock",
        "paragon",
        "restack",
        "xceptor",
    }
    assert load_operations("canonical") == ()
    assert len([op for op in ALL_OPERATIONS if op.vendor == "hatchet"]) == 18


@pytest.mark.parametrize("with_host", [True, False], ids=["url", "path"])
@pytest.mark.parametrize("op", ALL_OPERATIONS, ids=lambda op: f"{op.vendor}:{op.operation_id}")
def test_every_operation_routes_from_a_concrete_url(op: Operation, with_host: bool) -> None:
    status = first_status(op)
    found = route(op.method.lower(), concrete_url(op, with_host=with_host), status)
    assert found is not None
    assert found.operation == op
    assert found.response == op.responses[str(status)]
    assert found.problems == ()


# method, URL, status -> vendor, operationId, schema, unbundled_ref
EXPECTED = [
    (
        "GET",
        f"https://app.hatchet.run/api/v1/stable/tenants/{UUID}/workflow-runs"
        "?since=2026-11-20T00:00:00Z&only_tasks=false",
        200,
        ("hatchet", "v1-workflow-run:list", "hatchet.V1TaskSummaryList", None),
    ),
    (
        "GET",
        f"/api/v1/stable/workflow-runs/{UUID}/status",
        200,
        ("hatchet", "v1-workflow-run:get-status", "hatchet.V1TaskStatus", None),
    ),
    (
        "GET",
        f"/api/v1/stable/tenants/{UUID}/workflow-runs/display-names?external_ids={UUID}",
        200,
        (
            "hatchet",
            "v1-workflow-run:display-names:list",
            "hatchet.V1WorkflowRunDisplayNameList",
            None,
        ),
    ),
    (
        "POST",
        f"/api/v1/tenants/{UUID}/workflows/cancel",
        200,
        (
            "hatchet",
            "workflow-run:cancel",
            None,
            "hatchet/hatchet-api.openapi.json#/paths/~1api~1v1~1tenants~1{tenant}"
            "~1workflows~1cancel/post/responses/200/content/application~1json/schema",
        ),
    ),
    (  # the second Hatchet document's APIErrors is the same text as the bundled one
        "POST",
        "/api/v1/workflows/send-invoice/trigger",
        403,
        ("hatchet", "workflow-run:create", "hatchet.APIErrors", None),
    ),
    (
        "GET",
        "https://api.knock.app/v1/workflow_recipient_runs/0f8fad5b-d9cb-469f-a165-70867728950e",
        200,
        ("knock", "getWorkflowRecipientRun", "knock.WorkflowRecipientRunDetail", None),
    ),
    (
        "GET",
        "https://api.knock.app/v1/workflow_recipient_runs?page_size=25&after=g3QAAAABZAAC",
        200,
        ("knock", "listWorkflowRecipientRuns", "knock.ListWorkflowRecipientRunsResponse", None),
    ),
    (
        "GET",
        "https://actionkit.useparagon.com/projects/p-1/task-history/workflow-executions",
        200,
        ("paragon", "getWorkflowExecutions", "paragon.WorkflowExecutionList", None),
    ),
    (  # declared without content: no schema, nothing unbundled
        "GET",
        "https://actionkit.useparagon.com/projects/p-1/task-history/workflow-executions",
        401,
        ("paragon", "getWorkflowExecutions", None, None),
    ),
    (
        "GET",
        "http://localhost:6233/api/workflows/summarizeTicket/0192f4a1-8c3e",
        200,
        ("restack", "getWorkflowRun", "restack.WorkflowRunStatus", None),
    ),
    (
        "POST",
        "https://api.restack.io/api/workflows/summarizeTicket",
        200,
        ("restack", "scheduleWorkflow", "restack.WorkflowRunResponse", None),
    ),
    (  # the server base path /v1 ...
        "GET",
        "https://api.xceptor.com/v1/workflows/wf-1/runs?page=2",
        200,
        ("xceptor", "listWorkflowRuns", "xceptor.WorkflowRunList", None),
    ),
    (  # ... is tolerated when the recording carries it, on any host
        "GET",
        "http://proxy.internal/v1/workflows/wf-1/runs/run-9",
        404,
        ("xceptor", "getWorkflowRun", "xceptor.Error", None),
    ),
    (  # ... and when it does not
        "DELETE",
        "/workflows/wf-1/runs/run-9",
        200,
        ("xceptor", "cancelWorkflowRun", "xceptor.WorkflowRun", None),
    ),
    (
        "POST",
        "/v1/workflows/wf-1/runs",
        201,
        ("xceptor", "executeWorkflow", "xceptor.WorkflowRun", None),
    ),
]


@pytest.mark.parametrize(("method", "url", "status", "expected"), EXPECTED)
def test_known_exchanges_route_to_their_schema(
    method: str, url: str, status: int, expected: tuple[str, str, str | None, str | None]
) -> None:
    found = route(method, url, status)
    assert found is not None
    op = found.operation
    assert found.response is not None
    got = (op.vendor, op.operation_id, found.schema, found.response.unbundled_ref)
    assert got == expected
    assert found.problems == ()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/"),
        ("GET", "https://app.hatchet.run/api"),
        ("GET", f"/api/v1/stable/tenants/{UUID}/workflow-runs/{UUID}/extra"),
        ("GET", "https://api.knock.app/v2/workflow_recipient_runs"),
        ("PUT", "https://api.knock.app/v1/workflow_recipient_runs/abc"),  # method not declared
        ("GET", "https://api.knock.app/api/workflows/a/b"),  # Restack path on Knock's host
        ("GET", "/api/workflows//run-1"),  # a template needs a non-empty segment
        ("GET", "/v1/workflows/wf-1/runs/run-9/steps"),
        ("GET", "/v2/workflows/wf-1/runs"),  # not Xceptor's base path
    ],
)
def test_unknown_exchanges_do_not_route(method: str, url: str) -> None:
    assert route(method, url, 200) is None


# method, URL, status, content type -> problems
PROBLEMS = [
    (
        "GET",
        "https://api.xceptor.com/v1/workflows/wf-1/runs",
        418,
        None,
        (
            "status 418 is not declared for GET /workflows/{workflowId}/runs "
            "(declared: 200, 401, 404)",
        ),
    ),
    (
        "GET",
        "https://api.knock.app/v1/workflow_recipient_runs/abc",
        500,
        "application/json",
        (
            "status 500 is not declared for GET /v1/workflow_recipient_runs/{id} (declared: 200, 404)",
        ),
    ),
    (
        "GET",
        f"/api/v1/stable/tenants/{UUID}/workflow-runs",
        200,
        "text/html",
        ("content type text/html is not declared (declared: application/json)",),
    ),
    (
        "GET",
        f"/api/v1/stable/tenants/{UUID}/workflow-runs",
        200,
        "Application/JSON; charset=utf-8",
        (),
    ),
    (
        "GET",
        "https://actionkit.useparagon.com/projects/p-1/task-history/workflow-executions",
        429,
        "application/json; charset=utf-8",
        ("content type application/json is not declared (declared: none)",),
    ),
]


@pytest.mark.parametrize(("method", "url", "status", "content_type", "problems"), PROBLEMS)
def test_undeclared_status_and_content_type_are_reported(
    method: str, url: str, status: int, content_type: str | None, problems: tuple[str, ...]
) -> None:
    found = route(method, url, status, content_type=content_type)
    assert found is not None
    assert found.problems == problems
    if problems and problems[0].startswith("status"):
        assert found.response is None


def test_unrecorded_status_routes_without_a_response() -> None:
    found = route("GET", "https://api.xceptor.com/v1/workflows/wf-1/runs", None)
    assert found is not None
    assert (found.operation.operation_id, found.response, found.problems) == (
        "listWorkflowRuns",
        None,
        (),
    )


def test_vendor_filter_and_unknown_vendor() -> None:
    assert route("GET", "/v1/workflows/wf-1/runs", 200, vendor="knock") is None
    assert route("GET", "/v1/workflows/wf-1/runs", 200, vendor="xceptor") is not None
    with pytest.raises(UsageError, match="unknown vendor 'nope'"):
        route("GET", "/", 200, vendor="nope")


def test_operations_are_immutable() -> None:
    op = ALL_OPERATIONS[0]
    assert isinstance(op.responses, MappingProxyType)
    with pytest.raises(TypeError):
        op.responses["999"] = op.responses["200"]  # type: ignore[index]
    assert len(set(ALL_OPERATIONS)) == len(ALL_OPERATIONS)


# -- the rules, on a made-up contracts tree --------------------------------------------------

ALPHA = {
    "openapi": "3.1.0",
    "info": {"title": "alpha", "version": "1"},
    "servers": [{"url": "https://alpha.example.test/base"}],
    "paths": {
        "/things/{id}": {
            "get": {
                "operationId": "getThing",
                "responses": {
                    "200": {"description": "ok", "content": {"application/*": {}}},
                    "4xx": {
                        "description": "client error",
                        "content": {"application/problem+json": {"schema": {"type": "object"}}},
                    },
                    "default": {"description": "anything else"},
                },
            }
        },
        "/things/special": {
            "get": {
                "operationId": "getSpecial",
                "responses": {"5XX": {"description": "e"}, "404": {"description": "n"}, "200": {}},
            }
        },
        "/things/{id}/parts/first": {"get": {"operationId": "firstPart", "responses": {}}},
        "/things/special/parts/{part}": {"get": {"operationId": "specialPart", "responses": {}}},
        "/files/{name}.json": {"get": {"operationId": "getFile", "responses": {}}},
    },
}
BETA = {
    "openapi": "3.1.0",
    "info": {"title": "beta", "version": "1"},
    "servers": [{"url": "https://beta.example.test"}],
    "paths": {"/things/{thingId}": {"get": {"operationId": "betaThing", "responses": {}}}},
}


@pytest.fixture(scope="module")
def made_up_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("contracts")
    for vendor, document in (("alpha", ALPHA), ("beta", BETA)):
        (root / vendor).mkdir()
        (root / vendor / "api.openapi.yml").write_text(yaml.safe_dump(document))
        manifest = {
            "vendor": vendor,
            "sources": [
                {
                    "file": "api.openapi.yml",
                    "kind": "openapi",
                    "original": "made up",
                    "upstream": "made up",
                    "taken": "2026-11-22",
                    "openapi_declared": "3.1.0",
                }
            ],
            "objects": [],
        }
        (root / vendor / "manifest.yaml").write_text(yaml.safe_dump(manifest))
    return root


@pytest.fixture
def made_up(made_up_tree: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Route through the made-up tree instead of the bundled contracts."""
    monkeypatch.setattr(routing, "contracts_dir", lambda: made_up_tree)
    return made_up_tree


# path -> operationId chosen (with `alpha` winning the cross-vendor tie by order)
PRECEDENCE = [
    ("/base/things/special", "getSpecial"),
    ("/things/special", "getSpecial"),  # literal beats template
    ("/things/spe%63ial", "getSpecial"),  # decoded before matching
    ("/things/special/", "getSpecial"),
    ("/things/a%2Fb", "getThing"),  # %2F stays inside its segment
    ("/things/special/parts/first", "specialPart"),  # the leftmost literal decides
    ("/things/other/parts/first", "firstPart"),
    ("/base/files/report.json", "getFile"),
]


@pytest.mark.parametrize(("path", "operation_id"), PRECEDENCE)
def test_literal_segments_beat_templates(made_up: Path, path: str, operation_id: str) -> None:
    found = route("GET", "https://alpha.example.test" + path, None)
    assert found is not None
    assert found.operation.operation_id == operation_id


def test_template_segments_keep_their_literal_parts(made_up: Path) -> None:
    assert route("GET", "/files/report.txt", 200) is None


def test_cross_vendor_tie_is_reported_and_settled_by_host_or_vendor(made_up: Path) -> None:
    tied = route("GET", "/things/abc", None)
    assert tied is not None
    assert tied.operation.operation_id == "getThing"
    assert tied.problems == (
        "also matches beta GET /things/{thingId} (beta/api.openapi.yml); pass vendor= to choose",
    )
    by_host = route("GET", "https://beta.example.test/things/abc", None)
    by_vendor = route("GET", "/things/abc", None, vendor="beta")
    for found in (by_host, by_vendor):
        assert found is not None
        assert (found.operation.operation_id, found.problems) == ("betaThing", ())


# status, content type -> selected status key, problems
STATUSES = [
    (200, "application/xml", "200", ()),  # `application/*` accepts it
    (404, "application/problem+json", "4XX", ()),  # the range, written `4xx`
    (
        404,
        "application/json",
        "4XX",
        ("content type application/json is not declared (declared: application/problem+json)",),
    ),
    (503, None, "default", ()),
]


@pytest.mark.parametrize(("status", "content_type", "key", "problems"), STATUSES)
def test_status_exact_then_range_then_default(
    made_up: Path, status: int, content_type: str | None, key: str, problems: tuple[str, ...]
) -> None:
    found = route("GET", "/base/things/abc", status, content_type=content_type)
    assert found is not None
    assert found.response is not None
    assert (found.response.status, found.problems) == (key, problems)


def test_inline_schema_and_declared_order(made_up: Path) -> None:
    found = route("GET", "/base/things/abc", 400)
    assert found is not None
    assert found.response == ResponseSpec(
        "4XX",
        ("application/problem+json",),
        None,
        "alpha/api.openapi.yml#/paths/~1things~1{id}/get/responses/4xx/content/"
        "application~1problem+json/schema",
    )
    special = route("GET", "/things/special", 302)
    assert special is not None
    assert special.problems == (
        "status 302 is not declared for GET /things/special (declared: 200, 404, 5XX)",
    )
    assert special.operation.declared_statuses == ("200", "404", "5XX")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://[::1/api/v1/stable/workflow-runs/" + UUID, "Invalid IPv6 URL"),
        ("http://::1]/runs", "Invalid IPv6 URL"),
        ("http://[zz]/runs", "'zz' does not appear to be an IPv4 or IPv6 address"),
        (concrete_url(ALL_OPERATIONS[0]), None),
        ("/api/v1/stable/workflow-runs/" + UUID, None),
    ],
)
def test_an_unparseable_url_routes_nowhere_and_says_why(url: str, problem: str | None) -> None:
    """A recorded URL is user input: one urlsplit refuses is a finding, never a crash."""
    assert url_problem(url) == problem
    if problem:
        assert route("GET", url, 200) is None
