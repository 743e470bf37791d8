"""Fault modes: latency, 5xx errors, connection resets and contract drift, all seeded.

Transport faults are decided per request from (seed, request number), so a replay of the same
request sequence meets the same faults whatever the thread timing. Body drift breaks one named
rule in every 2xx body that can express it: lists break their first item that can, single
objects break themselves, so a consumer (or the contract runner) sees exactly that violation.
Lifecycle drift is the store's (`lifecycle_drift`): it breaks runs across reads, not bodies.
The kinds are named once, in `drift_kinds`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from conformance.bundle.run_profiles import load_profiles
from conformance.errors import UsageError
from conformance.simulator.drift_kinds import BODY_DRIFT_KINDS, DRIFT_KINDS
from conformance.simulator.store import format_instant, get, put
from conformance.validation.instants import parse_instant

DRIFT_FIELD = "simulatedDrift"  # the undocumented property `undocumented-field` adds
BOGUS_STATUS = "SIMULATED_DRIFT"


@dataclass(frozen=True)
class Faults:
    """What to break. Rates are probabilities per request; `drift` is one of DRIFT_KINDS."""

    latency_ms: int = 0
    error_rate: float = 0.0
    reset_rate: float = 0.0
    drift: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.latency_ms, bool) or not isinstance(self.latency_ms, int):
            raise UsageError(f"latency must be whole milliseconds, got {self.latency_ms!r}")
        if not 0 <= self.latency_ms <= 60_000:
            raise UsageError(f"latency must be 0..60000 ms, got {self.latency_ms}")
        for name in ("error_rate", "reset_rate"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise UsageError(f"{name.replace('_', '-')} must be within 0..1, got {value!r}")
        if self.drift is not None and self.drift not in DRIFT_KINDS:
            raise UsageError(
                f"unknown drift {self.drift!r}; choose one of: {', '.join(DRIFT_KINDS)}"
            )

    @classmethod
    def parse(cls, specs: Sequence[str]) -> Faults:
        """`["latency=200", "error-rate=0.1", "reset-rate=0.05", "drift=wrong-enum"]` (CLI form)."""
        values: dict[str, Any] = {}
        for spec in specs:
            key, sep, raw = spec.partition("=")
            key = key.strip().lower().replace("_", "-")
            try:
                if not sep:
                    raise ValueError
                if key == "latency":
                    values["latency_ms"] = int(raw.removesuffix("ms"))
                elif key in ("error-rate", "reset-rate"):
                    values[key.replace("-", "_")] = float(raw)
                elif key == "drift":
                    values["drift"] = raw.strip()
                else:
                    raise UsageError(
                        f"unknown fault {key!r}: latency=MS, error-rate=R, reset-rate=R, drift=KIND"
                    )
            except ValueError:
                raise UsageError(f"bad fault {spec!r}: expected NAME=VALUE") from None
        return cls(**values)


@dataclass(frozen=True)
class Decision:
    """What happens to one request."""

    latency_s: float = 0.0
    reset: bool = False
    error: bool = False


def decide(faults: Faults, seed: int, request_number: int) -> Decision:
    """The transport faults for the n-th request (0-based), from the seed alone."""
    if not (faults.latency_ms or faults.error_rate or faults.reset_rate):
        return Decision()
    rng = random.Random(f"{seed}:fault:{request_number}")
    reset = rng.random() < faults.reset_rate
    error = not reset and rng.random() < faults.error_rate
    return Decision(faults.latency_ms / 1000, reset, error)


# -- drift -------------------------------------------------------------------------------------

#: Per response schema: (pointer to the run object(s): "" itself, "/x/*" every item; its schema).
TARGETS: dict[str, tuple[str, str]] = {
    "hatchet.V1TaskSummaryList": ("/rows/*", "hatchet.V1TaskSummary"),
    "hatchet.V1WorkflowRunDetails": ("/run", "hatchet.V1WorkflowRun"),
    "knock.ListWorkflowRecipientRunsResponse": ("/items/*", "knock.WorkflowRecipientRun"),
    "knock.WorkflowRecipientRunDetail": ("", "knock.WorkflowRecipientRun"),
    "paragon.WorkflowExecutionList": ("/workflowExecutions/*", "paragon.WorkflowExecution"),
    "paragon.WorkflowExecution": ("", "paragon.WorkflowExecution"),
    "restack.WorkflowRunStatus": ("", "restack.WorkflowRunStatus"),
    "restack.WorkflowRunResponse": ("", "restack.WorkflowRunResponse"),
    "restack.AgentRunStatus": ("", "restack.AgentRunStatus"),
    "xceptor.WorkflowRunList": ("/data/*", "xceptor.WorkflowRun"),
    "xceptor.WorkflowRun": ("", "xceptor.WorkflowRun"),
}

#: Per run object: a required field to drop and a (field, wrong-typed value) pair: a string
#: where an integer (or object) is, or the reverse. Where the contract requires nothing
#: (Paragon, Xceptor), the run's id: the run-identity invariant requires it.
BREAKS: dict[str, tuple[str, str, Any]] = {
    "hatchet.V1TaskSummary": ("displayName", "numSpawnedChildren", "1"),
    "hatchet.V1WorkflowRun": ("displayName", "duration", "1000"),
    "knock.WorkflowRecipientRun": ("workflow", "error_count", "0"),
    "paragon.WorkflowExecution": ("id", "taskCount", "3"),
    "restack.WorkflowRunStatus": ("workflowName", "output", "done"),
    "restack.WorkflowRunResponse": ("runId", "runId", 12345),
    "restack.AgentRunStatus": ("runId", "output", "done"),
    "xceptor.WorkflowRun": ("id", "duration_ms", "1000"),
}


def apply_drift(kind: str, body: Any, schema: str | None) -> Any:
    """`body` with one `kind` violation in its run object(s), where it can be expressed
    (lifecycle kinds leave bodies alone: the store breaks runs across reads)."""
    if kind not in BODY_DRIFT_KINDS:
        return body
    if schema == "hatchet.V1TaskStatus" and kind == "wrong-enum":
        return BOGUS_STATUS
    if schema not in TARGETS or not isinstance(body, dict):
        return body
    where, name = TARGETS[schema]
    if where.endswith("/*"):
        items = get(body, where[:-2])
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict) and _break(kind, item, name):
                break
        return body
    target = body if where == "" else get(body, where)
    if isinstance(target, dict):
        _break(kind, target, name)
    return body


def _break(kind: str, obj: dict[str, Any], name: str) -> bool:
    """Break `obj` in place; False when this object cannot carry the violation."""
    required, typed, wrong = BREAKS[name]
    profile = load_profiles().get(name, {})
    if kind == "wrong-enum":
        put(obj, profile.get("status", "/status"), BOGUS_STATUS)
    elif kind == "missing-required":
        if required not in obj:
            return False
        del obj[required]
    elif kind == "wrong-type":
        obj[typed] = wrong
    elif kind == "undocumented-field":
        obj[DRIFT_FIELD] = True
    elif kind == "time-order":
        return _break_time_order(obj, profile)
    return True


def _break_time_order(obj: dict[str, Any], profile: dict[str, Any]) -> bool:
    """Move the latest instant an hour before the earliest; drop the duration it would break."""
    present = [
        profile[role]
        for role in ("created", "started", "finished")
        if role in profile and parse_instant(get(obj, profile[role])) is not None
    ]
    if len(present) < 2 and "updated" in profile and "created" in profile:
        present = [profile["created"], profile["updated"]]
    if len(present) < 2 or parse_instant(get(obj, present[-1])) is None:
        return False
    earliest = parse_instant(get(obj, present[0]))
    assert earliest is not None
    put(obj, present[-1], format_instant(earliest - timedelta(hours=1)))
    if "duration_ms" in profile:
        put(obj, profile["duration_ms"], None)
    return True
