"""`--engine dask`: the same units and judge as `--jobs`, on a Dask cluster; the same bytes out.

One `LocalCluster` of two single-threaded worker processes on 127.0.0.1 serves the whole
module: the CLI reaches it with `--scheduler`, the API with its client. Each run is
compared byte for byte (text and JSON) or result for result with a run in one process.
The last test kills a worker in the middle of a run: Dask runs its units again, and the
output is still the same.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import shutil
import signal
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import example, validate_in_a_process

pytest.importorskip("distributed", reason="the dask extra is not installed")

import conformance.engines.units as units
from conformance.bundle.user_errata import read_user_errata, use_errata
from conformance.engines.cluster import dashboard, local_cluster, validate_on_dask
from conformance.engines.processes import validate_paths
from conformance.report.findings import CleanRecords

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = ROOT / "contracts" / "recordings"
RUN = "xceptor.WorkflowRun"


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with local_cluster(2) as started:
        yield started


def _runs(count: int, long_line: int | None = None) -> bytes:
    """Xceptor runs with failures planted: schema, invariant, drift, a broken line,
    blank lines, invalid UTF-8 and (at `long_line`) a line longer than a small block."""
    good = example(RUN)
    lines = []
    for i in range(count):
        if i % 50 == 7:
            lines.append(json.dumps({**good, "status": "DONE"}))
        elif i == count // 2:
            lines.append("{broken")
        elif i % 50 == 11:
            lines.append(json.dumps({**good, "duration_ms": 1}))
        elif i % 50 == 13:
            lines.append(json.dumps({**good, "tenant": "x"}))
        elif i == long_line:
            lines.append(json.dumps({**good, "notes": "x" * 6000}))
        else:
            lines.append(json.dumps({**good, "id": f"run-{i}"}))
        if i % 90 == 0:
            lines.append("")
    data = "\n".join(lines).encode() + b"\n"
    return data.replace(b'"load-trades"', b'"load-\xfftrades"', 1)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 4.5 MB of JSONL: three 2 MB units of work."""
    path = tmp_path_factory.mktemp("big") / "runs.jsonl"
    path.write_bytes(_runs(5000))
    return path


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled recordings (HAR, cassette, Postman, YAML, JSONL) and a few bad ones."""
    top = tmp_path_factory.mktemp("mixed") / "recordings"
    shutil.copytree(RECORDINGS, top)
    (top / "xceptor" / "failing.json").write_text(json.dumps({**example(RUN), "status": "DONE"}))
    (top / "xceptor" / "broken.yaml").write_text("status: [unclosed\n")
    (top / "xceptor" / "empty.json").write_text("")
    (top / "xceptor" / "more.jsonl").write_bytes(_runs(300))
    return top


_cli = validate_in_a_process


@pytest.fixture(scope="module")
def gzip_file(big: Path) -> Path:
    """The large JSONL, gzip-compressed (one unit: a worker reads and decompresses it)."""
    import gzip

    path = big.with_name("runs.jsonl.gz")
    path.write_bytes(gzip.compress(big.read_bytes()))
    return path


@pytest.fixture(scope="module")
def zstd_file(big: Path) -> Path:
    zstandard = pytest.importorskip("zstandard", reason="the compressed extra")
    path = big.with_name("runs.jsonl.zst")
    path.write_bytes(zstandard.ZstdCompressor().compress(big.read_bytes()))
    return path


@pytest.fixture(scope="module")
def mixed_gzip(mixed: Path) -> Path:
    """The mixed folder with each document gzip-compressed: read and judged on a worker."""
    import gzip

    top = mixed.parent / "compressed"
    for path in sorted(mixed.rglob("*")):
        if path.is_file():
            target = top / path.relative_to(mixed)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.with_name(target.name + ".gz").write_bytes(gzip.compress(path.read_bytes()))
    return top


@pytest.mark.parametrize(
    ("corpus", "how", "fmt"),
    [
        pytest.param("big", ("--schema", RUN), "text", id="jsonl-text"),
        pytest.param("big", ("--schema", RUN, "-v"), "text", id="jsonl-text-every-record"),
        pytest.param("big", ("--schema", RUN), "json", id="jsonl-json"),
        pytest.param("mixed", ("--identify",), "text", id="mixed-text"),
        pytest.param("mixed", ("--identify",), "json", id="mixed-json"),
        pytest.param("gzip_file", ("--schema", RUN), "json", id="gzip"),
        pytest.param("gzip_file", ("--schema", RUN, "-v"), "text", id="gzip-text-every-record"),
        pytest.param("big", ("--schema", RUN, "--show", "5"), "json", id="jsonl-sample"),
        pytest.param("gzip_file", ("--schema", RUN, "--show", "5"), "text", id="gzip-sample"),
        pytest.param(
            "gzip_file", ("--schema", RUN, "--show", "5", "-q"), "json", id="gzip-sample-q"
        ),
        pytest.param("zstd_file", ("--schema", RUN), "text", id="zstd"),
        pytest.param("mixed_gzip", ("--identify",), "json", id="mixed-gzip"),
    ],
)
def test_the_same_bytes_as_one_process(
    corpus: str, how: tuple[str, ...], fmt: str, request: pytest.FixtureRequest, client: Any
) -> None:
    path: Path = request.getfixturevalue(corpus)
    args = (path.name, *how, "--output-format", fmt)
    one = _cli(*args, cwd=path.parent)
    dask = _cli(*args, "--engine", "dask", "--scheduler", client.scheduler.address, cwd=path.parent)
    assert dask == one
    assert one[0] == 4  # findings planted, and an unreadable record or file
    assert ("error: " if fmt == "text" else '"severity": "error"') in one[1]


def test_a_memory_url_as_in_one_process(big: Path, client: Any) -> None:
    """An fsspec URL is read by the client (a worker has no view of this process's
    `memory://`), and judged on the cluster: the same results as one process."""
    fsspec = pytest.importorskip("fsspec", reason="the remote extra")
    fs = fsspec.filesystem("memory")
    fs.pipe("/dask-test/runs.jsonl", big.read_bytes())
    fs.pipe("/dask-test/session.har", (RECORDINGS / "knock" / "session.har").read_bytes())
    try:
        paths = ["memory://dask-test/"]
        one = list(validate_paths(paths, schema=None, identify=True))
        dask = list(validate_on_dask(paths, client, identify=True))
        assert dask == one
        assert len(one) > 5000
    finally:
        fs.rm("/dask-test", recursive=True)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_memory_url_the_same_bytes_as_one_process(
    big: Path, client: Any, fmt: str, tmp_path: Path
) -> None:
    """The CLI in this process (where `memory://` lives): its reports byte for byte."""
    fsspec = pytest.importorskip("fsspec", reason="the remote extra")
    from conformance.cli import main

    fs = fsspec.filesystem("memory")
    fs.pipe("/dask-cli/runs.jsonl.gz", gzip.compress(big.read_bytes()))
    fs.pipe("/dask-cli/session.har", (RECORDINGS / "knock" / "session.har").read_bytes())
    try:
        args = ["validate", "memory://dask-cli/", "--identify", "--output-format", fmt]
        codes = []
        for name, extra in (
            ("one", []),
            ("dask", ["--engine", "dask", "--scheduler", client.scheduler.address]),
        ):
            codes.append(main([*args, *extra, "--output", str(tmp_path / name)]))
        assert (tmp_path / "dask").read_bytes() == (tmp_path / "one").read_bytes()
        assert codes == [4, 4]  # findings planted, and an unreadable record
        assert b"memory://dask-cli/runs.jsonl.gz:" in (tmp_path / "one").read_bytes()
    finally:
        fs.rm("/dask-cli", recursive=True)


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(units, "BLOCK_BYTES", 4096)  # hundreds of units, a few per window


@pytest.mark.parametrize("clean", ["each", "count"])
def test_many_small_units_in_input_order(
    tmp_path: Path, small_blocks: None, client: Any, clean: str
) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_bytes(_runs(600, long_line=400))
    paths = [path, RECORDINGS, path]
    one = list(validate_paths(paths, schema=RUN, clean=clean))
    dask = list(validate_on_dask(paths, client, schema=RUN, clean=clean, window=3))
    assert dask == one
    assert sum(r.count if isinstance(r, CleanRecords) else 1 for r in one) > 1200


def test_problems_with_the_inputs_are_said_as_one_process_says_them(
    tmp_path: Path, client: Any
) -> None:
    (tmp_path / "empty-folder").mkdir()
    (tmp_path / "binary.json").write_bytes(b"\x00\x01\x02 not text")
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "forced.txt").write_text(json.dumps(example(RUN)) + "\n")
    paths = ["empty-folder", "missing.jsonl", "binary.json", "empty.jsonl"]
    paths = [str(tmp_path / p) for p in paths]
    dask = list(validate_on_dask(paths, client, schema=RUN))
    assert dask == list(validate_paths(paths, schema=RUN))
    assert [r.findings[0].keyword for r in dask] == [
        "no-files",
        "unreadable",
        "not-a-recording",
        "empty-file",
    ]
    forced = [tmp_path / "forced.txt"]
    dask = list(validate_on_dask(forced, client, schema=RUN, input_format="ndjson"))
    assert dask == list(validate_paths(forced, schema=RUN, input_format="ndjson"))
    assert [r.ok for r in dask] == [True]


def test_workers_judge_with_the_users_errata(tmp_path: Path, client: Any) -> None:
    """The errata travel with each unit; a worker drops them when a run has none."""
    enum = ["pending", "running", "completed", "failed", "cancelled"]
    patch = [
        {"op": "test", "path": "/properties/status/enum", "value": enum},
        {"op": "add", "path": "/properties/status/enum/-", "value": "paused"},
    ]
    erratum = {"id": "ours-paused", "object": RUN, "rationale": "r", "evidence": "e"}
    (tmp_path / "e.yaml").write_text(yaml.safe_dump({"errata": [{**erratum, "patch": patch}]}))
    runs = tmp_path / "runs.jsonl"
    runs.write_text(json.dumps({**example(RUN), "status": "paused"}) + "\n")
    use_errata(read_user_errata([tmp_path / "e.yaml"]))
    try:
        layered = list(validate_on_dask([runs], client, schema=RUN))
    finally:
        use_errata(None)
    bare = list(validate_on_dask([runs], client, schema=RUN))
    assert [(r.ok, r.errata[-1:]) for r in layered] == [(True, ("ours-paused",))]
    assert bare == list(validate_paths([runs], schema=RUN)) and not bare[0].ok


def test_the_dashboard_is_named_only_where_the_scheduler_serves_one(client: Any) -> None:
    """The `dask` extra brings Bokeh: the local cluster's scheduler serves Dask's own
    diagnostics on loopback, and the page named is really there."""
    link = dashboard(client)
    if importlib.util.find_spec("bokeh") is None:  # Dask serves its dashboard with Bokeh
        assert link is None
        return
    assert link is not None and link.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(link, timeout=30) as page:  # the status page: task stream
        assert page.status == 200
        assert b"Dask" in page.read()


def test_a_worker_killed_mid_run_loses_and_repeats_no_record(
    tmp_path: Path, small_blocks: None, client: Any
) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_bytes(_runs(1500))
    one = list(validate_paths([path], schema=RUN))
    pids = client.run(os.getpid)  # worker address -> its process
    results = validate_on_dask([path], client, schema=RUN, window=8)
    dask = [next(results) for _ in range(50)]  # a few units judged, eight in flight
    running, held = client.processing(), client.has_what()
    victim = max(pids, key=lambda worker: len(running[worker]) + len(held[worker]))
    assert running[victim] or held[victim]  # it has units to judge or verdicts not yet fetched
    os.kill(pids[victim], signal.SIGKILL)
    dask += results
    assert dask == one and len(one) == 1500
    assert pids[victim] not in client.run(os.getpid).values()


@pytest.mark.parametrize("corpus", ["mixed", "mixed_gzip"])
def test_a_file_url_is_read_by_the_workers_as_one_process_reads_it(
    corpus: str, request: pytest.FixtureRequest, client: Any
) -> None:
    """`file://` stands in for object storage: each file of the URL folder goes to a
    worker by name (no secrets in it), and the output names the URLs as given."""
    pytest.importorskip("fsspec", reason="the remote extra")
    path: Path = request.getfixturevalue(corpus)
    args = (f"file://{path}", "--identify", "--output-format", "json")
    one = _cli(*args, cwd=path.parent)
    dask = _cli(*args, "--engine", "dask", "--scheduler", client.scheduler.address, cwd=path.parent)
    assert dask == one
    assert f'"file": "file://{path}/' in one[1]
