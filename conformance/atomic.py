"""Write files atomically: a temp file beside the target, renamed into place.

A crash, a full disk or an exception midway leaves the previous file (or no
file) behind, never half a report. A failed write, flush, close or rename is
one `InputError` (exit 4, "PATH: cannot write: reason"), and the temp file is
removed. A temp file is named `.NAME.runconform-PID-XXXXXXXX.tmp`: a writer
killed outright (kill -9) cannot clean up, so the next write into the same
folder removes the temp files whose writer no longer runs.
"""

from __future__ import annotations

import io
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from conformance.errors import InputError, UsageError

#: The mark of a runconform temp file, and the pid of the process that writes it.
TEMP_MARK = "runconform"
_STALE = re.compile(rf"^\..*\.{TEMP_MARK}-(\d+)-[a-z0-9_]+\.tmp$", re.DOTALL)
#: Bytes of the target's name kept in its temp file's name (a name may be 255 bytes long).
_NAME_BYTES = 64


def cannot_write(path: Path | str, exc: OSError) -> InputError:
    """The one error of a failed write: exit 4, naming the file and the system's reason."""
    return InputError(f"{path}: cannot write: {exc.strerror or exc}")


class _Target(io.TextIOWrapper):
    """The temp file's text stream: an OSError while writing names the target file."""

    target: Path

    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except OSError as exc:
            raise cannot_write(self.target, exc) from None

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as exc:
            raise cannot_write(self.target, exc) from None

    def close(self) -> None:
        try:
            super().close()
        except OSError as exc:
            raise cannot_write(self.target, exc) from None


@contextmanager
def atomic_output(path: Path | None) -> Iterator[IO[str]]:
    """Yield a text stream; for a path, it becomes that file only if the block succeeds."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    if _is_device(path):  # /dev/stdout, /dev/null, a FIFO: written to, never replaced
        with _special(path) as device:
            yield device
        return
    directory = path.parent if str(path.parent) else Path(".")
    remove_stale_temps(directory)
    temp = ""
    stream: _Target | None = None
    try:
        try:
            fd, temp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=".tmp", dir=directory)
            # surrogateescape: undecodable bytes of file names are written back as they came
            # (as on stdout), not turned into an internal error
            stream = _Target(
                open(fd, "wb"),  # noqa: SIM115 - closed below, on every path
                encoding="utf-8",
                errors="surrogateescape",
                newline="\n",
            )
            stream.target = path
            os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; a report is ordinary
        except OSError as exc:  # the folder takes no new file
            raise InputError(f"{path}: cannot write here: {exc.strerror or exc}") from None
        yield stream
        stream.close()  # flushes: a full disk shows here at the latest
        try:
            os.replace(temp, path)
        except OSError as exc:  # e.g. the target is a directory
            raise InputError(f"{path}: cannot write here: {exc.strerror or exc}") from None
        temp = ""
    finally:
        if stream is not None and not stream.closed:
            _discard(stream)
        if temp:
            with suppress(OSError):
                os.unlink(temp)


def _is_device(path: Path) -> bool:
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextmanager
def _special(path: Path) -> Iterator[IO[str]]:
    """A device or pipe named as the output: renaming a temp file over it would replace
    the device itself (as root, /dev/null for the whole machine)."""
    try:
        raw = open(path, "wb")  # noqa: SIM115 - closed below, on every path
    except OSError as exc:
        raise InputError(f"{path}: cannot write here: {exc.strerror or exc}") from None
    stream = _Target(raw, encoding="utf-8", errors="surrogateescape", newline="\n")
    stream.target = path
    try:
        yield stream
        stream.close()
    finally:
        if not stream.closed:
            _discard(stream)


def _temp_prefix(path: Path) -> str:
    """`.NAME.runconform-PID-`, NAME cut short so the temp name stays a legal name."""
    name = os.fsdecode(os.fsencode(path.name)[:_NAME_BYTES])
    return f".{name}.{TEMP_MARK}-{os.getpid()}-"


def _discard(stream: _Target) -> None:
    """Close a stream that failed: what is left in its buffer cannot be written anyway."""
    with suppress(InputError, OSError):
        stream.close()
    with suppress(OSError):
        stream.buffer.close()


def remove_stale_temps(directory: Path) -> tuple[Path, ...]:
    """Remove this folder's runconform temp files whose writing process no longer runs."""
    removed = []
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                match = _STALE.match(entry.name)
                if match and not _running(int(match.group(1))):
                    with suppress(OSError):
                        os.unlink(entry.path)
                        removed.append(Path(entry.path))
    except OSError:  # an unreadable folder: mkstemp will say what is wrong with it
        pass
    return tuple(removed)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    except (OverflowError, ValueError):  # an absurd pid is no process at all
        return False
    return True


def refuse_overwriting_input(output: Path | None, inputs: Iterable[str | Path], flag: str) -> None:
    """A usage error when `output` is one of `inputs` (by any name: ./X, a link, a hard link).

    Checked before anything is read or written, so the input is never replaced by the report.
    """
    if output is None:
        return
    for source in inputs:
        try:
            same = os.path.samefile(output, source)
        except (OSError, ValueError):  # either does not exist (yet): not the same file
            continue
        if same:
            raise UsageError(
                f"{flag} {output} is the input {source}; write the output to another file"
            )


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
