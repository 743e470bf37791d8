"""The list filters of Knock and Hatchet beyond status/workflow/tenant.

A declared filter that is silently ignored answers "200, unfiltered", which a client cannot
tell from "no run matched less": so every filter the contracts declare is applied, and a value
the simulator cannot read is refused with 400 (Hatchet declares it; Knock declares no error
status, so 400 is undeclared there, as for Paragon) rather than dropped. The fields the
filters read come from `conformance.simulator.facets`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.simulator.facets import event_of, worker_of
from conformance.simulator.protocol import UUID, Request, bad_instant, in_window

Predicate = Callable[[dict[str, Any]], bool]
_BOOLEANS = {"true": True, "false": False}

# -- Knock --------------------------------------------------------------------------------------


def knock_filter(req: Request) -> Predicate | str:
    """The predicate of Knock's list query, or the message refusing it.

    `recipient` is read as Knock's server (a Phoenix app) reads a query: `recipient=ID` is a
    user id; `recipient[id]=...&recipient[collection]=...` is an object reference (what
    Knock's SDKs send, and how a Phoenix server such as Knock's decodes a nested query). The
    OpenAPI default serialisation of an object (`id=...&collection=...`) names no `recipient`
    parameter, so the simulator does not read it as one.
    """
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
        )

    return keep


def without_payloads(row: dict[str, Any]) -> dict[str, Any]:
    """A row as `include_payloads=false` lists it: `input` and `output` (required) empty."""
    return {**row, "input": {}, "output": {}}
