"""--jobs: many small blocks give the same results, indices and counts as one process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import example

import conformance.engines.processes as parallel
from conformance.engines.processes import validate_paths
from conformance.report.findings import CleanRecords

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
        elif i % 50 == 11:  # an invariant broken: 42 s of run said to be 1 ms
            lines.append(json.dumps({**good, "duration_ms": 1}))
        elif i % 50 == 13:  # drift: a field the schema does not document
            lines.append(json.dumps({**good, "tenant": "x"}))
        elif i % 50 == 17:  # a lone surrogate: only the pure-Python engine takes it
            lines.append(json.dumps({**good, "triggered_by": "\ud800"}))
        elif i == 400:  # longer than a block: the rest of the file is cut the carrying way
            lines.append(json.dumps({**good, "notes": "x" * 6000}))
        else:
            lines.append(json.dumps(good))
        if i % 90 == 0:
            lines.append("")  # blank lines are not records
    data = "\n".join(lines).encode() + b"\n"
    data = data.replace(b'"load-trades"', b'"load-\xfftrades"', 1)  # invalid UTF-8 in line 1
    path = tmp_path / "runs.jsonl"
    path.write_bytes(data)
    return path


def test_each_record_in_order(recording: Path) -> None:
    one = list(validate_paths([recording, recording], schema=RUN, jobs=1))
    two = list(validate_paths([recording, recording], schema=RUN, jobs=2))
    assert two == one and len(one) == 1200


@pytest.mark.parametrize("jobs", [1, 2])
def test_counting_clean_records(recording: Path, jobs: int) -> None:
    one = list(validate_paths([recording, recording], schema=RUN, jobs=1))
    counted = list(validate_paths([recording, recording], schema=RUN, jobs=jobs, clean="count"))
    kinds = {f.kind for r in one for f in r.findings} | {f.keyword for r in one for f in r.findings}
    assert {"schema", "invariant", "drift", "invalid-utf8"} <= kinds  # every way off the fast lane
    findings = [r for r in counted if not isinstance(r, CleanRecords)]
    assert findings == [r for r in one if r.findings]
    clean = sum(r.count for r in counted if isinstance(r, CleanRecords))
    assert clean == sum(1 for r in one if not r.findings)


def test_blocks_by_reference_until_a_line_outgrows_a_block(recording: Path) -> None:
    from conformance.records import read_units
    from conformance.records.documents import load_block

    blocks = list(read_units(recording, block_size=4096, by_reference=True))
    named = [b for b in blocks if b.length]
    assert named and blocks[: len(named)] == named  # named first, carried after the long line
    assert any(b.data for b in blocks)
    carried = list(read_units(recording, block_size=4096))
    assert b"".join(load_block(b).data for b in named) == b"".join(
        b.data for b in carried if b.offset < blocks[len(named)].offset
    )


def test_a_file_that_shrinks_under_a_worker_is_a_read_problem(tmp_path: Path) -> None:
    from conformance.records import ReadProblem
    from conformance.records.documents import LineBlock, load_block

    path = tmp_path / "runs.jsonl"
    path.write_bytes(b"{}\n" * 10)
    problem = load_block(LineBlock(str(path), 5, 12, b"", length=30))
    assert isinstance(problem, ReadProblem)
    assert problem.message == "the file changed while it was read (at byte offset 12)"
