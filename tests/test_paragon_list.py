"""Paragon's list as Paragon's docs show it: `workflowExecutions` + an absolute `nextLink`.

The catalogue profile said `data` + `total`; a real Paragon list then passed without one of
its executions being checked. The erratum `paragon-list-is-workflowexecutions` corrects the
bundled schema, and the run profile, simulator, mapping and scenarios follow it.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.mapping import to_canonical_items
from conformance.simulator import Simulator, start
from conformance.validation.engine import validate
from conformance.validation.routing import route
from conformance.validation.semantics import check_invariants

LIST = "paragon.WorkflowExecutionList"
PATH = "/projects/project-1/task-history/workflow-executions"
ORIGIN = "https://api.useparagon.com"
EXECUTION = {
    "id": "exec_8c1f2a",
    "userId": "user-4821",
    "workflowId": "wf_salesforce_sync",
    "status": "SUCCEEDED",
    "taskCount": 3,
    "runDuration": 4120,
    "dateStarted": "2026-11-19T22:01:10.000Z",
    "dateEnded": "2026-11-19T22:01:14.120Z",
}


def _write(tmp_path: Path, value: Any) -> str:
    path = tmp_path / "list.json"
    path.write_text(json.dumps(value), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("body", "extra", "code", "lines"),
    [
        (  # the false pass of runconform issue 12: the executions were never checked
            {"workflowExecutions": [{"id": 7, "status": "RUNNING", "dateStarted": "yesterday"}]},
            ("--strict",),
            1,
            [
                '$.workflowExecutions[0].dateStarted: error: "yesterday" is not a valid '
                "date-time [format]",
                "$.workflowExecutions[0].id: error: 7 is not of type string [type]",
                '$.workflowExecutions[0].status: error: "RUNNING" is not one of: "SUCCEEDED", '
                '"FAILED" [enum]',
            ],
        ),
        (  # the catalogue's shape is not a Paragon list
            {"data": [EXECUTION], "total": 1, "nextLink": None},
            (),
            1,
            ["$: error: 'workflowExecutions' is a required property [required]"],
        ),
        (  # nor is an object with only `data`
            {"data": [EXECUTION]},
            (),
            1,
            ["$: error: 'workflowExecutions' is a required property [required]"],
        ),
        (  # next to the real array, `data`/`total` are undocumented: errors when strict
            {"workflowExecutions": [EXECUTION], "data": [], "total": 1, "nextLink": None},
            ("--strict",),
            1,
            [
                "$.data: error: property 'data' is not documented in the schema [undocumented]",
                "$.total: error: property 'total' is not documented in the schema [undocumented]",
            ],
        ),
        ({"workflowExecutions": [EXECUTION], "nextLink": None}, ("--strict",), 0, []),
    ],
    ids=["broken-executions", "data-and-total", "data-only", "data-beside", "docs-shape"],
)
def test_validate_judges_the_executions_of_a_paragon_list(
    run_cli, tmp_path: Path, body: Any, extra: tuple[str, ...], code: int, lines: list[str]
) -> None:
    file = _write(tmp_path, body)
    got, out, err = run_cli("validate", file, "--schema", LIST, *extra)
    assert (got, err) == (code, "")
    placed = [re.sub(rf"^{re.escape(str(file))}:1:\d+: ", "", got) for got in out.splitlines()]
    assert placed[:-1] == lines  # each at its value (line 1, a column: test_locations.py)


def test_the_published_text_still_passes_the_broken_list(run_cli, tmp_path: Path) -> None:
    """Without the erratum the executions are not even looked at: only the array is unknown."""
    file = _write(tmp_path, {"workflowExecutions": [{"id": 7, "status": "RUNNING"}]})
    code, out, _ = run_cli("validate", file, "--schema", LIST, "--as-published")
    assert code == 0
    assert out.splitlines()[-1].startswith("1 record: 1 conforming, 0 not conforming;")


def test_provenance_names_the_erratum(run_cli) -> None:
    code, out, _ = run_cli("schemas", "show", LIST, "--provenance")
    assert code == 0
    assert [e["id"] for e in json.loads(out)["errata"]] == [
        "paragon-list-is-workflowexecutions",
        "paragon-nextlink-nullable-in-31",
    ]


# -- page rules: what a page without a total can still say ---------------------------------


def _page(n: int, link: str | None) -> dict[str, Any]:
    rows = [{**EXECUTION, "id": f"exec_{i}"} for i in range(n)]
    return {"workflowExecutions": rows, "nextLink": link}


@pytest.mark.parametrize(
    ("n", "link", "message"),
    [
        (100, f"{ORIGIN}{PATH}?offset=100", None),
        (100, f"https://zeus.example.com{PATH}?integration=salesforce&offset=100", None),
        (100, f"https://proxy.example.com/paragon{PATH}?offset=100", None),  # behind a base path
        (100, None, None),  # a full last page
        (3, None, None),
        (
            100,
            f"{PATH}?offset=100",
            f"nextLink '{PATH}?offset=100' is not an absolute http(s) URL",
        ),
        (
            100,
            f"ftp://api.useparagon.com{PATH}",
            f"nextLink 'ftp://api.useparagon.com{PATH}' is not an absolute http(s) URL",
        ),
        (
            100,
            f"{ORIGIN}/projects/project-1/task-history/workflow-executions/x/replay",
            f"nextLink '{ORIGIN}/projects/project-1/task-history/workflow-executions/x/replay' "
            "does not call /projects/{projectId}/task-history/workflow-executions",
        ),
        (
            3,
            f"{ORIGIN}{PATH}?offset=100",
            "nextLink is set on a page of 3 items; a page of fewer than 100 is the last, "
            "whose nextLink is null",
        ),
    ],
)
def test_next_link_rules(n: int, link: str | None, message: str | None) -> None:
    found = [(v.keyword, v.pointer, v.message) for v in check_invariants(_page(n, link), LIST)]
    assert found == ([("page-consistent", "/nextLink", message)] if message else [])


def test_more_than_100_executions_is_too_many_for_a_page() -> None:
    found = [(v.keyword, v.pointer, v.message) for v in check_invariants(_page(101, None), LIST)]
    assert found == [("page-size", "", "page holds 101 items, more than its page size 100")]


def test_a_list_maps_item_by_item() -> None:
    runs = to_canonical_items(_page(2, None), LIST)
    assert [r["id"] for r in runs] == ["exec_0", "exec_1"]


# -- the simulator ----------------------------------------------------------------------------


@pytest.fixture
def sim() -> Iterator[Simulator]:
    simulator = start("paragon", runs=230, seed=3, speed=0)
    yield simulator
    simulator.stop()


def _get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _conforming(url: str, status: int = 200) -> Any:
    got, body = _get(url)
    routed = route("GET", url, got, vendor="paragon")
    assert routed is not None and routed.problems == () and routed.schema == LIST
    assert got == status and validate(body, LIST, strict=True).findings == ()
    return body


def test_the_simulator_pages_to_the_end_by_following_next_link(sim: Simulator) -> None:
    url: str | None = f"{sim.url}{PATH}?sortBy=ASC"  # the query is carried to every page
    sizes, ids, links = [], [], []
    while url is not None:
        body = _conforming(url)
        assert set(body) == {"workflowExecutions", "nextLink"}
        sizes.append(len(body["workflowExecutions"]))
        ids += [r["id"] for r in body["workflowExecutions"]]
        url = body["nextLink"]
        links.append(url)
    assert ids == [r["id"] for r in sim.store.all()] and sizes == [100, 100, 30]
    assert links == [
        f"{sim.url}{PATH}?sortBy=ASC&offset=100",
        f"{sim.url}{PATH}?sortBy=ASC&offset=200",
        None,
    ]


def _started(body: Any) -> list[str]:
    return [r["id"] for r in body["workflowExecutions"]]


def test_dates_as_the_docs_write_them_are_read_as_utc(sim: Simulator) -> None:
    window = "afterDate=2025-06-01T00:00:00&beforeDate=2026-01-01T00:00:00"
    docs = _conforming(f"{sim.url}{PATH}?{window}")
    utc = _conforming(
        f"{sim.url}{PATH}?afterDate=2025-06-01T00:00:00Z&beforeDate=2026-01-01T00:00:00Z"
    )
    shifted = _conforming(  # 02:00 at +02:00 is midnight UTC: the same window
        f"{sim.url}{PATH}?afterDate=2025-06-01T02:00:00%2B02:00"
        "&beforeDate=2026-01-01T02:00:00%2B02:00"
    )
    everything = _conforming(f"{sim.url}{PATH}")
    assert _started(docs) == _started(utc) == _started(shifted)
    assert 0 < len(_started(docs)) < len(_started(everything))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "afterDate=not-a-date",
            "afterDate 'not-a-date' is not a date-time: write 2023-02-16T00:00:00 (read as "
            "UTC) or 2023-02-16T00:00:00Z",
        ),
        (
            "afterDate=2023-02-16T00:00:00&beforeDate=2023-02-30T00:00:00",
            "beforeDate '2023-02-30T00:00:00' is not a date-time: write 2023-02-16T00:00:00 "
            "(read as UTC) or 2023-02-16T00:00:00Z",
        ),
    ],
)
def test_a_malformed_date_is_refused_not_ignored(sim: Simulator, query: str, message: str) -> None:
    url = f"{sim.url}{PATH}?{query}"
    assert _get(url) == (400, {"message": message})
    # the contract declares no error status for the list: the answer says so when routed
    routed = route("GET", url, 400, vendor="paragon")
    assert routed is not None
    assert routed.problems == (
        "status 400 is not declared for GET /projects/{projectId}/task-history/"
        "workflow-executions (declared: 200, 401, 429)",
    )
