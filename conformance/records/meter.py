"""How far the reading of some inputs has got, in bytes: what a progress bar shows.

The readers do not count: `ReadMeter` is told which file is open and asks its position
only when someone wants to know (a few times a second), so reading costs nothing more.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from .inputs import is_url
from .recording_files import recording_files
from .stdin import STDIN


class _Position(Protocol):
    def tell(self) -> int: ...


class ReadMeter:
    """Bytes read of the inputs so far: the files finished, plus where the open one stands."""

    def __init__(self) -> None:
        self._finished = 0
        self._open: _Position | None = None
        self._size: int | None = None
        self._last = 0

    def opened(self, fh: _Position, size: int | None) -> None:
        """A file is being read; `size` is what it adds when done (None: where it ends)."""
        self._open, self._size = fh, size

    def closed(self) -> None:
        """The open file is done: all of it counts, however much a reader needed of it."""
        if self._open is not None:
            self._finished += self._size if self._size is not None else self._tell()
        self._open = self._size = None

    def done(self) -> int:
        """Bytes of the inputs read so far."""
        return self._finished + (self._tell() if self._open is not None else 0)

    def _tell(self) -> int:
        try:
            position = self._open.tell() if self._open is not None else 0
        except (OSError, ValueError):  # closed under us, or a stream without a position
            return self._last
        self._last = position if self._size is None else min(position, self._size)
        return self._last


def input_bytes(paths: Iterable[str | Path]) -> int | None:
    """The bytes `read_records(paths)` will read, or None when unknown (standard input).

    Folders count the recording files a walk reads; what cannot be sized counts 0 (it
    will be a problem in the stream, not bytes to read).
    """
    total = 0
    for path in paths:
        name = os.fsdecode(path)
        if name == STDIN or is_url(name):  # a URL's size is one more request: no total
            return None
        files = recording_files(name, []) if os.path.isdir(name) else (name,)
        for file in files:
            try:
                total += os.stat(file).st_size
            except OSError:
                continue
    return total
