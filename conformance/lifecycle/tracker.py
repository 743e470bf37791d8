"""Following runs through their observations: each new one is compared with the last.

Only the latest observation of each run is kept (state per run, not per observation).
Every rule is one that holds between any earlier and any later observation (a terminal
state stays, a fixed field keeps its value, a timestamp or counter does not go back,
a status is followed only by one it can reach), so comparing consecutive observations
finds every run that breaks one, at the first pair that shows it.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any, TypeGuard

from conformance.lifecycle.observations import ORDERED_BY_FILE, Digest, Observation
from conformance.report.findings import Finding, pointer_to_path
from conformance.validation.instants import parse_instant


@dataclass(frozen=True)
class RunTally:
    """What was seen of one run: how often, and what it broke (its findings)."""

    lifecycle: str
    run_id: str
    observations: int
    first: str  # where it was first observed
    findings: tuple[Finding, ...]


@dataclass
class _Run:
    last: Observation  # the latest observation so far
    first: str
    since: int  # the `seq` of its first observation
    count: int = 1
    findings: tuple[Finding, ...] = ()
    #: the latest of the observations that arrived after a later one (a recording split
    #: over files given out of order); it is compared with what follows it at the end
    tail: Observation | None = None
    #: the first of the latest observations that all show an initial state (queued)
    waiting: Observation | None = None


class LifecycleTracker:
    """Feed observations in arrival order, then `finish`; read the runs at the end.

    `stuck_after`: seconds a run may be seen in its initial state (queued) before it is
    reported as stuck there; None leaves waiting unjudged. Judged only between
    observations with times (a HAR's, a live poll's, the run's own `updated` field).
    """

    def __init__(self, stuck_after: float | None = None) -> None:
        self.stuck_after = stuck_after
        self._runs: dict[tuple[str, str], _Run] = {}
        self.observations = 0
        self.ordered_by: Counter[str] = Counter()  # pairs compared, by how they were ordered
        #: (lifecycle family, status before, status after) of every change seen: coverage
        self.changes: Counter[tuple[str, str, str]] = Counter()
        #: when each way of ordering first ordered a pair: (0, `seq` of the observation
        #: observed) or, in `finish`, (1, `seq` of the run's first). The order of
        #: `ordered_by`'s keys; what puts them in that order again when trackers of
        #: disjoint sets of runs are merged (`lifecycle.on_dask`)
        self.first_ordered: dict[str, tuple[int, int]] = {}
        self._now = (0, 0)

    def observe(self, seen: Observation) -> tuple[Finding, ...]:
        """Compare `seen` with the observation of its run just before it; its findings."""
        self.observations += 1
        self._now = (0, seen.seq)
        run = self._runs.get(seen.key)
        if run is None:
            initial = _waiting(seen)
            waiting = seen if initial else None
            self._runs[seen.key] = _Run(seen, seen.where, seen.seq, waiting=waiting)
            return ()
        run.count += 1
        if not _earlier(seen, run.last):
            before, run.last = run.last, seen
            if not _waiting(seen):
                run.waiting = None
            elif run.waiting is None or before.status != seen.status:
                run.waiting = seen
            return self._pair(run, before, seen)
        # Arrived late. Late arrivals come in their own order (the earlier file's); each
        # is compared with the late one before it, and the latest of them, at the end,
        # with the observation that follows it.
        tail = run.tail
        if tail is None or not _earlier(seen, tail):
            run.tail = seen
            return () if tail is None else self._pair(run, tail, seen)
        return self._pair(run, seen, tail)

    def finish(self) -> tuple[Finding, ...]:
        """Compare each run's last late arrival with the latest observation of the run,
        and report the runs still in their initial state for longer than `stuck_after`."""
        found: tuple[Finding, ...] = ()
        for run in self._runs.values():
            self._now = (1, run.since)
            if run.tail is not None:
                found += self._pair(run, run.tail, run.last)
                run.tail = None
            stuck = self._stuck(run)
            if stuck is not None:
                run.findings += (stuck,)
                found += (stuck,)
        return found

    def _stuck(self, run: _Run) -> Finding | None:
        since, last = run.waiting, run.last
        if self.stuck_after is None or since is None or since is last:
            return None
        if since.time is None or last.time is None or since.ordered_by != last.ordered_by:
            return None
        waited = (last.time - since.time).total_seconds()
        if waited <= self.stuck_after:
            return None
        what = (
            f"{last.status} from {since.where} to {last.where} ({waited:g} s): never left its "
            f"initial state within {self.stuck_after:g} s"
        )
        return _finding(since, last, "stuck", last.lifecycle.status_pointer, what)

    def _pair(self, run: _Run, before: Observation, after: Observation) -> tuple[Finding, ...]:
        source = _order_source(before, after)
        self.first_ordered.setdefault(source, self._now)
        self.ordered_by[source] += 1
        if before.status is not None and after.status is not None and before.status != after.status:
            self.changes[(after.lifecycle.family, before.status, after.status)] += 1
        found = compare(before, after)
        if found:
            run.findings += found
        return found

    def runs(self) -> list[RunTally]:
        """Every run seen, in the order each was first seen."""
        return [
            RunTally(key[0], key[1], run.count, run.first, run.findings)
            for key, run in self._runs.items()
        ]

    def firsts(self) -> list[int]:
        """The `seq` of each run's first observation, in the order of `runs()`."""
        return [run.since for run in self._runs.values()]

    def copy(self) -> LifecycleTracker:
        """A tracker in the same state that shares nothing `observe` or `finish` change."""
        twin = copy.copy(self)
        twin._runs = {key: copy.copy(run) for key, run in self._runs.items()}
        twin.ordered_by, twin.changes = Counter(self.ordered_by), Counter(self.changes)
        twin.first_ordered = dict(self.first_ordered)
        return twin


def _waiting(seen: Observation) -> bool:
    """Whether `seen` shows its run waiting to start: an initial state that is not also
    an end (Paragon lists only finished executions: its first states are terminal)."""
    lifecycle = seen.lifecycle
    return seen.status in lifecycle.initial and seen.status not in lifecycle.terminal


def _earlier(seen: Observation, last: Observation) -> bool:
    """Whether `seen` happened before `last`: by their times when both have one."""
    if seen.time is not None and last.time is not None and seen.ordered_by == last.ordered_by:
        return seen.time < last.time
    return False  # file order: arrival is the order


def _order_source(before: Observation, after: Observation) -> str:
    if before.time is not None and after.time is not None and before.ordered_by == after.ordered_by:
        return after.ordered_by
    return ORDERED_BY_FILE


def compare(before: Observation, after: Observation) -> tuple[Finding, ...]:
    """What `after` breaks of its lifecycle, having followed `before`."""
    lifecycle = after.lifecycle
    found: list[Finding] = []
    b, a = before.status, after.status
    states = lifecycle.states  # a status outside them is the schema's finding, not judged here
    if b in states and a in states and b != a:
        if b in lifecycle.terminal:
            found.append(
                _finding(
                    before,
                    after,
                    "terminal-changed",
                    lifecycle.status_pointer,
                    f"{b} ({before.where}) -> {a} ({after.where}): a terminal state changed",
                )
            )
        elif not lifecycle.may_follow(b, a):
            found.append(
                _finding(
                    before,
                    after,
                    "transition",
                    lifecycle.status_pointer,
                    f"{b} ({before.where}) -> {a} ({after.where}): "
                    f"{lifecycle.family} does not go from {b} to {a}",
                )
            )
    for rule in lifecycle.fixed:
        old, new = before.values.get(rule.pointer), after.values.get(rule.pointer)
        if old is not None and new != old:
            found.append(
                _field(
                    before, after, rule.pointer, "fixed-changed", "a field fixed once set changed"
                )
            )
    for rule in lifecycle.forward:
        old_at = parse_instant(before.values.get(rule.pointer))
        new_at = parse_instant(after.values.get(rule.pointer))
        if old_at is not None and new_at is not None and new_at < old_at:
            found.append(
                _field(
                    before, after, rule.pointer, "moved-backwards", "a timestamp moved backwards"
                )
            )
    for rule in lifecycle.counters:
        old, new = before.values.get(rule.pointer), after.values.get(rule.pointer)
        if _number(old) and _number(new) and new < old:
            found.append(
                _field(before, after, rule.pointer, "counter-decreased", "a counter decreased")
            )
    return tuple(found)


def _number(value: Any) -> TypeGuard[float]:
    return type(value) in (int, float)


def _shown(value: Any) -> str:
    """A value as a person reads it in one line: strings bare, the rest as JSON."""
    if type(value) is str or isinstance(value, Digest):
        return str(value)
    return "absent" if value is None else json.dumps(value, ensure_ascii=False)


def _field(
    before: Observation, after: Observation, pointer: str, keyword: str, what: str
) -> Finding:
    old, new = before.values.get(pointer), after.values.get(pointer)
    message = (
        f"{pointer_to_path(pointer)} {_shown(old)} ({before.where}) -> "
        f"{_shown(new)} ({after.where}): {what}"
    )
    return _finding(before, after, keyword, pointer, message)


def _finding(
    before: Observation, after: Observation, keyword: str, pointer: str, what: str
) -> Finding:
    """A lifecycle finding, placed at the later observation, naming both."""
    return Finding(
        "error",
        "lifecycle",
        keyword,
        after.pointer + pointer,
        f"run {short_id(after.run_id)}: {what}",
        subject=after.lifecycle.family,
        stage="lifecycle",
        file=after.file,
        line=after.line,
        label=after.label,
    )


def short_id(run_id: str) -> str:
    """A run id short enough for one line and long enough to search for."""
    return run_id if len(run_id) <= 13 else run_id[:8] + "…"
