"""Test one operation: Hypothesis generates its requests, Schemathesis' checks and ours
judge every response, and what happened becomes one `OperationRun`.

A request that gets no (complete) response is a network error of the operation, not a
finding about the API; the run's --max-time ends the operation's loop at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from requests.exceptions import RequestException
from schemathesis.generation.modes import GenerationMode

from conformance.contract.discovery import PROBE_ATTEMPTS, is_list, required_only
from conformance.contract.failure import findings_of
from conformance.contract.recordings import record, record_cut
from conformance.contract.reproduce import curl_line, with_reproduction
from conformance.contract.response_checks import checked_schema
from conformance.contract.results import OperationRun
from conformance.contract.session import ContractSession, OperationPlan
from conformance.contract.transport import RequestCut, TooLarge
from conformance.report.findings import Finding

_HYPOTHESIS: dict[str, Any] = {
    "database": None,
    "deadline": None,
    "derandomize": True,
    "suppress_health_check": list(HealthCheck),
    "phases": [Phase.generate],
}


class Found(BaseException):
    """A --stateful probe found a run: ends its Hypothesis loop (see `TimeUp`)."""


class TimeUp(BaseException):
    """The run's --max-time ran out: ends the operation's Hypothesis loop at once
    (a BaseException, so Hypothesis neither catches nor retries it)."""


@dataclass
class _Outcome:
    """What one operation's requests came to, as they come in."""

    statuses: list[int] = field(default_factory=list)
    #: each finding once, in the order first seen -> as reported: with the curl line of
    #: the first request it was found on
    findings: dict[Finding, Finding] = field(default_factory=dict)
    errors: dict[str, None] = field(default_factory=dict)
    calls: int = 0
    checked: int = 0  # response bodies checked against a run schema
    saw_run: bool = False  # --stateful: a response of this operation held a run


def run_operation(session: ContractSession, plan: OperationPlan) -> OperationRun:
    """Send the operation's generated requests; a --stateful list that returned no run
    is probed again with its required parameters only."""
    session.plan = plan
    outcome = _Outcome()
    params = plan.path_parameters or None
    strategy = plan.operation.as_strategy(GenerationMode.POSITIVE, path_parameters=params)

    @settings(max_examples=session.options.max_examples, **_HYPOTHESIS)
    @given(strategy)
    def exercise(case: Any) -> None:
        _send(session, plan, outcome, case)

    @settings(max_examples=PROBE_ATTEMPTS, **_HYPOTHESIS)
    @given(strategy)
    def probe(case: Any) -> None:
        required_only(case)
        _send(session, plan, outcome, case)
        if outcome.saw_run:
            raise Found

    try:
        exercise()
        if _worth_probing(session, plan, outcome):
            probe()
    except Found:
        pass
    except TimeUp:
        session.time_up = True
    return OperationRun(
        plan.label,
        plan.op_id,
        outcome.calls,
        tuple(outcome.statuses),
        tuple(outcome.findings.values()),
        tuple(outcome.errors),
        outcome.checked,
    )


def _worth_probing(session: ContractSession, plan: OperationPlan, outcome: _Outcome) -> bool:
    """--stateful, a list of runs with every path parameter known that answered an empty
    page: 2xx and nothing went wrong (not a 401, not a cut body), yet no run in it."""
    known = len(plan.path_parameters) == len(list(plan.operation.path_parameters))
    answered = (
        any(200 <= s < 300 for s in outcome.statuses)
        and not outcome.findings
        and not outcome.errors
    )
    return (
        session.options.stateful
        and not outcome.saw_run
        and known
        and answered
        and is_list(session.vendor, plan.operation)
    )


def _send(session: ContractSession, plan: OperationPlan, outcome: _Outcome, case: Any) -> None:
    """One request and its judgement: statuses, findings, errors, sightings."""
    session.limiter.wait()
    if time.monotonic() >= session.deadline:
        raise TimeUp
    outcome.calls += 1
    try:
        response = case.call(base_url=session.endpoint, headers=session.headers, **session.sent)
    except RequestException as exc:
        _failed(session, plan, outcome, exc)
        return
    outcome.statuses.append(response.status_code)
    if session.options.record:
        session.exchanges.append(record(plan.label, response, session.scrub, session.headers))
    observed = session.observed(case, response)
    if session.options.our_checks and checked_schema(observed) is not None:
        outcome.checked += 1
    if session.options.stateful and session.sightings.add(observed, case.path_parameters):
        outcome.saw_run = True
    _judge(session, plan, outcome, case, response)


def _judge(
    session: ContractSession, plan: OperationPlan, outcome: _Outcome, case: Any, response: Any
) -> None:
    """Schemathesis' built-in checks and ours on one response; each failure as findings."""
    try:
        case.validate_response(
            response,
            additional_checks=session.checks,
            headers=session.headers,
            transport_kwargs={**session.sent, "base_url": session.endpoint},
        )
    except BaseExceptionGroup as group:  # FailureGroup: the checks that failed
        for failure in group.exceptions:
            if isinstance(failure, RequestException):
                _failed(session, plan, outcome, failure)
            else:
                found = findings_of(failure, plan.label, session.scrub)
                _found(session, outcome, found, case, response)
    except AssertionError as failure:
        found = findings_of(failure, plan.label, session.scrub)
        _found(session, outcome, found, case, response)
    except RequestException as exc:  # a check's own request (e.g. the auth probe) failed
        _failed(session, plan, outcome, exc)


def _found(
    session: ContractSession,
    outcome: _Outcome,
    findings: tuple[Finding, ...],
    case: Any,
    response: Any,
) -> None:
    """Keep each new finding with a curl line that reproduces the request it was found on."""
    new = [f for f in findings if f not in outcome.findings]
    if not new:
        return
    curl = curl_line(response.request, case.headers or {}, session.headers, session.scrub)
    outcome.findings.update((f, replace(f, hint=with_reproduction(f.hint, curl))) for f in new)


def _failed(
    session: ContractSession, plan: OperationPlan, outcome: _Outcome, exc: RequestException
) -> None:
    """A request that got no (complete) response; the run stops when its time is up."""
    if isinstance(exc, TooLarge) and exc.response is not None:  # answered, too much
        outcome.statuses.append(exc.response.status_code)
        if session.options.record:
            cut = record_cut(plan.label, exc.response, session.scrub, session.headers, str(exc))
            session.exchanges.append(cut)
    kind = "" if isinstance(exc, RequestCut) else f"{type(exc).__name__}: "
    outcome.errors.setdefault(session.scrub(f"{plan.label}: {kind}{exc}"))
    if time.monotonic() >= session.deadline:
        raise TimeUp
