"""Benchmark: `runconform drift` over a long stream of records, its speed and peak memory.

Streams N generated records with drift planted at known rates (tests/drift_corpus.py)
into `runconform drift - --schema OBJECT` through a pipe, so ten million records need
no 10 GB file; then prints records/s, the child's peak RSS (MiB), and whether the
counts it reported are exactly the planted ones.

`--sparse K` makes every plant K times rarer (K=1: about a quarter of the Hatchet
records carry some drift; K=10: about 2.5 %, closer to a real vendor's corpus).

Usage: python benchmarks/drift_bench.py [--records 100000] [--object hatchet.V1TaskSummary]
                                        [--sparse 10]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from drift_corpus import planted_counts, planted_lines  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--object", default="hatchet.V1TaskSummary")
    parser.add_argument("--sparse", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "drift.json"
        command = [
            sys.executable, "-m", "conformance", "drift", "-", "--schema", args.object,
            "--output-format", "json", "-o", str(report),
        ]  # fmt: skip
        started = time.perf_counter()
        child = subprocess.Popen(command, stdin=subprocess.PIPE, text=True, bufsize=1 << 20)
        assert child.stdin is not None
        batch: list[str] = []
        for line in planted_lines(args.object, args.records, sparse=args.sparse):
            batch.append(line)
            if len(batch) == 10_000:
                child.stdin.write("".join(batch))
                batch.clear()
        child.stdin.write("".join(batch))
        child.stdin.close()
        code = child.wait()
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
        found = json.loads(report.read_text(encoding="utf-8"))
    got = {
        (c["details"]["kind"], c["details"]["field"], c["details"]["detail"]): c["details"][
            "records"
        ]
        for c in found["results"]
        if c.get("details") and c["details"]["kind"] != "unseen"
    }
    expected = planted_counts(args.object, args.records, args.sparse)
    print(f"object            {args.object} (plants 1/{args.sparse} as often as the tests')")
    print(f"records           {args.records:,} (exit {code})")
    print(f"elapsed           {elapsed:,.1f} s")
    print(f"rate              {args.records / elapsed:,.0f} records/s")
    print(f"peak RSS (drift)  {peak:,.1f} MiB")
    print(f"counts exact      {got == expected}")
    if got != expected:
        print(f"  expected {expected}\n  got      {got}")
    return 0 if got == expected else 1


if __name__ == "__main__":
    sys.exit(main())
