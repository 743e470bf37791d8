"""Hostile clients of `runconform serve`: malformed or lying Content-Length, oversized request
lines and headers, bytes that are not HTTP, and credentials the log must never show.

Each case talks raw sockets to the real simulator on 127.0.0.1 and asserts the answer (a
status line and a JSON error in the vendor's shape, or a closed connection), that nothing
printed a traceback, that the server still serves a normal GET, and that its handler
threads end within a bounded time. The secrets sweep runs `runconform serve` as a child.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from hostile import RSS_BOUND_MIB, RUNCONFORM, Outcome, run_child

from conformance.simulator import Simulator, start

#: conformance.simulator.wire.READ_TIMEOUT_S, the documented wait for a request's bytes.
READ_TIMEOUT_S = 5.0
#: How long a refused connection may take to end: the read timeout, the 1 s linger, slack.
THREAD_BOUND_S = READ_TIMEOUT_S + 1.0 + 4.0
WORKFLOW = "/workflows/{workflow}/runs"
CREATE = "POST {path} HTTP/1.1\r\nHost: sim\r\nContent-Type: application/json\r\n"


def _handler_threads() -> int:
    return sum("process_request_thread" in t.name for t in threading.enumerate())


@pytest.fixture
def sim() -> Iterator[tuple[Simulator, io.StringIO]]:
    """An Xceptor simulator logging requests (as `serve -v` does) into a buffer."""
    log = io.StringIO()
    with start("xceptor", seed=3, runs=3, log=log) as running:
        yield running, log


def _path(sim: Simulator) -> str:
    return WORKFLOW.format(workflow=sim.store.pools["workflow"][0])


def exchange(sim: Simulator, data: bytes, bound: float = THREAD_BOUND_S) -> bytes:
    """Send `data`, keep the connection open, read until the server closes it (or `bound`)."""
    with socket.create_connection(("127.0.0.1", sim.port), timeout=bound) as sock:
        with contextlib.suppress(OSError):  # the server may answer before reading it all
            sock.sendall(data)
        received = b""
        deadline = time.monotonic() + bound
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                return received
            received += chunk
        pytest.fail(f"the server kept the connection open for {bound} s; read {received[:200]!r}")


def parse(response: bytes) -> tuple[str, dict[str, str], Any]:
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return lines[0], headers, json.loads(body) if body else None


def normal_get_works(sim: Simulator) -> None:
    request = f"GET {_path(sim)} HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n"
    status, _, body = parse(exchange(sim, request.encode()))
    assert status == "HTTP/1.1 200 OK"
    assert len(body["data"]) >= 1


def threads_end(baseline: int) -> None:
    deadline = time.monotonic() + THREAD_BOUND_S
    while _handler_threads() > baseline and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _handler_threads() <= baseline, "a handler thread outlived its connection"


def _create(length: str, body: bytes = b"") -> str:
    return f"{CREATE}Content-Length: {length}\r\n\r\n" + body.decode()


CASES = [
    pytest.param(
        _create("abc", b'{"a": 1}'),
        400,
        "bad_request",
        "Content-Length must be a whole number of bytes (0 or more)",
        id="item13-content-length-not-a-number",
    ),
    pytest.param(
        _create("-5"),
        400,
        "bad_request",
        "Content-Length must be a whole number of bytes (0 or more)",
        id="item13-content-length-negative",
    ),
    pytest.param(
        _create("1" + "0" * 12, b'{"workflowId":'),
        413,
        "body_too_large",
        "the body may be at most 1048576 bytes",
        id="item13-content-length-huge",
    ),
    pytest.param(
        _create("9" * 5000),
        413,
        "body_too_large",
        "the body may be at most 1048576 bytes",
        id="item13-content-length-5000-digits",
    ),
    pytest.param(
        f"{CREATE}Content-Length: 2\r\nContent-Length: 20\r\n\r\n{{}}",
        400,
        "bad_request",
        "Content-Length is given more than once, with different values",
        id="item13-content-length-twice",
    ),
    pytest.param(
        f"{CREATE}Transfer-Encoding: chunked\r\n\r\n2\r\n{{}}\r\n0\r\n\r\n",
        501,
        "not_implemented",
        "Transfer-Encoding is not supported: send the body with a Content-Length",
        id="item13-chunked-body",
    ),
    pytest.param(
        _create("100", b'{"workflowId":'),
        408,
        "request_timeout",
        "the body did not arrive within 5 s: 14 of the 100 bytes of its Content-Length",
        id="item13-body-shorter-than-content-length",
    ),
    pytest.param(
        "GET /" + "a" * 70_000 + " HTTP/1.1\r\nHost: sim\r\n\r\n",
        414,
        "uri_too_long",
        "the request line is longer than 65536 bytes",
        id="item13-request-line-too-long",
    ),
    pytest.param(
        "GET / HTTP/1.1\r\nX-Big: " + "b" * 70_000 + "\r\n\r\n",
        431,
        "headers_too_large",
        "a header line is longer than 65536 bytes",
        id="item13-header-line-too-long",
    ),
    pytest.param(
        "GET / HTTP/1.1\r\n" + "".join(f"X-H{i}: {i}\r\n" for i in range(150)) + "\r\n",
        431,
        "headers_too_large",
        "the request has more than 100 headers",
        id="item13-too-many-headers",
    ),
    pytest.param(
        "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\xa8\x91\xfe\x00\r\n\r\n",
        400,
        "bad_request",
        "the request is not HTTP: expected 'METHOD /path HTTP/1.1'",
        id="item13-garbage-tls-hello",
    ),
    pytest.param(
        "hello there friend\r\n\r\n",
        400,
        "bad_request",
        "the request is not HTTP: expected 'METHOD /path HTTP/1.1'",
        id="item13-garbage-words",
    ),
    pytest.param(
        "GET /\r\n\r\n",
        505,
        "http_version_not_supported",
        "the HTTP version is not supported: use HTTP/1.1 or HTTP/1.0",
        id="item13-http-0.9",
    ),
    pytest.param(
        "BREW / HTTP/1.1\r\nHost: sim\r\n\r\n",
        501,
        "not_implemented",
        "the method is not supported: use GET, POST, PUT, PATCH or DELETE",
        id="item13-unknown-method",
    ),
]


@pytest.mark.parametrize(("request_text", "status", "code", "message"), CASES)
def test_a_hostile_request_gets_one_json_refusal_and_the_connection_ends(
    sim: tuple[Simulator, io.StringIO],
    capfd: pytest.CaptureFixture[str],
    request_text: str,
    status: int,
    code: str,
    message: str,
) -> None:
    server, log = sim
    baseline = _handler_threads()
    data = request_text.replace("{path}", _path(server)).encode("iso-8859-1")
    started = time.monotonic()
    status_line, headers, body = parse(exchange(server, data))
    seconds = time.monotonic() - started
    assert status_line == f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"
    assert headers["connection"] == "close"
    assert headers["content-type"] == "application/json"
    assert body == {"code": code, "message": message}
    assert seconds < THREAD_BOUND_S
    threads_end(baseline)
    normal_get_works(server)
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err + log.getvalue()
    assert f'" {status} -' in log.getvalue()  # the refusal is logged, one line


@pytest.mark.parametrize(
    ("vendor", "body"),
    [
        ("hatchet", {"errors": [{"description": "{m}"}]}),
        ("knock", {"message": "{m}"}),
        ("paragon", {"message": "{m}"}),
        ("restack", {"error": "{m}"}),
        ("xceptor", {"code": "bad_request", "message": "{m}"}),
    ],
)
def test_a_malformed_content_length_is_a_400_in_the_vendors_error_shape(
    vendor: str, body: dict[str, Any], capfd: pytest.CaptureFixture[str]
) -> None:
    message = "Content-Length must be a whole number of bytes (0 or more)"
    expected = json.loads(json.dumps(body).replace("{m}", message))
    with start(vendor, runs=1) as server:
        data = b"POST /x HTTP/1.1\r\nHost: sim\r\nContent-Length: abc\r\n\r\n{}"
        status_line, _, answer = parse(exchange(server, data))
    assert (status_line, answer) == ("HTTP/1.1 400 Bad Request", expected)
    assert "Traceback" not in "".join(capfd.readouterr())


#: Clients that start a request and fall silent; all held open at once, so the test
#: waits for one read timeout, not one per client.
SILENT = {
    "item13-idle-connection": b"",
    "item13-request-line-never-ends": b"GET / HT",
    "item13-headers-never-end": b"GET / HTTP/1.1\r\nHost: sim\r\n",
    "item13-http-0.9-without-headers": b"GET /\r\n",
}


def test_silent_clients_are_dropped_after_the_read_timeout(
    sim: tuple[Simulator, io.StringIO], capfd: pytest.CaptureFixture[str]
) -> None:
    server, log = sim
    baseline = _handler_threads()
    started = time.monotonic()
    with ThreadPoolExecutor(len(SILENT)) as pool:
        answers = dict(
            zip(SILENT, pool.map(lambda d: exchange(server, d), SILENT.values()), strict=True)
        )
    assert answers == dict.fromkeys(SILENT, b"")  # nothing to answer: the connection just ends
    assert READ_TIMEOUT_S - 0.5 < time.monotonic() - started < THREAD_BOUND_S
    threads_end(baseline)
    normal_get_works(server)
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err + log.getvalue()
    assert log.getvalue().count("request timed out") == len(SILENT)


# -- secrets: `runconform serve --token-env VAR -v` as a child process ----------------------

TOKEN = "tok-ENV-7f3a9c1e5b"  # the right credential, planted in the --token-env variable
WRONG = "tok-WRONG-2d8e4b6a0c"  # a wrong bearer token
BASIC = "dXNlcjpCQVNJQy1zZWNyZXQ="  # user:BASIC-secret, the wrong scheme
QUERY = "QUERY-secret-91b2c3"  # ?api_key=..., which a log of request lines would show
HEADER = "HEADER-secret-5e6f70"  # X-Api-Key: not a way serve accepts, sent anyway
GARBAGE = "GARBAGE-secret-a1b2c3"  # in a request line that is not HTTP
LONG = "LONG-secret-d4e5f6"  # in an Authorization header over the line limit
SECRETS = (TOKEN, WRONG, BASIC, "BASIC-secret", QUERY, HEADER, GARBAGE, LONG)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _child_serving(port: int) -> int | None:
    """The pid of this process's child whose command line names `port` (the serve child)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(stat.rpartition(")")[2].split()[1])
        ours = parent == os.getpid() or _parent_of(parent) == os.getpid()  # run_child's launcher
        if ours and str(port).encode() in argv and b"serve" in argv:
            return int(entry.name)
    return None


def _parent_of(pid: int) -> int | None:
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return None
    return int(stat.rpartition(")")[2].split()[1])


def _raw(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=THREAD_BOUND_S) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def _get(port: int, target: str, *headers: str) -> str:
    lines = [f"GET {target} HTTP/1.1", "Host: sim", "Connection: close", *headers, "", ""]
    return _raw(port, "\r\n".join(lines).encode()).decode("iso-8859-1")


def test_serve_never_prints_a_credential(tmp_path: Path) -> None:
    port = _free_port()
    argv = (*RUNCONFORM, "serve", "xceptor", "--port", str(port), "--token-env", "RC_SIM_TOKEN")
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(
            run_child,
            (*argv, "--runs", "3", "-v"),
            case="item13-serve-secrets",
            cwd=tmp_path,  # not the checkout: `-m` puts the working directory on sys.path
            env={"RC_SIM_TOKEN": TOKEN},
            timeout=60,
        )
        try:
            deadline = time.monotonic() + 30
            while _child_serving(port) is None or not _listening(port):
                assert time.monotonic() < deadline, "runconform serve did not start"
                time.sleep(0.1)
            answers = {
                "right": _get(port, "/workflows/x/runs", f"Authorization: Bearer {TOKEN}"),
                "none": _get(port, "/workflows/x/runs"),
                "wrong": _get(port, "/workflows/x/runs", f"Authorization: Bearer {WRONG}"),
                "basic": _get(port, "/workflows/x/runs", f"Authorization: Basic {BASIC}"),
                "query": _get(port, f"/workflows/x/runs?api_key={QUERY}&page=1"),
                "query-right": _get(
                    port, f"/workflows/x/runs?api_key={QUERY}", f"Authorization: Bearer {TOKEN}"
                ),
                "header": _get(port, "/workflows/x/runs", f"X-Api-Key: {HEADER}"),
                "garbage": _raw(
                    port, f"GET /?api_key={GARBAGE} HTTP/9 x\r\n\r\n".encode()
                ).decode(),
                "long": _get(port, "/", f"Authorization: Bearer {LONG}{'x' * 70_000}"),
            }
        finally:
            pid = _child_serving(port)
            if pid is not None:
                os.kill(pid, signal.SIGTERM)
        outcome: Outcome = future.result(timeout=90)
    assert outcome.returncode == 0 and not outcome.timed_out
    assert not outcome.traceback
    assert outcome.peak_rss_mib < RSS_BOUND_MIB
    url = f"http://127.0.0.1:{port}"  # then how to authenticate and a command naming the variable
    first, auth, command = outcome.stdout.splitlines()
    assert (first, auth) == (url, "# every request needs 'Authorization: Bearer $RC_SIM_TOKEN'")
    assert command.startswith(
        f"runconform contract xceptor --url {url} --token-env RC_SIM_TOKEN --stateful "
        "--rate-limit 0 --path-param workflowId="
    )
    found = {s: outcome.output.count(s) for s in SECRETS}
    assert found == dict.fromkeys(SECRETS, 0)
    statuses = {name: text.split("\r\n")[0].split(" ")[1] for name, text in answers.items()}
    assert statuses == {
        "right": "404",  # authorized; no such workflow
        "none": "401",
        "wrong": "401",
        "basic": "401",
        "query": "401",
        "query-right": "404",
        "header": "401",
        "garbage": "400",
        "long": "431",
    }
    answered = "".join(answers.values())
    assert [s for s in SECRETS if s in answered] == []  # no answer echoes one either
    # the log is there (so the sweep read something): request lines, queries redacted
    assert '"GET /workflows/x/runs?[REDACTED] HTTP/1.1" 401 -' in outcome.stderr
    assert '"GET /?[REDACTED] HTTP/9 x" 400 -' in outcome.stderr


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True
