"""Where a JSON value ends, found without decoding it: for values over the record limit.

One oversized element must not end the array it sits in, and it must not be built to be
skipped (a 1 GB element would take gigabytes as Python objects). ``ValueScanner`` reads
the text a window at a time and keeps only a depth and whether it is inside a string, so
the caller can drop each window once it is scanned.

A window is judged with byte operations that run in C: escapes are removed, the text is
split at quotes so strings drop out, and innermost bracket pairs are removed. Only a window
whose brackets might close the value (once per value, or in deeply nested data) is then
walked token by token to find the exact end.
"""

from __future__ import annotations

import re

#: Text judged at a time.
WINDOW = 1 << 18
#: A window that may end the value is halved down to this size, then walked.
_SMALL = 1 << 12
#: Bracket-pair removal passes before a window is walked token by token.
_PASSES = 16
_STRING_REST = re.compile(r'(?:[^"\\]++|\\.)*+', re.S)
_STRUCTURE = re.compile(r'["\[\]{}]')
_SCALAR_END = re.compile(r'[ \t\r\n,:\[\]{}"]')
_NOT_STRUCTURE = bytes(byte for byte in range(256) if byte not in b'"[]{}')


class ValueScanner:
    """Where one JSON value ends, found from its text fed a piece at a time."""

    def __init__(self, first: str) -> None:
        self.scalar = first not in '"[{'
        self.in_string = first == '"'
        self.depth = 1 if first in "[{" else 0

    def advance(self, text: str, pos: int) -> tuple[int | None, int]:
        """(index just past the value, or None; index up to which ``text`` is scanned),
        from ``pos``, the first index not yet scanned. The text before the second index is
        no longer needed."""
        if self.scalar:
            match = _SCALAR_END.search(text, pos)
            return (None, len(text)) if match is None else (match.start(), match.start())
        while pos < len(text):
            stop = _whole_escapes(text, pos, min(len(text), pos + WINDOW))
            if stop == pos:
                break  # the text ends in the middle of an escape
            end = self._window(text, pos, stop)
            if end is not None:
                return end, end
            pos = stop
        return None, pos

    def _window(self, text: str, pos: int, stop: int) -> int | None:
        """Index just past the value if it ends in ``text[pos:stop]``, or None with the
        state moved to ``stop``. A window that may end it is halved down to ``_SMALL``."""
        window = text[pos:stop]
        if self.depth == 0:  # a string value: it ends at the first real quote
            if b'"' not in _unescaped(window):
                return None
            return self._halves(text, pos, stop)
        structure = _unescaped(window).translate(None, _NOT_STRUCTURE).replace(b'""', b"")
        parts = structure.split(b'"')
        quotes = len(parts) - 1
        # Adjacent quotes (once all but quotes and brackets are gone) are removed first: a
        # string with no bracket, or the space between two strings; that changes neither
        # the parity nor what is inside a string, and leaves split() little to do.
        outside = b"".join(parts[1::2] if self.in_string else parts[0::2])
        closed = outside.count(b"]") + outside.count(b"}")
        if self.depth <= closed and self.depth <= _unpaired_closers(outside):
            return self._halves(text, pos, stop)
        self.depth += outside.count(b"[") + outside.count(b"{") - closed
        self.in_string ^= quotes % 2 == 1
        return None

    def _halves(self, text: str, pos: int, stop: int) -> int | None:
        if stop - pos <= _SMALL:
            return self._walk(text, pos, stop)
        middle = _whole_escapes(text, pos, (pos + stop) // 2)
        end = self._window(text, pos, middle)
        return end if end is not None else self._window(text, middle, stop)

    def _walk(self, text: str, pos: int, stop: int) -> int | None:
        """``_window`` token by token, for the window that may end the value."""
        while pos < stop:
            if self.in_string:
                # union-attr: the pattern matches the empty string, never None (hot loop)
                end = _STRING_REST.match(text, pos, stop).end()  # type: ignore[union-attr]
                if end == stop:
                    return None
                pos, self.in_string = end + 1, False
                if self.depth == 0:
                    return pos
                continue
            match = _STRUCTURE.search(text, pos, stop)
            if match is None:
                return None
            pos, char = match.end(), match.group()
            if char == '"':
                self.in_string = True
            elif char in "[{":
                self.depth += 1
            else:
                self.depth -= 1
                if self.depth == 0:
                    return pos
        return None


def _whole_escapes(text: str, pos: int, stop: int) -> int:
    """``stop``, moved so that ``text[pos:stop]`` does not end inside an escape."""
    window = text[pos:stop]
    if (len(window) - len(window.rstrip("\\"))) % 2 == 0:
        return stop
    return stop + 1 if stop < len(text) else stop - 1


def _unescaped(window: str) -> bytes:
    """``window`` as UTF-8 without escaped backslashes and quotes: every quote left is real."""
    raw = window.encode()
    if b"\\" in raw:
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    return raw


def _unpaired_closers(outside: bytes) -> int:
    """Closing brackets of ``outside`` not closing an opener there (an upper bound)."""
    core = outside
    for _ in range(_PASSES):
        shorter = core.replace(b"[]", b"").replace(b"{}", b"")
        if len(shorter) == len(core):
            break
        core = shorter
    return core.count(b"]") + core.count(b"}")
