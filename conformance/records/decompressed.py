"""A compressed recording read as its content: gzip, bz2, xz (standard library) and zstd
(the `zstandard` package, the `compressed` extra).

Which codec is judged from the first bytes (`compression_of`), not from the name.
`Decompressed` streams: each read decompresses only what it returns, a bounded piece of
input at a time, so memory stays a chunk whatever the ratio and the readers' record limits
apply to the decompressed bytes. It counts the newlines it hands out, so damage found
mid-stream (`DamagedInput`) names the line it lies in; what was read before it is kept
and returned first. Seeking back starts decompressing again from the start: the readers
that seek mostly go forward, and a compressed file cannot be entered in the middle.
"""

from __future__ import annotations

import sys
from collections import deque
from typing import BinaryIO, Protocol

from conformance.errors import MissingExtraError

#: Signatures: gzip (RFC 1952), xz, zstd frame; bz2 is checked in `compression_of`.
_MAGIC = ((b"\x1f\x8b", "gzip"), (b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd"))
#: After `BZh` and a block size digit: the first block's magic, or an empty stream's end.
_BZ2_BLOCKS = (b"1AY&SY", b"\x17rE8P\x90")
#: Most decompressed bytes asked of a codec at a time.
_PIECE = 1 << 20
#: Compressed bytes handed to the zstd decompressor at a time: its output for one call is
#: unbounded, so the input is (zstd expands a byte at most ~32,000 times: 32 MiB).
_ZSTD_INPUT = 1 << 10
#: Decompressed bytes kept behind the read position, for readers that step back.
_WINDOW = 8 << 20
_TRUNCATED = "Compressed file ended before the end-of-stream marker was reached"


class DamagedInput(OSError):
    """Compressed data that cannot be decompressed past some point: `line` is the line of
    the decompressed text the damage lies in."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class SniffView:
    """A stream for format detection only: damage reads as the end of the data, so the
    format is judged from what comes before it and the reader meets it at its line."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        #: the damage met, if any: when the head alone is refused, that is the news
        self.damage: DamagedInput | None = None

    def read(self, size: int = -1) -> bytes:
        try:
            return self._stream.read(size)
        except DamagedInput as damage:
            self.damage = damage
            return b""


def compression_of(raw: BinaryIO) -> str | None:
    """The codec `raw`'s content starts with, or None; `raw` is left at its start."""
    head = raw.read(10)
    raw.seek(0)
    for magic, codec in _MAGIC:
        if head.startswith(magic):
            return codec
    if head[:3] == b"BZh" and head[3:4].isdigit() and head[4:10] in _BZ2_BLOCKS:
        return "bz2"
    return None


class _Reader(Protocol):
    def read1(self, size: int, /) -> bytes: ...
    def close(self) -> None: ...


class Decompressed:
    """The decompressed content of `raw`, a binary file at its start, as a read-only
    binary file that can seek (see the module's notes). The last `_WINDOW` bytes read are
    kept (the very objects handed out, no copy), so a reader that steps back a little, as
    finding a value's line and column does, costs no decompressing again."""

    def __init__(self, raw: BinaryIO, codec: str) -> None:
        self.codec = codec
        self._raw = raw
        self._reader = _open(codec, raw)
        self._pos = 0
        self._front = 0  # bytes decompressed since the (last) start
        self._window: deque[tuple[int, bytes]] = deque()  # (offset, bytes) up to `_front`
        self._kept = 0
        self._counted = 0  # bytes whose newlines are counted in `_lines`
        self._lines = 0
        self._damage: DamagedInput | None = None

    def read(self, size: int = -1) -> bytes:
        want = size if size is not None and size >= 0 else sys.maxsize
        kept = self._from_window(want) if self._pos < self._front else b""
        if len(kept) == want or (kept and self._damage is not None):
            return kept
        fresh = self._decompress(want - len(kept))
        return kept + fresh if kept else fresh

    def _from_window(self, want: int) -> bytes:
        parts = []
        for start, chunk in self._window:
            end = start + len(chunk)
            if end <= self._pos:
                continue
            part = chunk[self._pos - start : self._pos - start + want]
            parts.append(part)
            self._pos += len(part)
            want -= len(part)
            if not want:
                break
        return b"".join(parts)

    def _decompress(self, want: int) -> bytes:
        parts: list[bytes] = []
        while want > 0 and self._damage is None:
            try:
                chunk = self._reader.read1(min(want, _PIECE))
            except MemoryError:
                raise
            except Exception as error:  # EOFError, OSError, zlib, lzma and zstd errors
                self._damaged(error)
                break
            if not chunk:
                break
            parts.append(chunk)
            want -= len(chunk)
        data = parts[0] if len(parts) == 1 else b"".join(parts)
        self._advance(data)
        if not data and self._damage is not None and want > 0:
            raise self._damage
        return data

    def _damaged(self, error: Exception) -> None:
        if isinstance(error, EOFError) or str(error) == _TRUNCATED:
            why = f"the {self.codec} data ends early (a truncated file?)"
        else:
            why = f"corrupt {self.codec} data ({error or type(error).__name__})"
        # the newlines of what this read returns are counted by `_advance` after this
        self._damage = DamagedInput(why, 0)

    def _advance(self, data: bytes) -> None:
        """`data`, just decompressed, is read: count its new lines, keep it in the window."""
        end = self._front + len(data)
        if end > self._counted:
            self._lines += data.count(b"\n", max(self._counted - self._front, 0))
            self._counted = end
        if data:
            self._window.append((self._front, data))
            self._kept += len(data)
            while self._kept - len(self._window[0][1]) >= _WINDOW:
                self._kept -= len(self._window.popleft()[1])
        self._front = self._pos = end
        if self._damage is not None and self._damage.line == 0:
            self._damage.line = self._lines + 1

    def readinto(self, buffer: bytearray | memoryview) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 1:
            offset += self._pos
        elif whence == 2:
            self._pos = self._front
            while self.read(_PIECE):
                pass
            offset += self._pos
        oldest = self._window[0][0] if self._window else self._front
        if offset < oldest:  # before what is kept: decompress again from the start
            self._reader.close()
            self._raw.seek(0)
            self._reader = _open(self.codec, self._raw)
            self._front, self._damage, self._kept = 0, None, 0
            self._window.clear()
        self._pos = min(max(offset, 0), self._front)
        while self._pos < offset and self.read(min(offset - self._pos, _PIECE)):
            pass
        return self._pos

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        self._window.clear()
        self._reader.close()


def _open(codec: str, raw: BinaryIO) -> _Reader:
    if codec == "gzip":
        import gzip

        return gzip.GzipFile(fileobj=raw, mode="rb")
    if codec == "bz2":
        import bz2

        return bz2.BZ2File(raw)
    if codec == "xz":
        import lzma

        return lzma.LZMAFile(raw)
    return _Zstd(raw)


class _Zstd:
    """zstd frames one after another, read a bounded piece at a time; the end of the file
    inside a frame is an EOFError (zstandard's own stream reader just stops there)."""

    def __init__(self, raw: BinaryIO) -> None:
        try:
            import zstandard
        except ImportError as error:
            raise MissingExtraError("zstandard") from error
        self._new = zstandard.ZstdDecompressor().decompressobj
        self._raw = raw
        self._frame = self._new()
        self._in_frame = False  # some of the current frame has been given
        self._pending = b""  # input after a frame's end: the next frame's start
        self._out = b""
        self._at = 0

    def read1(self, size: int, /) -> bytes:
        while self._at >= len(self._out):
            data, self._pending = self._pending or self._raw.read(_ZSTD_INPUT), b""
            if not data:
                if self._in_frame:
                    raise EOFError(_TRUNCATED)
                return b""
            self._in_frame = True
            self._out, self._at = self._frame.decompress(data), 0
            if self._frame.eof:
                self._pending = self._frame.unused_data
                self._frame, self._in_frame = self._new(), False
        out = self._out[self._at : self._at + size]
        self._at += len(out)
        return out

    def close(self) -> None:
        self._out = b""
