"""Run runconform (or pytest) in a child process under hostile conditions and measure it.

Every hostile-input test goes through `run_child`: it bounds the child's wall time (the
child is killed past `timeout`), caps its address space (`memory_mib`) so a regression
fails the test instead of the machine, and reads the child's peak RSS from the kernel
(`wait4`). The outcome says what the acceptance of issue 13 asks for: the exit code, both
streams, the seconds taken and the peak RSS, and whether a traceback was printed.

Each outcome is also appended, as one JSON line, to the file named by
RUNCONFORM_HOSTILE_LOG when that is set: `tools/hostile_figures.py` turns that log into
the figures the README's reliability section quotes (cases, worst time, worst RSS).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

#: The memory bound of the acceptance: no case may peak above this unless it says why.
RSS_BOUND_MIB = 512
#: The child's address-space cap: above the RSS bound (Python maps more than it touches),
#: low enough that an unbounded allocation fails fast instead of swapping the machine.
ADDRESS_SPACE_MIB = 3072

RUNCONFORM = (sys.executable, "-m", "conformance")
PYTEST = (sys.executable, "-m", "pytest")


@dataclass(frozen=True)
class Outcome:
    """What one child did: its exit code, output, wall time and peak resident memory."""

    case: str
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mib: float
    timed_out: bool

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.stdout + self.stderr

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_child(
    argv: Sequence[str],
    *,
    case: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    timeout: float = 120.0,
    memory_mib: int = ADDRESS_SPACE_MIB,
) -> Outcome:
    """Run `argv` to completion (or kill it at `timeout`) and measure it."""
    child_env = {**os.environ, **(env or {})}
    child_env.setdefault("PYTHONFAULTHANDLER", "")

    def limit() -> None:  # runs in the child, before exec
        cap = memory_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        os.setsid()

    started = time.monotonic()
    process = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=child_env,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=limit,  # the memory cap must be set in the child
    )
    streams = [_drain(process.stdout), _drain(process.stderr)]
    if stdin is not None and process.stdin is not None:
        threading.Thread(target=_feed, args=(process.stdin, stdin), daemon=True).start()
    # wait4, not communicate(): only wait4 gives *this* child's peak RSS
    timed_out = False
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - started > timeout and not timed_out:
            timed_out = True
            os.killpg(process.pid, signal.SIGKILL)
        time.sleep(0.02)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    out, err = (stream.result() for stream in streams)
    peak_kib = usage.ru_maxrss
    outcome = Outcome(
        case=case,
        returncode=process.returncode,
        stdout=out.decode("utf-8", "replace"),
        stderr=err.decode("utf-8", "replace"),
        seconds=seconds,
        peak_rss_mib=peak_kib / 1024,
        timed_out=timed_out,
    )
    _log(outcome)
    return outcome


def _log(outcome: Outcome) -> None:
    target = os.environ.get("RUNCONFORM_HOSTILE_LOG")
    if not target:
        return
    line = {
        "case": outcome.case,
        "returncode": outcome.returncode,
        "seconds": round(outcome.seconds, 3),
        "peak_rss_mib": round(outcome.peak_rss_mib, 1),
        "timed_out": outcome.timed_out,
        "traceback": outcome.traceback,
    }
    with open(target, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")


class _Reader:
    """Read a child's pipe to the end in a thread, so a chatty child never blocks."""

    def __init__(self, pipe: IO[bytes]) -> None:
        self._chunks: list[bytes] = []
        self._thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._thread.start()

    def _read(self, pipe: IO[bytes]) -> None:
        with pipe:
            for chunk in iter(lambda: pipe.read(65536), b""):
                self._chunks.append(chunk)

    def result(self) -> bytes:
        self._thread.join(timeout=10)
        return b"".join(self._chunks)


def _drain(pipe: IO[bytes] | None) -> _Reader:
    assert pipe is not None
    return _Reader(pipe)


def _feed(pipe: IO[bytes], data: bytes) -> None:
    try:
        with pipe:
            pipe.write(data)
    except BrokenPipeError:  # the child stopped reading: that is its business
        pass
