"""Where a value inside a record is in its file: line and column, found only when asked.

Readers keep no text (a recording may be gigabytes, and the fast path must stay fast), so
a finding's place is found again afterwards, and only for records that have findings:
the record's text is read from where its reader said it starts (`Locator.start`, else
`Locator.line`), and the finding's JSON pointer is walked over that text. A response
body inside a cassette or HAR is walked in two steps: to the body's string in the file,
then inside the body's own text, mapped back through the string's escapes (JSON) or
lines (a YAML block literal). Anything that cannot be found is `None`: a finding then
keeps its record's line, as before.
"""

from __future__ import annotations

import codecs
import os
import re
import sys
import threading
from bisect import bisect_right, insort
from collections import OrderedDict
from typing import Any

from ._jsontext import SKIPPING_DECODER
from .detect import detect
from .inputs import is_url, open_input
from .model import MAX_RECORD_BYTES, Locator, Span
from .recording_files import uncompressed_name
from .stdin import STDIN_NAME, copy_path

__all__ = ["BODY_PATHS", "Span", "json_string_index", "json_walk", "locate"]

#: Where a response body's text is in one interaction, entry or saved response, per
#: format: the path to it, and the key holding the text when that path holds an object.
BODY_PATHS: dict[str, tuple[tuple[str, ...], str]] = {
    "vcr": (("response", "body"), "string"),
    "schemathesis": (("response", "body"), "string"),
    "har": (("response", "content"), "text"),
    "postman": ((), "body"),
}
#: Bytes read at first from where a record starts (more, 4 times as much each time, when
#: it is longer), and at a time when counting lines to find where it starts.
_FIRST_READ = 1 << 12
_LINE_CHUNK = 1 << 16
_WS = re.compile(r"[ \t\r\n]*")
# One escape of a JSON string as one decoded character: a surrogate pair, \uXXXX or \x.
_ESCAPE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u.{4}|\\.")
_scan = SKIPPING_DECODER.scan_once  # type: ignore[attr-defined]  # set by JSONDecoder.__init__


def pointer_tokens(pointer: str) -> list[str]:
    """`/a~1b/0` -> ["a/b", "0"]."""
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


#: The text of JSONL lines just read that did not pass the reader's quick test (kept by
#: `remember_line`), so placing their findings reads no file: with 5 % failing records that
#: re-reading cost as much as a tenth of a validation run. A block's records are placed
#: when its verdict is written, before the next blocks are read, so a block's worth of
#: lines is enough; older ones are dropped (and then placed by reading the file).
_RECENT: OrderedDict[tuple[str, int], bytes] = OrderedDict()
_RECENT_LINES = 512
_RECENT_BYTES = 8 << 20  # memory stays bounded when the failing lines are huge ones
_recent_size = 0


def remember_line(file: str, line: int, raw: bytes) -> None:
    """Keep the text of the JSONL record at `line` of `file` for a moment (see _RECENT)."""
    global _recent_size
    with _LOCK:
        old = _RECENT.pop((file, line), None)
        _RECENT[(file, line)] = raw
        _recent_size += len(raw) - (len(old) if old is not None else 0)
        while len(_RECENT) > _RECENT_LINES or (_recent_size > _RECENT_BYTES and len(_RECENT) > 1):
            _recent_size -= len(_RECENT.popitem(last=False)[1])


def forget_lines(file: str) -> None:
    """Drop what `remember_line` kept of `file`: it is being read anew, maybe changed."""
    global _recent_size
    with _LOCK:
        for stale in [k for k in _RECENT if k[0] == file]:
            _recent_size -= len(_RECENT.pop(stale))


def locate(locator: Locator, pointer: str, key: str | None = None) -> Span | None:
    """The span of the value at `pointer` in the record at `locator` (of its property
    `key` when given: a property that should not be there), or None when not found."""
    start = locator.start or ((locator.line, 1) if locator.line else None)
    if start is None:
        return None
    with _LOCK:
        try:
            raw = _RECENT.get((locator.file, start[0]))
            if raw is not None and start[1] == 1:
                text = raw.decode("utf-8", "replace")
                if start[0] == 1:
                    text = text.removeprefix("\ufeff")
                return text_span(text, *json_walk(text, 0, pointer_tokens(pointer), key), start[0])
            path = copy_path() if locator.file == STDIN_NAME else locator.file
            source = None if path is None else _source(path)
            return None if source is None else source.locate(start, pointer_tokens(pointer), key)
        except Exception:  # best effort: a place not found is no place, never a failure
            return None


# -- text positions ----------------------------------------------------------------------


def index_position(text: str, index: int, line: int) -> tuple[int, int]:
    """1-based (line, column) of `text[index]`, `text` starting a line, at line `line`."""
    return line + text.count("\n", 0, index), index - text.rfind("\n", 0, index)


def text_span(text: str, start: int, end: int, line: int) -> Span:
    return Span(*index_position(text, start, line), *index_position(text, end, line))


class _Short(Exception):
    """The text ran out before the walk ended: read more of the file."""


def json_walk(text: str, pos: int, tokens: list[str], key: str | None = None) -> tuple[int, int]:
    """(start, end) in `text` of the value at `tokens` from the JSON value at `pos` (or
    of the property name `key` in it); KeyError when not there, _Short when cut."""
    try:
        for token in tokens:
            pos = _member(text, _skip_ws(text, pos), token)
        pos = _skip_ws(text, pos)
        if key is not None:
            pos = _member(text, pos, key, name=True)
        return pos, _scan(text, pos)[1]
    except (IndexError, StopIteration):
        raise _Short from None


def _skip_ws(text: str, pos: int) -> int:
    """`pos` past blanks: looked at directly for none or one (compact and `json.dumps`
    text, a regex match costing as much as scanning a short value), else by regex."""
    if text[pos] not in _BLANKS:
        return pos
    if text[pos + 1] not in _BLANKS:
        return pos + 1
    return _WS.match(text, pos).end()  # type: ignore[union-attr]  # matches ""


_BLANKS = " \t\r\n"


def _member(text: str, pos: int, token: str, name: bool = False) -> int:
    """Index of the member `token` of the object or array at `pos` (of its name if `name`).

    Each key and value is stepped over by the C scanner, the separators by one regex."""
    opener = text[pos]
    if opener not in "{[" or (opener == "[" and not token.isdigit()):
        raise KeyError(token)
    wanted = int(token) if opener == "[" else -1
    pos, index = _skip_ws(text, pos + 1), 0
    while text[pos] not in "}]":
        if opener == "{":
            found, end = _scan(text, pos)
            end = _skip_ws(text, end)
            if text[end] != ":":
                raise KeyError(token)  # not JSON: locate gives up
            value = _skip_ws(text, end + 1)
            if found == token:
                return pos if name else value
            pos = value
        elif index == wanted:
            return pos
        pos = _skip_ws(text, _scan(text, pos)[1])
        if text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
        index += 1
    raise KeyError(token)


def json_string_index(text: str, start: int, index: int) -> int:
    """Index in `text` of the decoded character `index` of the JSON string at `start`."""
    pos, decoded = start + 1, 0
    for escape in _ESCAPE.finditer(text, pos):  # escapes past the string are never reached
        plain = escape.start() - pos  # characters as they are, up to the escape
        if decoded + plain >= index:
            break
        decoded, pos = decoded + plain + 1, escape.end()
    return pos + (index - decoded)


# -- the file ----------------------------------------------------------------------------

_LOCK = threading.Lock()
_CACHE: list[_Source] = []


def _source(path: str) -> _Source | None:
    """The open source of `path` (the last one is kept: failures come file by file)."""
    if is_url(path):  # asked again only when the last one was another file
        stamp = (0, 0, 0)
    else:
        try:
            info = os.stat(path)
        except (OSError, ValueError):
            return None
        stamp = (info.st_ino, info.st_size, info.st_mtime_ns)
    if _CACHE and _CACHE[0].path == path and _CACHE[0].stamp == stamp:
        return _CACHE[0]
    while _CACHE:
        _CACHE.pop().close()
    if not is_url(path) and (not stamp[1] or not os.path.isfile(path)):
        return None
    source = _Source(path, stamp)
    _CACHE.append(source)
    return source


class _Source:
    """One recording, open: line offsets found on demand, text read from a line on.

    Read, not memory-mapped: mapped pages would count in the process's resident memory
    as the file is scanned for line offsets."""

    def __init__(self, path: str, stamp: tuple[int, int, int]) -> None:
        self.path, self.stamp = path, stamp
        self._opened = open_input(path)  # kept open for the file's findings
        self._fh = self._opened.stream
        # a compressed or remote file's text ends where a read comes back short
        self.size = stamp[1] if self._opened.local else sys.maxsize
        self.format = detect(self._fh, uncompressed_name(path), 8192).format
        start = self.read(0, 4096)
        self._bom = 3 if start.startswith(codecs.BOM_UTF8) else 0
        self._json_syntax = start[self._bom :].lstrip()[:1] in (b"{", b"[")
        self._known: list[tuple[int, int]] = [(1, self._bom)]  # (line, byte offset), sorted

    def close(self) -> None:
        self._opened.close()

    def read(self, start: int, end: int) -> bytes:
        self._fh.seek(start)
        return self._fh.read(max(end - start, 0))

    def line_offset(self, line: int) -> int:
        """Byte offset where 1-based `line` starts, counting on from the nearest known one
        (failures come in file order, so each part of the file is counted about once)."""
        known = self._known
        at = known[bisect_right(known, (line, sys.maxsize)) - 1]
        current, offset = at
        while current < line:
            end = min(offset + _LINE_CHUNK, self.size)
            chunk = self.read(offset, end)
            if not chunk:
                raise KeyError(line)
            if line - current > 64 and current + chunk.count(b"\n") < line:
                current, offset = current + chunk.count(b"\n"), end  # many lines: whole chunk
                continue
            pos = 0
            while current < line and (found := chunk.find(b"\n", pos)) >= 0:
                pos, current = found + 1, current + 1
            offset = offset + pos if current == line else end
        if at != (line, offset):
            insort(known, (line, offset))
        return offset

    def text(self, line: int, size: int) -> tuple[str, bool]:
        """Text from the start of `line`, about `size` bytes of it; and whether it is all."""
        offset = self.line_offset(line)
        end = min(offset + size, self.size)
        data = self.read(offset, end)
        last = end == self.size or len(data) < end - offset
        return codecs.utf_8_decode(data, "replace", last)[0], last

    def locate(self, start: tuple[int, int], tokens: list[str], key: str | None) -> Span | None:
        if self.format in ("json", "jsonl") or (self.format in BODY_PATHS and self._json_syntax):
            return self._json(start, tokens, key)
        return self._yaml(start, tokens, key)

    def _read_until(self, line: int, walk: Any) -> Any:
        """`walk(text)` over ever more text from `line` on, until it needs no more."""
        size = _FIRST_READ
        while True:
            text, last = self.text(line, size)
            try:
                return walk(text)
            except _Short:
                if last or size > 2 * MAX_RECORD_BYTES:
                    return None
                size *= 4

    def _json(self, start: tuple[int, int], tokens: list[str], key: str | None) -> Span | None:
        line, column = start
        body = BODY_PATHS.get(self.format)

        def walk(text: str) -> Span | None:
            if body is None:
                return text_span(text, *json_walk(text, column - 1, tokens, key), line)
            path, inner = body
            begin, end = json_walk(text, column - 1, list(path))
            if text[begin] == "{":
                begin, end = json_walk(text, begin, [inner])
            return _json_body_span(text, begin, end, line, tokens, key)

        try:
            result: Span | None = self._read_until(line, walk)
        except KeyError:
            return None
        return result

    def _yaml(self, start: tuple[int, int], tokens: list[str], key: str | None) -> Span | None:
        line, column = start
        first, _ = self.text(line, _FIRST_READ)
        head = first.split("\n", 1)[0]
        import yaml

        from ._yamlplaces import yaml_body, yaml_walk

        stream = _Stream(
            (" " * (column - 1) + head[column - 1 :]).encode(),
            self,
            self.line_offset(line) + len(head.encode()),
        )
        body = BODY_PATHS.get(self.format)
        events = yaml.parse(stream, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        next(events), next(events)  # stream start, document start
        if body is None:
            return yaml_walk(events, tokens, key, line)
        scalar = yaml_body(events, *body)
        if scalar is None:
            return None
        return _yaml_body_span(self, scalar, line, tokens, key)


def _json_body_span(
    text: str, begin: int, end: int, line: int, tokens: list[str], key: str | None
) -> Span:
    """The span inside the body string at `text[begin:end]` (or of the string itself)."""
    whole = text_span(text, begin, end, line)
    if text[begin] != '"':
        return whole
    body = _scan(text, begin)[0]
    skip = 1 if body.startswith("\ufeff") else 0
    try:
        inner = json_walk(body, skip, tokens, key)
    except (KeyError, _Short):
        return whole
    first, last = (json_string_index(text, begin, i) for i in inner)
    return text_span(text, first, last, line)


class _Stream:
    """A file-like over a first line (its prefix blanked) and the file after it."""

    def __init__(self, head: bytes, source: _Source, offset: int) -> None:
        self._head, self._source, self._offset = head, source, offset

    def read(self, size: int = -1) -> bytes:
        if self._head:
            chunk, self._head = self._head, b""
            return chunk
        total = self._source.size
        end = total if size < 0 else min(self._offset + size, total)
        chunk = self._source.read(self._offset, end)
        self._offset += len(chunk)
        return chunk


def _yaml_body_span(
    source: _Source, scalar: Any, line: int, tokens: list[str], key: str | None
) -> Span:
    """Inside a block literal, or a plain or quoted scalar without escapes (folded over
    lines or not), the value's own span; else the body scalar's."""
    from ._yamlplaces import flow_places, mark_span, same

    whole = mark_span(scalar.start_mark, scalar.end_mark, line)
    body: str = scalar.value
    try:
        begin, end = json_walk(body, 0, tokens, key)
    except (KeyError, _Short):
        return whole
    first = whole.line
    if scalar.style == "|":
        lines = source.text(first + 1, len(body.encode()) * 2 + _FIRST_READ)[0].split("\n")
        indent = min((len(t) - len(t.lstrip(" ")) for t in lines[:2] if t.strip()), default=0)
        (bl, bc), (el, ec) = index_position(body, begin, 0), index_position(body, end, 0)
        return Span(first + 1 + bl, indent + bc, first + 1 + el, indent + ec)
    if scalar.style in (None, "'", '"'):
        size = len(body.encode()) * 2 + _FIRST_READ
        lines = source.text(first, size)[0].split("\n")[: whole.end_line - first + 1]
        if scalar.style is None:  # a plain scalar ends where its end mark says
            lines[-1] = lines[-1][: whole.end_column - 1]
        places = flow_places(lines, whole.column - 1, scalar.style or "")
        if places is not None and same(body, places, lines) and begin < end:
            (bl, bc), (el, ec) = places[begin], places[end - 1]
            return Span(first + bl, bc + 1, first + el, ec + 2)
    return whole
