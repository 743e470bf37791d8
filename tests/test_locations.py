"""A finding points at the value it is about: line and column in the file, per format.

Data-driven: each case is a recording, the record in it and a pointer (with the property
name, for a property that should not be there); the expected place is `line:col-line:col`
(the end one past the value's last character, as SARIF's endColumn). Then the same places
through the CLI: text `file:line:col:`, SARIF regions, GitHub `line`/`col`/`endLine`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.records import read_records
from conformance.records._yamlplaces import flow_places
from conformance.records.positions import json_string_index, locate

PRETTY = """\
{
  "id": "5d2c1b0a-9e8f-4a7b-b6c5-d4e3f2a1b0c9",
  "meta": {
    "tags": [
      "a",
      {"deep": true}
    ]
  },
  "status": "DONE"
}
"""
COMPACT = '[{"id": 1}, {"id": 2, "status": "x", "extra": {"k": [0, 1]}}]\n'
JSONL = '{"status": "ok"}\n\n  {"rows": [{"status": "DONE"}], "extra": 1}\n'
YAML_DOCS = """\
status: ok
---
rows:
  - status: DONE
    extra: 1
meta: {tags: [a, b]}
"""
VCR_BLOCK = """\
interactions:
- request: {method: GET, uri: 'https://api.test/runs/1'}
  response:
    status: {code: 200, message: OK}
    headers:
      Content-Type: [application/json]
    body:
      string: |
        {
          "id": "r1",
          "status": "DONE"
        }
"""
VCR_FOLDED = """\
interactions:
- request: {method: GET, uri: 'https://api.test/runs/1'}
  response:
    status: {code: 200, message: OK}
    headers:
      Content-Type: [application/json]
    body:
      string: '{"id": "it''s", "note": "a long body that the dumper folded over",
        "status": "DONE"}'
"""
VCR_JSON = """\
{"interactions": [
  {"request": {"method": "GET", "uri": "https://api.test/runs/1"},
   "response": {"status": {"code": 200}, "headers": {"Content-Type": ["application/json"]},
     "body": {"string": "{\\"id\\": \\"r\\u00e9\\\\n\\", \\"status\\": \\"DONE\\"}"}}}
]}
"""
HAR = """\
{"log": {"entries": [
  {"request": {"method": "GET", "url": "https://api.test/runs/1"},
   "response": {"status": 200, "headers": [],
     "content": {"mimeType": "application/json",
                 "text": "{\\"status\\": \\"DONE\\"}"}}}
]}}
"""
POSTMAN = """\
{"info": {"name": "c", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
 "item": [{"name": "Get run", "request": {"method": "GET", "url": "https://api.test/runs/1"},
   "response": [{"name": "ok", "code": 200,
     "header": [{"key": "Content-Type", "value": "application/json"}],
     "body": "{\\"status\\": \\"DONE\\"}"}]}]}
"""

# id -> (file name, content, record number (0-based), pointer, property name, expected place)
CASES: dict[str, tuple[str, str, int, str, str | None, str]] = {
    "json-pretty-value": ("run.json", PRETTY, 0, "/status", None, "9:13-9:19"),
    "json-pretty-array-item": ("run.json", PRETTY, 0, "/meta/tags/1/deep", None, "6:16-6:20"),
    "json-pretty-object": ("run.json", PRETTY, 0, "/meta", None, "3:11-8:4"),
    "json-pretty-record": ("run.json", PRETTY, 0, "", None, "1:1-10:2"),
    "json-compact-second": ("runs.json", COMPACT, 1, "/status", None, "1:33-1:36"),
    "json-compact-key": ("runs.json", COMPACT, 1, "", "extra", "1:38-1:45"),
    "json-compact-missing": ("runs.json", COMPACT, 0, "", None, "1:2-1:11"),
    "jsonl-indented": ("runs.jsonl", JSONL, 1, "/rows/0/status", None, "3:24-3:30"),
    "jsonl-key": ("runs.jsonl", JSONL, 1, "", "extra", "3:34-3:41"),
    "yaml-second-doc": ("runs.yaml", YAML_DOCS, 1, "/rows/0/status", None, "4:13-4:17"),
    "yaml-flow-item": ("runs.yaml", YAML_DOCS, 1, "/meta/tags/1", None, "6:18-6:19"),
    "yaml-key": ("runs.yaml", YAML_DOCS, 1, "/rows/0", "extra", "5:5-5:10"),
    "vcr-block-literal": ("cassette.yaml", VCR_BLOCK, 0, "/status", None, "11:21-11:27"),
    "vcr-block-whole": ("cassette.yaml", VCR_BLOCK, 0, "", None, "9:9-12:10"),
    "vcr-folded-quoted": ("cassette.yaml", VCR_FOLDED, 0, "/status", None, "9:19-9:25"),
    "vcr-folded-quoted-first-line": ("cassette.yaml", VCR_FOLDED, 0, "/id", None, "8:23-8:30"),
    "vcr-json-escaped": ("cassette.json", VCR_JSON, 0, "/status", None, "4:63-4:71"),
    "vcr-json-escaped-id": ("cassette.json", VCR_JSON, 0, "/id", None, "4:35-4:49"),
    "har-escaped": ("session.har", HAR, 0, "/status", None, "5:40-5:48"),
    "postman-escaped": ("c.postman_collection.json", POSTMAN, 0, "/status", None, "5:28-5:36"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_pointer_is_found_at_its_line_and_column(tmp_path: Path, case: str) -> None:
    name, content, number, pointer, key, expected = CASES[case]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    records = list(read_records(path))
    assert all(hasattr(r, "payload") for r in records), records
    span = locate(records[number].locator, pointer, key)
    assert span is not None
    assert f"{span.line}:{span.column}-{span.end_line}:{span.end_column}" == expected


def test_a_place_that_is_not_there_is_none(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_text(PRETTY, encoding="utf-8")
    (record,) = read_records(path)
    assert locate(record.locator, "/nothing") is None
    assert locate(record.locator, "/status/0") is None
    path.unlink()  # gone since it was read: the record's line is all there is
    assert locate(record.locator, "/status") is None


def test_json_string_index_counts_escapes_as_one_character() -> None:
    text = '"a\\"b\\u00e9\\ud83d\\ude00c"'
    decoded = json.loads(text)
    assert decoded == 'a"bé\U0001f600c'
    assert [json_string_index(text, 0, i) for i in range(len(decoded) + 1)] == [
        1,
        2,
        4,
        5,
        11,
        23,
        24,
    ]


def test_flow_places_fold_as_yaml_does() -> None:
    lines = ["  s: 'ab ", "     cd''e", "", "     f'"]
    places = flow_places(lines, 5, "'")
    assert places is not None
    assert "".join(" " if c >= len(lines[n]) else lines[n][c] for n, c in places) == "ab cd'e f"


# -- through the CLI: the bad value's line and column in every output ---------------------------


Cli = Callable[..., tuple[int, str, str]]
STATUSES = '"pending", "running", "completed", "failed", "cancelled"'


@pytest.fixture
def bad_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two pretty-printed runs: the first's `status` is wrong (line 5), the second has an
    undocumented property `surprise` (line 81)."""
    example = Path(__file__).parent / "data/examples/xceptor.WorkflowRun.json"
    run = json.loads(example.read_text())
    monkeypatch.chdir(tmp_path)
    path = Path("bad-runs.json")
    runs = [{**run, "status": "DONE"}, {**run, "surprise": 1}]
    path.write_text(json.dumps(runs, indent=2), encoding="utf-8")
    return path


def _validate(run_cli: Cli, path: Path, *flags: str) -> tuple[int, str]:
    code, out, _ = run_cli("validate", str(path), "--schema", "xceptor.WorkflowRun", *flags)
    return code, out


def test_text_points_at_the_value(run_cli: Cli, bad_runs: Path) -> None:
    assert _validate(run_cli, bad_runs, "-v", "--no-invariants") == (
        1,
        f'bad-runs.json:5:15: $.status: error: "DONE" is not one of: {STATUSES} [enum]\n'
        "bad-runs.json:81:5: $.surprise: info: property 'surprise' is not documented in the "
        "schema [undocumented]\n"
        "2 records: 1 conforming, 1 not conforming; 0 unreadable inputs; 1 error, 0 warnings, "
        "1 info\n",
    )


def test_sarif_regions_and_github_columns(
    run_cli: Cli, bad_runs: Path, sarif_validator: Any
) -> None:
    code, out = _validate(run_cli, bad_runs, "--format", "sarif", "--no-invariants")
    assert code == 1
    sarif = json.loads(out)
    sarif_validator.validate(sarif)
    regions = {
        r["ruleId"]: r["locations"][0]["physicalLocation"]["region"]
        for r in sarif["runs"][0]["results"]
    }
    assert regions == {
        "schema/enum": {"startLine": 5, "startColumn": 15, "endLine": 5, "endColumn": 21},
        "drift/undocumented": {"startLine": 81, "startColumn": 5, "endLine": 81, "endColumn": 15},
    }
    code, out = _validate(run_cli, bad_runs, "--format", "github", "--no-invariants")
    assert out.splitlines()[0] == (
        "::error file=bad-runs.json,line=5,col=15,endLine=5,title=runconform enum::$.status: "
        f'"DONE" is not one of: {STATUSES}'
    )


def test_placing_a_finding_keeps_every_other_field() -> None:
    """`_placed_at` spells `dataclasses.replace` out: a field added to Finding must not be
    dropped by it."""
    from dataclasses import fields, replace

    from conformance.records.model import Span
    from conformance.report.findings import Finding
    from conformance.report.placement import _placed_at

    place = {"file", "line", "column", "end_line", "end_column"}
    values = {f.name: f"{f.name}-value" for f in fields(Finding)}
    finding = Finding(**values)  # type: ignore[arg-type]
    span = Span(3, 4, 5, 6)
    assert _placed_at(finding, "f.json", span) == replace(
        finding, file="f.json", line=3, column=4, end_line=5, end_column=6
    )
    assert place < values.keys()


def _status_place(out: str) -> str:
    return next(line.split(": ")[0] for line in out.splitlines() if ": $.status: " in line)


def test_a_file_read_again_is_placed_by_its_new_text(
    run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failing JSONL line is placed from the text the reader kept of it; a file read anew
    (here rewritten in between, in the same process) must not be placed by the old text."""
    monkeypatch.chdir(tmp_path)
    run = {"id": "r1", "status": "DONE", "name": "x"}
    Path("runs.json").write_text(json.dumps(run) + "\n")
    first = _validate(run_cli, Path("runs.json"), "--no-invariants", "--input-format", "jsonl")
    Path("runs.json").write_text(json.dumps(run, indent=2) + "\n")  # now a pretty document
    again = _validate(run_cli, Path("runs.json"), "--no-invariants")
    before = json.dumps(run).index('"DONE"') + 1
    assert (_status_place(first[1]), _status_place(again[1])) == (
        f"runs.json:1:{before}",
        "runs.json:3:13",
    )
