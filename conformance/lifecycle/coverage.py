"""Coverage: against the vendor contracts, what a set of recordings exercised and what it
never did.

Records are read and their schema chosen exactly as `validate` does (named, routed by the
contract, or identified by shape), so both commands agree on what a record is. Each
record becomes a `Sighting` (its vendor, its route, the run objects and statuses in its
body, list items and nested runs included); every kind in `coverage_kinds.KINDS` counts
the sightings, and reports per vendor what is declared, seen, and seen but undeclared.
Only vendors seen in the recordings (or asked for) are reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.bundle.catalog import load_catalog
from conformance.bundle.run_profiles import load_profiles
from conformance.lifecycle.coverage_declared import status_groups
from conformance.lifecycle.coverage_kinds import KINDS
from conformance.lifecycle.coverage_model import CoverageKind, Sighting
from conformance.records import HttpExchange, ReadProblem, Record
from conformance.report.progress import OnProgress, records_with_progress
from conformance.validation.choose import choose_schema
from conformance.validation.instants import get
from conformance.validation.routing import Route, route

__all__ = [
    "CoverageCount",
    "CoverageKind",
    "CoverageReport",
    "coverage_of",
    "coverage_of_records",
]


@dataclass(frozen=True)
class CoverageReport:
    """Coverage of a set of recordings: per vendor seen (or asked for), one `CoverageKind`
    per kind, in `KINDS` order; and what of the input counted.

    `unattributed` records are ones no vendor could be given (a bare body with neither
    `schema` nor `identify`): they count towards nothing.
    """

    vendors: tuple[str, ...]
    kinds: tuple[CoverageKind, ...]
    records: int
    unattributed: int
    problems: tuple[ReadProblem, ...]

    @property
    def attributed(self) -> int:
        return self.records - self.unattributed

    def of(self, vendor: str) -> tuple[CoverageKind, ...]:
        return tuple(k for k in self.kinds if k.vendor == vendor)

    def kind(self, vendor: str, name: str) -> CoverageKind:
        return next(k for k in self.kinds if k.vendor == vendor and k.name == name)


def coverage_of(
    paths: str | Path | Iterable[str | Path],
    *,
    vendor: str | None = None,
    input_format: str | None = None,
    schema: str | None = None,
    identify: bool = False,
    progress: OnProgress | None = None,
) -> CoverageReport:
    """What the recordings in `paths` (files, folders, `-`) exercised of the vendor
    contracts. An unknown `vendor` or `schema` is a `UsageError`; unreadable input is
    in `problems`, never raised. `progress` hears of the bytes read (stage "coverage")."""
    if schema is not None:
        schema = load_catalog().resolve(schema)
    items = records_with_progress(paths, input_format, progress, "coverage")
    return coverage_of_records(items, vendor=vendor, schema=schema, identify=identify)


def coverage_of_records(
    items: Iterable[Record | ReadProblem],
    *,
    vendor: str | None = None,
    schema: str | None = None,
    identify: bool = False,
) -> CoverageReport:
    """What a stream of records (and the problems met reading them) exercised: the count
    `coverage_of` makes of files, made of records from anywhere (a contract run's own
    exchanges). `schema` is a resolved bundle name."""
    count = CoverageCount(vendor=vendor, schema=schema, identify=identify)
    for item in items:
        count.observe(item)
    return count.report()


class CoverageCount:
    """The counts a `CoverageReport` is made of, fed one record (or problem) at a time.

    The counts of consecutive parts of an input (each a `part`) `merge`, in input order,
    into the counts of one pass: so do workers of a cluster count a corpus between them.
    """

    def __init__(
        self,
        *,
        vendor: str | None = None,
        schema: str | None = None,
        identify: bool = False,
        part: bool = False,
    ) -> None:
        self.vendor, self.schema, self.identify = vendor, schema, identify
        self.counters = [kind.part() if part else kind() for kind in KINDS]
        self.vendors: set[str] = {vendor} if vendor else set()
        self.records = self.unattributed = 0
        self.problems: list[ReadProblem] = []

    def observe(self, item: Record | ReadProblem) -> None:
        if isinstance(item, ReadProblem):
            self.problems.append(item)
            return
        self.records += 1
        seen = sighting(item, vendor=self.vendor, schema=self.schema, identify=self.identify)
        if seen is None:
            self.unattributed += 1
            return
        if self.vendor is not None and seen.vendor != self.vendor:
            return  # named by --schema as another vendor's object: not asked for
        self.vendors.add(seen.vendor)
        for counter in self.counters:
            counter.observe(seen)

    def merge(self, other: CoverageCount) -> None:
        """Adds the counts of `other`, a `part` of the input after these counts'."""
        self.vendors |= other.vendors
        self.records += other.records
        self.unattributed += other.unattributed
        self.problems += other.problems
        for mine, theirs in zip(self.counters, other.counters, strict=True):
            mine.merge(theirs)

    def report(self) -> CoverageReport:
        ordered = tuple(sorted(self.vendors))
        kinds = tuple(counter.result(v) for v in ordered for counter in self.counters)
        return CoverageReport(ordered, kinds, self.records, self.unattributed, tuple(self.problems))


def sighting(
    record: Record, *, vendor: str | None = None, schema: str | None = None, identify: bool = False
) -> Sighting | None:
    """What one record shows, and whose it is; None when no vendor can be told."""
    found = _route(record.exchange, vendor) if record.exchange is not None else None
    choice = choose_schema(record, schema=schema, vendor=vendor, identify=identify)
    if found is not None:
        owner: str | None = found.operation.vendor
    elif choice.schema is not None:
        owner = choice.schema.partition(".")[0]
    else:  # an exchange routed nowhere is the named vendor's undeclared operation
        owner = vendor if record.exchange is not None else None
    if owner is None:
        return None
    if choice.schema is None:
        return Sighting(owner, record, found)
    objects = tuple(_run_objects(choice.schema, record.payload))
    statuses = [(name, get(body, _status_pointer(name))) for name, body in objects]
    statuses += [(name, record.payload) for name in _status_of(choice.schema, record.payload)]
    return Sighting(owner, record, found, objects, tuple(statuses), choice.schema)


def _route(exchange: HttpExchange, vendor: str | None) -> Route | None:
    """The contract operation of a recorded exchange, as `choose_schema` routes it."""
    return route(
        exchange.method,
        exchange.url if "://" in exchange.url else exchange.path,
        exchange.status,
        content_type=exchange.content_type,
        vendor=vendor,
    )


def _status_pointer(name: str) -> str:
    return str(load_profiles()[name]["status"])


def _run_objects(name: str, payload: object) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(vendor.Object, body) of each run object in `payload`, read as `name`: itself when
    a run object, then the children its profile names (list items, a details page's run),
    depth first. A loop, not recursion: nesting is as deep as the record is."""
    profiles = load_profiles()
    stack: list[tuple[str, object]] = [(name, payload)]
    while stack:
        current, body = stack.pop()
        if not isinstance(body, dict):
            continue
        profile = profiles.get(current, {})
        if "status" in profile:
            yield current, body
        found: list[tuple[str, object]] = []
        for child in profile.get("children", ()):
            if "item" in child:
                found.append((child["profile"], get(body, child["item"])))
            else:
                items = get(body, child["items"])
                if isinstance(items, list):
                    found += [(child["profile"], item) for item in items]
        stack.extend(reversed(found))


def _status_of(name: str, payload: object) -> tuple[str, ...]:
    """A bare status body (`"COMPLETED"`, Hatchet's get-status) is a status of its schema,
    when that schema is the status field of the vendor's runs."""
    if isinstance(payload, (dict, list)) or payload is None:
        return ()
    groups = {group for group, _, _ in status_groups(name.partition(".")[0])}
    return (name,) if name in groups else ()
