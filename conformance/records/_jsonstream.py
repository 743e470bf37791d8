"""A pull parser that streams the elements of one large JSON array out of a file.

Why not ijson: its fast C backend rejects integers beyond 64 bits ("integer overflow") and
builds a path prefix per event, which on a 100,000-deep array takes memory quadratic in the
depth. Here the structure around the array is walked by hand and each element is decoded by
the stdlib C decoder (exact integers, real line/column errors), so memory is bounded by the
largest element, not by the file, and every element gets the line it starts on.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from typing import BinaryIO

from ._common import Refused
from ._jsonskip import WINDOW, ValueScanner
from ._jsontext import (
    SKIPPING_DECODER,
    STRICT_DECODER,
    too_deep,
    too_deep_at,
    value_error_message,
)
from ._textbuffer import CHUNK, TextBuffer
from .model import Limits

_NON_WS = re.compile(r"[^ \t\r\n]")
_NUMBER_CUT = re.compile(r"\.|[eE][+-]?")
#: A value not complete in this much text is scanned to its end before it is decoded:
#: decoding a cut value builds it up to the cut, every time, and it may be too large.
_EAGER = 1 << 18


class BadValue(Refused):
    """Well-formed JSON holding a number JSON readers cannot take (NaN, 1e400, 5,000 digits).

    The stream already stands after the value, so the next element can still be read.
    Also a value over the record limit inside a container, skipped by scanning.
    """


class _Oversized(Refused):
    """A value over the record limit; ``end``: the buffer index past it, if known."""

    end: int | None = None


class JsonStream(TextBuffer):
    """Incremental reader over a UTF-8 JSON file, positioned between tokens."""

    def __init__(self, fh: BinaryIO, limits: Limits, chunk: int = CHUNK) -> None:
        super().__init__(fh, chunk)
        self._max_chars = limits.max_record_bytes
        self._max_depth = limits.max_depth
        # Containers entered and not yet closed: [closer, first-member-pending].
        self._open: list[list[object]] = []

    def peek(self) -> str:
        """Skip whitespace; the next character, or "" at the end of input."""
        while True:
            match = _NON_WS.search(self._buf, self._pos)
            if match is not None:
                self._pos = match.start()
                return self._buf[self._pos]
            # Whitespace is not content: drop it, however much of it there is.
            self._pos = self._drop(len(self._buf))
            if not self._fill():
                return ""

    def _error(self, message: str, index: int | None = None) -> Refused:
        at = self._pos if index is None else index
        line, column = self._position_of(at)
        if self._eof and not self._buf[at:].strip():
            message = f"truncated JSON: {message} at end of data"
        else:
            message = f"invalid JSON: {message}"
        return Refused("malformed-json", message, line=line, column=column)

    # -- values --------------------------------------------------------------------------

    def value(self) -> object:
        """Decode the value at the cursor (after ``peek``) and move past it.

        A value over the record limit inside a container is skipped unbuilt and refused
        with ``BadValue``; at the top level it is the whole file, and refused for good.
        """
        self._compact()
        try:
            return self._decode(self._pos)
        except _Oversized as over:
            end = over.end if self._open else None
            if end is None:
                raise Refused(over.kind, over.message, line=over.line, column=over.column) from None
            self._pos = end
            raise BadValue(over.kind, over.message, line=over.line, column=over.column) from None

    def _decode(self, start: int) -> object:
        while True:
            try:
                value, end = STRICT_DECODER.raw_decode(self._buf, start)
            except json.JSONDecodeError as error:
                # Running out of text shows as an unterminated string or an error at the very
                # end (a cut "tru", "-", "1.", "\\u12"); only then can more text help.
                cut = error.msg.startswith("Unterminated") or error.pos >= len(self._buf) - 8
                if cut and self._more(start):
                    continue
                if error.msg.startswith("Unterminated string"):
                    line, column = self._position_of(error.pos)
                    raise Refused(
                        "malformed-json",
                        "truncated JSON: unterminated string",
                        line=line,
                        column=column,
                    ) from None
                raise self._error(error.msg.removesuffix(" at"), error.pos) from None
            except RecursionError:
                deep = too_deep_at(self._buf, self._max_depth, start)
                at = start if deep is None else deep
                raise too_deep(self._max_depth, *self._position_of(at)) from None
            except ValueError as error:
                line, column = self._position_of(start)
                refusal = BadValue(
                    "malformed-json", value_error_message(error), line=line, column=column
                )
                resume = self._skip(start)
                if resume is None:
                    raise Refused(refusal.kind, refusal.message, line=line, column=column) from None
                self._pos = resume
                raise refusal from None
            if self._cut_short(end) and self._more(start):
                continue
            break
        self._check_size(start, end)
        deep = too_deep_at(self._buf, self._max_depth, start, end)
        if deep is not None:
            raise too_deep(self._max_depth, *self._position_of(deep))
        self._pos = end
        return value

    def _cut_short(self, end: int) -> bool:
        """Whether the buffer's end may have cut the value decoded up to ``end``: a number
        or literal ending there, or a number followed by only "." or "e+" (of "2.5", "1e+9").
        """
        rest = len(self._buf) - end
        if rest == 0:
            return self._buf[end - 1] not in '"]}'
        return rest <= 2 and _NUMBER_CUT.fullmatch(self._buf, end) is not None

    def _skip(self, start: int) -> int | None:
        """End of the well-formed value at ``start`` whose content was refused, or None."""
        try:
            return self._skip_decoding(start)
        except _Oversized as over:
            return over.end if self._open else None

    def _skip_decoding(self, start: int) -> int | None:
        while True:
            try:
                _, end = SKIPPING_DECODER.raw_decode(self._buf, start)
            except json.JSONDecodeError as error:
                cut = error.msg.startswith("Unterminated") or error.pos >= len(self._buf) - 8
                try:
                    if cut and self._more(start):
                        continue
                except _Oversized:
                    raise
                except Refused:
                    pass
                return None
            except (RecursionError, ValueError):
                return None
            try:
                if self._cut_short(end) and self._more(start):
                    continue
            except _Oversized:
                raise
            except Refused:
                return None
            return end

    def _more(self, start: int) -> bool:
        """Read more for a value starting at ``start``, doubling so re-parsing stays linear;
        past ``_EAGER``, up to where the value ends (``_scan``)."""
        size = len(self._buf) - start
        if size < _EAGER and size <= self._max_chars:
            return self._fill(size)
        before = len(self._buf)
        self._scan(start)
        return len(self._buf) > before

    def _scan(self, start: int) -> int | None:
        """Index just past the value at ``start``, read to its end without decoding it; None
        if the input ends inside it. A value over the record limit raises ``_Oversized``:
        inside a container once the stream is past it (each window dropped once scanned)."""
        scanner = ValueScanner(self._buf[start])
        pos, over = start + 1, None
        while True:
            end, pos = scanner.advance(self._buf, pos)
            if over is None and (len(self._buf) if end is None else end) - start > self._max_chars:
                over = self._too_large(start)
                if not self._open:
                    raise over
            if end is None:
                if over is not None:
                    pos = self._drop(pos)
                    more = self._fill(4 * WINDOW)
                else:
                    size = len(self._buf) - start
                    more = self._fill(min(size, self._max_chars + 1 - size))
                if more:
                    continue
                end = len(self._buf) if scanner.scalar else None
            if over is None:
                return end
            over.end = end
            raise over

    def _check_size(self, start: int, end: int) -> None:
        if end - start > self._max_chars:
            over = self._too_large(start)
            over.end = end
            raise over

    def _too_large(self, start: int) -> _Oversized:
        line, column = self._position_of(start)
        message = f"record larger than {self._max_chars:,} bytes"
        return _Oversized("too-large-record", message, line=line, column=column)

    # -- containers ----------------------------------------------------------------------

    def enter(self, opener: str) -> bool:
        """Step into the ``{`` or ``[`` at the cursor; False if something else is there."""
        if self.peek() != opener:
            return False
        self._pos += 1
        self._open.append(["}" if opener == "{" else "]", True])
        return True

    def _next(self) -> bool:
        """Step over the separator before the next member; False when the container closes."""
        frame = self._open[-1]
        char = self.peek()
        if char == frame[0]:
            self._pos += 1
            self._open.pop()
            return False
        if frame[1]:
            frame[1] = False
        elif char == ",":
            self._pos += 1
            self.peek()
        else:
            raise self._error(f"Expecting ',' delimiter or '{frame[0]}'")
        return True

    def next_key(self) -> str | None:
        """The next key of the object entered last (cursor then on its value), or None."""
        if not self._next():
            return None
        if self.peek() != '"':
            raise self._error("Expecting property name enclosed in double quotes")
        key = self.value()
        if self.peek() != ":":
            raise self._error("Expecting ':' delimiter")
        self._pos += 1
        if not self.peek():
            raise self._error("Expecting value")
        return str(key)

    def next_element(self) -> bool:
        """Whether the array entered last has another element (cursor then on it)."""
        if not self._next():
            return False
        if not self.peek() or self._buf[self._pos] in ",]":
            raise self._error("Expecting value")
        return True

    def elements(self) -> Iterator[tuple[tuple[int, int], object]]:
        """((line, column), value) of each element of the array entered last, one refused as its
        ``BadValue`` (the next can still be read); then the rest of the file is checked."""
        while self.next_element():
            start = self.position()
            try:
                item = self.value()
            except BadValue as refusal:
                item = refusal
            yield start, item
        self.finish()

    def find(self, path: tuple[str, ...]) -> bool:
        """Walk object keys along ``path``; True with the cursor on the value found there."""
        for key in path:
            if not self.enter("{"):
                return False
            while True:
                found = self.next_key()
                if found is None:
                    return False
                if found == key:
                    break
                self._other()
        return True

    def _other(self) -> None:
        """Step over a value the caller does not need: one it would refuse does not matter."""
        with contextlib.suppress(BadValue):
            self.value()

    def finish(self) -> None:
        """Check the rest of the file is well-formed (catches truncation) and nothing follows."""
        while self._open:
            if self._open[-1][0] == "}":
                while self.next_key() is not None:
                    self._other()
            else:
                while self.next_element():
                    self._other()
        if self.peek():
            raise self._error("Extra data")
