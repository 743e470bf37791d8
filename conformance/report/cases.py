"""What every writer reads: cases (one judged subject each), framed by a header and an outcome.

A case is a record for `validate`, an operation for `contract`, a vendor object per
stage for `check`. Streaming commands hand cases to a writer as they are judged;
whole-run commands hand them over at the end (`report_cases`). Either way one writer
module per format renders them, so the formats of every command agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from conformance.errors import ExitCode
from conformance.report.applied import user_errata
from conformance.report.findings import CleanRecords, Finding, ValidationResult
from conformance.report.placement import placed
from conformance.report.text import locator_text
from conformance.words import plural

if TYPE_CHECKING:
    from conformance.report.model import Report

#: passed: judged, nothing wrong; failed: non-conforming; error: could not be judged;
#: untested: ran, but nothing was checked; skipped: not asked for (or untested, allowed).
CaseStatus = Literal["passed", "failed", "error", "untested", "skipped"]


@dataclass(frozen=True, slots=True)
class Case:
    """One judged subject and its findings."""

    stage: str  # validate, lint, fixtures, mappings, contract
    name: str  # a record's locator, an operation ("GET /runs/{id}"), a vendor object
    group: str  # what it belongs to: a schema, "runconform.<stage>"
    status: CaseStatus
    findings: tuple[Finding, ...] = ()
    file: str | None = None
    line: int | None = None
    count: int = 1  # items this case stands for (records of a tally)
    message: str = ""  # why it errored, was skipped or untested
    record: ValidationResult | None = None  # validate: the verdict behind the case
    #: what the command knows of the subject beyond its findings (a contract operation's
    #: calls, statuses, bodies checked, hint); JSON writes it as `details` when there is any
    details: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Header:
    """What a writer needs before the first case."""

    command: str  # validate, check, contract
    title: str = ""


@dataclass(frozen=True)
class Outcome:
    """What a writer needs after the last case: the exit code, the one-line summary and
    counts; for whole-run commands the full `Report` (stages, provenance, matrix)."""

    exit_code: int
    line: str
    counts: Mapping[str, Any]
    report: Report | None = None
    #: what a run without a `Report` (`contract`) exercised: its coverage cases (stage
    #: "coverage"), which JSON writes as its `coverage` key and text as the table
    coverage: tuple[Case, ...] = ()
    #: the user errata layered on the bundle for this run (id, object, source): every
    #: report names them (`conformance.bundle.user_errata`)
    user_errata: tuple[Mapping[str, str], ...] = field(default_factory=user_errata)


def record_case(result: ValidationResult) -> Case:
    """The case of one validated record (or unreadable input), its findings placed on
    the values they are about (only a record with findings is looked at again)."""
    if result.findings:
        result = placed(result)
    loc = result.locator
    if result.unreadable:
        status: CaseStatus = "error"
    else:
        status = "passed" if result.ok else "failed"
    return Case(
        "validate",
        locator_text(result),
        result.schema or "unrouted",
        status,
        result.findings,
        loc.file if loc else None,
        loc.line if loc else None,
        record=result,
    )


@dataclass
class Summary:
    """Counts over a stream of validation results: every footer's and the exit code's data."""

    records: int = 0
    conforming: int = 0
    failing: int = 0
    unreadable: int = 0
    unrouted: int = 0
    severities: Counter[str] = field(default_factory=Counter)
    schemas: Counter[str] = field(default_factory=Counter)
    errata: set[str] = field(default_factory=set)
    #: `validate --lifecycle`: its footer line, runs followed and runs that broke a rule
    lifecycle: str = ""
    runs_followed: int = 0
    runs_failing: int = 0
    _last_errata: tuple[str, ...] = field(default=(), repr=False)

    def add_clean(self, clean: CleanRecords) -> None:
        """Count records that had nothing to report, without one result each."""
        self.records += clean.count
        self.conforming += clean.count
        self.schemas[clean.schema or ""] += clean.count
        self.errata.update(clean.errata)

    def add(self, result: ValidationResult) -> None:
        if not result.findings:  # the common case, kept cheap
            self.records += 1
            self.conforming += 1
            self.schemas[result.schema or ""] += 1
            if result.errata and result.errata is not self._last_errata:
                self.errata.update(result.errata)
                self._last_errata = result.errata
            return
        if result.unreadable:
            self.unreadable += 1
        else:
            self.records += 1
            if any(f.kind == "routing" and f.keyword == "no-schema" for f in result.findings):
                self.unrouted += 1
            if result.ok:
                self.conforming += 1
            else:
                self.failing += 1
        for finding in result.findings:
            self.severities[finding.severity] += 1
        if result.schema:
            self.schemas[result.schema] += 1
        self.errata.update(result.errata)

    def add_tallied(self, tallied: TalliedResults) -> None:
        """Count results a worker counted instead of sending (`TalliedResults`)."""
        other = tallied.counts
        self.records += other.records
        self.conforming += other.conforming
        self.failing += other.failing
        self.unreadable += other.unreadable
        self.unrouted += other.unrouted
        self.severities.update(other.severities)
        self.schemas.update(other.schemas)
        self.errata.update(other.errata)

    def add_lifecycle(
        self, line: str, followed: int, failing: int, findings: Iterable[Finding]
    ) -> None:
        """The lifecycle check's counts: a run that broke a rule fails the run, and a
        check that followed no run checked nothing (never a pass)."""
        self.lifecycle, self.runs_followed, self.runs_failing = line, followed, failing
        for finding in findings:
            self.severities[finding.severity] += 1

    def exit_code(self) -> int:
        """4 unreadable input > 2 records with no schema (or, asked to follow runs, none
        followed) > 1 non-conforming (a record, or a run's lifecycle) > 0."""
        if self.unreadable:
            return int(ExitCode.UNREADABLE)
        if self.unrouted or (self.lifecycle and not self.runs_followed):
            return int(ExitCode.USAGE)
        if self.failing or self.runs_failing:
            return int(ExitCode.NON_CONFORMING)
        return int(ExitCode.OK)

    def line(self) -> str:
        s = self.severities
        return (
            f"{plural(self.records, 'record')}: {self.conforming:,} conforming, {self.failing:,} "
            f"not conforming; {plural(self.unreadable, 'unreadable input')}; "
            f"{plural(s['error'], 'error')}, {plural(s['warning'], 'warning')}, {s['info']:,} info"
        ) + (f"; {self.lifecycle}" if self.lifecycle else "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "conforming": self.conforming,
            "failing": self.failing,
            "unreadable": self.unreadable,
            "unrouted": self.unrouted,
            "errors": self.severities["error"],
            "warnings": self.severities["warning"],
            "info": self.severities["info"],
            "schemas": dict(sorted(self.schemas.items())),
            "errata": sorted(self.errata),
        } | (
            {"runs_followed": self.runs_followed, "runs_failing": self.runs_failing}
            if self.lifecycle
            else {}
        )

    def outcome(self) -> Outcome:
        return Outcome(self.exit_code(), self.line(), self.as_dict())


@dataclass(frozen=True)
class TalliedResults:
    """Results a worker counted instead of sending them (`validate --show N` on a file
    it reads whole: past the first N that a report would show, only counts travel), so
    neither the worker nor the report holds every finding of a huge file."""

    counts: Summary
    #: of them, those a report would have shown (with errors, or warnings unless -q)
    cases: int


def report_cases(report: Report) -> Iterator[Case]:
    """A check `Report` as cases: per stage, its error or skip, then one case per tallied
    subject, then one per subject whose findings no tally counts (a skipped operation)."""
    for stage in report.stages:
        group = f"runconform.{stage.name}"
        if stage.status in ("error", "skipped"):
            yield Case(stage.name, stage.title, group, stage.status, message=stage.message or "")
        by_subject: dict[str, list[Finding]] = {}
        for finding in stage.findings:
            by_subject.setdefault(finding.subject, []).append(finding)
        for tally in stage.tallies:
            found = tuple(by_subject.pop(tally.subject, ()))
            status: CaseStatus = "passed"
            if tally.failed:
                status = "untested" if tally.untested else "failed"
            elif tally.untested:
                status = "skipped"  # untested, and untested subjects were allowed
            yield Case(
                stage.name, tally.subject, group, status, found, count=tally.passed + tally.failed
            )
        for subject, left in by_subject.items():
            bad = any(f.severity == "error" for f in left)
            yield Case(stage.name, subject, group, "failed" if bad else "skipped", tuple(left))
