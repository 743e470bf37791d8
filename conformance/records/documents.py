"""Readers for plain documents: JSON, JSON Lines and (multi-document) YAML.

Every reader takes an open binary file and yields records and problems in file order; none
keeps more than one record in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from io import BufferedReader
from typing import Any, BinaryIO

import msgspec

from conformance.words import plural

from ._common import Refused, problem
from ._jsonstream import BadValue, JsonStream
from ._jsontext import decode
from ._yamlsafe import SafeYaml, construct, to_json
from .model import Limits, Locator, ReadProblem, Record
from .positions import remember_line

#: Bytes read at a time by the JSON Lines reader.
_JSONL_CHUNK = 1 << 20
_SLOW = object()
_JSONL_HINT = "; if this is JSON Lines (one value per line), read it with format 'jsonl'"


def read_json(fh: BinaryIO, file: str, limits: Limits) -> Iterator[Record | ReadProblem]:
    """One record per element of a top-level array, or one for any other top-level value.

    A syntax error ends the file (nothing after it can be trusted); elements before it are
    still yielded.
    """
    stream = JsonStream(fh, limits)
    index: int | None = None
    label = ""
    try:
        if stream.enter("["):
            index = 0
            while stream.next_element():
                label = f"record[{index}]"
                start = stream.position()
                line = start[0]
                try:
                    yield Record(Locator(file, index, line, label, start), stream.value())
                except BadValue as refusal:  # the next element can still be read
                    yield problem(file, index, label, refusal)
                index += 1
            index, label = None, ""
        else:
            index, label, start = 0, "document", stream.position()
            value = stream.value()
            yield Record(Locator(file, 0, start[0], label, start), value)
            index, label = None, ""
        stream.finish()
    except Refused as refusal:
        if refusal.message.endswith("Extra data") and index is None:
            refusal.message += _JSONL_HINT
        yield problem(file, index, label, refusal)


def read_jsonl(fh: BinaryIO, file: str, limits: Limits) -> Iterator[Record | ReadProblem]:
    """One record per non-blank line; a bad line is a problem and the next lines still count.

    This is the hot path for large recordings: one ``bytes.split`` per megabyte and one
    msgspec decode per ordinary line (the stdlib decides anything unusual).
    """
    index = 0
    for lineno, offset, raw in _lines(fh, limits.max_record_bytes):
        if raw is not None and (not raw or raw.isspace()):
            continue
        yield decode_line(file, index, lineno, offset, raw, limits)
        index += 1


@dataclass(frozen=True, slots=True)
class LineBlock:
    """Whole, undecoded lines of one JSONL file, so that another process can decode them.

    The reading process only cuts the file at newlines (no per-line work); indices are
    counted from 0 within the block and the caller adds the records of earlier blocks.
    `oversized` marks a single line longer than the record limit, skipped unread.
    A block with `length` and no `data` names its bytes instead of carrying them
    (`jsonl_ranges`); `load_block` reads them where they are needed.
    """

    file: str
    first_line: int
    offset: int
    data: bytes
    oversized: bool = False
    length: int = 0
    lines: list[bytes] | None = None  # `data` already cut at newlines, by `jsonl_line_blocks`


def jsonl_line_blocks(fh: BinaryIO, file: str, limits: Limits, size: int) -> Iterator[LineBlock]:
    """`jsonl_blocks` whose blocks come cut into lines, for judging in this process: the
    cut that judging needs anyway also counts the lines (a second pass over every byte
    otherwise, a tenth of the parse)."""
    return jsonl_blocks(fh, file, limits, size, split=True)


def jsonl_blocks(
    fh: BinaryIO,
    file: str,
    limits: Limits,
    size: int,
    lineno: int = 1,
    offset: int = 0,
    split: bool = False,
) -> Iterator[LineBlock]:
    """Cut a JSONL file into blocks of whole lines of about `size` bytes, from `offset`
    (the start of line `lineno`), where `fh` stands; `split`: each block's lines too."""
    pending, skipping = b"", False
    while chunk := fh.read(size):
        if skipping:  # inside a line over the limit: drop bytes up to its newline
            end = chunk.find(b"\n")
            if end < 0:
                offset += len(chunk)
                continue
            offset, lineno, chunk, skipping = offset + end + 1, lineno + 1, chunk[end + 1 :], False
        data = pending + chunk
        cut = data.rfind(b"\n")
        if cut >= 0:
            block, pending = data[: cut + 1], data[cut + 1 :]
            data = chunk = b""  # not held while the block is judged
            if split:
                lines = block.split(b"\n")
                lines.pop()  # after the last newline: nothing
                yield LineBlock(file, lineno, offset, block, lines=lines)
                lineno, offset = lineno + len(lines), offset + len(block)
            else:
                yield LineBlock(file, lineno, offset, block)
                lineno, offset = lineno + block.count(b"\n"), offset + len(block)
        else:
            pending = data
        if len(pending) > limits.max_record_bytes:
            yield LineBlock(file, lineno, offset, b"", oversized=True)
            offset, pending, skipping = offset + len(pending), b"", True
    if pending:
        yield LineBlock(file, lineno, offset, pending)


def jsonl_ranges(fh: BufferedReader, file: str, limits: Limits, size: int) -> Iterator[LineBlock]:
    """`jsonl_blocks` whose blocks name their bytes instead of carrying them.

    For worker processes that can read the file themselves: the cutting process then
    only finds the last newline and counts newlines (for exact line numbers) in one
    reused buffer, and no block crosses a pipe. A line longer than a block hands the
    rest of the file to `jsonl_blocks`, which knows how to skip over-long lines.
    """
    buffer = bytearray(size)
    lineno, offset = 1, 0
    while True:
        fh.seek(offset)
        n = fh.readinto(buffer)
        if n < size:
            if n:
                yield LineBlock(file, lineno, offset, b"", length=n)
            return
        cut = buffer.rfind(b"\n", 0, n)
        if cut < 0:
            fh.seek(offset)
            yield from jsonl_blocks(fh, file, limits, size, lineno, offset)
            return
        yield LineBlock(file, lineno, offset, b"", length=cut + 1)
        lineno += buffer.count(b"\n", 0, cut + 1)
        offset += cut + 1


def load_block(block: LineBlock) -> LineBlock | ReadProblem:
    """A block with its bytes: read from its file when it only names them."""
    if block.data or not block.length:
        return block
    try:
        with open(block.file, "rb") as fh:
            fh.seek(block.offset)
            data = fh.read(block.length)
    except OSError as error:
        message = f"cannot read: {error.strerror or error}"
        return ReadProblem(Locator(block.file, None, block.first_line, ""), message, "unreadable")
    if len(data) != block.length:
        message = f"the file changed while it was read (at byte offset {block.offset:,})"
        return ReadProblem(Locator(block.file, None, block.first_line, ""), message, "unreadable")
    return replace(block, data=data, length=0)


def decode_block(
    block: LineBlock, limits: Limits, kept: list[tuple[int, bytes]] | None = None
) -> Iterator[Record | ReadProblem]:
    """The records of a `LineBlock` as `read_jsonl` gives them, indices counted from 0;
    `kept`: as `sift_block`'s."""
    return sift_block(block, limits, _never_clean, [], kept)


def _never_clean(value: object) -> bool:
    return False


def sift_block(
    block: LineBlock,
    limits: Limits,
    is_clean: Callable[[Any], bool],
    clean_lines: list[int],
    kept: list[tuple[int, bytes]] | None = None,
) -> Iterator[Record | ReadProblem]:
    """`decode_block`, but a line whose value `is_clean` accepts is not yielded: its line
    number is appended to `clean_lines` instead, so the common clean record costs a
    decode, one test and one append. Clean records keep their place in the count: when
    a record is yielded, `len(clean_lines)` is the number of clean ones before it.
    `kept` receives (line number, text) of each record yielded, for a process that did
    not read them to place their findings (`positions.remember_line`).

    The hot loop of a validation run: `_fast_decode` is written out in it (a call per
    line costs as much as its guard), and the depth guard's counts are skipped for lines
    too short to nest deeper than the limit.
    """
    if block.oversized:
        yield decode_line(block.file, 0, block.first_line, block.offset, None, limits)
        return
    file, index, offset, lineno = block.file, 0, block.offset, block.first_line - 1
    lines = block.lines
    if lines is None:
        lines = block.data.split(b"\n")
        if lines and not lines[-1]:
            lines.pop()
    max_bytes, max_depth = limits.max_record_bytes, limits.max_depth
    shallow = 2 * max_depth + 1  # valid JSON this short nests at most max_depth deep
    clean, loads = clean_lines.append, _decode_json
    for raw in lines:
        lineno += 1
        size = len(raw)
        if not size or raw.isspace():
            offset += size + 1
            continue
        value: Any = _SLOW
        if size <= max_bytes and (
            size <= shallow or raw.count(b"{") + raw.count(b"[") <= max_depth
        ):
            try:  # noqa: SIM105 - a try costs nothing here, a context manager a call per line
                value = loads(raw)
            except (msgspec.DecodeError, RecursionError):
                pass
        if value is _SLOW:  # decided by the exact path (or refused as too large)
            yield decode_line(
                file, index, lineno, offset, raw if size <= max_bytes else None, limits
            )
        elif is_clean(value):
            clean(lineno)
        else:
            remember_line(file, lineno, raw)  # it may fail: placed from memory
            if kept is not None:
                kept.append((lineno, raw))
            yield Record(Locator(file, index, lineno, f"line {lineno}"), value)
        index += 1
        offset += size + 1


def decode_line(
    file: str, index: int, lineno: int, offset: int, raw: bytes | None, limits: Limits
) -> Record | ReadProblem:
    """One JSONL line as a record, or the problem that stops it being one."""
    label = f"line {lineno}"
    if raw is None:
        message = f"line longer than {plural(limits.max_record_bytes, 'byte')}"
        return ReadProblem(Locator(file, index, lineno, label), message, "too-large-record")
    value = _fast_decode(raw, limits.max_depth)
    if value is not _SLOW:
        return Record(Locator(file, index, lineno, label), value)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        message = (
            f"invalid UTF-8: byte 0x{raw[error.start]:02x} at byte offset"
            f" {offset + error.start:,} (line {lineno}, column {error.start + 1})"
        )
        return ReadProblem(Locator(file, index, lineno, label), message, "invalid-utf8")
    if lineno == 1:
        text = text.removeprefix("\ufeff")
    try:
        value = decode(text, limits.max_depth)
    except Refused as refusal:
        if refusal.line is not None:
            refusal.line += lineno - 1
        return problem(file, index, label, refusal, lineno)
    return Record(Locator(file, index, lineno, label), value)


def _fast_decode(raw: bytes, max_depth: int) -> object:
    """msgspec for the ordinary line, or `_SLOW` when the stdlib path must decide.

    The stdlib path is the definition (depth limit, refusals, error messages with
    positions). msgspec gives the same value wherever it accepts a line: integers of
    any size exactly, floats correctly rounded, the last of duplicate names; what it
    rejects (a lone surrogate, a byte order mark, a number beyond a double, bad
    syntax) goes the slow way. Its own nesting limit is Python's recursion limit, so
    a line long enough to nest deeper than `max_depth` has its brackets counted first.
    """
    if len(raw) > 2 * max_depth + 1 and raw.count(b"{") + raw.count(b"[") > max_depth:
        return _SLOW
    try:
        return _decode_json(raw)
    except (msgspec.DecodeError, RecursionError):
        return _SLOW


_decode_json = msgspec.json.Decoder().decode


def _lines(fh: BinaryIO, max_len: int) -> Iterator[tuple[int, int, bytes | None]]:
    """(line number, byte offset, line) per line; ``None`` for a line over ``max_len`` bytes.

    An over-long line is skipped without being held in memory.
    """
    lineno = 0
    offset = 0
    pending = b""
    skipping = False
    while chunk := fh.read(_JSONL_CHUNK):
        if skipping:
            end = chunk.find(b"\n")
            if end < 0:
                offset += len(chunk)
                continue
            offset += end + 1
            chunk = chunk[end + 1 :]
            skipping = False
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        for raw in lines:
            lineno += 1
            yield lineno, offset, raw if len(raw) <= max_len else None
            offset += len(raw) + 1
        if len(pending) > max_len:
            lineno += 1
            yield lineno, offset, None
            offset += len(pending)
            pending = b""
            skipping = True
    if pending:
        lineno += 1
        yield lineno, offset, pending if len(pending) <= max_len else None


def read_yaml(fh: BinaryIO, file: str, limits: Limits) -> Iterator[Record | ReadProblem]:
    """One record per document (``---``), loaded safely; a refused document does not stop
    the documents after it, a syntax error does."""
    loader = SafeYaml(fh, limits)
    index = 0
    try:
        for line, node in loader.documents():
            label = f"document[{index}]"
            if isinstance(node, Refused):
                yield problem(file, index, label, node, line)
            else:
                try:
                    value = to_json(construct(node), node)
                except Refused as refusal:
                    yield problem(file, index, label, refusal, line)
                else:
                    start = (line, node.start_mark.column + 1)
                    yield Record(Locator(file, index, line, label, start), value)
            index += 1
    except Refused as refusal:
        yield problem(file, index, f"document[{index}]", refusal)
        return
    if index == 0:
        message = "no YAML documents (only comments or blank documents)"
        yield ReadProblem(Locator(file, None, None, ""), message, "empty-file")
