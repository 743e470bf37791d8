"""Benchmark: what the installed pytest plugin costs a project that does not use it.

Runs `pytest --collect-only` on a throwaway project of one trivial test, alternating
with and without the plugin (`-p no:runconform`), and prints the medians of wall and
CPU time and their difference. Public tools only: `python benchmarks/collect_bench.py`.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each variant")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "test_nothing.py").write_text("def test_nothing():\n    pass\n")
        variants = ("with the plugin", "-p no:runconform")
        times: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in variants}
        for _ in range(args.runs):
            for name in variants:
                extra = ["-p", "no:runconform"] if name.startswith("-p") else []
                command = [sys.executable, "-m", "pytest", "--collect-only", "-q"]
                command += ["-p", "no:cacheprovider", *extra]
                wall, cpu = time.perf_counter(), _child_cpu()
                subprocess.run(command, cwd=folder, capture_output=True, check=True)
                times[name][0].append(time.perf_counter() - wall)
                times[name][1].append(_child_cpu() - cpu)
    medians = {k: (statistics.median(w), statistics.median(c)) for k, (w, c) in times.items()}
    for name, (wall, cpu) in medians.items():
        line = f"{name:20} wall {wall * 1000:6.0f} ms   cpu {cpu * 1000:6.0f} ms"
        print(f"{line}   (median of {args.runs})")
    (w1, c1), (w0, c0) = medians.values()
    print(f"{'difference':20} wall {(w1 - w0) * 1000:+6.0f} ms   cpu {(c1 - c0) * 1000:+6.0f} ms")


if __name__ == "__main__":
    main()
