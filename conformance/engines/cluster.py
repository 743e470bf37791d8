"""Validate on a Dask cluster (`--engine dask`), in input order, in bounded memory.

The same units and the same judging as `--jobs` (`blocks.judge_unit`), with Dask
futures instead of a process pool: a JSONL file goes out as `LineBlock`s that name
their bytes (each worker reads its own), any other recording as one `DocumentFile`
that the worker reads and judges whole. At most `window` units are in flight and
verdicts are merged in input order (`processes.merged_in_order`), so the results are those
of one process, and memory does not grow with the input on either side. A worker
lost mid-run costs only a retry: Dask runs its units again elsewhere, and judging
a unit twice gives the same verdict.

Workers must see the input paths (a `LocalCluster` shares this machine's files; on a
real cluster the inputs must be on storage every worker mounts). Imports Dask: load
this module only for `--engine dask` (the `dask` extra).
"""

from __future__ import annotations

import importlib.util
import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from distributed import Client, Future, LocalCluster

from conformance.engines.blocks import (
    BlockVerdict,
    Unit,
    clean_template,
    judge_unit,
    judging,
)
from conformance.engines.processes import Judged, judged_progress, merged_in_order, remembered
from conformance.engines.unit_names import given_name, sent_unit
from conformance.engines.units import file_units
from conformance.errors import UsageError
from conformance.records.meter import input_bytes
from conformance.report.progress import OnProgress, Ticker
from conformance.validation.options import ValidationOptions

__all__ = [
    "dashboard",
    "dask_client",
    "local_cluster",
    "threads_of",
    "validate_on_dask",
    "windowed",
    "worked",
]

H = TypeVar("H")  # what every unit of a run is worked with
R = TypeVar("R")  # what a worker sends back for one unit


def validate_on_dask(
    paths: Iterable[str | Path],
    client: Client,
    *,
    schema: str | None = None,
    vendor: str | None = None,
    identify: bool = False,
    options: ValidationOptions | None = None,
    input_format: str | None = None,
    clean: str = "each",
    window: int | None = None,
    progress: OnProgress | None = None,
    keep: int | None = None,
    errors_only: bool = False,
) -> Iterator[Judged]:
    """`processes.validate_paths` judged on the workers of `client`: the same results in
    the same order. `window` bounds the units in flight (default: twice the cluster's
    threads); `progress` hears of the bytes judged (stage "validate", unit "bytes");
    `keep`, `errors_only`: as there."""
    paths = list(paths)
    opts = options or ValidationOptions()
    how = judging(schema, vendor, identify, opts, clean, keep, errors_only)
    template = clean_template(how)  # an unknown schema name fails here, before any work
    judged = worked(client, judge_unit, paths, input_format, how, window, progress, "validate")
    done = remembered((unit, _named_back(verdict, unit)) for unit, verdict in judged)
    return merged_in_order(done, template, how.count_clean)


def worked(
    client: Client,
    work: Callable[[Unit, H], R],
    paths: list[str | Path],
    input_format: str | None,
    how: H,
    window: int | None,
    progress: OnProgress | None,
    stage: str,
) -> Iterator[tuple[Unit, R]]:
    """(unit, `work(unit, how)` run on a worker) for every unit of `paths`, in input
    order (`windowed`; `window` by default twice the cluster's threads); `progress`
    hears of the bytes worked through, as stage `stage`. What every Dask command runs."""
    units = file_units(paths, input_format)
    done = windowed(client, work, units, how, window or 2 * threads_of(client))
    if progress is None:
        return done
    return judged_progress(done, Ticker(progress, stage, input_bytes(paths), "bytes"))


def threads_of(client: Client) -> int:
    """The threads of the cluster's workers (at least 1)."""
    return max(1, sum(client.nthreads().values()))  # type: ignore[no-untyped-call]


def dashboard(client: Client) -> str | None:
    """Where Dask's own diagnostics (task stream, worker memory) are shown: the
    scheduler's dashboard, when it serves one (it needs Bokeh)."""
    served = client.run_on_scheduler(_has_bokeh)  # type: ignore[no-untyped-call]
    return str(client.dashboard_link) if served else None


def _has_bokeh() -> bool:
    """On the scheduler: whether its HTTP server can show the dashboard pages."""
    return importlib.util.find_spec("bokeh") is not None


@contextmanager
def dask_client(scheduler: str | None = None, workers: int = 2) -> Iterator[Client]:
    """A client of the scheduler at `scheduler` (tcp://host:8786), else of a
    `local_cluster(workers)` started for the run and closed after it."""
    if scheduler is None:
        with local_cluster(workers) as client:
            yield client
        return
    try:
        client = Client(scheduler, timeout="10s")  # type: ignore[no-untyped-call]
    except (OSError, ValueError) as error:  # refused, timed out, or no such address
        raise UsageError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
    with client:
        yield client


@contextmanager
def local_cluster(workers: int) -> Iterator[Client]:
    """A client of a `LocalCluster` of `workers` single-threaded processes on 127.0.0.1,
    closed on leaving; its dashboard (with Bokeh installed) on a free loopback port."""
    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",  # loopback, any free port
            # a worker's log is not the report's: its errors reach the run as failed futures,
            # and the heartbeat a worker misses while the cluster closes is no one's concern
            silence_logs=logging.CRITICAL,
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        yield client


def windowed(
    client: Client, work: Callable[[Unit, H], R], units: Iterable[Unit], how: H, window: int
) -> Iterator[tuple[Unit, R]]:
    """(unit, `work(unit, how)` run on a worker) in input order, with at most `window`
    units in flight; each unit is sent as a worker finds it (`unit_names.sent_unit`).

    `pure=False`: each unit is its own task, even when the same file is given twice."""
    in_flight: deque[tuple[Unit, Future[R]]] = deque()
    try:
        for unit in units:
            sent = client.submit(work, sent_unit(unit), how, pure=False)
            in_flight.append((unit, sent))
            if len(in_flight) >= window:
                done, future = in_flight.popleft()
                yield done, future.result()
        while in_flight:
            done, future = in_flight.popleft()
            yield done, future.result()
    finally:  # stopped early (--max-failures): the cluster drops what is left
        if in_flight and client.status == "running":
            client.cancel([future for _, future in in_flight])  # type: ignore[no-untyped-call]


def _named_back(verdict: BlockVerdict, unit: Unit) -> BlockVerdict:
    """`verdict` with the file named as the user named it, not as it was sent
    (`unit_names.sent_unit`)."""
    names = given_name(unit)
    if names is None:
        return verdict
    sent, name = names
    results = tuple(
        r._replace(locator=r.locator._replace(file=name))
        if r.locator is not None and r.locator.file == sent
        else r
        for r in verdict.results
    )
    return verdict._replace(results=results)
