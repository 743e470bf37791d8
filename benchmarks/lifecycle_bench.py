"""Benchmark: following runs through many observations costs memory per run, not per
observation.

Writes JSON Lines of Xceptor runs, each polled K times (pending, running, then
completed; the polls of all runs interleaved as a poller sees them), and runs
`conformance.check_lifecycle` over each file in a fresh process, printing observations
per second and the process's peak RSS. Side by side in one run:

* R runs x K polls for growing K at a fixed R: the peak RSS stays flat while the
  observations grow (state per run);
* the same observation count spread over ten times the runs: the RSS that grows is the
  per-run state;
* the floor: the same files read by `read_records` alone (parsing, no following).

Usage: python benchmarks/lifecycle_bench.py [--runs 10000] [--polls 10 100]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

_CHILD = """
import resource, sys, time
from conformance import check_lifecycle, read_records
path, what = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if what == "follow":
    result = check_lifecycle([path], schema="xceptor.WorkflowRun")
    seen, failing = result.observations, len(result.failing)
else:
    seen, failing = sum(1 for _ in read_records(path)), 0
elapsed = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(seen, elapsed, rss, failing)
"""


def write_polls(path: Path, runs: int, polls: int) -> None:
    """`runs` Xceptor runs, each observed `polls` times: pending, running, completed."""
    ids = [str(uuid.UUID(int=i + 1, version=4)) for i in range(runs)]
    workflow = str(uuid.UUID(int=7, version=4))
    with path.open("w") as out:
        for poll in range(polls):
            status = "pending" if poll == 0 else "running" if poll < polls - 1 else "completed"
            for run_id in ids:
                run = {
                    "id": run_id,
                    "workflow_id": workflow,
                    "status": status,
                    "triggered_by": "schedule",
                }
                if status != "pending":
                    run["started_at"] = "2026-11-30T10:00:00Z"
                if status == "completed":
                    run["completed_at"] = "2026-11-30T10:05:00Z"
                out.write(json.dumps(run) + "\n")


def measure(path: Path, what: str) -> tuple[int, float, float, int]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), what],
        capture_output=True,
        text=True,
        check=True,
    )
    seen, elapsed, rss, failing = done.stdout.split()
    return int(seen), float(elapsed), float(rss), int(failing)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--polls", type=int, nargs="+", default=[10, 100])
    args = parser.parse_args()
    shapes = [(args.runs, k) for k in args.polls]
    most = max(args.polls)
    shapes.append((args.runs * 10, most // 10))  # the same observations over 10x the runs
    print(f"{'runs':>9} {'polls':>6} {'observations':>13} {'obs/s':>9} {'peak RSS':>9}  what")
    with tempfile.TemporaryDirectory() as tmp:
        for runs, polls in shapes:
            path = Path(tmp) / f"polls-{runs}-{polls}.jsonl"
            write_polls(path, runs, polls)
            for what in ("read", "follow"):
                seen, elapsed, rss, failing = measure(path, what)
                label = "read_records only (floor)" if what == "read" else "check_lifecycle"
                if failing:
                    label += f" ({failing} runs failing!)"
                print(
                    f"{runs:>9,} {polls:>6} {seen:>13,} {seen / elapsed:>9,.0f} "
                    f"{rss:>6.0f} MiB  {label}"
                )
            path.unlink()


if __name__ == "__main__":
    main()
