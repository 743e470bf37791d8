"""The contract stage: property-based contract tests against an API over HTTP.

With a base URL, the user's API (one vendor's contract, safe methods only); without,
each vendor's reference simulator on a free loopback port, started and stopped here.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import replace

from conformance.check.options import CheckOptions
from conformance.errors import ConformanceError, ExitCode
from conformance.report.model import Finding, StageResult, Tally


def contract_stage(settings: CheckOptions) -> StageResult:
    """One contract run per vendor; an unreachable API errors the stage (exit 4)."""
    from conformance.contract import ContractOptions, run_contract
    from conformance.contract.runner import shown_url
    from conformance.simulator import start

    started = time.monotonic()
    tallies: list[Tally] = []
    findings: list[Finding] = []
    errors: list[str] = []
    code = 0
    bounds = ContractOptions(
        "", max_examples=settings.max_examples, seed=settings.seed, max_time=120.0
    )
    for vendor in settings.vendors:
        try:
            if settings.base_url:
                live = replace(bounds, base_url=settings.base_url, headers=settings.headers)
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
        for run in result.runs:
            tallies.append(
                Tally(
                    run.operation,
                    0 if run.failures or run.errors else 1,
                    1 if run.failures or run.errors else 0,
                    vendor,
                )
            )
            for failure in run.failures:
                status = f" (status {failure.status})" if failure.status is not None else ""
                findings.append(
                    Finding(
                        "contract",
                        "error",
                        f"contract/{failure.check}",
                        run.operation,
                        f"{vendor} {run.operation}{status}",
                        failure.message,
                        vendor,
                    )
                )
            for error_text in run.errors:
                findings.append(
                    Finding(
                        "contract",
                        "error",
                        "contract/network",
                        run.operation,
                        f"{vendor} {run.operation}",
                        error_text,
                        vendor,
                    )
                )
        for operation, reason in result.skipped:
            findings.append(
                Finding(
                    "contract",
                    "info",
                    "contract/skipped",
                    operation,
                    f"{vendor} {operation}",
                    f"skipped: {reason}",
                    vendor,
                )
            )
    failed = sum(t.failed for t in tallies)
    if errors:
        status, message = "error", "; ".join(errors)
    else:
        status, message = ("failed" if failed else "passed"), None
        code = int(ExitCode.NON_CONFORMING) if failed else 0
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
