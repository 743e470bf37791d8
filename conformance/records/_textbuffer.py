"""A window of decoded text over a UTF-8 byte stream, with file positions.

The JSON stream reads a file a chunk at a time and forgets what it has gone past; this
keeps the decoded text, refuses invalid UTF-8 at the byte it sits on, and still answers
the line and column in the file of any place in the window.
"""

from __future__ import annotations

import codecs
from typing import BinaryIO

from ._common import Refused

_BOM = codecs.BOM_UTF8
CHUNK = 1 << 16


class TextBuffer:
    """Decoded text of a byte stream from a cursor on: `_buf`, `_pos`, refilled by `_fill`."""

    def __init__(self, fh: BinaryIO, chunk: int = CHUNK) -> None:
        self._fh = fh
        self._chunk = chunk
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._pending: Refused | None = None  # invalid UTF-8 just past the buffer's end
        self._carry = b""  # an incomplete UTF-8 sequence at a chunk boundary
        self._raw_offset = 0  # byte offset of the next undecoded byte
        # Position bookkeeping: line/column of _buf[0], and a cache for monotonic lookups.
        self._origin_line = 1
        self._origin_col = 1
        self._mark = (0, 1)
        self._dropped = 0  # characters forgotten before _buf[0]

    # -- input ---------------------------------------------------------------------------

    def _fill(self, want: int = 0) -> bool:
        """Append more text to the buffer; False at the end of input."""
        if self._eof:
            if self._pending is not None:
                raise self._pending
            return False
        data = self._fh.read(max(self._chunk, want))
        raw = self._carry + data
        if not data:
            self._eof = True
            if raw:  # the file ends inside a multi-byte sequence
                self._pending = self._invalid_utf8(raw[0], self._raw_offset)
                raise self._pending
            return False
        if self._raw_offset == 0 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
            self._raw_offset = len(_BOM)
        bad: int | None = None
        try:
            text, used = codecs.utf_8_decode(raw, "strict", False)
        except UnicodeDecodeError as error:
            bad = error.start
            text, used = raw[:bad].decode("utf-8"), bad
        self._buf += text
        if bad is not None:
            self._pending = self._invalid_utf8(raw[bad], self._raw_offset + bad)
            self._eof = True
        self._carry = raw[used:]
        self._raw_offset += used
        return True

    def _invalid_utf8(self, byte: int, offset: int) -> Refused:
        """The problem for a bad byte just past the decoded text."""
        line, column = self._position_of(len(self._buf))
        return Refused(
            "invalid-utf8",
            f"invalid UTF-8: byte 0x{byte:02x} at byte offset {offset:,}",
            line=line,
            column=column,
        )

    def _compact(self) -> None:
        """Drop text before the cursor so the buffer holds at most one value plus a chunk."""
        if self._pos >= self._chunk:
            self._drop(self._pos)

    def _drop(self, index: int) -> int:
        """Forget the text before buffer index ``index`` (keeping positions right); the
        cursor moves with the text and the old ``index`` is now 0."""
        newlines = self._buf.count("\n", 0, index)
        if newlines:
            self._origin_line += newlines
            self._origin_col = index - self._buf.rfind("\n", 0, index)
        else:
            self._origin_col += index
        self._buf = self._buf[index:]
        self._dropped += index
        self._pos = max(self._pos - index, 0)
        self._mark = (0, self._origin_line)
        return 0

    def _position_of(self, index: int) -> tuple[int, int]:
        """1-based (line, column) in the file of buffer index ``index``."""
        mark_index, mark_line = self._mark
        if index < mark_index:
            mark_index, mark_line = 0, self._origin_line
        line = mark_line + self._buf.count("\n", mark_index, index)
        self._mark = (index, line)
        newline = self._buf.rfind("\n", 0, index)
        column = index - newline if newline >= 0 else self._origin_col + index
        return line, column

    def line(self) -> int:
        """Line of the cursor."""
        return self._position_of(self._pos)[0]

    def position(self) -> tuple[int, int]:
        """(line, column) of the cursor."""
        return self._position_of(self._pos)

    def offset(self) -> int:
        """Characters before the cursor: how much of the file a reader has gone through."""
        return self._dropped + self._pos
