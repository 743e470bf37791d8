"""The list query parameters of Knock, Hatchet, Paragon and Xceptor: applied or refused.

A declared parameter that is silently ignored answers "200, unfiltered" (or the first page),
which a client cannot tell from "nothing matched less": so every parameter the contracts
declare is applied, and a value the simulator cannot read (not the declared type, not in the
declared enum) is refused with 400 rather than dropped. Hatchet and Xceptor's execute declare
400; Knock's, Paragon's and Xceptor's lists declare no error status for a bad query, so their
400 is undeclared (tests/test_parameter_coverage.py lists which). The fields the filters read
come from `conformance.simulator.facets`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from conformance.simulator.facets import event_of, integration_of, worker_of
from conformance.simulator.protocol import UUID, Request, bad_instant, in_window

Predicate = Callable[[dict[str, Any]], bool]
KNOCK_STATUSES = ("queued", "processing", "paused", "completed", "cancelled")
_BOOLEANS = {"true": True, "false": False}
_INTEGER = re.compile(r"[+-]?\d+$")
_HUGE = 10**30  # any integer beyond: every caller clamps, so its exact size never matters


def integer(req: Request, name: str, default: int) -> int | str:
    """A query integer (its last value), `default` when absent, or the message refusing it."""
    value = req.one(name)
    if value is None:
        return default
    if not _INTEGER.match(value):
        return f"{name} {value!r} is not an integer"
    digits = value.lstrip("+-")
    if len(digits) > 30:  # a schema-valid integer all the same (int() refuses 4,300+ digits)
        return -_HUGE if value.startswith("-") else _HUGE
    return int(value)


def one_of(req: Request, name: str, allowed: tuple[str, ...]) -> str | None:
    """The message refusing a value of `name` outside its declared enum, or None."""
    for value in req.query.get(name, ()):
        if value not in allowed:
            return f"{name} {value!r} is not one of {', '.join(allowed)}"
    return None


# -- Knock --------------------------------------------------------------------------------------


def knock_filter(req: Request) -> Predicate | str:
    """The predicate of Knock's list query, or the message refusing it.

    `recipient` is read as Knock's server (a Phoenix app) reads a query: `recipient=ID` is a
    user id; `recipient[id]=...&recipient[collection]=...` is an object reference (what
    Knock's SDKs send, and how a Phoenix server such as Knock's decodes a nested query). The
    OpenAPI default serialisation of an object (`id=...&collection=...`) names no `recipient`
    parameter: a query with `id` or `collection` is refused with a message naming the form
    Knock reads, rather than answered unfiltered.
    """
    for name in ("id", "collection"):
        if name in req.query:
            return (
                f"{name} is not a parameter of this list: a recipient object is written "
                "recipient[id]=...&recipient[collection]=..."
            )
    bad_status = one_of(req, "status[]", KNOCK_STATUSES)
    if bad_status:
        return bad_status
    for name in ("starting_at", "ending_at"):
        if bad_instant(req.one(name)):
            return (
                f"{name} {req.one(name)!r} is not an RFC 3339 date-time with an offset "
                "(e.g. 2025-01-01T00:00:00Z)"
            )
    errors = req.one("has_errors")
    if errors is not None and errors not in _BOOLEANS:
        return f"has_errors {errors!r} is not a boolean: write true or false"
    user, ref_id, ref_coll = (
        req.one("recipient"),
        req.one("recipient[id]"),
        req.one("recipient[collection]"),
    )
    if user is not None and (ref_id is not None or ref_coll is not None):
        return "recipient is a user id (recipient=ID) or an object (recipient[id]=...), not both"
    if (ref_id is None) != (ref_coll is None):
        return "recipient[id] and recipient[collection] go together"
    wanted: Any = user if user is not None else None
    if ref_id is not None:
        wanted = {"id": ref_id, "collection": ref_coll}
    statuses = set(req.query.get("status[]", ()))
    workflow, tenant = req.one("workflow"), req.one("tenant")
    start, end = req.one("starting_at"), req.one("ending_at")

    def keep(r: dict[str, Any]) -> bool:
        return (
            (not statuses or r["status"] in statuses)
            and (workflow is None or r["workflow"] == workflow)
            and (tenant is None or r.get("tenant") == tenant)
            and in_window(r["inserted_at"], start, end)
            and (errors is None or (r.get("error_count", 0) > 0) == _BOOLEANS[errors])
            and (wanted is None or r.get("recipient") == wanted)
        )

    return keep


# -- Hatchet ------------------------------------------------------------------------------------


def _pairs(values: list[str]) -> list[tuple[str, str] | None]:
    """`key:value` pairs split at the first colon; None for a text without one.

    The contract allows any string, so such a text is accepted, and applied: it names a pair
    no run carries (it matches nothing), rather than being dropped, which would widen the list.
    """
    pairs: list[tuple[str, str] | None] = []
    for value in values:
        key, colon, rest = value.partition(":")
        pairs.append((key, rest) if colon else None)
    return pairs


def hatchet_filter(req: Request, seed: int) -> Predicate | str:
    """The predicate of the filters beyond since/until/statuses/workflow_ids, or the refusal.

    `additional_metadata` pairs are `key:value` (a text without a colon matches no run: the
    contract allows any string) and combine with OR (Hatchet's default; its own
    OpenAPI adds `additional_metadata_operator=AND|OR`, accepted too). `only_tasks` is required
    (the contract says so): `true` lists only runs of type TASK, `false` DAGs and tasks.
    `idempotency_keys` (repeated) keeps the runs that claimed one of the keys.
    """
    for name in ("only_tasks", "include_payloads"):
        value = req.one(name)
        if value is not None and value not in _BOOLEANS:
            return f"{name} {value!r} is not a boolean: write true or false"
    if req.one("only_tasks") is None:
        return "only_tasks is required"
    uuids = ("worker_id", "parent_task_external_id", "triggering_event_external_id")
    for name in uuids:
        value = req.one(name)
        if value is not None and not UUID.match(value):
            return f"{name} {value!r} is not a uuid"
    pairs = _pairs(req.query.get("additional_metadata", []))
    operator = req.one("additional_metadata_operator") or "OR"
    if operator not in ("AND", "OR"):
        return f"additional_metadata_operator {operator!r} is not AND or OR"
    tasks_only = req.one("only_tasks") == "true"
    worker, parent, event = (req.one(name) for name in uuids)
    keys = set(req.query.get("idempotency_keys", ()))

    def metadata_ok(r: dict[str, Any]) -> bool:
        meta = r.get("additionalMetadata") or {}
        hits = [p is not None and p[0] in meta and str(meta[p[0]]) == p[1] for p in pairs]
        return not pairs or (all(hits) if operator == "AND" else any(hits))

    def keep(r: dict[str, Any]) -> bool:
        return (
            metadata_ok(r)
            and (not tasks_only or r.get("type") == "TASK")
            and (worker is None or worker_of(seed, r) == worker)
            and (parent is None or r.get("parentTaskExternalId") == parent)
            and (event is None or event_of(seed, r) == event)
            and (not keys or r.get("idempotencyKey") in keys)
        )

    return keep


def without_payloads(row: dict[str, Any]) -> dict[str, Any]:
    """A row as `include_payloads=false` lists it: `input` and `output` (required) empty."""
    return {**row, "input": {}, "output": {}}


# -- Paragon ------------------------------------------------------------------------------------

#: The date form of Paragon's docs (`afterDate=2023-02-16T00:00:00`): no offset.
_NO_OFFSET = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?$")


def paragon_date(value: str | None) -> str | None:
    """A query date as RFC 3339: the docs' form without an offset is read as UTC."""
    return f"{value}Z" if value is not None and _NO_OFFSET.match(value) else value


def paragon_filter(req: Request, workflows: tuple[str, ...]) -> Predicate | str:
    """The predicate of Paragon's list query, or the message refusing it.

    Dates are read as the docs write them, without an offset (taken as UTC), or as RFC 3339
    with one. `integration` keeps the executions of that integration's workflows
    (`facets.integration_of`: an execution does not name its integration, its workflow does);
    an integration with no workflow here matches nothing. `status` and `sortBy` must be in
    their declared enums.
    """
    for name, allowed in (("status", ("SUCCEEDED", "FAILED")), ("sortBy", ("ASC", "DESC"))):
        bad = one_of(req, name, allowed)
        if bad:
            return bad
    after, before = paragon_date(req.one("afterDate")), paragon_date(req.one("beforeDate"))
    for name, value in (("afterDate", after), ("beforeDate", before)):
        if bad_instant(value):
            return (
                f"{name} {req.one(name)!r} is not a date-time: write 2023-02-16T00:00:00 "
                "(read as UTC) or 2023-02-16T00:00:00Z"
            )
    status, workflow, user = req.one("status"), req.one("workflowId"), req.one("userId")
    integration = req.one("integration")

    def keep(r: dict[str, Any]) -> bool:
        return (
            (status is None or r.get("status") == status)
            and (workflow is None or r.get("workflowId") == workflow)
            and (user is None or r.get("userId") == user)
            and (
                integration is None or integration_of(workflows, r.get("workflowId")) == integration
            )
            and in_window(r.get("dateStarted"), after, before)
        )

    return keep


# -- Xceptor ------------------------------------------------------------------------------------

XCEPTOR_STATUSES = ("pending", "running", "completed", "failed", "cancelled")


def xceptor_query(req: Request) -> tuple[int, int] | str:
    """(page, page_size) of Xceptor's list (clamped to 1.. and 1..100), or the refusal.

    `status` must be in its declared enum; the page numbers must be integers.
    """
    bad = one_of(req, "status", XCEPTOR_STATUSES)
    if bad:
        return bad
    page, size = integer(req, "page", 1), integer(req, "page_size", 25)
    if isinstance(page, str):
        return page
    if isinstance(size, str):
        return size
    return max(page, 1), min(max(size, 1), 100)
