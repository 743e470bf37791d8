"""Write files atomically: a temp file beside the target, renamed into place.

A crash, a full disk or an exception midway leaves the previous file (or no
file) behind, never half a report.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from conformance.errors import InputError


@contextmanager
def atomic_output(path: Path | None) -> Iterator[IO[str]]:
    """Yield a text stream; for a path, it becomes that file only if the block succeeds."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"{path}: cannot write here: {exc.strerror or exc}") from None
    try:
        # surrogateescape: undecodable bytes of file names are written back as they came
        # (as on stdout), not turned into an internal error
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape", newline="\n") as stream:
            os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; a report is an ordinary file
            yield stream
        try:
            os.replace(temp, path)
        except OSError as exc:  # e.g. the target is a directory
            raise InputError(f"{path}: cannot write here: {exc.strerror or exc}") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
