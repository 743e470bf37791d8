"""A hostile run API on 127.0.0.1: every way a server can hurt a contract run, one mode each.

`hostile_api()` serves GET requests and yields a `Hostile` with its base URL. A path's
first segment names the mode that answers it (`/hang`, `/huge-body/...`); a path that
matches one of `routes` (regular expressions) gets that route's mode first; any other
path gets `default`. `contract_of(*modes)` is an OpenAPI document with one GET operation
per mode (`/hang` is `hang`), which a run tests with `--contract FILE --expect
hang=xceptor.WorkflowRun ...`: no bundled vendor, no path parameters. So one run can meet
several hostile operations beside a good one (`ok`). Nothing big is held in memory: a
huge body is generated as it is sent.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from conftest import on_loopback

#: A conforming xceptor.WorkflowRun: what the polite modes answer.
RUN: dict[str, Any] = {
    "id": "0c5c7fd0-a6a3-4450-a513-270e269e0d37",
    "workflow_id": "9531985d-5d9d-49f8-9818-e811892f902b",
    "status": "completed",
    "triggered_by": "schedule",
    "started_at": "2025-07-31T10:57:19Z",
    "completed_at": "2025-07-31T10:59:05Z",
    "duration_ms": 106000,
    "input_parameters": {},
}


def _get(operation_id: str, query: bool) -> dict[str, Any]:
    limit = {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}}
    return {
        "get": {
            "operationId": operation_id,
            **({"parameters": [limit]} if query else {}),
            "responses": {
                "200": {
                    "description": "the latest run",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    }


def contract_of(*modes: str, query: tuple[str, ...] = ()) -> dict[str, Any]:
    """One GET operation per mode, `/MODE` with operation id MODE; the operations named in
    `query` take an integer query parameter, so they make many distinct requests."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "hostile runs", "version": "1"},
        "paths": {f"/{mode}": _get(mode, mode in query) for mode in modes},
    }


HUGE_BODY_MIB = 100
DRIP_SECONDS = 1.0  # under any --timeout a test uses: only a whole-request deadline stops it
MODES = (
    "ok",
    "hang",
    "trickle",
    "trickle-close",
    "trickle-headers",
    "reset",
    "garbage",
    "invalid-json",
    "huge-body",
    "huge-stream",
    "huge-integers",
    "slow",
    "redirect",
    "echo-auth",
)


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a hanging handler never keeps the test process alive
    block_on_close = False

    def __init__(self, default: str, routes: dict[str, str], elsewhere: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.default = default
        self.routes = {re.compile(pattern): mode for pattern, mode in routes.items()}
        self.elsewhere = elsewhere  # another host:port the redirect mode points to
        self.stop = threading.Event()
        self.requests: list[str] = []  # the path (with query) of every request seen


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        path = self.path.partition("?")[0]
        mode = next((m for p, m in self.server.routes.items() if p.search(path)), None)
        if mode is None:
            first = path.strip("/").partition("/")[0]
            mode = first if first in MODES else self.server.default
        getattr(self, "_" + mode.replace("-", "_"))()

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _ok(self) -> None:
        self._send(200, json.dumps(RUN).encode())

    def _hang(self) -> None:  # reads the request, never answers
        self.server.stop.wait(120)
        self.close_connection = True

    def _trickle(self, close: bool = False) -> None:  # headers, then a body byte a second
        body = json.dumps(RUN).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()
        self._drip(body)

    def _trickle_close(self) -> None:  # the same, saying the connection ends with it
        # (http.client then drops the connection's socket and the response owns it)
        self._trickle(close=True)

    def _trickle_headers(self) -> None:  # the status line and headers, a byte a second
        self._drip(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{}")

    def _drip(self, data: bytes) -> None:
        for byte in data:
            if self.server.stop.wait(DRIP_SECONDS):
                break
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:
                break
        self.close_connection = True

    def _reset(self) -> None:  # RST instead of an answer
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _garbage(self) -> None:  # not HTTP at all
        self.wfile.write(b"\x00\xffSSH-2.0-not-http\r\n\r\n" + bytes(range(256)))
        self.close_connection = True

    def _invalid_json(self) -> None:
        self._send(200, b'{"id": "0c5c7fd0", "status": ')

    def _huge_body(self, declared: bool = True) -> None:  # 100 MiB of JSON, made as it goes
        chunk = b"x" * (1024 * 1024)
        size = HUGE_BODY_MIB * len(chunk)
        head, tail = b'{"id": "', b'"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if declared:
            self.send_header("Content-Length", str(size + len(head) + len(tail)))
        else:  # no length: the body ends when the connection does
            self.send_header("Connection", "close")
        self.end_headers()
        try:
            self.wfile.write(head)
            for _ in range(HUGE_BODY_MIB):
                self.wfile.write(chunk)
            self.wfile.write(tail)
        except OSError:  # the client stopped reading: the point of the cap
            pass
        self.close_connection = True

    def _huge_stream(self) -> None:  # the same, with no Content-Length to refuse it by
        self._huge_body(declared=False)

    def _huge_integers(self) -> None:  # a 4,000-digit integer: exact, not a usable duration
        text = json.dumps({k: v for k, v in RUN.items() if k != "duration_ms"})
        body = text[:-1] + ', "duration_ms": ' + "9" * 4000 + "}"
        self._send(200, body.encode())

    def _slow(self) -> None:  # a good answer, 1.5 s late: under --timeout, over --max-time
        if not self.server.stop.wait(1.5):
            self._ok()

    def _redirect(self) -> None:  # away from the base URL, to another port
        self.send_response(302)
        self.send_header("Location", f"http://{self.server.elsewhere}/ok")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _echo_auth(self) -> None:  # what a careless API does: says back what it was sent
        echoed = {
            **RUN,
            "input_parameters": {"url": self.path, "headers": dict(self.headers.items())},
        }
        self._send(200, json.dumps(echoed).encode())


class _Elsewhere(ThreadingHTTPServer):
    """Where the redirect points: counts the requests that (wrongly) reach it."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Counted)
        self.hits = 0


class _Counted(BaseHTTPRequestHandler):
    server: _Elsewhere

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.hits += 1
        body = json.dumps(RUN).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Hostile:
    """A running hostile API: its URL, what it was asked, and what reached elsewhere."""

    def __init__(self, url: str, server: _Server, elsewhere: _Elsewhere) -> None:
        self.url = url
        self.server = server
        self.elsewhere = elsewhere

    @property
    def requests(self) -> list[str]:
        return list(self.server.requests)


@contextmanager
def hostile_api(default: str = "ok", routes: dict[str, str] | None = None) -> Iterator[Hostile]:
    """Serve on a free loopback port until the block ends (see the module's docstring)."""
    for mode in (default, *(routes or {}).values()):
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; known: {', '.join(MODES)}")
    elsewhere = _Elsewhere()
    with on_loopback(elsewhere) as other:
        server = _Server(default, routes or {}, other.removeprefix("http://"))
        try:
            with on_loopback(server) as url:
                yield Hostile(url, server, elsewhere)
        finally:
            server.stop.set()  # ends what still hangs or drips
