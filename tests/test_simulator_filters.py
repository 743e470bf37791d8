"""Issue 14 item 1: every list filter the Knock and Hatchet contracts declare is applied.

Each filter, against a real simulator on 127.0.0.1, must list exactly the runs of the
unfiltered list that satisfy it (in order): a strict, non-empty subset, the complement
excluded. A value the simulator cannot read is refused with 400 and an exact message.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from conformance.simulator import Simulator, start
from conformance.validation.engine import validate
from conformance.validation.routing import route

SINCE = "2000-01-01T00:00:00Z"
RUNS = 40
Run = dict[str, Any]


def call(sim: Simulator, path: str) -> tuple[int, Any]:
    """(status, JSON body) of a GET; a 2xx or Hatchet's 400 must conform to the contract."""
    try:
        with urllib.request.urlopen(sim.url + path, timeout=5) as response:
            status, media, raw = response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        status, media, raw = error.code, error.headers["Content-Type"], error.read()
    body = json.loads(raw)
    if status == 200 or sim.vendor == "hatchet":
        routed = route("GET", path, status, content_type=media, vendor=sim.vendor)
        assert routed is not None and routed.problems == (), (path, routed)
        assert routed.schema is not None
        assert validate(body, routed.schema, strict=True).findings == (), path
    return status, body


@pytest.fixture(scope="module")
def knock() -> Iterator[Simulator]:
    with start("knock", speed=0, runs=RUNS) as sim:
        yield sim


@pytest.fixture(scope="module")
def hatchet() -> Iterator[Simulator]:
    with start("hatchet", speed=0, runs=RUNS) as sim:
        yield sim


def hatchet_list(sim: Simulator, query: str) -> str:
    tenant = sim.store.pools["tenant"][0]
    return f"/api/v1/stable/tenants/{tenant}/workflow-runs?since={SINCE}&limit=1000{query}"


def pool(name: str, k: int) -> str:
    """A value of the simulator's hidden pools (the worker a task ran on, its event)."""
    from conformance.simulator.facets import pool_uuid  # new in item 1: imported here

    return pool_uuid(0, name, k)


def hidden(name: str, run: Run) -> str | None:
    from conformance.simulator.facets import event_of, worker_of

    return (worker_of if name == "worker" else event_of)(0, run)


def first_parent(rows: list[Run]) -> str:
    return next(str(r["parentTaskExternalId"]) for r in rows if r.get("parentTaskExternalId"))


PROJECT = {"id": "project-1", "collection": "projects"}
# (query, predicate on a run)
KNOCK_FILTERS: list[tuple[str, Callable[[Run], bool]]] = [
    ("has_errors=true", lambda r: r["error_count"] > 0),
    ("has_errors=false", lambda r: r["error_count"] == 0),
    ("recipient=user-1", lambda r: r["recipient"] == "user-1"),
    ("recipient[id]=project-1&recipient[collection]=projects", lambda r: r["recipient"] == PROJECT),
    (
        "recipient%5Bid%5D=project-1&recipient%5Bcollection%5D=projects",
        lambda r: r["recipient"] == PROJECT,
    ),
]


@pytest.mark.parametrize(("query", "wanted"), KNOCK_FILTERS, ids=[q for q, _ in KNOCK_FILTERS])
def test_knock_filter_lists_exactly_the_matching_runs(
    knock: Simulator, query: str, wanted: Callable[[Run], bool]
) -> None:
    status, everything = call(knock, "/v1/workflow_recipient_runs?page_size=100")
    assert status == 200
    status, body = call(knock, f"/v1/workflow_recipient_runs?page_size=100&{query}")
    assert status == 200
    listed, expected = body["items"], [r for r in everything["items"] if wanted(r)]
    assert listed == expected
    assert 0 < len(listed) < len(everything["items"])


# (query as a function of the unfiltered rows, predicate on (row))
HATCHET_FILTERS: list[tuple[str, Callable[[list[Run]], str], Callable[[Run, list[Run]], bool]]] = [
    (
        "additional_metadata",
        lambda rows: "&additional_metadata=env:prod",
        lambda r, rows: r["additionalMetadata"].get("env") == "prod",
    ),
    (
        "additional_metadata-or",
        lambda rows: "&additional_metadata=env:prod&additional_metadata=team:team-1",
        lambda r, rows: (
            r["additionalMetadata"].get("env") == "prod"
            or r["additionalMetadata"].get("team") == "team-1"
        ),
    ),
    (
        "additional_metadata-and",
        lambda rows: (
            "&additional_metadata=env:prod&additional_metadata=team:team-1"
            "&additional_metadata_operator=AND"
        ),
        lambda r, rows: (
            r["additionalMetadata"].get("env") == "prod"
            and r["additionalMetadata"].get("team") == "team-1"
        ),
    ),
    (
        "worker_id",
        lambda rows: f"&worker_id={pool('worker', 0)}",
        lambda r, rows: hidden("worker", r) == pool("worker", 0),
    ),
    (
        "parent_task_external_id",
        lambda rows: f"&parent_task_external_id={first_parent(rows)}",
        lambda r, rows: r.get("parentTaskExternalId") == first_parent(rows),
    ),
    (
        "triggering_event_external_id",
        lambda rows: f"&triggering_event_external_id={pool('event', 0)}",
        lambda r, rows: hidden("event", r) == pool("event", 0),
    ),
    ("only_tasks", lambda rows: "&only_tasks=true", lambda r, rows: r["type"] == "TASK"),
    (
        "additional_metadata-without-colon",
        lambda rows: "&additional_metadata=env&additional_metadata=env:prod",
        lambda r, rows: r["additionalMetadata"].get("env") == "prod",
    ),
]


@pytest.mark.parametrize(
    ("name", "query", "wanted"), HATCHET_FILTERS, ids=[n for n, _, _ in HATCHET_FILTERS]
)
def test_hatchet_filter_lists_exactly_the_matching_runs(
    hatchet: Simulator,
    name: str,
    query: Callable[[list[Run]], str],
    wanted: Callable[[Run, list[Run]], bool],
) -> None:
    status, everything = call(hatchet, hatchet_list(hatchet, "&only_tasks=false"))
    assert status == 200
    rows = everything["rows"]
    extra = query(rows).replace("&only_tasks=true", "")
    only = "true" if name == "only_tasks" else "false"
    status, body = call(hatchet, hatchet_list(hatchet, f"&only_tasks={only}{extra}"))
    assert status == 200
    expected = [r for r in rows if wanted(r, rows)]
    assert body["rows"] == expected
    assert 0 < len(expected) < len(rows)


def test_hatchet_include_payloads_false_empties_input_and_output(hatchet: Simulator) -> None:
    _, everything = call(hatchet, hatchet_list(hatchet, "&only_tasks=false"))
    status, body = call(hatchet, hatchet_list(hatchet, "&only_tasks=false&include_payloads=false"))
    assert status == 200
    assert any(r["input"] or r["output"] for r in everything["rows"])
    stripped = [{**r, "input": {}, "output": {}} for r in everything["rows"]]
    assert body["rows"] == stripped


def knock_refusal(message: str) -> dict[str, Any]:
    return {"code": "invalid_params", "message": message, "status": 400}


NO_OFFSET = "is not an RFC 3339 date-time with an offset (e.g. 2025-01-01T00:00:00Z)"
KNOCK_MALFORMED = [
    ("starting_at=not-a-date", f"starting_at 'not-a-date' {NO_OFFSET}"),
    ("ending_at=2025-01-01T00:00:00", f"ending_at '2025-01-01T00:00:00' {NO_OFFSET}"),
    ("has_errors=yes", "has_errors 'yes' is not a boolean: write true or false"),
    ("recipient[id]=project-1", "recipient[id] and recipient[collection] go together"),
    (
        "recipient=user-1&recipient[id]=p&recipient[collection]=c",
        "recipient is a user id (recipient=ID) or an object (recipient[id]=...), not both",
    ),
]


@pytest.mark.parametrize(("query", "message"), KNOCK_MALFORMED, ids=[q for q, _ in KNOCK_MALFORMED])
def test_knock_malformed_filter_is_refused(knock: Simulator, query: str, message: str) -> None:
    status, body = call(knock, f"/v1/workflow_recipient_runs?{query}")
    assert (status, body) == (400, knock_refusal(message))


HATCHET_MALFORMED = [
    ("", "only_tasks is required"),
    ("&only_tasks=maybe", "only_tasks 'maybe' is not a boolean: write true or false"),
    (
        "&only_tasks=false&include_payloads=no",
        "include_payloads 'no' is not a boolean: write true or false",
    ),
    ("&only_tasks=false&worker_id=w-1", "worker_id 'w-1' is not a uuid"),
    (
        "&only_tasks=false&parent_task_external_id=123",
        "parent_task_external_id '123' is not a uuid",
    ),
    (
        "&only_tasks=false&triggering_event_external_id=e",
        "triggering_event_external_id 'e' is not a uuid",
    ),
    (
        "&only_tasks=false&additional_metadata=env:prod&additional_metadata_operator=XOR",
        "additional_metadata_operator 'XOR' is not AND or OR",
    ),
]


@pytest.mark.parametrize(
    ("query", "message"),
    HATCHET_MALFORMED,
    ids=[q or "no-only_tasks" for q, _ in HATCHET_MALFORMED],
)
def test_hatchet_malformed_filter_is_refused(hatchet: Simulator, query: str, message: str) -> None:
    status, body = call(hatchet, hatchet_list(hatchet, query))
    assert (status, body) == (400, {"errors": [{"description": message}]})


def test_hatchet_metadata_text_without_colon_matches_no_run(hatchet: Simulator) -> None:
    status, body = call(hatchet, hatchet_list(hatchet, "&only_tasks=false&additional_metadata=env"))
    assert (status, body["rows"], body["pagination"]["num_pages"]) == (200, [], 0)


KNOCK_MALFORMED_PAGING = [
    ("page_size=ten", "page_size 'ten' is not an integer"),
    (
        "status[]=failed",
        "status[] 'failed' is not one of queued, processing, paused, completed, cancelled",
    ),
    (
        "id=project-1&collection=projects",
        "id is not a parameter of this list: a recipient object is written "
        "recipient[id]=...&recipient[collection]=...",
    ),
]


@pytest.mark.parametrize(
    ("query", "message"), KNOCK_MALFORMED_PAGING, ids=[q for q, _ in KNOCK_MALFORMED_PAGING]
)
def test_knock_malformed_paging_or_enum_is_refused_not_dropped(
    knock: Simulator, query: str, message: str
) -> None:
    status, body = call(knock, f"/v1/workflow_recipient_runs?{query}")
    assert (status, body) == (400, knock_refusal(message))


PARAGON_LIST = "/projects/project-1/task-history/workflow-executions"


@pytest.fixture(scope="module")
def paragon() -> Iterator[Simulator]:
    with start("paragon", speed=0, runs=RUNS) as sim:
        yield sim


@pytest.mark.parametrize(("integration", "workflows"), [("salesforce", (0, 2)), ("hubspot", (1,))])
def test_paragon_integration_lists_the_executions_of_its_workflows(
    paragon: Simulator, integration: str, workflows: tuple[int, ...]
) -> None:
    pool = paragon.store.pools["workflow"]
    _, everything = call(paragon, PARAGON_LIST)
    status, body = call(paragon, f"{PARAGON_LIST}?integration={integration}")
    expected = [
        r
        for r in everything["workflowExecutions"]
        if r["workflowId"] in {pool[k] for k in workflows}
    ]
    assert status == 200
    assert body["workflowExecutions"] == expected
    assert 0 < len(expected) < len(everything["workflowExecutions"])


def test_paragon_unknown_integration_matches_nothing(paragon: Simulator) -> None:
    status, body = call(paragon, f"{PARAGON_LIST}?integration=zendesk")
    assert (status, body) == (200, {"workflowExecutions": [], "nextLink": None})


PARAGON_MALFORMED = [
    ("status=RUNNING", "status 'RUNNING' is not one of SUCCEEDED, FAILED"),
    ("sortBy=up", "sortBy 'up' is not one of ASC, DESC"),
    ("offset=ten", "offset 'ten' is not an integer"),
]


@pytest.mark.parametrize(
    ("query", "message"), PARAGON_MALFORMED, ids=[q for q, _ in PARAGON_MALFORMED]
)
def test_paragon_malformed_value_is_refused(paragon: Simulator, query: str, message: str) -> None:
    assert call(paragon, f"{PARAGON_LIST}?{query}") == (400, {"message": message})


XCEPTOR_MALFORMED = [
    ("page=two", "page 'two' is not an integer"),
    ("page_size=1.5", "page_size '1.5' is not an integer"),
    ("status=done", "status 'done' is not one of pending, running, completed, failed, cancelled"),
]


@pytest.mark.parametrize(
    ("query", "message"), XCEPTOR_MALFORMED, ids=[q for q, _ in XCEPTOR_MALFORMED]
)
def test_xceptor_malformed_value_is_refused(query: str, message: str) -> None:
    with start("xceptor", speed=0, runs=RUNS) as sim:
        workflow = sim.store.pools["workflow"][0]
        status, body = call(sim, f"/workflows/{workflow}/runs?{query}")
    assert (status, body) == (400, {"code": "invalid_parameter", "message": message})


BIG = "1555148853513816064123456"  # 25 digits: a schema-valid integer, far past any page
HUGE_INTEGERS = [
    ("knock", "/v1/workflow_recipient_runs?page_size=-" + BIG, 200),
    ("paragon", f"{PARAGON_LIST}?offset=-{BIG}", 200),
    ("paragon", f"{PARAGON_LIST}?offset={BIG}", 200),
]


@pytest.mark.parametrize(("vendor", "path", "status"), HUGE_INTEGERS)
def test_an_integer_of_any_size_is_an_integer(
    request: pytest.FixtureRequest, vendor: str, path: str, status: int
) -> None:
    """The contracts type these as `integer`, with no bounds: a 19-digit or longer value is
    clamped like any other, never refused as 'not an integer'."""
    sim = request.getfixturevalue(vendor)
    assert call(sim, path)[0] == status
