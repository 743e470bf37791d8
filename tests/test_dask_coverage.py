"""`coverage --engine dask`: the recordings counted part by part on a Dask cluster, the
parts' counts merged in input order; the same report, byte for byte, as one pass.

The merge is checked on its own first (a planted corpus cut at several places, the parts
pickled as a worker sends them), then the command: one `LocalCluster` of two
single-threaded workers serves the module, reached with `--scheduler`.
"""

from __future__ import annotations

import gzip
import json
import pickle
import re
import shutil
import tempfile
from collections.abc import Iterator
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from conftest import example

pytest.importorskip("distributed", reason="the dask extra is not installed")

import conformance
from conformance.cli import main
from conformance.engines.cluster import local_cluster
from conformance.lifecycle.coverage import CoverageCount, coverage_of, coverage_of_records
from conformance.lifecycle.coverage_kinds import KIND_NAMES
from conformance.records import ReadProblem, Record, read_records

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = ROOT / "contracts" / "recordings"
XCEPTOR, KNOCK = "xceptor.WorkflowRun", "knock.WorkflowRecipientRun"
X_STATUSES = ("pending", "running", "completed", "failed", "cancelled", "DONE")
K_STATUSES = ("queued", "processing", "paused", "processing", "completed", "lost")


#: Declares the planted `DONE` an Xceptor run status: one more status declared, and seen.
ERRATA = """\
errata:
  - id: ours-done
    object: xceptor.WorkflowRun
    rationale: our runs say DONE
    evidence: the planted corpus
    patch:
      - {op: add, path: /properties/status/enum/-, value: DONE}
"""


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with local_cluster(2) as started:
        yield started


def _lines(count: int, pad: int = 0) -> list[str]:
    """Xceptor runs (with `pad` characters in their input parameters) (each seen again every 300 lines, its status moving on: direct
    transitions, skipped states, an undeclared status), now and then inside a list page;
    Knock runs whose `updated_at` sometimes goes back (late arrivals, ordered by time);
    two broken lines and bodies no vendor owns."""
    run, recipient = example(XCEPTOR), example(KNOCK)
    run["input_parameters"] = {**run.get("input_parameters", {}), "note": "n" * pad}
    lines = []
    for i in range(count):
        if i % 3:
            stage = (i // 300 + i % 7) % len(X_STATUSES)
            body = {**run, "id": f"run-{i % 300}", "status": X_STATUSES[stage]}
            if i % 97 == 1:
                body = {"data": [body, {**run, "id": "run-listed"}], "pagination": {"page": 1}}
            lines.append(json.dumps(body))
        else:
            minute = (i // 150) * (-1 if i % 11 == 0 else 1) + 30
            body = {
                **recipient,
                "id": f"k-{i % 150}",
                "status": K_STATUSES[(i // 150) % len(K_STATUSES)],
                "updated_at": f"2026-05-05T09:{minute % 60:02d}:00Z",
            }
            lines.append(json.dumps(body))
        if i in (count // 2, count - 5):
            lines.append("{broken")
        if i % 500 == 3:
            lines.append(json.dumps({"nobody": i}))
    return [line + "\n" for line in lines]


@cache
def _records() -> list[Record | ReadProblem]:
    """The planted corpus as one pass reads it (a list of records and a problem)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.jsonl"
        path.write_text("".join(_lines(900)), encoding="utf-8")
        return list(read_records([path]))


def _merged(parts: list[list[Record | ReadProblem]], **how: Any) -> Any:
    """The counts of `parts`, each counted as a worker counts it (a part, pickled), merged."""
    whole = CoverageCount(**how)
    for items in parts:
        part = CoverageCount(**how, part=True)
        for item in items:
            part.observe(item)
        whole.merge(pickle.loads(pickle.dumps(part)))
    return whole.report()


@pytest.mark.parametrize(
    ("cuts", "how"),
    [
        pytest.param((1,), {"identify": True}, id="first-record-alone"),
        pytest.param((450,), {"identify": True}, id="halves"),
        pytest.param((13, 300, 301, 700), {"identify": True}, id="mid-runs"),
        pytest.param((400, 800), {"identify": True, "vendor": "knock"}, id="one-vendor"),
        pytest.param((250,), {"schema": XCEPTOR}, id="one-schema"),
    ],
)
def test_counts_merged_in_order_are_one_pass(cuts: tuple[int, ...], how: dict[str, Any]) -> None:
    items = _records()
    edges = [0, *cuts, len(items)]
    one = coverage_of_records(items, **how)
    assert _merged([items[a:b] for a, b in pairwise(edges)], **how) == one
    for kind in one.kinds:  # every kind saw something to merge
        assert kind.seen or kind.undeclared or kind.message, (kind.vendor, kind.name)
    assert {k.name for k in one.kinds} == set(KIND_NAMES)
    assert len(one.problems) == 2  # the broken lines


def test_the_merge_is_associative() -> None:
    items = _records()
    a, b, c = items[:333], items[333:650], items[650:]
    how: dict[str, Any] = {"identify": True}

    def part(chunk: list[Record | ReadProblem]) -> CoverageCount:
        counted = CoverageCount(**how, part=True)
        for item in chunk:
            counted.observe(item)
        return counted

    left, right = part(a), part(b)
    left.merge(right)
    left.merge(part(c))
    tail = part(b)
    tail.merge(part(c))
    head = part(a)
    head.merge(tail)
    assert left.report() == head.report() == coverage_of_records(items, **how)
    transitions = head.report().kind("knock", "transitions")
    assert transitions.seen and transitions.undeclared  # direct, and skipped states


def test_folded_transitions_cannot_follow_other_counts() -> None:
    items = _records()
    whole, folded = CoverageCount(identify=True), CoverageCount(identify=True)
    for item in items:
        folded.observe(item)
    with pytest.raises(ValueError, match=r"only a part\(\) of transitions can follow"):
        whole.merge(folded)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A planted JSONL over 2 MiB (two units of work), its gzip and zstd copies, and a
    copy of the recordings with unreadable files in it."""
    top = tmp_path_factory.mktemp("coverage")
    data = "".join(_lines(1500, pad=1800)).encode()
    assert len(data) > 2 * 1024 * 1024
    (top / "planted.jsonl").write_bytes(data)
    (top / "planted.jsonl.gz").write_bytes(gzip.compress(data))
    zstandard = pytest.importorskip("zstandard", reason="the compressed extra")
    (top / "planted.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(data))
    shutil.copytree(RECORDINGS, top / "recordings")
    (top / "recordings" / "xceptor" / "broken.yaml").write_text("status: [unclosed\n")
    (top / "recordings" / "xceptor" / "empty.json").write_text("")
    (top / "recordings" / "knock" / "cut.har").write_text('{"log": {"entries": [')
    return top


def _coverage(
    *args: str, cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, bytes, str]:
    """Exit code, the report's bytes (written with --output) and stderr of one run."""
    monkeypatch.chdir(cwd)
    out = cwd / "out.report"
    code = main(["coverage", *args, "--output", str(out)])
    return code, out.read_bytes(), capsys.readouterr().err


GATE = ("--min-coverage", "statuses=100", "--min-coverage", "operations=10")


@pytest.mark.parametrize(
    ("inputs", "how", "fmt", "exit_code"),
    [
        pytest.param(("planted.jsonl",), ("--identify",), "text", 4, id="jsonl-text"),
        pytest.param(("planted.jsonl",), ("--identify",), "json", 4, id="jsonl-json"),
        pytest.param(("recordings",), ("--identify",), "text", 4, id="recordings-text"),
        pytest.param(("recordings",), ("--identify",), "json", 4, id="recordings-json"),
        pytest.param(("planted.jsonl.gz",), ("--identify", *GATE), "json", 4, id="gzip-gates"),
        pytest.param(
            ("planted.jsonl.zst",), ("--vendor", "knock", "--identify"), "text", 4, id="zstd"
        ),
        pytest.param(
            ("recordings", "planted.jsonl"), ("--schema", XCEPTOR), "json", 4, id="schema"
        ),
        pytest.param(("recordings/hatchet",), ("--identify", *GATE), "text", 1, id="gate-not-met"),
        pytest.param(("recordings/paragon",), ("--identify", "-q"), "json", 0, id="quiet"),
    ],
)
def test_the_same_bytes_as_one_process(
    inputs: tuple[str, ...],
    how: tuple[str, ...],
    exit_code: int,
    fmt: str,
    corpus: Path,
    client: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = (*inputs, *how, "--output-format", fmt)
    run = {"cwd": corpus, "monkeypatch": monkeypatch, "capsys": capsys}
    one = _coverage(*args, **run)
    dask = _coverage(*args, "--engine", "dask", "--scheduler", client.scheduler.address, **run)
    assert dask == one
    assert one[0] == exit_code
    assert (b"transitions" if fmt == "text" else b'"status"') in one[1]


def test_unreadable_inputs_are_the_same_problems_in_the_same_order(
    corpus: Path, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(corpus)
    paths = ["planted.jsonl", "recordings", "missing.jsonl"]
    one = coverage_of(paths, identify=True)
    assert conformance.coverage_on_dask(paths, client, identify=True, window=1) == one
    assert [str(p.locator) for p in one.problems] == [
        "planted.jsonl:754",
        "planted.jsonl:1501",
        "recordings/knock/cut.har:1",
        "recordings/xceptor/broken.yaml:2",
        "recordings/xceptor/empty.json",
        "missing.jsonl",
    ]


def test_user_errata_count_as_in_one_process(
    corpus: Path,
    client: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    errata = tmp_path / "ours.yaml"
    errata.write_text(ERRATA, encoding="utf-8")
    args = ("--errata", str(errata), "recordings", "--identify", "--output-format", "json")
    run = {"cwd": corpus, "monkeypatch": monkeypatch, "capsys": capsys}
    without = _coverage(*args[2:], **run)
    one = _coverage(*args, **run)
    dask = _coverage(*args, "--engine", "dask", "--scheduler", client.scheduler.address, **run)
    assert dask == one
    assert one[1] != without[1]  # the errata changed what is declared


def test_a_memory_url_as_in_one_process(corpus: Path, client: Any) -> None:
    """An fsspec URL is read by the client (a worker has no view of this process's
    `memory://`), and counted on the cluster: the same report as one process."""
    fsspec = pytest.importorskip("fsspec", reason="the remote extra")
    fs = fsspec.filesystem("memory")
    fs.pipe("/dask-coverage/planted.jsonl", (corpus / "planted.jsonl").read_bytes())
    fs.pipe("/dask-coverage/session.har", (RECORDINGS / "knock" / "session.har").read_bytes())
    try:
        paths = ["memory://dask-coverage/"]
        one = coverage_of(paths, identify=True)
        assert conformance.coverage_on_dask(paths, client, identify=True) == one
        assert one.records > 1500
    finally:
        fs.rm("/dask-coverage", recursive=True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--scheduler", "tcp://127.0.0.1:9"), "--scheduler needs --engine dask"),
        (("--jobs", "2"), "--jobs needs --engine dask (coverage on this machine is one process)"),
        (
            ("-j", "3", "--engine", "local"),
            "--jobs needs --engine dask (coverage on this machine is one process)",
        ),
    ],
)
def test_dask_flags_without_the_dask_engine_are_usage_errors(
    args: tuple[str, ...], message: str, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["coverage", str(corpus / "recordings"), "--identify", *args]) == 2
    assert capsys.readouterr() == ("", f"runconform: error: {message}\n")


def test_in_ci_a_dask_run_says_its_stage_as_one_process_does(
    corpus: Path, client: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same two lines on stderr (bytes counted as workers finish their units), the
    last one ending with the report's summary."""
    monkeypatch.setenv("CI", "true")
    run = {"cwd": corpus, "monkeypatch": monkeypatch, "capsys": capsys}
    _, _, one = _coverage("planted.jsonl", "--identify", **run)
    address = client.scheduler.address
    _, _, dask = _coverage(
        "planted.jsonl", "--identify", "--engine", "dask", "--scheduler", address, **run
    )
    size = (corpus / "planted.jsonl").stat().st_size
    summaries = []
    for err in (one, dask):
        started, finished = err.splitlines()
        assert started == f"runconform coverage: started ({size / 1e6:.1f} MB)"
        done = re.fullmatch(r"runconform coverage: finished in \d+\.\d s: (.+)", finished)
        assert done is not None, finished
        summaries.append(done.group(1))
    assert summaries[0] == summaries[1]
    assert summaries[0].startswith("coverage of knock, xceptor: 1,503 records read, 1,500 counted;")
