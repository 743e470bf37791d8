"""A corpus with drift planted at known rates: valid generated records, changed on purpose.

Every record starts valid (`conformance.generate`); record `i` gets a plant when
`i % every == phase`, so the count of each kind over `n` records is exact
(`planted_counts`). Reused by tests/test_drift.py, by the `validate --errata` round trip,
and by benchmarks/drift_bench.py (which streams millions of lines without a file).

    from drift_corpus import PLANTS, planted_lines, planted_counts
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from conformance.generate import generate

_ABSENT = object()


@dataclass(frozen=True)
class Plant:
    """Set (or, with `_ABSENT`, delete) top-level `name` in every `every`-th record."""

    kind: str  # the drift kind `runconform drift` must report
    name: str
    value: Any
    every: int
    phase: int

    @property
    def field(self) -> str:
        return f"$.{self.name}"

    @property
    def detail(self) -> str:
        if self.kind == "enum":
            return json.dumps(self.value)
        if self.kind == "format":
            return "date-time"
        if self.kind == "null":
            return ""
        return self.name

    def count(self, n: int, sparse: int = 1) -> int:
        return len(range(self.phase, n, self.every * sparse))

    def hits(self, i: int, sparse: int = 1) -> bool:
        return i % (self.every * sparse) == self.phase


PLANTS: dict[str, tuple[Plant, ...]] = {
    "hatchet.V1TaskSummary": (
        Plant("undocumented", "region", "eu-west-1", 10, 1),
        Plant("undocumented", "retryPolicy", {"max": 3, "backoff": "linear"}, 25, 2),
        Plant("enum", "status", "EVICTED", 20, 3),
        Plant("null", "displayName", None, 40, 4),
        Plant("format", "createdAt", "yesterday", 50, 5),
        Plant("required", "taskInsertedAt", _ABSENT, 100, 6),
    ),
    "knock.WorkflowRecipientRun": (
        Plant("undocumented", "channel", "email", 8, 0),
        Plant("enum", "status", "failed", 16, 3),
        Plant("null", "workflow", None, 30, 7),
        Plant("format", "inserted_at", "soon", 45, 11),
        Plant("required", "workflow_run_id", _ABSENT, 60, 13),
    ),
}


def planted_counts(name: str, n: int, sparse: int = 1) -> dict[tuple[str, str, str], int]:
    """(kind, field, detail) -> the exact number of the `n` records that carry it
    (`sparse`: every plant `sparse` times rarer)."""
    return {(p.kind, p.field, p.detail): p.count(n, sparse) for p in PLANTS[name]}


def planted_records(
    name: str, n: int, *, pool: int = 200, seed: int = 19, sparse: int = 1
) -> Iterator[Any]:
    """`n` records of `name`: a pool of valid ones, cycled, with the plants of `PLANTS`."""
    base = list(generate(name, pool, seed=seed))
    plants = PLANTS[name]
    for i in range(n):
        record = base[i % pool]
        changes = [p for p in plants if p.hits(i, sparse)]
        if changes:
            record = dict(record)
            for plant in changes:
                if plant.value is _ABSENT:
                    record.pop(plant.name, None)
                else:
                    record[plant.name] = plant.value
        yield record


def planted_lines(
    name: str, n: int, *, pool: int = 200, seed: int = 19, sparse: int = 1
) -> Iterator[str]:
    """The same records as JSON Lines (each line ends with a newline); an untouched
    record's line is encoded once, so millions of lines cost little."""
    base = list(generate(name, pool, seed=seed))
    encoded = [json.dumps(r) + "\n" for r in base]
    plants = PLANTS[name]
    periods = [(p, p.every * sparse) for p in plants]
    for i in range(n):
        if any(i % every == p.phase for p, every in periods):
            record = dict(base[i % pool])
            for plant, every in periods:
                if i % every == plant.phase:
                    if plant.value is _ABSENT:
                        record.pop(plant.name, None)
                    else:
                        record[plant.name] = plant.value
            yield json.dumps(record) + "\n"
        else:
            yield encoded[i % pool]
