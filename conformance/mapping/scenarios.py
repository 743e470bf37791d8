"""Scenarios: logical runs defined once in canonical form, rendered into each vendor's shape.

A test of a dashboard or a migration needs "a run that failed on step 3" from
every engine, and needs the same logical run each time. Each scenario builds
one `canonical.WorkflowRun` (or, for `page`, a list of them) from a seed, and
`render` turns it into a vendor object through `from_canonical`, so the
vendor's limits (no failed state, only finished runs, ...) come from the
mapping specs and surface as an `Unexpressible` with the reason, never as an
object that says something else.

    from conformance.mapping.scenarios import canonical, render, render_all
    run = canonical("failed-on-step", seed=1, step=2)
    task = render("failed-on-step", "hatchet.V1TaskSummary", step=2)
    for name, result in render_all("page", n=4).items(): ...
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from conformance.errors import UsageError
from conformance.mapping import MappingError, from_canonical, object_spec
from conformance.mapping.canonical_runs import (
    PARAM_BOUNDS,
    cancelled,
    checked_param,
    failed_on_step,
    page,
    paused,
    queued,
    running,
    succeeded,
)
from conformance.mapping.spec import ListSpec, shipped_objects
from conformance.validation.engine import validate

# PARAM_BOUNDS is `canonical_runs`'s: the CLI reads it from here, with the scenarios.
__all__ = [
    "CANONICAL",
    "PARAM_BOUNDS",
    "RUN_OBJECTS",
    "SCENARIOS",
    "Rendered",
    "Scenario",
    "Unexpressible",
    "canonical",
    "list_object",
    "render",
    "render_all",
    "render_one",
    "scenario",
]

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


SCENARIOS: Mapping[str, Scenario] = MappingProxyType(
    {
        s.name: s
        for s in (
            Scenario("queued", "accepted, not started; every step pending", {"steps": 3}, queued),
            Scenario(
                "running", "step 1 done, step 2 running, the rest pending", {"steps": 3}, running
            ),
            Scenario("succeeded", "every step succeeded, with output", {"steps": 3}, succeeded),
            Scenario(
                "failed-on-step",
                "steps 1..N-1 succeeded, step N failed (the error names it), later ones skipped",
                {"step": 3, "steps": 3},
                lambda rng, step, steps: failed_on_step(rng, step, max(step, steps)),
            ),
            Scenario(
                "cancelled-while-running",
                "step 1 succeeded, step 2 cancelled while it ran, the rest skipped",
                {"steps": 3},
                cancelled,
            ),
            Scenario("paused", "started, step 1 done, paused before step 2", {"steps": 3}, paused),
            Scenario(
                "page",
                "one list page of n runs cycling through statuses (total: runs on all pages)",
                {"n": 5, "total": None, "statuses": None},
                page,
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
            checked_param(name, value)
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
