"""The contract runner against the reference simulator, over real loopback HTTP."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from conftest import on_loopback

from conformance.contract import ContractOptions, run_contract
from conformance.errors import InputError, UsageError
from conformance.simulator import BODY_DRIFT_KINDS, Faults, start

TOKEN = "t0k3n-for-tests"
VENDORS = ("hatchet", "knock", "paragon", "restack", "xceptor")


def _run(vendor: str, faults: Faults | None = None, **options: object):
    with start(vendor, seed=1, faults=faults or Faults(), token=TOKEN) as sim:
        known = tuple(sim.known_path_parameters().items())
        settings = {
            "max_examples": 5,
            "rate_limit": 0,
            "path_parameters": known,
            "headers": (("Authorization", f"Bearer {TOKEN}"),),
            **options,
        }
        return run_contract(vendor, ContractOptions(base_url=sim.url, **settings))  # type: ignore[arg-type]


def contract_args(
    vendor: str,
    url: str,
    *more: str,
    token: str | None = TOKEN,
    examples: str = "3",
    rate: str = "0",
) -> list[str]:
    """`runconform contract` as these tests run it: few examples, unthrottled, the bearer token."""
    args = ["contract", vendor, "--base-url", url, "--rate-limit", rate, "--max-examples", examples]
    if token is not None:
        args += ["--header", f"Authorization: Bearer {token}"]
    return [*args, *more]


def sent_authorization(har: dict[str, Any]) -> list[str]:
    """Every Authorization header value the HAR says was sent."""
    return [
        h["value"]
        for entry in har["log"]["entries"]
        for h in entry["request"]["headers"]
        if h["name"].lower() == "authorization"
    ]


@pytest.mark.parametrize("vendor", VENDORS)
def test_normal_mode_has_zero_failures(vendor: str) -> None:
    """Schemathesis' checks and ours, every run operation, against the reference simulator."""
    result = _run(vendor)
    assert result.runs and all(run.calls == 5 for run in result.runs)
    assert [(f.keyword, f.message) for f in result.failures] == []
    assert result.ok


# drift kind -> (the finding's kind and keyword, text its message carries)
DRIFT_FINDINGS = {
    "wrong-enum": ("schema", "enum", "is not one of"),
    "missing-required": ("schema", "required", ""),
    "wrong-type": ("schema", "type", ""),
    "time-order": ("invariant", "time-order", ""),
    "undocumented-field": ("drift", "undocumented", "is not documented"),
}


# where the contract requires nothing, missing-required drops the run's id (run-identity)
IDENTITY_DRIFT = ("invariant", "run-identity", "")


@pytest.mark.parametrize("drift", sorted(BODY_DRIFT_KINDS))
@pytest.mark.parametrize("vendor", VENDORS)
def test_drift_is_caught_and_named(vendor: str, drift: str) -> None:
    result = _run(vendor, Faults(drift=drift))
    requires_nothing = vendor in ("paragon", "xceptor") and drift == "missing-required"
    kind, keyword, text = IDENTITY_DRIFT if requires_nothing else DRIFT_FINDINGS[drift]
    named = [f for f in result.failures if (f.kind, f.keyword) == (kind, keyword)]
    assert named, [(f.kind, f.keyword, f.message) for f in result.failures]
    assert any(text in f.message for f in named)
    assert {(f.stage, f.subject) for f in named} <= {("contract", r.operation) for r in result.runs}


@pytest.mark.parametrize(
    ("faults", "seen"),
    [
        (Faults(error_rate=0.5), "not_a_server_error"),
        (Faults(reset_rate=0.5), "error"),
        (Faults(latency_ms=300), "error"),
    ],
    ids=["5xx", "resets", "latency-over-timeout"],
)
def test_faults_are_findings_not_hangs(faults: Faults, seen: str) -> None:
    import time

    started = time.monotonic()
    result = _run("knock", faults, timeout=0.1)
    assert time.monotonic() - started < 60
    assert not result.ok
    if seen == "error":
        assert any(run.errors for run in result.runs)
    else:
        assert any(f.keyword == seen for f in result.failures)


def test_writes_are_skipped_unless_allowed() -> None:
    result = _run("xceptor")
    assert ("POST /workflows/{workflowId}/runs", "writes need --allow-writes") in result.skipped
    assert all(r.operation.startswith("GET ") for r in result.runs)
    assert result.notes == (
        "xceptor/workflow-runs-api.openapi.yml: declares OpenAPI 3.2.0, "
        "which Schemathesis does not read; tested as 3.1.0 (it uses no "
        "3.2-only feature)",
    )


def test_a_planted_secret_never_reaches_any_report(tmp_path: Path, run_cli) -> None:
    secret = "sk_live_PLANTED_9f8e7d6c5b4a"
    with start("paragon", seed=1, faults=Faults(drift="wrong-enum"), token=secret) as sim:
        code, out, err = run_cli(
            *contract_args("paragon", sim.url, token=secret),
            *("--path-param", "projectId=project-1", "--report", "json,junit"),
            *("--report", "har", "--report", "vcr", "--report-dir", str(tmp_path)),
        )
    assert code == 1  # the drift is found...
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == [
        "contract-paragon.har",
        "contract-paragon.json",
        "contract-paragon.junit.xml",
        "contract-paragon.vcr.yaml",
    ]
    everything = out + err + "".join(p.read_text() for p in tmp_path.iterdir())
    assert secret not in everything  # ...and the credential is nowhere
    har = json.loads((tmp_path / "contract-paragon.har").read_text())
    sent = sent_authorization(har)
    assert sent and set(sent) == {"[REDACTED]"}  # also the tokens Schemathesis made up
    assert json.loads((tmp_path / "contract-paragon.json").read_text())["summary"]["ok"] is False


def test_the_recorded_cassette_and_har_validate_by_contract_routing(
    tmp_path: Path, run_cli
) -> None:
    """What the runner records is an ordinary recording that `validate` routes and checks."""
    with start("knock", seed=1, token=TOKEN) as sim:
        known = sim.known_path_parameters()
        code, _, _ = run_cli(
            *contract_args("knock", sim.url),
            "--path-param",
            f"id={known['id']}",
            "--report",
            "vcr,har",
            "--report-dir",
            str(tmp_path),
        )
    assert code == 0
    for name in ("contract-knock.vcr.yaml", "contract-knock.har"):
        code, out, _ = run_cli("validate", str(tmp_path / name), "--strict")
        assert code == 0, out
        assert out.splitlines()[-1].startswith("6 records: 6 conforming, 0 not conforming")


def test_unreachable_base_url() -> None:
    with pytest.raises(InputError) as caught:
        run_contract("paragon", ContractOptions(base_url="http://127.0.0.1:9"))
    assert str(caught.value) == "cannot reach http://127.0.0.1:9: Connection refused"


def test_unknown_operation_id() -> None:
    with pytest.raises(UsageError, match="unknown operation id\\(s\\) for paragon: nope; known: "):
        _run("paragon", operations=("nope",))


def test_serve_and_contract_from_the_command_line(run_cli, monkeypatch) -> None:
    """The README's loop: `runconform serve` in one process, `runconform contract` against it."""
    import os
    import signal
    import subprocess
    import sys

    env = {**os.environ, "SIM_TOKEN": TOKEN}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "conformance",
            "serve",
            "paragon",
            "--port",
            "0",
            "--token-env",
            "SIM_TOKEN",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        url = server.stdout.readline().strip()  # type: ignore[union-attr]
        assert url.startswith("http://127.0.0.1:")
        monkeypatch.setenv("SIM_TOKEN", TOKEN)
        code, out, err = run_cli(
            "contract",
            "paragon",
            "--base-url",
            url,
            "--token-env",
            "SIM_TOKEN",
            "--path-param",
            "projectId=project-1",
            "--rate-limit",
            "0",
            "--max-examples",
            "3",
        )
        assert (code, err) == (0, "")
        assert out.splitlines()[0] == (
            "GET /projects/{projectId}/task-history/"
            "workflow-executions: ok (3 calls, statuses [200])"
        )
        assert TOKEN not in out
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == 0


def test_a_named_write_needs_allow_writes() -> None:
    with pytest.raises(UsageError) as caught:
        _run("xceptor", operations=("executeWorkflow",))
    assert str(caught.value) == (
        "operation executeWorkflow (POST /workflows/{workflowId}/runs) "
        "writes; add --allow-writes to send it"
    )


def test_allowed_writes_are_sent() -> None:
    result = _run("xceptor", operations=("executeWorkflow",), allow_writes=True)
    (run,) = result.runs
    assert run.operation == "POST /workflows/{workflowId}/runs" and set(run.statuses) <= {201, 400}


def test_a_contract_that_does_not_parse(tmp_path: Path, run_cli) -> None:
    broken = tmp_path / "api.yaml"
    broken.write_text("openapi: 3.1.0\npaths: [\n")
    code, out, err = run_cli(
        "contract", "paragon", "--base-url", "http://127.0.0.1:9", "--contract", str(broken)
    )
    assert (code, out) == (3, "")
    assert err.startswith(f"runconform: error: {broken}: malformed YAML at line 3")


def test_stateful_feeds_listed_ids_to_get_one(run_cli) -> None:
    """Without --path-param, random ids meet 404s (declared: untested, exit 2); --stateful
    uses the ids a list returned."""
    with start("knock", seed=1, token=TOKEN) as sim:
        args = contract_args("knock", sim.url)
        code, out, _ = run_cli(*args, "--operation", "getWorkflowRecipientRun")
        assert code == 2 and "untested (3 calls, statuses [404])" in out
        code, out, _ = run_cli(*args, "--stateful")
    assert code == 0
    assert out.splitlines()[:2] == [
        "GET /v1/workflow_recipient_runs: ok (3 calls, statuses [200])",
        "GET /v1/workflow_recipient_runs/{id}: ok (3 calls, statuses [200])",
    ]


@pytest.mark.parametrize(("text", "code"), [("10/s", 0), ("600/m", 0), ("fast", 2), ("5/h", 2)])
def test_rate_limit_spelling(text: str, code: int, run_cli) -> None:
    with start("paragon", seed=1, token=TOKEN) as sim:
        result = run_cli(
            *contract_args(
                "paragon", sim.url, "--path-param", "projectId=project-1", rate=text, examples="2"
            )
        )
    assert result[0] == code


def test_tokens_schemathesis_makes_up_are_redacted_too(tmp_path: Path, run_cli) -> None:
    """No user credential at all: the bearer tokens Schemathesis invents to probe auth
    still look like credentials to a reader, so they are redacted by header name."""
    with start("knock", seed=1) as sim:
        code, out, _ = run_cli(
            *contract_args(
                "knock", sim.url, "--report", "har", "--report-dir", str(tmp_path), token=None
            )
        )
    # an API without auth fails Schemathesis' ignored_auth check; the get-one meets only
    # 404s for the ids it makes up, so it stays untested, and 2 comes before 1
    ignored_auth = re.search(
        r"^  \$: error: Expected 401 or 403.*\[ignored_auth\] "
        r"\(reproduce: curl -X GET -H 'Authorization: \[REDACTED\]' "
        r"http://127\.0\.0\.1:\d+/v1/\S+\)$",
        out,
        re.M,
    )
    assert (code, ignored_auth is not None) == (2, True)
    har = json.loads((tmp_path / "contract-knock.har").read_text())
    for entry in har["log"]["entries"]:  # HAR 1.2: when it was sent, and the parsed query
        sent_at = datetime.fromisoformat(entry["startedDateTime"].replace("Z", "+00:00"))
        assert abs((datetime.now(UTC) - sent_at).total_seconds()) < 600
        query = urlsplit(entry["request"]["url"]).query
        assert entry["request"]["queryString"] == [
            {"name": n, "value": v} for n, v in parse_qsl(query, keep_blank_values=True)
        ]
    assert any(e["request"]["queryString"] for e in har["log"]["entries"])
    sent = sent_authorization(har)
    assert sent and set(sent) == {"[REDACTED]"}


# -- untested: an operation no response body of which was checked against a run schema ------

UNTESTED = "no response body was checked against a run schema"
XCEPTOR_UNTESTED = [
    "GET /workflows/{workflowId}/runs: untested (3 calls, statuses [404]): "
    f"{UNTESTED}; give it data: --path-param workflowId=VALUE",
    "GET /workflows/{workflowId}/runs/{runId}: untested (3 calls, statuses [404]): "
    f"{UNTESTED}; give it data: --path-param workflowId=VALUE --path-param runId=VALUE",
]
UNTESTED_VERDICT = "2 operations untested: give them data, or accept them with --allow-untested\n"
XCEPTOR_NOTE = (
    "note: xceptor/workflow-runs-api.openapi.yml: declares OpenAPI 3.2.0, which Schemathesis "
    "does not read; tested as 3.1.0 (it uses no 3.2-only feature)\n"
)


def summary_line(out: str) -> str:
    """The last line without its elapsed time, which varies."""
    return re.sub(r" in [0-9.]+ s$", " in T s", out.splitlines()[-1])


@pytest.mark.parametrize(
    ("flags", "code", "hint", "verdict"),
    [
        (("--stateful",), 2, "", UNTESTED_VERDICT),
        ((), 2, ", or --stateful", UNTESTED_VERDICT),
        (("--stateful", "--allow-untested"), 0, "", ""),
    ],
    ids=["stateful", "not-stateful", "allowed"],
)
def test_an_operation_that_checked_nothing_is_untested_not_ok(
    run_cli, flags: tuple[str, ...], code: int, hint: str, verdict: str
) -> None:
    """`serve xceptor` + `contract xceptor`: with no ids, every get meets 404 and
    nothing was checked; --stateful cannot help (no list without a path parameter)."""
    with start("xceptor", seed=1, token=TOKEN) as sim:
        result = run_cli(*contract_args("xceptor", sim.url, *flags))
    out = result[1]
    assert (result[0], result[2]) == (code, XCEPTOR_NOTE + verdict)
    assert out.splitlines()[:2] == [f"{line}{hint}" for line in XCEPTOR_UNTESTED]
    assert summary_line(out) == "0 operations tested, 0 failures, 2 untested, 2 skipped in T s"


def test_drift_behind_ids_nobody_gave_is_not_a_pass(run_cli) -> None:
    """`serve restack --fault drift=time-order`: a --stateful run never sees the drift
    (restack has no list to learn ids from): untested, exit 2; given ids, it fails."""
    with start("restack", seed=1, faults=Faults(drift="time-order"), token=TOKEN) as sim:
        args = contract_args("restack", sim.url)
        code, out, _ = run_cli(*args, "--stateful")
        assert (code, out.splitlines()[0]) == (
            2,
            "GET /api/workflows/{workflowName}/{runId}: untested (3 calls, statuses [404]): "
            f"{UNTESTED}; give it data: --path-param workflowName=VALUE --path-param runId=VALUE",
        )
        known = [f"--path-param={k}={v}" for k, v in sim.known_path_parameters().items()]
        code, out, _ = run_cli(*args, *known)
    assert code == 1
    assert out.splitlines()[0] == (
        "GET /api/workflows/{workflowName}/{runId}: FAILED (3 calls, statuses [200])"
    )
    reproduce = r"\(reproduce: curl -X GET -H 'Authorization: \[REDACTED\]' http://\S+\)"
    assert re.search(rf"^  \$\.\S+: error: .* \[time-order\] {reproduce}$", out, re.M), out
    assert TOKEN not in out


@pytest.mark.parametrize(
    ("flags", "code", "junit_result"),
    [((), 2, "failure"), (("--allow-untested",), 0, "skipped")],
    ids=["untested-fails", "untested-allowed"],
)
def test_untested_in_the_json_and_junit_reports(
    tmp_path: Path, run_cli, flags: tuple[str, ...], code: int, junit_result: str
) -> None:
    import junitparser

    with start("xceptor", seed=1, token=TOKEN) as sim:
        args = contract_args("xceptor", sim.url, "--stateful", *flags)
        result = run_cli(*args, "--report", "json,junit", "--report-dir", str(tmp_path))
    assert result[0] == code
    report = json.loads((tmp_path / "contract-xceptor.json").read_text())
    assert (report["summary"]["ok"], report["summary"]["exit_code"]) == (code == 0, code)
    status = "untested" if code else "skipped"  # an allowed untested operation is skipped
    operations = [case for case in report["results"] if "details" in case]  # those that ran
    assert [
        (
            case["status"],
            [f["rule"] for f in case["findings"]],
            case["details"]["checked"],
            case["details"]["hint"],
        )
        for case in operations
    ] == [
        (status, ["contract/untested"], 0, "give it data: --path-param workflowId=VALUE"),
        (
            status,
            ["contract/untested"],
            0,
            "give it data: --path-param workflowId=VALUE --path-param runId=VALUE",
        ),
    ]
    suite = next(iter(junitparser.JUnitXml.fromfile(str(tmp_path / "contract-xceptor.junit.xml"))))
    cases = {case.name: case.result for case in suite}
    for line in XCEPTOR_UNTESTED:
        (verdict,) = cases[line.partition(": untested")[0]]
        assert (type(verdict).__name__.lower(), verdict.message) == (junit_result, line)
        if junit_result == "failure":
            assert verdict.type == "untested"
    assert (suite.failures, suite.skipped) == ((2, 2) if code else (0, 4))


# -- --expect: the run schema a user's own operation must meet -------------------------------

MY_RUN = {
    "id": "0c5c7fd0-a6a3-4450-a513-270e269e0d37",
    "workflow_id": "9531985d-5d9d-49f8-9818-e811892f902b",
    "status": "completed",
    "triggered_by": "schedule",
    "started_at": "2025-07-31T10:57:19Z",
    "completed_at": "2025-07-31T10:59:05Z",
    "duration_ms": 106000,
    "input_parameters": {},
}
MY_CONTRACT = {  # a path no bundled contract has: only --expect gives it a run schema
    "openapi": "3.1.0",
    "info": {"title": "my runs", "version": "1"},
    "paths": {
        "/my/runs": {
            "get": {
                "operationId": "myRun",
                "responses": {
                    "200": {
                        "description": "the latest run",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        }
    },
}


@contextmanager
def my_api(body: dict[str, Any] | bytes) -> Iterator[str]:
    """A team's own API on loopback: GET answers `body` (as JSON, or these bytes)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    with on_loopback(ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as url:
        yield url


def my_contract_args(tmp_path: Path, url: str, *more: str) -> list[str]:
    contract = tmp_path / "my.yaml"
    contract.write_text(json.dumps(MY_CONTRACT))
    return contract_args("xceptor", url, "--contract", str(contract), *more, token=None)


@pytest.mark.parametrize(
    ("body", "code", "lines"),
    [
        (MY_RUN, 0, ["GET /my/runs: ok (1 call, statuses [200])"]),
        (
            {**MY_RUN, "status": "exploded"},
            1,
            [
                "GET /my/runs: FAILED (1 call, statuses [200])",
                '  $.status: error: "exploded" is not one of: "pending", "running", '
                '"completed", "failed", "cancelled" [enum] (reproduce: curl -X GET URL/my/runs)',
            ],
        ),
        (
            {**MY_RUN, "colour": "red"},
            1,
            [
                "GET /my/runs: FAILED (1 call, statuses [200])",
                "  $.colour: error: property 'colour' is not documented in the schema "
                "[undocumented] (reproduce: curl -X GET URL/my/runs)",
            ],
        ),
        (
            {**MY_RUN, "completed_at": "2025-07-31T10:57:18Z", "duration_ms": 0},
            1,
            [
                "GET /my/runs: FAILED (1 call, statuses [200])",
                "  $.completed_at: error: finished (2025-07-31T10:57:18Z) is "
                "before started (2025-07-31T10:57:19Z) [time-order] (reproduce: curl -X GET URL/my/runs)",
            ],
        ),
        (
            json.dumps({**MY_RUN, "duration_ms": 12345}).replace("12345", "1e400").encode(),
            1,
            [
                "GET /my/runs: FAILED (1 call, statuses [200])",
                "  $: error: invalid JSON: number 1e400 is too large for a double [malformed-json] (reproduce: curl -X GET URL/my/runs)",
            ],
        ),
    ],
    ids=["conforming", "wrong-enum", "undocumented", "time-order", "number-beyond-a-double"],
)
def test_expect_checks_your_operation_against_the_named_schema(
    tmp_path: Path, run_cli, body: dict[str, Any] | bytes, code: int, lines: list[str]
) -> None:
    with my_api(body) as url:
        result = run_cli(*my_contract_args(tmp_path, url, "--expect", "myRun=xceptor.WorkflowRun"))
    shown = [line.replace("URL", url) for line in lines]  # where the curl line sends it
    assert (result[0], result[1].splitlines()[:-1], result[2]) == (code, shown, "")


def test_without_expect_your_operation_is_untested(tmp_path: Path, run_cli) -> None:
    """The same conforming API, no --expect: nothing names a schema, so nothing passes."""
    with my_api(MY_RUN) as url:
        skipped = run_cli(*my_contract_args(tmp_path, url))
        chosen = run_cli(*my_contract_args(tmp_path, url, "--operation", "myRun"))
        unknown = run_cli(*my_contract_args(tmp_path, url, "--expect", "theirRun=xceptor.Error"))
        no_object = run_cli(*my_contract_args(tmp_path, url, "--expect", "myRun=xceptor.Nope"))
    assert skipped[0] == 2
    assert skipped[1].splitlines()[0] == (
        "GET /my/runs: skipped (no bundled run schema for its response (name one with --expect))"
    )
    assert skipped[2] == "no operation was tested: nothing was checked\n"
    assert chosen[0] == 2
    assert chosen[1].splitlines()[0] == (
        f"GET /my/runs: untested (1 call, statuses [200]): {UNTESTED}; "
        "name the run schema of its 2xx body: --expect myRun=VENDOR.OBJECT"
    )
    assert unknown[0] == 2
    assert (
        unknown[2]
        == "runconform: error: unknown operation id(s) for xceptor: theirRun; known: myRun\n"
    )
    assert no_object[0] == 2
    assert no_object[2].startswith("runconform: error: unknown object 'xceptor.Nope'")
