"""Standard input as a recording: the path `-`, reported as the file `<stdin>`.

A pipe cannot be rewound, but format detection reads the head before a reader starts
from the beginning. `Replay` keeps what detection read (the sniffed head, and leading
whitespace only as counts) and hands it out again before the rest of the stream, so
memory stays one head whatever comes down the pipe. Readers that seek (YAML and the
cassettes skip refused documents by offset) get the stream spooled to a temporary file
instead: in memory up to `SPOOL_BYTES`, on disk past that.

From the rewind on, what is read is also copied to a temporary file (`copy_path`), so
a failing record's value can be found again (`records.positions`) as in a file.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from itertools import chain
from typing import IO, BinaryIO, cast

#: The path that names standard input wherever a path is read.
STDIN = "-"
#: The file name findings from standard input carry.
STDIN_NAME = "<stdin>"
#: Formats whose readers seek: standard input is spooled for them.
SEEKING_FORMATS = frozenset({"yaml", "vcr", "schemathesis"})
#: How much of a spooled standard input stays in memory before it goes to disk.
SPOOL_BYTES = 8 << 20

_BLANK = b" \t\n\r\x0b\x0c"
#: The copy of standard input, as read so far (one per process: there is one stdin).
_COPY: list[IO[bytes]] = []


def copy_path() -> str | None:
    """The file holding what standard input has given so far, flushed; None before any."""
    if not _COPY:
        return None
    _COPY[0].flush()
    return _COPY[0].name


class Replay:
    """A read-only byte stream over `source` that can be rewound once, to its start.

    Until `rewind()`, what is read is kept: bytes as they are, a chunk of nothing but
    whitespace as its length, newlines and the length after its last newline (enough to
    give it back with the same byte offsets, lines and columns). `read(n)` returns `n`
    bytes unless the stream ends, as a file does, not a pipe's short reads.
    """

    def __init__(self, source: BinaryIO) -> None:
        self._source = source
        self._kept: list[bytes | tuple[int, int, int]] | None = []
        self._replay: Iterator[bytes] = iter(())
        self._left = b""
        self._consumed = 0

    def read(self, size: int = -1) -> bytes:
        parts: list[bytes] = []
        wanted = size if size >= 0 else sys.maxsize
        while wanted > 0:
            chunk = self._next(min(wanted, 1 << 20))
            if not chunk:
                break
            parts.append(chunk)
            wanted -= len(chunk)
        data = b"".join(parts)
        self._consumed += len(data)
        if self._kept is not None and data:
            self._keep(data)
        elif data:
            _COPY[0].write(data)
        return data

    def _next(self, size: int) -> bytes:
        if not self._left:
            self._left = next(self._replay, b"")
            if not self._left:
                return self._source.read(size)
        data, self._left = self._left[:size], self._left[size:]
        return data

    def _keep(self, data: bytes) -> None:
        assert self._kept is not None
        if data.strip(_BLANK):
            self._kept.append(data)
        else:
            last = data.rfind(b"\n")
            tail = len(data) - last - 1 if last >= 0 else len(data)
            self._kept.append((len(data), data.count(b"\n"), tail))

    def rewind(self) -> None:
        """Read again from the start; from now on nothing more is kept."""
        if self._kept is None:
            raise OSError("standard input can be rewound only once")
        kept, self._kept, self._consumed = self._kept, None, 0
        while _COPY:
            _COPY.pop().close()
        _COPY.append(tempfile.NamedTemporaryFile(prefix="runconform-stdin-"))  # noqa: SIM115
        self._replay = chain.from_iterable(_expanded(part) for part in kept)

    def tell(self) -> int:
        """Bytes read since the start (or since `rewind`)."""
        return self._consumed

    def seek(self, offset: int, whence: int = 0) -> int:
        """Only `seek(0)` right after the first read-through, which is `rewind()`."""
        if offset or whence or self._kept is None:
            raise OSError("standard input cannot seek")
        self.rewind()
        return 0

    def close(self) -> None:
        """Standard input stays open: another reader of the process may want it."""


def _expanded(part: bytes | tuple[int, int, int]) -> Iterator[bytes]:
    """A kept part as bytes: whitespace as spaces, its newlines, then its last line's length
    in spaces (so the byte offsets, lines and columns after it are those of the input)."""
    if isinstance(part, bytes):
        yield part
        return
    length, newlines, tail = part
    for byte, count in ((b" ", length - newlines - tail), (b"\n", newlines), (b" ", tail)):
        while count > 0:
            step = min(count, 1 << 20)
            yield byte * step
            count -= step


def open_stdin() -> Replay:
    """Standard input as bytes, ready to be sniffed; OSError when there is none."""
    stream = sys.stdin
    if stream is None or stream.closed:
        raise OSError("standard input is closed")
    raw = stream.buffer if hasattr(stream, "buffer") else stream  # a test's bytes stream
    return Replay(cast("BinaryIO", raw))


def spooled(source: Replay) -> IO[bytes]:
    """The rest of `source` in a seekable temporary file (memory first, then disk)."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - caller closes
    try:
        shutil.copyfileobj(source, spool, 1 << 20)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool
