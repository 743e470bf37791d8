"""Reader for HAR 1.2 archives (browser dev tools, proxies, Schemathesis ``--report har``).

``log.entries`` is streamed one entry at a time: browser exports run to hundreds of
megabytes because they carry every image and script base64-encoded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import BinaryIO

from ._bodies import base64_body, exchange_records, recorded_response, split_content_type
from ._common import Refused
from ._jsonstream import JsonStream
from .model import HttpExchange, Limits, ReadProblem, Record


def read_har(fh: BinaryIO, file: str, limits: Limits) -> Iterator[Record | ReadProblem]:
    """One record per entry's response body (``entries[i]``)."""
    yield from exchange_records(file, _entries(JsonStream(fh, limits)), _entry, limits, "entries")


def _entries(stream: JsonStream) -> Iterator[tuple[tuple[int, int], object]]:
    """((line, column), entry) for each of ``log.entries``, read one at a time."""
    if not stream.find(("log", "entries")):
        raise Refused("not-a-cassette", "no log.entries list (not a HAR file?)")
    if not stream.enter("["):
        raise Refused("not-a-cassette", "log.entries is not a list", line=stream.line())
    yield from stream.elements()


def _field(value: object, name: str, what: str) -> dict[str, object]:
    found = value.get(name) if isinstance(value, dict) else None
    if not isinstance(found, dict):
        raise Refused("not-a-cassette", f"entry has no {what} object")
    return found


def _entry(entry: object, limits: Limits) -> tuple[object, HttpExchange]:
    request = _field(entry, "request", "request")
    response = _field(entry, "response", "response")
    method = str(request.get("method") or "GET")
    url = str(request.get("url") or "")
    status = response.get("status")
    if not isinstance(status, int) or isinstance(status, bool) or status <= 0:
        raise Refused("no-response", "no response was recorded (status 0: the request failed)")
    headers: dict[str, str] = {}
    listed = response.get("headers")
    for header in listed if isinstance(listed, list) else ():
        if isinstance(header, dict) and isinstance(header.get("name"), str):
            headers.setdefault(header["name"].lower(), str(header.get("value", "")))
    content = response.get("content")
    content = content if isinstance(content, dict) else {}
    content_type = headers.get("content-type") or content.get("mimeType")
    media, charset = split_content_type(content_type if isinstance(content_type, str) else None)
    comment = content.get("comment")
    if isinstance(comment, str) and comment.startswith("Body truncated"):
        raise Refused("truncated-body", f"the recorder kept only part of the body ({comment})")
    text = content.get("text")
    body: str | bytes | None
    if text is None:
        size = content.get("size")
        if isinstance(size, int) and size > 0:
            raise Refused(
                "missing-body",
                f"the response body was not saved (content.size is {size:,},"
                " content.text is missing)",
            )
        body = None
    elif not isinstance(text, str):
        raise Refused("not-a-cassette", "response content.text is not a string")
    elif content.get("encoding") == "base64":
        body = base64_body(text, "response content.text")
    else:
        body = text
    payload, exchange = recorded_response(
        body, headers, media, charset, status, method, url, limits
    )
    started = entry.get("startedDateTime") if isinstance(entry, dict) else None
    return payload, replace(exchange, started=started) if isinstance(started, str) else exchange
