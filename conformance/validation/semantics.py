"""Run invariants: what must hold of a run beyond its schema.

A schema cannot say "a run finishes after it starts", "a completed run has an
end time" or (where the vendor declares nothing required) "a run has an id".
These checks do, for every bundled run object, using the run profiles in
`contracts/semantics.yaml` (which field holds the id, the status, the
timestamps, the duration, the counts, the list items and page info). Validation
reports them; fixtures and contract checks use the same functions, so a
generated run and a recorded one are judged alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import pairwise
from typing import Any

from conformance.bundle.run_profiles import load_profiles
from conformance.report.findings import Finding
from conformance.validation.identity_rules import identity_violations
from conformance.validation.instants import get as _get
from conformance.validation.instants import parse_instant
from conformance.validation.invariant_screen import screen as _screen
from conformance.validation.page_rules import page_rules
from conformance.validation.run_facts import duration_off, unknown
from conformance.validation.violations import INVARIANTS, shown_number, violation

# INVARIANTS and `violation` live in `violations`; load_profiles in `bundle.run_profiles`;
# the fast screen in `invariant_screen`, the facts it shares with the full check in `run_facts`.
__all__ = ["INVARIANTS", "check_invariants", "invariants_hold", "load_profiles"]


def check_invariants(instance: Any, name: str) -> tuple[Finding, ...]:
    """Every invariant `instance` (a `name` object) breaks; () for objects without a profile."""
    profile = load_profiles().get(name)
    if profile is None or not isinstance(instance, dict):
        return ()
    if _screen(name)(instance):
        return ()
    return tuple(_check(instance, profile, "", name))


def invariants_hold(name: str) -> Callable[[Any], bool]:
    """A predicate equal to `not check_invariants(value, name)`, for a loop over many values
    (the clean test of `judge`): the screen first, then the full check only up to its first
    finding."""
    profile = load_profiles().get(name)
    if profile is None:
        return lambda _value: True
    fast = _screen(name)

    def hold(value: Any) -> bool:
        if fast(value) or not isinstance(value, dict):
            return True
        return next(_check(value, profile, "", name), None) is None

    return hold


def _check(
    instance: dict[str, Any], profile: dict[str, Any], base: str, name: str
) -> Iterator[Finding]:
    for pointer, message in identity_violations(instance, name, base):
        yield violation("run-identity", pointer, message)
    yield from _time_rules(instance, profile, base)
    for pointer in profile.get("counts", ()):
        value = _get(instance, pointer)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
            yield violation(
                "non-negative-count",
                base + pointer,
                f"count {pointer[1:]} is {value}, which is negative",
            )
    if "step_count" in profile:
        spec = profile["step_count"]
        count, steps = _get(instance, spec["count"]), _get(instance, spec["items"])
        if isinstance(count, int) and isinstance(steps, list) and count != len(steps):
            yield violation(
                "step-count",
                base + spec["count"],
                f"step_count is {count} but there are {len(steps)} steps",
            )
    for child in profile.get("children", ()):
        child_profile = load_profiles()[child["profile"]]
        if "item" in child:
            value = _get(instance, child["item"])
            if isinstance(value, dict):
                yield from _check(value, child_profile, base + child["item"], child["profile"])
            continue
        items = _get(instance, child["items"])
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    at = f"{base}{child['items']}/{i}"
                    yield from _check(item, child_profile, at, child["profile"])
    if "page" in profile:
        items_pointer = profile["children"][0]["items"]
        items = _get(instance, items_pointer)
        if isinstance(items, list):
            yield from page_rules(instance, profile["page"], len(items), base)


def _time_rules(instance: dict[str, Any], profile: dict[str, Any], base: str) -> Iterator[Finding]:
    created = parse_instant(_get(instance, profile["created"])) if "created" in profile else None
    started = parse_instant(_get(instance, profile["started"])) if "started" in profile else None
    finished = parse_instant(_get(instance, profile["finished"])) if "finished" in profile else None
    ordered = [
        (k, t)
        for k, t in (("created", created), ("started", started), ("finished", finished))
        if t is not None
    ]
    for (earlier, t1), (later, t2) in pairwise(ordered):
        if t2 < t1:
            yield violation(
                "time-order",
                base + profile[later],
                f"{later} ({_get(instance, profile[later])}) is before {earlier} "
                f"({_get(instance, profile[earlier])})",
            )
    updated = parse_instant(_get(instance, profile["updated"])) if "updated" in profile else None
    if created and updated and updated < created:
        yield violation(
            "time-order",
            base + profile["updated"],
            f"updated ({_get(instance, profile['updated'])}) is before created "
            f"({_get(instance, profile['created'])})",
        )
    duration = _get(instance, profile["duration_ms"]) if "duration_ms" in profile else None
    off = duration_off(duration, started, finished) if started and finished else None
    if off is not None:
        span_ms, tolerance = off
        yield violation(
            "duration-consistent",
            base + profile["duration_ms"],
            f"duration {shown_number(duration)} ms does not match finished - started = "
            f"{span_ms:.0f} ms (tolerance {tolerance:.0f} ms)",
        )
    status = _get(instance, profile["status"]) if "status" in profile else None
    if "finished" in profile and isinstance(status, str):
        has_end = _get(instance, profile["finished"]) is not None
        if (
            status in profile.get("terminal", ())
            and not has_end
            and not unknown(instance, profile, "finished")
        ):
            yield violation(
                "terminal-has-end",
                base + profile["finished"],
                f"status {status!r} is terminal but {profile['finished'][1:]} is missing",
            )
        if status in profile.get("active", ()) and has_end:
            yield violation(
                "active-has-no-end",
                base + profile["finished"],
                f"status {status!r} is not terminal but {profile['finished'][1:]} is set",
            )
