"""The exchanges of a contract run, recorded: kept as `Exchange`s, written as HAR 1.2 or a
vcrpy-style cassette (`--report har,vcr`). These are recordings, not finding reports
(those go through `conformance.report.writers`: see `contract.report_files`).

Every exchange is recorded after scrubbing: request headers whose values were
given as credentials are replaced, URLs lose their user, password and the base
URL's query values, and every text is passed through the same scrubber as the
run's messages, so no report can carry a secret. The cassette and the HAR are
ordinary recordings: `runconform validate` reads them back. Both keep what a request
sent (the cassette's `body`, the HAR's `postData`), scrubbed the same way. A response
body refused for its size is not kept: the exchange says so (HAR `content.comment`
"Body truncated: ...", as browsers write it, and a `comment` on the cassette's response).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import IO, Any
from urllib.parse import parse_qsl, urlsplit

import yaml

from conformance import __version__
from conformance.contract.safety import REDACTED, Scrubber

#: recording format -> the suffix of its file (`contract-VENDOR.SUFFIX`)
SUFFIXES = {"har": "har", "vcr": "vcr.yaml"}


@dataclass(frozen=True)
class Exchange:
    """One request and its response, as a report keeps them (scrubbed)."""

    operation: str
    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: str | None
    status: int
    reason: str
    response_headers: tuple[tuple[str, str], ...]
    response_body: str
    elapsed_ms: float
    started: str = ""  # RFC 3339 UTC, when the request was sent; "" if not known
    note: str = ""  # "Body truncated: ..." when the body was not kept


def started_now(elapsed_ms: float) -> str:
    """The RFC 3339 time a request that took `elapsed_ms` and just ended was sent."""
    sent = datetime.now(UTC) - timedelta(milliseconds=elapsed_ms)
    return sent.isoformat(timespec="milliseconds").replace("+00:00", "Z")


#: Headers that carry credentials whoever set them: the user, or Schemathesis probing
#: auth with made-up tokens (which a reader cannot tell from real ones).
CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"}
)


def record(
    operation: str, response: Any, scrub: Scrubber, secret_headers: Iterable[str]
) -> Exchange:
    """An Exchange from a Schemathesis response, with credentials removed."""
    elapsed_ms = float(response.elapsed) * 1000
    return _exchange(
        operation,
        response.request,
        scrub,
        secret_headers,
        (response.status_code, str(getattr(response, "message", "") or "")),
        [
            (name, v)
            for name, values in response.headers.items()
            for v in (values if isinstance(values, list) else [values])
        ],
        scrub(response.content.decode("utf-8", "replace")),
        elapsed_ms,
    )


def record_cut(
    operation: str, response: Any, scrub: Scrubber, secret_headers: Iterable[str], why: str
) -> Exchange:
    """An Exchange from a requests response whose body was refused (`why`): no body kept."""
    exchange = _exchange(
        operation,
        response.request,
        scrub,
        secret_headers,
        (response.status_code, str(response.reason or "")),
        list(response.headers.items()),
        "",
        response.elapsed.total_seconds() * 1000,
    )
    return replace(exchange, note=f"Body truncated: {why}")


def _exchange(
    operation: str,
    request: Any,
    scrub: Scrubber,
    secret_headers: Iterable[str],
    status: tuple[int, str],
    response_headers: list[tuple[str, Any]],
    body: str,
    elapsed_ms: float,
) -> Exchange:
    hidden = {name.lower() for name in secret_headers} | CREDENTIAL_HEADERS
    req_headers = tuple(
        (name, REDACTED if name.lower() in hidden else scrub(str(value)))
        for name, value in request.headers.items()
    )
    sent = request.body
    if isinstance(sent, bytes):
        sent = sent.decode("utf-8", "replace")
    res_headers = tuple(
        (name, REDACTED if name.lower() in CREDENTIAL_HEADERS else scrub(str(v)))
        for name, v in response_headers
    )
    return Exchange(
        operation,
        request.method,
        scrub.url(request.url),
        req_headers,
        scrub(sent) if sent else None,
        status[0],
        status[1],
        res_headers,
        body,
        round(elapsed_ms, 3),
        started_now(elapsed_ms),
    )


def write_har(exchanges: tuple[Exchange, ...], out: IO[str]) -> None:
    """HAR 1.2: one entry per exchange, as browsers export them."""

    def headers(pairs: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
        return [{"name": n, "value": v} for n, v in pairs]

    def mime(pairs: tuple[tuple[str, str], ...]) -> str:
        return next((v for n, v in pairs if n.lower() == "content-type"), "")

    entries = [
        {
            "startedDateTime": e.started or "1970-01-01T00:00:00.000Z",
            "time": e.elapsed_ms,
            "request": {
                "method": e.method,
                "url": e.url,
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": headers(e.request_headers),
                "queryString": [
                    {"name": n, "value": v}
                    for n, v in parse_qsl(urlsplit(e.url).query, keep_blank_values=True)
                ],
                "headersSize": -1,
                **_post_data(e.request_body, mime(e.request_headers)),
            },
            "response": {
                "status": e.status,
                "statusText": e.reason,
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": headers(e.response_headers),
                "content": {
                    "size": len(e.response_body),
                    "mimeType": mime(e.response_headers),
                    "text": e.response_body,
                    **({"comment": e.note} if e.note else {}),
                },
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": len(e.response_body),
            },
            "cache": {},
            "timings": {"send": 0, "wait": e.elapsed_ms, "receive": 0},
        }
        for e in exchanges
    ]
    json.dump(
        {
            "log": {
                "version": "1.2",
                "creator": {"name": "runconform", "version": __version__},
                "entries": entries,
            }
        },
        out,
        indent=2,
    )
    out.write("\n")


def _post_data(body: str | None, mime_type: str) -> dict[str, Any]:
    """HAR 1.2 `postData` of a request that sent a body, and a `bodySize` that matches it.

    The text is the body as sent, scrubbed like the rest of the report; bytes that are not
    UTF-8 are replaced (U+FFFD), as for response bodies (no base64). `bodySize` counts the
    UTF-8 bytes of that text, so a reader can check one against the other.
    """
    if body is None:
        return {"bodySize": 0}
    return {
        "bodySize": len(body.encode("utf-8")),
        "postData": {"mimeType": mime_type, "text": body},
    }


def write_vcr(exchanges: tuple[Exchange, ...], out: IO[str]) -> None:
    """A vcrpy cassette (version 1): one interaction per exchange."""

    interactions = [
        {
            "request": {
                "method": e.method,
                "uri": e.url,
                "body": e.request_body,
                "headers": {n: [v] for n, v in e.request_headers},
            },
            "response": {
                "status": {"code": e.status, "message": e.reason},
                "headers": {n: [v] for n, v in e.response_headers},
                "body": {"string": e.response_body},
                **({"comment": e.note} if e.note else {}),
            },
        }
        for e in exchanges
    ]
    yaml.safe_dump(
        {"interactions": interactions, "version": 1}, out, sort_keys=False, allow_unicode=True
    )


#: recording format -> its writer
WRITERS: dict[str, Callable[[tuple[Exchange, ...], IO[str]], None]] = {
    "har": write_har,
    "vcr": write_vcr,
}
