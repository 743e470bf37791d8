"""Benchmark: `runconform diff` on Hatchet's two contracts, in-process.

Times, separately, reading each side (the catalogue split: two OpenAPI files; Hatchet's
own multi-file document, the subset in contracts/ and, when present, the whole of it in
../shared/vendor-sources), comparing them (default scope and --all), and re-validating the
bundled Hatchet recordings against both; prints the medians and the peak memory.
Public API only: `python benchmarks/diff_bench.py`.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conformance.diff.compare import catalog_scope, diff_contracts
from conformance.diff.recordings import diff_recordings
from conformance.diff.sources import load_contract

ROOT = Path(__file__).resolve().parent.parent
OLD = ROOT / "tests/data/hatchet-catalogue-split"
NEWS = (
    ROOT / "contracts/hatchet/upstream-openapi",
    ROOT.parent / "shared/vendor-sources/hatchet/upstream-openapi",
)


def _median(runs: int, work: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each step")
    args = parser.parse_args()
    seconds, old = _median(args.runs, lambda: load_contract(OLD))
    print(f"read OLD  {OLD.relative_to(ROOT)}: {seconds * 1000:7.1f} ms")
    for new_path in NEWS:
        if not new_path.is_dir():
            continue
        inside = new_path.is_relative_to(ROOT)
        shown = new_path.relative_to(ROOT if inside else ROOT.parent)
        seconds, new = _median(args.runs, lambda p=new_path: load_contract(p))
        print(f"read NEW  {shown}: {seconds * 1000:7.1f} ms")
        for everything in (False, True):
            scope = catalog_scope(everything)
            seconds, found = _median(args.runs, lambda s=scope, n=new: diff_contracts(old, n, s))
            what = "--all   " if everything else "default "
            print(f"compare  {what}{len(found.changes):4d} changes: {seconds * 1000:7.1f} ms")
        seconds, _ = _median(
            args.runs,
            lambda n=new: diff_recordings(old, n, [ROOT / "contracts/recordings/hatchet"]),
        )
        print(f"recordings (7 records, both sides): {seconds * 1000:7.1f} ms")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
