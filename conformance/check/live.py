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
from conformance.report.cases import Case
from conformance.report.findings import Finding
from conformance.report.model import StageResult, StageStatus, Tally

if TYPE_CHECKING:  # the contract machinery is imported only when the stage runs
    from conformance.contract import ContractResult


def contract_stage(settings: CheckOptions) -> StageResult:
    """One contract run per vendor; an unreachable API errors the stage (exit 4).

    An operation that checked no body against a run schema is untested: it fails the
    stage with exit 2 unless `allow_untested`. A live API is tested statefully (the
    run ids its lists return feed the rest): `check` takes no path parameters.
    """
    from conformance.contract.cases import contract_cases
    from conformance.contract.runner import shown_url

    started = time.monotonic()
    tallies: list[Tally] = []
    findings: list[Finding] = []
    errors: list[str] = []
    verdicts: list[str] = []
    code = 0
    for vendor in settings.vendors:
        try:
            result = _run(settings, vendor)
        except ConformanceError as error:
            errors.append(f"{vendor}: {error.message}")
            code = max(code, int(error.exit_code))
            continue
        code = max(code, result.exit_code)
        if result.unreachable:  # not one response: the stage errs, as when nothing listens
            errors.append(f"{vendor}: {result.verdict}")
        elif result.verdict:
            verdicts.append(f"{vendor}: {result.verdict}")
        for case in contract_cases(result):
            if case.count:  # an operation that ran; a skipped one is a finding only
                tallies.append(_tally(vendor, case))
            findings.extend(_pointed(vendor, f) for f in case.findings)
    status: StageStatus = "error" if errors else ("failed" if code else "passed")
    target = shown_url(settings.base_url) if settings.base_url else "the reference simulators"
    return StageResult(
        "contract",
        f"Contract-test {target}",
        status,
        time.monotonic() - started,
        tuple(tallies),
        tuple(findings),
        "; ".join(errors + verdicts) or None,
        code,
    )


def _run(settings: CheckOptions, vendor: str) -> ContractResult:
    """The user's API (statefully, with their headers), else the vendor's simulator."""
    from conformance.contract import ContractOptions, run_contract
    from conformance.simulator import start

    bounds = ContractOptions(
        "",
        max_examples=settings.max_examples,
        seed=settings.seed,
        max_time=120.0,
        allow_untested=settings.allow_untested,
        max_body_size=settings.max_body_size,
    )
    if settings.base_url:
        live = replace(bounds, base_url=settings.base_url, headers=settings.headers, stateful=True)
        return run_contract(vendor, live)
    token = secrets.token_urlsafe(16)  # the contracts declare bearer auth
    with start(vendor, seed=settings.seed, token=token) as sim:
        simulated = replace(
            bounds,
            base_url=sim.url,
            headers=(("Authorization", f"Bearer {token}"),),
            path_parameters=tuple(sim.known_path_parameters().items()),
            rate_limit=0.0,  # a local simulator needs no politeness
        )
        return run_contract(vendor, simulated)


def _tally(vendor: str, case: Case) -> Tally:
    """Passed when checked and clean; an untested operation fails unless it is allowed."""
    untested = case.status in ("untested", "skipped")  # skipped: untested, and allowed
    failed = case.status in ("failed", "error", "untested")
    return Tally(case.name, int(case.status == "passed"), int(failed), vendor, int(untested))


def _pointed(vendor: str, finding: Finding) -> Finding:
    """An untested operation's finding names the command that tests it with data."""
    if finding.keyword != "untested":
        return finding
    return replace(finding, message=f"{finding.message} (with `runconform contract {vendor}`)")
