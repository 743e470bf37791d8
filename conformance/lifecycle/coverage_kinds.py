"""The kinds of coverage, one counter each: what a vendor declares, and what was seen of it.

A counter `observe`s every `Sighting` (what one record showed) and, at the end, says for
one vendor what the contract or schema declares (`coverage_declared`), which of it was
seen, and what was seen that is not declared. `KINDS` lists them in report order; a new
kind is one more class here and one more name in `KINDS`.

Counts of parts of the input merge (`merge`, the later part into the earlier) into the
counts of the whole, as one pass makes them: sets and sums for most kinds; a part of the
run transitions keeps its observations (`part()`), since a run can change between parts.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import replace
from typing import Any, ClassVar, Self

from conformance.bundle.lifecycles import load_lifecycles
from conformance.lifecycle.coverage_declared import (
    contract_operations,
    declared_fields,
    operation_item,
    run_objects,
    short,
    status_group,
    status_groups,
)
from conformance.lifecycle.coverage_model import Counter, CoverageKind, Sighting
from conformance.lifecycle.observations import Observation, observations_of
from conformance.lifecycle.query_parameters import (
    declared_query,
    sent_parameter,
    sent_query,
)
from conformance.lifecycle.tracker import LifecycleTracker
from conformance.validation.routing import Operation


def _value(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


class _Tally:
    """A kind whose counts are sums and sets per key: merged key by key."""

    @classmethod
    def part(cls) -> Self:
        return cls()

    def merge(self, other: Self) -> None:
        """Adds `other`'s counts (of a later part of the input) to these."""
        theirs = vars(other)
        for attribute, mine in vars(self).items():
            counts: dict[Any, Any] = theirs[attribute]
            for key, value in counts.items():
                if isinstance(value, set):
                    mine[key] |= value
                else:
                    mine[key] += value


# -- the kinds -------------------------------------------------------------------------------


class Operations(_Tally):
    """Contract operations called, from recorded requests."""

    name: ClassVar[str] = "operations"

    def __init__(self) -> None:
        self.exchanges: dict[str, int] = defaultdict(int)
        self.called: dict[str, set[str]] = defaultdict(set)
        self.unrouted: dict[str, set[str]] = defaultdict(set)

    def observe(self, seen: Sighting) -> None:
        exchange = seen.record.exchange
        if exchange is None:
            return
        self.exchanges[seen.vendor] += 1
        if seen.route is not None:
            self.called[seen.vendor].add(seen.route.operation.operation_id)
        else:
            self.unrouted[seen.vendor].add(f"{exchange.method} {exchange.path}")

    def result(self, vendor: str) -> CoverageKind:
        ops = contract_operations(vendor)
        called = self.called[vendor]
        return CoverageKind(
            vendor,
            self.name,
            "called",
            tuple(operation_item(op) for op in ops),
            tuple(operation_item(op) for op in ops if op.operation_id in called),
            tuple(sorted(self.unrouted[vendor])),
            message="" if self.exchanges[vendor] else _NO_EXCHANGES,
        )


_NO_EXCHANGES = "no recorded HTTP exchange: bodies alone do not say which operation answered"


class Responses(_Tally):
    """Per operation, the response statuses declared and recorded (and recorded, undeclared)."""

    name: ClassVar[str] = "responses"

    def __init__(self) -> None:
        self.exchanges: dict[str, int] = defaultdict(int)
        self.seen: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self.undeclared: dict[str, set[str]] = defaultdict(set)

    def observe(self, seen: Sighting) -> None:
        found = seen.route
        if seen.record.exchange is None:
            return
        self.exchanges[seen.vendor] += 1
        if found is None or found.status is None:
            return
        if found.response is not None:
            self.seen[seen.vendor].add((found.operation.operation_id, found.response.status))
        else:
            self.undeclared[seen.vendor].add(f"{found.operation} -> {found.status}")

    def result(self, vendor: str) -> CoverageKind:
        pairs = [
            ((op.operation_id, key), f"{op} -> {key}")
            for op in contract_operations(vendor)
            for key in op.declared_statuses
        ]
        got = self.seen[vendor]
        return CoverageKind(
            vendor,
            self.name,
            "recorded",
            tuple(item for _, item in pairs),
            tuple(item for pair, item in pairs if pair in got),
            tuple(sorted(self.undeclared[vendor])),
            message="" if self.exchanges[vendor] else _NO_EXCHANGES,
        )


class Statuses(_Tally):
    """Run status values declared (each status field's enum) and shown."""

    name: ClassVar[str] = "statuses"

    def __init__(self) -> None:
        self.values: dict[str, set[str]] = defaultdict(set)  # status group -> values, as text

    def observe(self, seen: Sighting) -> None:
        for name, value in seen.statuses:
            if value is not None:
                self.values[status_group(name)].add(_value(value))

    def result(self, vendor: str) -> CoverageKind:
        declared, seen, undeclared = [], [], []
        for group, label, values in status_groups(vendor):
            allowed = [_value(v) for v in values]
            got = self.values[group]
            declared += [f"{label} {v}" for v in allowed]
            seen += [f"{label} {v}" for v in allowed if v in got]
            undeclared += [f"{label} {v}" for v in sorted(got - set(allowed))]
        return CoverageKind(
            vendor, self.name, "seen", tuple(declared), tuple(seen), tuple(undeclared)
        )


class Fields(_Tally):
    """Each top-level property of each run object: seen present (not null), only null, never."""

    name: ClassVar[str] = "fields"
    ONLY_NULL: ClassVar[str] = "only ever null"

    def __init__(self) -> None:
        self.present: dict[str, set[str]] = defaultdict(set)
        self.null: dict[str, set[str]] = defaultdict(set)

    def observe(self, seen: Sighting) -> None:
        for name, body in seen.objects:
            for key, value in body.items():
                (self.null if value is None else self.present)[name].add(key)

    def result(self, vendor: str) -> CoverageKind:
        declared, seen, null, undeclared = [], [], [], []
        for name, _ in run_objects(vendor):
            fields = declared_fields(name)
            present, nulls = self.present[name], self.null[name]
            declared += [f"{short(name)}.{f}" for f in fields]
            seen += [f"{short(name)}.{f}" for f in fields if f in present]
            null += [f"{short(name)}.{f}" for f in fields if f in nulls and f not in present]
            extra = (present | nulls) - set(fields)
            undeclared += [f"{short(name)}.{f}" for f in sorted(extra)]
        notes = ((self.ONLY_NULL, tuple(null)),) if null else ()
        return CoverageKind(
            vendor, self.name, "present", tuple(declared), tuple(seen), tuple(undeclared), notes
        )


class Transitions:
    """Each lifecycle's direct transitions (`contracts/lifecycles.yaml`) and the status
    changes seen of one run between two of its observations, in time order. A change
    that skips states (queued, then completed) is seen but is no direct transition."""

    name: ClassVar[str] = "transitions"

    def __init__(self) -> None:
        self.tracker = LifecycleTracker()
        #: a part's observations, in arrival order (None: fed to the tracker at once)
        self.log: list[Observation] | None = None
        self._finished = False

    @classmethod
    def part(cls) -> Self:
        """Counts of a part of the input that other parts may precede: its observations
        kept (without the field values, which only lifecycle findings compare), to follow
        the runs that earlier parts saw."""
        counts = cls()
        counts.log = []
        return counts

    def observe(self, seen: Sighting) -> None:
        if self.log is None:
            for observed in observations_of(seen.record, seen.schema, self.tracker.observations):
                self.tracker.observe(observed)
        else:
            for observed in observations_of(seen.record, seen.schema, len(self.log)):
                self.log.append(replace(observed, values={}))

    def merge(self, other: Self) -> None:
        """Follows `other`'s observations (a `part()`) after these."""
        if other.log is None:
            if other.tracker.observations:
                raise ValueError("only a part() of transitions can follow other counts")
            return
        if self.log is not None:
            self.log += other.log
            return
        for observed in other.log:
            self.tracker.observe(observed)

    def result(self, vendor: str) -> CoverageKind:
        if not self._finished:
            for observed in self.log or ():
                self.tracker.observe(observed)
            self.log = None
            self.tracker.finish()
            self._finished = True
        declared, direct = [], set()
        for name, lifecycle in load_lifecycles().items():
            if name.partition(".")[0] != vendor or lifecycle.family != name:
                continue  # a view of another entry's runs (a detail page) adds nothing
            for before in sorted(lifecycle.allowed):
                for after in sorted(lifecycle.allowed[before]):
                    direct.add((name, before, after))
                    declared.append((name, before, after))
        changes = {c for c in self.tracker.changes if c[0].partition(".")[0] == vendor}

        def label(change: tuple[str, str, str]) -> str:
            return f"{short(change[0])} {change[1]} -> {change[2]}"

        return CoverageKind(
            vendor,
            self.name,
            "seen",
            tuple(label(c) for c in declared),
            tuple(label(c) for c in declared if c in changes),
            tuple(label(c) for c in sorted(changes - direct)),
        )


class Parameters(_Tally):
    """Per operation, each query parameter the contract declares, and those the recorded
    requests sent (by name, whatever the value; `query_parameters`); a name the operation
    does not declare is undeclared."""

    name: ClassVar[str] = "parameters"

    def __init__(self) -> None:
        self.exchanges: dict[str, int] = defaultdict(int)
        self.sent: dict[str, set[tuple[str, str]]] = defaultdict(set)  # (operation id, name)
        self.undeclared: dict[str, set[str]] = defaultdict(set)

    def observe(self, seen: Sighting) -> None:
        exchange = seen.record.exchange
        if exchange is None:
            return
        self.exchanges[seen.vendor] += 1
        if seen.route is None:
            return
        op = seen.route.operation
        declared = _query_of(op)
        for name in sent_query(exchange.url):
            parameter = sent_parameter(name, declared)
            if parameter is not None:
                self.sent[seen.vendor].add((op.operation_id, parameter))
            else:
                self.undeclared[seen.vendor].add(f"{op}?{name}")

    def result(self, vendor: str) -> CoverageKind:
        pairs = [
            ((op.operation_id, name), f"{op}?{name}")
            for op in contract_operations(vendor)
            for name in _query_of(op)
        ]
        got = self.sent[vendor]
        return CoverageKind(
            vendor,
            self.name,
            "sent",
            tuple(item for _, item in pairs),
            tuple(item for pair, item in pairs if pair in got),
            tuple(sorted(self.undeclared[vendor])),
            message="" if self.exchanges[vendor] else _NO_EXCHANGES,
        )


def _query_of(op: Operation) -> tuple[str, ...]:
    return declared_query(op.vendor).get((op.source, op.method, op.path_template), ())


#: Every kind, in report order: a new kind is a class above and its name here.
KINDS: tuple[type[Counter], ...] = (
    Operations,
    Responses,
    Statuses,
    Fields,
    Transitions,
    Parameters,
)
KIND_NAMES: tuple[str, ...] = tuple(kind.name for kind in KINDS)
