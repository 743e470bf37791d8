"""The contract runner against the reference simulator, over real loopback HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from conformance.contract import ContractOptions, run_contract
from conformance.errors import InputError, UsageError
from conformance.simulator import DRIFT_KINDS, Faults, start

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
    assert [(f.check, f.message) for f in result.failures] == []
    assert result.ok


# drift kind -> (our check that must name it, text its message carries)
DRIFT_FINDINGS = {
    "wrong-enum": ("runconform_schema", "[enum]"),
    "missing-required": ("runconform_schema", "[required]"),
    "wrong-type": ("runconform_schema", "[type]"),
    "time-order": ("runconform_invariants", "[time-order]"),
    "undocumented-field": ("runconform_undocumented", "is not documented"),
}


@pytest.mark.parametrize("drift", sorted(DRIFT_KINDS))
@pytest.mark.parametrize("vendor", VENDORS)
def test_drift_is_caught_and_named(vendor: str, drift: str) -> None:
    try:
        result = _run(vendor, Faults(drift=drift))
    except UsageError as exc:  # e.g. no required field to drop: the vendor cannot drift so
        pytest.skip(str(exc))
    check, text = DRIFT_FINDINGS[drift]
    named = [f for f in result.failures if f.check == check]
    assert named, [(f.check, f.message) for f in result.failures]
    assert any(text in f.message for f in named)


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
        assert any(f.check == seen for f in result.failures)


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
    assert json.loads((tmp_path / "contract-paragon.json").read_text())["ok"] is False


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
    """Without --path-param, random ids meet 404s; --stateful uses the ids a list returned."""
    with start("knock", seed=1, token=TOKEN) as sim:
        args = contract_args("knock", sim.url)
        code, out, _ = run_cli(*args, "--operation", "getWorkflowRecipientRun")
        assert code == 1 and "statuses [404]" in out
        code, out, _ = run_cli(*args, "--stateful")
    assert code == 0
    assert out.splitlines()[:2] == [
        "GET /v1/workflow_recipient_runs: ok (3 calls, statuses [200])",
        "GET /v1/workflow_recipient_runs/{id}: ok (3 calls, statuses [200])",
    ]


def test_your_own_contract_with_an_expected_run_schema(tmp_path: Path, run_cli) -> None:
    """A team's own API: its document, and which bundled run schema its bodies must meet."""
    import yaml

    from conformance.resources import contracts_dir

    document = yaml.safe_load(
        (contracts_dir() / "knock" / "workflow-recipient-runs-api.openapi.yml").read_text()
    )
    document["paths"] = {
        "/v1/workflow_recipient_runs": document["paths"]["/v1/workflow_recipient_runs"]
    }
    document["paths"]["/v1/workflow_recipient_runs"]["get"]["operationId"] = "myRuns"
    own = tmp_path / "own.yaml"
    own.write_text(yaml.safe_dump(document))
    with start("knock", seed=1, faults=Faults(drift="wrong-enum"), token=TOKEN) as sim:
        args = contract_args("knock", sim.url, "--contract", str(own), rate="0/s")
        code, out, _ = run_cli(*args, "--expect", "myRuns=knock.ListWorkflowRecipientRunsResponse")
        assert code == 1
        assert "runconform_schema: $.items[0].status: " in out
        code, _, err = run_cli(*args, "--expect", "myRuns=knock.Nope")
        assert code == 2 and err.startswith("runconform: error: unknown object 'knock.Nope'")


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
        code, _, _ = run_cli(
            *contract_args(
                "knock", sim.url, "--report", "har", "--report-dir", str(tmp_path), token=None
            )
        )
    assert code == 1  # an API without auth fails Schemathesis' ignored_auth check
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
