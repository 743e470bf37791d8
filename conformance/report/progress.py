"""Progress of long work, as the library reports it: events through a callback.

`validate_paths`, `write_fixtures` and `run_contract` take an `OnProgress` and call it
with a `Progress` when a stage starts, a few times a second while it runs (a `Ticker`
throttles by the clock, so a caller's hot loop pays an integer comparison), and when it
ends. What draws them (a bar on a terminal, a line per stage in CI) is the caller's
business: `conformance.cli.progress` for the command line.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from conformance.records import ReadProblem, Record, read_records
from conformance.records.meter import ReadMeter, input_bytes

T = TypeVar("T")

#: Seconds between two updates a `Ticker` passes on.
EVERY = 0.2


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a stage stands: `done` of `total` `unit`s (`total` None: not known ahead).

    `phase` is "start", "update" or "finish"; `label` says what is being worked on now
    (an operation), `elapsed` is seconds since the stage started.
    """

    stage: str
    phase: str
    done: int
    total: int | None
    unit: str
    elapsed: float = 0.0
    label: str = ""


OnProgress = Callable[[Progress], None]


class Ticker:
    """Sends one stage's `Progress` to `on_progress`, updates at most every `every` s."""

    def __init__(
        self,
        on_progress: OnProgress,
        stage: str,
        total: int | None,
        unit: str,
        every: float = EVERY,
    ) -> None:
        self._send = on_progress
        self._stage, self._total, self._unit = stage, total, unit
        self._every = every
        self._started = time.monotonic()
        self._next = self._started + every

    def _event(self, phase: str, done: int, label: str, now: float) -> Progress:
        elapsed = now - self._started
        return Progress(self._stage, phase, done, self._total, self._unit, elapsed, label)

    def start(self, label: str = "") -> None:
        self._started = now = time.monotonic()
        self._next = now + self._every
        self._send(self._event("start", 0, label, now))

    def update(self, done: int, label: str = "", *, force: bool = False) -> None:
        """Pass `done` on if `every` seconds have gone by since the last update (or `force`)."""
        now = time.monotonic()
        if now >= self._next or force:
            self._next = now + self._every
            self._send(self._event("update", done, label, now))

    def finish(self, done: int, label: str = "") -> None:
        self._send(self._event("finish", done, label, time.monotonic()))


def ticking(items: Iterable[T], ticker: Ticker, done: Callable[[], int]) -> Iterator[T]:
    """`items`, telling `ticker` how far the stage is (`done()`, bytes read say) every 64
    items and at the end: progress for a loop over records that knows nothing of it."""
    ticker.start()
    for seen, item in enumerate(items, 1):
        yield item
        if not seen & 63:
            ticker.update(done())
    ticker.finish(done())


def records_with_progress(
    paths: str | Path | Iterable[str | Path],
    input_format: str | None,
    progress: OnProgress | None,
    stage: str,
) -> Iterator[Record | ReadProblem]:
    """`read_records(paths)`, telling `progress` (when given) the bytes read so far, as
    stage `stage`: for the commands that read every record in one process."""
    if progress is None:
        return read_records(paths, format=input_format)
    paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    meter = ReadMeter()
    ticker = Ticker(progress, stage, input_bytes(paths), "bytes")
    return ticking(read_records(paths, format=input_format, meter=meter), ticker, meter.done)
