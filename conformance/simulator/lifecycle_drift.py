"""Lifecycle drift: the store's runs break their lifecycle in one named way across reads.

Each kind changes how a run is rendered from the number of 2xx responses that have shown
it so far (`shown`, counted by the server after it answers), so the first response that
shows a run shows it as it is and every later one breaks the rule: a poll, a list read
twice, a recording of either, all see it on every run observed twice. Counting what was
*shown*, not what was rendered, keeps a run rendered for a filtered-out list item from
spending its first read unseen. Deterministic: the same requests give the same bodies.

- terminal-changes: the first read shows a terminal state (the run's own, or the success
  state for a run not yet ended, with its end time); later reads another terminal state.
- start-moves: the fixed start (or created) time of the lifecycle moves 1 ms earlier on
  every later read (within the 1 s the duration invariant allows: only the lifecycle breaks).
- counter-decreases: the lifecycle's first counter starts `HEADROOM` above its value and
  goes down by one on every later read.
- stuck: the store keeps runs made by writes in their initial state (`Store._lived`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from conformance.errors import UsageError
from conformance.lifecycle.definitions import Lifecycle, lifecycle_of
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
        return cls(kind, spec, profile, lifecycle, pointer)

    @property
    def keeps_queued(self) -> bool:
        """Runs made by writes stay in their initial state (the store's clock is ignored)."""
        return self.kind == "stuck"

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
