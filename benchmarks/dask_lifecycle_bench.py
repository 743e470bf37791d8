"""Benchmark: `check_lifecycle` in one process and `check_lifecycle_on_dask` on a local
cluster of 2 workers, side by side on the same file (the same result, checked).

Writes the polls of `lifecycle_bench.py` (R Xceptor runs, each polled K times, the
polls of all runs interleaved), then times: one process (`check_lifecycle`), and the
cluster (started first, not timed) with its default buckets and window. Prints
observations/s, and for the cluster the peak RSS of each worker and of this process
(the client: it receives only the runs' tallies).

Usage: python benchmarks/dask_lifecycle_bench.py [--runs 20000] [--polls 10]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from lifecycle_bench import write_polls

from conformance.engines.cluster import local_cluster
from conformance.lifecycle.check import check_lifecycle
from conformance.lifecycle.on_dask import check_lifecycle_on_dask

SCHEMA = "xceptor.WorkflowRun"


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--polls", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as top:
        path = Path(top) / "polls.jsonl"
        write_polls(path, args.runs, args.polls)
        size = path.stat().st_size / 2**20
        print(f"{args.runs:,} runs x {args.polls} polls, {size:.1f} MiB of JSONL")
        start = time.perf_counter()
        one = check_lifecycle([path], schema=SCHEMA)
        alone = time.perf_counter() - start
        print(f"one process: {one.observations / alone:,.0f} observations/s ({alone:.1f} s)")
        with local_cluster(2) as client:
            client.run(lambda: None)  # type: ignore[no-untyped-call]  # workers up
            start = time.perf_counter()
            dask = check_lifecycle_on_dask([path], client, schema=SCHEMA)
            took = time.perf_counter() - start
            workers = client.run(_peak_rss_mib)  # type: ignore[no-untyped-call]
        assert dask == one, "the cluster's result differs from one process's"
        rss = ", ".join(f"{mib:.0f}" for mib in workers.values())
        print(
            f"dask, 2 workers: {dask.observations / took:,.0f} observations/s ({took:.1f} s); "
            f"peak RSS: workers {rss} MiB, client {_peak_rss_mib():.0f} MiB"
        )


if __name__ == "__main__":
    main()
