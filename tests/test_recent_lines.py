"""Failing JSONL lines are placed from the text already read, in bounded memory.

The reader keeps the text of lines that may fail (`remember_line`) so that placing
their findings reads no file; with `--jobs`, the workers send those lines back with
their verdicts. What is kept is bounded in lines and in bytes, and a line no longer
kept is placed by reading the file, at the same place.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.engines.processes import validate_paths
from conformance.records import positions
from conformance.report.findings import ValidationResult
from conformance.report.placement import placed
from conformance.validation.options import ValidationOptions

SCHEMA = "xceptor.WorkflowRun"
GOOD = {
    "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "workflow_id": "3fa85f64-5717-4562-b3fc-2c963f66afa7",
    "status": "completed",
    "started_at": "2026-01-01T00:00:00Z",
    "completed_at": "2026-01-01T00:00:01Z",
}


def _file(tmp_path: Path, lines: int, bad_every: int, pad: int = 0) -> Path:
    path = tmp_path / "runs.jsonl"
    with path.open("w") as out:
        for i in range(lines):
            run = dict(GOOD, note="x" * pad) if pad else dict(GOOD)
            if i % bad_every == 0:
                run["status"] = "exploded"
            out.write(json.dumps(run) + "\n")
    return path


def _places(path: Path, jobs: int) -> list[tuple[int | None, int | None]]:
    opts = ValidationOptions(invariants=False, drift=False)
    places = []
    for result in validate_paths([path], schema=SCHEMA, options=opts, jobs=jobs, clean="count"):
        if isinstance(result, ValidationResult) and result.findings:
            places += [(f.line, f.column) for f in placed(result).findings]
    return places


@pytest.fixture(autouse=True)
def _fresh() -> None:
    positions.forget_lines(str(Path("/nonexistent")))
    positions._RECENT.clear()
    positions._recent_size = 0


def test_with_jobs_the_lines_come_back_with_the_verdicts(tmp_path: Path) -> None:
    path = _file(tmp_path, 300, 7)
    one = _places(path, 1)
    positions._RECENT.clear()
    positions._recent_size = 0
    while positions._CACHE:
        positions._CACHE.pop().close()
    two = _places(path, 2)
    assert two == one and len(one) == 43
    assert all(column == json.dumps(GOOD).index('"completed"') + 1 for _, column in one)
    assert positions._CACHE == []  # placed from the lines sent back: the file never reopened


def test_kept_text_is_bounded_in_bytes_and_placing_still_finds_the_rest(tmp_path: Path) -> None:
    path = _file(tmp_path, 40, 1, pad=600_000)  # 40 failing lines of ~600 KB
    places = _places(path, 1)
    assert len(places) == 40
    assert places == [(line, places[0][1]) for line in range(1, 41)]
    assert positions._recent_size <= positions._RECENT_BYTES
    assert sum(map(len, positions._RECENT.values())) == positions._recent_size
    assert len(positions._RECENT) < 40
    assert (str(path), 1) not in positions._RECENT  # long dropped: placed from the file
    opts = ValidationOptions(invariants=False, drift=False)
    first = next(iter(validate_paths([path], schema=SCHEMA, options=opts, clean="count")))
    assert isinstance(first, ValidationResult)
    positions.forget_lines(str(path))
    assert [(f.line, f.column) for f in placed(first).findings] == [places[0]]
