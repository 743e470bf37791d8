"""The contract stage: property-based contract tests against an API over HTTP.

With a base URL, the user's API (one vendor's contract, safe methods only); without,
each vendor's reference simulator on a free loopback port, started and stopped here.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from conformance.check.options import CheckOptions
from conformance.errors import ConformanceError
from conformance.report.findings import Finding, Severity
from conformance.report.model import StageResult, Tally

if TYPE_CHECKING:  # the contract machinery is imported only when the stage runs
    from conformance.contract import OperationRun


def contract_stage(settings: CheckOptions) -> StageResult:
    """One contract run per vendor; an unreachable API errors the stage (exit 4).

    An operation that checked no body against a run schema is untested: it fails the
    stage with exit 2 unless `allow_untested`. A live API is tested statefully (the
    run ids its lists return feed the rest): `check` takes no path parameters.
    """
    from conformance.contract import ContractOptions, run_contract
    from conformance.contract.runner import shown_url
    from conformance.simulator import start

    started = time.monotonic()
    tallies: list[Tally] = []
    findings: list[Finding] = []
    errors: list[str] = []
    verdicts: list[str] = []
    code = 0
    bounds = ContractOptions(
        "",
        max_examples=settings.max_examples,
        seed=settings.seed,
        max_time=120.0,
        allow_untested=settings.allow_untested,
        max_body_size=settings.max_body_size,
    )
    for vendor in settings.vendors:
        try:
            if settings.base_url:
                live = replace(
                    bounds, base_url=settings.base_url, headers=settings.headers, stateful=True
                )
                result = run_contract(vendor, live)
            else:
                token = secrets.token_urlsafe(16)  # the contracts declare bearer auth
                with start(vendor, seed=settings.seed, token=token) as sim:
                    simulated = replace(
                        bounds,
                        base_url=sim.url,
                        headers=(("Authorization", f"Bearer {token}"),),
                        path_parameters=tuple(sim.known_path_parameters().items()),
                        rate_limit=0.0,  # a local simulator needs no politeness
                    )
                    result = run_contract(vendor, simulated)
        except ConformanceError as error:
            errors.append(f"{vendor}: {error.message}")
            code = max(code, int(error.exit_code))
            continue
        code = max(code, result.exit_code)
        if result.unreachable:  # not one response: the stage errs, as when nothing listens
            errors.append(f"{vendor}: {result.verdict}")
        elif result.verdict:
            verdicts.append(f"{vendor}: {result.verdict}")
        for run in result.runs:
            tallies.append(_tally(vendor, run, result.allow_untested))
            findings.extend(_findings(vendor, run, result.allow_untested))
        for operation, reason in result.skipped:
            findings.append(_finding(operation, "skipped", f"skipped: {reason}", "info"))
    if errors:
        status, message = "error", "; ".join(errors + verdicts)
    else:
        status, message = ("failed" if code else "passed"), "; ".join(verdicts) or None
    target = shown_url(settings.base_url) if settings.base_url else "the reference simulators"
    return StageResult(
        "contract",
        f"Contract-test {target}",
        status,  # type: ignore[arg-type]
        time.monotonic() - started,
        tuple(tallies),
        tuple(findings),
        message,
        code,
    )


def _tally(vendor: str, run: OperationRun, allow_untested: bool) -> Tally:
    """Passed when checked and clean; an untested operation fails unless it is allowed."""
    untested = run.status == "untested"
    failed = run.status == "FAILED" or (untested and not allow_untested)
    return Tally(run.operation, int(run.status == "ok"), int(failed), vendor, int(untested))


def _finding(
    operation: str, check: str, message: str, severity: Severity = "error", hint: str = ""
) -> Finding:
    """A contract finding on one operation; `check` names the check ("network", "untested")."""
    return Finding(
        severity, "contract", check, "", message, subject=operation, stage="contract", hint=hint
    )


def _findings(vendor: str, run: OperationRun, allow_untested: bool) -> list[Finding]:
    found = []
    for failure in run.failures:
        # the contract's own findings, as they are: a schema finding stays kind "schema"
        found.append(replace(failure, stage="contract", subject=run.operation))
    found += [_finding(run.operation, "network", text) for text in run.errors]
    if run.status == "untested":
        statuses = sorted(set(run.statuses))
        message = (
            f"untested ({run.calls} calls, statuses {statuses}): {run.untested_reason} "
            f"(with `runconform contract {vendor}`)"
        )
        found.append(
            _finding(run.operation, "untested", message, "warning" if allow_untested else "error")
        )
    return found
