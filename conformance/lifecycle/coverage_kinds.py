"""The kinds of coverage, one counter each: what a vendor declares, and what was seen of it.

A counter `observe`s every `Sighting` (what one record showed) and, at the end, says for
one vendor what the contract or schema declares, which of it was seen, and what was seen
that is not declared. `KINDS` lists them in report order; a new kind is one more class
here and one more name in `KINDS`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Any, ClassVar, Protocol

from conformance.bundle.catalog import load_catalog
from conformance.bundle.lifecycles import load_lifecycles
from conformance.bundle.run_profiles import load_profiles
from conformance.lifecycle.observations import observations_of
from conformance.lifecycle.query_parameters import (
    declared_query,
    sent_parameter,
    sent_query,
)
from conformance.lifecycle.tracker import LifecycleTracker
from conformance.mapping.schemawalk import node_at, root_node
from conformance.records import Record
from conformance.validation.routing import Operation, Route, load_operations


@dataclass(frozen=True)
class Sighting:
    """What one record showed, attributed to one vendor.

    `objects` are the run objects in its body (`vendor.Object`, the object), nested ones
    (list items, a details page's run) included; `statuses` the run status values it
    showed, per object (a bare status body, as Hatchet's get-status returns, counts for
    every run object whose status field is that schema).
    """

    vendor: str
    record: Record
    route: Route | None
    objects: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    statuses: tuple[tuple[str, object], ...] = ()
    schema: str | None = None  # the object the record was judged as


@dataclass(frozen=True)
class CoverageKind:
    """One kind of coverage of one vendor: declared items, and which of them were seen.

    `seen` holds declared items only, in declared order; `undeclared` what was seen that
    the vendor does not declare. `notes` are further labelled lists of unseen items
    (fields: `only ever null`); `message` says why a kind could not be seen at all.
    """

    vendor: str
    name: str
    verb: str  # what happens to an item when it is covered: "called", "seen", "present"
    declared: tuple[str, ...]
    seen: tuple[str, ...]
    undeclared: tuple[str, ...] = ()
    notes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    message: str = ""

    @property
    def unseen(self) -> tuple[str, ...]:
        covered = set(self.seen)
        return tuple(item for item in self.declared if item not in covered)

    @property
    def percent(self) -> Fraction | None:
        """Exactly seen / declared * 100; None when nothing is declared."""
        return Fraction(100 * len(self.seen), len(self.declared)) if self.declared else None

    @property
    def shown_percent(self) -> str:
        return shown_percent(self.percent)

    def never(self, item: str) -> str:
        """The sentence a person reads about an unseen item."""
        for label, items in self.notes:
            if item in items:
                return f"{item} was {label}"
        return f"{item} was never {self.verb}"


def floor_tenth(percent: Fraction) -> Fraction:
    """Rounded down to a tenth: 99.96 % shows as 99.9 %, never as a 100 % it is not."""
    return Fraction(int(percent * 10), 10)


def shown_percent(percent: Fraction | None) -> str:
    """`16.6 %` (rounded down to a tenth), or `n/a` when nothing is declared."""
    if percent is None:
        return "n/a"
    tenths = int(percent * 10)
    return f"{tenths // 10}.{tenths % 10} %"


class Counter(Protocol):
    """One kind: sees every sighting, then reports per vendor."""

    name: ClassVar[str]

    def observe(self, seen: Sighting) -> None: ...

    def result(self, vendor: str) -> CoverageKind: ...


# -- what the bundle declares ----------------------------------------------------------------


@cache
def contract_operations(vendor: str) -> tuple[Operation, ...]:
    """The vendor's contract operations; () for a vendor with no contract (canonical)."""
    if vendor not in {op.vendor for op in load_operations()}:
        return ()
    return load_operations(vendor)


def operation_item(op: Operation) -> str:
    return f"{op} ({op.operation_id})"


@cache
def run_objects(vendor: str) -> tuple[tuple[str, str], ...]:
    """(vendor.Object, status pointer) of every bundled run object of the vendor: the
    objects whose profile names a status (`contracts/semantics.yaml`)."""
    known = set(load_catalog().names(include_dependencies=True))
    return tuple(
        (name, profile["status"])
        for name, profile in sorted(load_profiles().items())
        if name.startswith(f"{vendor}.") and name in known and "status" in profile
    )


@cache
def declared_statuses(name: str, pointer: str) -> tuple[object, ...]:
    node = node_at(name, pointer)
    return tuple(dict.fromkeys(node.enum)) if node is not None else ()


@cache
def status_schemas(name: str, pointer: str) -> frozenset[str]:
    """The `$id`s of the schemas an object's status field is (`V1TaskStatus.json` for
    Hatchet's runs; the object's own for an inline enum)."""
    node = node_at(name, pointer)
    return frozenset(base for _, base, _ in node.parts) if node is not None else frozenset()


@cache
def _schema_names() -> dict[str, str]:
    catalog = load_catalog()
    return {catalog.entry(n).id: n for n in catalog.names(include_dependencies=True)}


@cache
def status_group(name: str) -> str:
    """Whose status values an object's statuses are: the status schema several run objects
    share (`hatchet.V1TaskStatus`), else the object itself (an inline enum). A bare status
    body (Hatchet's get-status) is of the shared schema, so it counts for the same values
    as the runs' own status fields, and no run object is credited with what it never showed.
    """
    profile = load_profiles().get(name, {})
    if "status" not in profile:
        return name
    ids = status_schemas(name, profile["status"])
    shared = _schema_names().get(next(iter(ids))) if len(ids) == 1 else None
    return shared if shared is not None and shared != name else name


@cache
def status_groups(vendor: str) -> tuple[tuple[str, str, tuple[object, ...]], ...]:
    """(group, label, declared values) of the vendor's run statuses, once per group:
    `V1TaskStatus` for a shared schema, `WorkflowRun.status` for an inline enum."""
    groups: dict[str, tuple[str, str, tuple[object, ...]]] = {}
    for name, pointer in run_objects(vendor):
        group = status_group(name)
        own = load_profiles().get(group, {}).get("status")  # the group is a run object
        label = f"{short(group)}.{own.strip('/').replace('/', '.')}" if own else short(group)
        groups.setdefault(group, (group, label, declared_statuses(name, pointer)))
    return tuple(groups.values())


@cache
def declared_fields(name: str) -> tuple[str, ...]:
    return root_node(name).properties()


def short(name: str) -> str:
    """`hatchet.V1WorkflowRun` -> `V1WorkflowRun`: the case already names the vendor."""
    return name.partition(".")[2] or name


def _value(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


# -- the kinds -------------------------------------------------------------------------------


class Operations:
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


class Responses:
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


class Statuses:
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


class Fields:
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
        self._finished = False

    def observe(self, seen: Sighting) -> None:
        for observed in observations_of(seen.record, seen.schema, self.tracker.observations):
            self.tracker.observe(observed)

    def result(self, vendor: str) -> CoverageKind:
        if not self._finished:
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


class Parameters:
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
