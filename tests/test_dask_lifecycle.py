"""`validate --engine dask --lifecycle`: the runs followed on a Dask cluster, grouped by run
identity; the same result, and the same bytes out, as one process.

One `LocalCluster` of two single-threaded workers serves the module (the CLI reaches it
with `--scheduler`). The corpus: Knock runs (put in time order by their own `updated_at`)
and Hatchet and Xceptor runs (file order), each observed four times a quarter of a file
apart, so that a run's observations are in several units of work; with every kind of
lifecycle break planted, runs left queued (`--stuck-after`), and runs whose recording is
split over two files given latest first.
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import example, validate_in_a_process

pytest.importorskip("distributed", reason="the dask extra is not installed")

import conformance
import conformance.engines.units as units
from conformance.engines.cluster import local_cluster
from conformance.lifecycle.check import check_lifecycle
from conformance.lifecycle.on_dask import bucket_of, check_lifecycle_on_dask, observe_unit
from conformance.records.documents import LineBlock

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = ROOT / "contracts" / "recordings"
#: late.jsonl (later rounds) given before early.jsonl; both after runs.jsonl, whose first
#: 200 runs they observe again (the same bodies again, some arriving late)
ALL = ("runs.jsonl", "late.jsonl", "early.jsonl")
RUNS = 450
PAD = "n" * 1500  # free-form input: fewer, longer lines fill the units
ROUNDS = 4
START = datetime(2026, 11, 20, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with local_cluster(2) as started:
        yield started


def _at(minutes: float) -> str:
    return (START + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _knock(i: int, r: int) -> dict[str, Any]:
    """Round `r` of Knock run `i`: queued, processing, completed, completed."""
    body = {
        **example("knock.WorkflowRecipientRun"),
        "id": f"k-{i:05d}-0f8fad5b-d9cb-469f",
        "status": ("queued", "processing", "completed", "completed")[r],
        "updated_at": _at(i + r),
        "error_count": r,
    }
    plant = i % 97
    if plant == 3 and r == 3:
        body["status"] = "processing"  # terminal-changed
    if plant == 5 and r == 2:
        body["inserted_at"] = _at(-5)  # fixed-changed
    if plant == 7 and r == 3:
        body["error_count"] = 0  # counter-decreased
    if plant == 9 and r == 1:
        body["updated_at"] = _at(i - 1)  # arrives after a later one: compared in time order
    if plant == 11:
        body["status"] = "queued"  # never starts: stuck past --stuck-after
    return body


def _hatchet(i: int, r: int) -> dict[str, Any]:
    """Round `r` of Hatchet run `i` (file order): queued, running, running, completed."""
    body = example("hatchet.V1WorkflowRun")
    body["metadata"] = {**body["metadata"], "id": f"h-{i:05d}", "updatedAt": _at(i + r)}
    body["input"] = {**body["input"], "notes": PAD}
    body["status"] = ("QUEUED", "RUNNING", "RUNNING", "COMPLETED")[r]
    plant = i % 89
    if plant == 4 and r == 2:
        body["metadata"]["updatedAt"] = _at(i - 10)  # moved-backwards
    if plant == 6 and r == 1:
        body["status"] = "COMPLETED"  # then RUNNING: terminal-changed
    return body


def _xceptor(i: int, r: int) -> dict[str, Any]:
    """Round `r` of Xceptor run `i` (file order): pending, running, running, failed."""
    body = {**example("xceptor.WorkflowRun"), "id": f"x-{i:05d}"}
    body["input_parameters"] = {**body["input_parameters"], "notes": PAD}
    body["status"] = ("pending", "running", "running", "failed")[r]
    if i % 83 == 2 and r == 2:
        body["status"] = "pending"  # transition: running -> pending
    return body


MAKERS = (_knock, _hatchet, _xceptor)


def _lines(runs: int, rounds: range) -> bytes:
    """Every run's observations of each round in turn: a run's are a round's length apart."""
    lines = [
        json.dumps(MAKERS[i % 3](i, r), separators=(",", ":")) for r in rounds for i in range(runs)
    ]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """runs.jsonl (about 2.6 MB: two units of 2 MiB), its gzip, a recording split over
    two files (late.jsonl holds the last two rounds and is given before early.jsonl),
    and the bundled recordings with the Knock session's cancelled run made to resume."""
    top = tmp_path_factory.mktemp("lifecycle")
    (top / "runs.jsonl").write_bytes(_lines(RUNS, range(ROUNDS)))
    (top / "runs.jsonl.gz").write_bytes(gzip.compress((top / "runs.jsonl").read_bytes()))
    (top / "late.jsonl").write_bytes(_lines(200, range(2, ROUNDS)))
    (top / "early.jsonl").write_bytes(_lines(200, range(2)))
    shutil.copytree(RECORDINGS, top / "recordings")
    session = json.loads((RECORDINGS / "knock" / "session.har").read_text(encoding="utf-8"))
    content = session["log"]["entries"][5]["response"]["content"]
    content["text"] = json.dumps({**json.loads(content["text"]), "status": "processing"})
    (top / "recordings" / "knock" / "broken.har").write_text(json.dumps(session))
    return top


_cli = validate_in_a_process


@pytest.mark.parametrize(
    ("inputs", "how", "fmt"),
    [
        pytest.param(ALL, ("--identify", "--stuck-after", "60"), "text", id="jsonl-split-text"),
        pytest.param(ALL, ("--identify", "--stuck-after", "60"), "json", id="jsonl-split-json"),
        pytest.param(("recordings",), ("--identify",), "text", id="recordings-text"),
        pytest.param(("recordings",), ("--identify",), "json", id="recordings-json"),
    ],
)
def test_the_same_bytes_as_one_process(
    inputs: tuple[str, ...], how: tuple[str, ...], fmt: str, corpus: Path, client: Any
) -> None:
    args = (*inputs, *how, "--lifecycle", "--output-format", fmt)
    one = _cli(*args, cwd=corpus)
    dask = _cli(*args, "--engine", "dask", "--scheduler", client.scheduler.address, cwd=corpus)
    assert dask == one
    assert one[0] == 1
    found = {kind for kind in KINDS if (f"[{kind}]" if fmt == "text" else f'"{kind}"') in one[1]}
    assert found == ({"terminal-changed"} if inputs == ("recordings",) else set(KINDS))


KINDS = (
    "terminal-changed",
    "transition",
    "fixed-changed",
    "moved-backwards",
    "counter-decreased",
    "stuck",
)


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(units, "BLOCK_BYTES", 65_536)  # tens of units of work


@pytest.mark.parametrize(
    ("inputs", "how"),
    [
        pytest.param(("late.jsonl", "early.jsonl"), {"identify": True}, id="split-late-first"),
        pytest.param(("recordings",), {"identify": True}, id="recordings"),
        pytest.param(("recordings/knock",), {"vendor": "knock"}, id="recordings-knock"),
    ],
)
@pytest.mark.parametrize(("buckets", "window"), [(None, None), (1, 1), (5, 3)])
def test_the_same_result_as_check_lifecycle(
    inputs: tuple[str, ...],
    how: dict[str, Any],
    buckets: int | None,
    window: int | None,
    corpus: Path,
    client: Any,
    small_blocks: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Split over any number of buckets, any number of units at a time: the same result."""
    monkeypatch.chdir(corpus)
    one = check_lifecycle(inputs, **how)
    dask = check_lifecycle_on_dask(inputs, client, buckets=buckets, window=window, **how)
    assert dask == one
    assert one.failing


def test_a_gzip_file_as_in_one_process(corpus: Path, client: Any) -> None:
    """The large JSONL gzip-compressed: read by the client, its blocks shipped as bytes."""
    paths = [corpus / "runs.jsonl.gz"]
    one = check_lifecycle(paths, identify=True, stuck_after=60)
    assert check_lifecycle_on_dask(paths, client, identify=True, stuck_after=60) == one
    assert len(one.runs) == RUNS and one.observations == RUNS * ROUNDS
    assert {f.keyword for run in one.failing for f in run.findings} == set(KINDS)


@pytest.mark.parametrize(
    ("rows", "ordered_by"),
    [
        pytest.param(
            ("k0", "h0", "k1", "h1"),
            ("the run's own $.updated_at", "file order"),
            id="time-first",
        ),
        pytest.param(
            ("h0", "k0", "h1", "k1"),
            ("file order", "the run's own $.updated_at"),
            id="file-order-first",
        ),
        pytest.param(
            ("k1", "k0", "h0", "h1"),  # the Knock pair is made in `finish` (a late arrival)
            ("file order", "the run's own $.updated_at"),
            id="late-arrival-last",
        ),
    ],
)
@pytest.mark.parametrize("buckets", [1, 2, 3, 4])
def test_ways_of_ordering_with_as_many_pairs_are_listed_as_one_process_lists_them(
    rows: tuple[str, ...],
    ordered_by: tuple[str, ...],
    buckets: int,
    tmp_path: Path,
    client: Any,
) -> None:
    """One pair each: `most_common` keeps them in the order they were first used, which
    the cluster must rebuild whatever buckets the two runs fall in."""
    make = {"k": _knock, "h": _hatchet}
    path = tmp_path / "tie.jsonl"
    path.write_text("".join(json.dumps(make[row[0]](0, int(row[1]))) + "\n" for row in rows))
    one = check_lifecycle([path], identify=True)
    assert tuple(how for how, _ in one.ordered_by) == ordered_by
    assert [n for _, n in one.ordered_by] == [1, 1]
    assert check_lifecycle_on_dask([path], client, identify=True, buckets=buckets) == one


def test_the_late_half_of_a_split_recording_is_put_in_time_order(corpus: Path, client: Any) -> None:
    """late.jsonl comes first: its Knock runs are first seen there, and the pairs with
    early.jsonl are still compared earliest first (no finding for the order alone)."""
    paths = [corpus / "late.jsonl", corpus / "early.jsonl"]
    result = check_lifecycle_on_dask(paths, client, identify=True)
    assert result == check_lifecycle(paths, identify=True)
    run = next(r for r in result.runs if r.run_id.startswith("k-00000"))
    assert run.first == f"{corpus / 'late.jsonl'}:1"
    assert run.findings == ()


def test_a_memory_url_as_in_one_process(corpus: Path, client: Any) -> None:
    """An fsspec URL is read by the client and followed on the cluster."""
    fsspec = pytest.importorskip("fsspec", reason="the remote extra")
    fs = fsspec.filesystem("memory")
    fs.pipe("/dask-lifecycle/a.jsonl", (corpus / "late.jsonl").read_bytes())
    fs.pipe("/dask-lifecycle/b.jsonl", (corpus / "early.jsonl").read_bytes())
    fs.pipe("/dask-lifecycle/session.har", (RECORDINGS / "knock" / "session.har").read_bytes())
    try:
        paths = ["memory://dask-lifecycle/"]
        one = check_lifecycle(paths, identify=True)
        dask = conformance.check_lifecycle_on_dask(paths, client, identify=True)
        assert dask == one
        assert one.observations == 200 * ROUNDS + 19  # the JSONL's, and the HAR's
    finally:
        fs.rm("/dask-lifecycle", recursive=True)


def test_a_unit_is_split_by_run_on_the_worker(corpus: Path) -> None:
    """What a worker sends for one unit: its observations in buckets by a hash of the
    run key that every process computes alike; each run in one bucket only."""
    from conformance.lifecycle.on_dask import Following

    data = _lines(30, range(ROUNDS))
    block = LineBlock("runs.jsonl", 1, 0, data)
    buckets = [b.observations for b in observe_unit(block, None, 3, Following(None, None, True, 4))]
    assert sum(map(len, buckets)) == 30 * ROUNDS
    seqs = [seen.seq for bucket in buckets for seen in bucket]
    assert sorted(seqs) == [3 * 2**32 + k for k in range(30 * ROUNDS)]
    for p, bucket in enumerate(buckets):
        assert {bucket_of(seen.key, 4) for seen in bucket} == {p}
        assert [seen.seq for seen in bucket] == sorted(seen.seq for seen in bucket)
    assert (
        bucket_of(("knock.WorkflowRecipientRun", "k-00000"), 4) == 3
    )  # CRC-32: the same in every process
