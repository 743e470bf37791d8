"""Reader for Postman collections (v2.0 / v2.1): the example responses saved on requests.

Exports carry every saved example and run to hundreds of megabytes, so a collection is
streamed: folders and requests are walked as they come (no recursion), and each saved
response is decoded on its own, so one over the record limit is one problem and the next
ones are still read. A response is labelled with the names of its folders and request;
when a name comes after the responses it labels (sorted keys put a folder's "item" before
its "name"), they wait for it, up to one record's worth of text.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from ._bodies import NO_BODY, body_value, split_content_type
from ._common import Refused, problem
from ._jsonstream import BadValue, JsonStream
from ._jsontext import too_deep
from .model import HttpExchange, Limits, Locator, ReadProblem, Record

_LEADING_VARIABLE = re.compile(r"^\{\{[^}]*\}\}")
_NOT_A_COLLECTION = "no 'item' list at the top level (not a collection?)"


def read_postman(fh: BinaryIO, file: str, limits: Limits) -> Iterator[Record | ReadProblem]:
    """One record per saved example response, labelled by folder, item and response name."""
    stream = JsonStream(fh, limits)
    walk = _Walk(stream, file, limits)
    try:
        if not stream.find(("item",)) or not stream.enter("["):
            raise Refused("not-a-cassette", _NOT_A_COLLECTION)
        yield from walk.records()
        stream.finish()
    except Refused as refusal:
        yield from walk.flush(force=True)
        yield problem(file, None, "", refusal)


@dataclass(eq=False)
class _Node:
    """A folder or request of the item tree, as far as it has been read."""

    parent: _Node | None  # None: the collection's own item list
    name: str | None = None
    request: dict[str, object] | None = None  # None: not read (yet)
    folder: bool = False
    closed: bool = False
    saved: int = 0  # responses met so far

    def label(self) -> str:
        return self.name if self.name is not None else "(unnamed)"


@dataclass(frozen=True, eq=False)
class _Saved:
    """A saved response read and not yet handed out: its labels may not be known yet."""

    item: _Node
    position: int  # 1-based, in the request's response list
    response: object  # or the Refused that stood for it
    index: int
    offset: int  # where it started in the file
    start: tuple[int, int]  # its line and column, for `positions.locate`

    def ready(self) -> bool:
        """Whether every name of its label is known, and the request it falls back on."""
        own = isinstance(self.response, dict) and isinstance(
            self.response.get("originalRequest"), dict
        )
        if not (own or self.item.request is not None or self.item.closed):
            return False
        node: _Node | None = self.item
        while node is not None:
            if node.name is None and not node.closed:
                return False
            node = node.parent
        return True


class _Walk:
    """The item tree walked one token at a time, saved responses handed out in order."""

    def __init__(self, stream: JsonStream, file: str, limits: Limits) -> None:
        self._stream = stream
        self._file = file
        self._limits = limits
        self._held: deque[_Saved] = deque()
        self._index = 0

    def records(self) -> Iterator[Record | ReadProblem]:
        stream = self._stream
        # where the cursor is: in a node's keys, its item list, or its response list
        stack: list[tuple[_Node | None, str]] = [(None, "items")]
        while stack:
            node, where = stack[-1]
            if where == "keys":
                assert node is not None
                key = stream.next_key()
                if key is None:
                    node.closed = True
                    stack.pop()
                else:
                    self._member(node, key, stack)
            elif not stream.next_element():
                stack.pop()
            elif where == "items":
                if stream.peek() == "{":
                    self._enter("{", stack)
                    stack.append((_Node(node), "keys"))
                else:
                    self._skip()
            else:
                assert node is not None
                self._read_response(node)
            yield from self.flush()

    def _enter(self, opener: str, stack: list[tuple[_Node | None, str]]) -> None:
        if len(stack) + 2 > self._limits.max_depth:  # the collection object is one more
            raise too_deep(self._limits.max_depth, *self._stream.position())
        self._stream.enter(opener)

    def _member(self, node: _Node, key: str, stack: list[tuple[_Node | None, str]]) -> None:
        """One key of a folder or request: a list to walk into, or a value to keep or skip."""
        listed = self._stream.peek() == "["
        if key == "item" and listed:
            node.folder = True  # a folder's own responses, if any, are not its requests'
            self._enter("[", stack)
            stack.append((node, "items"))
        elif key == "response" and listed and not node.folder:
            self._enter("[", stack)
            stack.append((node, "responses"))
        elif key == "name":
            name = self._skip()
            node.name = name if isinstance(name, str) else None
        elif key == "request":
            request = self._skip()
            node.request = request if isinstance(request, dict) else {}
        else:
            self._skip()

    def _skip(self) -> object:
        """The value at the cursor; None if it would be refused (not needed that much)."""
        try:
            return self._stream.value()
        except BadValue:
            return None

    def _read_response(self, item: _Node) -> None:
        offset, start = self._stream.offset(), self._stream.position()
        try:
            response: object = self._stream.value()
        except BadValue as refusal:  # over the limit, or a bad number: skipped, go on
            response = refusal
        item.saved += 1
        self._held.append(_Saved(item, item.saved, response, self._index, offset, start))
        self._index += 1

    def flush(self, force: bool = False) -> Iterator[Record | ReadProblem]:
        """Hand out the responses whose labels are known, in order; all of them when
        forced, or when those waiting hold more than one record's worth of text."""
        held = self._held
        if held and self._stream.offset() - held[0].offset > self._limits.max_record_bytes:
            force = True
        while held and (force or held[0].ready()):
            found = self._result(held.popleft())
            if found is not None:
                yield found

    def _result(self, saved: _Saved) -> Record | ReadProblem | None:
        response = saved.response
        name = response.get("name") if isinstance(response, dict) else None
        shown = name if isinstance(name, str) else f"#{saved.position}"
        path = [f"item {saved.item.label()!r}", f"response {shown!r}"]
        folder = saved.item.parent
        while folder is not None:
            path.insert(0, f"folder {folder.label()!r}")
            folder = folder.parent
        label = " / ".join(path)
        if isinstance(response, Refused):
            return problem(self._file, saved.index, label, response)
        try:
            payload, http = _response(saved.item.request or {}, response, self._limits)
        except Refused as refusal:
            return problem(self._file, saved.index, label, refusal)
        if payload is NO_BODY:
            return None
        return Record(Locator(self._file, saved.index, None, label, saved.start), payload, http)


def _response(
    fallback: dict[str, object], response: object, limits: Limits
) -> tuple[object, HttpExchange]:
    """The body and request of a saved response; ``fallback``: its request item's request."""
    if not isinstance(response, dict):
        raise Refused("not-a-cassette", "saved response is not an object")
    request = response.get("originalRequest")
    if not isinstance(request, dict):
        request = fallback
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
