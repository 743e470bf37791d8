"""--jobs: many small blocks give the same results, indices and counts as one process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import example

import conformance.engines.units as units
from conformance.engines.processes import validate_paths
from conformance.report.findings import CleanRecords

RUN = "xceptor.WorkflowRun"


@pytest.fixture
def recording(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(units, "BLOCK_BYTES", 4096)  # a few records per block
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


# -- what a run is cut into: a worker is sent names where it can read them itself ------------


def _kinds(units_: list[object]) -> list[str]:
    """Each unit as a word: `range` (a block named by byte range), `bytes` (a block that
    carries its bytes), `file` (a whole file, by name), `records` (decoded here)."""
    from conformance.engines.blocks import DocumentFile
    from conformance.records.documents import LineBlock

    def kind(unit: object) -> str:
        if isinstance(unit, DocumentFile):
            return f"file {unit.path.rsplit('/', 1)[1]}"
        if isinstance(unit, LineBlock):
            return "bytes" if unit.data else "range"
        return "records"

    return [kind(unit) for unit in units_]


def test_file_units_send_names_where_a_worker_can_read_them(tmp_path: Path) -> None:
    import gzip

    pytest.importorskip("fsspec", reason="the remote extra")
    import fsspec

    line = (json.dumps(example(RUN)) + "\n").encode()
    (tmp_path / "a.jsonl").write_bytes(line)
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(line))
    (tmp_path / "c.har").write_text(json.dumps({"log": {"entries": []}}))
    memory = fsspec.filesystem("memory")
    memory.pipe("/units-test/m.jsonl", line)
    try:
        table = {
            str(tmp_path): ["range", "file b.jsonl.gz", "file c.har"],
            f"file://{tmp_path}": ["file a.jsonl", "file b.jsonl.gz", "file c.har"],
            f"file://{tmp_path}/a.jsonl": ["file a.jsonl"],
            "memory://units-test/": ["bytes"],  # this process's memory: read here
        }
        for given, expected in table.items():
            assert _kinds(list(units.file_units([given], None))) == expected, given
    finally:
        memory.rm("/units-test", recursive=True)


@pytest.mark.parametrize(
    ("url", "readable"),
    [
        ("file:///data/runs.jsonl.gz", True),
        ("s3://bucket/runs/2026-11/part-0001.jsonl.zst", True),
        ("simplecache::s3://bucket/runs.jsonl", True),
        ("memory://bucket/runs.jsonl", False),  # another process has its own memory
        ("s3://KEY:SECRET@bucket/runs.jsonl", False),  # credentials never travel
        ("https://host/runs.jsonl?token=abc", False),
    ],
)
def test_only_urls_without_secrets_are_sent_to_workers(url: str, readable: bool) -> None:
    assert units.worker_readable(url) is readable
