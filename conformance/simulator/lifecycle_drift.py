"""Lifecycle drift: the simulator's runs break their lifecycle in one named way across reads.

Each kind changes every run a 2xx response shows (each list item, a detail's run and its
tasks, nested child tasks: every object `observations_of` finds) from the number of
earlier responses that showed that run in that view, so the first response that shows a
run shows it as it is and every later one breaks the rule: a poll, a list read twice, a
recording of either, all see it on every run observed twice. Counting per response, not
per render, keeps a run rendered for a filtered-out list item from spending its first
read unseen. Deterministic: the same requests give the same bodies. The store refuses a
kind its run cannot show (`LifecycleDrift.make`) and keeps `stuck` and `cancel-ignored`
itself (its clock, its cancel).

- terminal-changes: the first read shows a terminal state (the run's own, or the success
  state for a run not yet ended, with its end time); later reads another terminal state.
- start-moves: the fixed start (or created) time of the lifecycle moves 1 ms earlier on
  every later read (within the 1 s the duration invariant allows: only the lifecycle breaks).
- counter-decreases: the lifecycle's first counter starts `HEADROOM` above its value and
  goes down by one on every later read.
- stuck: the store keeps runs made by writes in their initial state (`Store._render`).
- cancel-ignored: the store answers a cancel with the run as it is and never cancels it
  (`Store.cancel`), so the run goes on to its normal end.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from conformance.bundle.lifecycles import Lifecycle, lifecycle_of
from conformance.bundle.run_profiles import load_profiles
from conformance.errors import UsageError
from conformance.lifecycle.observations import observations_of
from conformance.records import Locator, Record
from conformance.simulator.drift_kinds import LIFECYCLE_DRIFT_KINDS
from conformance.simulator.pointers import format_instant, get, put
from conformance.simulator.vendor_specs import VendorSpec
from conformance.validation.instants import parse_instant

HEADROOM = 1000  # reads a counter can go down by before it stops at 0
_TIME_ROLES = ("started", "created")  # the fixed instant start-moves moves, first found


@dataclass(frozen=True)
class LifecycleDrift:
    """One lifecycle drift kind as it applies to one vendor's stored run object."""

    kind: str
    spec: VendorSpec
    profile: dict[str, Any]
    lifecycle: Lifecycle
    pointer: str  # the field it moves (start-moves, counter-decreases); "" otherwise

    @classmethod
    def make(cls, kind: str, spec: VendorSpec, profile: dict[str, Any]) -> LifecycleDrift:
        """The drift, or a UsageError when `spec`'s run cannot show it."""
        if kind not in LIFECYCLE_DRIFT_KINDS:
            raise UsageError(f"not a lifecycle drift: {kind!r}")
        lifecycle = lifecycle_of(spec.object)
        where = f"drift {kind} cannot be shown by the {spec.vendor} simulator"
        if lifecycle is None:
            raise UsageError(f"{where}: {spec.object} has no lifecycle (contracts/lifecycles.yaml)")
        pointer = ""
        if kind == "counter-decreases":
            counters = [rule.pointer for rule in lifecycle.counters]
            if not counters:
                raise UsageError(
                    f"{where}: its run ({spec.object}) has no counter in its lifecycle "
                    "(contracts/lifecycles.yaml) to decrease"
                )
            pointer = counters[0]
        elif kind == "start-moves":
            fixed = {rule.pointer for rule in lifecycle.fixed}
            times = [profile[r] for r in _TIME_ROLES if r in profile and profile[r] in fixed]
            if not times:
                raise UsageError(f"{where}: its run ({spec.object}) has no fixed start time")
            pointer = times[0]
        elif kind == "stuck" and spec.queued is None:
            raise UsageError(f"{where}: its runs have no initial state to stay in")
        elif kind == "cancel-ignored" and spec.cancelled is None:
            raise UsageError(f"{where}: its runs have no cancelled state")
        return cls(kind, spec, profile, lifecycle, pointer)

    @property
    def keeps_queued(self) -> bool:
        """Runs made by writes stay in their initial state (the store's clock is ignored)."""
        return self.kind == "stuck"

    @property
    def ignores_cancel(self) -> bool:
        """A cancel is answered with the run as it is and never ends it (`Store.cancel`)."""
        return self.kind == "cancel-ignored"

    def apply(self, body: dict[str, Any], shown: int) -> None:
        """Break `body` (a run rendered for a response) for its `shown`-th showing."""
        if self.kind == "terminal-changes":
            self._terminal(body, shown)
        elif self.kind == "start-moves" and shown:
            moment = parse_instant(get(body, self.pointer))
            if moment is not None:
                put(body, self.pointer, format_instant(moment - timedelta(milliseconds=shown)))
        elif self.kind == "counter-decreases":
            value = get(body, self.pointer)
            start = (value if type(value) is int else 0) + HEADROOM
            put(body, self.pointer, max(start - shown, 0))

    def _terminal(self, body: dict[str, Any], shown: int) -> None:
        spec, profile, terminal = self.spec, self.profile, self.lifecycle.terminal
        status = get(body, profile["status"])
        first = status if status in terminal else spec.succeeded
        others = (spec.failed, spec.succeeded, spec.cancelled)
        other = next(s for s in others if s is not None and s != first and s in terminal)
        put(body, profile["status"], first if shown == 0 else other)
        if "finished" in profile and get(body, profile["finished"]) is None:
            known = [
                get(body, profile[role])
                for role in ("updated", "started", "created")
                if role in profile and parse_instant(get(body, profile[role])) is not None
            ]
            if known:  # a run that had not ended: it ends when it was last seen to change
                put(body, profile["finished"], known[0])
        if "duration_ms" in profile and get(body, profile["duration_ms"]) is None:
            began = parse_instant(get(body, profile.get("started", "/-")))
            ended = parse_instant(get(body, profile.get("finished", "/-")))
            if began is not None and ended is not None:
                put(body, profile["duration_ms"], round((ended - began).total_seconds() * 1000))


def _node(body: Any, pointer: str) -> Any:
    """The value at `pointer` (object keys and array indexes)."""
    node = body
    for token in pointer.split("/")[1:]:
        if isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            return None
    return node


class ResponseDrift:
    """A lifecycle drift kind applied to every run each 2xx response shows, counted per
    (lifecycle family, run id); `specs` say each family's status names (the first is the
    vendor's main run: a view of it, such as Hatchet's V1WorkflowRun, uses its names)."""

    def __init__(self, kind: str, specs: list[VendorSpec]) -> None:
        self.kind = kind
        self._specs = specs
        self._drifts: dict[str, LifecycleDrift | None] = {}
        self._shown: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def apply(self, body: Any, schema: str | None) -> None:
        if schema is None:
            return
        seen = list(observations_of(Record(Locator("", None, None, ""), body), schema, 0))
        with self._lock:
            for observed in seen:
                drift = self._drift(observed.lifecycle.name)
                node = _node(body, observed.pointer)
                if drift is not None and isinstance(node, dict):
                    drift.apply(node, self._shown.get(observed.key, 0))
            for key in {observed.key for observed in seen}:
                self._shown[key] = self._shown.get(key, 0) + 1

    def _drift(self, name: str) -> LifecycleDrift | None:
        """The drift for a view of a run, or None where that view cannot show it."""
        if name not in self._drifts:
            lifecycle = lifecycle_of(name)
            family = lifecycle.family if lifecycle is not None else name
            spec = next((s for s in self._specs if s.object == family), self._specs[0])
            try:
                made = LifecycleDrift.make(
                    self.kind, replace(spec, object=name), dict(load_profiles()[name])
                )
            except UsageError:  # e.g. a view with no counter: its runs cannot show one going down
                made = None
            self._drifts[name] = made
        return self._drifts[name]
