"""What `contract --lifecycle` found: the runs it followed, as report cases and an exit code.

The cases are `lifecycle_cases`' (one per run observed more than once, or one untested
case when none was: nothing compared is never a pass), so every report format shows a
live poll as it shows a recording checked with `validate --lifecycle`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from conformance.contract.recordings import Exchange
from conformance.errors import ExitCode, UsageError
from conformance.lifecycle.check import LifecycleResult, lifecycle_cases
from conformance.report.cases import Case, Outcome
from conformance.words import plural


@dataclass(frozen=True)
class PollOptions:
    """How long `contract --lifecycle` follows runs: `polls` rounds `interval` s apart
    (runs it made: until they end, within --max-time); `stuck_after`: seconds a run may
    stay in its initial state (None: runs it made get the window, others are not judged)."""

    polls: int = 5
    interval: float = 1.0
    stuck_after: float | None = None

    def __post_init__(self) -> None:
        if self.polls < 2:
            raise UsageError(
                f"--polls must be at least 2 (runs are compared between polls), got {self.polls}"
            )
        if self.interval < 0:
            raise UsageError(f"--poll-interval must be 0 or more seconds, got {self.interval:g}")


@dataclass(frozen=True)
class PollResult:
    """A lifecycle poll of one live API."""

    vendor: str
    base_url: str
    lifecycle: LifecycleResult
    notes: tuple[str, ...]  # operations not polled, writes not checked, requests unanswered
    requests: int
    answered: int
    rounds: int
    exchanges: tuple[Exchange, ...] = field(repr=False)
    stopped: str  # why fewer than two rounds were done ("" when not)
    elapsed: float = field(compare=False)

    @property
    def exit_code(self) -> int:
        """4 no answer at all > 2 nothing compared or cut short > 1 a rule broken > 0."""
        if self.requests and not self.answered:
            return int(ExitCode.UNREADABLE)
        if not self.lifecycle.followed or self.stopped:
            return int(ExitCode.USAGE)
        return int(ExitCode.NON_CONFORMING if self.lifecycle.failing else ExitCode.OK)

    def cases(self) -> tuple[Case, ...]:
        return tuple(lifecycle_cases(self.lifecycle))

    def summary(self) -> str:
        """`N polls, R requests in T s; lifecycle: ...`."""
        return (
            f"{plural(self.rounds, 'poll')}, {plural(self.requests, 'request')} in "
            f"{self.elapsed:.1f} s; {self.lifecycle.line}"
        )

    @property
    def verdict(self) -> str | None:
        if self.requests and not self.answered:
            return (
                f"{self.base_url}: no response to any of {plural(self.requests, 'request')}: "
                "the API is unreachable or not speaking HTTP (network failure)"
            )
        if self.stopped:
            return f"{self.stopped} before two polls were done: nothing compared"
        return None

    def outcome(self) -> Outcome:
        counts = {
            "vendor": self.vendor,
            "base_url": self.base_url,
            "exit_code": self.exit_code,
            "polls": self.rounds,
            "requests": self.requests,
            "runs_followed": len(self.lifecycle.followed),
            "runs_failing": len(self.lifecycle.failing),
            "observations": self.lifecycle.observations,
            "notes": list(self.notes),
            "verdict": self.verdict,
        }
        return Outcome(self.exit_code, self.summary(), counts)


def write_poll_reports(
    result: PollResult, formats: Iterable[str], directory: Path
) -> tuple[Path, ...]:
    """Each format into `directory` as `contract --report` names them, atomically."""
    from conformance.contract.report_files import write_reports_of
    from conformance.report.cases import Header
    from conformance.report.files import ensure_writable

    ensure_writable(directory)
    header = Header("contract", f"runconform contract {result.vendor} --lifecycle")
    cases, outcome = result.cases(), result.outcome()
    return write_reports_of(
        result.vendor, result.exchanges, header, cases, outcome, formats, directory
    )
