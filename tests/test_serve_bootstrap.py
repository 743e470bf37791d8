"""Issue 14 items 3 and 4: `serve` is safe and self-explaining, `contract --stateful` bootstraps.

- `runconform serve V` demands a bearer token (generated and printed on stdout when no
  --token-env names one), keeps its URL on the first line, and prints a `runconform contract`
  command that, pasted as is, passes: 0 failures, 0 untested; with `--fault drift=KIND` the
  same command fails naming the drift. The token never reaches `-v` logs or the reports.
- `contract --stateful` learns run ids from the API's own lists (given only what a user
  knows: Hatchet's tenant, Xceptor's workflow) or, for Restack, from the runs its writes make.
- A Paragon replay is listed finished, with status and dates, even after a `--db` restart,
  and `runconform map` reads the list.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shlex
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hostile import RUNCONFORM

from conformance.simulator import start

VENDORS = ("hatchet", "knock", "paragon", "restack", "xceptor")
TOKEN = "t0k3n-bootstrap"
RunCli = Callable[..., tuple[int, str, str]]

#: A request each vendor's simulator routes (the 401 comes before routing anyway).
LIST_PATH = {
    "hatchet": "/api/v1/stable/tenants/t/workflow-runs",
    "knock": "/v1/workflow_recipient_runs",
    "paragon": "/projects/p/task-history/workflow-executions",
    "restack": "/api/workflows/w/r",
    "xceptor": "/workflows/w/runs",
}
#: The 401 body in the vendor's declared error shape (Paragon and Restack declare none).
UNAUTHORIZED: dict[str, Any] = {
    "hatchet": {"errors": [{"description": "missing or invalid credentials"}]},
    "knock": {"message": "missing or invalid credentials"},
    "paragon": None,
    "restack": None,
    "xceptor": {"code": "unauthorized", "message": "missing or invalid credentials"},
}
SUMMARY = re.compile(r"^[1-9][0-9]* operations? tested, 0 failures, 0 untested, [0-9]+ skipped in ")
#: How a failure ends: the curl line that reproduces it, the bearer token redacted.
REPRODUCE = (
    r" \(reproduce: curl -X GET -H 'Authorization: \[REDACTED\]' '?http://127\.0\.0\.1:\S+\)$"
)


@dataclass(frozen=True)
class Served:
    url: str
    lines: list[str]  # what serve printed on stdout before serving
    token: str  # the generated token the command passes
    command: list[str]  # the printed command, without its variable assignment


@contextmanager
def serving(vendor: str, *flags: str) -> Iterator[tuple[Served, list[str]]]:
    """`runconform serve VENDOR FLAGS -v` as a child; (what it printed, its stderr lines
    once it has stopped)."""
    child = subprocess.Popen(
        [*RUNCONFORM, "serve", vendor, "--runs", "10", "-v", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "RUNCONFORM_TOKEN"},
    )
    printed: queue.Queue[str] = queue.Queue()
    assert child.stdout is not None and child.stderr is not None
    out, err = child.stdout, child.stderr
    threading.Thread(target=lambda: [printed.put(line) for line in out], daemon=True).start()
    stderr: list[str] = []
    reader = threading.Thread(target=lambda: stderr.extend(err), daemon=True)
    reader.start()
    try:
        lines = [printed.get(timeout=30).rstrip("\n")]
        while not lines[-1].startswith(("RUNCONFORM_TOKEN=", "runconform contract ")):
            lines.append(printed.get(timeout=5).rstrip("\n"))  # printed with the URL
        assignment, _, rest = lines[-1].rpartition("runconform contract ")
        variable, _, token = assignment.strip().partition("=")
        assert variable in ("RUNCONFORM_TOKEN", "")  # none when --token-env names the token
        command = shlex.split(f"contract {rest}")
        yield Served(lines[0], lines, token, command), stderr
    finally:
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=10) == 0
        reader.join(timeout=10)


def _call(url: str, headers: dict[str, str]) -> tuple[int, Any]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"null")


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_printed_command_passes_and_the_token_stays_on_stdout(
    vendor: str, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with serving(vendor) as (served, stderr):
        url, token = served.url, served.token
        assert re.fullmatch(r"http://127\.0\.0\.1:[0-9]+", url)  # still the first line
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # secrets.token_urlsafe(32)
        assert served.lines[1] == (
            f"# every request needs 'Authorization: Bearer {token}' "
            "(a token made for this run; --token-env VAR chooses your own)"
        )
        assert " ".join(served.command).startswith(
            f"contract {vendor} --url {url} --token-env RUNCONFORM_TOKEN --stateful "
            "--rate-limit 0 --path-param "
        )
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": token}):
            assert _call(url + LIST_PATH[vendor], headers) == (401, UNAUTHORIZED[vendor])
        monkeypatch.setenv("RUNCONFORM_TOKEN", token)
        reports = ("--report", "json,har,vcr", "--report-dir", str(tmp_path))
        code, out, err = run_cli(*served.command, "--max-examples", "2", *reports)
    assert code == 0, out + err
    assert SUMMARY.match(out.splitlines()[-1]), out
    assert '" 401 ' in "".join(stderr)  # -v logged the requests, and no header
    written = "".join(p.read_text() for p in tmp_path.iterdir())
    assert [token in text for text in (out, err, "".join(stderr), written)] == [False] * 4


@pytest.mark.parametrize(
    ("kind", "named"),
    [
        (
            "wrong-enum",
            re.compile(r'^  \S+: error: "SIMULATED_DRIFT" is not one of.* \[enum\]' + REPRODUCE),
        ),
        (
            "undocumented-field",
            re.compile(
                r"^  \S+: error: property 'simulatedDrift' is not.* \[undocumented\]" + REPRODUCE
            ),
        ),
    ],
)
@pytest.mark.parametrize("vendor", VENDORS)
def test_the_printed_command_names_the_drift(
    vendor: str,
    kind: str,
    named: re.Pattern[str],
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with serving(vendor, "--fault", f"drift={kind}") as (served, _):
        assert served.lines[2] == (
            f"# --fault drift={kind}: every run body breaks the contract that way; "
            "the contract run below fails naming it (exit 1)"
        )
        monkeypatch.setenv("RUNCONFORM_TOKEN", served.token)
        code, out, _ = run_cli(*served.command, "--max-examples", "1")
    assert code == 1
    assert any(named.match(line) for line in out.splitlines()), out


def test_a_given_token_is_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    """--token-env: the command names the variable; the value appears nowhere."""
    monkeypatch.setenv("MY_SIM_TOKEN", TOKEN)
    with serving("knock", "--token-env", "MY_SIM_TOKEN") as (served, stderr):
        assert served.token == ""  # nothing generated, nothing to pass
        assert served.lines[1] == "# every request needs 'Authorization: Bearer $MY_SIM_TOKEN'"
        assert " ".join(served.command).startswith(
            f"contract knock --url {served.url} --token-env MY_SIM_TOKEN --stateful "
            "--rate-limit 0 --path-param id="
        )
        assert (
            _call(served.url + LIST_PATH["knock"], {"Authorization": f"Bearer {TOKEN}"})[0] == 200
        )
    assert TOKEN not in "".join(served.lines + stderr)


#: What a user of the real vendor knows without asking its API: the root ids of its lists.
#: Restack has no list: its workflow runs come from the runs its writes make; its agent
#: runs only from ids given (the agent schedule's answer is no bundled run schema, so the
#: runner does not send it).
ROOTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "hatchet": ("hatchet", ("tenant",), ()),
    "knock": ("knock", (), ()),
    "paragon": ("paragon", ("projectId",), ("--allow-writes",)),  # the key is one project's
    "restack-writes": (
        "restack",
        (),
        ("--allow-writes", "--operation", "scheduleWorkflow", "--operation", "getWorkflowRun"),
    ),
    "restack-given": ("restack", ("workflowName", "agentName", "runId"), ()),
    "xceptor": ("xceptor", ("workflowId",), ()),
}


@pytest.mark.parametrize("case", ROOTS)
def test_stateful_bootstraps_every_path_parameter(case: str, run_cli: RunCli) -> None:
    vendor, roots, flags = ROOTS[case]
    with start(vendor, runs=10, token=TOKEN) as sim:
        known = sim.known_path_parameters()
        given = [f"--path-param={name}={known[name]}" for name in roots]
        code, out, _ = run_cli(
            *("contract", vendor, "--base-url", sim.url, "--stateful", "--rate-limit", "0"),
            *("--max-examples", "2", "--header", f"Authorization: Bearer {TOKEN}"),
            *given,
            *flags,
        )
    assert code == 0, out
    assert SUMMARY.match(out.splitlines()[-1]), out


def test_a_paragon_replay_is_listed_finished_and_maps(tmp_path: Path, run_cli: RunCli) -> None:
    """Even after a --db restart whose seeded runs end before the replay did."""
    db, listed = tmp_path / "paragon.db", tmp_path / "list.json"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    base = "/projects/project-1/task-history/workflow-executions"
    with start("paragon", speed=0, runs=3, db=db, token=TOKEN) as sim:
        execution = sim.known_path_parameters()["executionId"]
        sim.advance(10 * 365 * 86400)  # the replay ends long after every seeded date
        replay = urllib.request.Request(
            f"{sim.url}{base}/{execution}/replay", method="POST", data=b"", headers=auth
        )
        with urllib.request.urlopen(replay, timeout=10) as answer:
            replayed = json.loads(answer.read())
    with start("paragon", speed=0, runs=3, db=db, token=TOKEN) as sim:
        status, body = _call(sim.url + base, auth)
    assert status == 200
    assert body["workflowExecutions"][-1] == replayed  # listed as it was answered: finished
    listed.write_text(json.dumps(body))
    code, out, err = run_cli("map", "--from", "paragon.WorkflowExecutionList", str(listed))
    assert (code, err) == (
        0,
        "4 runs written; 0 records could not be mapped; 0 unreadable inputs\n",
    )
    runs = [json.loads(line) for line in out.splitlines()]
    assert all(r["status"] in ("succeeded", "failed") and r["finished_at"] for r in runs)


@pytest.mark.parametrize(
    ("kind", "extra"),
    [("terminal-changes", ""), ("cancel-ignored", "--allow-writes ")],
)
def test_the_printed_command_names_a_lifecycle_drift(
    kind: str, extra: str, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lifecycle drift: the printed command polls (and makes runs, where only runs made by
    writes show the drift) and fails naming it."""
    with serving("xceptor", "--fault", f"drift={kind}") as (served, _):
        said = (
            "runs made by writes break their lifecycle that way; the contract run below makes "
            "runs (--lifecycle --allow-writes)"
            if extra
            else "every run observed twice breaks its lifecycle that way; the contract run "
            "below polls runs (--lifecycle)"
        )
        assert served.lines[2] == f"# --fault drift={kind}: {said} and fails naming it (exit 1)"
        assert f"--lifecycle {extra}--rate-limit 0" in " ".join(served.command)
        monkeypatch.setenv("RUNCONFORM_TOKEN", served.token)
        code, out, _ = run_cli(*served.command, "--polls", "2", "--poll-interval", "0.2")
    assert code == 1
    keyword = "terminal-changed" if kind == "terminal-changes" else kind
    assert f"[{keyword}]" in out, out
