"""Canonical runs built from a seed: timestamps, steps, duration and error that agree.

The builders behind the scenarios (`scenarios.SCENARIOS`), one per canonical status, and
the checks on their integer parameters (`PARAM_BOUNDS`), so a huge `step` is refused
before anything is built.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

from conformance.errors import UsageError

#: The order `page` cycles through statuses (the first five are the default page).
PAGE_STATUSES: tuple[str, ...] = ("succeeded", "failed", "running", "queued", "cancelled", "paused")

_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
_WORKFLOWS = ("nightly-reconciliation", "invoice-sync", "welcome-sequence", "trade-settlement")
_STEP_NAMES = ("extract", "validate", "transform", "reconcile", "load", "notify", "archive")
_TRIGGERS = ("api", "schedule", "manual", "event")  # kinds every vendor with triggers can say


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _ms(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(milliseconds=rng.randrange(low, high))


def _run(
    rng: random.Random, status: str, step_states: list[str], failed_at: int = 0
) -> dict[str, Any]:
    """One canonical run whose timestamps, duration, steps and error agree with `status`."""
    workflow_name = rng.choice(_WORKFLOWS)
    created = _EPOCH + timedelta(seconds=rng.randrange(0, 300 * 86400))
    run: dict[str, Any] = {
        "id": _uuid(rng),
        "workflow": _uuid(rng),
        "workflow_name": workflow_name,
        "status": status,
        "trigger": {"kind": rng.choice(_TRIGGERS)},
        "created_at": _stamp(created),
        "input": {"batch": f"batch-{rng.randrange(1000, 9999)}", "dry_run": False},
        "tenant": _uuid(rng),
        "subject": f"user_{rng.randrange(100, 999)}",
        "attempt": 1,
        "metadata": {"env": "production", "team": workflow_name.split("-")[0]},
    }
    clock = created
    last = created
    if status != "queued":
        clock = created + _ms(rng, 50, 5_000)
        run["started_at"] = _stamp(clock)
    steps = []
    for index, state in enumerate(step_states):
        name = _STEP_NAMES[index % len(_STEP_NAMES)]
        step: dict[str, Any] = {"id": _uuid(rng), "name": name, "status": state}
        if state in ("succeeded", "failed", "cancelled", "running"):
            step["started_at"] = _stamp(clock)
            if state != "running":
                clock += _ms(rng, 200, 60_000)
                step["finished_at"] = _stamp(clock)
        if state == "failed":
            step["error"] = f"{rng.randrange(2, 40)} records did not match the reference file"
        last = max(last, clock)
        steps.append(step)
    if steps:
        run["step_count"] = len(steps)
        run["steps"] = steps
    if status in ("succeeded", "failed", "cancelled"):
        clock += _ms(rng, 10, 500)
        run["finished_at"] = _stamp(clock)
        run["duration_ms"] = round((clock - _parse(run["started_at"])).total_seconds() * 1000)
        last = clock
    elif status in ("running", "paused"):
        last = clock + _ms(rng, 10, 500)
    run["updated_at"] = _stamp(last)
    if status == "succeeded":
        run["output"] = {"records": rng.randrange(100, 100_000), "report": f"{workflow_name}.csv"}
    if status == "failed":
        step = steps[failed_at - 1]
        run["error"] = {
            "message": f"step {failed_at} ({step['name']}) failed: {step['error']}",
            "code": "STEP_FAILED",
        }
    return run


def _parse(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


#: The range of each integer parameter. Every run is built in memory and rendered and
#: validated for six vendors: a page of 1,000 runs takes seconds and tens of MB (APIs page
#: at 100 or so), a run of 1,000 steps about as much. `total` only counts pages.
PARAM_BOUNDS: Mapping[str, tuple[int, int]] = MappingProxyType(
    {"step": (1, 1_000), "steps": (1, 1_000), "n": (1, 1_000), "total": (1, 1_000_000_000)}
)


def param_range(name: str) -> str:
    """`1<=x<=1000`: a parameter's range, written as click writes one."""
    low, high = PARAM_BOUNDS[name]
    return f"{low}<=x<={high}"


def shown(value: Any) -> str:
    """A value for a message; a number too long to print is given by its length."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        digits = len(str(abs(value))) if value.bit_length() < 10_000 else None
        return f"a {digits}-digit number" if digits else "a number of thousands of digits"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def checked_param(name: str, value: Any) -> int:
    """`value` if it is an integer in the parameter's range (PARAM_BOUNDS), else a UsageError."""
    prefix = f"scenario parameter {name} must be"
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise UsageError(f"{prefix} a positive integer, not {shown(value)}")
    if value > PARAM_BOUNDS[name][1]:
        raise UsageError(f"{prefix} in the range {param_range(name)}, not {shown(value)}")
    return value


def queued(rng: random.Random, steps: int) -> dict[str, Any]:
    return _run(rng, "queued", ["pending"] * checked_param("steps", steps))


def running(rng: random.Random, steps: int) -> dict[str, Any]:
    n = checked_param("steps", steps)
    return _run(rng, "running", (["succeeded", "running"] + ["pending"] * n)[:n])


def succeeded(rng: random.Random, steps: int) -> dict[str, Any]:
    return _run(rng, "succeeded", ["succeeded"] * checked_param("steps", steps))


def failed_on_step(rng: random.Random, step: int, steps: int) -> dict[str, Any]:
    n, total = checked_param("step", step), checked_param("steps", steps)
    states = ["succeeded"] * (n - 1) + ["failed"] + ["skipped"] * max(0, total - n)
    return _run(rng, "failed", states, failed_at=n)


def cancelled(rng: random.Random, steps: int) -> dict[str, Any]:
    n = checked_param("steps", steps)
    return _run(rng, "cancelled", (["succeeded", "cancelled"] + ["skipped"] * n)[: max(n, 2)])


def paused(rng: random.Random, steps: int) -> dict[str, Any]:
    n = checked_param("steps", steps)
    return _run(rng, "paused", (["succeeded"] + ["pending"] * n)[: max(n, 2)])


_BY_STATUS = {
    "queued": queued,
    "running": running,
    "succeeded": succeeded,
    "failed": lambda rng, steps: failed_on_step(rng, steps, steps),
    "cancelled": cancelled,
    "paused": paused,
}


def page(rng: random.Random, n: int, total: int | None, statuses: Any) -> list[dict[str, Any]]:
    count = checked_param("n", n)
    if total is not None and checked_param("total", total) < count:
        raise UsageError(f"scenario parameter total ({total}) is less than n ({count})")
    if statuses is None:
        order = PAGE_STATUSES
    else:  # a list of names; anything else names none
        order = tuple(statuses) if isinstance(statuses, list | tuple) else ()
    unknown = [s for s in order if not isinstance(s, str) or s not in _BY_STATUS]
    if unknown or not order:
        raise UsageError(f"statuses must name canonical statuses ({', '.join(_BY_STATUS)})")
    return [_BY_STATUS[order[i % len(order)]](rng, 3) for i in range(count)]
