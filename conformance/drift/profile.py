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

import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from conformance.drift.classify import Key, Sighting, rs_sightings, sightings
from conformance.drift.locate import documented_names, locator_for
from conformance.drift.model import EXAMPLES, MAX_UNDOCUMENTED, DriftItem, DriftReport, ObjectDrift
from conformance.errors import UsageError
from conformance.records import Locator, ReadProblem, Record
from conformance.report.progress import OnProgress, records_with_progress
from conformance.validation.choose import choose_schema
from conformance.validation.validators import validators_for

__all__ = ["CorpusProfile", "ObjectProfile", "drift_of", "drift_of_records"]

#: No cap: a worker's profile of one unit (bounded by the unit), capped when merged.
UNCAPPED = sys.maxsize

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

    def __getstate__(self) -> dict[str, Any]:
        """Picklable: the GenSON builder (of a class made on the fly) as its schema."""
        state = {name: getattr(self, name) for name in self.__slots__}
        if self.builder is not None:
            state["builder"] = self.builder.to_schema()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)
        if self.builder is not None:
            from genson import SchemaBuilder

            self.builder = SchemaBuilder(schema_uri=None)
            self.builder.add_schema(state["builder"])

    def merge(self, later: _Stats, keep: int) -> None:
        """Add the counts of `later` (records after this one's) as one pass would."""
        self.records += later.records
        if self.first is None:
            self.first = later.first
        self.examples += later.examples[: max(0, keep - len(self.examples))]
        self.types.update(later.types)
        if self.builder is not None and later.builder is not None:
            self.builder.add_schema(later.builder.to_schema())


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

    def __getstate__(self) -> dict[str, Any]:
        """What a worker sends back: the counts, not the compiled validators."""
        state = dict(self.__dict__)
        for compiled in ("validators", "where", "_strict", "_errors"):
            del state[compiled]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.validators = validators_for(self.name)
        self.where = locator_for(self.validators.catalog)
        self._strict = self.validators.fast_strict.is_valid
        self._errors = self.validators.fast_strict.iter_errors

    def merge(self, later: ObjectProfile) -> None:
        """Add `later`, the profile of the records after this one's, so that the result is
        the profile of both in one pass: counters add, the first examples are kept, and
        undocumented properties new to this profile are itemised in `later`'s order until
        the cap, then only counted. Exact when `later` was profiled `UNCAPPED` (as a
        worker profiles a unit); a capped `later` has already dropped what it met past its
        own cap, which one pass might have itemised."""
        for key, theirs in later.stats.items():
            mine = self.stats.get(key)
            if mine is None:
                if key.kind == "undocumented":
                    if self.undocumented >= self.max_undocumented:
                        self.untracked += theirs.types.total()  # one per sighting
                        continue
                    self.undocumented += 1
                mine = self.stats[key] = theirs
                theirs.examples = theirs.examples[: self.keep]
                continue
            mine.merge(theirs, self.keep)
        self.records += later.records
        self.untracked += later.untracked
        self.unseen &= later.unseen

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
    progress: OnProgress | None = None,
) -> DriftReport:
    """The drift of the records in `paths` (files, folders, `-`). An unknown `schema` is
    a `UsageError`; unreadable input is in `problems`, never raised. `progress` hears of
    the bytes read (stage "drift", unit "bytes")."""
    if schema is not None:
        schema = validators_for(schema).name
        if vendor is not None and not schema.startswith(vendor + "."):
            raise UsageError(f"--schema {schema} is not an object of --vendor {vendor}")
    items = records_with_progress(paths, input_format, progress, "drift")
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
    corpus = CorpusProfile(
        vendor=vendor,
        schema=schema,
        identify=identify,
        examples=examples,
        max_undocumented=max_undocumented,
    )
    for item in items:
        corpus.observe(item)
    return corpus.report()


class CorpusProfile:
    """What the records of a corpus (or of one part of it) showed, so far: a profile per
    object, the records read and those no object was chosen for, the problems met.

    Picklable, and merged in input order (`merge`): the profile of each part of a corpus,
    merged part after part, gives the report of one pass over the whole."""

    def __init__(
        self,
        *,
        vendor: str | None = None,
        schema: str | None = None,
        identify: bool = False,
        examples: int = EXAMPLES,
        max_undocumented: int = MAX_UNDOCUMENTED,
    ) -> None:
        self.vendor = vendor
        self.schema = schema
        self.identify = identify
        self.examples = examples
        self.max_undocumented = max_undocumented
        self.profiles: dict[str, ObjectProfile] = {}
        self.records = self.unattributed = 0
        self.problems: list[ReadProblem] = []
        if schema is not None:
            self.profile(schema)

    def profile(self, name: str) -> ObjectProfile:
        found = self.profiles.get(name)
        if found is None:
            found = self.profiles[name] = ObjectProfile(
                name, examples=self.examples, max_undocumented=self.max_undocumented
            )
        return found

    def observe(self, item: Record | ReadProblem) -> None:
        """Count one record (or note one problem), its object chosen as `validate` does."""
        if isinstance(item, ReadProblem):
            self.problems.append(item)
            return
        self.records += 1
        if self.schema is not None:
            self.profile(self.schema).observe(item.payload, item.locator)
            return
        vendor = self.vendor
        name = choose_schema(item, vendor=vendor, identify=self.identify).schema
        if name is None or (vendor is not None and not name.startswith(vendor + ".")):
            self.unattributed += 1
            return
        self.profile(name).observe(item.payload, item.locator)

    def merge(self, later: CorpusProfile) -> None:
        """Add `later`, the profile of the records after this one's (`ObjectProfile.merge`)."""
        for name, theirs in later.profiles.items():
            self.profile(name).merge(theirs)
        self.records += later.records
        self.unattributed += later.unattributed
        self.problems += later.problems

    def report(self) -> DriftReport:
        objects = tuple(self.profiles[n].result() for n in sorted(self.profiles))
        if self.schema is not None and not self.profiles[self.schema].records:
            objects = ()
        return DriftReport(objects, self.records, self.unattributed, tuple(self.problems))
