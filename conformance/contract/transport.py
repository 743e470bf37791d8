"""The HTTP of a contract run: every request bounded in time and size, never sent off the
base URL.

urllib3's timeout is per socket read, so a server that sends a byte a second never trips
it. Here each request has a deadline from its start (`--request-timeout`, and never past the
run's `--max-time`): a watchdog thread shuts the socket down when it passes, which ends
any read in progress at once. A body is read in chunks up to `--max-body-size` and no
further, so a 100 MB answer costs 16 MiB, not gigabytes. A redirect is followed only to
a URL under the base URL.

Schemathesis sends some requests itself (the auth probes of its `ignored_auth` check)
on a session it makes, not one it is given: `bounded()` replaces the factory it makes
them with, so those requests are bounded too.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import SplitResult, urljoin, urlsplit

import requests
import schemathesis.transport.requests as sent
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from conformance.contract.safety import size_text

_CHUNK = 64 * 1024


class RequestCut(requests.exceptions.RequestException):
    """runconform stopped the request: it ran past its time or size bound.

    `str()` is the reason as the run reports it; `response` is set when the status and
    headers had arrived (the body is then empty: what was read is not kept)."""


class TimeUp(RequestCut):
    """The request or the whole run ran out of time."""


class TooLarge(RequestCut):
    """The response body is larger than --max-body-size."""


@dataclass(frozen=True)
class Bounds:
    """What bounds every request of one run."""

    base_url: str  # without query: redirects are followed only below it
    timeout: float  # seconds per request, from its start to its last body byte
    max_time: float  # seconds for the whole run
    run_deadline: float  # time.monotonic() when the run must stop
    max_body_size: int  # bytes of (decoded) response body

    def time_left(self) -> float:
        return self.run_deadline - time.monotonic()


class _Request:
    """One request in flight: the socket it uses, and whether the watchdog fired.

    The socket is kept, not the connection: when an answer says the connection closes
    with it, http.client hands the socket to the response and sets `connection.sock` to
    None, so a watchdog looking there would find nothing to shut down."""

    def __init__(self) -> None:
        self.sock: socket.socket | None = None
        self.expired = False
        self.lock = threading.Lock()

    def expire(self) -> None:
        with self.lock:
            self.expired = True
            sock = self.sock
        _shut(sock)

    def use(self, sock: socket.socket | None) -> None:
        with self.lock:
            self.sock = sock
            late = self.expired
        if late:  # the deadline passed while connecting: end it now
            _shut(sock)


def _shut(sock: socket.socket | None) -> None:
    if sock is not None:
        with suppress(OSError):  # already closed: nothing to wake
            sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked read at once


_current = threading.local()  # the _Request the adapter is sending on this thread


def _watch(connection: HTTPConnection) -> None:
    request = getattr(_current, "request", None)
    if request is not None:
        request.use(connection.sock)


class _WatchedHTTP(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _watch(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        if self.sock is not None:  # a kept-alive connection: no connect() this time
            _watch(self)
        super().request(*args, **kwargs)


class _WatchedHTTPS(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _watch(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        if self.sock is not None:
            _watch(self)
        super().request(*args, **kwargs)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTP


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPS


class BoundedAdapter(HTTPAdapter):
    """An HTTPAdapter whose every request ends by its deadline with at most a capped body."""

    def __init__(self, bounds: Bounds) -> None:
        self.bounds = bounds
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, stream: bool = False, **kwargs: Any
    ) -> requests.Response:
        bounds = self.bounds
        started = time.monotonic()
        deadline = min(started + bounds.timeout, bounds.run_deadline)
        if deadline <= started:
            raise TimeUp(self._late(deadline), request=request)
        watch = _Request()
        timer = threading.Timer(deadline - started, watch.expire)
        timer.daemon = True
        _current.request = watch
        timer.start()
        try:
            kwargs["timeout"] = (deadline - started, deadline - started)
            response = super().send(request, stream=True, **kwargs)
            try:
                _read_body(response, bounds.max_body_size)
            except BaseException:
                response.elapsed = timedelta(seconds=time.monotonic() - started)
                response.close()
                raise
        except RequestCut:
            raise
        except Exception as exc:
            if watch.expired or time.monotonic() >= deadline:
                raise TimeUp(self._late(deadline), request=request) from None
            if isinstance(exc, requests.exceptions.RequestException):
                raise
            raise requests.exceptions.ConnectionError(exc, request=request) from None
        finally:
            timer.cancel()
            _current.request = None
        return response

    def _late(self, deadline: float) -> str:
        if deadline >= self.bounds.run_deadline:
            return f"cut off: the run's --max-time of {self.bounds.max_time:g} s ran out"
        return f"no complete response within {self.bounds.timeout:g} s (--request-timeout)"


def _read_body(response: requests.Response, limit: int) -> None:
    """Read the body into `response.content`, refusing it past `limit` bytes."""
    declared = response.headers.get("Content-Length", "")
    if declared.strip().isdigit() and int(declared) > limit:
        _too_large(response, limit)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(_CHUNK):
        size += len(chunk)
        if size > limit:
            _too_large(response, limit)
        chunks.append(chunk)
    response._content = b"".join(chunks)
    response._content_consumed = True  # type: ignore[attr-defined]


def _too_large(response: requests.Response, limit: int) -> None:
    response._content = b""
    response._content_consumed = True  # type: ignore[attr-defined]
    response.close()  # the rest is never read: the connection goes
    raise TooLarge(
        f"response body larger than {size_text(limit)} (--max-body-size); not read further",
        response=response,
        request=response.request,
    )


class BoundedSession(requests.Session):
    """A requests session whose requests are bounded and whose redirects stay below the
    base URL (Schemathesis makes one per request, so no cookie outlives a request)."""

    def __init__(self, bounds: Bounds) -> None:
        super().__init__()
        self.max_redirects = 5
        adapter = BoundedAdapter(bounds)
        self.mount("http://", adapter)
        self.mount("https://", adapter)
        self._base = urlsplit(bounds.base_url)

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        target = super().get_redirect_target(resp)
        if target is None or not under(urljoin(resp.url or "", target), self._base):
            return None  # the redirect is the response under test
        return target


def under(url: str, base: SplitResult) -> bool:
    """True when `url` is the base URL (scheme, host, port) or below its path."""
    try:
        parts = urlsplit(url)
        port, base_port = parts.port, base.port
    except ValueError:
        return False
    defaults = {"http": 80, "https": 443}
    prefix = base.path.rstrip("/") + "/"
    return (
        parts.scheme == base.scheme
        and parts.hostname == base.hostname
        and (port or defaults.get(parts.scheme)) == (base_port or defaults.get(base.scheme))
        and (parts.path + "/").startswith(prefix)
    )


_active = threading.local()  # the Bounds of the run in progress on this thread
_original: list[Callable[[], requests.Session]] = []


def _session() -> requests.Session:
    """What Schemathesis calls for a session: ours during a run on this thread."""
    bounds: Bounds | None = getattr(_active, "bounds", None)
    return BoundedSession(bounds) if bounds is not None else _original[0]()


@contextmanager
def bounded(bounds: Bounds) -> Iterator[None]:
    """Every request Schemathesis sends on this thread inside the block is bounded."""
    if not _original:
        if not hasattr(sent, "SameHostRedirectsSession"):  # pyproject caps the release
            raise RuntimeError("this Schemathesis release makes its sessions differently")
        _original.append(sent.SameHostRedirectsSession)
        sent.SameHostRedirectsSession = _session  # type: ignore[assignment,misc]
    previous = getattr(_active, "bounds", None)
    _active.bounds = bounds
    try:
        yield
    finally:
        _active.bounds = previous
