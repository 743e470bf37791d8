"""Positions in a YAML file's bytes, for going on where the parser cannot take us.

A document over the size budget is skipped unparsed (taking its events would cost more
than the budget protects): these helpers find where the next document starts, from the
parser's character index, and hand a new parser the rest of the file with line numbers as
in the whole file. `locate` turns a bare byte offset (the parser's encoding errors) into a
line and column. `UpToControl` ends each read before a byte YAML refuses (a NUL), as both
parsers check a whole read before parsing any of it: the documents before the byte are
read, and the parse error is where the byte is. Nothing here parses YAML; `_yamlsafe`
decides when to use them.
"""

from __future__ import annotations

import codecs
import io
import re
from typing import BinaryIO

#: A line that starts a document (``---``) or ends one (``...``): nothing inside a document
#: may begin a line with either, so a refused document can be skipped to it unparsed.
_MARKER = re.compile(rb"[\r\n](---|\.\.\.)(?=[ \t\r\n]|\Z)")
_CHUNK = 1 << 20
#: Bytes YAML allows in no document (C0 controls but tab, LF and CR; DEL).
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def resume_point(fh: BinaryIO, start: int, pad: int, index: int) -> tuple[int, int]:
    """Where a parser goes on after a document refused at character ``index`` of a stream
    that began at byte ``start`` after ``pad`` newlines: the new (start, pad).

    That is the next document marker after ``index``, or the end of the file.
    """
    offset, breaks = _byte_offset(fh, start, index - pad)
    found = _next_marker(fh, max(offset - 1, 0))  # a marker may start the line
    if found is None:  # the oversized document runs to the end of the file
        fh.seek(0, io.SEEK_END)
        return fh.tell(), 0
    # newlines before the marker: before the stream, in it before `offset`, after it
    return found[0], pad + breaks + found[1]


class Resumed:
    """The file from byte ``offset`` on, after ``lines`` newlines: a parser started on it
    numbers lines as in the whole file (blank lines cost libyaml next to nothing)."""

    def __init__(self, fh: BinaryIO, offset: int, lines: int) -> None:
        self._fh = fh
        self._pad = lines
        fh.seek(offset)

    def read(self, size: int = -1) -> bytes:
        if self._pad:
            count = min(self._pad, size if size > 0 else _CHUNK)
            self._pad -= count
            return b"\n" * count
        return self._fh.read(size)


class UpToControl:
    """A parser's input whose reads end before a control byte, and start at it next time."""

    def __init__(self, stream: BinaryIO | Resumed) -> None:
        self._stream = stream
        self._held = b""

    def read(self, size: int = -1) -> bytes:
        if self._held:
            cut = len(self._held) if size < 0 else size
            chunk, self._held = self._held[:cut], self._held[cut:]
        else:
            chunk = self._stream.read(size)
        found = _CONTROL.search(chunk, 1)  # from 1: a read that starts at one returns it
        if found is None:
            return chunk
        self._held = chunk[found.start() :] + self._held
        return chunk[: found.start()]


def _byte_offset(fh: BinaryIO, start: int, chars: int) -> tuple[int, int]:
    """The file offset ``chars`` characters (parser marks count characters) after
    ``start``, and the newlines between the two."""
    fh.seek(start)
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    offset = breaks = 0
    while chars > 0:
        chunk = fh.read(_CHUNK)
        text = decoder.decode(chunk, final=not chunk)
        if len(text) >= chars or not chunk:
            return start + offset + len(text[:chars].encode("utf-8", "surrogateescape")), (
                breaks + text.count("\n", 0, chars)
            )
        chars -= len(text)
        offset += len(text.encode("utf-8", "surrogateescape"))
        breaks += text.count("\n")
    return start + offset, breaks


def _next_marker(fh: BinaryIO, offset: int) -> tuple[int, int] | None:
    """Where the stream after ``offset`` goes on, and the line breaks before it: the next
    ``---`` line, or the line after the next ``...`` line. None at the end of the file."""
    fh.seek(offset)
    tail, base, breaks = b"", offset, 0
    while True:
        chunk = fh.read(_CHUNK)
        window = tail + chunk
        for match in _MARKER.finditer(window):
            if match.end() == len(window) and chunk:
                break  # whether a marker ends here depends on the next byte
            breaks += window.count(b"\n", 0, match.start(1))
            if match.group(1) == b"---":
                return base + match.start(1), breaks
            fh.seek(base + match.end())
            rest = _next_line(fh)
            return None if rest is None else (rest, breaks + 1)
        if not chunk:
            return None
        keep = min(len(window), 4)
        breaks += window.count(b"\n", 0, len(window) - keep)
        base += len(window) - keep
        tail = window[-keep:]


def _next_line(fh: BinaryIO) -> int | None:
    """The offset just after the next newline from where ``fh`` stands, or None."""
    base = fh.tell()
    while chunk := fh.read(_CHUNK):
        end = chunk.find(b"\n")
        if end >= 0:
            return base + end + 1
        base += len(chunk)
    return None


def locate(fh: BinaryIO, offset: int) -> tuple[int, int]:
    """1-based line and (byte) column of a byte offset, for errors that only give the offset."""
    fh.seek(0)
    line, line_start, done = 1, 0, 0
    while done < offset and (chunk := fh.read(min(1 << 20, offset - done))):
        line += chunk.count(b"\n")
        last = chunk.rfind(b"\n")
        if last >= 0:
            line_start = done + last + 1
        done += len(chunk)
    return line, offset - line_start + 1
