#!/usr/bin/env python
"""Record the bundled example recordings (`contracts/recordings/<vendor>/`) from the simulators.

`runconform check` validates these files with no arguments, so they must be what real tools
write when they talk to a run API, not hand-made lookalikes: every body here came over HTTP
from the vendor's reference simulator (`conformance.simulator`), and each vendor is written in
one recording format so every reader is exercised:

    hatchet  runs.cassette.yaml            vcrpy cassette (recorded by vcrpy itself)
    knock    session.har                   HAR 1.2 (the contract runner's HAR writer)
    restack  runs.yaml, agent-runs.yaml    multi-document YAML, one run per document
    paragon  runs.postman_collection.json  Postman v2.1 collection with saved responses
    xceptor  runs.jsonl                    one run per line

    python tools/record_examples.py [--out contracts/recordings] [--vendor NAME ...]

The simulators run on 127.0.0.1 with a fixed seed and a frozen clock (`speed=0`), so bodies
and statuses are the same on every run; only the ephemeral port in recorded URLs and HAR
timings change. Runs made by writes (POSTs, not recorded) are staggered in time and the
clock is advanced, so recordings show runs queued, running and finished. No credentials are
used, and Date/Server headers are dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode, urlsplit
from urllib.request import ProxyHandler, Request, build_opener

import yaml

from conformance.atomic import atomic_output
from conformance.contract.recordings import Exchange, started_now, write_har
from conformance.simulator import Simulator, start
from conformance.validation.routing import route

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "contracts" / "recordings"

#: Seed 1 makes the third run made by a write fail and the others succeed (see AGES).
SEED = 1

#: Age (simulated seconds) of each run made by a write when the first snapshot is taken.
#: A run is queued for 1 s, then runs 1-3 s; with SEED these ages give, in order:
#: succeeded, succeeded, failed, running, queued.
AGES = (6.0, 5.0, 4.0, 1.5, 0.5)

#: Enough for every run made by a write to have finished.
SETTLE = 5.0

#: Headers that change on every run and say nothing about the API.
VOLATILE = frozenset({"date", "server"})
USER_AGENT = "runconform-record-examples"

# Loopback only: an HTTP(S)_PROXY in the environment must not see these calls.
_OPENER = build_opener(ProxyHandler({}))


@dataclass(frozen=True)
class Fetched:
    """One real HTTP exchange: what each recording format is built from."""

    method: str
    url: str
    request_headers: list[tuple[str, str]]
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    elapsed_ms: float

    def json(self) -> Any:
        return json.loads(self.body)


def fetch(url: str, method: str = "GET", payload: Any = None) -> Fetched:
    """Call the simulator; anything but a 2xx stops the script (examples must be valid)."""
    data = None if payload is None else json.dumps(payload).encode()
    request = Request(url, data=data, method=method)
    request.add_header("Accept", "application/json")
    request.add_header("User-Agent", USER_AGENT)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    began = time.perf_counter()
    try:
        with _OPENER.open(request, timeout=10) as response:
            body = response.read()
            status, reason = response.status, response.reason
            headers = list(response.headers.items())
    except HTTPError as error:
        detail = error.read().decode("utf-8", "replace")
        raise SystemExit(f"{method} {url}: HTTP {error.code} {detail}") from None
    elapsed = round((time.perf_counter() - began) * 1000, 3)
    kept = [(n, v) for n, v in headers if n.lower() not in VOLATILE]
    return Fetched(
        method=method,
        url=url,
        request_headers=request.header_items(),
        status=status,
        reason=reason,
        headers=kept,
        body=body,
        elapsed_ms=elapsed,
    )


def stagger(sim: Simulator, create: Callable[[int], str]) -> list[str]:
    """Make one run per entry of AGES so that, when this returns, run i is AGES[i] old."""
    ids = []
    for i, age in enumerate(AGES):
        ids.append(create(i))
        sim.advance(age - (AGES[i + 1] if i + 1 < len(AGES) else 0.0))
    return ids


def write_atomically(path: Path, text: str) -> None:
    """Replace the file whole: `runconform check` must never read half a recording."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
    ) as tmp:
        tmp.write(text)
    os.chmod(tmp.name, 0o644)  # a temporary file is private; a recording is not
    os.replace(tmp.name, path)


def statuses_of(value: Any) -> set[str]:
    """Every string under a `status` key, and a bare string body (Hatchet's status call)."""
    if isinstance(value, str):
        return {value}
    found: set[str] = set()
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, child in node.items():
                if key == "status" and isinstance(child, str):
                    found.add(child)
                else:
                    stack.append(child)
        elif isinstance(node, list):
            stack.extend(node)
    return found


def pick_by_status(runs: Iterable[dict[str, Any]], key: str = "status") -> list[dict[str, Any]]:
    """The first run of each status, in the order the statuses first appear."""
    seen: dict[str, dict[str, Any]] = {}
    for run in runs:
        seen.setdefault(str(run.get(key)), run)
    return list(seen.values())


# -- Hatchet: a vcrpy cassette ------------------------------------------------------------------


def _drop_volatile(response: dict[str, Any]) -> dict[str, Any]:
    response["headers"] = {
        n: v for n, v in response["headers"].items() if n.lower() not in VOLATILE
    }
    return response


def record_hatchet(sim: Simulator, folder: Path) -> tuple[Path, set[str]]:
    """The runs list and both get-one calls (details, status), recorded by vcrpy itself."""
    import vcr  # type: ignore[import-untyped]

    tenant = sim.known_path_parameters()["tenant"]
    api = f"{sim.url}/api/v1/stable"
    created: list[str] = []

    def trigger(i: int) -> str:
        body = {"workflowName": "send-invoice", "input": {"invoice": 1000 + i}}
        details = fetch(f"{api}/tenants/{tenant}/workflow-runs/trigger", "POST", body).json()
        created.append(details["run"]["createdAt"])
        return str(details["run"]["metadata"]["id"])

    ids = stagger(sim, trigger)
    listing = f"{api}/tenants/{tenant}/workflow-runs?" + urlencode({"since": created[0]})
    path = folder / "runs.cassette.yaml"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".recording-") as scratch:
        cassette = Path(scratch) / path.name
        recorder = vcr.VCR(
            record_mode="all",
            before_record_response=_drop_volatile,
            filter_headers=["authorization"],
            drop_unused_requests=True,
        )
        seen: set[str] = set()
        with recorder.use_cassette(str(cassette)):
            seen |= statuses_of(fetch(listing).json())  # completed, failed, running, queued
            for run_id in (ids[3], ids[2]):  # running, failed
                seen |= statuses_of(fetch(f"{api}/workflow-runs/{run_id}").json())
            for run_id in (ids[4], ids[0]):  # queued, completed
                seen |= statuses_of(fetch(f"{api}/workflow-runs/{run_id}/status").json())
            sim.advance(SETTLE)  # the running and queued runs finish
            seen |= statuses_of(fetch(f"{api}/workflow-runs/{ids[4]}/status").json())
            seen |= statuses_of(fetch(listing).json())
        os.replace(cassette, path)
    return path, seen


# -- Knock: HAR 1.2 -----------------------------------------------------------------------------


def _exchange(vendor: str, got: Fetched) -> Exchange:
    found = route(got.method, got.url, got.status, vendor=vendor)
    operation = str(found.operation) if found else f"{got.method} {urlsplit(got.url).path}"
    return Exchange(
        operation=operation,
        method=got.method,
        url=got.url,
        request_headers=tuple(got.request_headers),
        request_body=None,
        status=got.status,
        reason=got.reason,
        response_headers=tuple(got.headers),
        response_body=got.body.decode("utf-8"),
        elapsed_ms=got.elapsed_ms,
        started=started_now(got.elapsed_ms),
    )


def record_knock(sim: Simulator, folder: Path) -> tuple[Path, set[str]]:
    """List pages, a status filter and get-one calls, written by the contract HAR writer.

    Knock's API has no writes, so its runs are the seeded ones; they already span queued,
    processing, paused, completed and cancelled.
    """
    base = f"{sim.url}/v1/workflow_recipient_runs"
    calls: list[Fetched] = []
    first = fetch(f"{base}?page_size=6")
    calls.append(first)
    after = first.json()["page_info"]["after"]
    calls.append(fetch(f"{base}?" + urlencode({"page_size": 6, "after": after})))
    statuses = [("status[]", "completed"), ("status[]", "cancelled"), ("page_size", "4")]
    calls.append(fetch(f"{base}?" + urlencode(statuses)))
    for run in pick_by_status(first.json()["items"])[:3]:
        calls.append(fetch(f"{base}/{run['id']}"))
    path = folder / "session.har"
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as out:
        write_har(tuple(_exchange("knock", c) for c in calls), out)
    return path, set().union(*(statuses_of(c.json()) for c in calls))


# -- Restack: multi-document YAML ---------------------------------------------------------------


def record_restack(sim: Simulator, folder: Path) -> tuple[Path, set[str]]:
    """Get-one bodies: one seeded run per status, then runs made by writes as they progress."""
    api = f"{sim.url}/api/workflows"
    documents: list[Any] = []

    def get(run: dict[str, Any]) -> None:
        documents.append(fetch(f"{api}/{run['workflowName']}/{run['runId']}").json())

    for run in pick_by_status(sim.store.all()):  # the API has no list: ids from the store
        get(run)

    def schedule(i: int) -> str:
        body = {"input": {"customerId": f"cus_{i:04d}"}}
        return str(fetch(f"{api}/onboard-customer", "POST", body).json()["runId"])

    ids = stagger(sim, schedule)
    for run_id in ids:
        get({"workflowName": "onboard-customer", "runId": run_id})
    sim.advance(SETTLE)
    for run_id in ids[3:]:  # the running and the queued one, now finished
        get({"workflowName": "onboard-customer", "runId": run_id})
    header = (
        "# Restack get-one responses (GET /api/workflows/{workflowName}/{runId}), one run per\n"
        "# document, recorded from the runconform simulator by tools/record_examples.py.\n"
    )
    text = yaml.safe_dump_all(documents, explicit_start=True, sort_keys=False, allow_unicode=True)
    path = folder / "runs.yaml"
    write_atomically(path, header + text)
    agent_statuses = record_restack_agents(sim, folder)
    return path, set().union(*(statuses_of(d) for d in documents)) & agent_statuses


def record_restack_agents(sim: Simulator, folder: Path) -> set[str]:
    """Agent runs, as `record_restack` records workflow runs, into `agent-runs.yaml`."""
    from conformance.simulator.restack_routes import agents

    api = f"{sim.url}/api/agents"
    documents: list[Any] = []

    def get(agent: str, run_id: str) -> None:
        documents.append(fetch(f"{api}/{agent}/{run_id}").json())

    for run in pick_by_status(agents(sim.store).all()):
        get(run["agentName"], run["runId"])

    def schedule(i: int) -> str:
        body = {"input": {"ticketId": f"tkt_{i:04d}", "channel": "email"}}
        return str(fetch(f"{api}/support-triage", "POST", body).json()["runId"])

    ids = stagger(sim, schedule)
    for run_id in ids:
        get("support-triage", run_id)
    sim.advance(SETTLE)
    for run_id in ids[3:]:
        get("support-triage", run_id)
    header = (
        "# Restack agent runs (GET /api/agents/{agentName}/{runId}), one run per document,\n"
        "# recorded from the runconform simulator by tools/record_examples.py.\n"
    )
    text = yaml.safe_dump_all(documents, explicit_start=True, sort_keys=False, allow_unicode=True)
    write_atomically(folder / "agent-runs.yaml", header + text)
    return set().union(*(statuses_of(d) for d in documents))


# -- Paragon: a Postman v2.1 collection ---------------------------------------------------------

POSTMAN_SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def _postman_item(name: str, base: str, path: str, query: list[tuple[str, str]]) -> dict[str, Any]:
    """A request item with the real response saved as its example.

    The URL is written out whole, as Postman exports a request sent to a literal URL, not as
    `{{baseUrl}}/...`: `runconform validate` routes a Postman record by its raw URL, and a
    leading variable leaves that URL unroutable (it would only be identified by shape).
    """
    url = f"{base}{path}" + (f"?{urlencode(query)}" if query else "")
    got = fetch(url)
    split = urlsplit(base)
    request = {
        "method": "GET",
        "header": [{"key": "Accept", "value": "application/json"}],
        "url": {
            "raw": url,
            "protocol": split.scheme,
            "host": str(split.hostname).split("."),
            "port": str(split.port),
            "path": path.strip("/").split("/"),
            **({"query": [{"key": k, "value": v} for k, v in query]} if query else {}),
        },
    }
    example = {
        "name": f"{got.status} {got.reason}",
        "originalRequest": request,
        "status": got.reason,
        "code": got.status,
        "_postman_previewlanguage": "json",
        "header": [{"key": n, "value": v} for n, v in got.headers],
        "cookie": [],
        "body": got.body.decode("utf-8"),
    }
    return {"name": name, "request": request, "response": [example]}


def record_paragon(sim: Simulator, folder: Path) -> tuple[Path, set[str]]:
    """Filtered lists of workflow executions, replays included, as saved Postman examples."""
    project = sim.known_path_parameters()["projectId"]
    path = f"/projects/{project}/task-history/workflow-executions"
    runs = fetch(f"{sim.url}{path}").json()["workflowExecutions"]
    for run in runs[:3]:  # replays are runs made by a write; let them finish
        fetch(f"{sim.url}{path}/{run['id']}/replay", "POST")
        sim.advance(1.0)
    sim.advance(SETTLE)
    workflow, user = runs[0]["workflowId"], runs[0]["userId"]
    items = [
        _postman_item(
            "List workflow executions, newest first", sim.url, path, [("sortBy", "DESC")]
        ),
        _postman_item("List failed executions", sim.url, path, [("status", "FAILED")]),
        _postman_item(
            "List succeeded executions of one workflow",
            sim.url,
            path,
            [("workflowId", workflow), ("status", "SUCCEEDED")],
        ),
        _postman_item("List executions of one user", sim.url, path, [("userId", user)]),
        _postman_item(  # the date form of Paragon's docs: no offset, read as UTC
            "List executions started in a window",
            sim.url,
            path,
            [("afterDate", "2025-06-01T00:00:00"), ("beforeDate", "2026-01-01T00:00:00")],
        ),
    ]
    collection = {
        "info": {
            "_postman_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"runconform:paragon:{SEED}")),
            "name": "Paragon task history (runconform simulator)",
            "description": "Recorded from the runconform simulator by tools/record_examples.py.",
            "schema": POSTMAN_SCHEMA,
        },
        "item": [{"name": "Task history", "item": items}],
    }
    out = folder / "runs.postman_collection.json"
    write_atomically(out, json.dumps(collection, indent=2) + "\n")
    seen = set().union(*(statuses_of(json.loads(i["response"][0]["body"])) for i in items))
    return out, seen


# -- Xceptor: JSON Lines ------------------------------------------------------------------------


def record_xceptor(sim: Simulator, folder: Path) -> tuple[Path, set[str]]:
    """Get-one bodies (about 20): seeded runs, and runs made by writes as they progress."""
    workflow = sim.known_path_parameters()["workflowId"]
    api = f"{sim.url}/v1/workflows"
    lines: list[Any] = []

    def get(run_id: str, of: str = workflow) -> None:
        lines.append(fetch(f"{api}/{of}/runs/{run_id}").json())

    for run in fetch(f"{api}/{workflow}/runs?page_size=100").json()["data"]:
        get(run["id"])
    # Another workflow, one run per status; its id comes from the store (there is no
    # workflow list in the contract).
    others = [r for r in sim.store.all() if r["workflow_id"] != workflow]
    second = [r for r in others if r["workflow_id"] == others[0]["workflow_id"]] if others else []
    for run in pick_by_status(second):
        get(run["id"], run["workflow_id"])

    def execute(i: int) -> str:
        body = {"parameters": {"batch": f"2026-01-{i + 1:02d}"}}
        return str(fetch(f"{api}/{workflow}/runs", "POST", body).json()["id"])

    ids = stagger(sim, execute)
    for run_id in ids:  # succeeded, succeeded, failed, running, queued
        get(run_id)
    fetch(f"{api}/{workflow}/runs/{ids[3]}", "DELETE")  # cancel the running one
    get(ids[3])
    sim.advance(1.0)
    get(ids[4])  # the queued one, now running
    sim.advance(SETTLE)
    get(ids[4])  # and finished
    path = folder / "runs.jsonl"
    write_atomically(path, "".join(json.dumps(line) + "\n" for line in lines))
    return path, set().union(*(statuses_of(line) for line in lines))


#: Statuses each vendor's recording must show; a simulator change that loses one fails loudly.
EXPECTED = {
    "hatchet": {"QUEUED", "RUNNING", "COMPLETED", "FAILED"},
    "knock": {"queued", "processing", "completed", "cancelled"},
    "restack": {"queued", "running", "completed", "failed"},
    "paragon": {"SUCCEEDED", "FAILED"},
    "xceptor": {"pending", "running", "completed", "failed", "cancelled"},
}

RECORDERS: dict[str, Callable[[Simulator, Path], tuple[Path, set[str]]]] = {
    "hatchet": record_hatchet,
    "knock": record_knock,
    "restack": record_restack,
    "paragon": record_paragon,
    "xceptor": record_xceptor,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: %(default)s")
    parser.add_argument(
        "--vendor", action="append", choices=sorted(RECORDERS), help="only this vendor (repeat)"
    )
    args = parser.parse_args(argv)
    missing = 0
    for vendor in args.vendor or RECORDERS:
        with start(vendor, host="127.0.0.1", seed=SEED, speed=0) as sim:
            path, statuses = RECORDERS[vendor](sim, args.out / vendor)
        size = path.stat().st_size
        shown = ", ".join(sorted(statuses))
        print(f"{vendor}: {path} ({size:,} bytes; statuses: {shown})")
        lost = sorted(EXPECTED[vendor] - statuses)
        if lost:
            missing += 1
            print(f"{vendor}: error: no {', '.join(lost)} run recorded", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
