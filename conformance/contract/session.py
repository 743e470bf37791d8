"""What every operation of one contract run shares: a `ContractSession`.

The headers sent, the rate limiter, the scrubber every message leaves through, the run's
deadline, the exchanges recorded and the run ids seen (--stateful) live here, so the code
that tests one operation takes (session, plan) and nothing else. An `OperationPlan` is
what is decided once per operation: its label, its fixed path parameters, and which run
schema each of its responses is judged against.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance.contract.discovery import Sightings
from conformance.contract.failure import ContractFailure
from conformance.contract.options import ContractOptions
from conformance.contract.recordings import Exchange
from conformance.contract.response_checks import CHECKS, Observed
from conformance.contract.routes import OperationRoute
from conformance.contract.safety import REDACTED, RateLimit, Scrubber, split_base_url


class Headers(dict[str, str]):
    """The headers sent: a dict whose repr shows no value (a traceback's locals print it)."""

    def __repr__(self) -> str:
        return repr({name: REDACTED for name in self})


@dataclass(frozen=True)
class OperationPlan:
    """One operation as the run tests it, decided before its first request."""

    operation: Any  # the Schemathesis APIOperation
    label: str  # "GET /runs/{id}"
    op_id: str | None
    route: OperationRoute  # which run schema each response is judged against
    path_parameters: dict[str, str]  # fixed values for its path parameters, where known


@dataclass
class ContractSession:
    """One run's shared state; `exchanges`, `sightings` and `time_up` grow as it goes."""

    vendor: str
    options: ContractOptions
    scrub: Scrubber
    limiter: RateLimit
    deadline: float  # time.monotonic() when the whole run must stop
    endpoint: str  # the base URL without its query
    sent: dict[str, Any]  # request options every call (and every check's own probe) reuses
    sightings: Sightings  # --stateful: runs seen so far, with the ids that reached them
    headers: Headers = field(default_factory=Headers)
    checks: list[Callable[..., None]] = field(default_factory=list)  # ours, for Schemathesis
    plan: OperationPlan | None = None  # the operation being tested
    exchanges: list[Exchange] = field(default_factory=list)
    time_up: bool = False

    @classmethod
    def start(cls, vendor: str, options: ContractOptions, deadline: float) -> ContractSession:
        endpoint, query = split_base_url(options.base_url)
        sent: dict[str, Any] = {"timeout": options.timeout}
        if query:
            sent["params"] = dict(query)
        session = cls(
            vendor,
            options,
            Scrubber(options.headers, options.base_url),
            RateLimit(options.rate_limit),
            deadline,
            endpoint,
            sent,
            Sightings(vendor),
            Headers(options.headers),
        )
        if options.our_checks:
            session.checks.extend(_our_check(name, session) for name in CHECKS)
        return session

    def observed(self, case: Any, response: Any) -> Observed:
        """The exchange as our checks see it, with the schema its operation's route gives."""
        route = self.plan.route if self.plan is not None else OperationRoute()
        return Observed(
            self.vendor,
            case.method.upper(),
            response.request.url,
            response.status_code,
            response.content,
            route.schema_for(response.status_code),
        )

    @property
    def not_reached(self) -> str:
        return f"not reached: the run's --max-time of {self.options.max_time:g} s ran out"


def _our_check(name: str, session: ContractSession) -> Callable[..., None]:
    """Our check `name` as Schemathesis calls it: raises a `ContractFailure` with its findings."""
    check_body = CHECKS[name]

    def check(ctx: Any, response: Any, case: Any) -> None:
        findings = check_body(session.observed(case, response))
        if findings:
            raise ContractFailure(operation=case.operation.label, check=name, findings=findings)

    check.__name__ = name
    return check
