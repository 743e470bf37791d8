"""Every kind of bad input the validation issue lists, through the CLI.

Each bad file sits between two good ones: the bad one gets a one-line message
with its file and position, the good ones are still validated and reported,
the exit code is 4 (unreadable input), and no traceback is ever printed.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from conftest import example

RUN = "xceptor.WorkflowRun"
GOOD = json.dumps(example(RUN)) + "\n"
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)
HAR_BINARY = json.dumps(
    {
        "log": {
            "version": "1.2",
            "creator": {"name": "t", "version": "1"},
            "entries": [
                {
                    "request": {
                        "method": "GET",
                        "url": "https://api.xceptor.com/v1/workflows/"
                        "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d/runs/5d2c1b0a-9e8f-4a7b-b6c5-d4e3f2a1b0c9",
                        "headers": [],
                    },
                    "response": {
                        "status": 200,
                        "headers": [],
                        "content": {
                            "mimeType": "application/octet-stream",
                            "encoding": "base64",
                            "text": base64.b64encode(bytes(range(256))).decode(),
                        },
                    },
                }
            ],
        }
    }
)

# name -> (file name, content, the exact message line)
BAD: dict[str, tuple[str, bytes, str]] = {
    "malformed JSON": (
        "bad.json",
        b'{"id": "x",\n "status" "failed"}\n',
        "bad.json:2: $: error: invalid JSON: Expecting ':' delimiter (line 2, column 11) [malformed-json]",
    ),
    "truncated JSON": (
        "bad.json",
        b'{"id": "x", "status": "fai',
        "bad.json:1: $: error: truncated JSON: unterminated string (line 1, column 23) [malformed-json]",
    ),
    "invalid UTF-8": (
        "bad.jsonl",
        b'{"id": "\xff\xfe"}\n',
        "bad.jsonl:1: $: error: invalid UTF-8: byte 0xff at byte offset 8 (line 1, column 9) [invalid-utf8]",
    ),
    "100,000-deep array": (
        "bad.json",
        b"[" * 100_000 + b"]" * 100_000,
        "bad.json:1: $: error: nesting deeper than 512 levels (line 1, column 514) [too-deep]",
    ),
    "python tag in YAML": (
        "bad.yaml",
        b"!!python/object/apply:os.system ['true']\n",
        "bad.yaml:1: $: error: refused unsafe YAML tag '!!python/object/apply:os.system' (only plain data is loaded) (line 1, column 1) [unsafe-yaml]",
    ),
    "YAML alias bomb": (
        "bad.yaml",
        ALIAS_BOMB.encode(),
        "bad.yaml:6: $: error: YAML aliases expand to more than 100,000 extra nodes (alias bomb?) (line 6, column 8) [yaml-alias-limit]",
    ),
    "HAR with a binary body": (
        "bad.har",
        HAR_BINARY.encode(),
        "bad.har:1: $: error: binary response body (application/octet-stream, 256 bytes) [binary-body]",
    ),
    "empty file": ("bad.json", b"", "bad.json: $: error: empty file [empty-file]"),
}


def _run(run_cli, tmp_path: Path, bad_name: str, content: bytes) -> tuple[int, str, str]:
    (tmp_path / "a-good.json").write_text(GOOD)
    (tmp_path / bad_name).write_bytes(content)
    (tmp_path / "z-good.jsonl").write_text(GOOD)
    files = [str(tmp_path / n) for n in ("a-good.json", bad_name, "z-good.jsonl")]
    return run_cli("validate", *files, "--schema", RUN, "-v")


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_reported_and_the_rest_still_validated(
    run_cli, tmp_path: Path, case: str, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    name, content, expected = BAD[case]
    code, out, err = _run(run_cli, Path("."), name, content)
    assert "Traceback" not in out + err
    assert code == 4
    lines = out.splitlines()
    assert lines[0] == f"a-good.json:1: ok ({RUN}, corrected)"
    assert lines[-2] == f"z-good.jsonl:1: ok ({RUN}, corrected)"
    problem = [line for line in lines if line.startswith(name)]
    assert len(problem) == 1, lines
    assert problem[0] == expected
    assert "1 unreadable input" in lines[-1]


def test_a_directory_with_no_readable_files(run_cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("empty").mkdir()
    Path("empty/notes.txt").write_text("nothing to see")
    Path("good.json").write_text(GOOD)
    code, out, err = run_cli("validate", "empty", "good.json", "--schema", RUN)
    assert (code, err) == (4, "")
    assert out.splitlines() == [
        "empty: $: error: no recording files (*.json, *.jsonl, *.ndjson, *.yaml, *.yml, *.har) "
        "in this directory [no-files]",
        "1 record: 1 conforming, 0 not conforming; 1 unreadable input; 1 error, 0 warnings, 0 info",
    ]


def test_a_one_gigabyte_file_is_refused_without_being_loaded(
    run_cli, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with open("huge.json", "wb") as sparse:
        sparse.truncate(1 << 30)  # all NUL bytes, no disk used
    Path("good.json").write_text(GOOD)
    code, out, err = run_cli("validate", "huge.json", "good.json", "--schema", RUN)
    assert (code, err) == (4, "")
    first = out.splitlines()[0]
    assert first.startswith("huge.json: $: error: not a recording: ")
    assert first.endswith("[not-a-recording]")
