"""The simulator's run store: seeded fixture runs plus runs created by writes, on a simulated clock.

Seeded runs are static snapshots (`conformance.generate.generate`, so every one is valid and
sane). A run created by a write follows a `Lifecycle` drawn from the seed and is rendered from
the clock at read time: queued for `QUEUE_SECONDS`, running for 1-3 s, then terminal (80 %
success). Rendering is a pure function of (run, now), so every read sees a consistent object and
the same seed, requests and clock give the same bodies (lifecycle drift, but `stuck` and
`cancel-ignored`, is applied to responses by the server: `lifecycle_drift`).
"""

from __future__ import annotations

import copy
import math
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from conformance.bundle.run_profiles import load_profiles
from conformance.generate import generate
from conformance.simulator.facets import add_facets
from conformance.simulator.journal import Journal
from conformance.simulator.lifecycle_drift import LifecycleDrift
from conformance.simulator.pointers import format_instant as format_instant  # re-exported
from conformance.simulator.pointers import get as get
from conformance.simulator.pointers import put as put
from conformance.simulator.vendor_specs import KINDS, SPECS
from conformance.validation.instants import parse_instant

QUEUE_SECONDS = 1.0
RUN_SECONDS = (1.0, 3.0)
SUCCESS_RATE = 0.8
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
GROUP_POOL = 3  # seeded runs are spread over this many values per group
KIND_SEED_OFFSET = 7919  # another kind's bodies and write ids come from another seed


class Clock:
    """Simulated time: a start instant plus real time times `speed`, plus manual advances.

    `speed=0` freezes time so tests move it with `advance()` and never sleep.
    """

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        self.start = start
        self.speed = speed
        self._t0 = time.monotonic()
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            elapsed = (time.monotonic() - self._t0) * self.speed + self._offset
        return self.start + timedelta(seconds=elapsed)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds


@dataclass(frozen=True)
class Lifecycle:
    """When a run made by a write starts and ends, and how it ends (drawn from the seed)."""

    created: datetime
    started: datetime
    finished: datetime
    succeeds: bool


@dataclass
class _Run:
    seq: int
    body: dict[str, Any]
    lifecycle: Lifecycle | None = None
    cancelled: datetime | None = None
    groups: dict[str, Any] = field(default_factory=dict)


def _cycle(data: dict[str, Any] | None) -> Lifecycle | None:
    if data is None:
        return None
    return Lifecycle(
        datetime.fromisoformat(data["created"]),
        datetime.fromisoformat(data["started"]),
        datetime.fromisoformat(data["finished"]),
        bool(data["succeeds"]),
    )


class Store:
    """Runs of one vendor, in creation order; thread-safe; renders bodies at the clock's now."""

    def __init__(
        self,
        vendor: str,
        *,
        seed: int,
        runs: int,
        speed: float = 1.0,
        db: Path | None = None,
        kind: str | None = None,
        ids: tuple[str, ...] = (),
        drift: str | None = None,
    ) -> None:
        self.spec = SPECS[vendor] if kind is None else KINDS[vendor][kind]
        self._ids = ids  # ids for the seeded runs, in order (a kind's: the main runs' ids)
        self.seed = seed
        self.profile = load_profiles()[self.spec.object]
        #: a lifecycle drift kind (refused here when this run cannot show it); the server
        #: applies it to the runs of each response, `stuck` and `cancel-ignored` are this
        #: store's own
        self.drift: LifecycleDrift | None = None
        if drift is not None:
            self.drift = LifecycleDrift.make(drift, self.spec, self.profile)
        self._lock = threading.Lock()
        self._runs: list[_Run] = []
        self._by_id: dict[str, _Run] = {}
        rng = random.Random(f"{seed}:groups")
        self.pools: dict[str, tuple[str, ...]] = {}
        key = vendor if kind is None else self.spec.object
        self.journal = Journal(db, key) if db is not None else None
        stored = self.journal.load() if self.journal is not None else []
        if stored:  # a database from an earlier start: its runs, not new ones
            for row in stored:
                self._add(
                    _Run(
                        row.seq,
                        row.body,
                        _cycle(row.lifecycle),
                        datetime.fromisoformat(row.cancelled) if row.cancelled else None,
                    )
                )
        else:
            for i, body in enumerate(generate(self.spec.object, runs, seed)):
                self._seed_run(i, body, rng)
            for run in self._runs:
                self._persist(run)
        self.clock = Clock(self._latest() + timedelta(minutes=1), speed)
        self.kinds: dict[str, Store] = {}
        if kind is None and vendor in KINDS:
            self._add_kinds(vendor, seed, runs, speed, db, drift)

    def _add_kinds(
        self, vendor: str, seed: int, runs: int, speed: float, db: Path | None, drift: str | None
    ) -> None:
        """The vendor's other run kinds, seeded with this store's seeded ids, on one clock."""
        ids = tuple(str(get(r.body, self.spec.id_pointers[0])) for r in self._runs[:runs])
        for kind in KINDS[vendor]:
            store = Store(
                vendor, seed=seed + KIND_SEED_OFFSET, runs=runs, speed=speed, db=db, kind=kind,
                ids=ids, drift=drift,
            )  # fmt: skip
            self.kinds[kind] = store
        start = max([self.clock.start, *(k.clock.start for k in self.kinds.values())])
        self.clock = Clock(start, speed)
        for store in self.kinds.values():
            store.clock = self.clock

    def _persist(self, run: _Run) -> None:
        if self.journal is not None:
            cycle = (
                None
                if run.lifecycle is None
                else {
                    "created": run.lifecycle.created.isoformat(),
                    "started": run.lifecycle.started.isoformat(),
                    "finished": run.lifecycle.finished.isoformat(),
                    "succeeds": run.lifecycle.succeeds,
                }
            )
            self.journal.save(run.seq, run.body, cycle, run.cancelled)

    # -- building -------------------------------------------------------------------------------

    def _seed_run(self, seq: int, body: dict[str, Any], rng: random.Random) -> None:
        add_facets(self.spec.vendor, self.seed, seq, body)
        for name, pointer in self.spec.groups:
            if name not in self.pools:
                self.pools[name] = tuple(
                    _group_value(name, pointer, self.seed, k) for k in range(GROUP_POOL)
                )
            put(body, pointer, rng.choice(self.pools[name]))
        run_id = self._ids[seq] if seq < len(self._ids) else get(body, self.spec.id_pointers[0])
        if not isinstance(run_id, str) or not run_id or run_id in self._by_id:
            run_id = self._new_id(rng)  # the contract may not require an id; we always give one
        for pointer in self.spec.id_pointers:
            put(body, pointer, run_id)
        self._add(_Run(seq, body))

    def _new_id(self, rng: random.Random) -> str:
        """A fresh id in the vendor's usual shape (a uuid; Restack's `run_...`)."""
        value = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        return f"run_{value.replace('-', '')[:16]}" if self.spec.vendor == "restack" else value

    def _add(self, run: _Run) -> None:
        self._runs.append(run)
        self._by_id[str(get(run.body, self.spec.id_pointers[0]))] = run

    def _latest(self) -> datetime:
        instants = [
            parse_instant(get(run.body, self.profile[role]))
            for run in self._runs
            for role in ("created", "started", "finished", "updated")
            if role in self.profile
        ]
        known = [i for i in instants if i is not None]
        for run in self._runs:  # a run made by a write: its lifecycle, not its seed body's
            if run.lifecycle is not None:  # dates (a restart must not rewind the clock)
                known.extend((run.lifecycle.finished, run.cancelled or run.lifecycle.finished))
        latest = max(known, default=_EPOCH)
        return datetime.fromtimestamp(math.ceil(latest.timestamp()), tz=UTC)

    # -- reading --------------------------------------------------------------------------------

    def all(self) -> list[dict[str, Any]]:
        """Every run as it is now, oldest first (creation order: stable offset pagination).

        A run in a state the vendor cannot express is not listed until it can be (Paragon's
        task history lists finished executions only), never listed without a status.
        """
        now = self.clock.now()
        with self._lock:
            return [self._render(run, now) for run in self._runs if self._expressible(run, now)]

    def _expressible(self, run: _Run, now: datetime) -> bool:
        cycle, spec = run.lifecycle, self.spec
        if cycle is None or run.cancelled is not None or now >= cycle.finished:
            return True
        return (spec.running if now >= cycle.started else spec.queued) is not None

    def find(self, run_id: str) -> dict[str, Any] | None:
        now = self.clock.now()
        with self._lock:
            run = self._by_id.get(run_id)
            return None if run is None else self._render(run, now)

    def seq_of(self, run_id: str) -> int | None:
        with self._lock:
            run = self._by_id.get(run_id)
            return None if run is None else run.seq

    # -- writing --------------------------------------------------------------------------------

    def create(self, fields: dict[str, Any], like: str | None = None) -> dict[str, Any]:
        """A new run, queued now; `fields` are pointers to set, `like` a run to copy groups from."""
        now = self.clock.now()
        with self._lock:
            seq = len(self._runs)
            rng = random.Random(f"{self.seed}:run:{seq}")
            body = next(generate(self.spec.object, 1, self.seed * 1_000_003 + seq))
            for name, value in self.spec.emptied:
                body[name] = copy.deepcopy(value)
            add_facets(self.spec.vendor, self.seed, seq, body)
            if like is not None and like in self._by_id:
                source = self._by_id[like].body
                for _, pointer in self.spec.groups:
                    put(body, pointer, get(source, pointer))
            for pointer, value in fields.items():
                put(body, pointer, value)
            run_id = self._new_id(rng)
            for pointer in self.spec.id_pointers:
                put(body, pointer, run_id)
            started = now + timedelta(seconds=QUEUE_SECONDS)
            running = round(rng.uniform(*RUN_SECONDS), 3)
            succeeds = rng.random() < SUCCESS_RATE
            if self.spec.queued is None and self.spec.running is None:
                # a vendor that only ever shows finished runs (Paragon's task history has no
                # queued or running status): the run a write makes is one that just ended
                began = now - timedelta(seconds=running)
                cycle = Lifecycle(began, began, now, succeeds)
            else:
                cycle = Lifecycle(now, started, started + timedelta(seconds=running), succeeds)
            run = _Run(seq, body, cycle)
            self._add(run)
            self._persist(run)
            return self._render(run, now)

    def cancel(self, run_id: str) -> dict[str, Any] | None:
        """Cancel a run made by a write that has not ended; others are returned unchanged
        (with drift `cancel-ignored` every run is: the cancel is answered, the run goes on)."""
        now = self.clock.now()
        with self._lock:
            run = self._by_id.get(run_id)
            if run is None:
                return None
            cycle = run.lifecycle
            ignored = self.drift is not None and self.drift.ignores_cancel
            cancellable = self.spec.cancelled is not None and run.cancelled is None and not ignored
            stuck = self.drift is not None and self.drift.keeps_queued  # never ends by itself
            if cycle is not None and cancellable and (now < cycle.finished or stuck):
                run.cancelled = now
                self._persist(run)
            return self._render(run, now)

    # -- rendering ------------------------------------------------------------------------------

    def _render(self, run: _Run, now: datetime) -> dict[str, Any]:
        """The run as its lifecycle has it at `now` (a seeded run: as it was seeded)."""
        body = copy.deepcopy(run.body)
        cycle = run.lifecycle
        if cycle is None:
            return body
        stuck = self.drift is not None and self.drift.keeps_queued
        spec, profile = self.spec, self.profile
        started: datetime | None = cycle.started
        finished: datetime | None = cycle.finished
        if run.cancelled is not None:
            status = spec.cancelled
            started = cycle.started if cycle.started <= run.cancelled else None
            finished = run.cancelled
        elif now < cycle.started or stuck:
            status, started, finished = spec.queued, None, None
        elif now < cycle.finished:
            status, finished = spec.running, None
        else:
            status = spec.succeeded if cycle.succeeds else spec.failed
        last = max(t for t in (cycle.created, started, finished) if t is not None)
        put(body, profile["status"], status)
        stamps = {"created": cycle.created, "started": started, "finished": finished}
        stamps["updated"] = last
        for role, moment in stamps.items():
            if role in profile:
                put(body, profile[role], None if moment is None else format_instant(moment))
        if "duration_ms" in profile:
            span = None
            if started is not None and finished is not None:
                span = round((finished - started).total_seconds() * 1000)
            put(body, profile["duration_ms"], span)
        if spec.vendor == "hatchet":
            body["metadata"]["createdAt"] = body["taskInsertedAt"] = format_instant(cycle.created)
            body["metadata"]["updatedAt"] = format_instant(last)
        for name in spec.error_fields:
            if status != spec.failed:
                body.pop(name, None)
        for name in spec.output_fields:
            if status != spec.succeeded:
                body.pop(name, None)
        return body


def _group_value(name: str, pointer: str, seed: int, k: int) -> str:
    """Deterministic group values: uuids where a vendor's field is a uuid, else `name-N`."""
    if pointer in _UUID_GROUPS:
        return str(uuid.UUID(int=random.Random(f"{seed}:{name}:{k}").getrandbits(128), version=4))
    return f"{name}-{k + 1}"


_UUID_GROUPS = frozenset({"/tenantId", "/workflowId", "/workflow_id"})
