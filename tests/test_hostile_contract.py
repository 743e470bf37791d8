"""`runconform contract` (and `check`) against a hostile API (issue 13): bounded in time and
memory, credentials nowhere, the documented exit code and message, never a traceback.

Each run is a child process (`hostile.run_child`: wall-time bound, address-space cap, peak
RSS) against `hostile_server.hostile_api` on 127.0.0.1, in its own folder, which must hold
no `.hypothesis/` afterwards. One run meets several hostile operations beside a good one
(`ok`): each request is bounded on its own (--timeout 2), and every run must end within
its --max-time + 10 s. Refusals that need no hostile server run in-process.
"""

from __future__ import annotations

import base64
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hostile import RSS_BOUND_MIB, RUNCONFORM, Outcome, run_child
from hostile_server import contract_of, hostile_api

from conformance.check import CheckOptions
from conformance.contract import ContractOptions
from conformance.contract.safety import REDACTED, Scrubber

Cli = Callable[..., tuple[int, str, str]]

UNTESTED = "no response body was checked against a run schema"
NOT_REACHED = "not reached: the run's --max-time of {} s ran out"
TOO_LARGE = "response body larger than {} (--max-body-size); not read further"
NETWORK_FAILURE = (
    "runconform: error: URL: no response to any of {} requests: "
    "the API is unreachable or not speaking HTTP (network failure)"
)


def contract_argv(url: str, folder: Path, document: dict[str, Any], *more: str) -> list[str]:
    """`runconform contract` of `document` (each operation --expect-ed), unthrottled."""
    path = folder / "api.json"
    path.write_text(json.dumps(document))
    expects = [f"--expect={op}=xceptor.WorkflowRun" for op in (p[1:] for p in document["paths"])]
    return [
        *RUNCONFORM,
        *("contract", "xceptor", "--base-url", url, "--contract", str(path), *expects),
        *("--rate-limit", "0", "--max-examples", "3", *more),
    ]


def bounded(argv: list[str], folder: Path, max_time: float, **kwargs: Any) -> Outcome:
    """Run `argv` in `folder` and check what every hostile run must be: on time, small,
    no traceback, no internal error, no Hypothesis database left in the folder."""
    outcome = run_child(argv, cwd=folder, timeout=max_time + 12, **kwargs)
    assert not outcome.timed_out, outcome.output
    assert not outcome.traceback, outcome.output
    assert outcome.returncode != 70, outcome.output
    assert outcome.seconds < max_time + 10
    assert outcome.peak_rss_mib < RSS_BOUND_MIB
    assert not (folder / ".hypothesis").exists()
    return outcome


def lines(text: str, url: str) -> list[str]:
    """Output lines with the server's URL as `URL` and elapsed seconds as `T`."""
    return [
        re.sub(r" in [0-9.]+ s$", " in T s", line.replace(url, "URL")) for line in text.splitlines()
    ]


# -- items 6 and 20: servers that hang, trickle, reset or do not speak HTTP ---------------


def test_no_response_at_all_is_a_network_failure(tmp_path: Path) -> None:
    """Not one request answered: exit 4, as the README promises for an unreachable API;
    a server that hangs or sends its headers a byte a second costs --timeout, no more."""
    modes = ("hang", "trickle-headers", "reset", "garbage")
    with hostile_api() as api:
        argv = contract_argv(api.url, tmp_path, contract_of(*modes), "--timeout", "2")
        outcome = bounded([*argv, "--max-time", "15"], tmp_path, 15, case="item6-no-response")
    assert outcome.returncode == 4
    assert lines(outcome.stdout, api.url) == [
        "GET /hang: FAILED (1 call, statuses [])",
        "  error: GET /hang: no complete response within 2 s (--request-timeout)",
        "GET /trickle-headers: FAILED (1 call, statuses [])",
        "  error: GET /trickle-headers: no complete response within 2 s (--request-timeout)",
        "GET /reset: FAILED (1 call, statuses [])",
        "  error: GET /reset: ConnectionError: ('Connection aborted.', "
        "ConnectionResetError(104, 'Connection reset by peer'))",
        "GET /garbage: FAILED (1 call, statuses [])",
        "  error: GET /garbage: ConnectionError: ('Connection aborted.', "
        "BadStatusLine('\\x00ÿSSH-2.0-not-http\\r\\n'))",
        "4 operations tested, 0 failures, 4 network errors, 0 untested, 0 skipped in T s",
    ]
    assert lines(outcome.stderr, api.url) == [NETWORK_FAILURE.format(4)]


def test_hostile_answers_beside_a_good_one(tmp_path: Path) -> None:
    """A body that trickles (on a kept and on a closing connection), two 100 MB bodies (declared and not), broken JSON, a
    4,000-digit integer, a redirect elsewhere: each fails on its own, within its bounds,
    reading 4 MiB of body at most; the good operation passes; every report is written."""
    modes = (
        "trickle",
        "trickle-close",
        "huge-body",
        "huge-stream",
        "invalid-json",
        "huge-integers",
        "redirect",
        "ok",
    )
    with hostile_api() as api:
        argv = contract_argv(api.url, tmp_path, contract_of(*modes), "--timeout", "2")
        argv += ["--max-time", "15", "--max-body-size", "4MiB", "--report", "json,har,vcr"]
        outcome = bounded(argv, tmp_path, 15, case="item7-hostile-answers")
        assert api.elsewhere.hits == 0  # a redirect off the base URL is never followed
    cut = TOO_LARGE.format("4 MiB")
    invalid = "Response must be valid JSON with 'Content-Type: application/json' header:"
    assert outcome.returncode == 1
    assert lines(outcome.stdout, api.url) == [
        "GET /trickle: FAILED (1 call, statuses [])",
        "  error: GET /trickle: no complete response within 2 s (--request-timeout)",
        "GET /trickle-close: FAILED (1 call, statuses [])",
        "  error: GET /trickle-close: no complete response within 2 s (--request-timeout)",
        "GET /huge-body: FAILED (1 call, statuses [200])",
        f"  error: GET /huge-body: {cut}",
        "GET /huge-stream: FAILED (1 call, statuses [200])",
        f"  error: GET /huge-stream: {cut}",
        "GET /invalid-json: FAILED (1 call, statuses [200])",
        f"  $: error: {invalid} [response_schema_conformance] "
        "(reproduce: curl -X GET URL/invalid-json)",
        "GET /huge-integers: FAILED (1 call, statuses [200])",
        "  $.duration_ms: error: duration 999999999999... (4,000 digits) ms "
        "does not match finished - started = 106000 ms (tolerance 1060 ms) "
        "[duration-consistent] (reproduce: curl -X GET URL/huge-integers)",
        "GET /redirect: FAILED (1 call, statuses [302])",
        "  $: error: Received: 302 [status_code_conformance] (reproduce: curl -X GET URL/redirect)",
        "GET /ok: ok (1 call, statuses [200])",
        "8 operations tested, 3 failures, 4 network errors, 0 untested, 0 skipped in T s",
    ]
    reports = tmp_path / "reports"
    results = json.loads((reports / "contract-xceptor.json").read_text())["results"]
    errors = {
        case["name"]: [f["message"] for f in case["findings"] if f["rule"] == "contract/network"]
        for case in results
    }
    assert errors["GET /huge-body"] == [f"GET /huge-body: {cut}"]
    entries = json.loads((reports / "contract-xceptor.har").read_text())["log"]["entries"]
    har = {e["request"]["url"].rpartition("/")[2]: e["response"]["content"] for e in entries}
    cassette = yaml.safe_load((reports / "contract-xceptor.vcr.yaml").read_text())
    vcr = {i["request"]["uri"].rpartition("/")[2]: i["response"] for i in cassette["interactions"]}
    for path in ("huge-body", "huge-stream"):  # recorded, the body not kept, the cut said
        assert (har[path]["text"], har[path]["comment"]) == ("", f"Body truncated: {cut}")
        assert (vcr[path]["body"]["string"], vcr[path]["comment"]) == ("", f"Body truncated: {cut}")
    assert "comment" not in har["ok"] and "comment" not in vcr["ok"]


# -- item 6: --max-time bounds the whole run, and a run it cuts short is not a pass -------


def test_max_time_cuts_a_hanging_request_and_reports_what_it_did_not_reach(
    tmp_path: Path,
) -> None:
    """Requests at 0-4 s (its --timeout) and 4-7 s (cut by --max-time); `ok` never reached."""
    document = contract_of("hang", "ok", query=("hang",))
    with hostile_api() as api:
        argv = contract_argv(api.url, tmp_path, document, "--timeout", "4", "--max-time", "7")
        outcome = bounded([*argv, "--report", "json"], tmp_path, 7, case="item6-hang-max-time")
    assert outcome.returncode == 4
    assert lines(outcome.stdout, api.url) == [
        "GET /hang: FAILED (2 calls, statuses [])",
        "  error: GET /hang: no complete response within 4 s (--request-timeout)",
        "  error: GET /hang: cut off: the run's --max-time of 7 s ran out",
        f"GET /ok: untested (0 calls, statuses []): {UNTESTED}; {NOT_REACHED.format(7)}",
        "1 operation tested, 0 failures, 2 network errors, 1 untested, 0 skipped in T s",
    ]
    assert lines(outcome.stderr, api.url)[0] == NETWORK_FAILURE.format(2)
    report = json.loads((tmp_path / "reports/contract-xceptor.json").read_text())
    summary = report["summary"]
    assert (summary["exit_code"], summary["stopped"]) == (4, "the run's --max-time of 7 s ran out")


STOPPED = (
    "the run's --max-time of 5 s ran out before the run was done: 1 operation untested; "
    "raise --max-time or test fewer operations (--operation)"
)


def test_a_run_cut_short_by_max_time_is_not_a_pass(tmp_path: Path) -> None:
    """Every answer is good and under --timeout, but too many for --max-time: exit 2,
    even with --allow-untested; the reports are written and say so."""
    document = contract_of("slow", "ok", query=("slow",))
    with hostile_api() as api:
        argv = contract_argv(api.url, tmp_path, document, "--timeout", "3", "--max-time", "5")
        argv += ["--max-examples", "20", "--allow-untested", "--report", "json,junit"]
        outcome = bounded(argv, tmp_path, 5, case="item6-slow-max-time")
    assert outcome.returncode == 2
    assert lines(outcome.stdout, api.url)[-2] == (
        f"GET /ok: untested (0 calls, statuses []): {UNTESTED}; {NOT_REACHED.format(5)}"
    )
    assert lines(outcome.stderr, api.url)[0] == STOPPED
    report = json.loads((tmp_path / "reports/contract-xceptor.json").read_text())
    summary = report["summary"]
    assert (summary["ok"], summary["exit_code"], summary["verdict"]) == (False, 2, STOPPED)
    junit = ET.parse(tmp_path / "reports/contract-xceptor.junit.xml")
    (run,) = [c for c in junit.iter("testcase") if c.get("name") == "runconform contract xceptor"]
    failure = run.find("failure")
    assert failure is not None
    assert (failure.get("message"), failure.get("type")) == (STOPPED, "time-ran-out")


# -- item 1: no credential in any output; URL credentials never silently replace a header ---

SECRETS = {
    "user": "u5er-PLANTED-a1",
    "password": "pa55-PLANTED-b2",
    "query": "qk-PLANTED-c3d4",
    "header": "hv-PLANTED-e5f6",
    "token": "tk-PLANTED-g7h8",
    "env": "ev-PLANTED-i9j0",
}
BASIC = base64.b64encode(f"{SECRETS['user']}:{SECRETS['password']}".encode()).decode()
ENV = {"RUNCONFORM_TOKEN": SECRETS["token"], "RUNCONFORM_HEADERS": f"X-Env: {SECRETS['env']}"}


def with_credentials(url: str) -> str:
    """`url` with the planted user, password and query."""
    userinfo = f"{SECRETS['user']}:{SECRETS['password']}@"
    return url.replace("http://", f"http://{userinfo}") + f"/?api_key={SECRETS['query']}"


def leaks(text: str, folder: Path | None = None) -> list[str]:
    """The planted secrets (and the Basic auth made of two) in `text` or any file of `folder`."""
    files = folder.rglob("*") if folder is not None else ()
    texts = [text] + [p.read_text(errors="replace") for p in files if p.is_file()]
    needles = {**SECRETS, "basic": BASIC}
    return sorted(name for name, secret in needles.items() if any(secret in t for t in texts))


def test_url_credentials_and_query_are_sent_and_never_shown(tmp_path: Path) -> None:
    """User, password and query in the base URL, a header, RUNCONFORM_HEADERS; a server that
    echoes every header and the URL into its body; every report format."""
    with hostile_api("echo-auth") as api:
        argv = contract_argv(with_credentials(api.url), tmp_path, contract_of("echo-auth"))
        argv += ["--header", f"X-Api-Key: {SECRETS['header']}", "--report", "json,junit,har,vcr"]
        outcome = bounded(argv, tmp_path, 300, case="item1-url-credentials", env=ENV)
        seen = api.requests
    assert outcome.returncode == 0, outcome.output
    assert seen and all(path.endswith(f"?api_key={SECRETS['query']}") for path in seen)
    assert leaks(outcome.output, tmp_path / "reports") == []
    har = json.loads((tmp_path / "reports/contract-xceptor.har").read_text())
    request = har["log"]["entries"][0]["request"]
    assert request["url"] == f"{api.url}/echo-auth?api_key=[REDACTED]"
    assert {"name": "Authorization", "value": "[REDACTED]"} in request["headers"]
    assert {"name": "X-Api-Key", "value": "[REDACTED]"} in request["headers"]


def test_check_sends_the_token_and_query_shows_neither_and_caps_bodies(tmp_path: Path) -> None:
    """`check` writes JSON, JUnit, Markdown, SARIF and HTML: none holds a credential. Its
    --max-body-size reaches the contract stage: get-one answers 100 MB, list an echo."""
    routes = {r"^/workflows/[^/]+/runs/[^/]+$": "huge-body"}
    with hostile_api("echo-auth", routes) as api:
        url = f"{api.url}/?api_key={SECRETS['query']}"
        argv = [*RUNCONFORM, "check", "--vendor", "xceptor", "--base-url", url]
        argv += ["--token-env", "RUNCONFORM_TOKEN", "--header", f"X-Api-Key: {SECRETS['header']}"]
        argv += ["--max-examples", "1", "--fixtures", "1", "--max-body-size", "1MiB"]
        argv += ["--out", str(tmp_path / "out")]
        outcome = bounded(argv, tmp_path, 120, case="item1-item7-check", env=ENV)
        seen = api.requests
    assert outcome.returncode == 1, outcome.output
    assert seen and all(f"api_key={SECRETS['query']}" in path for path in seen)
    written = sorted(p.suffix for p in (tmp_path / "out").iterdir())
    assert written == [".html", ".json", ".md", ".sarif", ".xml"]
    assert leaks(outcome.output, tmp_path / "out") == []
    report = json.loads((tmp_path / "out/runconform-check.json").read_text())
    messages = {f["message"] for stage in report["stages"] for f in stage["findings"]}
    get_one = "GET /workflows/{workflowId}/runs/{runId}"
    assert f"{get_one}: {TOO_LARGE.format('1 MiB')}" in messages


CLASH = (
    "runconform: error: the base URL carries a user and password (sent as Basic auth) and an "
    "Authorization header is given too: give one of them, not both\n"
)


@pytest.mark.parametrize(
    "flags",
    [
        ("--header", f"Authorization: Bearer {SECRETS['header']}"),
        ("--token-env", "RUNCONFORM_TOKEN"),
    ],
    ids=["item1-clash-header", "item1-clash-token-env"],
)
def test_url_credentials_with_an_authorization_header_are_refused(
    tmp_path: Path, run_cli: Cli, monkeypatch: pytest.MonkeyPatch, flags: tuple[str, ...]
) -> None:
    """requests would send the URL's user:password as Basic auth in place of the header."""
    monkeypatch.setenv("RUNCONFORM_TOKEN", SECRETS["token"])
    with hostile_api("echo-auth") as api:
        argv = contract_argv(with_credentials(api.url), tmp_path, contract_of("echo-auth"))
        result = run_cli(*argv[len(RUNCONFORM) :], *flags)
        assert api.requests == []
    assert result == (2, "", CLASH)


# -- item 20: the report folder is checked before any request ------------------------------


def test_an_unwritable_report_dir_is_refused_before_any_request(
    tmp_path: Path, run_cli: Cli
) -> None:
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the folder should be\n")
    with hostile_api() as api:
        argv = contract_argv(api.url, tmp_path, contract_of("ok"), "--report", "json")
        result = run_cli(*argv[len(RUNCONFORM) :], "--report-dir", str(blocker))
        assert api.requests == []
    assert result == (
        4,
        "",
        f"runconform: error: {blocker}: cannot write reports here: File exists\n",
    )


# -- item 7: the cap is an option, with a documented default -------------------------------


@pytest.mark.parametrize(
    ("command", "size", "message"),
    [
        (
            "contract",
            "lots",
            "'lots' is not a size: bytes, or a number with KiB, MiB, GiB, KB, MB or GB",
        ),
        ("contract", "0", "'0' is not a positive size"),
        (
            "check",
            "12.5MiB",
            "'12.5MiB' is not a size: bytes, or a number with KiB, MiB, GiB, KB, MB or GB",
        ),
    ],
)
def test_a_body_cap_that_is_not_a_size_is_a_usage_error(
    run_cli: Cli, command: str, size: str, message: str
) -> None:
    args = ["--vendor", "xceptor"] if command == "check" else ["xceptor"]
    code, out, err = run_cli(
        command, *args, "--base-url", "http://127.0.0.1:9", "--max-body-size", size
    )
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == f"Error: Invalid value for '--max-body-size': {message}"


@pytest.mark.parametrize("command", ["contract", "check"])
def test_the_default_body_cap_is_16_mib(run_cli: Cli, command: str) -> None:
    _, out, _ = run_cli(command, "--help")
    assert "[default: 16MiB]" in " ".join(out.split())


# -- item 2: objects that hold credentials do not show them ---------------------------------


def test_options_reprs_show_no_credential() -> None:
    url = with_credentials("http://127.0.0.1:9")
    headers = (("Authorization", f"Bearer {SECRETS['token']}"), ("X-Api-Key", SECRETS["header"]))
    reprs = [
        repr(ContractOptions(url, headers=headers)),
        repr(CheckOptions(base_url=url, headers=headers)),
    ]
    for text in reprs:
        assert leaks(text) == []
        assert "base_url='http://[REDACTED]@127.0.0.1:9/?[REDACTED]'" in text
        assert "headers=(('Authorization', '[REDACTED]'), ('X-Api-Key', '[REDACTED]'))" in text
    assert reprs[0].startswith("ContractOptions(base_url=")
    assert "max_body_size=16777216" in reprs[0]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("abcdSECRET\nLINESECRET", "Invalid header: {!r}", id="escaped-newline"),
        pytest.param("abcdSECRET\nLINESECRET", "first {} last", id="raw"),
        pytest.param("abcdSECRET\nLINESECRET", "line: LINESECRET", id="one-line-of-it"),
        pytest.param("Bearer tok-12345", "token tok-12345 refused", id="bearer-token-alone"),
    ],
)
def test_the_scrubber_knows_every_form_a_message_quotes_a_value_in(
    value: str, message: str
) -> None:
    """requests quotes a bad header value escaped (`'key\\nrest'`): that form, the raw value
    and each of its lines are all redacted."""
    scrubbed = Scrubber((("X-Api-Key", value),))(message.format(value))
    assert "SECRET" not in scrubbed
    assert "tok-12345" not in scrubbed
    assert REDACTED in scrubbed


def test_the_scrubber_knows_each_value_of_a_cookie_header() -> None:
    """A server may quote one cookie alone (`unknown session ...`)."""
    scrub = Scrubber((("Cookie", "sid=ck-SECRET-1; csrf=ck-SECRET-2"),))
    scrubbed = scrub("unknown session ck-SECRET-1 (csrf ck-SECRET-2)")
    assert "SECRET" not in scrubbed
    assert "tok-12345" not in scrubbed
    assert REDACTED in scrubbed


def test_an_operation_schemathesis_cannot_load_is_a_contract_problem() -> None:
    """The backstop behind the user-contract checks: Schemathesis' Err is exit 3, named."""
    from schemathesis.core.result import Err

    from conformance.contract.runner import _loaded
    from conformance.errors import BundleError

    with pytest.raises(BundleError) as raised:
        _loaded(Err(ValueError("bad parameter")), "mine.yaml")
    assert str(raised.value) == "mine.yaml: Schemathesis cannot load an operation: bad parameter"
    assert raised.value.exit_code == 3
