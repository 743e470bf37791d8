"""`validate --engine dask --lifecycle`: the runs followed on a Dask cluster, their
observations shuffled to the workers by run identity.

Every rule compares observations of one run, and a `LifecycleTracker` keeps its state
per run: so the observations can be split by run, each part followed by its own
tracker in arrival order, and the parts' tallies put together. Stage 1, per unit (the
units of `validate --engine dask`: `engines/units.py`): a worker reads it, chooses
each record's schema as `check_lifecycle` does, and puts each observation in one of P
buckets by a stable hash of its run key (CRC-32: Python's `hash` of a string differs
between processes). Stage 2, per bucket: a worker feeds that bucket of every unit, in
input order, to the bucket's tracker. Only trackers' tallies come back to the client;
no observation does.

The shuffle is a hand-made two-stage graph of futures, folded window by window: the
units go out `window` at a time; bucket p of each unit of the window is its own small
task (`getitem`, run where the unit's observations are) and one task per bucket folds
them into a copy of that bucket's tracker, the one the previous window left. A window
is W stage-1 tasks, W * P picks and P folds; the client sends window w, then waits for
the folds of window w - 1, so at most two windows are in the graph at once: the graph,
the client's futures and each worker's memory stay bounded by the window and the runs
(a tracker keeps a few observations per run, as one process does), never by the
input's size. A whole-input shuffle (`dask.bag.groupby`, `foldby`, P2P) would hold or
spill every observation at once, and would need sorting back into arrival order; here
arrival order is the order of the folds. The trackers are copied, not changed in
place (O(runs of the bucket) a window), so a fold run twice (a worker lost) gives the
same state.

Each observation carries its arrival position in `seq` (unit index * 2**32 + its place
in the unit): the runs are listed by their first position, as one process lists them
in the order it first saw them, and `ordered_by`'s ways of ordering are put in the
order one process first used them (`LifecycleTracker.first_ordered`) before
`most_common` sorts them by count: ties keep that order, as they do in one process.

Imports Dask: load only for `--engine dask` (the `dask` extra).
"""

from __future__ import annotations

import operator
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from distributed import Client, Future, wait

from conformance.bundle.user_errata import UserErrata, active_errata
from conformance.engines.blocks import Unit, errata_in_force, unit_records
from conformance.engines.cluster import threads_of
from conformance.engines.unit_names import given_name, sent_unit
from conformance.engines.units import file_units
from conformance.lifecycle.check import LifecycleResult
from conformance.lifecycle.observations import Observation, observations_of
from conformance.lifecycle.tracker import LifecycleTracker, RunTally
from conformance.records import Record
from conformance.validation.choose import choose_schema

__all__ = ["Bucket", "Following", "Tally", "bucket_of", "check_lifecycle_on_dask", "observe_unit"]

#: A unit's observations are numbered below this; unit k's start at k * UNIT_SPAN.
UNIT_SPAN = 2**32


@dataclass(frozen=True)
class Bucket:
    """One unit's observations of the runs of one bucket, in arrival order. Not a bare
    list: Dask serializes a list item by item (each observation pickled alone, with its
    own copy of its lifecycle: the whole check four times slower on 100,000
    observations, measured), an object in one pickle."""

    observations: list[Observation]


@dataclass(frozen=True)
class Following:
    """What every unit of one run is observed with (sent with each unit): names and
    flags, the number of buckets, and the user errata in force where the run started."""

    schema: str | None
    vendor: str | None
    identify: bool
    buckets: int
    errata: UserErrata | None = None


@dataclass(frozen=True)
class Tally:
    """One bucket's runs, followed to the end: what a worker sends back."""

    runs: tuple[tuple[int, RunTally], ...]  # (arrival position of its first observation, run)
    observations: int
    ordered_by: tuple[tuple[str, int, tuple[int, int]], ...]  # (how, pairs, first used)


def check_lifecycle_on_dask(
    paths: Iterable[str | Path],
    client: Client,
    *,
    schema: str | None = None,
    vendor: str | None = None,
    identify: bool = False,
    input_format: str | None = None,
    stuck_after: float | None = None,
    buckets: int | None = None,
    window: int | None = None,
) -> LifecycleResult:
    """`check_lifecycle(paths, ...)` followed on the workers of `client`: the same result.
    `buckets`: how many trackers the runs are split over (default: the cluster's
    threads); `window`: units in flight (default: four times the cluster's threads)."""
    if buckets is not None and buckets < 1:
        raise ValueError(f"buckets must be at least 1, not {buckets}")
    threads = threads_of(client)
    how = Following(schema, vendor, identify, buckets or threads, active_errata())
    folded: list[Future[LifecycleTracker]] | None = None
    for part in _windows(enumerate(file_units(list(paths), input_format)), window or 4 * threads):
        previous = folded
        observed = [
            client.submit(observe_unit, sent_unit(unit), given_name(unit), index, how, pure=False)
            for index, unit in part
        ]
        folded = [
            client.submit(
                _fold,
                None if folded is None else folded[p],
                stuck_after,
                *(client.submit(operator.getitem, each, p, pure=False) for each in observed),
                pure=False,
            )
            for p in range(how.buckets)
        ]
        if previous is not None:  # two windows in flight at most: the older is let go
            wait(previous)  # type: ignore[no-untyped-call]
    if folded is None:
        return _merged([])
    tallies = [client.submit(_tallied, tracker, pure=False) for tracker in folded]
    return _merged(client.gather(tallies))  # type: ignore[no-untyped-call]


def observe_unit(
    unit: Unit, names: tuple[str, str] | None, index: int, how: Following
) -> tuple[Bucket, ...]:
    """On a worker: the observations of one unit, each in the bucket of its run, in
    arrival order; numbered from `index * UNIT_SPAN`; `names`: (the file as sent, as the
    user named it), so that the observations name it as one process does."""
    errata_in_force(how.errata)
    buckets = tuple(Bucket([]) for _ in range(how.buckets))
    sent, name = names if names is not None else (None, None)
    at = index * UNIT_SPAN
    for record in unit_records(unit):
        if not isinstance(record, Record):
            continue
        chosen = choose_schema(record, schema=how.schema, vendor=how.vendor, identify=how.identify)
        for seen in observations_of(record, chosen.schema, at):
            named = name if seen.file == sent and name is not None else seen.file
            bucket = buckets[bucket_of(seen.key, how.buckets)]
            bucket.observations.append(replace(seen, file=named, seq=at))
            at += 1
    return buckets


def bucket_of(key: tuple[str, str], buckets: int) -> int:
    """The bucket of a run key: the same in every process (CRC-32, not `hash`)."""
    family, run_id = key
    text = f"{family}\0{run_id}".encode("utf-8", "surrogatepass")
    return zlib.crc32(text) % buckets


def _fold(
    before: LifecycleTracker | None, stuck_after: float | None, *parts: Bucket
) -> LifecycleTracker:
    """On a worker: the bucket's tracker after the window's observations of its runs
    (`parts`, one per unit, in input order); `before` is left as it was."""
    tracker = LifecycleTracker(stuck_after) if before is None else before.copy()
    for part in parts:
        for seen in part.observations:
            tracker.observe(seen)
    return tracker


def _tallied(folded: LifecycleTracker) -> Tally:
    """On a worker: the bucket's runs, followed to the end (`finish`)."""
    tracker = folded.copy()
    tracker.finish()
    return Tally(
        tuple(zip(tracker.firsts(), tracker.runs(), strict=True)),
        tracker.observations,
        tuple((how, n, tracker.first_ordered[how]) for how, n in tracker.ordered_by.items()),
    )


def _merged(tallies: list[Tally]) -> LifecycleResult:
    """The buckets' tallies as one tracker's result: runs by first arrival, and the ways
    of ordering in the order they were first used (in `finish`: after any observation),
    before sorting by count."""
    runs = sorted((run for tally in tallies for run in tally.runs), key=operator.itemgetter(0))
    first: dict[str, tuple[int, int]] = {}
    pairs: Counter[str] = Counter()
    for tally in tallies:
        for how, n, at in tally.ordered_by:
            first[how] = min(at, first.get(how, at))
            pairs[how] += n
    ordered = Counter({how: pairs[how] for how in sorted(first, key=first.__getitem__)})
    return LifecycleResult(
        tuple(run for _, run in runs),
        sum(tally.observations for tally in tallies),
        tuple(ordered.most_common()),
    )


def _windows(units: Iterable[tuple[int, Unit]], size: int) -> Iterator[list[tuple[int, Unit]]]:
    part: list[tuple[int, Unit]] = []
    for unit in units:
        part.append(unit)
        if len(part) >= size:
            yield part
            part = []
    if part:
        yield part
