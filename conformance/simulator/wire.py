"""Reading a request off the socket without trusting it: the body's length, deadlines, refusals.

A client may declare any Content-Length, send less than it declared, or send no HTTP at
all. Each of those is a `Refusal` here (a status and a message the handler renders in the
vendor's error shape), never an exception, and every read has a deadline, so no handler
thread outlives a silent client by more than `READ_TIMEOUT_S` (+ `LINGER_S`).
"""

from __future__ import annotations

import contextlib
import hmac
import io
import re
import socket
import time
from dataclasses import dataclass
from email.message import Message
from typing import Any

#: The longest the simulator waits for the next bytes of a request line or header, for a
#: whole body, and for the next request on a kept-alive connection (Apache's default).
READ_TIMEOUT_S = 5.0
#: The largest body read; a larger declared Content-Length is refused (413) unread.
MAX_BODY_BYTES = 1 << 20
#: After a refusal, how long unread request bytes are drained before the socket closes, so
#: the client reads the answer instead of a reset (at most MAX_BODY_BYTES are drained).
LINGER_S = 1.0
#: http.server's own limits, quoted in the refusals that enforce them.
MAX_LINE_BYTES = 65536
MAX_HEADERS = 100

_DIGITS = re.compile(r"[0-9]+")
_QUERY = re.compile(r"\?[^\s#]*")


@dataclass(frozen=True)
class Refusal:
    """Why a request is answered without being served: the status and one line."""

    status: int
    message: str


def body_length(headers: Message) -> int | Refusal:
    """The declared body length, or why it cannot be read (missing: 0)."""
    coding = (headers.get("Transfer-Encoding") or "identity").strip().lower()
    if coding != "identity":
        return Refusal(
            501, "Transfer-Encoding is not supported: send the body with a Content-Length"
        )
    values = {v.strip() for v in headers.get_all("Content-Length") or []}
    if not values:
        return 0
    if len(values) > 1:
        return Refusal(400, "Content-Length is given more than once, with different values")
    text = values.pop()
    if not _DIGITS.fullmatch(text):
        return Refusal(400, "Content-Length must be a whole number of bytes (0 or more)")
    digits = text.lstrip("0") or "0"  # int() of a 65536-digit text would raise: compare lengths
    if len(digits) > len(str(MAX_BODY_BYTES)) or int(digits) > MAX_BODY_BYTES:
        return Refusal(413, f"the body may be at most {MAX_BODY_BYTES} bytes")
    return int(digits)


def read_body(connection: socket.socket, rfile: Any, length: int) -> bytes | Refusal:
    """`length` bytes of body, all within READ_TIMEOUT_S; a Refusal when they do not come.

    `rfile` is the handler's buffered reader (it may already hold the body's first bytes);
    `read1` makes one socket read at a time, so the deadline holds for a trickle too.
    """
    reader: io.BufferedReader = rfile
    deadline = time.monotonic() + READ_TIMEOUT_S
    chunks: list[bytes] = []
    got = 0
    try:
        while got < length:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            connection.settimeout(left)
            chunk = reader.read1(min(length - got, 65536))
            if not chunk:
                return Refusal(
                    400, f"the body ended after {got} of the {length} bytes of its Content-Length"
                )
            chunks.append(chunk)
            got += len(chunk)
    except TimeoutError:
        return Refusal(
            408,
            f"the body did not arrive within {READ_TIMEOUT_S:g} s: "
            f"{got} of the {length} bytes of its Content-Length",
        )
    except OSError:  # the client reset the connection: nobody reads an answer
        return Refusal(400, "the connection failed while reading the body")
    finally:
        with contextlib.suppress(OSError):  # a closed socket: nothing to restore
            connection.settimeout(READ_TIMEOUT_S)
    return b"".join(chunks)


def linger(connection: socket.socket) -> None:
    """Half-close, then discard what the client still sends (bounded), so it sees the answer.

    Closing a socket with unread bytes makes the kernel send a reset, which can destroy
    the response before the client reads it.
    """
    try:
        connection.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + LINGER_S
        drained = 0
        while drained < MAX_BODY_BYTES:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            connection.settimeout(left)
            chunk = connection.recv(65536)
            if not chunk:
                return
            drained += len(chunk)
    except OSError:  # timed out, or the client is gone: either way we are done
        pass


def protocol_refusal(status: int, stdlib_message: str | None) -> Refusal:
    """http.server's own refusals (request line or headers), reworded; never echoes input.

    The standard library puts the raw request line in its message; that line may hold a
    credential (`?api_key=...`), so only the status picks the words.
    """
    if status == 414:
        return Refusal(414, f"the request line is longer than {MAX_LINE_BYTES} bytes")
    if status == 431 and stdlib_message == "Too many headers":
        return Refusal(431, f"the request has more than {MAX_HEADERS} headers")
    if status == 431:
        return Refusal(431, f"a header line is longer than {MAX_LINE_BYTES} bytes")
    if status == 501:
        return Refusal(501, "the method is not supported: use GET, POST, PUT, PATCH or DELETE")
    if status == 505:
        return Refusal(505, "the HTTP version is not supported: use HTTP/1.1 or HTTP/1.0")
    return Refusal(status, "the request is not HTTP: expected 'METHOD /path HTTP/1.1'")


#: Xceptor's error body carries a code as well as a message.
_XCEPTOR_CODES = {
    400: "bad_request",
    408: "request_timeout",
    413: "body_too_large",
    414: "uri_too_long",
    431: "headers_too_large",
    501: "not_implemented",
    505: "http_version_not_supported",
}


def error_body(vendor: str, refusal: Refusal) -> dict[str, Any]:
    """A refusal as JSON in the vendor's error shape; `{"error": ...}` where it has none."""
    message = refusal.message
    if vendor == "hatchet":
        return {"errors": [{"description": message}]}
    if vendor == "xceptor":
        return {"code": _XCEPTOR_CODES.get(refusal.status, "bad_request"), "message": message}
    if vendor in ("knock", "paragon"):
        return {"message": message}
    return {"error": message}


def shown_request_line(line: str, limit: int = 200) -> str:
    """A request line as the log may show it: the query (it may hold a credential) redacted,
    control characters escaped, cut at `limit` characters."""
    shown = _QUERY.sub("?[REDACTED]", line)
    if len(shown) > limit:
        shown = shown[:limit] + "..."
    return shown.encode("ascii", "backslashreplace").decode("ascii").translate(_CONTROLS)


_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F)}


# -- bearer auth: every bundled contract declares it ------------------------------------------

#: 401 bodies in each vendor's declared error shape; Paragon and Restack declare none.
_UNAUTHORIZED: dict[str, Any] = {
    "hatchet": {"errors": [{"description": "missing or invalid credentials"}]},
    "xceptor": {"code": "unauthorized", "message": "missing or invalid credentials"},
    "knock": {"message": "missing or invalid credentials"},
}


def authorized(header: str | None, token: str) -> bool:
    """True when an Authorization header carries `Bearer <token>`, compared in constant time.

    http.server decodes header bytes as ISO-8859-1, so encoding back gives the bytes sent;
    the token is compared as the UTF-8 bytes a client would send for it.
    """
    if header is None:
        return False
    sent = header.encode("iso-8859-1", "replace")
    return hmac.compare_digest(sent, f"Bearer {token}".encode())


def unauthorized_body(vendor: str) -> Any:
    """The 401 body for `vendor` (None: declared without a body)."""
    return _UNAUTHORIZED.get(vendor)
