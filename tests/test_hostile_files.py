"""Hostile conditions for the files runconform writes (issue 13, items 9, 13, 19 and 20).

- item 9: scenario parameters have documented bounds (PARAM_BOUNDS), refused before
  anything is built, by the library and, click-style, by the CLI;
- item 13: a full disk while writing is exit 4, "PATH: cannot write: reason", leaving the
  previous file and no temp file. Running as root, chmod stops nothing, so a child is
  given RLIMIT_FSIZE (with SIGXFSZ ignored, a write past it fails with EFBIG) by a
  launcher that sets both and execs runconform;
- item 19: SIGTERM and SIGHUP mid-write end the run cleanly (exit 128+signal, no temp
  file); after kill -9 the temp file names its writer's pid, and the next write into the
  folder removes it;
- item 20: an --output that is an input is refused before anything is read or written,
  and a missing `mappings check --dir` is unreadable input.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hostile import RSS_BOUND_MIB, RUNCONFORM, Outcome, run_child

from conformance.atomic import atomic_output
from conformance.errors import InputError, UsageError
from conformance.generate import write_fixtures
from conformance.mapping.scenarios import canonical, render_one
from conformance.simulator import start

Cli = Callable[..., tuple[int, str, str]]
RUN = "xceptor.WorkflowRun"
#: The child's largest file: every target below is larger, so writing it fails with EFBIG.
FILE_LIMIT = 4096
FULL_DISK = (
    sys.executable,
    "-c",
    "import os, resource, signal, sys\n"
    f"resource.setrlimit(resource.RLIMIT_FSIZE, ({FILE_LIMIT}, {FILE_LIMIT}))\n"
    "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
    "os.execv(sys.executable, [sys.executable, '-m', 'conformance', *sys.argv[1:]])\n",
)
QUIET = {"PYTHONDONTWRITEBYTECODE": "1"}  # no .pyc write may meet the file-size limit
USAGE = (
    "Usage: runconform fixtures [OPTIONS] [NAME]\nTry 'runconform fixtures --help' for help.\n\n"
)


def assert_sane(outcome: Outcome, code: int) -> None:
    """What every hostile case must show besides its message."""
    assert outcome.returncode == code, outcome.output
    assert not outcome.timed_out
    assert not outcome.traceback, outcome.output
    assert outcome.returncode != 70
    assert outcome.peak_rss_mib < RSS_BOUND_MIB


def leftovers(folder: Path) -> list[str]:
    """Temp files of an atomic write, anywhere under `folder`."""
    return sorted(str(p) for p in folder.rglob("*.tmp"))


# -- item 9: bounded scenario parameters ---------------------------------------------------


@pytest.mark.parametrize(
    ("scenario", "param", "message"),
    [
        pytest.param(
            "failed-on-step",
            "step=999999999",
            "step: 999999999 is not in the range 1<=x<=1000.",
            id="item9-step-huge",
        ),
        pytest.param(
            "page",
            "n=100000000",
            "n: 100000000 is not in the range 1<=x<=1000.",
            id="item9-page-n-1e8",
        ),
    ],
)
def test_the_reported_runaway_parameters_are_refused_at_once(
    scenario: str, param: str, message: str, tmp_path: Path
) -> None:
    """The issue's cases: a 19.8 GB file and a run that never ended, now a usage error."""
    argv = ["fixtures", "--scenario", scenario, "--param", param, "--out", "x.json"]
    outcome = run_child([*RUNCONFORM, *argv], case=f"item9-cli-{param}", cwd=tmp_path, timeout=60)
    assert_sane(outcome, 2)
    assert (outcome.stdout, outcome.stderr) == (
        "",
        f"{USAGE}Error: Invalid value for '--param': {message}\n",
    )
    assert list(tmp_path.iterdir()) == []  # refused before anything was written


@pytest.mark.parametrize(
    ("scenario", "params", "message"),
    [
        ("failed-on-step", ("step=2", "steps=1001"), "steps: 1001 is not in the range 1<=x<=1000."),
        (
            "failed-on-step",
            ("step=" + "9" * 5000,),
            "step: a 5000-digit number is not in the range 1<=x<=1000.",
        ),
        ("failed-on-step", ("step=abc",), "step: 'abc' is not a valid integer."),
        ("page", ("n=0",), "n: 0 is not in the range 1<=x<=1000."),
        ("page", ("total=1000000001",), "total: 1000000001 is not in the range 1<=x<=1000000000."),
    ],
    ids=["steps", "step-5000-digits", "step-text", "page-n-0", "page-total"],
)
def test_every_bounded_parameter_is_checked(
    run_cli: Cli, scenario: str, params: tuple[str, ...], message: str
) -> None:
    argv = ["fixtures", "--scenario", scenario]
    for param in params:
        argv += ["--param", param]
    assert run_cli(*argv) == (2, "", f"{USAGE}Error: Invalid value for '--param': {message}\n")


#: Calls the library in a child, so a call that is not bounded (as before issue 13: a
#: list of 999,999,999 steps, 100,000,000 runs) meets the child's memory cap and timeout,
#: not this process.
LIBRARY_CALL = (
    "import sys\n"
    "from conformance.errors import UsageError\n"
    "from conformance.mapping.scenarios import canonical, render_all\n"
    "try:\n"
    "    eval(sys.argv[1])\n"
    "except UsageError as exc:\n"
    "    print(exc)\n"
    "    sys.exit(2)\n"
)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            'canonical("failed-on-step", step=999_999_999)',
            "scenario parameter step must be in the range 1<=x<=1000, not 999999999",
            id="item9-library-canonical-step",
        ),
        pytest.param(
            'render_all("page", n=100_000_000)',
            "scenario parameter n must be in the range 1<=x<=1000, not 100000000",
            id="item9-library-render-all-page",
        ),
    ],
)
def test_the_library_refuses_the_runaway_parameters(
    call: str, message: str, tmp_path: Path
) -> None:
    outcome = run_child(  # cwd: not the checkout, so PYTHONPATH decides which code runs
        [sys.executable, "-c", LIBRARY_CALL, call],
        case=f"item9-library-{call.split('(')[0]}",
        cwd=tmp_path,
        timeout=30,
    )
    assert_sane(outcome, 2)
    assert (outcome.stdout, outcome.stderr) == (message + "\n", "")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            lambda: canonical("failed-on-step", step="abc"),
            "scenario parameter step must be a positive integer, not 'abc'",
            id="canonical-step-text",
        ),
        pytest.param(
            lambda: render_one("queued", RUN, steps=10**5000),
            "scenario parameter steps must be in the range 1<=x<=1000, "
            "not a number of thousands of digits",
            id="render-one-huge",
        ),
        pytest.param(
            lambda: canonical("page", n=3, total=10**30),
            "scenario parameter total must be in the range 1<=x<=1000000000, not a 31-digit number",
            id="canonical-total",
        ),
        pytest.param(
            lambda: canonical("page", statuses=5),
            "statuses must name canonical statuses "
            "(queued, running, succeeded, failed, cancelled, paused)",
            id="statuses-not-a-list",
        ),
    ],
)
def test_the_library_refuses_out_of_range_parameters(call: Callable[[], Any], message: str) -> None:
    with pytest.raises(UsageError) as info:
        call()
    assert str(info.value) == message


def test_the_bounds_are_documented_and_the_largest_values_work() -> None:
    from conformance.mapping.scenarios import PARAM_BOUNDS  # new in issue 13: imported here

    assert dict(PARAM_BOUNDS) == {
        "step": (1, 1000),
        "steps": (1, 1000),
        "n": (1, 1000),
        "total": (1, 1_000_000_000),
    }
    run = canonical("failed-on-step", step=1000)
    assert run["step_count"] == 1000 and run["steps"][-1]["status"] == "failed"
    assert len(canonical("page", n=1000, total=1_000_000_000)) == 1000


# -- item 13: a full disk is "cannot write" (exit 4), leaving the previous file --------------


@pytest.fixture
def records(tmp_path: Path) -> Path:
    """200 valid runs (about 120 KB): every report on them outgrows FILE_LIMIT."""
    path = tmp_path / "runs.jsonl"
    write_fixtures(RUN, 200, 1, "jsonl", path)
    return path


FULL_DISK_CASES = [
    pytest.param(
        ("fixtures", RUN, "-n", "1000", "--out", "out.jsonl"), "out.jsonl", id="fixtures-out"
    ),
    pytest.param(
        (
            *("fixtures", "--scenario", "page", "--vendor", "xceptor"),
            *("--param", "n=100", "--param", "statuses=succeeded", "--out", "page.json"),
        ),
        "page.json",
        id="fixtures-scenario-out",
    ),
    pytest.param(
        ("validate", "runs.jsonl", "--schema", RUN, "--format", "json", "--output", "r.json"),
        "r.json",
        id="validate-output",
    ),
    pytest.param(
        ("map", "runs.jsonl", "--from", RUN, "--output", "canonical.jsonl"),
        "canonical.jsonl",
        id="map-output",
    ),
    pytest.param(
        ("check", "runs.jsonl", "--vendor", "xceptor", "--out", "reports", "-q"),
        "reports/runconform-check.json",
        id="check-report-dir",
    ),
    pytest.param(("schemas", "build", "--out", "schemas"), "schemas", id="schemas-build-out"),
]


@pytest.mark.parametrize(("argv", "target"), FULL_DISK_CASES)
def test_a_full_disk_is_cannot_write(
    argv: tuple[str, ...], target: str, tmp_path: Path, records: Path
) -> None:
    previous = tmp_path / target if target != "schemas" else tmp_path / "schemas" / "old.json"
    previous.parent.mkdir(parents=True, exist_ok=True)
    previous.write_text("the previous file\n", encoding="utf-8")
    outcome = run_child(
        [*FULL_DISK, *argv], case=f"item13-full-disk-{argv[0]}-{target}", cwd=tmp_path, env=QUIET
    )
    assert_sane(outcome, 4)
    assert (
        outcome.stderr.splitlines()[-1]
        == f"runconform: error: {target}: cannot write: File too large"
    )
    assert previous.read_text(encoding="utf-8") == "the previous file\n"
    assert leftovers(tmp_path) == []


def test_a_full_disk_under_the_junit_spool_names_the_temp_folder(
    tmp_path: Path, records: Path
) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    argv = ("validate", "runs.jsonl", "--schema", RUN, "--format", "junit", "--output", "r.xml")
    outcome = run_child(
        [*FULL_DISK, *argv],
        case="item13-full-disk-junit-spool",
        cwd=tmp_path,
        env={**QUIET, "TMPDIR": str(spool)},
    )
    assert_sane(outcome, 4)
    assert outcome.stderr == f"runconform: error: {spool}: cannot write: File too large\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.jsonl", "spool"]
    assert list(spool.iterdir()) == []


def test_a_full_disk_under_the_contract_report_dir(tmp_path: Path) -> None:
    with start("xceptor", seed=1) as sim:
        argv = ("contract", "xceptor", "--base-url", sim.url, "--rate-limit", "0")
        argv += ("--max-examples", "2", "--report", "har", "--report-dir", "reports")
        outcome = run_child(
            [*FULL_DISK, *argv], case="item13-full-disk-contract", cwd=tmp_path, env=QUIET
        )
    assert_sane(outcome, 4)
    assert outcome.stderr.splitlines()[-1] == (
        "runconform: error: reports/contract-xceptor.har: cannot write: File too large"
    )
    assert leftovers(tmp_path) == []


def test_a_scenario_out_under_a_file_is_cannot_create(run_cli: Cli, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    target = blocker / "sub" / "x.jsonl"
    code, out, err = run_cli(
        "fixtures", "--scenario", "queued", "--vendor", "xceptor", "--out", str(target)
    )
    assert (code, out) == (4, "")
    assert err == (
        f"runconform: error: {blocker / 'sub'}: cannot create the output folder: Not a directory\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_a_fifo_output_is_written_to_not_replaced(tmp_path: Path) -> None:
    """A device or pipe (/dev/stdout, a FIFO) is written to: renaming over it would replace it."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    with atomic_output(fifo) as stream:
        stream.write("through the pipe\n")
    reader.join(timeout=10)
    assert received == [b"through the pipe\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_a_failed_write_in_the_library_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("previous\n")
    with pytest.raises(InputError) as info, atomic_output(target) as stream:
        stream.write("half")
        raise InputError("the writer failed")
    assert str(info.value) == "the writer failed"
    assert target.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]


# -- item 19: signals and stale temp files ---------------------------------------------------


def _writer_pid(marker: str) -> int | None:
    """The pid of the runconform process whose command line holds `marker`."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"conformance" in cmdline and marker.encode() in cmdline:
            return int(entry.name)
    return None


def _signal_mid_write(folder: Path, out: Path, signum: int, sent: list[int]) -> None:
    """Wait until the temp file of `out` holds 1 MiB, then send `signum` to its writer."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        temps = [p for p in folder.glob(f".{out.name}.*.tmp") if p.stat().st_size > 1 << 20]
        pid = _writer_pid(str(out)) if temps else None
        if pid:
            os.kill(pid, signum)
            sent.append(pid)
            return
        time.sleep(0.05)


def _write_big(tmp_path: Path, signum: int) -> tuple[Outcome, list[int]]:
    """A child writing 2,000,000 fixtures (minutes of work), sent `signum` mid-write."""
    out = tmp_path / "big.jsonl"
    sent: list[int] = []
    sender = threading.Thread(target=_signal_mid_write, args=(tmp_path, out, signum, sent))
    sender.start()
    argv = [*RUNCONFORM, "fixtures", RUN, "-n", "2000000", "--out", str(out)]
    name = signal.Signals(signum).name
    outcome = run_child(argv, case=f"item19-{name}-mid-write", cwd=tmp_path, timeout=90)
    sender.join()
    assert sent, "the writer was never signalled"
    return outcome, sent


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_mid_write_ends_cleanly(tmp_path: Path, signum: int) -> None:
    (tmp_path / "big.jsonl").write_text("the previous file\n")
    outcome, _ = _write_big(tmp_path, signum)
    assert_sane(outcome, 128 + signum)
    name = signal.Signals(signum).name
    assert outcome.stderr == f"runconform: terminated by {name}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl"]  # no temp file
    assert (tmp_path / "big.jsonl").read_text() == "the previous file\n"


def test_the_temp_file_of_a_killed_writer_is_removed_by_the_next_write(tmp_path: Path) -> None:
    outcome, sent = _write_big(tmp_path, signal.SIGKILL)
    assert outcome.returncode == -signal.SIGKILL
    (stale,) = tmp_path.glob(".big.jsonl.*.tmp")  # kill -9 leaves it: nothing can clean up
    assert re.fullmatch(rf"\.big\.jsonl\.runconform-{sent[0]}-[a-z0-9_]+\.tmp", stale.name)
    argv = [*RUNCONFORM, "fixtures", RUN, "-n", "2", "--out", "small.jsonl"]
    outcome = run_child(argv, case="item19-next-write-removes-stale", cwd=tmp_path, timeout=60)
    assert_sane(outcome, 0)
    assert outcome.stderr == "wrote 2 fixtures of xceptor.WorkflowRun to small.jsonl\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.jsonl"]


def test_only_the_temp_files_of_writers_that_no_longer_run_are_removed(tmp_path: Path) -> None:
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = int(ended.stdout)
    names = {
        "dead": f".a.json.runconform-{dead}-abcd1234.tmp",
        "live": f".b.json.runconform-{os.getpid()}-abcd1234.tmp",  # this very process
        "foreign": ".c.json.x1y2z3.tmp",  # not ours: never touched
        "absurd": ".d.json.runconform-99999999999999999999-abcd1234.tmp",
    }
    for name in names.values():
        (tmp_path / name).write_text("partial")
    from conformance.atomic import remove_stale_temps  # new in issue 13: imported here

    removed = remove_stale_temps(tmp_path)
    assert sorted(p.name for p in removed) == sorted([names["dead"], names["absurd"]])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([names["live"], names["foreign"]])


# -- item 20: an output that is an input; a missing mappings folder --------------------------


@pytest.fixture
def recording(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write_fixtures(RUN, 2, 1, "jsonl", tmp_path / "runs.jsonl")
    (tmp_path / "link.jsonl").symlink_to("runs.jsonl")
    os.link(tmp_path / "runs.jsonl", tmp_path / "hard.jsonl")
    return tmp_path / "runs.jsonl"


@pytest.mark.parametrize(
    ("command", "output"),
    [
        pytest.param(("validate", "runs.jsonl", "--schema", RUN), "runs.jsonl", id="same-name"),
        pytest.param(("validate", "runs.jsonl"), "./runs.jsonl", id="dot-slash"),
        pytest.param(("validate", "runs.jsonl", "--format", "json"), "link.jsonl", id="symlink"),
        pytest.param(("validate", "runs.jsonl"), "hard.jsonl", id="hard-link"),
        pytest.param(("validate", "other.jsonl", "runs.jsonl"), "runs.jsonl", id="second-input"),
        pytest.param(("map", "runs.jsonl", "--from", RUN), "runs.jsonl", id="map"),
    ],
)
def test_an_output_that_is_an_input_is_refused(
    run_cli: Cli, recording: Path, command: tuple[str, ...], output: str
) -> None:
    before = recording.read_bytes()
    code, out, err = run_cli(*command, "--output", output)
    shown = os.path.normpath(output)
    assert (code, out, err) == (
        2,
        "",
        f"runconform: error: --output {shown} is the input runs.jsonl; "
        "write the output to another file\n",
    )
    assert recording.read_bytes() == before
    assert sorted(p.name for p in recording.parent.iterdir()) == [
        "hard.jsonl",
        "link.jsonl",
        "runs.jsonl",
    ]


def test_a_different_output_beside_the_input_is_written(run_cli: Cli, recording: Path) -> None:
    code, out, err = run_cli("validate", "runs.jsonl", "--schema", RUN, "--output", "report.txt")
    assert (code, out, err) == (0, "", "")
    assert Path("report.txt").read_text() == (
        "2 records: 2 conforming, 0 not conforming; 0 unreadable inputs; "
        "0 errors, 0 warnings, 0 info\n"
    )


@pytest.mark.parametrize(
    ("directory", "reason"),
    [("/nonexistent", "No such file or directory"), ("a-file", "Not a directory")],
    ids=["missing", "a-file"],
)
def test_mappings_check_of_an_unreadable_folder_is_exit_4(
    run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, directory: str, reason: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a-file").write_text("not a folder")
    assert run_cli("mappings", "check", "--dir", directory) == (
        4,
        "",
        f"runconform: error: {directory}: cannot read the mappings folder: {reason}\n",
    )


# -- stdout: a full disk behind a redirect, a reader that goes away -------------------------

_STDOUT_CASES = {
    "fixtures": ["fixtures", RUN, "-n", "3000"],
    "validate": ["validate", str(Path(__file__).parent / "data" / "examples"), "--identify", "-v"],
}


@pytest.mark.parametrize("command", sorted(_STDOUT_CASES))
def test_a_full_disk_behind_stdout_is_exit_4_not_a_bug(tmp_path: Path, command: str) -> None:
    argv = " ".join(["exec", *RUNCONFORM, *_STDOUT_CASES[command], "> /dev/full"])
    outcome = run_child(["sh", "-c", argv], case=f"item13-stdout-full-{command}", cwd=tmp_path)
    assert_sane(outcome, 4)
    assert outcome.stderr == "runconform: error: stdout: cannot write: No space left on device\n"


_CLOSE_EARLY = """
import subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
child.stdout.read(10)
child.stdout.close()
err = child.stderr.read()
sys.stdout.write(f"{child.wait()}\\n{err.decode()}")
"""


@pytest.mark.parametrize("command", sorted(_STDOUT_CASES))
def test_a_reader_that_goes_away_ends_the_run_quietly(tmp_path: Path, command: str) -> None:
    """`runconform ... | head`: exit 141 (as a tool SIGPIPE ended), nothing on stderr."""
    argv = [sys.executable, "-c", _CLOSE_EARLY, *RUNCONFORM, *_STDOUT_CASES[command]]
    outcome = run_child(argv, case=f"item13-stdout-closed-{command}", cwd=tmp_path)
    assert_sane(outcome, 0)
    assert outcome.stdout == "141\n"
