"""Issue 14: `serve hatchet` driven by Hatchet's own generated REST client (hatchet-sdk 1.43.1).

A real simulator on 127.0.0.1 (bearer token required) is called through
`hatchet_sdk.clients.rest` (`ApiClient`, `WorkflowRunsApi`, `TaskApi`): every call must parse
into the SDK's pydantic models (a validation error fails the test), every documented list
filter must change the result exactly as documented (the expected rows are computed from the
unfiltered list with the documented rule, and the counts asserted), and offset/limit paging
must reach every run once at several page sizes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

pytest.importorskip("hatchet_sdk")  # the `clients` extra (pyproject), which .ci/run installs

from hatchet_sdk.clients.rest import ApiClient, Configuration, TaskApi, WorkflowRunsApi
from hatchet_sdk.clients.rest.exceptions import (
    NotFoundException,
    UnauthorizedException,
)
from hatchet_sdk.clients.rest.models.v1_additional_metadata_operator import (
    V1AdditionalMetadataOperator,
)
from hatchet_sdk.clients.rest.models.v1_running_filter import V1RunningFilter
from hatchet_sdk.clients.rest.models.v1_task_status import V1TaskStatus

from conformance.simulator import Simulator, start
from conformance.simulator.facets import event_of, pool_uuid, worker_of

TOKEN = "test-token-hatchet-sdk"
RUNS = 36
SINCE = datetime(2000, 1, 1, tzinfo=UTC)
UNKNOWN = "00000000-0000-4000-8000-000000000000"
Row = dict[str, Any]


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with start("hatchet", speed=0, runs=RUNS, token=TOKEN) as running:
        yield running


def client(sim: Simulator, token: str = TOKEN) -> ApiClient:
    """Configured as hatchet-sdk's own `BaseRestClient` configures it: query date-times in
    UTC as `%Y-%m-%dT%H:%M:%S.%fZ` (the generator's default `%z` writes `+0000`, which is not
    RFC 3339, and the SDK overrides it)."""
    configuration = Configuration(host=sim.url, access_token=token)
    configuration.datetime_format = "%Y-%m-%dT%H:%M:%S.%fZ"
    return ApiClient(configuration)


@pytest.fixture(scope="module")
def runs(sim: Simulator) -> WorkflowRunsApi:
    return WorkflowRunsApi(client(sim))


@pytest.fixture(scope="module")
def tasks(sim: Simulator) -> TaskApi:
    return TaskApi(client(sim))


@pytest.fixture(scope="module")
def tenant(sim: Simulator) -> str:
    """The tenant with the most seeded runs."""
    counts = {t: 0 for t in sim.store.pools["tenant"]}
    for run in sim.store.all():
        counts[run["tenantId"]] += 1
    return max(counts, key=lambda t: counts[t])


@pytest.fixture(scope="module")
def everything(runs: WorkflowRunsApi, tenant: str) -> list[Row]:
    """The tenant's whole unfiltered list, as the SDK parses it (then dumped by alias)."""
    listed = runs.v1_workflow_run_list(tenant, SINCE, False, limit=1000)
    return [r.to_dict() for r in listed.rows]


def ids(rows: list[Any]) -> list[str]:
    return [str(r["metadata"]["id"] if isinstance(r, dict) else r.metadata.id) for r in rows]


def moment(value: datetime | str) -> datetime:
    """A row's instant (the SDK parses date-times; the simulator writes them in UTC)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _first(rows: list[Row], key: Callable[[Row], Any]) -> Any:
    return next(key(r) for r in rows if key(r) is not None)


# name -> (SDK keyword arguments from the unfiltered rows, documented predicate on a row)
FILTERS: dict[str, tuple[Callable[[list[Row]], dict[str, Any]], Callable[[Row, list[Row]], bool]]]
FILTERS = {
    "statuses": (
        lambda rows: {"statuses": [V1TaskStatus(rows[0]["status"])]},
        lambda r, rows: r["status"] == rows[0]["status"],
    ),
    "until": (
        lambda rows: {"until": moment(rows[len(rows) // 2]["createdAt"])},
        lambda r, rows: moment(r["createdAt"]) <= moment(rows[len(rows) // 2]["createdAt"]),
    ),
    "since": (
        lambda rows: {"since": moment(rows[len(rows) // 2]["createdAt"])},
        lambda r, rows: moment(r["createdAt"]) >= moment(rows[len(rows) // 2]["createdAt"]),
    ),
    "additional_metadata": (
        lambda rows: {"additional_metadata": ["env:prod"]},
        lambda r, rows: r["additionalMetadata"]["env"] == "prod",
    ),
    "additional_metadata_operator=OR": (
        lambda rows: {
            "additional_metadata": ["env:prod", "team:team-1"],
            "additional_metadata_operator": V1AdditionalMetadataOperator.OR,
        },
        lambda r, rows: (
            r["additionalMetadata"]["env"] == "prod" or r["additionalMetadata"]["team"] == "team-1"
        ),
    ),
    "additional_metadata_operator=AND": (
        lambda rows: {
            "additional_metadata": ["env:prod", "team:team-1"],
            "additional_metadata_operator": V1AdditionalMetadataOperator.AND,
        },
        lambda r, rows: (
            r["additionalMetadata"]["env"] == "prod" and r["additionalMetadata"]["team"] == "team-1"
        ),
    ),
    "workflow_ids": (
        lambda rows: {"workflow_ids": [rows[0]["workflowId"]]},
        lambda r, rows: r["workflowId"] == rows[0]["workflowId"],
    ),
    "worker_id": (
        lambda rows: {"worker_id": pool_uuid(0, "worker", 0)},
        lambda r, rows: worker_of(0, r) == pool_uuid(0, "worker", 0),
    ),
    "only_tasks": (
        lambda rows: {"only_tasks": True},
        lambda r, rows: r["type"] == "TASK",
    ),
    "parent_task_external_id": (
        lambda rows: {
            "parent_task_external_id": _first(rows, lambda r: r.get("parentTaskExternalId"))
        },
        lambda r, rows: (
            r.get("parentTaskExternalId") == _first(rows, lambda x: x.get("parentTaskExternalId"))
        ),
    ),
    "triggering_event_external_id": (
        lambda rows: {"triggering_event_external_id": pool_uuid(0, "event", 0)},
        lambda r, rows: event_of(0, r) == pool_uuid(0, "event", 0),
    ),
    "idempotency_keys": (
        lambda rows: {"idempotency_keys": [_first(rows, lambda r: r.get("idempotencyKey"))]},
        lambda r, rows: r.get("idempotencyKey") == _first(rows, lambda x: x.get("idempotencyKey")),
    ),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_every_documented_list_filter_filters(
    runs: WorkflowRunsApi, tenant: str, everything: list[Row], name: str
) -> None:
    arguments, wanted = FILTERS[name]
    kwargs: dict[str, Any] = {"since": SINCE, "only_tasks": False, "limit": 1000}
    kwargs.update(arguments(everything))
    listed = runs.v1_workflow_run_list(tenant, **kwargs)
    expected = [r for r in everything if wanted(r, everything)]
    assert ids(listed.rows) == ids(expected)
    assert 0 < len(expected) < len(everything), (name, len(expected), len(everything))
    print(f"{name}: {len(expected)} of {len(everything)} runs")


@pytest.mark.parametrize("running", list(V1RunningFilter))
def test_running_filter_splits_the_running_bucket(
    runs: WorkflowRunsApi, tenant: str, everything: list[Row], running: V1RunningFilter
) -> None:
    listed = runs.v1_workflow_run_list(tenant, SINCE, False, limit=1000, running_filter=running)
    evicted = running == V1RunningFilter.EVICTED

    def kept(r: Row) -> bool:
        if running == V1RunningFilter.ALL or r["status"] != "RUNNING":
            return True
        return bool(r.get("isEvicted")) == evicted

    assert ids(listed.rows) == ids([r for r in everything if kept(r)])


def test_include_payloads_false_lists_rows_without_payloads(
    runs: WorkflowRunsApi, tenant: str, everything: list[Row]
) -> None:
    listed = runs.v1_workflow_run_list(tenant, SINCE, False, limit=1000, include_payloads=False)
    assert ids(listed.rows) == ids(everything)
    assert any(r["input"] or r["output"] for r in everything)
    assert all(r.input == {} and r.output == {} for r in listed.rows)


def test_documented_fields_parse(everything: list[Row]) -> None:
    assert all(r["payloadsRestricted"] is False for r in everything)
    keyed = [r for r in everything if r.get("idempotencyKey")]
    assert 0 < len(keyed) < len(everything)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 50])
def test_offset_paging_reaches_every_run_once(
    runs: WorkflowRunsApi, tenant: str, everything: list[Row], size: int
) -> None:
    seen: list[str] = []
    offset = 0
    while True:
        page = runs.v1_workflow_run_list(tenant, SINCE, False, offset=offset, limit=size)
        assert page.pagination.num_pages == math.ceil(len(everything) / size)
        seen += ids(page.rows)
        if page.pagination.next_page is None:
            break
        assert page.pagination.next_page == offset // size + 2
        offset += size
    assert len(seen) == len(set(seen)) == len(everything)
    assert seen == ids(everything)


def test_each_run_get_status_events_timings(runs: WorkflowRunsApi, everything: list[Row]) -> None:
    for row in everything:
        run_id = row["metadata"]["id"]
        details = runs.v1_workflow_run_get(run_id)
        assert details.run.metadata.id == run_id
        assert ids(details.tasks) == [run_id]
        assert runs.v1_workflow_run_get_status(run_id).value == row["status"]
        events = runs.v1_workflow_run_task_events_list(run_id, limit=100).rows or []
        assert [e.event_type.value for e in events][:1] == ["QUEUED"]
        assert [e.id for e in events] == [e.id for e in details.task_events]
        ended = {"COMPLETED": "FINISHED", "FAILED": "FAILED", "CANCELLED": "CANCELLED"}
        if row["status"] in ended:
            assert events[-1].event_type.value == ended[row["status"]]
        first = runs.v1_workflow_run_task_events_list(run_id, offset=0, limit=1)
        assert [e.id for e in first.rows or []] == [e.id for e in events[:1]]
        timings = runs.v1_workflow_run_get_timings(run_id, depth=0)
        assert [t.task_external_id for t in timings.rows] == [row["taskExternalId"]]
        assert timings.rows[0].status.value == row["status"]


def test_each_task_get_and_events(
    tasks: TaskApi, runs: WorkflowRunsApi, everything: list[Row]
) -> None:
    for row in everything:
        task_id = row["metadata"]["id"]
        task = tasks.v1_task_get(task_id)
        assert task.to_dict() == row
        assert tasks.v1_task_get(task_id, attempt=row["attempt"]).to_dict() == row
        with pytest.raises(NotFoundException):
            tasks.v1_task_get(task_id, attempt=row["attempt"] + 1)
        if row["attempt"] > 1:
            earlier = tasks.v1_task_get(task_id, attempt=row["attempt"] - 1)
            assert (earlier.status.value, earlier.attempt) == ("FAILED", row["attempt"] - 1)
        events = tasks.v1_task_event_list(task_id, limit=100).rows or []
        assert [e.id for e in events] == [
            e.id for e in runs.v1_workflow_run_task_events_list(task_id, limit=100).rows or []
        ]


def test_display_names_external_ids_and_dag_tasks(
    runs: WorkflowRunsApi, tasks: TaskApi, tenant: str, everything: list[Row]
) -> None:
    asked = [*ids(everything[:3]), UNKNOWN]
    names = runs.v1_workflow_run_display_names_list(tenant, asked)
    assert [r.display_name for r in names.rows] == [r["displayName"] for r in everything[:3]]
    status = everything[0]["status"]
    external = runs.v1_workflow_run_external_ids_list(
        tenant, SINCE, statuses=[V1TaskStatus(status)]
    )
    assert external == ids([r for r in everything if r["status"] == status])
    dags = [r for r in everything if r["type"] == "DAG"]
    found = tasks.v1_dag_list_tasks(ids(everything), tenant)
    assert [str(d.dag_id) for d in found] == ids(dags) and dags


def test_unknown_ids_and_bad_token_are_refused_as_declared(
    sim: Simulator, runs: WorkflowRunsApi, tasks: TaskApi
) -> None:
    with pytest.raises(NotFoundException):
        tasks.v1_task_get(UNKNOWN)
    with pytest.raises(NotFoundException):
        runs.v1_workflow_run_get_status(UNKNOWN)
    with pytest.raises(NotFoundException):  # declared by erratum hatchet-get-run-undeclared-404
        runs.v1_workflow_run_get(UNKNOWN)
    with pytest.raises(NotFoundException):
        runs.v1_workflow_run_task_events_list(UNKNOWN)
    with pytest.raises(NotFoundException):
        runs.v1_workflow_run_get_timings(UNKNOWN)
    with pytest.raises(UnauthorizedException):
        WorkflowRunsApi(client(sim, "wrong")).v1_workflow_run_get_status(UNKNOWN)
