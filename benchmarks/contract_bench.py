"""Benchmark: what runconform's checks add to a Schemathesis run, side by side in one run.

Against the reference simulator of each vendor (loopback HTTP, no rate limit,
same seed, same cases), runs the contract twice: Schemathesis' built-in checks
only, then built-in plus runconform's five checks, and prints the wall time of
each and the overhead. Each pair is repeated and the medians compared.

Usage: python benchmarks/contract_bench.py [--max-examples 50] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

from conformance.contract import ContractOptions, run_contract
from conformance.simulator import start

VENDORS = ("hatchet", "knock", "paragon", "restack", "xceptor")
TOKEN = "bench-token"


def timed(vendor: str, url: str, known: dict[str, str], examples: int, ours: bool) -> float:
    options = ContractOptions(
        base_url=url,
        max_examples=examples,
        rate_limit=0,
        seed=7,
        headers=(("Authorization", f"Bearer {TOKEN}"),),
        path_parameters=tuple(known.items()),
        our_checks=ours,
    )
    started = time.perf_counter()
    result = run_contract(vendor, options)
    elapsed = time.perf_counter() - started
    assert result.ok, [(f.check, f.message) for f in result.failures]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"max_examples={args.max_examples} per operation, median of {args.repeat} runs each")
    print(f"  {'vendor':<8} {'built-in only':>14} {'+ runconform':>14} {'overhead':>9}")
    totals = [0.0, 0.0]
    for vendor in VENDORS:
        with start(vendor, seed=1, token=TOKEN, speed=0) as sim:
            known = sim.known_path_parameters()
            timed(vendor, sim.url, known, 2, True)  # warm caches (schemas, validators)
            base, ours = [], []
            for _ in range(args.repeat):  # interleaved, so drift in machine load hits both
                base.append(timed(vendor, sim.url, known, args.max_examples, False))
                ours.append(timed(vendor, sim.url, known, args.max_examples, True))
        b, o = statistics.median(base), statistics.median(ours)
        totals[0] += b
        totals[1] += o
        print(f"  {vendor:<8} {b:>12.2f} s {o:>12.2f} s {100 * (o - b) / b:>8.1f}%")
    b, o = totals
    print(f"  {'all':<8} {b:>12.2f} s {o:>12.2f} s {100 * (o - b) / b:>8.1f}%")


if __name__ == "__main__":
    main()
