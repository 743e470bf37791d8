"""One failing body, three commands, every output format: the same findings at the same place.

The body is a Knock run detail whose `status` is not one of its enum and which lacks the
required `recipient`. `validate` and `check` read it from a recording (`run.jsonl`, line 1);
`contract` gets it from a small API on 127.0.0.1 that answers it to every GET. Each output
is parsed back as what it says: (kind, keyword, severity, path, message) per finding, and
where the finding is (`run.jsonl:1` for a recording, the operation for the live API). Every
output must say exactly what `conformance.validate` says of the body, at the right place.

`check` prints a table of stages on the terminal, not findings: its text has nothing to
compare, so its outputs here are its report files.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from conftest import on_loopback

from conformance import validate
from conformance.cli import main

SCHEMA = "knock.WorkflowRecipientRunDetail"
BODY: dict[str, Any] = {
    "__typename": "WorkflowRecipientRun",
    "actor": None,
    "error_count": 2,
    "id": "cdf84404-0729-4e42-9990-1c0475491bc3",
    "inserted_at": "2025-01-18T06:04:40.080Z",
    "status": "bogus",  # not one of the enum
    "trigger_source": {"schedule_id": "schedule_caa1idwmcfs", "type": "audience"},
    "updated_at": "2025-01-18T06:11:07.578Z",
    "workflow": "workflow-1",
    "workflow_run_id": "b3df44a4-7467-437a-8b63-e0efb62ac1fe",
    "tenant": "tenant-1",
    "events": [],
}  # "recipient", required, left out
RECORDING = "run.jsonl"
OPERATION = "GET /runs/current"
#: where each command must place each finding (keyword -> place): `validate` and `check` at
#: the value, line and column (the record, for the missing property)
_STATUS = json.dumps(BODY).index('"bogus"') + 1
_AT_VALUE = {"enum": f"{RECORDING}:1:{_STATUS}", "required": f"{RECORDING}:1:1"}
PLACE = {
    "validate": _AT_VALUE,
    "check": _AT_VALUE,
    "contract": {"enum": OPERATION, "required": OPERATION},
}
#: the contract: one operation whose 2xx body must be a Knock run detail
API = {
    "openapi": "3.1.0",
    "info": {"title": "one run", "version": "1"},
    "paths": {
        "/runs/current": {
            "get": {
                "operationId": "current",
                "responses": {
                    "200": {
                        "description": "the current run",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        }
    },
}


@dataclass(frozen=True)
class Said:
    """One finding as an output states it."""

    kind: str | None  # None where the format does not carry it (JUnit, GitHub, text)
    keyword: str
    severity: str
    path: str
    message: str
    place: str  # "run.jsonl:1", "run.jsonl:1:172" (with the column), or the operation


# `where: severity: message [keyword]`, where is `place: $.path` (the one text form)
_LINE = re.compile(
    r"^(?P<place>.+?): (?P<path>\$\S*?): (?P<severity>error|warning|info): "
    r"(?P<message>.*) \[(?P<keyword>[^\]]+)\](?: \((?P<hint>.*)\))?$"  # a contract's: its curl line
)
# `place: $.path: message` (SARIF and GitHub messages; the place only where no file says it)
_MESSAGE = re.compile(r"^(?:(?P<place>.+?): )?(?P<path>\$\S*?): (?P<message>.*)$")
_LEVELS = {"error": "error", "warning": "warning", "note": "info", "notice": "info"}


def _from_line(line: str) -> Said:
    found = _LINE.match(line)
    assert found, line
    return Said(
        None, found["keyword"], found["severity"], found["path"], found["message"], found["place"]
    )


def _text(output: str) -> list[Said]:
    """Text: a finding per line in the one text form, then the summary line."""
    lines = output.splitlines()
    return [_from_line(line) for line in lines[:-1]]


def _terminal(output: str) -> list[Said]:
    """`contract` on the terminal: the operation's line, its findings indented under it."""
    said, operation = [], ""
    for line in output.splitlines()[:-1]:  # the last: the run's summary
        if not line.startswith("  "):
            operation = line.partition(": ")[0]
            continue
        said.append(_from_line(f"{operation}: {line[2:]}"))
    return said


def _json(output: str) -> list[Said]:
    """Version 2: a finding in a case; the place its file and line, else its subject."""
    report = json.loads(output)
    assert report["version"] == 2
    said = []
    for case in report["results"]:
        for f in case["findings"]:
            file, line = f["file"] or case["file"], f["line"] or case["line"]
            place = f"{file}:{line}" if file else f["subject"]
            place += f":{f['column']}" if f["column"] else ""
            said.append(
                Said(f["kind"], f["keyword"], f["severity"], f["path"], f["message"], place)
            )
    return said


def _junit(output: str) -> list[Said]:
    """A failing testcase's body: its findings in the one text form; type the first's keyword."""
    said = []
    for verdict in ET.fromstring(output).iter("failure"):
        lines = [_from_line(line) for line in (verdict.text or "").splitlines()]
        assert lines and verdict.get("type") == lines[0].keyword
        assert verdict.get("message") == lines[0].message
        said += lines
    return said


def _sarif(output: str) -> list[Said]:
    """A result per finding: rule `kind/keyword`, level, `place: $.path: message`, the file
    and line in its physical location when there is one."""
    said = []
    for result in json.loads(output)["runs"][0]["results"]:
        kind, _, keyword = result["ruleId"].partition("/")
        found = _MESSAGE.match(result["message"]["text"])
        assert found, result
        place = found["place"]
        for location in result["locations"]:
            physical = location["physicalLocation"]
            region = physical["region"]
            at = f"{physical['artifactLocation']['uri']}:{region['startLine']}"
            at += f":{region['startColumn']}" if "startColumn" in region else ""
            assert place in (None, at), result  # a place in the message agrees with it
            place = at
        level = _LEVELS[result["level"]]
        said.append(Said(kind, keyword, level, found["path"], found["message"], place or ""))
    return said


def _unescape(text: str) -> str:
    for escaped, raw in (("%0A", "\n"), ("%0D", "\r"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, raw)
    return text


def _github(output: str) -> list[Said]:
    """`::error file=F,line=N,title=runconform KEYWORD::place: $.path: message`."""
    said = []
    for line in output.splitlines():
        if not line.startswith("::"):
            continue
        command, _, text = line[2:].partition("::")
        level, _, props = command.partition(" ")
        fields = dict(p.split("=", 1) for p in props.split(","))
        found = _MESSAGE.match(_unescape(text))
        assert found and fields["title"].startswith("runconform "), line
        place = found["place"]
        if "file" in fields:
            at = f"{_unescape(fields['file'])}:{fields['line']}"
            at += f":{fields['col']}" if "col" in fields else ""
            assert place in (None, at), line
            place = at
        keyword = _unescape(fields["title"]).removeprefix("runconform ")
        said.append(Said(None, keyword, _LEVELS[level], found["path"], found["message"], place))
    return said


PARSERS: dict[str, Callable[[str], list[Said]]] = {
    "text": _text,
    "terminal": _terminal,
    "json": _json,
    "junit": _junit,
    "sarif": _sarif,
    "github": _github,
}
OUTPUTS = [
    *(("validate", fmt) for fmt in ("text", "json", "junit", "github", "sarif")),
    *(("check", fmt) for fmt in ("json", "junit", "sarif")),
    *(("contract", fmt) for fmt in ("terminal", "text", "json", "junit", "github", "sarif")),
]


class _OneBody(BaseHTTPRequestHandler):
    """Answers BODY to every GET."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = json.dumps(BODY).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _run(*args: str) -> tuple[int, str]:
    """`runconform ARGS` in-process: (exit code, stdout)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue()


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[str, str], str]]:
    """Every output of the three commands on the body, by (command, format)."""
    folder = tmp_path_factory.mktemp("agree")
    (folder / RECORDING).write_text(json.dumps(BODY) + "\n")
    (folder / "api.json").write_text(json.dumps(API))
    found: dict[tuple[str, str], str] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        for fmt in ("text", "json", "junit", "github", "sarif"):
            code, found["validate", fmt] = _run(
                "validate", RECORDING, "--schema", SCHEMA, "--format", fmt
            )
            assert code == 1, (fmt, found["validate", fmt])
        code, _ = _run(
            *("check", RECORDING, "--vendor", "knock", "--schema", SCHEMA),
            *("--fixtures", "1", "--out", "out", "-q"),
        )
        assert code == 1
        for fmt, suffix in (("json", "json"), ("junit", "junit.xml"), ("sarif", "sarif")):
            found["check", fmt] = (folder / f"out/runconform-check.{suffix}").read_text()
        with on_loopback(ThreadingHTTPServer(("127.0.0.1", 0), _OneBody)) as url:
            code, found["contract", "terminal"] = _run(
                *("contract", "knock", "--base-url", url, "--contract", "api.json"),
                *(f"--expect=current={SCHEMA}", "--rate-limit", "0", "--max-examples", "1"),
                *("--report", "json,junit,sarif,github,text", "--report-dir", "reports"),
            )
        assert code == 1, found["contract", "terminal"]
        suffixes = {"json": "json", "junit": "junit.xml", "sarif": "sarif", "github": "github"}
        for fmt, suffix in {**suffixes, "text": "txt"}.items():
            found["contract", fmt] = (folder / f"reports/contract-knock.{suffix}").read_text()
    yield found


def test_the_body_fails_as_intended() -> None:
    """An enum and a required property: the findings every output must state."""
    keys = {(f.kind, f.keyword, f.pointer) for f in validate(BODY, SCHEMA).findings}
    assert keys == {("schema", "enum", "/status"), ("schema", "required", "")}


@pytest.mark.parametrize(("command", "fmt"), OUTPUTS, ids=[f"{c}-{f}" for c, f in OUTPUTS])
def test_every_output_says_what_validate_says_at_the_same_place(
    outputs: dict[tuple[str, str], str], command: str, fmt: str
) -> None:
    said = PARSERS[fmt](outputs[command, fmt])
    truth = validate(BODY, SCHEMA).findings
    expected = sorted((f.keyword, f.severity, f.path, f.message) for f in truth)
    assert sorted((s.keyword, s.severity, s.path, s.message) for s in said) == expected
    assert {s.kind for s in said} <= {None, "schema"}  # carried, it is "schema"
    if fmt in ("json", "sarif"):  # the formats that carry the kind
        assert {s.kind for s in said} == {"schema"}
    assert {(s.keyword, s.place) for s in said} == set(PLACE[command].items())
