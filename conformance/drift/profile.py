"""The drift of a corpus, counted in bounded memory: per object and item only counters,
the first locators, and GenSON builders of undocumented values.

A record valid against its strict twin (no undocumented property, no schema error)
costs one jsonschema-rs call; only the others are explained with jsonschema, and
each of their errors is counted once per record (`classify.py`). Records are read,
and their object chosen, as `validate` does (named, routed by the contract, or
identified by shape). The catalog and validators are the defaults, so any errata
layered onto the default bundle are seen here too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from conformance.drift.classify import Key, Sighting, rs_sightings, sightings
from conformance.drift.locate import documented_names, locator_for
from conformance.drift.model import EXAMPLES, MAX_UNDOCUMENTED, DriftItem, DriftReport, ObjectDrift
from conformance.errors import UsageError
from conformance.records import Locator, ReadProblem, Record, read_records
from conformance.validation.choose import choose_schema
from conformance.validation.validators import validators_for

__all__ = ["ObjectProfile", "drift_of", "drift_of_records"]

_JSON_TYPES = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


def json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


class _Stats:
    """One item's counters (mutable, internal)."""

    __slots__ = ("builder", "examples", "field", "first", "last", "message", "records", "types")

    def __init__(self, sighting: Sighting) -> None:
        self.records = 0
        self.last = -1  # the record last counted: each counts once
        self.examples: list[str] = []
        self.first: tuple[str, int | None] | None = None  # file and line of the first record
        self.field = sighting.field
        self.message = sighting.message
        self.types: Counter[str] = Counter()
        self.builder: Any = None
        if sighting.key.kind == "undocumented":
            from genson import SchemaBuilder  # type: ignore[import-untyped]  # no stubs

            self.builder = SchemaBuilder(schema_uri=None)


class ObjectProfile:
    """What the records of one object showed, so far."""

    def __init__(
        self, name: str, *, examples: int = EXAMPLES, max_undocumented: int = MAX_UNDOCUMENTED
    ) -> None:
        self.validators = validators_for(name)
        self.name = self.validators.name
        self.where = locator_for(self.validators.catalog)
        self.keep = examples
        self.max_undocumented = max_undocumented
        self.records = 0
        self.stats: dict[Key, _Stats] = {}
        self.undocumented = 0  # distinct undocumented items tracked
        self.untracked = 0
        self.documented = documented_names(self.where, self.name)
        self.unseen = set(self.documented)
        self._strict = self.validators.fast_strict.is_valid
        self._errors = self.validators.fast_strict.iter_errors

    def observe(self, payload: Any, locator: Locator | None) -> None:
        """Count one record of this object."""
        self.records += 1
        if self.unseen and type(payload) is dict:
            self.unseen.difference_update(payload)
        try:
            if self._strict(payload):
                return  # the common case: nothing to say
            found = list(rs_sightings(self._errors(payload), self.where))
        except UnicodeEncodeError:  # a lone surrogate: jsonschema-rs cannot take it
            errors = self.validators.detailed_strict.iter_errors(payload)
            found = list(sightings(errors, self.name, self.where))
        for sighting in found:
            self._count(sighting, locator)

    def _count(self, sighting: Sighting, locator: Locator | None) -> None:
        stats = self.stats.get(sighting.key)
        if stats is None:
            if sighting.key.kind == "undocumented":
                if self.undocumented >= self.max_undocumented:
                    self.untracked += 1
                    return
                self.undocumented += 1
            stats = self.stats[sighting.key] = _Stats(sighting)
        if stats.builder is not None:
            stats.types[json_type(sighting.value)] += 1
            stats.builder.add_object(sighting.value)
        if stats.last == self.records:
            return
        stats.last = self.records
        stats.records += 1
        if stats.first is None and locator is not None and locator.file:
            stats.first = (locator.file, locator.line)
        if len(stats.examples) < self.keep:
            stats.examples.append(str(locator) if locator is not None else f"#{self.records}")

    def result(self) -> ObjectDrift:
        items = [
            DriftItem(
                self.name,
                key.kind,
                s.field,
                key.detail,
                s.records,
                self.records,
                tuple(s.examples),
                key.place,
                tuple(t for t, _ in s.types.most_common()),
                s.builder.to_schema() if s.builder is not None else None,
                s.message,
                s.first,
            )
            for key, s in self.stats.items()
        ]
        items += [
            DriftItem(self.name, "unseen", f"$.{name}", name, 0, self.records)
            for name in self.documented
            if name in self.unseen
        ]
        items.sort(key=DriftItem.order)
        return ObjectDrift(self.name, self.records, tuple(items), self.untracked)


def drift_of(
    paths: str | Path | Iterable[str | Path],
    *,
    vendor: str | None = None,
    schema: str | None = None,
    identify: bool = False,
    input_format: str | None = None,
    examples: int = EXAMPLES,
) -> DriftReport:
    """The drift of the records in `paths` (files, folders, `-`). An unknown `schema` is
    a `UsageError`; unreadable input is in `problems`, never raised."""
    if schema is not None:
        schema = validators_for(schema).name
        if vendor is not None and not schema.startswith(vendor + "."):
            raise UsageError(f"--schema {schema} is not an object of --vendor {vendor}")
    items = read_records(paths, format=input_format)
    return drift_of_records(
        items, vendor=vendor, schema=schema, identify=identify, examples=examples
    )


def drift_of_records(
    items: Iterable[Record | ReadProblem],
    *,
    vendor: str | None = None,
    schema: str | None = None,
    identify: bool = False,
    examples: int = EXAMPLES,
    max_undocumented: int = MAX_UNDOCUMENTED,
) -> DriftReport:
    """The drift of a stream of records (and the problems met reading them)."""
    profiles: dict[str, ObjectProfile] = {}
    records = unattributed = 0
    problems: list[ReadProblem] = []

    def profile(name: str) -> ObjectProfile:
        found = profiles.get(name)
        if found is None:
            found = profiles[name] = ObjectProfile(
                name, examples=examples, max_undocumented=max_undocumented
            )
        return found

    fixed = profile(schema) if schema is not None else None
    for item in items:
        if isinstance(item, ReadProblem):
            problems.append(item)
            continue
        records += 1
        if fixed is not None:
            fixed.observe(item.payload, item.locator)
            continue
        name = choose_schema(item, vendor=vendor, identify=identify).schema
        if name is None or (vendor is not None and not name.startswith(vendor + ".")):
            unattributed += 1
            continue
        profile(name).observe(item.payload, item.locator)
    objects = tuple(profiles[n].result() for n in sorted(profiles))
    if fixed is not None and not fixed.records:
        objects = ()
    return DriftReport(objects, records, unattributed, tuple(problems))
