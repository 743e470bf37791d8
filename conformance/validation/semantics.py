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
from datetime import datetime, timedelta
from functools import cache
from itertools import pairwise
from typing import Any

from conformance.bundle.run_profiles import load_profiles
from conformance.report.findings import Finding
from conformance.validation.identity_rules import identity_violations, unrequired_identity
from conformance.validation.instants import MILLISECOND, parse_instant, pointer_tokens, value_at
from conformance.validation.instants import get as _get
from conformance.validation.page_rules import page_rules
from conformance.validation.violations import INVARIANTS, shown_number, violation

# INVARIANTS and `violation` live in `violations`; load_profiles in `bundle.run_profiles`.
__all__ = ["INVARIANTS", "check_invariants", "load_profiles"]

#: Allowed difference between a duration and its timestamps: 1 s, or 1 % of the span.
DURATION_TOLERANCE_MS = 1000
DURATION_TOLERANCE_RATIO = 0.01
MICROSECOND = timedelta(microseconds=1)


def check_invariants(instance: Any, name: str) -> tuple[Finding, ...]:
    """Every invariant `instance` (a `name` object) breaks; () for objects without a profile."""
    profile = load_profiles().get(name)
    if profile is None or not isinstance(instance, dict):
        return ()
    if _screen(name)(instance):
        return ()
    return tuple(_check(instance, profile, "", name))


# -- the screen: a fast "certainly nothing to report" for the common, clean record ---------
#
# Like the fast validation path, the screen answers yes/no cheaply and the full check
# (`_check`) runs only when it says no. It must never say yes when `_check` would report
# something; saying no when nothing is wrong only costs time.


def _unknown(instance: dict[str, Any], profile: dict[str, Any], role: str) -> bool:
    """True when the source declares it cannot express the field of `role` (canonical runs)."""
    if "unexpressed" not in profile:
        return False
    unexpressed = _get(instance, profile["unexpressed"])
    field = pointer_tokens(profile[role])[-1]
    return isinstance(unexpressed, list) and field in unexpressed


def _same_width_utc(first: Any, second: Any) -> bool:
    """Both `YYYY-MM-DDTHH:MM:SS[.f]Z` of one width: then text order is time order."""
    return (
        type(first) is str
        and type(second) is str
        and len(first) == len(second) >= 20
        and first[-1] == second[-1] == "Z"
        and first[10] == second[10] == "T"
    )


def _step_count_ok(instance: dict[str, Any], spec: dict[str, str]) -> bool:
    count, steps = _get(instance, spec["count"]), _get(instance, spec["items"])
    return not (isinstance(count, int) and isinstance(steps, list) and count != len(steps))


def _duration_off(
    duration: Any, started: datetime, finished: datetime
) -> tuple[float, float] | None:
    """(span, tolerance) in ms when an integer `duration` does not match the timestamps.

    Compared exactly in integer microseconds: a duration of 400 digits is simply wrong,
    where converting it to a float would overflow.
    """
    if type(duration) is not int:
        return None
    span = finished - started
    span_ms = span / MILLISECOND
    tolerance = max(DURATION_TOLERANCE_MS, abs(span_ms) * DURATION_TOLERANCE_RATIO)
    if abs(duration * 1000 - span // MICROSECOND) > tolerance * 1000:
        return span_ms, tolerance
    return None


def _not_before(earlier: Any, later: Any) -> bool:
    """True unless both are timestamps and `later` is before `earlier`."""
    if earlier is None or later is None:
        return True
    if _same_width_utc(earlier, later):
        return bool(earlier <= later)  # same-width UTC text sorts as time does
    first, second = parse_instant(earlier), parse_instant(later)
    return first is None or second is None or first <= second


def _flat(profile: dict[str, Any]) -> bool:
    """True when every role and count the profile names is a top-level key (the screenable
    case)."""
    roles = ("status", "created", "started", "finished", "updated", "duration_ms")
    return all(len(pointer_tokens(p)) == 1 for key, p in profile.items() if key in roles) and all(
        len(pointer_tokens(p)) == 1 for p in profile.get("counts", ())
    )


def _in_time_order(created: Any, started: Any, finished: Any) -> bool:
    """created <= started <= finished, wherever two of them are given."""
    previous = None
    for stamp in (created, started, finished):
        if stamp is None:
            continue
        if previous is not None:
            if _same_width_utc(previous, stamp):
                if stamp < previous:  # same-width UTC text sorts as time does
                    return False
            elif not _not_before(previous, stamp):
                return False
        previous = stamp
    return True


def _children_pass(
    instance: dict[str, Any], children: tuple[tuple[tuple[str, ...], bool, str], ...]
) -> bool:
    """Every nested run object (one item, or each of a list) passes its own profile's screen."""
    for tokens, many, child in children:
        value = value_at(instance, tokens)
        if value is None:
            continue
        check = _screen(child)
        if not many:
            if type(value) is not dict or not check(value):
                return False
            continue
        if type(value) is not list:
            return False
        for item in value:
            if type(item) is not dict or not check(item):
                return False
    return True


def _page_passes(instance: dict[str, Any], page: dict[str, Any], items_at: tuple[str, ...]) -> bool:
    """The page info agrees with the items it carries (or there is no item list to check)."""
    items = value_at(instance, items_at)
    return type(items) is not list or not any(
        True for _ in page_rules(instance, page, len(items), "")
    )


def _nested(profile: dict[str, Any]) -> tuple[tuple[tuple[str, ...], bool, str], ...]:
    """The profile's nested run objects: (where, a list of them?, their profile)."""
    return tuple(
        (pointer_tokens(c.get("items") or c["item"]), "items" in c, c["profile"])
        for c in profile.get("children", ())
    )


@cache
def _screen(name: str) -> Callable[[dict[str, Any]], bool]:
    """A fast yes for a record that breaks no invariant (no: run the full check); the profile
    is read once into the closure's locals, so the per-record path reads no settings dict."""
    profile = load_profiles()[name]
    if not _flat(profile):
        return lambda _instance: False  # rare shapes go straight to the full check

    def key(name: str) -> str | None:
        return pointer_tokens(profile[name])[0] if name in profile else None

    created_key, started_key, finished_key = key("created"), key("started"), key("finished")
    updated_key, status_key, duration_key = key("updated"), key("status"), key("duration_ms")
    terminal = frozenset(profile.get("terminal", ()))
    active = frozenset(profile.get("active", ()))
    counts = tuple(pointer_tokens(p)[0] for p in profile.get("counts", ()))
    step_count = profile.get("step_count")
    page = profile.get("page")
    page_items = pointer_tokens(profile["children"][0]["items"]) if page is not None else ()
    identity = unrequired_identity(name)
    # Top-level identity keys looked up directly: one dict.get each, on every clean record.
    identity_keys = tuple(tokens[0] for tokens in identity if len(tokens) == 1)
    identity_deep = tuple(tokens for tokens in identity if len(tokens) != 1)
    children = _nested(profile)

    def screen(instance: dict[str, Any]) -> bool:
        get = instance.get
        for key in identity_keys:
            if get(key) is None:
                return False
        for tokens in identity_deep:
            if value_at(instance, tokens) is None:
                return False
        created = get(created_key) if created_key else None
        started = get(started_key) if started_key else None
        finished = get(finished_key) if finished_key else None
        if not _in_time_order(created, started, finished):
            return False
        if updated_key and created is not None and not _not_before(created, get(updated_key)):
            return False
        if finished_key and status_key:
            status = get(status_key)
            if type(status) is str and (
                (
                    finished is None
                    and status in terminal
                    and not _unknown(instance, profile, "finished")
                )
                or (finished is not None and status in active)
            ):
                return False
        if duration_key and started is not None and finished is not None:
            duration = get(duration_key)
            first, last = parse_instant(started), parse_instant(finished)
            if first is not None and last is not None and _duration_off(duration, first, last):
                return False
        for count in counts:
            value = get(count)
            if value is not None and (type(value) is not int or value < 0):
                return False
        if children and not _children_pass(instance, children):
            return False
        if step_count and not _step_count_ok(instance, step_count):
            return False
        return page is None or _page_passes(instance, page, page_items)

    return screen


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
    off = _duration_off(duration, started, finished) if started and finished else None
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
            and not _unknown(instance, profile, "finished")
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
