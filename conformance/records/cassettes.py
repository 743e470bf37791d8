"""Readers for VCR-style cassettes: vcrpy (YAML or JSON) and Schemathesis ``--report vcr``.

Both hold a list of interactions (``interactions`` / ``http_interactions``) that is streamed
one interaction at a time. From each interaction only the request's method and URI and the
response are built; request headers and bodies (credentials, and in old vcrpy cassettes
pickled Python objects) are never constructed.
"""

from __future__ import annotations

import codecs
import math
from collections.abc import Callable, Iterator
from typing import BinaryIO

from yaml.nodes import MappingNode, Node, ScalarNode

from ._bodies import base64_body, exchange_records, recorded_response, split_content_type
from ._common import Refused
from ._jsonstream import JsonStream
from ._yamlsafe import SafeYaml, construct
from .detect import read_head
from .model import HttpExchange, Limits, ReadProblem, Record

Interaction = dict[str, object]
Converter = Callable[[object, Limits], tuple[object, HttpExchange]]


def read_vcr(fh: BinaryIO, file: str, limits: Limits) -> Iterator[Record | ReadProblem]:
    """One record per interaction of a vcrpy cassette, its response body decoded."""
    yield from _read(fh, file, limits, "interactions", _vcr)


def read_schemathesis(fh: BinaryIO, file: str, limits: Limits) -> Iterator[Record | ReadProblem]:
    """One record per interaction of a Schemathesis (or Ruby VCR) cassette."""
    yield from _read(fh, file, limits, "http_interactions", _schemathesis)


def _read(
    fh: BinaryIO, file: str, limits: Limits, key: str, convert: Converter
) -> Iterator[Record | ReadProblem]:
    head, _ = read_head(fh, limits.sniff_bytes)  # past any amount of leading whitespace
    json_syntax = head.removeprefix(codecs.BOM_UTF8).startswith(b"{")
    fh.seek(0)
    items = _json_items(fh, limits, key) if json_syntax else _yaml_items(fh, limits, key)
    yield from exchange_records(file, items, convert, limits, "interaction")


def _json_items(fh: BinaryIO, limits: Limits, key: str) -> Iterator[tuple[tuple[int, int], object]]:
    stream = JsonStream(fh, limits)
    if not stream.find((key,)):
        raise Refused("not-a-cassette", f"no '{key}' list at the top level")
    if not stream.enter("["):
        raise Refused("not-a-cassette", f"'{key}' is not a list", line=stream.line())
    yield from stream.elements()


def _yaml_items(fh: BinaryIO, limits: Limits, key: str) -> Iterator[tuple[tuple[int, int], object]]:
    for line, node in SafeYaml(fh, limits).items(key):
        if isinstance(node, Refused):
            yield (line, 1), node
            continue
        start = (line, node.start_mark.column + 1)
        try:
            item: object = _interaction(node)
        except Refused as refusal:
            item = refusal
        yield start, item


def _interaction(node: Node) -> Interaction:
    """The parts of an interaction node a reader needs, constructed safely."""
    if not isinstance(node, MappingNode):
        raise Refused("not-a-cassette", "interaction is not a mapping")
    item: Interaction = {}
    for key, value in node.value:
        name = key.value if isinstance(key, ScalarNode) else None
        if name == "response":
            item[name] = construct(value)
        elif name == "request" and isinstance(value, MappingNode):
            item[name] = {
                part.value: construct(child)
                for part, child in value.value
                if isinstance(part, ScalarNode) and part.value in ("method", "uri")
            }
    return item


def _mapping(value: object, what: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise Refused("not-a-cassette", f"{what} is not a mapping")
    return value


def _status(response: dict[str, object]) -> int | None:
    status = response.get("status")
    code = status.get("code") if isinstance(status, dict) else status
    if isinstance(code, float) and not math.isfinite(code):  # YAML .inf, 1.0e+400
        raise Refused(
            "not-json-value", f"response status: the number {code!r} has no JSON equivalent"
        )
    try:
        return int(code)  # type: ignore[arg-type]  # anything int() refuses is no status
    except (TypeError, ValueError):
        return None


def _headers(response: dict[str, object]) -> dict[str, str]:
    """Response headers by lower-case name, first value of each."""
    headers = response.get("headers")
    found: dict[str, str] = {}
    if isinstance(headers, dict):
        for name, value in headers.items():
            first = value[0] if isinstance(value, list) and value else value
            if isinstance(first, (str, bytes)):
                text = first.decode("latin-1") if isinstance(first, bytes) else first
                found.setdefault(str(name).lower(), text)
    return found


def _request(item: dict[str, object]) -> tuple[str, str]:
    request = _mapping(item.get("request"), "request")
    method = request.get("method") or "GET"
    uri = request.get("uri") or ""
    return str(method), str(uri)


def _vcr(interaction: object, limits: Limits) -> tuple[object, HttpExchange]:
    item = _mapping(interaction, "interaction")
    method, uri = _request(item)
    response = _mapping(item.get("response"), "response")
    comment = response.get("comment")  # how `runconform contract` marks a body it cut
    if isinstance(comment, str) and comment.startswith("Body truncated"):
        raise Refused("truncated-body", f"the recorder kept only part of the body ({comment})")
    status = _status(response)
    headers = _headers(response)
    media, charset = split_content_type(headers.get("content-type"))
    body = response.get("body")
    content = body.get("string") if isinstance(body, dict) else body
    if content is not None and not isinstance(content, (str, bytes)):
        raise Refused("not-a-cassette", "response body is neither text nor binary")
    return recorded_response(content, headers, media, charset, status, method, uri, limits)


def _schemathesis(interaction: object, limits: Limits) -> tuple[object, HttpExchange]:
    item = _mapping(interaction, "interaction")
    method, uri = _request(item)
    response = item.get("response")
    if response is None:
        raise Refused("no-response", "no response was recorded (the request failed)")
    response = _mapping(response, "response")
    status = _status(response)
    headers = _headers(response)
    media, charset = split_content_type(headers.get("content-type"))
    body = response.get("body")
    content: str | bytes | None = None
    if isinstance(body, dict):
        charset = str(body.get("encoding") or charset or "utf-8")
        if isinstance(string := body.get("string"), str):
            content = string
        elif isinstance(body.get("base64_string"), str):
            content = base64_body(str(body["base64_string"]), "response body")
    truncated = response.get("truncated_from")
    if truncated is not None:
        kept = len(content or "")
        raise Refused(
            "truncated-body",
            f"the recorder kept only {kept:,} of {truncated} bytes of the response body",
        )
    return recorded_response(content, headers, media, charset, status, method, uri, limits)
