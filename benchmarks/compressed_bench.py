"""Benchmark: validating a JSONL recording plain and compressed (gzip, bz2, xz, zstd).

Generates the Xceptor-like JSONL of `validate_bench.py` (~1 KB a record, 5 % invalid,
seeded), writes it compressed by each codec, and times `runconform validate -q` on each
file as a subprocess (start-up included), with `--jobs 1` and `--jobs 2`: the best
records/s of `--repeat` runs, the rows alternating, and the peak RSS.

Usage: python benchmarks/compressed_bench.py [--records 100000] [--repeat 3] [--jobs 1 2]
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import lzma
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from validate_bench import OBJECT, generate  # the same records as there


def _zstd(source: Path, target: Path) -> None:
    import zstandard

    with source.open("rb") as src, target.open("wb") as dst:
        zstandard.ZstdCompressor(level=3).copy_stream(src, dst)


def _stdlib(opener: Callable[..., object]) -> Callable[[Path, Path], None]:
    def write(source: Path, target: Path) -> None:
        with source.open("rb") as src, opener(target, "wb") as dst:  # type: ignore[attr-defined]
            shutil.copyfileobj(src, dst, 1 << 20)

    return write


WRITERS: dict[str, tuple[str, Callable[[Path, Path], None]]] = {
    "gzip": (".gz", _stdlib(gzip.open)),
    "bz2": (".bz2", _stdlib(bz2.open)),
    "xz": (".xz", _stdlib(lzma.open)),
    "zstd": (".zst", _zstd),
}
PROBE = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)"
)


def timed(path: Path, jobs: int) -> tuple[float, float]:
    """(seconds, peak RSS MiB) of one `runconform validate` run."""
    command = [sys.executable, "-m", "conformance", "validate", str(path), "--schema", OBJECT]
    command += ["-q", "--jobs", str(jobs), "--output", os.devnull]
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PROBE, *command], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    rss_kib, code = done.stdout.split()
    if code not in ("0", "1"):
        raise SystemExit(f"{path}: exit {code}\n{done.stderr}")
    return elapsed, int(rss_kib) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--codecs", nargs="+", default=["plain", *WRITERS])
    parser.add_argument("--workdir", type=Path, default=Path("benchmarks/out"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    plain = args.workdir / "compressed-bench.jsonl"
    size = generate(plain, args.records, 0.05, 7)
    files = {"plain": plain}
    for codec in args.codecs:
        if codec != "plain":
            suffix, write = WRITERS[codec]
            files[codec] = plain.with_name(plain.name + suffix)
            write(plain, files[codec])
    print(f"{args.records:,} records, {size / 1e6:.1f} MB plain")
    header = f"{'input':<8}{'on disk':>10}{'jobs':>6}{'best records/s':>16}{'spread':>9}"
    print(header + f"{'RSS MiB':>9}")
    rows = [(codec, jobs) for codec in files for jobs in args.jobs]
    seconds: dict[tuple[str, int], list[float]] = {row: [] for row in rows}
    rss: dict[tuple[str, int], float] = {}
    for _ in range(args.repeat):
        for codec, jobs in rows:
            elapsed, peak = timed(files[codec], jobs)
            seconds[(codec, jobs)].append(elapsed)
            rss[(codec, jobs)] = max(rss.get((codec, jobs), 0.0), peak)
    for codec, jobs in rows:
        best, worst = min(seconds[(codec, jobs)]), max(seconds[(codec, jobs)])
        disk = files[codec].stat().st_size / 1e6
        print(
            f"{codec:<8}{disk:>8.1f}MB{jobs:>6}{args.records / best:>16,.0f}"
            f"{(worst / best - 1) * 100:>8.0f}%{rss[(codec, jobs)]:>9.0f}"
        )


if __name__ == "__main__":
    main()
