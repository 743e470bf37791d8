"""The HTTP side: a `ThreadingHTTPServer` in a background thread, faults applied per request.

Standard library only, so the simulator runs wherever runconform does. It binds loopback by
default; `stop()` shuts the server down, closes the socket and joins the thread, so the port
is free again when it returns. A hostile client (a lying Content-Length, an oversized line,
bytes that are not HTTP, silence) gets a JSON refusal or a closed connection within
`wire.READ_TIMEOUT_S`, never a traceback; the log shows request lines with queries redacted.
"""

from __future__ import annotations

import json
import signal
import socket
import struct
import sys
import threading
import time
import traceback
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

from conformance.bundle.vendors import VENDORS as VENDORS  # re-exported: the one list
from conformance.errors import UsageError
from conformance.simulator.banner import banner, new_token
from conformance.simulator.drift_kinds import BODY_DRIFT_KINDS, LIFECYCLE_DRIFT_KINDS
from conformance.simulator.faults import Faults, apply_drift, decide
from conformance.simulator.hatchet_routes import not_served
from conformance.simulator.lifecycle_drift import ResponseDrift
from conformance.simulator.protocol import Request, Response, Route
from conformance.simulator.restack_routes import known_parameters as restack_known
from conformance.simulator.routes import CANCELS, PARAGON_PROJECT, routes_for
from conformance.simulator.store import Store
from conformance.simulator.vendor_specs import SPECS
from conformance.simulator.wire import (
    READ_TIMEOUT_S,
    Refusal,
    authorized,
    body_length,
    error_body,
    linger,
    protocol_refusal,
    read_body,
    shown_request_line,
    unauthorized_body,
)
from conformance.validation.routing import load_operations

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _prefixes(vendor: str) -> tuple[str, ...]:
    """The contract's server base paths (Xceptor's `/v1`): served with and without them."""
    paths = {urlsplit(url).path.rstrip("/") for op in load_operations(vendor) for url in op.servers}
    return tuple(sorted((p for p in paths if p), key=len, reverse=True))


def _refuse_unshowable(vendor: str, drift: str | None, routes: tuple[Route, ...]) -> None:
    """A UsageError for a drift kind the store keeps that no route of `vendor` can show
    (the store refuses what its run cannot show: `LifecycleDrift.make`)."""
    where = f"drift {drift} cannot be shown by the {vendor} simulator"
    if drift == "stuck" and not any(r.method != "GET" for r in routes):
        raise UsageError(f"{where}: it makes no runs by writes")
    if drift == "cancel-ignored" and not any(r.handler in CANCELS for r in routes):
        raise UsageError(f"{where}: it serves no cancel")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sim: Simulator) -> None:
        self.sim = sim
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.address_family = family
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line, never a traceback (its frames may hold request data, even a credential)."""
        kind, exc, _ = sys.exc_info()
        if exc is None or isinstance(exc, (ConnectionError, TimeoutError)):
            return  # the client went away or stalled: its business, not a fault of ours
        frames = traceback.extract_tb(exc.__traceback__)
        where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
        name = kind.__name__ if kind else "error"
        sys.stderr.write(f"runconform: simulator: {name} at {where} (a bug in runconform)\n")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "runconform-simulator"
    timeout = READ_TIMEOUT_S  # a silent client (no line, no headers, no next request) is dropped
    _refused = False  # answered without reading the whole request: drain before closing

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def log_message(self, format: str, *args: Any) -> None:  # quiet unless asked
        if self.server.sim.log is not None:
            self.server.sim.log.write(f"{self.address_string()} {format % args}\n")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """The request line with its query redacted: a query can carry a credential."""
        status = code.value if isinstance(code, HTTPStatus) else code
        self.log_message('"%s" %s %s', shown_request_line(self.requestline), status, size)

    def log_error(self, format: str, *args: Any) -> None:
        """Only http.server's timeout calls this now; its arguments are not shown."""
        self.log_message("%s", format.partition(":")[0].lower())

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.request_version == "HTTP/0.9":  # it has no status line: the client could not tell
            self.send_error(505)
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's refusals (bad line, long line or headers, unknown method) as JSON."""
        if self.request_version == "HTTP/0.9":  # garbage: still answer with a status line
            self.request_version = "HTTP/1.1"
        self._refuse(protocol_refusal(int(code), message))

    def handle_expect_100(self) -> bool:
        """Refuse a body we would refuse anyway before the client sends it."""
        length = body_length(self.headers)
        if isinstance(length, Refusal):
            self._refuse(length)
            return False
        return super().handle_expect_100()

    def finish(self) -> None:
        super().finish()
        if self._refused:
            linger(self.connection)

    def _refuse(self, refusal: Refusal) -> None:
        """Answer in the vendor's error shape and close: unread request bytes remain."""
        self._refused = True
        body = error_body(self.server.sim.vendor, refusal)
        self._send(Response(refusal.status, body, None, (("Connection", "close"),)))

    def _body(self) -> bytes | None:
        """The request body, or None when it was refused (and the refusal sent)."""
        length = body_length(self.headers)
        body = (
            length
            if isinstance(length, Refusal)
            else read_body(self.connection, self.rfile, length)
        )
        if isinstance(body, Refusal):
            self._refuse(body)
            return None
        return body

    def _handle(self, method: str) -> None:
        sim = self.server.sim
        body = self._body()
        if body is None:
            return
        decision = decide(sim.faults, sim.seed, sim.next_request())
        if decision.latency_s:
            time.sleep(decision.latency_s)
        if decision.reset:
            self._reset()
            return
        if sim.token is not None and not authorized(self.headers.get("Authorization"), sim.token):
            self._send(Response(401, unauthorized_body(sim.vendor), None))
            return
        if decision.error:
            payload = {"error": "simulated server error", "fault": "error-rate"}
            self._send(Response(503, payload, None, (("Retry-After", "1"),)))
            return
        try:
            response = sim.dispatch(method, self.path, body, self._base_url())
        except Exception as exc:  # a simulator bug: answer, never drop the connection
            response = Response(500, {"error": f"simulator error: {type(exc).__name__}"}, None)
        if sim.lifecycle_drift is not None and 200 <= response.status < 300:
            sim.lifecycle_drift.apply(response.body, response.schema)
        if sim.faults.drift in BODY_DRIFT_KINDS and 200 <= response.status < 300:
            drifted = apply_drift(sim.faults.drift, response.body, response.schema)
            response = Response(response.status, drifted, response.schema, response.headers)
        self._send(response)

    def _base_url(self) -> str:
        host = self.headers.get("Host") or self.server.sim.address
        return f"http://{host}"

    def _reset(self) -> None:
        """Close with RST (SO_LINGER 0): the client sees a reset, not a response."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _send(self, response: Response) -> None:
        data = b"" if response.body is None else json.dumps(response.body).encode()
        self.send_response(response.status)
        if response.body is not None:
            self.send_header("Content-Type", "application/json")
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Simulator:
    """A running simulator: `.url` to call it, `.stop()` (or `with`) to end it."""

    def __init__(
        self,
        vendor: str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 0,
        faults: Faults | None = None,
        runs: int = 25,
        speed: float = 1.0,
        log: IO[str] | None = None,
        token: str | None = None,
        db: Path | None = None,
    ) -> None:
        if vendor not in SPECS:
            raise UsageError(f"unknown vendor {vendor!r}; known: {', '.join(VENDORS)}")
        self.vendor, self.seed, self.faults = vendor, seed, faults or Faults()
        self.log = log
        self.token = token  # the contracts declare bearer auth: with a token, 401 without it
        self.routes: tuple[Route, ...] = routes_for(vendor)
        drift = self.faults.drift if self.faults.drift in LIFECYCLE_DRIFT_KINDS else None
        _refuse_unshowable(vendor, drift, self.routes)
        self.store = Store(vendor, seed=seed, runs=runs, speed=speed, db=db, drift=drift)
        specs = [self.store.spec, *(kind.spec for kind in self.store.kinds.values())]
        self.lifecycle_drift = None if drift is None else ResponseDrift(drift, specs)
        self.prefixes = _prefixes(vendor)
        self._count = 0
        self._count_lock = threading.Lock()
        try:
            self._server = _Server((host, port), self)
        except OSError as exc:
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        bound_host, bound_port = str(self._server.server_address[0]), self._server.server_address[1]
        self.port: int = int(bound_port)
        self.address = (
            f"[{bound_host}]:{self.port}" if ":" in bound_host else f"{bound_host}:{self.port}"
        )
        self.url = f"http://{self.address}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"simulator-{vendor}-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def known_path_parameters(self) -> dict[str, str]:
        """Path parameter values naming a real seeded run, so a contract run can reach it.

        A live API is tested the same way: the user names a run that exists
        (`runconform contract --path-param runId=...`); random ids only meet 404s.
        """
        run_id = next(iter(self.store._by_id))
        run = self.store.find(run_id) or {}
        by_vendor: dict[str, dict[str, Any]] = {
            "hatchet": {
                "tenant": run.get("tenantId"),
                "v1-workflow-run": run_id,
                "workflow-run": run_id,
                "task": run_id,
            },
            "knock": {"id": run_id},
            "paragon": {"projectId": PARAGON_PROJECT, "executionId": run_id},
            "restack": {"workflowName": run.get("workflowName"), "runId": run_id},
            "xceptor": {"workflowId": run.get("workflow_id"), "runId": run_id},
        }
        known = dict(by_vendor[self.vendor])
        if self.vendor == "restack":  # the seeded agent run that shares that run id
            known.update(restack_known(self.store))
        return {k: str(v) for k, v in known.items() if v is not None}

    def next_request(self) -> int:
        with self._count_lock:
            self._count += 1
            return self._count - 1

    def advance(self, seconds: float) -> None:
        """Move the simulated clock forward (runs made by writes progress with it)."""
        self.store.clock.advance(seconds)

    def dispatch(self, method: str, target: str, body: bytes, base_url: str) -> Response:
        split = urlsplit(target)
        path = split.path
        for prefix in self.prefixes:
            if path.startswith(prefix + "/"):
                path = path[len(prefix) :]
                break
        allowed = []
        for route in self.routes:
            match = route.pattern.match(path)
            if match is None:
                continue
            if route.method != method:
                allowed.append(route.method)
                continue
            query = parse_qs(split.query, keep_blank_values=True)
            request = Request(match.groupdict(), query, body, base_url, split.path)
            return route.handler(self.store, request)
        if allowed:
            return Response(
                405, {"error": f"{method} not allowed"}, None, (("Allow", ", ".join(allowed)),)
            )
        return Response(404, {"error": f"no {self.vendor} route for {path}"}, None)

    def stop(self) -> None:
        """Stop serving, close the socket and join the thread (idempotent)."""
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Simulator:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


#: `start(vendor, port=0, seed=..., faults=..., token=..., db=...)`: a running Simulator
#: (the constructor starts serving; the name reads better at call sites).
start = Simulator


def serve_forever(
    vendor: str, *, out: IO[str] | None = None, token_env: str | None = None, **options: Any
) -> int:
    """Serve until SIGINT/SIGTERM; the URL is the first line on `out`. Returns exit code 0.

    `options` are `Simulator`'s (host, port, seed, faults, runs, speed, log, token, db).
    Every request needs the bearer token: `token` (read from the variable `token_env`, which
    the printed command names), or one generated here and printed on `out` (see `banner`).
    """
    out = out or sys.stdout
    if options.get("token") is None:
        options["token"] = new_token()
    stop = threading.Event()
    previous: dict[signal.Signals, Any] = {}
    handler: Callable[[int, Any], None] = lambda signum, frame: stop.set()  # noqa: E731
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, handler)
    try:
        sim = Simulator(vendor, **options)
        host = options.get("host", "127.0.0.1")
        if host not in _LOOPBACK:
            print(f"warning: listening on {host}, not loopback", file=sys.stderr)
        faults = options.get("faults")
        lines = banner(
            vendor,
            sim.url,
            sim.known_path_parameters(),
            token=options["token"],
            token_env=token_env,
            drift=faults.drift if isinstance(faults, Faults) else None,
            loopback=host in _LOOPBACK,
        )
        print("\n".join(lines), file=out, flush=True)
        for operation, reason in not_served(vendor).items():
            print(f"not served: {operation}: {reason}", file=sys.stderr, flush=True)
        try:
            while not stop.wait(0.2):
                pass
        finally:
            sim.stop()
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
    return 0
