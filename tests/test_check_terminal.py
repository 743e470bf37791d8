"""What `runconform check` shows on the terminal: after the table, the worst findings of
each stage (bounded), and which report holds the rest; the bundle's own lint notes apart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import example

from conformance.check.highlights import highlights
from conformance.report.findings import Finding
from conformance.report.model import Provenance, Report, StageResult

QUICK = ("--fixtures", "1", "--vendor", "knock")
ENUM = '"queued", "processing", "paused", "completed", "cancelled"'


def _check(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "conformance", "check", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def _after_table(stdout: str) -> list[str]:
    """The lines between the summary table and the `wrote ...` lines."""
    lines = stdout.splitlines()
    end = max(i for i, line in enumerate(lines) if line.startswith("└"))
    first_wrote = next(i for i, line in enumerate(lines) if line.startswith("wrote "))
    return lines[end + 1 : first_wrote]


def _runs(tmp_path: Path, statuses: list[str]) -> None:
    run = example("knock.WorkflowRecipientRun")
    lines = [json.dumps({**run, "status": s}) for s in statuses]
    (tmp_path / "runs.jsonl").write_text("\n".join(lines) + "\n")


def test_a_failing_check_prints_the_worst_findings_and_where_the_rest_are(
    tmp_path: Path,
) -> None:
    _runs(tmp_path, ["completed", "exploded", "a", "b", "c", "d", "e", "f"])
    done = _check(*QUICK, "runs.jsonl", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    run = example("knock.WorkflowRecipientRun")
    column = {
        v: json.dumps({**run, "status": v}).index(f'"{v}"') + 1
        for v in ("exploded", "a", "b", "c", "d")
    }
    lines = [  # each at the bad value: line and column
        f'  runs.jsonl:{n}:{column[v]}: $.status: error: "{v}" is not one of: {ENUM} [enum]'
        for n, v in ((2, "exploded"), (3, "a"), (4, "b"), (5, "c"), (6, "d"))
    ]
    assert _after_table(done.stdout) == [
        "validate: 7 errors",
        *lines,
        "  and 2 more, see reports/runconform-check.json",
    ]


def test_a_passing_check_prints_only_the_bundle_notes(tmp_path: Path) -> None:
    _runs(tmp_path, ["completed"])
    done = _check("--fixtures", "1", "runs.jsonl", "--report-dir", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert _after_table(done.stdout) == [
        "lint: 9 notes about the bundled schemas (not your files), see out/runconform-check.json"
    ]


def test_quiet_prints_no_table_and_no_findings(tmp_path: Path) -> None:
    _runs(tmp_path, ["exploded"])
    done = _check(*QUICK, "-q", "runs.jsonl", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""


def _finding(severity: str, kind: str = "schema", n: int = 0) -> Finding:
    return Finding(severity, kind, "enum", f"/{n}", f"{severity} {n}")  # type: ignore[arg-type]


def test_errors_come_before_warnings_and_bundle_notes_stay_apart() -> None:
    lint = (_finding("warning", "lint", 1), _finding("info", "lint", 2), _finding("error", "lint"))
    validate = (
        _finding("info", n=1),
        _finding("warning", n=2),
        _finding("error", n=3),
        _finding("warning", n=4),
        _finding("error", n=5),
    )
    report = Report(
        "0",
        "now",
        0.0,
        1,
        (
            StageResult("lint", "Lint", "failed", 0.0, findings=lint),
            StageResult("validate", "Validate", "failed", 0.0, findings=validate),
            StageResult("fixtures", "Fixtures", "passed", 0.0),
        ),
        Provenance("corrected", ""),
    )
    chosen = highlights(report, limit=3)
    assert [s.stage for s in chosen.stages] == ["lint", "validate"]
    lint_part, validate_part = chosen.stages
    assert lint_part.shown == (lint[2],)  # a lint error is the bundle failing: shown
    assert (lint_part.bundle_notes, lint_part.more) == (2, 0)
    assert validate_part.shown == (validate[2], validate[4], validate[1])
    assert (validate_part.more, validate_part.errors, validate_part.warnings) == (2, 2, 2)
