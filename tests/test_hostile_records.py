"""Hostile recordings for the readers (issue 13, items 17 and 20, the records part).

- item 17: one element over the record limit (64 MiB) in a JSON array, a HAR's
  log.entries or a cassette's interactions is one problem with its file and position, and
  the elements after it are still read: through `validate`, `check` and `map`, which share
  the readers. It is skipped by scanning, never built, so memory stays bounded whatever
  its shape (a 64 MiB list of small objects would take over 1.5 GB as Python objects);
- item 20: valid JSON after more than 1 MiB of leading whitespace is read (whitespace is
  not content), with memory bounded by a chunk; a file of nothing but whitespace is empty.

Also: a number cut by the reader's 64 KiB buffer just after its "." or "e" ("-2." | "5")
was read as -2 and the rest of the file refused; and a NUL byte (or a zero-filled block) in
the first 8 KiB refused a whole text file as binary, where the same byte later was one
record's error with its position: it is now that record's error wherever it is, and
binary files (known signatures, or dense with NULs, control bytes or invalid UTF-8) are
still refused whole, with the files beside them read.
"""

from __future__ import annotations

import io
import json
import lzma
import random
import struct
import tarfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import example
from hostile import RSS_BOUND_MIB, RUNCONFORM, Outcome, run_child

from conformance.records import ReadProblem, Record, read_records
from conformance.records.model import MAX_RECORD_BYTES

RUN = "xceptor.WorkflowRun"
GOOD = json.dumps(example(RUN))
#: Just over the record limit, so each case writes about 64 MiB.
OVER = MAX_RECORD_BYTES + 4096
TOO_LARGE = "record larger than 67,108,864 bytes"
URL = (
    "https://api.xceptor.com/v1/workflows/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
    "/runs/5d2c1b0a-9e8f-4a7b-b6c5-d4e3f2a1b0c9"
)
OK = f"ok ({RUN}, corrected)"
CHECK_FAST = ("--fixtures", "1", "--quiet")


def _big_string() -> str:
    return "x" * OVER


def _big_structure() -> str:
    """A list of small objects: the shape that is costly to build."""
    item = '{"a": [1, 2.5, {"c": "]"}]}'
    return "[" + ",".join([item] * (OVER // (len(item) + 1) + 1)) + "]"


def _har_entry(body: str) -> str:
    return json.dumps(
        {
            "request": {"method": "GET", "url": URL, "headers": []},
            "response": {
                "status": 200,
                "headers": [],
                "content": {"mimeType": "application/json", "text": body},
            },
        }
    )


def _interaction(body: str) -> str:
    return json.dumps(
        {
            "request": {"method": "GET", "uri": URL},
            "response": {
                "status": {"code": 200},
                "headers": {"Content-Type": ["application/json"]},
                "body": {"string": body},
            },
        }
    )


def _yaml_interaction(body: str) -> str:
    quoted = body.replace("'", "''")
    return (
        f"- request: {{method: GET, uri: '{URL}'}}\n  response:\n    status: {{code: 200}}\n"
        f"    headers: {{Content-Type: [application/json]}}\n    body: {{string: '{quoted}'}}\n"
    )


def _json_array(big: str) -> str:
    return f"[{GOOD},\n{big},\n{GOOD}]\n"


def _har(big: str) -> str:
    entries = ",\n".join(_har_entry(body) for body in (GOOD, big, GOOD))
    return '{"log": {"version": "1.2", "entries": [\n' + entries + '\n], "comment": ""}}\n'


def _vcr_json(big: str) -> str:
    items = ",\n".join(_interaction(body) for body in (GOOD, big, GOOD))
    return '{"interactions": [\n' + items + '\n], "version": 1}\n'


def _vcr_yaml(big: str) -> str:
    items = "".join(_yaml_interaction(body) for body in (GOOD, big, GOOD))
    return "interactions:\n" + items + "version: 1\n"


# case -> (file name, writer, big element, the problem line; the good records are on the
# lines before and after it)
OVERSIZED: dict[str, tuple[str, Callable[[str], str], Callable[[], str], int, str]] = {
    "item17-oversized-json-element-string": (
        "big.json",
        _json_array,
        lambda: '{"blob": "' + _big_string() + '"}',
        2,
        f"{TOO_LARGE} (line 2, column 1)",
    ),
    "item17-oversized-json-element-structure": (
        "big.json",
        _json_array,
        _big_structure,
        2,
        f"{TOO_LARGE} (line 2, column 1)",
    ),
    "item17-oversized-har-entry": (
        "big.har",
        _har,
        _big_string,
        3,
        f"{TOO_LARGE} (line 3, column 1)",
    ),
    "item17-oversized-vcr-json-interaction": (
        "big.json",
        _vcr_json,
        _big_string,
        3,
        f"{TOO_LARGE} (line 3, column 1)",
    ),
    "item17-oversized-vcr-yaml-interaction": (
        "big.yaml",
        _vcr_yaml,
        _big_string,
        11,
        f"{TOO_LARGE} (line 11, column 20)",
    ),
}


def assert_sane(outcome: Outcome, code: int) -> None:
    """What every hostile case must show besides its message."""
    assert outcome.returncode == code, outcome.output[-2000:]
    assert not outcome.timed_out
    assert not outcome.traceback, outcome.output[-2000:]
    assert outcome.returncode != 70
    assert outcome.peak_rss_mib < RSS_BOUND_MIB, outcome.peak_rss_mib


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", sorted(OVERSIZED))
def test_an_oversized_element_is_one_problem_and_the_next_ones_are_read(
    tmp_path: Path, case: str
) -> None:
    name, write, big, line, message = OVERSIZED[case]
    path = _write(tmp_path, name, write(big()))
    before = line - 1 if line < 10 else 2  # the YAML interactions take five lines each
    after = line + 1
    outcome = run_child(
        [*RUNCONFORM, "validate", name, "--schema", RUN, "-v"], case=case, cwd=tmp_path
    )
    path.unlink()
    assert_sane(outcome, 4)
    assert outcome.stdout.splitlines() == [
        f"{name}:{before}: {OK}",
        f"{name}:{line}: $: error: {message} [too-large-record]",
        f"{name}:{after}: {OK}",
        "2 records: 2 conforming, 0 not conforming; 1 unreadable input;"
        " 1 error, 0 warnings, 0 info",
    ]


@pytest.fixture(scope="module")
def oversized_array(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("oversized")
    return _write(folder, "big.json", _json_array('{"blob": "' + _big_string() + '"}'))


def test_map_reads_past_an_oversized_element(oversized_array: Path) -> None:
    outcome = run_child(
        [*RUNCONFORM, "map", "--from", RUN, "big.json"],
        case="item17-oversized-json-element-map",
        cwd=oversized_array.parent,
    )
    assert_sane(outcome, 4)
    assert len(outcome.stdout.splitlines()) == 2  # both good records mapped
    assert outcome.stderr.splitlines() == [
        f"big.json:2: error: {TOO_LARGE} (line 2, column 1) [too-large-record]",
        "2 runs written; 0 records could not be mapped; 1 unreadable input",
    ]


def test_check_reads_past_an_oversized_element(oversized_array: Path) -> None:
    folder = oversized_array.parent
    outcome = run_child(
        [*RUNCONFORM, "check", "big.json", "--schema", RUN, "--out", "reports", *CHECK_FAST],
        case="item17-oversized-json-element-check",
        cwd=folder,
    )
    assert_sane(outcome, 4)
    report = json.loads((folder / "reports" / "runconform-check.json").read_text())
    (stage,) = (stage for stage in report["stages"] if stage["name"] == "validate")
    assert (stage["status"], stage["passed"], stage["failed"]) == ("error", 2, 0)
    assert stage["message"] == (f"1 unreadable input: big.json:2: {TOO_LARGE} (line 2, column 1)")
    assert [finding["message"] for finding in stage["findings"]] == [
        f"{TOO_LARGE} (line 2, column 1)"
    ]


# -- item 20: leading whitespace -------------------------------------------------------

#: More than the 1 MiB the detector used to give up after, of every JSON whitespace.
PADDING = " \n\t\r" * (600 * 1024)
LINES = PADDING.count("\n")


def _padded_array() -> str:
    return PADDING + "[" + PADDING + GOOD + PADDING + "," + PADDING + GOOD + PADDING + "]\n"


# case -> (file name, content, the stdout lines)
PADDED: dict[str, tuple[str, str, list[str]]] = {
    "item20-leading-whitespace-json": (
        "padded.json",
        PADDING + GOOD + "\n",
        [f"padded.json:{LINES + 1}: {OK}"],
    ),
    "item20-whitespace-everywhere-json-array": (
        "padded.json",
        _padded_array(),
        [f"padded.json:{2 * LINES + 1}: {OK}", f"padded.json:{4 * LINES + 1}: {OK}"],
    ),
    "item20-leading-whitespace-after-bom": (
        "padded.json",
        "\ufeff" + PADDING + GOOD,
        [f"padded.json:{LINES + 1}: {OK}"],
    ),
    "item20-leading-whitespace-har": (
        "padded.har",
        PADDING + _har(GOOD),
        [f"padded.har:{LINES + n}: {OK}" for n in (2, 3, 4)],
    ),
    "item20-leading-whitespace-vcr-json": (
        "padded.json",
        PADDING + _vcr_json(GOOD),
        [f"padded.json:{LINES + n}: {OK}" for n in (2, 3, 4)],
    ),
}


@pytest.mark.parametrize("case", sorted(PADDED))
def test_leading_whitespace_is_not_content(tmp_path: Path, case: str) -> None:
    name, content, lines = PADDED[case]
    _write(tmp_path, name, content)
    outcome = run_child(
        [*RUNCONFORM, "validate", name, "--schema", RUN, "-v"], case=case, cwd=tmp_path
    )
    assert_sane(outcome, 0)
    count = len(lines)
    records = f"{count} record" + ("s" if count > 1 else "")
    assert outcome.stdout.splitlines() == [
        *lines,
        f"{records}: {count} conforming, 0 not conforming; 0 unreadable inputs;"
        " 0 errors, 0 warnings, 0 info",
    ]


def test_a_file_of_only_whitespace_is_empty(tmp_path: Path) -> None:
    _write(tmp_path, "blank.json", PADDING)
    _write(tmp_path, "good.json", GOOD)
    outcome = run_child(
        [*RUNCONFORM, "validate", "blank.json", "good.json", "--schema", RUN, "-v"],
        case="item20-only-whitespace",
        cwd=tmp_path,
    )
    assert_sane(outcome, 4)
    assert outcome.stdout.splitlines() == [
        "blank.json: $: error: empty file [empty-file]",
        f"good.json:1: {OK}",
        "1 record: 1 conforming, 0 not conforming; 1 unreadable input; 1 error, 0 warnings, 0 info",
    ]


# -- a number cut by the reader's buffer -----------------------------------------------


@pytest.mark.parametrize("number", ["-2.5", "1e+9", "3E-2", "12.5e3"])
def test_a_number_cut_by_the_read_buffer_after_its_point_or_exponent(
    tmp_path: Path, number: str
) -> None:
    cut = max(number.find("."), number.find("e"), number.find("E"))
    cut += 2 if number[cut + 1 : cut + 2] in ("+", "-") else 1
    head = '["'
    pad = (1 << 16) - len(head) - len('",') - cut  # the buffer ends right after the cut
    path = _write(tmp_path, "cut.json", head + "x" * pad + '",' + number + "]")
    found = list(read_records(path))
    assert [type(item) for item in found] == [Record, Record], [
        str(item) for item in found if isinstance(item, ReadProblem)
    ]
    assert [item.payload for item in found if isinstance(item, Record)] == [
        "x" * pad,
        json.loads(number),
    ]


# -- a NUL byte is one record's damage, wherever it is; binary files are still refused -----

NUL_RECORD = b'{"id": "a\x00b"}'
#: A zero-filled block, as a crash leaves in a file: damage too, not binary data.
ZERO_BLOCK = b'{"id": "' + b"\x00" * 4096 + b'"}'
#: Good records before the damaged one: none, or more than the 8 KiB the format is judged by.
LATE = 10
CONTROL = "invalid JSON: Invalid control character"


def _jsonl(before: int, bad: bytes) -> bytes:
    good = (GOOD + "\n").encode()
    return good * before + bad + b"\n" + good


def _array(before: int, bad: bytes) -> bytes:
    return b"[" + (GOOD + ",\n").encode() * before + bad + b",\n" + GOOD.encode() + b"]\n"


def _summary(records: int, errors: int) -> str:
    return (
        f"{records} record{'' if records == 1 else 's'}: {records} conforming, 0 not conforming;"
        f" {errors} unreadable input{'' if errors == 1 else 's'};"
        f" {errors} error{'' if errors == 1 else 's'}, 0 warnings, 0 info"
    )


def _damaged_line(name: str, before: int, column: int, after: bool = True) -> list[str]:
    """The stdout of `validate -v`: `before` good records, the damaged one, maybe one more."""
    bad = before + 1
    return [
        *(f"{name}:{n}: {OK}" for n in range(1, bad)),
        f"{name}:{bad}: $: error: {CONTROL} (line {bad}, column {column}) [malformed-json]",
        *([f"{name}:{bad + 1}: {OK}"] if after else []),
        _summary(before + after, 1),
    ]


# case -> (file name, content, validate's stdout); each "first" case has a "late" twin whose
# NUL comes after the sniffed 8 KiB, and both say the same thing about the damaged record.
NUL_TEXT: dict[str, tuple[str, bytes, list[str]]] = {
    **{
        f"nul-{where}-jsonl-line": (
            "nul.jsonl",
            _jsonl(before, NUL_RECORD),
            _damaged_line("nul.jsonl", before, 10),
        )
        for where, before in (("first", 0), ("late", LATE))
    },
    **{  # the name says JSON, the lines say JSON Lines: the NUL does not hide them
        f"nul-{where}-jsonl-line-named-json": (
            "nul.json",
            _jsonl(before, NUL_RECORD),
            _damaged_line("nul.json", before, 10),
        )
        for where, before in (("first", 0), ("late", LATE))
    },
    **{
        f"nul-zero-block-{where}-jsonl-line": (
            "zeros.jsonl",
            _jsonl(before, ZERO_BLOCK),
            _damaged_line("zeros.jsonl", before, 9),
        )
        for where, before in (("first", 0), ("late", LATE))
    },
    # A JSON array cannot go on past a syntax error: the elements before it are read.
    **{
        f"nul-{where}-json-array-element": (
            "nul.json",
            _array(before, NUL_RECORD),
            _damaged_line("nul.json", before, 10 + (before == 0), after=False),
        )
        for where, before in (("first", 0), ("late", LATE))
    },
}


def _yaml_documents(before: int) -> tuple[bytes, list[str]]:
    """`before` good documents, then one with a NUL: a parse error, which ends the file."""
    content = (GOOD + "\n---\n").encode() * before + b'id: "a\x00b"\n---\n' + GOOD.encode()
    bad = 2 * before + 1
    error = (
        "invalid YAML: character U+0000 is not allowed"
        f" (at byte offset {content.index(0):,}) (line {bad}, column 7)"
    )
    return content, [
        *(f"nul.yaml:{line}: {OK}" for line in range(1, bad, 2)),
        f"nul.yaml:{bad}: $: error: {error} [malformed-yaml]",
        _summary(before, 1),
    ]


# Both YAML parsers check each read whole before parsing any of it: the documents before the
# NUL are read however close to it they are.
NUL_TEXT.update(
    {
        f"nul-{where}-yaml-document": ("nul.yaml", *_yaml_documents(before))
        for where, before in (("first", 0), ("late", LATE))
    }
)


@pytest.mark.parametrize("case", sorted(NUL_TEXT))
def test_a_nul_byte_is_damage_to_its_record_not_binary_data(tmp_path: Path, case: str) -> None:
    name, content, lines = NUL_TEXT[case]
    (tmp_path / name).write_bytes(content)
    outcome = run_child(
        [*RUNCONFORM, "validate", name, "--schema", RUN, "-v"], case=case, cwd=tmp_path
    )
    assert_sane(outcome, 4)
    assert outcome.stdout.splitlines() == lines


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\xff\x00\x00" * 2 + b"\x00" + b"\x00\xff\x00" * 2)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _tar() -> bytes:
    buffer = io.BytesIO()
    data = (GOOD + "\n").encode()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        member = tarfile.TarInfo("runs.jsonl")
        member.size = len(data)
        archive.addfile(member, io.BytesIO(data))
    return buffer.getvalue()


def _packed() -> bytes:
    """Fixed-width binary records: NULs scattered through otherwise printable bytes."""
    return b"".join(struct.pack("<IIf", n, n * 7, n / 3) for n in range(2000))


# case -> (file name, content, why it is not a recording)
BINARY: dict[str, tuple[str, bytes, str]] = {
    "binary-png": ("image.json", _png(), "a PNG image"),
    "binary-tar": ("runs.jsonl", _tar(), "a tar archive"),
    "binary-xz": (
        "runs.json",
        lzma.compress(lzma.compress(GOOD.encode())),  # compressed twice: xz content again
        "xz-compressed data; decompress it first",
    ),
    "binary-random": (
        "random.json",
        random.Random(13).randbytes(8192),
        "binary data (not UTF-8 text)",
    ),
    "binary-packed-records": ("packed.json", _packed(), "binary data (NUL bytes)"),
    "binary-utf16-without-bom": ("utf16.json", GOOD.encode("utf-16-le"), "binary data (NUL bytes)"),
    "binary-only-nul-bytes": (
        "zeros.jsonl",
        b"\x00" * 9000 + GOOD.encode(),
        "binary data (NUL bytes)",
    ),
}


@pytest.mark.parametrize("case", sorted(BINARY))
def test_a_binary_file_is_refused_and_the_next_file_read(tmp_path: Path, case: str) -> None:
    name, content, reason = BINARY[case]
    (tmp_path / name).write_bytes(content)
    _write(tmp_path, "good.json", GOOD)
    outcome = run_child(
        [*RUNCONFORM, "validate", name, "good.json", "--schema", RUN, "-v"],
        case=case,
        cwd=tmp_path,
    )
    assert_sane(outcome, 4)
    assert outcome.stdout.splitlines() == [
        f"{name}: $: error: not a recording: {reason} [not-a-recording]",
        f"good.json:1: {OK}",
        _summary(1, 1),
    ]
