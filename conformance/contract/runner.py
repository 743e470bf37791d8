"""Property-test a live run API with Schemathesis, plus runconform's own checks.

Safe by default for a real vendor: positive data only, GET/HEAD only unless
writes are allowed, a per-second rate limit, every request bounded in time (from
its start, see `transport`) and size, and the whole run bounded in time: what the
time bound cuts off is reported, never passed. Credentials given as headers or in
the base URL are sent, never stored: every message that leaves the run is scrubbed
of them. An operation counts as tested only when a response body was checked
against a run schema (see `results`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from conformance.bundle.catalog import load_catalog
from conformance.contract.discovery import (
    PROBE_ATTEMPTS,
    Sightings,
    is_list,
    required_only,
    stateful_order,
)
from conformance.contract.failures import record_failure
from conformance.contract.hints import returns_bundled_schema, untested_hint
from conformance.contract.hypothesis_home import private_hypothesis_home
from conformance.contract.loading import contract_documents
from conformance.contract.reports import Exchange, record, record_cut
from conformance.contract.response_checks import CHECKS, Observed, checked_schema
from conformance.contract.results import CheckFailure, ContractResult, OperationRun
from conformance.contract.safety import (
    DEFAULT_MAX_BODY_SIZE,
    REDACTED,
    RateLimit,
    Scrubber,
    basic_auth_clash,
    check_reachable,
    shown_url,
    split_base_url,
)
from conformance.errors import BundleError, UsageError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

__all__ = [
    "REDACTED",
    "SAFE_METHODS",
    "CheckFailure",
    "ContractOptions",
    "ContractResult",
    "OperationRun",
    "check_reachable",
    "run_contract",
    "shown_url",
]


@dataclass(frozen=True, repr=False)
class ContractOptions:
    """How to run: where, with what, how much, how fast."""

    base_url: str
    contract: Path | None = None
    headers: tuple[tuple[str, str], ...] = ()
    operations: tuple[str, ...] = ()  # operation ids; empty = every allowed one
    path_parameters: tuple[tuple[str, str], ...] = ()  # fixed values, e.g. known run ids
    max_examples: int = 10
    rate_limit: float = 10.0  # requests per second
    timeout: float = 5.0  # seconds per request, from its start to its last body byte
    max_time: float = 300.0  # seconds for the whole run
    allow_writes: bool = False
    seed: int = 0
    builtin_checks: bool = True
    our_checks: bool = True  # without them no body is checked: every operation is untested
    record: bool = False  # keep every exchange (scrubbed) for HAR / cassette reports
    stateful: bool = False  # ids seen in list responses feed the operations that need them
    expect: tuple[tuple[str, str], ...] = ()  # (operation id, "vendor.Object") for 2xx bodies
    allow_untested: bool = False  # operations that checked no body do not fail the run
    max_body_size: int = DEFAULT_MAX_BODY_SIZE  # bytes of one response body

    def __repr__(self) -> str:
        """Header values and the base URL's credentials never shown (`pytest -l` prints it)."""
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        shown["base_url"] = shown_url(self.base_url)
        shown["headers"] = tuple((name, REDACTED) for name, _ in self.headers)
        return f"ContractOptions({', '.join(f'{k}={v!r}' for k, v in shown.items())})"


class _Headers(dict[str, str]):
    """The headers sent: a dict whose repr shows no value (a traceback's locals print it)."""

    def __repr__(self) -> str:
        return repr({name: REDACTED for name in self})


class _Found(BaseException):
    """A --stateful probe found a run: ends its Hypothesis loop (see `_TimeUp`)."""


class _TimeUp(BaseException):
    """The run's --max-time ran out: ends the operation's Hypothesis loop at once
    (a BaseException, so Hypothesis neither catches nor retries it)."""


@dataclass
class _Run:
    """What every operation of one run shares; `exchanges` and `seen` grow as it goes."""

    vendor: str
    options: ContractOptions
    expect: dict[str, str]  # operation id -> the bundle's name of the expected schema
    extra: list[Any]  # our checks, registered with Schemathesis
    scrub: Scrubber
    limiter: RateLimit
    deadline: float  # time.monotonic() when the whole run must stop
    endpoint: str  # the base URL without its query
    query: dict[str, str]  # the base URL's query, sent with every request
    sightings: Sightings  # --stateful: runs seen so far, with the ids that reached them
    exchanges: list[Exchange] = field(default_factory=list)
    time_up: bool = False

    def observed(self, case: Any, response: Any) -> Observed:
        """The exchange as our checks see it, with the schema --expect names for it."""
        op_id = case.operation.definition.raw.get("operationId")
        content_type = response.headers.get("Content-Type")
        if isinstance(content_type, list):
            content_type = content_type[0] if content_type else None
        return Observed(
            self.vendor,
            case.method.upper(),
            response.request.url,
            response.status_code,
            content_type,
            response.content,
            self.expect.get(op_id or ""),
        )

    @property
    def not_reached(self) -> str:
        return f"not reached: the run's --max-time of {self.options.max_time:g} s ran out"


def _our_check(name: str, run: _Run) -> Callable[..., None]:
    check_body = CHECKS[name]

    def check(ctx: Any, response: Any, case: Any) -> None:
        problems = check_body(run.observed(case, response))
        if problems:
            raise AssertionError(run.scrub("; ".join(problems)))

    check.__name__ = name
    return check


def run_contract(vendor: str, options: ContractOptions) -> ContractResult:
    """Test every allowed operation of `vendor`'s contract against `options.base_url`."""
    import schemathesis

    from conformance.contract.transport import Bounds, bounded

    started = time.monotonic()
    clash = basic_auth_clash(options.base_url, options.headers)
    if clash:
        raise UsageError(clash)
    documents = contract_documents(vendor, options.contract)
    check_reachable(options.base_url, min(options.timeout, options.max_time))
    catalog = load_catalog()  # an unknown --expect name is a usage error, before any call
    expect = {op_id: catalog.resolve(name) for op_id, name in options.expect}
    scrub = Scrubber(options.headers, options.base_url)
    endpoint, query = split_base_url(options.base_url)
    deadline = started + options.max_time
    run = _Run(
        vendor,
        options,
        expect,
        [],
        scrub,
        RateLimit(options.rate_limit),
        deadline,
        endpoint,
        dict(query),
        Sightings(vendor),
    )
    if options.our_checks:
        run.extra.extend(_our_check(n, run) for n in CHECKS)
    fixed = dict(options.path_parameters)
    runs: list[OperationRun] = []
    skipped: list[tuple[str, str]] = []
    known_ids: set[str] = set()
    ordered = [
        _loaded(result, document.source)
        for document in documents
        for result in schemathesis.openapi.from_dict(document.document).get_all_operations()
    ]
    if options.stateful:  # lists first, so the runs they return can feed the others
        ordered = stateful_order(vendor, ordered)
    bounds = Bounds(endpoint, options.timeout, options.max_time, deadline, options.max_body_size)
    with private_hypothesis_home(), bounded(bounds):
        for operation in ordered:
            label = f"{operation.method.upper()} {operation.path}"
            op_id = operation.definition.raw.get("operationId")
            known_ids.add(op_id or "")
            if options.operations and op_id not in options.operations:
                continue
            if (
                not options.operations
                and op_id not in expect
                and not returns_bundled_schema(vendor, operation)
            ):
                skipped.append(
                    (label, "no bundled run schema for its response (name one with --expect)")
                )
                continue
            if operation.method.upper() not in SAFE_METHODS and not options.allow_writes:
                if options.operations:  # asked for by name: say so, do not skip silently
                    raise UsageError(
                        f"operation {op_id} ({label}) writes; add --allow-writes to send it"
                    )
                skipped.append((label, "writes need --allow-writes"))
                continue
            if run.time_up or time.monotonic() >= deadline:
                run.time_up = True
                runs.append(OperationRun(label, op_id, 0, (), (), (), 0, run.not_reached))
                continue
            names = [p.name for p in operation.path_parameters]
            values = {**run.sightings.values(names, fixed), **fixed}
            result = _run_operation(run, operation, label, op_id, values)
            if result.status == "untested":
                hint = untested_hint(
                    vendor, op_id in expect, options.stateful, operation, op_id, names, fixed
                )
                result = replace(result, hint=hint)
            runs.append(result)
    unknown = sorted((set(options.operations) | set(expect)) - known_ids)
    if unknown:
        raise UsageError(
            f"unknown operation id(s) for {vendor}: {', '.join(unknown)}; known: "
            f"{', '.join(sorted(i for i in known_ids if i))}"
        )
    notes = tuple(n for d in documents for n in d.notes)
    return ContractResult(
        vendor,
        shown_url(options.base_url),
        options.seed,
        tuple(runs),
        tuple(skipped),
        notes,
        time.monotonic() - started,
        tuple(run.exchanges),
        options.allow_untested,
        f"the run's --max-time of {options.max_time:g} s ran out" if run.time_up else "",
    )


def _run_operation(
    run: _Run, operation: Any, label: str, op_id: str | None, fixed: dict[str, str]
) -> OperationRun:
    from hypothesis import HealthCheck, Phase, given, settings
    from requests.exceptions import RequestException
    from schemathesis.generation.modes import GenerationMode

    from conformance.contract.transport import RequestCut, TooLarge

    options, scrub = run.options, run.scrub
    headers = _Headers(options.headers)
    params = {p.name: fixed[p.name] for p in operation.path_parameters if p.name in fixed}
    strategy = operation.as_strategy(GenerationMode.POSITIVE, path_parameters=params or None)
    sent: dict[str, Any] = {"timeout": options.timeout}  # what the checks' own probes reuse
    if run.query:
        sent["params"] = dict(run.query)
    statuses: list[int] = []
    failures: dict[tuple[str, str], CheckFailure] = {}
    errors: list[str] = []
    checked = calls = 0
    saw_run = False  # --stateful: a response of this operation held a run

    def failed(exc: RequestException) -> None:
        """A request that got no (complete) response; the run stops when its time is up."""
        if isinstance(exc, TooLarge) and exc.response is not None:  # answered, too much
            statuses.append(exc.response.status_code)
            if options.record:
                run.exchanges.append(record_cut(label, exc.response, scrub, headers, str(exc)))
        kind = "" if isinstance(exc, RequestCut) else f"{type(exc).__name__}: "
        errors.append(scrub(f"{label}: {kind}{exc}"))
        if time.monotonic() >= run.deadline:
            raise _TimeUp

    common: dict[str, Any] = {
        "database": None,
        "deadline": None,
        "derandomize": True,
        "suppress_health_check": list(HealthCheck),
        "phases": [Phase.generate],
    }

    @settings(max_examples=options.max_examples, **common)
    @given(strategy)
    def exercise(case: Any) -> None:
        send(case)

    @settings(max_examples=PROBE_ATTEMPTS, **common)
    @given(strategy)
    def probe(case: Any) -> None:
        """--stateful, a list that returned no run: its required parameters only."""
        required_only(case)
        send(case)
        if saw_run:
            raise _Found

    def send(case: Any) -> None:
        nonlocal checked, calls, saw_run
        run.limiter.wait()
        if time.monotonic() >= run.deadline:
            raise _TimeUp
        calls += 1
        try:
            response = case.call(base_url=run.endpoint, headers=headers, **sent)
        except RequestException as exc:
            failed(exc)
            return
        statuses.append(response.status_code)
        if options.record:
            run.exchanges.append(record(label, response, scrub, headers))
        observed = run.observed(case, response)
        if options.our_checks and checked_schema(observed) is not None:
            checked += 1
        if options.stateful and run.sightings.add(observed, case.path_parameters):
            saw_run = True
        checks_kwargs: dict[str, Any] = {
            "additional_checks": run.extra,
            "headers": headers,
            "transport_kwargs": {**sent, "base_url": run.endpoint},
        }
        if not options.builtin_checks:
            checks_kwargs["checks"] = run.extra
        try:
            case.validate_response(response, **checks_kwargs)
        except BaseExceptionGroup as group:  # FailureGroup: several checks failed
            for failure in group.exceptions:
                if isinstance(failure, RequestException):
                    failed(failure)
                else:
                    record_failure(failures, label, failure, response.status_code, scrub)
        except AssertionError as failure:
            record_failure(failures, label, failure, response.status_code, scrub)
        except RequestException as exc:  # a check's own request (e.g. the auth probe) failed
            failed(exc)

    try:
        exercise()
        known = len(params) == len(list(operation.path_parameters))  # random ids: no use
        # an empty page: it answered 2xx and nothing went wrong (not a 401, not a cut body)
        answered = any(200 <= s < 300 for s in statuses) and not failures and not errors
        if (
            options.stateful
            and not saw_run
            and known
            and answered
            and is_list(run.vendor, operation)
        ):
            probe()
    except _Found:
        pass
    except _TimeUp:
        run.time_up = True
    return OperationRun(
        label,
        op_id,
        calls,
        tuple(statuses),
        tuple(failures.values()),
        tuple(dict.fromkeys(errors)),
        checked,
    )


def _loaded(result: Any, source: str) -> Any:
    """The operation Schemathesis loaded; one it could not load is a contract problem
    (exit 3), not an AttributeError. `check_loadable` refuses such a user contract first:
    this is the backstop for whatever it does not foresee."""
    from schemathesis.core.result import Ok

    if isinstance(result, Ok):
        return result.ok()
    raise BundleError(f"Schemathesis cannot load an operation: {result.err()}", file=source)
