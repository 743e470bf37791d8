"""One report model behind every output of `runconform check`.

Each stage of the tour (lint, validate, fixtures, mappings, contract) turns its
own result objects into the same few shapes: tallies per vendor object, the one
`Finding` (stage and subject set), and a status. Writers (JSON, JUnit, Markdown, SARIF, HTML) read
only this model, so they cannot disagree about what happened.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from conformance.report.findings import Finding
from conformance.report.text import rule_id

REPORT_VERSION = 2  # 2: findings are `report.findings.Finding` (kind + keyword, file, pointer)
#: passed: ran, nothing wrong; failed: ran, found non-conformance;
#: error: could not run to the end (the message says why); skipped: not asked for.
StageStatus = Literal["passed", "failed", "error", "skipped"]


@dataclass(frozen=True)
class Tally:
    """How many items of one subject passed and failed in one stage."""

    subject: str  # usually "vendor.Object"; an operation for contract runs
    passed: int
    failed: int  # counts an untested item too, unless untested items were allowed
    vendor: str | None = None
    untested: int = 0  # ran, but nothing was checked (a contract operation that got no data)


@dataclass(frozen=True)
class StageResult:
    """What one stage did; `message` says why for an errored or skipped stage."""

    name: str  # lint, validate, fixtures, mappings, contract
    title: str
    status: StageStatus
    elapsed: float  # seconds
    tallies: tuple[Tally, ...] = ()
    findings: tuple[Finding, ...] = ()
    message: str | None = None
    exit_code: int = 0  # the code this stage alone would exit with (see README)

    @property
    def passed(self) -> int:
        return sum(t.passed for t in self.tallies)

    @property
    def failed(self) -> int:
        return sum(t.failed for t in self.tallies)

    @property
    def untested(self) -> int:
        return sum(t.untested for t in self.tallies)


@dataclass(frozen=True)
class Source:
    """A vendor document a bundled schema was built from."""

    vendor: str
    path: str
    sha256: str
    origin: str  # where the vendor published it


@dataclass(frozen=True)
class Erratum:
    """A documented correction applied to vendor material."""

    vendor: str
    id: str
    target: str
    rationale: str
    source: str = "bundled"  # or where a user's erratum came from, "e.yaml#/errata/0"


@dataclass(frozen=True)
class Provenance:
    """Which bundle and corrections produced the verdicts."""

    variant: str  # corrected | published
    bundle_digest: str  # sha256 over the bundled schema files
    sources: tuple[Source, ...] = ()
    errata: tuple[Erratum, ...] = ()


@dataclass(frozen=True)
class Report:
    """The whole `check` run. `matrix` is the mapping expressiveness matrix as plain data."""

    tool_version: str
    created: str  # RFC 3339, UTC
    elapsed: float
    exit_code: int
    stages: tuple[StageResult, ...]
    provenance: Provenance
    matrix: dict[str, Any] | None = field(default=None, compare=False)
    inputs: tuple[str, ...] = ()  # paths and base URL checked; empty = the bundled tour
    version: int = REPORT_VERSION
    #: what the recordings exercised of the contracts: one coverage case (`cases.Case`,
    #: whose module imports this one: hence Any) per vendor and kind
    coverage: tuple[Any, ...] = field(default=(), compare=False)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for s in self.stages for f in s.findings)

    def findings_by_kind(self) -> list[tuple[str, int]]:
        """(rule, count), most frequent first, ties by name: the data of the chart."""
        counts = Counter(rule_id(f) for f in self.findings)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def worst(self, limit: int = 20) -> tuple[Finding, ...]:
        """The findings a person should read first: errors, then warnings, then info."""
        order = {"error": 0, "warning": 1, "info": 2}
        ranked = sorted(self.findings, key=lambda f: order.get(f.severity, 3))  # stable
        return tuple(ranked[:limit])
