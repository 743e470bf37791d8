"""Reader for Postman collections (v2.0 / v2.1): the example responses saved on requests.

A collection is one JSON document of modest size, so it is decoded whole (still under the
depth and size limits) and walked without recursion, folders included.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from ._bodies import NO_BODY, body_value, split_content_type
from ._common import Refused, problem
from ._jsonstream import JsonStream
from .model import HttpExchange, Limits, Locator, ReadProblem, Record

_LEADING_VARIABLE = re.compile(r"^\{\{[^}]*\}\}")


def read_postman(fh: BinaryIO, file: str, limits: Limits) -> Iterator[Record | ReadProblem]:
    """One record per saved example response, labelled by folder, item and response name."""
    stream = JsonStream(fh, limits)
    try:
        collection = stream.value()
        stream.finish()
        if not isinstance(collection, dict) or not isinstance(collection.get("item"), list):
            raise Refused("not-a-cassette", "no 'item' list at the top level (not a collection?)")
    except Refused as refusal:
        yield problem(file, None, "", refusal)
        return
    index = 0
    for folders, item in _requests(collection["item"]):
        responses = item.get("response")
        for position, response in enumerate(responses if isinstance(responses, list) else ()):
            name = response.get("name") if isinstance(response, dict) else None
            shown = name if isinstance(name, str) else f"#{position + 1}"
            path = [*(f"folder {folder!r}" for folder in folders), f"item {_name(item)!r}"]
            label = " / ".join([*path, f"response {shown!r}"])
            try:
                payload, http = _response(item, response, limits)
            except Refused as refusal:
                yield problem(file, index, label, refusal)
            else:
                if payload is not NO_BODY:
                    yield Record(Locator(file, index, None, label), payload, http)
            index += 1


def _name(item: dict[str, object]) -> str:
    name = item.get("name")
    return name if isinstance(name, str) else "(unnamed)"


def _requests(items: list[object]) -> Iterator[tuple[list[str], dict[str, object]]]:
    """(folder names, item) for every request item, depth first in document order."""
    stack: list[tuple[list[str], Iterator[object]]] = [([], iter(items))]
    while stack:
        folders, pending = stack[-1]
        item = next(pending, None)
        if item is None:
            stack.pop()
        elif isinstance(item, dict):
            children = item.get("item")
            if isinstance(children, list):
                stack.append(([*folders, _name(item)], iter(children)))
            else:
                yield folders, item


def _response(
    item: dict[str, object], response: object, limits: Limits
) -> tuple[object, HttpExchange]:
    if not isinstance(response, dict):
        raise Refused("not-a-cassette", "saved response is not an object")
    request = response.get("originalRequest")
    if not isinstance(request, dict):
        request = item.get("request") if isinstance(item.get("request"), dict) else {}
    assert isinstance(request, dict)
    method = str(request.get("method") or "GET").upper()
    url, path = _url(request.get("url"))
    code = response.get("code")
    status = code if isinstance(code, int) and not isinstance(code, bool) else None
    headers = response.get("header")
    content_type = None
    for header in headers if isinstance(headers, list) else ():
        if (
            isinstance(header, dict)
            and str(header.get("key", "")).lower() == "content-type"
            and not header.get("disabled")
        ):
            content_type = str(header.get("value", ""))
            break
    media, charset = split_content_type(content_type)
    if media is None and response.get("_postman_previewlanguage") == "json":
        media = "application/json"
    body = response.get("body")
    payload = body_value(
        body if isinstance(body, str) else None,
        media=media,
        charset=charset,
        status=status,
        method=method,
        limits=limits,
    )
    return payload, HttpExchange(method, url, path, status, media)


def _url(url: object) -> tuple[str, str]:
    """(URL as written, percent-decoded path) of a Postman URL string or object."""
    if isinstance(url, dict):
        raw = str(url.get("raw") or "")
        segments = url.get("path")
        if isinstance(segments, list):
            parts = [str(s.get("value", "")) if isinstance(s, dict) else str(s) for s in segments]
            return raw, unquote("/" + "/".join(parts))
        if isinstance(segments, str):
            return raw, unquote("/" + segments.lstrip("/"))
        url = raw
    raw = str(url or "")
    rest = _LEADING_VARIABLE.sub("", raw)  # "{{baseUrl}}/runs" has no scheme to split on
    if rest != raw:
        path = rest.split("?")[0].split("#")[0]
    else:
        try:
            path = urlsplit(raw).path
        except ValueError:
            path = raw.split("?")[0]
    return raw, unquote("/" + path.lstrip("/"))
