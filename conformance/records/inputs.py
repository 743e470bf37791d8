"""Where a recording's bytes come from: a local file or a URL, decompressed by content.

`open_input` opens what a user names: a local path, or an fsspec URL (`memory://`,
`file://`, `s3://` with s3fs installed, any protocol the user's fsspec knows). When the
bytes start with a gzip, bz2, xz or zstd signature they are read through `Decompressed`:
streamed, never unpacked to disk nor held whole, so the record and depth limits apply to
the decompressed bytes (a decompression bomb is one over-long record, refused). Damage
found mid-stream is a `DamagedInput` naming the line reached; what came before it stands.

fsspec and zstandard are optional extras, imported only for a URL or a zstd file; a
plain local path imports neither. A URL that carries credentials (`s3://key:secret@...`,
`https://user:pw@host/...`) is shown without them (`urls.shown_url`) wherever findings
and messages name it. A URL the user names is read; nothing else is followed: an
`http(s)://` URL is one file, never a folder whose links are walked.
"""

from __future__ import annotations

import io
import os
import re
import stat
from dataclasses import dataclass
from importlib import import_module
from typing import Any, BinaryIO, cast
from urllib.parse import urlsplit

from conformance.errors import MissingExtraError

from .decompressed import DamagedInput, Decompressed, compression_of
from .recording_files import is_recording_name
from .urls import REDACTED, shown_url

__all__ = ["DamagedInput", "Opened", "is_url", "open_input", "real_url", "shown_name", "url_files"]

#: `scheme://...`, or an fsspec chain `simplecache::s3://...` (a drive letter `C:` is not).
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+(?:://|::)")
#: Protocols whose folders are never listed: a listing would follow the links of a page.
_NO_LISTING = frozenset({"http", "https"})
#: The URL each shown name stands for, for reading a file again (`positions.locate`).
_REAL: dict[str, str] = {}


def is_url(name: str) -> bool:
    """Whether `name` is a URL to read through fsspec rather than a local path."""
    return _URL.match(name) is not None


def shown_name(url: str) -> str:
    """The name findings give `url`: as typed, unless it carries a user, password or query."""
    parts = _parts(url)
    if parts is not None and parts.username is None and not parts.query:
        return url
    shown = shown_url(url)
    _REAL[shown] = url
    return shown


def real_url(name: str) -> str:
    """The URL a shown name stands for (itself when nothing was hidden)."""
    return _REAL.get(name, name)


@dataclass(frozen=True, slots=True)
class Opened:
    """One input, open: `stream` gives its (decompressed) content, `raw` the bytes read
    from disk or network, whose position a progress meter follows."""

    raw: BinaryIO
    stream: BinaryIO
    #: bytes of `raw`, when known
    size: int | None
    #: "gzip", "bz2", "xz", "zstd", or None
    codec: str | None
    #: a plain local file: another process may read byte ranges of it by name
    local: bool

    def close(self) -> None:
        try:
            if self.stream is not self.raw:
                self.stream.close()
        finally:
            self.raw.close()


def open_input(name: str) -> Opened:
    """`name` (a local path or a URL) open for reading, decompressed when its content is
    compressed. OSError when it cannot be read, with a message a user can be shown;
    MissingExtraError when reading it needs an extra this install lacks."""
    if is_url(name):
        raw, size = _open_url(real_url(name))
        local = False
    else:
        # Checked before opening: opening a FIFO would block until something writes to it.
        status = os.stat(name)
        if not stat.S_ISREG(status.st_mode):
            raise OSError("not a regular file")
        raw, size, local = open(name, "rb"), status.st_size, True  # noqa: SIM115 - Opened closes
    try:
        codec = compression_of(raw)
        stream = raw if codec is None else cast("BinaryIO", Decompressed(raw, codec))
    except BaseException:
        raw.close()
        raise
    return Opened(raw, stream, size, codec, local and codec is None)


def url_files(url: str) -> list[str] | None:
    """The recording files under the folder `url`, as URLs, in the order a local folder
    walk gives them; None when `url` is not a folder. OSError when it cannot be listed."""
    real = real_url(url)
    if _protocol(real) in _NO_LISTING:
        return None
    fs, root = _filesystem(real)
    try:
        if not fs.isdir(root):
            return None
        found = fs.find(root)
    except Exception as error:
        raise _unreadable(error, real) from None
    root = root.rstrip("/")
    relative = sorted(
        (tuple(path[len(root) :].strip("/").split("/")) for path in found),
        key=lambda parts: (parts[:-1], parts[-1]),
    )
    base = real.rstrip("/")
    return [
        shown_name(f"{base}/{'/'.join(parts)}")
        for parts in relative
        if not any(part.startswith(".") for part in parts[:-1]) and is_recording_name(parts[-1])
    ]


def _open_url(url: str) -> tuple[BinaryIO, int | None]:
    fs, path = _filesystem(url)
    try:
        if _protocol(url) == "memory":  # fsspec hands every opener the same file object:
            data = fs.cat_file(path)  # a second reader (placing a finding) would move ours
            return io.BytesIO(data), len(data)
        fh = fs.open(path, "rb")
    except Exception as error:
        raise _unreadable(error, url) from None
    size = getattr(fh, "size", None)
    return cast("BinaryIO", fh), size if isinstance(size, int) else None


def _filesystem(url: str) -> tuple[Any, str]:
    try:  # untyped: no stubs exist, and the calls below are few
        core: Any = import_module("fsspec.core")
    except ImportError as error:
        raise MissingExtraError("fsspec") from error
    try:
        fs, path = core.url_to_fs(url)
    except Exception as error:  # an unknown protocol, its package missing, a bad URL
        raise _unreadable(error, url) from None
    return fs, cast("str", path)


def _unreadable(error: BaseException, url: str) -> OSError:
    """The OSError for a failure of fsspec or its backend, without the URL's secrets."""
    if isinstance(error, FileNotFoundError):
        return OSError("no such file or folder")
    if isinstance(error, IsADirectoryError):
        return OSError("is a folder")
    if isinstance(error, PermissionError):
        return OSError("permission denied")
    message = str(error) or type(error).__name__
    parts = _parts(url)
    if parts is not None:
        for secret in (parts.password, parts.username, parts.query):
            if secret:
                message = message.replace(secret, REDACTED)
    return OSError(message)


def _parts(url: str) -> Any:
    try:
        return urlsplit(url)
    except ValueError:
        return None


def _protocol(url: str) -> str:
    return url.partition("://")[0].rpartition("::")[2].lower()
