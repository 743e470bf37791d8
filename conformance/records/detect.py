"""Which recording format a file holds, judged from its first few kilobytes.

Content decides; the file name only breaks ties (a one-line JSON file named ``.jsonl``, a
JSON-syntax document named ``.yaml``). Reading a prefix keeps detection cheap on huge files
and lets binary or empty files be refused before any parser sees them.

Binary versus text: a file is binary when it starts with a known binary signature, or when
control characters and bytes that are not UTF-8 are dense in its head (see `_binary`). A
stray NUL byte, or a zero-filled block such as a crash leaves, is damage to the record it
falls in, not a sign of binary data: the file is read as text and that record alone is
refused with its position, as it would be past the sniffed head.
"""

from __future__ import annotations

import codecs
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .inputs import is_url, open_input
from .model import SNIFF_BYTES
from .recording_files import suffixes_of, uncompressed_name

#: Bytes read at a time while skipping leading whitespace.
_WHITESPACE_CHUNK = 1 << 16

_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:]')
_YAML_KEY = re.compile(
    r"""^(?:"([^"\n]+)"|'([^'\n]+)'|([A-Za-z_][\w.-]*))[ \t]*:(?:[ \t]|$)""", re.MULTILINE
)
_YAML_START = re.compile(r"^(?:%YAML|---|- |-$)", re.MULTILINE)
_POSTMAN = re.compile(r'"_postman_id"|"schema"\s*:\s*"[^"]*getpostman\.com[^"]*collection')
_JSONL_SUFFIXES = suffixes_of("jsonl")
_YAML_SUFFIXES = suffixes_of("yaml")
_OTHER_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_MAGIC = (
    (b"\x1f\x8b", "gzip-compressed data; decompress it first"),
    (b"\xfd7zXZ\x00", "xz-compressed data; decompress it first"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data; decompress it first"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
#: Where a tar archive's header says ``ustar``: its first bytes are a file name.
_TAR_MAGIC_AT = 257
#: Characters no text recording holds: C0 controls other than whitespace and escape, and
#: U+FFFD, which bytes that are not UTF-8 decode to. A run of NULs counts once (`_binary`).
_NON_TEXT = re.compile("\x00+|[\x01-\x08\x0e-\x1a\x1c-\x1f\ufffd]")
#: Binary when more than one character in this many is non-text (and at least
#: `_MIN_NON_TEXT` are): binary formats are dense with them, damaged text is not.
_NON_TEXT_SHARE = 10
_MIN_NON_TEXT = 8


@dataclass(frozen=True, slots=True)
class Sniffed:
    """A detection result: the format, or why the file is not one (``kind`` and ``reason``)."""

    format: str
    kind: str | None = None
    reason: str = ""
    #: False when no reader could make sense of the bytes (empty, binary, UTF-16 ...), so
    #: even a format the caller forces is not attempted.
    text: bool = True


def read_head(fh: BinaryIO, size: int) -> tuple[bytes, bool]:
    """Up to ``size`` bytes from the first non-whitespace byte, and whether the file ends there.

    Leading whitespace is skipped, however much there is: it is not content, so padding can
    neither hide the content nor make a file unreadable. Memory stays one chunk; the time is
    one pass over the whitespace, as any reader of the file needs.
    """
    head = fh.read(size)
    bom = codecs.BOM_UTF8 if head.startswith(codecs.BOM_UTF8) else b""
    head = head[len(bom) :]
    while head and not head.strip():
        head = fh.read(_WHITESPACE_CHUNK)
    head = head.lstrip()
    if head and len(head) < size:
        head += fh.read(size - len(head))
    return bom + head, not fh.read(1)


def sniff(head: bytes, name: str, complete: bool) -> Sniffed:
    """Classify a file from its head (see ``read_head``) and its name."""
    for bom, encoding in _OTHER_BOMS:
        if head.startswith(bom):
            return Sniffed(
                "unknown", "unsupported-encoding", f"{encoding} text; save it as UTF-8", False
            )
    head = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if not head:
        return Sniffed("unknown", "empty-file", "the file is empty", False)
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return Sniffed("unknown", "not-a-recording", what, False)
    if head[_TAR_MAGIC_AT : _TAR_MAGIC_AT + 5] == b"ustar":
        return Sniffed("unknown", "not-a-recording", "a tar archive", False)
    text = head.decode("utf-8", "replace")
    binary = _binary(text)
    if binary:
        return Sniffed("unknown", "not-a-recording", f"binary data ({binary})", False)
    # NUL bytes are no format's content: the format is judged as if they were not there,
    # and the reader refuses the record that holds them.
    text = text.replace("\x00", "").lstrip()
    suffix = name.lower()
    if text[0] in "{[":
        return _json_family(text, suffix, complete)
    if text[0] == "<":
        return Sniffed("unknown", "not-a-recording", "XML or HTML markup, not JSON or YAML")
    if text[0] in '-"0123456789tfn' and not suffix.endswith(_YAML_SUFFIXES):
        first, newline, rest = text.partition("\n")
        try:
            json.loads(first)
        except ValueError:
            pass
        else:  # one JSON scalar per line, e.g. a list of statuses
            if (newline and rest.strip()) or suffix.endswith(_JSONL_SUFFIXES):
                return Sniffed("jsonl")
    if text[0] in '-"0123456789tfn' and complete:
        try:
            json.loads(text)
        except ValueError:
            pass
        else:
            return Sniffed("yaml" if suffix.endswith(_YAML_SUFFIXES) else "json")
    return _yaml_family(text, suffix)


def _binary(text: str) -> str:
    """Why the decoded head ``text`` is binary data, or "" when it is text.

    Binary when non-text characters (`_NON_TEXT`, a run of NULs counting once) are more
    than a tenth of it and at least `_MIN_NON_TEXT`, or when it holds nothing else: binary
    formats are full of scattered NULs, control bytes and invalid UTF-8, while a text
    recording with a stray NUL or a zero-filled block is text with one damaged record.
    """
    found = _NON_TEXT.findall(text)
    if not found:
        return ""
    others = _NON_TEXT.sub("", text)
    share = len(found) * _NON_TEXT_SHARE > len(others) + len(found)
    if not (share and len(found) >= _MIN_NON_TEXT) and others.strip():
        return ""
    nuls = sum(char[0] == "\x00" for char in found)
    invalid = found.count("\ufffd")
    named = {
        "NUL bytes": nuls,
        "not UTF-8 text": invalid,
        "control characters": len(found) - nuls - invalid,
    }
    return max(named, key=named.__getitem__)  # what it holds most of; ties: the first


def _json_family(text: str, suffix: str, complete: bool) -> Sniffed:
    if suffix.endswith(_YAML_SUFFIXES):
        keys = _json_keys(text)
        return Sniffed(_cassette(keys) or "yaml")
    first, newline, rest = text.partition("\n")
    if newline and rest.strip():
        try:
            json.loads(first)
        except ValueError:
            pass  # pretty-printed JSON, or a JSONL file whose first line is broken
        else:
            return Sniffed("jsonl")
    if suffix.endswith(_JSONL_SUFFIXES):
        return Sniffed("jsonl")
    if text[0] == "{":
        keys = _json_keys(text)
        if "log" in keys:
            return Sniffed("har")
        if (cassette := _cassette(keys)) is not None:
            return Sniffed(cassette)
        if ("info" in keys and "item" in keys) or _POSTMAN.search(text):
            return Sniffed("postman")
    return Sniffed("json")


def _yaml_family(text: str, suffix: str) -> Sniffed:
    keys = [next(filter(None, groups)) for groups in _YAML_KEY.findall(text)]
    if keys or _YAML_START.search(text) or suffix.endswith(_YAML_SUFFIXES):
        return Sniffed(_cassette(keys) or "yaml")
    first_line = text.partition("\n")[0].strip()
    shown = first_line if len(first_line) <= 40 else first_line[:37] + "..."
    return Sniffed("unknown", "not-a-recording", f"plain text, not JSON or YAML: {shown!r}")


def _cassette(keys: list[str]) -> str | None:
    if "http_interactions" in keys:
        return "schemathesis"
    if "interactions" in keys:
        return "vcr"
    return None


def _json_keys(text: str) -> list[str]:
    """Keys of the top-level JSON object that appear in ``text`` (a possibly cut prefix)."""
    keys: list[str] = []
    depth = 0
    last: str | None = None
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "{[":
            depth += 1
            last = None
        elif token in "}]":
            depth -= 1
            last = None
            if depth <= 0:
                break
        elif token == ":":
            if depth == 1 and last is not None:
                keys.append(last)
            last = None
        else:
            last = token[1:-1] if depth == 1 else None
    return keys


def detect(fh: BinaryIO, name: str, size: int = SNIFF_BYTES) -> Sniffed:
    """Sniff an open binary file from its current position."""
    head, complete = read_head(fh, size)
    return sniff(head, name, complete)


def detect_format(path: str | Path) -> str:
    """The format of the file at ``path``: one of ``FORMATS`` or ``"unknown"``.

    Only a prefix of the file is read. Anything that is not a readable regular file is
    ``"unknown"`` (a FIFO is never opened: that would block).
    """
    name = os.fsdecode(path)
    if not is_url(name) and not os.path.isfile(name):
        return "unknown"
    try:
        opened = open_input(name)
    except OSError:
        return "unknown"
    try:
        return detect(opened.stream, uncompressed_name(name)).format
    except OSError:
        return "unknown"
    finally:
        opened.close()
