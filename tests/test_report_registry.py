"""Every writer in the registry, for a streaming command (validate) and a whole run (check).

Each produces a document its consumer parses; and for one failing recording, the JSON,
JUnit, SARIF, GitHub and text outputs of `validate` agree finding by finding on kind,
severity, location (file, line, path) and message.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import sarif_errors

from conformance.records import Locator
from conformance.report.cases import Header, Summary, record_case
from conformance.report.files import write_report
from conformance.report.findings import Finding, ValidationResult
from conformance.report.model import Provenance, Report, StageResult, Tally
from conformance.report.writers import WRITERS, streaming_formats

ENUM = Finding("error", "schema", "enum", "/status", '"DONE" is not one of: "QUEUED"')
ORDER = Finding("warning", "invariant", "time-order", "/finishedAt", "finished before started")
RESULTS = [
    ValidationResult("hatchet.V1WorkflowRun", "corrected", (), Locator("runs.jsonl", 0, 1, "")),
    ValidationResult(
        "hatchet.V1WorkflowRun", "corrected", (ENUM, ORDER), Locator("runs.jsonl", 1, 2, "")
    ),
]


def validate_output(fmt: str) -> str:
    out = io.StringIO()
    writer = WRITERS[fmt](out)
    writer.begin(Header("validate"))
    summary = Summary()
    for result in RESULTS:
        summary.add(result)
        writer.case(record_case(result))
    writer.end(summary.outcome())
    return out.getvalue()


def check_report() -> Report:
    lint = Finding(
        "warning", "lint", "missing-type", "/a", "no type", "", "x.Y", "lint", "schemas/x/Y.json"
    )
    record = Finding(
        "error", "schema", "enum", "/status", "bad", "", "x.Y", "validate", "r.jsonl", 2
    )
    op = Finding(
        "error", "contract", "network", "", "refused", subject="GET /runs/{id}", stage="contract"
    )
    stages = (
        StageResult("lint", "Lint", "passed", 0.1, (Tally("x.Y", 1, 0, "x"),), (lint,)),
        StageResult(
            "validate",
            "Validate",
            "failed",
            0.2,
            (Tally("x.Y", 1, 1, "x"),),
            (record,),
            exit_code=1,
        ),
        StageResult("fixtures", "Fixtures", "skipped", 0.0, message="not asked"),
        StageResult(
            "contract",
            "Contract",
            "failed",
            0.3,
            (Tally("GET /runs/{id}", 0, 1, "x"), Tally("GET /runs", 0, 1, "x", 1)),
            (op,),
            exit_code=1,
        ),
    )
    return Report("0", "2026-01-01T00:00:00Z", 0.6, 1, stages, Provenance("corrected", "0" * 64))


def check_output(fmt: str) -> str:
    out = io.StringIO()
    write_report(check_report(), fmt, out)
    return out.getvalue()


def parsed(fmt: str, text: str, sarif_validator: Any) -> None:
    """Parse `text` as its format's consumer would; fail if it cannot."""
    if fmt in ("json", "sarif"):
        data = json.loads(text)
        if fmt == "sarif":
            assert sarif_errors(sarif_validator, data) == []
        else:
            assert data["version"] == 2
    elif fmt == "junit":
        from junitparser import JUnitXml

        assert list(JUnitXml.fromstring(text))
        ET.fromstring(text)
    elif fmt == "html":
        HTMLParser().feed(text)
        assert text.startswith("<!DOCTYPE html>")
    else:  # text, github, markdown: lines
        assert text.endswith("\n") or fmt == "markdown"


@pytest.mark.parametrize("fmt", streaming_formats())
def test_every_streaming_writer_writes_a_validate_document(fmt: str, sarif_validator: Any) -> None:
    parsed(fmt, validate_output(fmt), sarif_validator)


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_every_writer_writes_a_check_document(fmt: str, sarif_validator: Any) -> None:
    parsed(fmt, check_output(fmt), sarif_validator)


def test_check_junit_has_a_suite_per_stage_and_a_case_per_subject() -> None:
    from junitparser import JUnitXml

    suites = list(JUnitXml.fromstring(check_output("junit")))
    assert [s.name for s in suites] == [
        f"runconform check: {n}" for n in ("lint", "validate", "fixtures", "contract")
    ]
    contract = suites[-1]
    assert (contract.tests, contract.failures) == (2, 2)  # a network error, an untested operation


# -- one failing recording: every validate output tells the same findings ----------------------

RECORD = {"id": "x", "status": "done"}


def _validate_cli(tmp_path: Path, fmt: str) -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "conformance",
            "validate",
            "runs.jsonl",
            "--schema",
            "xceptor.WorkflowRun",
            "--format",
            fmt,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**_env(), "NO_COLOR": "1"},
    )
    assert done.returncode == 1, done.stderr
    return done.stdout


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


def test_validate_outputs_agree_on_each_finding(tmp_path: Path) -> None:
    good = json.loads(
        (Path(__file__).parent / "data/examples/xceptor.WorkflowRun.json").read_text()
    )
    (tmp_path / "runs.jsonl").write_text(
        json.dumps(good) + "\n" + json.dumps({**good, "status": "exploded"}) + "\n"
    )
    out = {
        fmt: _validate_cli(tmp_path, fmt) for fmt in ("json", "junit", "sarif", "github", "text")
    }
    # (kind, severity, file, line, column, path, message) from each: the value's place
    from_json = [
        (f["kind"], f["severity"], f["file"], f["line"], f["column"], f["path"], f["message"])
        for r in json.loads(out["json"])["results"]
        for f in r["findings"]
        if f["severity"] != "info"
    ]
    column = (tmp_path / "runs.jsonl").read_text().splitlines()[1].index('"exploded"') + 1
    assert from_json and from_json[0][:5] == ("schema", "error", "runs.jsonl", 2, column)
    sarif = json.loads(out["sarif"])["runs"][0]["results"]
    from_sarif = [
        (
            r["ruleId"].split("/")[0],
            {"note": "info"}.get(r["level"], r["level"]),
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
            *r["message"]["text"].split(": ", 1),
        )
        for r in sarif
        if r["level"] != "note"
    ]
    assert from_sarif == from_json
    line = re.compile(r"^(.*?):(\d+):(\d+): (\$[^:]*): (error|warning): (.*) \[([^\]]+)\]$")
    from_text = []
    for text in out["text"].splitlines()[:-1]:
        file, number, col, path, severity, message, _keyword = line.match(text).groups()  # type: ignore[union-attr]
        from_text.append((severity, file, int(number), int(col), path, message))
    assert from_text == [(s, f, n, c, p, m) for _, s, f, n, c, p, m in from_json]
    gh = re.compile(
        r"^::(error|warning) file=([^,]*),line=(\d+),col=(\d+),endLine=\d+,"
        r"title=runconform [^:]*::(\$[^:]*): (.*)$"
    )
    from_github = [gh.match(t).groups() for t in out["github"].splitlines()[:-1]]  # type: ignore[union-attr]
    assert from_github == [(s, f, str(n), str(c), p, m) for _, s, f, n, c, p, m in from_json]
    from junitparser import JUnitXml

    cases = [c for suite in JUnitXml.fromstring(out["junit"]) for c in suite]
    failing = [c for c in cases if c.result]
    assert len(failing) == 1 and failing[0].name == "runs.jsonl:2"
    body = failing[0].result[0].text.splitlines()
    errors = [(s, f, n, c, p, m) for _, s, f, n, c, p, m in from_json if s == "error"]
    assert [line.match(b).groups()[:6] for b in body] == [  # type: ignore[union-attr]
        (f, str(n), str(c), p, s, m) for s, f, n, c, p, m in errors
    ]
