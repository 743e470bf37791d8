"""The hostile file-input corpus of issue 13: one table, every CLI surface reads it.

Each `Case` writes its hostile file(s) into a folder and says what `runconform validate
--identify -v` reports about them, line by line (`Line`). The other surfaces report the
same problems in their own words; the formatters below (`validate_line`, `map_line`,
`plugin_line`, `check_finding`) spell each surface's exact line, so one row covers all four.
A good recording (`GOOD_RUN`, the xceptor.WorkflowRun example of tests/data) always sits beside the
bad ones and must still be reported.

Every surface handles every case: a case a surface got wrong was kept as a strict xfail
until it was fixed, never written down as if its output were right.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from conftest import example

RUN = "xceptor.WorkflowRun"
LIST = "xceptor.WorkflowRunList"
GOOD_RUN = example(RUN)
GOOD_TEXT = json.dumps(GOOD_RUN)
GOOD_FILE = "good.json"
#: Where the corpus files are written, relative to the folder every child runs in.
CORPUS = "corpus"
#: Where the paths a walk cannot find (named on the command line) are written.
NAMED = "named"
RUN_URL = (
    "https://api.xceptor.com/v1/workflows/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
    "/runs/5d2c1b0a-9e8f-4a7b-b6c5-d4e3f2a1b0c9"
)
#: Item 12: an unbalanced IPv6 bracket, which `urllib.parse.urlsplit` refuses.
IPV6_URL = "http://[::1/v1/workflows/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d/runs/5d2c1b0a-9e8f-4a7b-b6c5-d4e3f2a1b0c9"
HUGE = 10**400  # items 11 and 18: fits no float
INF = "invalid JSON: number 1e400 is too large for a double"
EVIL_NAME = "item5-evil\n::error file=x::pwned.json"
EVIL_SHOWN = "item5-evil\\n::error file=x::pwned.json"

Surface = Literal["validate", "check", "map", "plugin"]
Severity = Literal["ok", "warning", "error"]
SURFACES: tuple[Surface, ...] = ("validate", "check", "map", "plugin")


@dataclass(frozen=True)
class Line:
    """One record's verdict or one problem, as `validate -v` reports it.

    `file` is the name as shown (control characters escaped), relative to its folder;
    `item` is the pytest plugin's item name for it. An error is a read problem (`kind` is
    its kind), a warning a run-invariant finding (`kind` is the rule), ok a passing record.
    """

    file: str
    line: int | None
    item: str
    severity: Severity = "error"
    kind: str = ""
    message: str = ""
    pointer: str = "$"
    schema: str = RUN
    folder: str = CORPUS
    column: int | None = None  # where the value is, for a finding placed on it


def ok(file: str, line: int, item: str) -> Line:
    return Line(file, line, item, "ok")


def problem(file: str, line: int | None, item: str, kind: str, message: str) -> Line:
    return Line(file, line, item, "error", kind, message)


@dataclass(frozen=True)
class Case:
    """One hostile input: how to write it and what every surface says about it."""

    id: str
    write: Callable[[Path], None]  # writes into the run folder (CORPUS/ or NAMED/ under it)
    lines: tuple[Line, ...]
    exit_code: int  # of `validate --identify` on this case beside the good file
    named: tuple[str, ...] = ()  # paths (under the run folder) named on the command line
    map_extra: tuple[str, ...] = ()  # what `map` says beyond the read problems


def everywhere(reason: str) -> dict[Surface, str]:
    """A reader's fault: every surface shows it."""
    return dict.fromkeys(SURFACES, reason)


# -- writers ---------------------------------------------------------------------------------


def _bytes(name: str, content: bytes) -> Callable[[Path], None]:
    def write(root: Path) -> None:
        (root / CORPUS / name).write_bytes(content)

    return write


def _text(name: str, content: str) -> Callable[[Path], None]:
    return _bytes(name, content.encode())


def _fifo(root: Path) -> None:
    os.mkfifo(root / CORPUS / "fifo.json")


def _file_loop(root: Path) -> None:
    (root / CORPUS / "symlink-loop.json").symlink_to("symlink-loop.json")


def _dir_loop(root: Path) -> None:
    folder = root / CORPUS / "loopdir"
    folder.mkdir()
    (folder / "good.json").write_text(GOOD_TEXT)
    (folder / "again").symlink_to(".", target_is_directory=True)


def _no_recordings(root: Path) -> None:
    folder = root / NAMED / "no-recordings"
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("no recordings here")


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


def cassette_interaction(
    uri: str, request_headers: str = "      Accept: [application/json]\n"
) -> str:
    return (
        f"- request:\n    method: GET\n    uri: '{uri}'\n    headers:\n{request_headers}"
        "  response:\n    status: {code: 200, message: OK}\n"
        "    headers: {Content-Type: [application/json]}\n"
        f"    body: {{string: {json.dumps(GOOD_TEXT)}}}\n"
    )


def cassette(*interactions: str) -> str:
    return "interactions:\n" + "".join(interactions) + "version: 1\n"


#: A billion-laughs expansion inside the first interaction's request headers (lines 5-13).
BOMB_CASSETTE = cassette(
    cassette_interaction(RUN_URL, "".join(f"      {line}\n" for line in ALIAS_BOMB.splitlines())),
    cassette_interaction(RUN_URL),
)


def har(url: str, headers: list[dict[str, str]], content: dict[str, str]) -> str:
    entry = {
        "request": {"method": "GET", "url": url, "headers": []},
        "response": {"status": 200, "headers": headers, "content": content},
    }
    creator = {"name": "hostile-corpus", "version": "1"}
    return json.dumps({"log": {"version": "1.2", "creator": creator, "entries": [entry]}})


@functools.cache
def _gzipped_spaces(mib: int) -> bytes:
    """`mib` MiB of spaces as one gzip member (level 1: fast to make, still ~230:1)."""
    packer = zlib.compressobj(1, zlib.DEFLATED, 31)
    chunk = b" " * (1 << 20)
    return b"".join(packer.compress(chunk) for _ in range(mib)) + packer.flush()


def _gzip_bomb(root: Path) -> None:
    """80 MiB of spaces gzipped to ~360 KiB (beyond the 64 MiB record limit once inflated),
    base64 in a HAR response body marked gzip-encoded."""
    bomb = _gzipped_spaces(80)
    headers = [
        {"name": "Content-Type", "value": "application/json"},
        {"name": "Content-Encoding", "value": "gzip"},
    ]
    content = {
        "mimeType": "application/json",
        "encoding": "base64",
        "text": base64.b64encode(bomb).decode(),
    }
    (root / CORPUS / "gzip-bomb.har").write_text(har(RUN_URL, headers, content))


def _column(text: str, member: str) -> int:
    """The 1-based column of the value of the (first) `"member": ` in one-line `text`."""
    key = f'"{member}": '
    return text.index(key) + len(key) + 1


def _huge_total() -> str:
    runs = example(LIST)
    runs["pagination"]["total_items"] = HUGE
    return json.dumps(runs)


def _jsonl_with_nul(before: int) -> bytes:
    good = (GOOD_TEXT + "\n").encode()
    return good * before + b'{"id": "a\x00b"}\n' + good


#: Ten good lines (more than the 8 KiB format sniff) before the line with a NUL byte.
NUL_LATE_BEFORE = 10
_STATUS_1E400 = (
    '{"interactions": [{"request": {"method": "GET", "uri": "' + RUN_URL + '"}, '
    '"response": {"status": {"code": 1e400}, "headers": {"Content-Type": ["application/json"]},'
    ' "body": {"string": "{}"}}}]}'
)
#: How a message shows HUGE (as duration-consistent and page-consistent both do).
HUGE_SHOWN = "100000000000... (401 digits)"
_PAGE = f"page 1 of {HUGE_SHOWN} items at 25 per page should hold 25 items, holds 1"


# -- the table -----------------------------------------------------------------------------

CASES: tuple[Case, ...] = (
    Case(
        "malformed-json",
        _bytes("malformed.json", b'{"id": "x",\n "status" "failed"}\n'),
        (
            problem(
                "malformed.json",
                2,
                "document",
                "malformed-json",
                "invalid JSON: Expecting ':' delimiter (line 2, column 11)",
            ),
        ),
        4,
    ),
    Case(
        "truncated-json",
        _bytes("truncated.json", b'{"id": "x", "status": "fai'),
        (
            problem(
                "truncated.json",
                1,
                "document",
                "malformed-json",
                "truncated JSON: unterminated string (line 1, column 23)",
            ),
        ),
        4,
    ),
    Case(
        "invalid-utf8",
        _bytes("invalid-utf8.jsonl", b'{"id": "\xff\xfe"}\n'),
        (
            problem(
                "invalid-utf8.jsonl",
                1,
                "line[1]",
                "invalid-utf8",
                "invalid UTF-8: byte 0xff at byte offset 8 (line 1, column 9)",
            ),
        ),
        4,
    ),
    Case(
        "deep-json",
        _bytes("deep.json", b"[" * 100_000 + b"]" * 100_000),
        (
            problem(
                "deep.json",
                1,
                "record[0]",
                "too-deep",
                "nesting deeper than 512 levels (line 1, column 514)",
            ),
        ),
        4,
    ),
    Case(
        "deep-yaml",
        _bytes("deep.yaml", b"a: " + b"[" * 100_000 + b"]" * 100_000 + b"\n"),
        (
            problem(
                "deep.yaml",
                1,
                "document[0]",
                "too-deep",
                "nesting deeper than 512 levels (line 1, column 515)",
            ),
        ),
        4,
    ),
    Case(
        "yaml-python-tag",
        _text("python-tag.yaml", "!!python/object/apply:os.system ['touch pwned']\n"),
        (
            problem(
                "python-tag.yaml",
                1,
                "document[0]",
                "unsafe-yaml",
                "refused unsafe YAML tag '!!python/object/apply:os.system'"
                " (only plain data is loaded) (line 1, column 1)",
            ),
        ),
        4,
    ),
    Case(
        "yaml-alias-bomb",
        _text("alias-bomb.yaml", ALIAS_BOMB),
        (
            problem(
                "alias-bomb.yaml",
                6,
                "document[0]",
                "yaml-alias-limit",
                "YAML aliases expand to more than 100,000 extra nodes (alias bomb?)"
                " (line 6, column 8)",
            ),
        ),
        4,
    ),
    Case(
        "yaml-alias-bomb-cassette",
        _text("alias-bomb-cassette.yaml", BOMB_CASSETTE),
        (
            problem(
                "alias-bomb-cassette.yaml",
                11,
                "interaction[0]",
                "yaml-alias-limit",
                "YAML aliases expand to more than 100,000 extra nodes (alias bomb?)"
                " (line 11, column 14)",
            ),
            ok("alias-bomb-cassette.yaml", 19, "interaction[1]"),
        ),
        4,
    ),
    Case(
        "nul-bytes",
        _bytes("nul-bytes.json", b"\0" * 4096),
        (
            problem(
                "nul-bytes.json",
                None,
                "not-a-recording",
                "not-a-recording",
                "not a recording: binary data (NUL bytes)",
            ),
        ),
        4,
    ),
    Case(
        "nul-in-a-late-jsonl-line",
        _bytes("nul-late.jsonl", _jsonl_with_nul(NUL_LATE_BEFORE)),
        (
            *(ok("nul-late.jsonl", n, f"line[{n}]") for n in range(1, NUL_LATE_BEFORE + 1)),
            problem(
                "nul-late.jsonl",
                NUL_LATE_BEFORE + 1,
                f"line[{NUL_LATE_BEFORE + 1}]",
                "malformed-json",
                f"invalid JSON: Invalid control character (line {NUL_LATE_BEFORE + 1}, column 10)",
            ),
            ok("nul-late.jsonl", NUL_LATE_BEFORE + 2, f"line[{NUL_LATE_BEFORE + 2}]"),
        ),
        4,
    ),
    Case(
        # What a NUL byte in a text recording should get wherever it is: its line refused
        # with a position, the other lines read (as when it comes after the 8 KiB sniff).
        "nul-in-the-first-jsonl-line",
        _bytes("nul-early.jsonl", _jsonl_with_nul(0) + (GOOD_TEXT + "\n").encode() * 2),
        (
            problem(
                "nul-early.jsonl",
                1,
                "line[1]",
                "malformed-json",
                "invalid JSON: Invalid control character (line 1, column 10)",
            ),
            *(ok("nul-early.jsonl", n, f"line[{n}]") for n in (2, 3, 4)),
        ),
        4,
    ),
    Case(
        "fifo",
        _fifo,
        (
            problem(
                "fifo.json",
                None,
                "unreadable",
                "unreadable",
                "cannot read: not a regular file",
            ),
        ),
        4,
    ),
    Case(
        "symlink-loop-file",
        _file_loop,
        (
            problem(
                "symlink-loop.json",
                None,
                "unreadable",
                "unreadable",
                "cannot read: Too many levels of symbolic links",
            ),
        ),
        4,
    ),
    Case(
        # The CLI walk does not follow directory symlinks: the loop is never entered (the
        # plugin does not walk a folder link that leads back above itself).
        "symlink-loop-dir",
        _dir_loop,
        (ok("loopdir/good.json", 1, "document"),),
        0,
    ),
    Case(
        "gzip-bomb-in-har",
        _gzip_bomb,
        (
            problem(
                "gzip-bomb.har",
                1,
                "entries[0]",
                "too-large-record",
                "response body decompresses to more than 67,108,864 bytes",
            ),
        ),
        4,
    ),
    Case(
        "empty-file",
        _bytes("empty.json", b""),
        (problem("empty.json", None, "empty-file", "empty-file", "empty file"),),
        4,
    ),
    Case(
        "directory-without-recordings",
        _no_recordings,
        (
            Line(
                "no-recordings",
                None,
                "no-files",
                "error",
                "no-files",
                "no recording files (*.json, *.jsonl, *.ndjson, *.yaml, *.yml, *.har)"
                " in this directory",
                folder=NAMED,
            ),
        ),
        4,
        named=(f"{NAMED}/no-recordings",),
    ),
    Case(
        "item5-control-characters-in-a-file-name",
        _bytes(EVIL_NAME, b'{"id": '),
        (
            problem(
                EVIL_SHOWN,
                1,
                "document",
                "malformed-json",
                "truncated JSON: Expecting value at end of data (line 1, column 8)",
            ),
        ),
        4,
    ),
    Case(
        "item11-huge-duration",
        _text("huge-duration.jsonl", json.dumps({**GOOD_RUN, "duration_ms": HUGE}) + "\n"),
        (
            Line(
                "huge-duration.jsonl",
                1,
                "line[1]",
                "warning",
                "duration-consistent",
                "duration 100000000000... (401 digits) ms does not match finished - started"
                " = 42000 ms (tolerance 1000 ms)",
                "$.duration_ms",
                column=_column(json.dumps({**GOOD_RUN, "duration_ms": HUGE}), "duration_ms"),
            ),
        ),
        0,
    ),
    Case(
        "item11-huge-total-items",
        _text("huge-total.json", _huge_total()),
        (
            Line(
                "huge-total.json",
                1,
                "document",
                "warning",
                "page-consistent",
                f"total_pages 1 != ceil(total_items {HUGE_SHOWN} / page_size 25)",
                "$.pagination.total_pages",
                LIST,
                column=_column(_huge_total(), "total_pages"),
            ),
            Line(
                "huge-total.json",
                1,
                "document",
                "warning",
                "page-consistent",
                _PAGE,
                "$.pagination.page",
                LIST,
                column=_column(_huge_total(), "page"),
            ),
        ),
        0,
        map_extra=(
            f"{CORPUS}/huge-total.json:1: error: {RUN}: required source /id (canonical id)"
            " is missing",
        ),
    ),
    Case(
        "item12-ipv6-bracket-url-har",
        _text(
            "ipv6-url.har",
            har(IPV6_URL, [], {"mimeType": "application/json", "text": GOOD_TEXT}),
        ),
        (ok("ipv6-url.har", 1, "entries[0]"),),
        0,
    ),
    Case(
        "item12-ipv6-bracket-url-cassette",
        _text("ipv6-url-cassette.yaml", cassette(cassette_interaction(IPV6_URL))),
        (ok("ipv6-url-cassette.yaml", 2, "interaction[0]"),),
        0,
    ),
    Case(
        "item16-5000-digit-yaml-integer",
        _text("long-int.yaml", "id: " + "1" * 5000 + "\n"),
        (
            problem(
                "long-int.yaml",
                1,
                "document[0]",
                "malformed-yaml",
                "invalid YAML: integer with more than 4,300 digits (line 1, column 5)",
            ),
        ),
        4,
    ),
    Case(
        "item16-cassette-status-1e400",
        _text("status-1e400.json", _STATUS_1E400),
        (
            problem(
                "status-1e400.json",
                1,
                "interaction[0]",
                "malformed-json",
                f"{INF} (line 1, column 19)",
            ),
        ),
        4,
    ),
    Case(
        "item18-1e400-and-nan-in-json",
        _text(
            "inf-nan.json",
            f"[{GOOD_TEXT.replace('42000', '1e400')},\n{GOOD_TEXT.replace('42000', 'NaN')},\n"
            f"{GOOD_TEXT}]",
        ),
        (
            problem("inf-nan.json", 1, "record[0]", "malformed-json", f"{INF} (line 1, column 2)"),
            problem(
                "inf-nan.json",
                2,
                "record[1]",
                "malformed-json",
                "invalid JSON: NaN is not a JSON value (line 2, column 1)",
            ),
            ok("inf-nan.json", 3, "record[2]"),
        ),
        4,
    ),
    Case(
        "item18-1e400-in-a-free-form-field",
        _text(
            "inf-free-form.jsonl",
            GOOD_TEXT.replace('"valuation_date": "2026-11-19"', '"valuation_date": 1e400') + "\n",
        ),
        (problem("inf-free-form.jsonl", 1, "line[1]", "malformed-json", INF),),
        4,
    ),
)

#: The good recording beside every case.
GOOD_LINE = ok(GOOD_FILE, 1, "document")


def build(root: Path, cases: Iterable[Case]) -> list[str]:
    """Write the good file and `cases` under `root`; the paths to name on the command line."""
    (root / CORPUS).mkdir(parents=True)
    (root / CORPUS / GOOD_FILE).write_text(json.dumps(GOOD_RUN, indent=1))
    named: list[str] = [CORPUS]
    for case in cases:
        case.write(root)
        named += case.named
    return named


# -- each surface's words ------------------------------------------------------------------


def _where(line: Line, sep: str = ":") -> str:
    shown = f"{line.folder}/{line.file}"
    at = shown if line.line is None else f"{shown}{sep}{line.line}"
    return at if line.column is None else f"{at}:{line.column}"


def validate_line(line: Line) -> str:
    """`runconform validate -v` (text format)."""
    if line.severity == "ok":
        return f"{_where(line)}: ok ({line.schema}, corrected)"
    return f"{_where(line)}: {line.pointer}: {line.severity}: {line.message} [{line.kind}]"


def map_line(line: Line) -> str | None:
    """`runconform map` on stderr: read problems only (warnings do not stop a mapping)."""
    if line.severity != "error":
        return None
    return f"{_where(line)}: error: {line.message} [{line.kind}]"


def plugin_line(line: Line) -> str | None:
    """The pytest plugin's failure text for a read problem: the CLI's line (said once:
    "cannot read")."""
    if line.severity != "error":
        return None
    message = line.message.removeprefix("cannot read: ")
    return f"{_where(line)}: $: error: cannot read: {message} [{line.kind}]"


def plugin_node(line: Line) -> str:
    """The item's id: its name counting from 1 (`record[1]` is the reader's `record[0]`)."""
    name, _, number = line.item.partition("[")
    if number and name != "line":
        return f"{line.folder}/{line.file}::{name}[{int(number.rstrip(']')) + 1}]"
    return f"{line.folder}/{line.file}::{line.item}"


def check_finding(line: Line) -> tuple[str, str, str, str] | None:
    """(locator, severity, rule, message) of `runconform check`'s JSON report."""
    if line.severity == "ok":
        return None
    origin = "read" if line.severity == "error" else "invariant"
    return (
        f"{_where(line)}: {line.pointer}",
        line.severity,
        f"{origin}/{line.kind}",
        line.message,
    )


def records(lines: Iterable[Line]) -> dict[str, int]:
    """Records read (not refused), per schema: a record is one (file, line)."""
    seen: dict[tuple[str, str, int | None], str] = {}
    for line in lines:
        if line.severity != "error":
            seen[(line.folder, line.file, line.line)] = line.schema
    counts: dict[str, int] = {}
    for schema in seen.values():
        counts[schema] = counts.get(schema, 0) + 1
    return counts
