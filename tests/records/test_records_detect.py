"""Format detection: content decides, the file name only breaks ties."""

from __future__ import annotations

import codecs
import gzip
import json
from pathlib import Path

import pytest
from records_support import read, write

from conformance.records import ReadProblem, Record, detect_format

PRETTY = json.dumps({"id": "r1", "steps": [1, 2]}, indent=2)
HAR = json.dumps({"log": {"version": "1.2", "creator": {"name": "x"}, "entries": []}}, indent=2)
VCR_JSON = json.dumps({"interactions": [], "version": 1}, indent=4)
POSTMAN_SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
POSTMAN = json.dumps({"item": [], "info": {"name": "x", "schema": POSTMAN_SCHEMA}})

CASES = [
    # (file name, content, format) - the name is deliberately unhelpful where content decides
    ("a.json", '{"id": 1}', "json"),
    ("a.json", PRETTY, "json"),
    ("a.data", "[1, 2, 3]\n", "json"),
    ("a.json", '{"id": 1}\n{"id": 2}\n', "jsonl"),
    ("a.txt", "[1]\n[2]\n", "jsonl"),
    ("a.jsonl", '{"id": 1}\n', "jsonl"),  # one line: the name breaks the tie
    ("a.ndjson", '{"id": 1,\n"broken": \n', "jsonl"),  # bad first line: the name decides
    ("a.json", HAR, "har"),
    ("a.txt", HAR, "har"),
    ("a.json", VCR_JSON, "vcr"),
    ("a.yaml", VCR_JSON, "vcr"),
    ("a.json", POSTMAN, "postman"),
    ("a.yaml", "interactions:\n- request: {}\nversion: 1\n", "vcr"),
    ("a.json", "http_interactions:\n- id: 'a'\n", "schemathesis"),
    (
        "a.yml",
        "command: 'st run x'\nrecorded_with: 'Schemathesis 4'\nhttp_interactions:\n",
        "schemathesis",
    ),
    ("a.json", "id: r1\nstatus: ok\n", "yaml"),
    ("a.txt", "---\n- 1\n", "yaml"),
    ("a.yaml", '{"id": 1}', "yaml"),  # JSON syntax is YAML; the name breaks the tie
    ("a.yaml", "just a scalar\n", "yaml"),
    ("a.json", '"a JSON string"', "json"),
    ("a.json", "\n" * 20_000 + '{"id": 1}', "json"),  # padding does not hide content
    ("a.json", "<html><body>502</body></html>", "unknown"),
    ("a.json", "hello world\n", "unknown"),
    ("a.json", "", "unknown"),
]


@pytest.mark.parametrize(("name", "content", "expected"), CASES)
def test_detect_format(name: str, content: str, expected: str, tmp_path: Path) -> None:
    assert detect_format(write(tmp_path, name, content)) == expected


def test_detect_missing_file_or_directory(tmp_path: Path) -> None:
    assert detect_format(tmp_path / "missing.json") == "unknown"
    assert detect_format(tmp_path) == "unknown"


REFUSED = [
    ("empty.json", b"", "empty-file", "empty file"),
    ("ws.json", b" \n\t\n", "empty-file", "empty file"),
    ("nul.json", b"\x00" * 100, "not-a-recording", "not a recording: binary data (NUL bytes)"),
    (
        "runs.json.gz",  # compressed twice: the content read is again gzip
        gzip.compress(gzip.compress(b'{"id": 1}', mtime=0), mtime=0),
        "not-a-recording",
        "not a recording: gzip-compressed data; decompress it first",
    ),
    (
        "random.json",
        bytes(range(128, 256)) * 4,
        "not-a-recording",
        "not a recording: binary data (not UTF-8 text)",
    ),
    (
        "utf16.json",
        codecs.BOM_UTF16_LE + '{"id": 1}'.encode("utf-16-le"),
        "unsupported-encoding",
        "UTF-16 text; save it as UTF-8",
    ),
    (
        "page.json",
        b"<!doctype html><p>Bad gateway</p>",
        "not-a-recording",
        "not a recording: XML or HTML markup, not JSON or YAML",
    ),
    (
        "notes.json",
        b"the runs API returned nothing\nsee ticket 42\n",
        "not-a-recording",
        "not a recording: plain text, not JSON or YAML: 'the runs API returned nothing'",
    ),
]


@pytest.mark.parametrize(("name", "content", "kind", "message"), REFUSED)
def test_refused_files(
    name: str,
    content: bytes,
    kind: str,
    message: str,
    tmp_path: Path,
) -> None:
    path = write(tmp_path, name, content)
    [item] = read(path)
    assert isinstance(item, ReadProblem)
    assert (item.kind, str(item)) == (kind, f"{path}: {message}")


def test_forced_format_reads_text_but_never_binary(tmp_path: Path) -> None:
    text = write(tmp_path, "notes.txt", "hello world\n")
    [record] = read(text, format="yaml")
    assert isinstance(record, Record)
    assert record.payload == "hello world"
    binary = write(tmp_path, "nul.jsonl", b"\x00" * 64)
    [problem] = read(binary, format="jsonl")
    assert isinstance(problem, ReadProblem)
    assert problem.kind == "not-a-recording"


def test_unknown_format_argument_fails_at_call_time(tmp_path: Path) -> None:
    from conformance.records import read_records

    with pytest.raises(ValueError, match="unknown format 'xml'; expected one of json, jsonl"):
        read_records(tmp_path, format="xml")
