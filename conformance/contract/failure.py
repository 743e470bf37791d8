"""A failed check as data: runconform's checks raise a `ContractFailure` carrying their
findings, and every failure a response gets becomes `Finding`s the same way.

Schemathesis passes a `Failure` subclass through its runner unchanged (it wraps only a
bare AssertionError, in a "Custom check failed" title), so the check's name and its
findings arrive here as they were raised: nothing is parsed back from a title.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from schemathesis.core.failures import Failure, Severity

from conformance.report.findings import Finding
from conformance.report.text import finding_line

STAGE = "contract"


class ContractFailure(Failure):
    """One of runconform's checks failed on one response: its name and its findings."""

    check: str  # an instance attribute here; Schemathesis' classes name theirs in `checks`
    findings: tuple[Finding, ...]

    def __init__(self, *, operation: str, check: str, findings: tuple[Finding, ...]) -> None:
        super().__init__(
            operation=operation,
            title=f"runconform check failed: {check}",
            message="\n".join(finding_line(f, f.path) for f in findings),
            severity=Severity.HIGH,
        )
        self.check = check
        self.findings = findings

    @property
    def _unique_key(self) -> str:
        """Schemathesis keeps one failure per class and key: one per check and findings."""
        return repr((self.check, self.findings))


def findings_of(
    failure: BaseException, operation: str, scrub: Callable[[str], str]
) -> tuple[Finding, ...]:
    """The findings of a failed check on a response of `operation` (its label), scrubbed:
    ours as raised; one of Schemathesis' built-in checks as one finding of kind
    "contract" whose keyword is the check its failure class names."""
    if isinstance(failure, ContractFailure):
        found = failure.findings
    else:
        found = (Finding("error", "contract", check_name(failure), "", _first_line(failure)),)
    return tuple(
        replace(
            f, pointer=scrub(f.pointer), message=scrub(f.message), subject=operation, stage=STAGE
        )
        for f in found
    )


def check_name(failure: BaseException) -> str:
    """The check that raised `failure`, from the structured fields Schemathesis gives:
    the checks its class reports (the first, for a class two checks share), else the
    class name (a failure of a check Schemathesis does not know)."""
    if isinstance(failure, ContractFailure):
        return failure.check
    checks = getattr(type(failure), "checks", ())
    return str(checks[0]) if checks else type(failure).__name__


def _first_line(failure: BaseException) -> str:
    """The failure's message, first line: `Received: 302`, not the whole report."""
    message = str(getattr(failure, "message", None) or "").strip()
    if not message:
        message = str(getattr(failure, "title", None) or failure).strip()
    return message.splitlines()[0] if message else type(failure).__name__
