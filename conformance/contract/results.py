"""What a contract run found, per operation and in all, worded once for every output.

An operation is `ok` only when at least one response body was checked against a
run schema (the bundled one of its 2xx response, or the one named with --expect):
answering 404 to every generated id proves nothing, so such an operation is
`untested`, says how to give it data, and fails the run with exit 2 ("nothing was
checked", as `validate` uses it) unless untested operations are allowed.

A run its --max-time cut short exits 2 even then: what it did not reach is untested,
and allowing that is not what --allow-untested means. A run in which not one request
got a response (refused, reset, hung, not HTTP) is a network failure: exit 4.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from conformance.contract.recordings import Exchange
from conformance.errors import ExitCode
from conformance.report.findings import Finding
from conformance.report.text import finding_line
from conformance.words import plural

UNTESTED = "no response body was checked against a run schema"

OperationStatus = Literal["ok", "FAILED", "untested"]


@dataclass(frozen=True)
class OperationRun:
    """What happened to one operation."""

    operation: str  # "GET /api/workflows/{workflowName}/{runId}"
    operation_id: str | None
    calls: int
    statuses: tuple[int, ...]
    failures: tuple[Finding, ...]  # each once, in the order first seen; stage "contract"
    errors: tuple[str, ...]  # network errors and timeouts
    checked: int = 0  # response bodies checked against a run schema
    hint: str = ""  # how to give an untested operation data

    @property
    def status(self) -> OperationStatus:
        if self.failures or self.errors:
            return "FAILED"
        return "ok" if self.checked else "untested"

    @property
    def line(self) -> str:
        """`GET /runs/{id}: untested (5 calls, statuses [404]): ...; give it data: ...`"""
        return f"{self.operation}: {self.status_line}"

    @property
    def status_line(self) -> str:
        """`untested (5 calls, statuses [404]): ...; give it data: ...`: the line without
        the operation, as a finding about the operation says it."""
        statuses = sorted(set(self.statuses))
        text = f"{self.status} ({plural(self.calls, 'call')}, statuses {statuses})"
        return f"{text}: {self.untested_reason}" if self.status == "untested" else text

    @property
    def untested_reason(self) -> str:
        return f"{UNTESTED}; {self.hint}" if self.hint else UNTESTED

    def lines(self) -> list[str]:
        """The operation's line, then each finding and network error, indented under it."""
        return [
            self.line,
            *(f"  {failure_text(f)}" for f in self.failures),
            *(f"  error: {error}" for error in self.errors),
        ]


def failure_text(finding: Finding) -> str:
    """`$.status: error: "x" is not one of: ... [enum]`: the one text form of a finding
    (`finding_line`) placed at its path, shown under the operation's line."""
    return finding_line(finding, finding.path)


@dataclass(frozen=True)
class ContractResult:
    """The whole run: per operation, what was skipped and why, and what was adapted."""

    vendor: str
    base_url: str
    seed: int
    runs: tuple[OperationRun, ...]
    skipped: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]
    elapsed: float = field(compare=False)
    exchanges: tuple[Exchange, ...] = field(default=(), compare=False, repr=False)
    allow_untested: bool = False
    stopped: str = ""  # why the run ended before it was done, e.g. its --max-time ran out

    @property
    def failures(self) -> tuple[Finding, ...]:
        return tuple(f for r in self.runs for f in r.failures)

    @property
    def failed(self) -> tuple[OperationRun, ...]:
        return tuple(r for r in self.runs if r.status == "FAILED")

    @property
    def untested(self) -> tuple[OperationRun, ...]:
        return tuple(r for r in self.runs if r.status == "untested")

    @property
    def calls(self) -> int:
        return sum(r.calls for r in self.runs)

    @property
    def unreachable(self) -> bool:
        """Requests were sent and not one got a response."""
        return self.calls > 0 and not any(r.statuses for r in self.runs)

    @property
    def exit_code(self) -> int:
        """4 no response at all > 2 nothing tested, cut short, or untested operations not
        allowed > 1 failures > 0.

        The order `validate` uses: unreadable input outranks records with no schema,
        which outrank non-conforming ones.
        """
        if self.unreachable:
            return int(ExitCode.UNREADABLE)
        if not self.runs or self.stopped or (self.untested and not self.allow_untested):
            return int(ExitCode.USAGE)
        return int(ExitCode.NON_CONFORMING) if self.failed else int(ExitCode.OK)

    @property
    def ok(self) -> bool:
        return self.exit_code == ExitCode.OK

    def summary(self) -> str:
        """`N operations tested, F failures, [E network errors, ]U untested, S skipped in T s`."""
        errors = sum(len(r.errors) for r in self.runs)
        return (
            f"{plural(len(self.runs) - len(self.untested), 'operation')} tested, "
            f"{plural(len(self.failures), 'failure')}, "
            + (f"{plural(errors, 'network error')}, " if errors else "")
            + f"{len(self.untested)} untested, "
            f"{len(self.skipped)} skipped in {self.elapsed:.1f} s"
        )

    @property
    def verdict(self) -> str | None:
        """Why nothing, or not everything, was checked; None when that is not the case."""
        if self.unreachable:
            return (
                f"{self.base_url}: no response to any of {plural(self.calls, 'request')}: "
                "the API is unreachable or not speaking HTTP (network failure)"
            )
        if not self.runs:
            return "no operation was tested: nothing was checked"
        if self.stopped:
            return (
                f"{self.stopped} before the run was done: "
                f"{plural(len(self.untested), 'operation')} untested; "
                "raise --max-time or test fewer operations (--operation)"
            )
        if self.untested and not self.allow_untested:
            return (
                f"{plural(len(self.untested), 'operation')} untested: give them data, "
                "or accept them with --allow-untested"
            )
        return None

    def problems(self) -> tuple[OperationRun, ...]:
        """The operations that keep the run from passing, in run order."""
        return tuple(
            r
            for r in self.runs
            if r.status == "FAILED"
            or (r.status == "untested" and (self.stopped or not self.allow_untested))
        )
