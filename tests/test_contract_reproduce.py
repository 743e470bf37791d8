"""A contract failure gives a `curl` line that sends the request again, credentials
redacted: on the terminal and in the report's finding (its `hint`), as Schemathesis does.

A loopback API answers every GET with an undocumented 404; the run is given a header
secret, a bearer token through --token-env and a secret in the base URL's query. None of
them may appear anywhere; the curl line is exact.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import on_loopback

from conformance.contract.reproduce import curl_line
from conformance.contract.safety import Scrubber

Cli = Callable[..., tuple[int, str, str]]
KEY = "sk_live_header_secret_1234"
TOKEN = "tok_bearer_secret_5678"
QUERY = "qs_secret_abcdef"
CONTRACT = {
    "openapi": "3.1.0",
    "info": {"title": "runs", "version": "1"},
    "paths": {
        "/runs": {
            "get": {
                "operationId": "listRuns",
                "responses": {
                    "200": {
                        "description": "runs",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        }
    },
}


@contextmanager
def not_found_api() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'{"error": "not found"}'
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with on_loopback(ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as url:
        yield url


def test_a_404_gives_a_redacted_curl_line(
    run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RC_TEST_TOKEN", TOKEN)
    contract = tmp_path / "api.json"
    contract.write_text(json.dumps(CONTRACT))
    with not_found_api() as url:
        code, out, err = run_cli(
            "contract",
            "xceptor",
            "-u",
            f"{url}/?api_key={QUERY}",
            "--contract",
            str(contract),
            "--expect",
            "listRuns=xceptor.WorkflowRun",
            "-H",
            f"X-Api-Key: {KEY}",
            "--token-env",
            "RC_TEST_TOKEN",
            "-n",
            "1",
            "--rate-limit",
            "0",
            "--report",
            "json,junit,sarif",
            "--report-dir",
            str(tmp_path / "reports"),
        )
    curl = (
        "curl -X GET -H 'X-Api-Key: [REDACTED]' -H 'Authorization: [REDACTED]' "
        f"'{url}/runs?api_key=[REDACTED]'"
    )
    assert code == 1, (out, err)
    failures = [line for line in out.splitlines() if line.startswith("  ")]
    assert failures, out
    assert all(line.endswith(f"(reproduce: {curl})") for line in failures), failures
    report = json.loads((tmp_path / "reports" / "contract-xceptor.json").read_text())
    hints = {f["hint"] for case in report["results"] for f in case.get("findings", [])}
    assert hints == {f"reproduce: {curl}"}
    written = out + err + "".join(p.read_text() for p in (tmp_path / "reports").iterdir())
    for secret in (KEY, TOKEN, QUERY):
        assert secret not in written


class _Request:
    """What requests' PreparedRequest offers the curl line."""

    def __init__(self, method: str, url: str, headers: dict[str, str], body: bytes | None):
        self.method, self.url, self.headers, self.body = method, url, headers, body


def test_the_curl_line_of_a_request_with_a_body() -> None:
    scrub = Scrubber((("Cookie", f"sid={KEY}"),), "http://u:pw_secret_99@127.0.0.1:9/?k=v1")
    request = _Request(
        "POST",
        "http://127.0.0.1:9/runs?k=v1&name=it's",
        {
            "User-Agent": "python-requests/2",
            "Accept": "*/*",
            "Content-Length": "30",
            "Content-Type": "application/json",
            "Cookie": f"sid={KEY}",
            "Authorization": "Basic dTpwd19zZWNyZXRfOTk=",
            "X-Trace": f"echo {KEY}",
        },
        json.dumps({"note": f"has {KEY}"}).encode(),
    )
    assert curl_line(request, {}, ["Cookie"], scrub) == (
        "curl -X POST -H 'Content-Type: application/json' -H 'Cookie: [REDACTED]' "
        "-H 'Authorization: [REDACTED]' -H 'X-Trace: echo [REDACTED]' "
        """-d '{"note": "has [REDACTED]"}' """
        "'http://127.0.0.1:9/runs?k=[REDACTED]&name=it%27s'"
    )
