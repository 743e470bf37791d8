"""Readers for plain documents: JSON, JSON Lines and (multi-document) YAML.

Every reader takes an open binary file and yields records and problems in file order; none
keeps more than one record in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from ._common import Refused, plural, problem
from ._jsonstream import JsonStream
from ._jsontext import decode
from ._yamlsafe import SafeYaml, construct, to_json
from .model import Limits, Locator, ReadProblem, Record

#: Bytes read at a time by the JSON Lines reader.
_JSONL_CHUNK = 1 << 20
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
                line = stream.line()
                yield Record(Locator(file, index, line, label), stream.value())
                index += 1
            index, label = None, ""
        else:
            index, label, line = 0, "document", stream.line()
            value = stream.value()
            yield Record(Locator(file, 0, line, label), value)
            index, label = None, ""
        stream.finish()
    except Refused as refusal:
        if refusal.message.endswith("Extra data") and index is None:
            refusal.message += _JSONL_HINT
        yield problem(file, index, label, refusal)


def read_jsonl(fh: BinaryIO, file: str, limits: Limits) -> Iterator[Record | ReadProblem]:
    """One record per non-blank line; a bad line is a problem and the next lines still count.

    This is the hot path for large recordings: one ``bytes.split`` per megabyte and one
    stdlib ``json`` decode per line.
    """
    index = 0
    max_depth = limits.max_depth
    for lineno, offset, raw in _lines(fh, limits.max_record_bytes):
        if raw is not None and (not raw or raw.isspace()):
            continue
        label = f"line {lineno}"
        if raw is None:
            message = f"line longer than {plural(limits.max_record_bytes, 'byte')}"
            yield ReadProblem(Locator(file, index, lineno, label), message, "too-large-record")
        else:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                message = (
                    f"invalid UTF-8: byte 0x{raw[error.start]:02x} at byte offset"
                    f" {offset + error.start:,} (line {lineno}, column {error.start + 1})"
                )
                yield ReadProblem(Locator(file, index, lineno, label), message, "invalid-utf8")
            else:
                if lineno == 1:
                    text = text.removeprefix("\ufeff")
                try:
                    value = decode(text, max_depth)
                except Refused as refusal:
                    if refusal.line is not None:
                        refusal.line += lineno - 1
                    yield problem(file, index, label, refusal, lineno)
                else:
                    yield Record(Locator(file, index, lineno, label), value)
        index += 1


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
                    yield Record(Locator(file, index, line, label), value)
            index += 1
    except Refused as refusal:
        yield problem(file, index, f"document[{index}]", refusal)
        return
    if index == 0:
        message = "no YAML documents (only comments or blank documents)"
        yield ReadProblem(Locator(file, None, None, ""), message, "empty-file")
