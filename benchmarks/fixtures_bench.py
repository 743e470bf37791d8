"""Benchmark: fixture generation, runconform's bulk path vs the Hypothesis-based routes.

Side by side, in one run, for one object (default xceptor.WorkflowRun):

* `generate()`: the bulk path (seeded random.Random, no Hypothesis engine), in
  one process and in two (one seed each, the machine's two cores);
* `strategy()` under `@given`: the same generator, every decision a Hypothesis draw;
* hypothesis-jsonschema's `from_schema` on the inlined bundled schema, raw
  (or the error that stops it);
* Schemathesis 4's own generator (`operation.as_strategy()` on an OpenAPI 3.1
  request body), raw, and through `strategy(backend="schemathesis")`
  (pruned, sanitised, filtered).

Every output is checked afterwards (not timed): "valid" is the bundled
corrected schema with formats asserted (jsonschema-rs); "sane" is valid, no
undocumented property (drift) and no broken run invariant.

The bulk row is repeated for `--also` objects (by default two ~1 KB runs; the
generated xceptor.WorkflowRun averages about 0.5 KB of compact JSON).

Usage: python benchmarks/fixtures_bench.py [--object NAME] [--n 50000] [--examples 300]
       [--only-bulk]  (only the 1-process bulk rows: quick before/after runs)
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings

from conformance.generate import generate, strategy, write_fixtures
from conformance.generate.backends import inline_schema, raw_strategy
from conformance.validation.semantics import check_invariants
from conformance.validation.validators import validators_for


@dataclass(frozen=True)
class Row:
    route: str
    count: int
    seconds: float
    size: float  # mean compact JSON bytes
    valid: float  # share
    sane: float  # share
    note: str = ""

    def render(self) -> str:
        if not self.count:
            return f"| {self.route} | - | - | - | - | {self.note} |"
        rate = self.count / self.seconds
        return (
            f"| {self.route} | {rate:,.0f} | {self.size:,.0f} B | {self.valid:.1%} | "
            f"{self.sane:.1%} | {self.note} |"
        )


def judge(name: str, route: str, items: list[Any], seconds: float, note: str = "") -> Row:
    validators = validators_for(name)
    valid = [x for x in items if validators.fast.is_valid(x)]
    sane = [
        x for x in valid if validators.fast_strict.is_valid(x) and not check_invariants(x, name)
    ]
    size = sum(len(json.dumps(x, separators=(",", ":"))) for x in items) / max(len(items), 1)
    n = max(len(items), 1)
    return Row(route, len(items), seconds, size, len(valid) / n, len(sane) / n, note)


def bulk(name: str, n: int, label: str = "") -> Row:
    list(generate(name, 200, 1))  # compile and warm the caches outside the timing
    times = []
    for seed in (7, 8, 9):  # the median of three runs: the machine is shared
        start = time.perf_counter()
        for _ in generate(name, n, seed):  # streamed, as write_fixtures does
            pass
        times.append(time.perf_counter() - start)
    items = list(generate(name, n, 8))  # the same seed gives the same objects: check them all
    note = "median of 3 runs, streamed"
    return judge(name, f"bulk `generate()`, 1 process{label}", items, sorted(times)[1], note)


def written(name: str, n: int) -> Row:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "runs.jsonl"
        start = time.perf_counter()
        write_fixtures(name, n, 7, "jsonl", out)
        seconds = time.perf_counter() - start
        items = [json.loads(line) for line in out.read_text().splitlines()]
    return judge(name, "`write_fixtures(..., 'jsonl', path)`", items, seconds, "incl. JSON + file")


def _worker(args: tuple[str, int, int]) -> int:
    name, n, seed = args
    return sum(1 for _ in generate(name, n, seed))


def bulk_parallel(name: str, n: int, jobs: int) -> Row:
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_worker, [(name, 200, s) for s in range(jobs)]))  # warm each worker
        start = time.perf_counter()
        done = sum(pool.map(_worker, [(name, n // jobs, 100 + s) for s in range(jobs)]))
        seconds = time.perf_counter() - start
    sample = [x for s in range(jobs) for x in generate(name, n // jobs, 100 + s)]  # same objects
    row = judge(name, f"bulk `generate()`, {jobs} processes", sample, 1.0, "one seed each")
    return Row(row.route, done, seconds, row.size, row.valid, row.sane, row.note)


def under_given(name: str, route: str, make: Callable[[], Any], examples: int) -> Row:
    items: list[Any] = []
    try:
        strat = make()

        @settings(
            max_examples=examples,
            database=None,
            deadline=None,
            derandomize=True,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(strat)
        def collect(value: Any) -> None:
            items.append(value)

        start = time.perf_counter()
        collect()
        seconds = time.perf_counter() - start
    except Exception as exc:  # the route's own failure is the result
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return Row(route, 0, 0.0, 0.0, 0.0, 0.0, f"fails: {type(exc).__name__}: {message}")
    return judge(name, route, items, seconds, f"{examples} examples asked")


def hypothesis_jsonschema_raw(name: str) -> Any:
    from hypothesis import strategies as st
    from hypothesis_jsonschema import from_schema

    return from_schema(inline_schema(name), custom_formats={"uuid": st.uuids().map(str)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--object", default="xceptor.WorkflowRun")
    parser.add_argument("--n", type=int, default=50_000, help="fixtures for the bulk rows")
    parser.add_argument("--examples", type=int, default=300, help="examples per Hypothesis row")
    parser.add_argument(
        "--also",
        default="knock.WorkflowRecipientRunDetail,hatchet.V1TaskSummary",
        help="more objects for the bulk row (comma-separated; ~1 KB runs by default)",
    )
    parser.add_argument(
        "--only-bulk", action="store_true", help="only the 1-process bulk rows (quick A/B runs)"
    )
    args = parser.parse_args()
    name = args.object
    print(f"object {name}; {os.cpu_count()} CPUs; bulk n={args.n:,}; examples={args.examples}")
    if args.only_bulk:
        others = [o for o in args.also.split(",") if o]
        render([bulk(name, args.n)] + [bulk(other, args.n, f": {other}") for other in others])
        return
    rows = [
        bulk(name, args.n),
        bulk_parallel(name, args.n, 2),
        written(name, args.n),
        under_given(name, "`strategy()` (default backend) under @given",
                    lambda: strategy(name), args.examples),
        under_given(name, "hypothesis-jsonschema `from_schema`, raw",
                    lambda: hypothesis_jsonschema_raw(name), args.examples),
        under_given(name, "`strategy(backend='hypothesis-jsonschema')`",
                    lambda: strategy(name, backend="hypothesis-jsonschema"), args.examples),
        under_given(name, "Schemathesis `as_strategy()` body, raw",
                    lambda: raw_strategy(name, "schemathesis"), args.examples),
        under_given(name, "`strategy(backend='schemathesis')` (pruned, sanitised, filtered)",
                    lambda: strategy(name, backend="schemathesis"), args.examples),
    ]  # fmt: skip
    rows[1:1] = [bulk(other, args.n, f": {other}") for other in args.also.split(",") if other]
    render(rows)


def render(rows: list[Row]) -> None:
    print()
    print("| route | fixtures/s | mean size | valid | sane | note |")
    print("|---|---:|---:|---:|---:|---|")
    for row in rows:
        print(row.render())


if __name__ == "__main__":
    main()
