"""``read_records``: files and directories in, one stream of records and problems out.

This is the only place that opens files, so it is where every failure is turned into a
``ReadProblem``: a caller iterating the stream never sees an exception from bad input.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterable, Iterator
from io import BufferedReader
from pathlib import Path
from typing import BinaryIO, cast

from conformance.records.recording_files import (
    RECORDING_SUFFIXES,
    recording_files,
    uncompressed_name,
)

from .cassettes import read_schemathesis, read_vcr
from .decompressed import SniffView
from .detect import Sniffed, detect
from .documents import (
    LineBlock,
    jsonl_blocks,
    jsonl_line_blocks,
    jsonl_ranges,
    read_json,
    read_jsonl,
    read_yaml,
)
from .har import read_har
from .inputs import DamagedInput, Opened, is_url, open_input, shown_name, url_files
from .meter import ReadMeter
from .model import DEFAULT_LIMITS, FORMATS, Limits, Locator, ReadProblem, Record
from .positions import forget_lines
from .postman import read_postman
from .stdin import SEEKING_FORMATS, STDIN, STDIN_NAME, open_stdin, spooled

Reader = Callable[[BinaryIO, str, Limits], Iterator[Record | ReadProblem]]

READERS: dict[str, Reader] = {
    "json": read_json,
    "jsonl": read_jsonl,
    "yaml": read_yaml,
    "vcr": read_vcr,
    "har": read_har,
    "schemathesis": read_schemathesis,
    "postman": read_postman,
}
_ALIASES = {"ndjson": "jsonl", "yml": "yaml"}


def read_records(
    source: str | Path | Iterable[str | Path],
    *,
    format: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    meter: ReadMeter | None = None,
) -> Generator[Record | ReadProblem, None, None]:
    """Records and problems from files and directories, in order, streamed.

    A generator, so a caller that stops early can `close()` it and free the open file.
    Directories are walked recursively in sorted order, skipping hidden entries and files
    without a recording suffix. ``format`` forces one format for every file instead of
    detecting it from content. An unknown ``format`` raises ``ValueError`` at once; every
    problem with the input itself is yielded as a ``ReadProblem``. Responses that have no
    body by definition (204, 205, 304, 1xx, HEAD) yield nothing. The path ``-`` is standard
    input (its records are located in the file ``<stdin>``; ``./-`` is a file named ``-``).
    A ``meter`` is told which file is open, for a progress bar (`ReadMeter`).
    """
    forced = _forced_format(format)
    sources = [source] if isinstance(source, (str, os.PathLike)) else source
    # Without a block size, `_read_all` yields no `LineBlock`.
    return cast(
        "Generator[Record | ReadProblem, None, None]",
        _read_all(sources, forced, limits, meter=meter),
    )


def read_units(
    source: str | Path | Iterable[str | Path],
    *,
    format: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    block_size: int = 1 << 20,
    by_reference: bool = False,
    meter: ReadMeter | None = None,
) -> Iterator[Record | ReadProblem | LineBlock]:
    """Like `read_records`, but JSONL files come as undecoded `LineBlock`s.

    For parallel validation: the reading process only cuts the file at newlines;
    workers split and decode the lines (`decode_block`), so parsing scales with them.
    `by_reference`: blocks name their bytes, for workers that read them (`load_block`);
    standard input's blocks always carry theirs.
    """
    forced = _forced_format(format)
    sources = [source] if isinstance(source, (str, os.PathLike)) else source
    cut = jsonl_ranges if by_reference else jsonl_line_blocks
    return _read_all(sources, forced, limits, block_size, cut, meter)


def _forced_format(format: str | None) -> str | None:
    """The reader a caller forces, by name or alias; an unknown name is a ValueError now."""
    if format is None:
        return None
    forced = _ALIASES.get(format.lower(), format.lower())
    if forced not in READERS:
        raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    return forced


_Cutter = Callable[[BufferedReader, str, Limits, int], Iterator[LineBlock]]


def _read_all(
    sources: Iterable[str | Path],
    forced: str | None,
    limits: Limits,
    block_size: int = 0,
    cut: _Cutter = jsonl_blocks,
    meter: ReadMeter | None = None,
) -> Iterator[Record | ReadProblem | LineBlock]:
    for source in sources:
        name = os.fsdecode(source)
        if name == STDIN:
            yield from _read_stdin(forced, limits, block_size, meter)
        elif is_url(name):
            yield from _read_url(name, forced, limits, block_size, cut, meter)
        elif os.path.isdir(name):
            yield from _walk(name, forced, limits, block_size, cut, meter)
        else:
            yield from _read_file(name, forced, limits, block_size, cut, meter)


def _walk(
    top: str,
    forced: str | None,
    limits: Limits,
    block_size: int,
    cut: _Cutter,
    meter: ReadMeter | None,
) -> Iterator[Record | ReadProblem | LineBlock]:
    errors: list[OSError] = []
    found = False
    for path in recording_files(top, errors):
        found = True
        yield from _read_file(path, forced, limits, block_size, cut, meter)
    for error in errors:
        yield _unreadable(error.filename or top, error)
    if not found and not errors:
        suffixes = ", ".join(f"*{suffix}" for suffix in RECORDING_SUFFIXES)
        message = f"no recording files ({suffixes}) in this directory"
        yield ReadProblem(Locator(top, None, None, ""), message, "no-files")


def _read_url(
    url: str,
    forced: str | None,
    limits: Limits,
    block_size: int,
    cut: _Cutter,
    meter: ReadMeter | None,
) -> Iterator[Record | ReadProblem | LineBlock]:
    """A URL: a folder's recording files in walk order, or one file (`inputs`)."""
    shown = shown_name(url)
    try:
        files = url_files(shown)
    except OSError as error:
        yield _unreadable(shown, error)
        return
    if files is None:
        yield from _read_file(shown, forced, limits, block_size, cut, meter)
        return
    for file in files:
        yield from _read_file(file, forced, limits, block_size, cut, meter)
    if not files:
        suffixes = ", ".join(f"*{suffix}" for suffix in RECORDING_SUFFIXES)
        message = f"no recording files ({suffixes}) in this directory"
        yield ReadProblem(Locator(shown, None, None, ""), message, "no-files")


def _unreadable(path: str, error: OSError) -> ReadProblem:
    reason = error.strerror or str(error)
    if isinstance(error, DamagedInput):  # mid-stream: where it was reached
        return ReadProblem(
            Locator(path, None, error.line, ""), f"cannot read: {reason}", "unreadable"
        )
    return _whole_file(os.fsdecode(path), f"cannot read: {reason}", "unreadable")


def _whole_file(path: str, message: str, kind: str) -> ReadProblem:
    return ReadProblem(Locator(path, None, None, ""), message, kind)


def _read_file(
    path: str,
    forced: str | None,
    limits: Limits,
    block_size: int,
    cut: _Cutter,
    meter: ReadMeter | None,
) -> Iterator[Record | ReadProblem | LineBlock]:
    """One file, local or at a URL, compressed or not (`inputs.open_input`)."""
    try:
        opened: Opened = open_input(path)
    except OSError as error:
        yield _unreadable(path, error)
        return
    if meter is not None:
        meter.opened(opened.raw, opened.size)
    if cut is jsonl_ranges and not opened.local:
        cut = jsonl_blocks  # no worker can read a byte range of it: blocks carry their bytes
    fh = opened.stream
    try:
        try:
            view = SniffView(fh)
            sniffed = detect(cast("BinaryIO", view), uncompressed_name(path), limits.sniff_bytes)
            fh.seek(0)
        except OSError as error:
            yield _unreadable(path, error)
            return
        if view.damage is not None and sniffed.kind is not None:  # refused for the damage
            yield _unreadable(path, view.damage)
            return
        yield from _read_open(fh, path, forced, sniffed, limits, block_size, cut)
    finally:
        opened.close()
        if meter is not None:
            meter.closed()


def _read_stdin(
    forced: str | None, limits: Limits, block_size: int, meter: ReadMeter | None
) -> Iterator[Record | ReadProblem | LineBlock]:
    """Standard input, located as `<stdin>`: sniffed from a kept head, then streamed (or
    spooled, for the readers that seek); JSONL blocks carry their bytes."""
    try:
        replay = open_stdin()
        sniffed = detect(cast("BinaryIO", replay), STDIN_NAME, limits.sniff_bytes)
        replay.rewind()
    except OSError as error:
        yield _unreadable(STDIN_NAME, error)
        return
    fmt = forced or sniffed.format
    if meter is not None:
        meter.opened(replay, None)
    try:
        if fmt in SEEKING_FORMATS and _refusal(sniffed, forced) is None:
            try:
                spool = spooled(replay)
            except OSError as error:
                yield _unreadable(STDIN_NAME, error)
                return
            with spool:
                yield from _read_open(
                    cast("BinaryIO", spool), STDIN_NAME, forced, sniffed, limits, 0, jsonl_blocks
                )
        else:
            stream = cast("BinaryIO", replay)
            yield from _read_open(
                stream, STDIN_NAME, forced, sniffed, limits, block_size, jsonl_blocks
            )
    finally:
        if meter is not None:
            meter.closed()


def _read_open(
    fh: BinaryIO,
    path: str,
    forced: str | None,
    sniffed: Sniffed,
    limits: Limits,
    block_size: int,
    cut: _Cutter,
) -> Iterator[Record | ReadProblem | LineBlock]:
    """The records of an open file, positioned at its start, of the sniffed format."""
    forget_lines(path)  # lines kept from an earlier read of `path` must not place this one's
    refusal = _refusal(sniffed, forced)
    if refusal is not None:
        yield _whole_file(path, *refusal)
        return
    fmt = forced or sniffed.format
    try:
        if block_size and fmt == "jsonl":
            yield from cut(cast("BufferedReader", fh), path, limits, block_size)
        else:
            yield from READERS[fmt](fh, path, limits)
    except OSError as error:
        yield _unreadable(path, error)
    except MemoryError:
        yield _whole_file(path, "out of memory while reading this file", "too-large-record")
    except Exception as error:  # a reader bug must not end the caller's whole run
        message = f"internal error in the {fmt} reader: {type(error).__name__}: {error}"
        yield _whole_file(path, message, "internal-error")


def _refusal(sniffed: Sniffed, forced: str | None) -> tuple[str, str] | None:
    """(message, kind) when the file is not to be read; a forced format may try text."""
    if sniffed.kind is None or (forced is not None and sniffed.text):
        return None
    if sniffed.kind == "empty-file":
        return "empty file", sniffed.kind
    if sniffed.kind == "not-a-recording":
        return f"not a recording: {sniffed.reason}", sniffed.kind
    return sniffed.reason, sniffed.kind
