"""Benchmark: `runconform validate` in one process, with `--jobs 2`, and on Dask, side by side.

Generates the JSONL corpus of `validate_bench.py` (~1 KB Xceptor runs, 5 % invalid,
seeded; uncompressed: compressed inputs are another branch's), then runs, on the same
file in one run on one machine, each as a `runconform validate` subprocess (start-up,
reading and the output included):

* one process;
* `--jobs 2`;
* `--engine dask --jobs 2`: the command starts a `LocalCluster` of 2 workers and stops it;
* `--engine dask --scheduler ADDRESS`: a `LocalCluster` of 2 workers already running
  (started here), as on a real cluster.

For each: records/s, the peak RSS of the command's largest process, and for the running
cluster the peak RSS of each Dask worker (asked of the workers with `client.run`).
Scaling efficiency is a row's rate over twice the one-process rate (1.00: two workers
do twice the work of one). Best of `--repeat`, the rows alternating.

Usage: python benchmarks/dask_bench.py [--records 200000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from validate_bench import OBJECT, generate, machine_scaling

from conformance.engines.cluster import local_cluster

PROBE = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)"
)


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def runconform(path: Path, records: int, out: Path, *flags: str) -> tuple[float, float]:
    """(records/s end to end, peak RSS MiB of the command's largest process)."""
    command = [sys.executable, "-m", "conformance", "validate", str(path), "--schema", OBJECT]
    command += ["-q", "--output", str(out), *flags]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *command], capture_output=True, text=True, check=True
    )
    elapsed = time.perf_counter() - start
    rss_kib, code = done.stdout.split()
    assert code == "1", done.stdout + done.stderr  # the corpus has failing records
    return records / elapsed, int(rss_kib) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--invalid", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path("benchmarks/out"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    data = args.workdir / "xceptor-runs.jsonl"
    size = generate(data, args.records, args.invalid, args.seed)
    print(
        f"{args.records:,} records, {size / 2**20:.1f} MiB of JSONL (uncompressed), "
        f"{args.invalid:.0%} invalid; best of {args.repeat}"
    )
    with local_cluster(2) as client:
        address = client.scheduler.address
        rows = {
            "one process": ("--jobs", "1"),
            "--jobs 2": ("--jobs", "2"),
            "--engine dask --jobs 2 (cluster started by the command)": (
                "--engine",
                "dask",
                "--jobs",
                "2",
            ),
            "--engine dask --scheduler (2 workers running)": (
                "--engine",
                "dask",
                "--scheduler",
                address,
            ),
        }
        best: dict[str, tuple[float, float]] = {}
        for _ in range(args.repeat):
            for i, (name, flags) in enumerate(rows.items()):
                got = runconform(data, args.records, args.workdir / f"dask-{i}.txt", *flags)
                best[name] = max(best.get(name, got), got)
        workers = client.run(_peak_rss_mib)
    single = best["one process"][0]
    print("records/s end to end | scaling efficiency (rate / 2x one process) | peak RSS:")
    for name, (rate, rss) in best.items():
        efficiency = "" if name == "one process" else f"{rate / (2 * single):5.2f}"
        print(f"  {name:<58} {rate:>9,.0f}/s  {efficiency:>5}  {rss:6.0f} MiB")
    shown = ", ".join(f"{rss:.0f} MiB" for rss in workers.values())
    print(f"  peak RSS of each Dask worker of the running cluster: {shown}")
    print(f"  this machine's pure-CPU scaling with 2 processes: {machine_scaling():.2f}x")


if __name__ == "__main__":
    main()
