"""Property-test a live run API with Schemathesis, plus runconform's own checks.

Safe by default for a real vendor: positive data only, GET/HEAD only unless
writes are allowed, a per-second rate limit, a timeout on every request and an
overall time bound. Credentials given as headers are sent, never stored: every
message that leaves the run is scrubbed of them.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from conformance.catalog import load_catalog
from conformance.contract.checks import CHECKS, Observed
from conformance.contract.discovery import harvest, path_values
from conformance.contract.loading import contract_documents
from conformance.contract.reports import Exchange, record
from conformance.errors import InputError, UsageError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REDACTED = "[REDACTED]"


@dataclass(frozen=True)
class ContractOptions:
    """How to run: where, with what, how much, how fast."""

    base_url: str
    contract: Path | None = None
    headers: tuple[tuple[str, str], ...] = ()
    operations: tuple[str, ...] = ()  # operation ids; empty = every allowed one
    path_parameters: tuple[tuple[str, str], ...] = ()  # fixed values, e.g. known run ids
    max_examples: int = 10
    rate_limit: float = 10.0  # requests per second
    timeout: float = 5.0  # seconds per request
    max_time: float = 300.0  # seconds for the whole run
    allow_writes: bool = False
    seed: int = 0
    builtin_checks: bool = True
    our_checks: bool = True
    record: bool = False  # keep every exchange (scrubbed) for HAR / cassette reports
    stateful: bool = False  # ids seen in list responses feed the operations that need them
    expect: tuple[tuple[str, str], ...] = ()  # (operation id, "vendor.Object") for 2xx bodies


@dataclass(frozen=True)
class CheckFailure:
    """One failed check on one response."""

    operation: str
    check: str
    status: int | None
    message: str


@dataclass(frozen=True)
class OperationRun:
    """What happened to one operation."""

    operation: str  # "GET /api/workflows/{workflowName}/{runId}"
    operation_id: str | None
    calls: int
    statuses: tuple[int, ...]
    failures: tuple[CheckFailure, ...]
    errors: tuple[str, ...]  # network errors and timeouts


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

    @property
    def ok(self) -> bool:
        return all(not r.failures and not r.errors for r in self.runs)

    @property
    def failures(self) -> tuple[CheckFailure, ...]:
        return tuple(f for r in self.runs for f in r.failures)


class _Scrubber:
    """Removes every credential value from text that leaves the run."""

    def __init__(self, headers: tuple[tuple[str, str], ...]) -> None:
        secrets = {v for _, v in headers if len(v) >= 4}
        secrets |= {
            v.split(" ", 1)[1] for v in secrets if " " in v and len(v.split(" ", 1)[1]) >= 4
        }
        self.secrets = sorted(secrets, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text


class _RateLimit:
    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.next_at = 0.0

    def wait(self) -> None:
        now = time.monotonic()
        if now < self.next_at:
            time.sleep(self.next_at - now)
        self.next_at = max(now, self.next_at) + self.interval


def shown_url(url: str) -> str:
    """`url` as reports and messages may show it: user, password and query redacted
    (a base URL can carry credentials, `https://user:key@host/?api_key=...`)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    try:
        port = parts.port
    except ValueError:  # not a number: show nothing of it
        port = None
    netloc = host + (f":{port}" if port else "")
    if parts.username is not None or parts.password is not None:
        netloc = f"{REDACTED}@{netloc}"
    return urlunsplit((parts.scheme, netloc, parts.path, REDACTED if parts.query else "", ""))


def check_reachable(base_url: str, timeout: float) -> None:
    """Fail fast, with a clear message, when nothing listens at the base URL."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--base-url must be an http(s) URL, got {shown_url(base_url)!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            pass
    except OSError as exc:
        raise InputError(f"cannot reach {shown_url(base_url)}: {exc.strerror or exc}") from None


def _our_check(
    name: str, vendor: str, scrub: Callable[[str], str], expect: dict[str, str]
) -> Callable[..., None]:
    run = CHECKS[name]

    def check(ctx: Any, response: Any, case: Any) -> None:
        op_id = case.operation.definition.raw.get("operationId")
        observed = Observed(
            vendor,
            case.method.upper(),
            response.request.url,
            response.status_code,
            response.headers.get("Content-Type", [None])[0]
            if isinstance(response.headers.get("Content-Type"), list)
            else response.headers.get("Content-Type"),
            response.content,
            expect.get(op_id or ""),
        )
        problems = run(observed)
        if problems:
            raise AssertionError(scrub("; ".join(problems)))

    check.__name__ = name
    return check


def run_contract(vendor: str, options: ContractOptions) -> ContractResult:
    """Test every allowed operation of `vendor`'s contract against `options.base_url`."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.generation.modes import GenerationMode

    started = time.monotonic()
    documents = contract_documents(vendor, options.contract)
    check_reachable(options.base_url, options.timeout)
    scrub = _Scrubber(options.headers)
    limiter = _RateLimit(options.rate_limit)
    expect = dict(options.expect)
    for schema_name in expect.values():
        load_catalog().resolve(schema_name)  # an unknown name is a usage error, before any call
    extra = [_our_check(n, vendor, scrub, expect) for n in CHECKS] if options.our_checks else []
    headers = dict(options.headers)
    fixed = dict(options.path_parameters)
    runs: list[OperationRun] = []
    skipped: list[tuple[str, str]] = []
    known_ids: set[str] = set()
    exchanges: list[Exchange] = []
    seen: dict[str, str] = {}
    ordered = [
        result.ok()
        for document in documents
        for result in schemathesis.openapi.from_dict(document.document).get_all_operations()
    ]
    if options.stateful:  # lists (fewest path parameters) first, so their ids can be used
        ordered.sort(key=lambda op: len(list(op.path_parameters)))
    for operation in ordered:
        label = f"{operation.method.upper()} {operation.path}"
        op_id = operation.definition.raw.get("operationId")
        known_ids.add(op_id or "")
        if options.operations and op_id not in options.operations:
            continue
        if not options.operations and not _returns_bundled_schema(vendor, operation):
            skipped.append(
                (
                    label,
                    "no bundled run schema for its response (select it "
                    "with --operation to test it anyway)",
                )
            )
            continue
        if operation.method.upper() not in SAFE_METHODS and not options.allow_writes:
            if options.operations:  # asked for by name: say so, do not skip silently
                raise UsageError(
                    f"operation {op_id} ({label}) writes; add --allow-writes to send it"
                )
            skipped.append((label, "writes need --allow-writes"))
            continue
        if time.monotonic() - started > options.max_time:
            skipped.append((label, f"time bound of {options.max_time:.0f} s reached"))
            continue
        runs.append(
            _run_operation(
                vendor,
                operation,
                label,
                op_id,
                options,
                headers,
                {**path_values([p.name for p in operation.path_parameters], seen), **fixed},
                extra,
                limiter,
                scrub,
                exchanges,
                seen if options.stateful else None,
                given,
                settings,
                HealthCheck,
                Phase,
                GenerationMode,
            )
        )
    unknown = sorted(set(options.operations) - known_ids)
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
        tuple(exchanges),
    )


def _returns_bundled_schema(vendor: str, operation: Any) -> bool:
    """True when a 2xx response of the operation is a bundled runconform schema."""
    from conformance.routing import load_operations

    for candidate in load_operations(vendor):
        if (
            candidate.method == operation.method.upper()
            and candidate.path_template == operation.path
        ):
            return any(
                status.startswith("2") and spec.schema is not None
                for status, spec in candidate.responses.items()
            )
    return False


def _run_operation(
    vendor: str,
    operation: Any,
    label: str,
    op_id: str | None,
    options: ContractOptions,
    headers: dict[str, str],
    fixed: dict[str, str],
    extra: list[Any],
    limiter: _RateLimit,
    scrub: Callable[[str], str],
    exchanges: list[Exchange],
    seen: dict[str, str] | None,
    given: Any,
    settings: Any,
    health: Any,
    phase: Any,
    modes: Any,
) -> OperationRun:
    from requests.exceptions import RequestException

    params = {p.name: fixed[p.name] for p in operation.path_parameters if p.name in fixed}
    strategy = operation.as_strategy(modes.POSITIVE, path_parameters=params or None)
    statuses: list[int] = []
    failures: dict[tuple[str, str], CheckFailure] = {}
    errors: list[str] = []

    @settings(
        max_examples=options.max_examples,
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(health),
        phases=[phase.generate],
    )
    @given(strategy)
    def exercise(case: Any) -> None:
        limiter.wait()
        try:
            response = case.call(
                base_url=options.base_url, headers=headers, timeout=options.timeout
            )
        except RequestException as exc:
            errors.append(scrub(f"{label}: {type(exc).__name__}: {exc}"))
            return
        statuses.append(response.status_code)
        if options.record:
            exchanges.append(record(label, response, scrub, headers))
        if seen is not None and not seen:
            content_type = response.headers.get("Content-Type")
            if isinstance(content_type, list):
                content_type = content_type[0] if content_type else None
            seen.update(
                harvest(
                    vendor,
                    case.method.upper(),
                    response.request.url,
                    response.status_code,
                    content_type,
                    response.content,
                )
            )
        checks_kwargs: dict[str, Any] = {"additional_checks": extra, "headers": headers}
        if not options.builtin_checks:
            checks_kwargs["checks"] = extra
        try:
            case.validate_response(response, **checks_kwargs)
        except BaseExceptionGroup as group:  # FailureGroup: several checks failed
            for failure in group.exceptions:
                if isinstance(failure, RequestException):
                    errors.append(scrub(f"{label}: {type(failure).__name__}: {failure}"))
                else:
                    _record(failures, label, failure, response.status_code, scrub)
        except AssertionError as failure:
            _record(failures, label, failure, response.status_code, scrub)
        except RequestException as exc:  # a check's own request (e.g. the auth probe) failed
            errors.append(scrub(f"{label}: {type(exc).__name__}: {exc}"))

    exercise()
    return OperationRun(
        label,
        op_id,
        len(statuses) + len(errors),
        tuple(statuses),
        tuple(failures.values()),
        tuple(dict.fromkeys(errors)),
    )


def _record(
    failures: dict[tuple[str, str], CheckFailure],
    label: str,
    failure: BaseException,
    status: int,
    scrub: Callable[[str], str],
) -> None:
    title = getattr(failure, "title", None) or type(failure).__name__
    message = scrub(
        str(getattr(failure, "message", None) or failure).strip().splitlines()[0]
        if str(failure).strip()
        else title
    )
    check = _check_name(failure)
    failures.setdefault((check, message), CheckFailure(label, check, status, message))


def _check_name(failure: BaseException) -> str:
    """The check that failed: Schemathesis' own name, or ours from the custom-failure title."""
    title = str(getattr(failure, "title", "") or "")
    if title.startswith("Custom check failed: `"):
        return title.split("`")[1]
    checks = getattr(type(failure), "checks", ())
    return str(checks[0]) if checks else type(failure).__name__
