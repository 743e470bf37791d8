"""Scenarios: logical runs defined once in canonical form, rendered into each vendor's shape.

A test of a dashboard or a migration needs "a run that failed on step 3" from
every engine, and needs the same logical run each time. Each scenario builds
one `canonical.WorkflowRun` (or, for `page`, a list of them) from a seed, and
`render` turns it into a vendor object through `from_canonical`, so the
vendor's limits (no failed state, only finished runs, ...) come from the
mapping specs and surface as an `Unexpressible` with the reason, never as an
object that says something else.

    from conformance.generate.scenarios import canonical, render, render_all
    run = canonical("failed-on-step", seed=1, step=2)
    task = render("failed-on-step", "hatchet.V1TaskSummary", step=2)
    for name, result in render_all("page", n=4).items(): ...
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

from conformance.errors import UsageError
from conformance.mapping import MappingError, from_canonical, object_spec
from conformance.mapping.spec import ListSpec, shipped_objects
from conformance.validation.engine import validate

CANONICAL = "canonical.WorkflowRun"
#: Every run object with a mapping, in report order.
RUN_OBJECTS: tuple[str, ...] = (
    "hatchet.V1WorkflowRun",
    "hatchet.V1TaskSummary",
    "knock.WorkflowRecipientRun",
    "paragon.WorkflowExecution",
    "restack.WorkflowRunStatus",
    "restack.AgentRunStatus",
    "xceptor.WorkflowRun",
)
#: The order `page` cycles through statuses (the first five are the default page).
PAGE_STATUSES: tuple[str, ...] = ("succeeded", "failed", "running", "queued", "cancelled", "paused")

_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
_WORKFLOWS = ("nightly-reconciliation", "invoice-sync", "welcome-sequence", "trade-settlement")
_STEP_NAMES = ("extract", "validate", "transform", "reconcile", "load", "notify", "archive")
_TRIGGERS = ("api", "schedule", "manual", "event")  # kinds every vendor with triggers can say


@dataclass(frozen=True)
class Scenario:
    """A named logical run: its builder and the parameters it takes (with defaults)."""

    name: str
    doc: str
    params: Mapping[str, Any]
    build: Callable[..., Any] = field(repr=False)
    is_page: bool = False


@dataclass(frozen=True)
class Rendered:
    """A scenario as one vendor object: `value` is schema-valid and sane for `object`."""

    scenario: str
    object: str  # the vendor object rendered ("hatchet.V1TaskSummaryList" for a page)
    value: dict[str, Any]
    canonical: dict[str, Any] | tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Unexpressible:
    """A scenario a vendor object cannot say truthfully, and why."""

    scenario: str
    object: str
    reason: str


# -- building canonical runs ----------------------------------------------------------------


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


def _positive(name: str, value: Any) -> int:
    """`value` if it is an integer in the parameter's range (PARAM_BOUNDS), else a UsageError."""
    prefix = f"scenario parameter {name} must be"
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise UsageError(f"{prefix} a positive integer, not {shown(value)}")
    if value > PARAM_BOUNDS[name][1]:
        raise UsageError(f"{prefix} in the range {param_range(name)}, not {shown(value)}")
    return value


def _queued(rng: random.Random, steps: int) -> dict[str, Any]:
    return _run(rng, "queued", ["pending"] * _positive("steps", steps))


def _running(rng: random.Random, steps: int) -> dict[str, Any]:
    n = _positive("steps", steps)
    return _run(rng, "running", (["succeeded", "running"] + ["pending"] * n)[:n])


def _succeeded(rng: random.Random, steps: int) -> dict[str, Any]:
    return _run(rng, "succeeded", ["succeeded"] * _positive("steps", steps))


def _failed_on_step(rng: random.Random, step: int, steps: int) -> dict[str, Any]:
    n, total = _positive("step", step), _positive("steps", steps)
    states = ["succeeded"] * (n - 1) + ["failed"] + ["skipped"] * max(0, total - n)
    return _run(rng, "failed", states, failed_at=n)


def _cancelled(rng: random.Random, steps: int) -> dict[str, Any]:
    n = _positive("steps", steps)
    return _run(rng, "cancelled", (["succeeded", "cancelled"] + ["skipped"] * n)[: max(n, 2)])


def _paused(rng: random.Random, steps: int) -> dict[str, Any]:
    n = _positive("steps", steps)
    return _run(rng, "paused", (["succeeded"] + ["pending"] * n)[: max(n, 2)])


_BY_STATUS = {
    "queued": _queued,
    "running": _running,
    "succeeded": _succeeded,
    "failed": lambda rng, steps: _failed_on_step(rng, steps, steps),
    "cancelled": _cancelled,
    "paused": _paused,
}


def _page(rng: random.Random, n: int, total: int | None, statuses: Any) -> list[dict[str, Any]]:
    count = _positive("n", n)
    if total is not None and _positive("total", total) < count:
        raise UsageError(f"scenario parameter total ({total}) is less than n ({count})")
    if statuses is None:
        order = PAGE_STATUSES
    else:  # a list of names; anything else names none
        order = tuple(statuses) if isinstance(statuses, list | tuple) else ()
    unknown = [s for s in order if not isinstance(s, str) or s not in _BY_STATUS]
    if unknown or not order:
        raise UsageError(f"statuses must name canonical statuses ({', '.join(_BY_STATUS)})")
    return [_BY_STATUS[order[i % len(order)]](rng, 3) for i in range(count)]


SCENARIOS: Mapping[str, Scenario] = MappingProxyType(
    {
        s.name: s
        for s in (
            Scenario("queued", "accepted, not started; every step pending", {"steps": 3}, _queued),
            Scenario(
                "running", "step 1 done, step 2 running, the rest pending", {"steps": 3}, _running
            ),
            Scenario("succeeded", "every step succeeded, with output", {"steps": 3}, _succeeded),
            Scenario(
                "failed-on-step",
                "steps 1..N-1 succeeded, step N failed (the error names it), later ones skipped",
                {"step": 3, "steps": 3},
                lambda rng, step, steps: _failed_on_step(rng, step, max(step, steps)),
            ),
            Scenario(
                "cancelled-while-running",
                "step 1 succeeded, step 2 cancelled while it ran, the rest skipped",
                {"steps": 3},
                _cancelled,
            ),
            Scenario("paused", "started, step 1 done, paused before step 2", {"steps": 3}, _paused),
            Scenario(
                "page",
                "one list page of n runs cycling through statuses (total: runs on all pages)",
                {"n": 5, "total": None, "statuses": None},
                _page,
                is_page=True,
            ),
        )
    }
)


def scenario(name: str) -> Scenario:
    """The scenario called `name` (UsageError listing the known ones otherwise)."""
    try:
        return SCENARIOS[name]
    except KeyError:
        raise UsageError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}") from None


def _params(spec: Scenario, params: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario's parameters with the defaults filled in, each checked against its range
    before anything is built (a huge `step` must not reach the builder)."""
    unknown = sorted(set(params) - set(spec.params))
    if unknown:
        allowed = ", ".join(spec.params) or "none"
        raise UsageError(f"scenario {spec.name!r} takes no parameter {unknown[0]!r} ({allowed})")
    full = {**spec.params, **params}
    for name, value in full.items():
        if name in PARAM_BOUNDS and value is not None:
            _positive(name, value)
    return full


def canonical(name: str, *, seed: int = 0, **params: Any) -> Any:
    """The scenario as canonical data: a run, or a list of runs for `page`. Same seed, same data."""
    spec = scenario(name)
    return spec.build(random.Random(f"{name}:{seed}"), **_params(spec, params))


# -- rendering ------------------------------------------------------------------------------


def list_object(run_object: str) -> str | None:
    """The list object whose items are `run_object`s, if the bundle maps one."""
    for spec in shipped_objects().values():
        if isinstance(spec, ListSpec) and spec.item == run_object:
            return spec.name
    return None


def _page_info(listing: str, n: int, total: int) -> dict[str, Any]:
    """Page info for page 1 of `total` runs at `n` per page, in the list's page style."""
    pages = math.ceil(total / n)
    vendor = listing.split(".", 1)[0]
    if vendor == "hatchet":
        info: dict[str, Any] = {"current_page": 1, "num_pages": pages}
        return {"pagination": {**info, "next_page": 2} if pages > 1 else info}
    if vendor == "knock":
        after = "cursor-page-2" if pages > 1 else None
        page_info = {"__typename": "PageInfo", "after": after, "before": None, "page_size": n}
        return {"page_info": page_info}
    if vendor == "paragon":  # no total; a page short of 100 is the last (its link is null)
        link = f"https://api.useparagon.com/projects/project-1/task-history/workflow-executions?offset={n}"
        return {"nextLink": link if pages > 1 else None}
    if vendor == "xceptor":
        info = {"page": 1, "page_size": n, "total_items": total, "total_pages": pages}
        return {"pagination": info}
    raise UsageError(f"no page style for {listing}")  # pragma: no cover - every list is above


def _first_problem(value: Any, name: str) -> str | None:
    result = validate(value, name, strict=True)
    if result.ok and not any(f.severity == "warning" for f in result.findings):
        return None
    finding = next(f for f in result.findings if f.severity in ("error", "warning"))
    return f"{name} cannot express this run: {finding.path or '$'}: {finding.message}"


def _render_page(
    spec: Scenario, target: str, runs: list[dict[str, Any]], params: dict[str, Any]
) -> Rendered | str:
    listing = list_object(target)
    if listing is None:
        return f"{target} has no list object in the bundle, so it cannot hold a page of runs"
    items = []
    for index, run in enumerate(runs):
        try:
            items.append(from_canonical(run, target))
        except MappingError as exc:
            return f"{listing} item {index + 1} of {len(runs)}: {exc.message}"
    total = params["total"] if params["total"] is not None else len(runs)
    list_spec = shipped_objects()[listing]
    assert isinstance(list_spec, ListSpec)
    value = {list_spec.items.strip("/"): items, **_page_info(listing, len(runs), total)}
    problem = _first_problem(value, listing)
    return problem or Rendered(spec.name, listing, value, tuple(runs))


def _run_object(spec: Scenario, target: str) -> str:
    """The run object to render: a page may name its list object instead."""
    mapped = shipped_objects().get(target)
    if spec.is_page and isinstance(mapped, ListSpec):
        return mapped.item
    object_spec(target)  # a list or unmapped object is a usage error, not "unexpressible"
    return target


def _render(name: str, target: str, seed: int, params: Mapping[str, Any]) -> Rendered | str:
    spec = scenario(name)
    target = _run_object(spec, target)
    full = _params(spec, params)
    data = spec.build(random.Random(f"{name}:{seed}"), **full)
    if spec.is_page:
        return _render_page(spec, target, data, full)
    try:
        value = from_canonical(data, target)
    except MappingError as exc:
        return exc.message
    problem = _first_problem(value, target)
    return problem or Rendered(name, target, value, data)


def render_one(
    name: str, vendor_object: str, *, seed: int = 0, **params: Any
) -> Rendered | Unexpressible:
    """The scenario rendered for one vendor run object, or why it cannot be."""
    result = _render(name, vendor_object, seed, params)
    if isinstance(result, Rendered):
        return result
    target = _run_object(scenario(name), vendor_object)
    shown = list_object(target) if scenario(name).is_page else None
    return Unexpressible(name, shown or target, result)


def render(name: str, vendor_object: str, *, seed: int = 0, **params: Any) -> dict[str, Any]:
    """The scenario as a `vendor_object` (its list object for `page`); MappingError if it cannot."""
    result = render_one(name, vendor_object, seed=seed, **params)
    if isinstance(result, Unexpressible):
        raise MappingError(result.reason)
    return result.value


def render_all(
    name: str, *, seed: int = 0, objects: tuple[str, ...] = RUN_OBJECTS, **params: Any
) -> dict[str, Rendered | Unexpressible]:
    """The scenario for every mapped run object (keys: run objects, in report order)."""
    return {target: render_one(name, target, seed=seed, **params) for target in objects}
