"""Run runconform (or pytest) in a child process under hostile conditions and measure it.

Every hostile-input test goes through `run_child`: it bounds the child's wall time (the
child is killed past `timeout`), caps its address space (`memory_mib`) so a regression
fails the test instead of the machine, and reads the child's own peak RSS from the kernel
(`wait4`, in a small launcher: see `_MEASURE`). The outcome says what the acceptance of
issue 13 asks for: the exit code, both streams, the seconds taken and the peak RSS, and
whether a traceback was printed.

Each outcome is also appended, as one JSON line, to the file named by
RUNCONFORM_HOSTILE_LOG when that is set: `tools/hostile_figures.py` turns that log into
the figures the README's reliability section quotes (cases, worst time, worst RSS).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
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

#: The environment variable that carries the measured command to the launcher.
_ARGV = "HOSTILE_MEASURED_ARGV"

# The launcher between the test and the measured command. The kernel's peak-RSS figure of
# a process includes the memory of the process it was forked from (at exec), so forking
# the command straight from a big pytest process would measure pytest. The launcher is a
# fresh, small interpreter: it caps the address space, forks and execs the command, and
# writes the command's own peak RSS (wait4) to a file. The command comes in through the
# environment, so /proc/PID/cmdline of the launcher never looks like the command's.
# A signal that ends the command ends the launcher the same way (same exit status).
_MEASURE = """
import json, os, resource, signal, sys
cap = int(sys.argv[2]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
argv = json.loads(os.environ.pop("HOSTILE_MEASURED_ARGV"))
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
for forwarded in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
    signal.signal(forwarded, lambda signum, frame: os.kill(pid, signum))
while True:
    try:
        _, status, usage = os.wait4(pid, 0)
        break
    except InterruptedError:
        continue
with open(sys.argv[1], "w") as fh:
    fh.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
if code < 0:
    if -code != signal.SIGKILL:
        signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
sys.exit(code)
"""

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
    child_env = {**os.environ, **(env or {}), _ARGV: json.dumps(list(argv))}
    child_env.setdefault("PYTHONFAULTHANDLER", "")
    with tempfile.TemporaryDirectory(prefix="hostile-") as scratch:
        usage_file = Path(scratch) / "maxrss"
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-S", "-c", _MEASURE, str(usage_file), str(memory_mib)],
            cwd=cwd,
            env=child_env,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # one process group: a timeout kills all of it
        )
        streams = [_drain(process.stdout), _drain(process.stderr)]
        if stdin is not None and process.stdin is not None:
            threading.Thread(target=_feed, args=(process.stdin, stdin), daemon=True).start()
        timed_out = False
        while process.poll() is None:
            if time.monotonic() - started > timeout and not timed_out:
                timed_out = True
                os.killpg(process.pid, signal.SIGKILL)
            time.sleep(0.02)
        seconds = time.monotonic() - started
        out, err = (stream.result() for stream in streams)
        peak_kib = int(usage_file.read_text() or 0) if usage_file.exists() else 0
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
