"""`drift --engine dask`: the corpus profiled part by part on a Dask cluster, the parts
merged in input order; the same report, byte for byte, as one pass.

The merge is checked on its own first (the planted corpus cut at several places, the
profiles pickled as a worker sends them), then the command: one `LocalCluster` of two
single-threaded workers serves the module, reached with `--scheduler`, with JSONL blocks
made small so that a file is many units.
"""

from __future__ import annotations

import pickle
import re
import shutil
from collections.abc import Iterator
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from drift_corpus import PLANTS, planted_lines, planted_records

pytest.importorskip("distributed", reason="the dask extra is not installed")

import conformance.engines.units as units
from conformance.cli import main
from conformance.drift.on_dask import drift_on_dask
from conformance.drift.profile import UNCAPPED, CorpusProfile, drift_of, drift_of_records
from conformance.engines.cluster import local_cluster
from conformance.records import Locator, Record

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = ROOT / "contracts" / "recordings"
HATCHET, KNOCK = sorted(PLANTS)
N = 400  # records of each planted object


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with local_cluster(2) as started:
        yield started


@cache
def _corpus() -> list[Record]:
    """Both planted objects, and undocumented values of mixed types and shapes (GenSON's
    schemas must merge as one pass builds them)."""
    payloads = [*planted_records(HATCHET, N), *planted_records(KNOCK, N)]
    mixed: list[Any] = [1, 2.5, "x", None, {"a": 1}, {"a": "b", "c": [1]}, [1, "two"], True]
    for i, value in enumerate(mixed):
        payloads[3 * i + 1] = {**payloads[3 * i + 1], "region": value, f"extra{i}": i}
    return [
        Record(Locator("c.jsonl", i, i + 1, f"line {i + 1}"), p) for i, p in enumerate(payloads)
    ]


def _merged(parts: list[list[Record]], **how: Any) -> Any:
    """The report of `parts` each profiled as a worker does (uncapped, pickled), merged."""
    merged = CorpusProfile(**how)
    for records in parts:
        part = CorpusProfile(**{**how, "max_undocumented": UNCAPPED})
        for record in records:
            part.observe(record)
        merged.merge(pickle.loads(pickle.dumps(part)))
    return merged.report()


@pytest.mark.parametrize(
    ("cuts", "how"),
    [
        pytest.param((1,), {"identify": True}, id="first-record-alone"),
        pytest.param((13, 200, 401), {"identify": True}, id="mid-object"),
        pytest.param((N,), {"identify": True}, id="at-the-object-boundary"),
        pytest.param((2 * N - 1,), {"identify": True, "examples": 2}, id="last-alone-2-examples"),
        pytest.param((5, 6, 7, 8, 30), {"identify": True, "examples": 0}, id="no-examples"),
        pytest.param((3, 10), {"identify": True, "max_undocumented": 3}, id="past-the-cap"),
        pytest.param((100, 300), {"schema": HATCHET}, id="one-schema"),
    ],
)
def test_profiles_merged_in_order_are_one_pass(cuts: tuple[int, ...], how: dict[str, Any]) -> None:
    records = _corpus()
    edges = [0, *cuts, len(records)]
    parts = [records[a:b] for a, b in pairwise(edges)]
    one = drift_of_records(records, **how)
    assert _merged(parts, **how) == one
    assert len(one.drift) >= (3 if "max_undocumented" in how else 10)  # a corpus with drift


def test_the_cap_counts_what_it_leaves_out_as_one_pass_does() -> None:
    one = drift_of_records(_corpus(), identify=True, max_undocumented=3)
    hatchet = next(o for o in one.objects if o.name == HATCHET)
    assert hatchet.untracked == 7  # extra1 .. extra7 (region, extra0, retryPolicy came first)
    assert sum(i.kind == "undocumented" for i in hatchet.items) == 3


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A planted JSONL (with a broken line) beside a copy of the recordings."""
    top = tmp_path_factory.mktemp("drift")
    lines = [*planted_lines(HATCHET, 900), "{broken\n", *planted_lines(KNOCK, 900)]
    (top / "planted.jsonl").write_text("".join(lines), encoding="utf-8")
    shutil.copytree(RECORDINGS, top / "recordings")
    return top


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(units, "BLOCK_BYTES", 16_384)  # about 20 records a unit


def _drift(
    *args: str, cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, bytes, str]:
    """Exit code, the report's bytes (written with --output) and stderr of one run."""
    monkeypatch.chdir(cwd)
    out = cwd / "out.report"
    code = main(["drift", *args, "--output", str(out)])
    return code, out.read_bytes(), capsys.readouterr().err


@pytest.mark.parametrize(
    ("inputs", "how", "exit_code"),
    [
        pytest.param(("planted.jsonl",), ("--identify",), 4, id="planted-jsonl"),
        pytest.param(("recordings",), ("--identify",), 0, id="recordings"),
        pytest.param(("planted.jsonl", "recordings"), ("--vendor", "knock"), 4, id="both-knock"),
        pytest.param(("planted.jsonl",), ("--schema", HATCHET, "--examples", "2"), 4, id="schema"),
    ],
)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_the_same_bytes_as_one_process(
    inputs: tuple[str, ...],
    how: tuple[str, ...],
    exit_code: int,
    fmt: str,
    corpus: Path,
    client: Any,
    small_blocks: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = (*inputs, *how, "--output-format", fmt)
    run = {"cwd": corpus, "monkeypatch": monkeypatch, "capsys": capsys}
    one = _drift(*args, **run)
    dask = _drift(*args, "--engine", "dask", "--scheduler", client.scheduler.address, **run)
    assert dask == one
    assert one[0] == exit_code  # 4: drift, and the broken line; 0: none in the recordings
    assert (b"drift" if fmt == "text" else b'"status"') in one[1]


def test_the_same_errata_proposed(
    corpus: Path,
    client: Any,
    small_blocks: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = {"cwd": corpus, "monkeypatch": monkeypatch, "capsys": capsys}
    proposed = []
    for engine in (("--engine", "local"), ("--engine", "dask", "--scheduler", "")):
        if engine[-1] == "":
            engine = (*engine[:-1], client.scheduler.address)
        code, _, err = _drift(
            "planted.jsonl",
            "recordings",
            "--identify",
            "--propose-errata",
            "e.yaml",
            *engine,
            **run,
        )
        proposed.append((code, (corpus / "e.yaml").read_text(encoding="utf-8"), err))
    assert proposed[0] == proposed[1]
    assert proposed[0][0] == 4
    assert "errata proposed in e.yaml" in proposed[0][2]
    assert "patch:" in proposed[0][1]


def test_the_api_names_files_as_given_and_counts_problems_as_one_pass(
    corpus: Path, client: Any, small_blocks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(corpus)
    paths = ["planted.jsonl", "recordings", "missing.jsonl", "planted.jsonl"]
    one = drift_of(paths, identify=True)
    assert drift_on_dask(paths, client, identify=True, window=3) == one
    assert [str(p.locator) for p in one.problems] == [
        "planted.jsonl:901",
        "missing.jsonl",
        "planted.jsonl:901",
    ]
    assert one.items[0].examples[0].startswith("planted.jsonl:")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--scheduler", "tcp://127.0.0.1:9"), "--scheduler needs --engine dask"),
        (("--jobs", "2"), "--jobs needs --engine dask (drift on this machine is one process)"),
    ],
)
def test_dask_flags_without_the_dask_engine_are_usage_errors(
    args: tuple[str, ...], message: str, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["drift", str(corpus / "planted.jsonl"), *args]) == 2
    assert capsys.readouterr() == ("", f"runconform: error: {message}\n")


def test_in_ci_a_dask_run_says_its_stage_as_one_process_does(
    corpus: Path, client: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same two lines on stderr: started with the bytes to profile, finished with
    the summary (the bytes are counted as the workers finish their units)."""
    monkeypatch.setenv("CI", "true")
    run = {"cwd": corpus, "monkeypatch": monkeypatch, "capsys": capsys}
    _, _, one = _drift("planted.jsonl", "--identify", **run)
    _, _, dask = _drift(
        "planted.jsonl",
        "--identify",
        "--engine",
        "dask",
        "--scheduler",
        client.scheduler.address,
        **run,
    )
    size = (corpus / "planted.jsonl").stat().st_size
    for err in (one, dask):
        started, finished = err.splitlines()
        assert started == f"runconform drift: started ({size / 1e6:.1f} MB)"
        assert re.fullmatch(
            r"runconform drift: finished in \d+\.\d s: .+ drift items? found", finished
        )
    assert one.splitlines()[1].split(": ", 2)[2] == dask.splitlines()[1].split(": ", 2)[2]
