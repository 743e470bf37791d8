"""Benchmark: one process, `--jobs 2` and Dask, side by side on one compressed corpus.

Writes a folder of gzip JSONL shards (the ~1.3 KB Xceptor runs of `validate_bench.py`,
5 % invalid, seeded; each shard's records its own) until it holds `--compressed-mib`
of compressed bytes (1 GiB by default; kept in `--workdir` and reused when its manifest
matches), then times `runconform validate FOLDER --schema xceptor.WorkflowRun -q`
on it, each row a fresh subprocess (start-up, reading, decompression and the text
report included):

* one process;
* `--jobs 2`: a pool of 2 worker processes;
* `--engine dask --scheduler ADDRESS`: a Dask `LocalCluster` of 2 single-threaded
  worker processes, started for the row and stopped after it (as a real cluster is
  already running when a command reaches it).

For each row: records/s, scaling efficiency (its rate over twice the one-process rate;
1.00 is perfect), the peak RSS of the command's own process (reading, merging and
writing the report) and of each worker (`RUSAGE_CHILDREN` of the pool; each Dask
worker asked with `client.run`). Best of `--repeat`, the rows alternating.

Usage: python benchmarks/dask_bench.py [--compressed-mib 1024] [--shards 32] [--repeat 1]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from validate_bench import OBJECT, machine_scaling, make_run

#: Run in a fresh interpreter: the command in this process, then its own peak RSS and
#: the largest of its children's (the `--jobs` pool's workers), in KiB.
PROBE = (
    "import resource, sys\n"
    "from conformance.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
    " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)\n"
)


def corpus(folder: Path, compressed_mib: int, shards: int, invalid: float, seed: int) -> int:
    """The folder of gzip shards (written unless its manifest says it is there): records."""
    manifest = folder / "manifest.json"
    wanted = {"compressed_mib": compressed_mib, "shards": shards, "invalid": invalid, "seed": seed}
    if manifest.exists():
        known = json.loads(manifest.read_text())
        if known["wanted"] == wanted:
            return int(known["records"])
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.jsonl.gz"):
        old.unlink()
    per_shard = compressed_mib * 2**20 // shards
    rng = random.Random(seed)
    records = 0
    for shard in range(shards):
        path = folder / f"runs-{shard:03d}.jsonl.gz"
        with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) as out:
            while raw.tell() < per_shard:
                lines = [json.dumps(make_run(rng, rng.random() < invalid)) for _ in range(2000)]
                out.write(("\n".join(lines) + "\n").encode())
                records += len(lines)
        print(f"  wrote {path.name} ({path.stat().st_size / 2**20:.0f} MiB)", file=sys.stderr)
    manifest.write_text(json.dumps({"wanted": wanted, "records": records}))
    return records


def timed(folder: Path, out: Path, *flags: str) -> tuple[float, float, float]:
    """(seconds, peak RSS MiB of the command's process, of its largest child process)."""
    command = ["validate", str(folder), "--schema", OBJECT, "-q", "--output", str(out), *flags]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *command], capture_output=True, text=True, check=True
    )
    elapsed = time.perf_counter() - start
    own, children, code = done.stdout.split()[-3:]
    assert code == "1", done.stdout + done.stderr  # the corpus has failing records
    return elapsed, int(own) / 1024, int(children) / 1024


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def on_dask(folder: Path, out: Path) -> tuple[float, float, list[float]]:
    """(seconds, the command's peak RSS MiB, each worker's) on a fresh 2-worker cluster."""
    from conformance.engines.cluster import local_cluster

    with local_cluster(2) as client:
        address = client.scheduler.address
        seconds, own, _ = timed(folder, out, "--engine", "dask", "--scheduler", address)
        workers = sorted(client.run(_peak_rss_mib).values())
    return seconds, own, workers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compressed-mib", type=int, default=1024)
    parser.add_argument("--shards", type=int, default=32)
    parser.add_argument("--invalid", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("benchmarks/out"))
    args = parser.parse_args()
    folder = args.workdir / f"corpus-{args.compressed_mib}mib"
    records = corpus(folder, args.compressed_mib, args.shards, args.invalid, args.seed)
    packed = sum(p.stat().st_size for p in folder.glob("*.jsonl.gz"))
    print(
        f"{records:,} records in {args.shards} gzip JSONL shards, {packed / 2**30:.2f} GiB "
        f"compressed, {args.invalid:.0%} invalid; best of {args.repeat}"
    )
    out = args.workdir / "dask-bench-report.txt"
    best: dict[str, tuple[float, float, list[float]]] = {}
    for _ in range(args.repeat):
        seconds, own, child = timed(folder, out, "--jobs", "1")
        rows = {"one process": (seconds, own, [])}
        seconds, own, child = timed(folder, out, "--jobs", "2")
        rows["--jobs 2"] = (seconds, own, [child])
        rows["--engine dask, LocalCluster of 2 workers"] = on_dask(folder, out)
        for name, row in rows.items():
            if name not in best or row[0] < best[name][0]:
                best[name] = row
    single = records / best["one process"][0]
    print(f"  {'':<42} {'records/s':>10} {'efficiency':>10}  peak RSS: command, each worker")
    for name, (seconds, own, workers) in best.items():
        rate = records / seconds
        efficiency = "" if name == "one process" else f"{rate / (2 * single):.2f}"
        each = ", ".join(f"{rss:.0f}" for rss in workers) or "(none)"
        print(f"  {name:<42} {rate:>10,.0f} {efficiency:>10}  {own:.0f} MiB; {each} MiB")
    print("  (--jobs 2: the pool's largest worker; its workers are not told apart)")
    print(f"  this machine's pure-CPU scaling with 2 processes: {machine_scaling():.2f}x")


if __name__ == "__main__":
    main()
