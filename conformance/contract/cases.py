"""A contract run as the report layer's cases: the one conversion, for the reports of
`runconform contract` and the contract stage of `runconform check` alike.

One case per operation tested (its findings as they are, network errors and "untested"
as findings of kind "contract"), one per operation skipped, and for the command's own
reports a case for the run when nothing or not everything was tested.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from conformance.contract.results import ContractResult, OperationRun
from conformance.report.cases import Case, CaseStatus, Outcome
from conformance.report.findings import Finding, Severity


def contract_finding(
    subject: str, check: str, message: str, severity: Severity = "error"
) -> Finding:
    """A finding about an operation (or the run) that no response body carries:
    `check` names it ("network", "untested", "skipped", "time-ran-out")."""
    return Finding(severity, "contract", check, "", message, subject=subject, stage="contract")


def operation_case(result: ContractResult, run: OperationRun) -> Case:
    """failed (a check failed), error (only network errors), untested (nothing checked;
    skipped when untested operations are allowed) or passed."""
    findings = [replace(f, stage="contract", subject=run.operation) for f in run.failures]
    findings += [contract_finding(run.operation, "network", text) for text in run.errors]
    status: CaseStatus = "passed"
    message = ""
    if run.failures:
        status = "failed"
    elif run.errors:
        status = "error"
    elif run.status == "untested":
        status, message = ("skipped" if result.allow_untested else "untested"), run.line
        severity: Severity = "warning" if result.allow_untested else "error"
        findings.append(contract_finding(run.operation, "untested", run.status_line, severity))
    details: dict[str, Any] = {
        "operation_id": run.operation_id,
        "calls": run.calls,
        "statuses": list(run.statuses),
        "checked": run.checked,
        "hint": run.hint,
    }
    return Case(
        "contract",
        run.operation,
        result.vendor,
        status,
        tuple(findings),
        message=message,
        details=details,
    )


def contract_cases(result: ContractResult) -> tuple[Case, ...]:
    """Every operation tested (`count` 1), then every operation skipped (`count` 0)."""
    skipped = tuple(
        Case(
            "contract",
            operation,
            result.vendor,
            "skipped",
            (contract_finding(operation, "skipped", f"skipped: {reason}", "info"),),
            count=0,
            message=reason,
        )
        for operation, reason in result.skipped
    )
    return tuple(operation_case(result, run) for run in result.runs) + skipped


def run_case(result: ContractResult) -> Case | None:
    """The run itself, failed, when it tested nothing or its --max-time cut it short;
    `runconform contract` reports it (check says so in its stage's message instead)."""
    if result.runs and not result.stopped:
        return None
    name = f"runconform contract {result.vendor}"
    verdict = result.verdict or "no operation was tested"
    check = "time-ran-out" if result.stopped else "nothing-tested"
    finding = contract_finding(name, check, verdict)
    return Case("contract", name, result.vendor, "failed", (finding,), count=0, message=verdict)


def contract_outcome(result: ContractResult) -> Outcome:
    """The exit code, the summary line the terminal shows, and what the run was."""
    counts = {
        "vendor": result.vendor,
        "base_url": result.base_url,
        "seed": result.seed,
        "ok": result.ok,
        "exit_code": result.exit_code,
        "allow_untested": result.allow_untested,
        "stopped": result.stopped or None,
        "verdict": result.verdict,
        "notes": list(result.notes),
        "operations": len(result.runs),
        "failed": len(result.failed),
        "untested": len(result.untested),
        "failures": len(result.failures),
        "network_errors": sum(len(r.errors) for r in result.runs),
        "skipped": [list(s) for s in result.skipped],
        "exchanges": len(result.exchanges),
    }
    return Outcome(result.exit_code, result.summary(), counts)
