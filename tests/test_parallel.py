"""--jobs: many small blocks give the same results, indices and counts as one process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import example

import conformance.parallel as parallel
from conformance.findings import CleanRecords
from conformance.parallel import validate_paths

RUN = "xceptor.WorkflowRun"


@pytest.fixture
def recording(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(parallel, "BLOCK_BYTES", 4096)  # a few records per block
    good = example(RUN)
    lines = []
    for i in range(600):
        if i % 50 == 7:
            lines.append(json.dumps({**good, "status": "DONE"}))
        elif i == 300:
            lines.append("{broken")
        else:
            lines.append(json.dumps(good))
        if i % 90 == 0:
            lines.append("")  # blank lines are not records
    path = tmp_path / "runs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_each_record_in_order(recording: Path) -> None:
    one = list(validate_paths([recording, recording], schema=RUN, jobs=1))
    two = list(validate_paths([recording, recording], schema=RUN, jobs=2))
    assert two == one and len(one) == 1200


def test_counting_clean_records(recording: Path) -> None:
    one = list(validate_paths([recording, recording], schema=RUN, jobs=1))
    counted = list(validate_paths([recording, recording], schema=RUN, jobs=2, clean="count"))
    findings = [r for r in counted if not isinstance(r, CleanRecords)]
    assert findings == [r for r in one if r.findings]
    clean = sum(r.count for r in counted if isinstance(r, CleanRecords))
    assert clean == sum(1 for r in one if not r.findings)
