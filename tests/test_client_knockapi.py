"""Issue 14: `serve knock` driven by Knock's official Python client (knockapi 1.33.0).

The simulator runs on 127.0.0.1 with a bearer token; the client is `knockapi.Knock(api_key=...,
base_url=...)` and its `workflow_recipient_runs` resource. Every filter the client documents
must change the result exactly as documented (the runs of the unfiltered list that satisfy
it, a strict non-empty subset); cursor pagination must reach every run once at several page
sizes; every run must be readable by id; and every body must validate into the client's own
pydantic models (the client itself builds them without validation, so the test validates).
An unknown id must raise the client's NotFoundError (its own mapping of a 404).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import knockapi  # the `clients` extra, part of `test`: a missing client fails, never skips
import pytest
from knockapi.types import WorkflowRecipientRun, WorkflowRecipientRunDetail

from conformance.simulator import Simulator, start

TOKEN = "sk_test_knockapi-client-tests"
RUNS = 60
Run = dict[str, Any]


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with start("knock", speed=0, runs=RUNS, token=TOKEN) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def client(sim: Simulator) -> Iterator[Any]:
    with knockapi.Knock(api_key=TOKEN, base_url=sim.url, max_retries=0, timeout=10) as knock:
        yield knock


@pytest.fixture(scope="module")
def everything(client: Any) -> list[Run]:
    """Every run, from one page of 100 (the simulator's maximum), as plain JSON."""
    page = client.workflow_recipient_runs.list(page_size=100)
    assert page.page_info is None or page.page_info.after is None
    return [parsed(run) for run in page.items]


def parsed(run: Any) -> Run:
    """The run as JSON, after proving it validates into the client's model."""
    body: Run = run.to_dict(mode="json")
    WorkflowRecipientRun.model_validate(body)
    return body


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def median_inserted(runs: list[Run]) -> datetime:
    return sorted(instant(r["inserted_at"]) for r in runs)[len(runs) // 2]


PROJECT = {"id": "project-1", "collection": "projects"}
# (id, list() keyword arguments from the unfiltered runs, the documented predicate)
FILTERS: list[tuple[str, Callable[[list[Run]], dict[str, Any]], Callable[[Run, list[Run]], bool]]]
FILTERS = [
    (
        "workflow",
        lambda rs: {"workflow": rs[0]["workflow"]},
        lambda r, rs: r["workflow"] == rs[0]["workflow"],
    ),
    (
        "status-one",
        lambda rs: {"status": [rs[0]["status"]]},
        lambda r, rs: r["status"] == rs[0]["status"],
    ),
    (
        "status-two",
        lambda rs: {"status": sorted({r["status"] for r in rs})[:2]},
        lambda r, rs: r["status"] in sorted({x["status"] for x in rs})[:2],
    ),
    (
        "tenant",
        lambda rs: {"tenant": rs[0]["tenant"]},
        lambda r, rs: r["tenant"] == rs[0]["tenant"],
    ),
    ("has_errors-true", lambda rs: {"has_errors": True}, lambda r, rs: r["error_count"] > 0),
    ("has_errors-false", lambda rs: {"has_errors": False}, lambda r, rs: r["error_count"] == 0),
    (
        "recipient-user",
        lambda rs: {"recipient": "user-1"},
        lambda r, rs: r["recipient"] == "user-1",
    ),
    (
        "recipient-object",
        lambda rs: {"recipient": PROJECT},
        lambda r, rs: r["recipient"] == PROJECT,
    ),
    (
        "starting_at",
        lambda rs: {"starting_at": median_inserted(rs)},
        lambda r, rs: instant(r["inserted_at"]) >= median_inserted(rs),
    ),
    (
        "ending_at",
        lambda rs: {"ending_at": median_inserted(rs).isoformat()},
        lambda r, rs: instant(r["inserted_at"]) <= median_inserted(rs),
    ),
    (
        "workflow-and-has_errors",
        lambda rs: {"workflow": rs[0]["workflow"], "has_errors": False},
        lambda r, rs: r["workflow"] == rs[0]["workflow"] and r["error_count"] == 0,
    ),
]


@pytest.mark.parametrize(("name", "arguments", "wanted"), FILTERS, ids=[f[0] for f in FILTERS])
def test_every_documented_filter_lists_exactly_the_matching_runs(
    client: Any,
    everything: list[Run],
    name: str,
    arguments: Callable[[list[Run]], dict[str, Any]],
    wanted: Callable[[Run, list[Run]], bool],
) -> None:
    page = client.workflow_recipient_runs.list(page_size=100, **arguments(everything))
    listed = [parsed(run) for run in page.items]
    expected = [r for r in everything if wanted(r, everything)]
    assert [r["id"] for r in listed] == [r["id"] for r in expected]
    assert 0 < len(expected) < len(everything) == RUNS


@pytest.mark.parametrize("size", [1, 7, 25, 50, 100])
def test_cursor_pagination_reaches_every_run_once(
    client: Any, everything: list[Run], size: int
) -> None:
    first = client.workflow_recipient_runs.list(page_size=size)
    pages, seen = 0, []
    for page in first.iter_pages():
        pages += 1
        assert len(page.items) <= size
        seen.extend(parsed(run)["id"] for run in page.items)
    assert seen == [r["id"] for r in everything]
    assert len(set(seen)) == RUNS
    assert pages == math.ceil(RUNS / size)


def test_before_cursor_pages_back(client: Any) -> None:
    first = client.workflow_recipient_runs.list(page_size=10)
    second = client.workflow_recipient_runs.list(page_size=10, after=first.page_info.after)
    raw = client.workflow_recipient_runs.with_raw_response.list(
        page_size=10, after=first.page_info.after
    ).http_response.json()
    back = client.workflow_recipient_runs.list(page_size=10, before=raw["page_info"]["before"])
    assert [r.id for r in back.items] == [r.id for r in first.items]
    assert not {r.id for r in second.items} & {r.id for r in first.items}


def test_every_run_can_be_read_by_id(client: Any, everything: list[Run]) -> None:
    for run in everything:
        detail = client.workflow_recipient_runs.get(run["id"])
        body = detail.to_dict(mode="json")
        WorkflowRecipientRunDetail.model_validate(body)
        assert body["id"] == run["id"]
        assert {k: body[k] for k in run} == run


def test_an_unknown_id_is_the_clients_not_found_error(client: Any) -> None:
    with pytest.raises(knockapi.NotFoundError) as caught:
        client.workflow_recipient_runs.get("00000000-0000-4000-8000-000000000000")
    assert caught.value.status_code == 404
    assert caught.value.body == {"code": "resource_missing", "message": "not found", "status": 404}


def test_a_wrong_key_is_the_clients_authentication_error(sim: Simulator) -> None:
    with (
        knockapi.Knock(api_key="sk_wrong", base_url=sim.url, max_retries=0) as knock,
        pytest.raises(knockapi.AuthenticationError),
    ):
        knock.workflow_recipient_runs.list()
