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
from dataclasses import replace
from typing import Any

import schemathesis
from schemathesis.core.result import Ok

from conformance.bundle.catalog import load_catalog
from conformance.contract.discovery import stateful_order
from conformance.contract.hints import untested_hint
from conformance.contract.hypothesis_home import private_hypothesis_home
from conformance.contract.loading import ContractDocument, contract_documents
from conformance.contract.operation import run_operation
from conformance.contract.options import ContractOptions
from conformance.contract.results import ContractResult, OperationRun
from conformance.contract.routes import route_operation
from conformance.contract.safety import (
    REDACTED,
    basic_auth_clash,
    check_reachable,
    shown_url,
)
from conformance.contract.session import ContractSession, OperationPlan
from conformance.contract.transport import Bounds, bounded
from conformance.errors import BundleError, UsageError
from conformance.report.progress import OnProgress, Progress, Ticker

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

__all__ = [
    "REDACTED",
    "SAFE_METHODS",
    "ContractOptions",
    "ContractResult",
    "OperationRun",
    "check_reachable",
    "run_contract",
    "shown_url",
]


def run_contract(
    vendor: str, options: ContractOptions, progress: OnProgress | None = None
) -> ContractResult:
    """Test every allowed operation of `vendor`'s contract against `options.base_url`.

    `progress` hears of each operation as it starts (stage "contract", unit "operations").
    """
    started = time.monotonic()
    clash = basic_auth_clash(options.base_url, options.headers)
    if clash:
        raise UsageError(clash)
    documents = contract_documents(vendor, options.contract)
    check_reachable(options.base_url, min(options.timeout, options.max_time))
    catalog = load_catalog()  # an unknown --expect name is a usage error, before any call
    expect = {op_id: catalog.resolve(name) for op_id, name in options.expect}
    session = ContractSession.start(vendor, options, started + options.max_time)
    ordered = _operations(documents)
    if options.stateful:  # lists first, so the runs they return can feed the others
        ordered = stateful_order(vendor, ordered)
    bounds = Bounds(
        session.endpoint, options.timeout, options.max_time, session.deadline, options.max_body_size
    )
    runs: list[OperationRun] = []
    skipped: list[tuple[str, str]] = []
    ticker = Ticker(progress or _unheard, "contract", len(ordered), "operations", every=0)
    ticker.start()
    with private_hypothesis_home(), bounded(bounds):
        for done, operation in enumerate(ordered):
            plan = _plan(session, operation, expect)
            ticker.update(done, plan.label)
            reason = _skip_reason(session, plan)
            if reason is not None:
                skipped.append((plan.label, reason))
            elif plan.op_id in options.operations or not options.operations:
                runs.append(_tested(session, plan))
    ticker.finish(len(ordered))
    _refuse_unknown(vendor, options, expect, ordered)
    return ContractResult(
        vendor,
        shown_url(options.base_url),
        options.seed,
        tuple(runs),
        tuple(skipped),
        tuple(n for d in documents for n in d.notes),
        time.monotonic() - started,
        tuple(session.exchanges),
        options.allow_untested,
        f"the run's --max-time of {options.max_time:g} s ran out" if session.time_up else "",
    )


def _unheard(_event: Progress) -> None:
    """Progress nobody asked for."""


def _plan(session: ContractSession, operation: Any, expect: dict[str, str]) -> OperationPlan:
    """What is decided once per operation: its label, route and fixed path parameters."""
    op_id = operation.definition.raw.get("operationId")
    route = route_operation(session.vendor, operation.method, operation.path, expect.get(op_id))
    label = f"{operation.method.upper()} {operation.path}"
    return OperationPlan(operation, label, op_id, route, {})


def _skip_reason(session: ContractSession, plan: OperationPlan) -> str | None:
    """Why an operation is not tested (None: it is, or it is not asked for at all)."""
    options = session.options
    if options.operations and plan.op_id not in options.operations:
        return None
    if (
        not options.operations
        and plan.route.expected is None
        and not plan.route.returns_bundled_schema
    ):
        return "no bundled run schema for its response (name one with --expect)"
    if plan.operation.method.upper() not in SAFE_METHODS and not options.allow_writes:
        if options.operations:  # asked for by name: say so, do not skip silently
            raise UsageError(
                f"operation {plan.op_id} ({plan.label}) writes; add --allow-writes to send it"
            )
        return "writes need --allow-writes"
    return None


def _tested(session: ContractSession, plan: OperationPlan) -> OperationRun:
    """Test the operation, or say its time ran out; an untested one says how to test it."""
    if session.time_up or time.monotonic() >= session.deadline:
        session.time_up = True
        return OperationRun(plan.label, plan.op_id, 0, (), (), (), 0, session.not_reached)
    fixed = dict(session.options.path_parameters)
    names = [p.name for p in plan.operation.path_parameters]
    values = {**session.sightings.values(names, fixed), **fixed}
    params = {name: values[name] for name in names if name in values}
    result = run_operation(session, replace(plan, path_parameters=params))
    if result.status != "untested":
        return result
    route = plan.route
    bundled = route.expected is not None or route.returns_bundled_schema
    hint = untested_hint(bundled, session.options.stateful, plan.op_id, names, fixed)
    return replace(result, hint=hint)


def _refuse_unknown(
    vendor: str, options: ContractOptions, expect: dict[str, str], ordered: list[Any]
) -> None:
    """An operation id --operation or --expect names that the contract does not have."""
    known_ids = {operation.definition.raw.get("operationId") or "" for operation in ordered}
    unknown = sorted((set(options.operations) | set(expect)) - known_ids)
    if unknown:
        raise UsageError(
            f"unknown operation id(s) for {vendor}: {', '.join(unknown)}; known: "
            f"{', '.join(sorted(i for i in known_ids if i))}"
        )


def _operations(documents: tuple[ContractDocument, ...]) -> list[Any]:
    return [
        _loaded(result, document.source)
        for document in documents
        for result in schemathesis.openapi.from_dict(document.document).get_all_operations()
    ]


def _loaded(result: Any, source: str) -> Any:
    """The operation Schemathesis loaded; one it could not load is a contract problem
    (exit 3), not an AttributeError. `check_loadable` refuses such a user contract first:
    this is the backstop for whatever it does not foresee."""
    if isinstance(result, Ok):
        return result.ok()
    raise BundleError(f"Schemathesis cannot load an operation: {result.err()}", file=source)
