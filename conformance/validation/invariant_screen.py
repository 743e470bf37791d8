"""The run invariants' screen: a fast "certainly nothing to report" for the clean record.

Like the fast validation path, the screen answers yes/no cheaply and the full check
(`semantics._check`) runs only when it says no. It must never say yes when the full
check would report something; saying no when nothing is wrong only costs time.

Two tiers, compiled once per profile into closures (no settings dict is read per record):

- `bulk` takes all objects of one profile at once (a run, or all the step results of a
  run): one `itemgetter` per object, columns by `zip`, then C-level tests per column
  (`None in`, `min`, `frozenset.isdisjoint`, `map(le, ...)`) and one shape test for all
  timestamps together (`run_facts.uniform_instants`). It says no to anything unusual: a
  missing key, a null, a timestamp of another shape.
- `one` takes a single object the slow way (dict.get per field, instants parsed where
  their shapes differ) and is exact about missing keys and nulls; it runs only where
  `bulk` said no.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from itertools import pairwise
from typing import Any

from conformance.bundle.run_profiles import load_profiles
from conformance.validation.identity_rules import unrequired_identity
from conformance.validation.instants import get as _get
from conformance.validation.instants import parse_instant, pointer_tokens, value_at
from conformance.validation.page_rules import page_rules
from conformance.validation.run_facts import MICROSECOND, duration_off, uniform_instants, unknown

_TIMES = ("created", "started", "finished", "updated")
_Tier = Callable[[Sequence[Any], list[Any]], bool]
_One = Callable[[Any], bool]


@cache
def screen(name: str) -> Callable[[Any], bool]:
    """A fast yes for a `name` object that breaks no invariant (no: run the full check)."""
    fast, one = _tiers(name)

    def clean(instance: Any) -> bool:
        if type(instance) is not dict:
            return False
        stamps: list[Any] = []
        try:
            if fast((instance,), stamps) and (not stamps or uniform_instants(stamps)):
                return True
        except TypeError:  # a timestamp that is no text, an unhashable status
            pass
        return one(instance)

    return clean


def all_clean(name: str, objects: Sequence[Any]) -> bool:
    """Every one of `objects` passes the exact tier of `name`."""
    return all(map(_tiers(name)[1], objects))


@cache
def _tiers(name: str) -> tuple[_Tier, _One]:
    profile = load_profiles()[name]
    if not _flat(profile, name):
        return _never, _never  # rare shapes go straight to the full check
    return _fast_tier(profile, name), _one_tier(profile, name)


def _never(*_values: Any) -> bool:
    return False


def _flat(profile: dict[str, Any], name: str) -> bool:
    """True when every field the screen reads is a top-level key (the screenable case)."""
    pointers = [p for key, p in profile.items() if key in (*_TIMES, "status", "duration_ms")]
    pointers += profile.get("counts", ())
    pointers += [c.get("items") or c["item"] for c in profile.get("children", ())]
    pointers += profile["step_count"].values() if "step_count" in profile else ()
    return all(len(pointer_tokens(p)) == 1 for p in pointers) and all(
        len(tokens) == 1 for tokens in unrequired_identity(name)
    )


def _key(profile: dict[str, Any], role: str) -> str | None:
    return pointer_tokens(profile[role])[0] if role in profile else None


def _children(profile: dict[str, Any]) -> tuple[tuple[str, bool, str], ...]:
    """The profile's nested run objects: (key, a list of them?, their profile)."""
    return tuple(
        (pointer_tokens(c.get("items") or c["item"])[0], "items" in c, c["profile"])
        for c in profile.get("children", ())
    )


def _page_clean(instance: dict[str, Any], page: dict[str, Any], items: Any) -> bool:
    """The page info agrees with the items it carries (or there is no item list to check)."""
    if not isinstance(items, list):
        return True
    return not any(True for _ in page_rules(instance, page, len(items), ""))


def _fast_tier(profile: dict[str, Any], name: str) -> _Tier:
    """The screen of a sequence of objects of one profile, its timestamps gathered in
    `stamps` for one shape test at the end (`screen`). Field by field, as straight-line
    code over locals (absent roles cost a test of a local, the first two identity keys and
    counts are unrolled): on CPython a bytecode is cheap, a call is not. One function, as
    splitting it would add the calls it exists to avoid."""
    id1, id2, *more_ids = (*(t[0] for t in unrequired_identity(name)), None, None)
    c_key, s_key = _key(profile, "created"), _key(profile, "started")
    f_key, u_key = _key(profile, "finished"), _key(profile, "updated")
    status_key = _key(profile, "status") if f_key is not None else None
    duration_key = _key(profile, "duration_ms") if s_key is not None else None
    terminal = frozenset(profile.get("terminal", ()))
    active = frozenset(profile.get("active", ()))
    count1, count2, *more_counts = (
        *(pointer_tokens(p)[0] for p in profile.get("counts", ())),
        None,
        None,
    )
    children = _children(profile)
    rest = _rest_of(profile)

    def fast(objects: Sequence[Any], stamps: list[Any]) -> bool:
        append = stamps.append
        for instance in objects:
            if type(instance) is not dict:
                return False
            get = instance.get
            if id1 is not None and (get(id1) is None or (id2 is not None and get(id2) is None)):
                return False
            if more_ids and any(get(key) is None for key in more_ids if key is not None):
                return False
            # Text order here; `screen` then makes sure all are instants of one shape, where
            # text order is time order. A value that is no text raises TypeError (a no).
            created = earlier = get(c_key) if c_key is not None else None
            if created is not None:
                append(created)
                updated = get(u_key) if u_key is not None else None
                if updated is not None:
                    append(updated)
                    if updated < created:
                        return False
            started = get(s_key) if s_key is not None else None
            if started is not None:
                append(started)
                if earlier is not None and started < earlier:
                    return False
                earlier = started
            finished = get(f_key) if f_key is not None else None
            if finished is not None:
                append(finished)
                if earlier is not None and finished < earlier:
                    return False
            if status_key is not None:
                status = get(status_key)
                if finished is None:
                    if status in terminal and not unknown(instance, profile, "finished"):
                        return False
                elif status in active:
                    return False
            if duration_key is not None and started is not None and finished is not None:
                duration = get(duration_key)
                if type(duration) is int and not _duration_near(duration, started, finished):
                    return False
            if count1 is not None:
                value = get(count1)
                if value is not None and (type(value) is not int or value < 0):
                    return False
                if count2 is not None:
                    value = get(count2)
                    if value is not None and (type(value) is not int or value < 0):
                        return False
                    if more_counts and not _counts_clean(get, more_counts):
                        return False
            for key, many, child in children:
                value = get(key)
                if value is None:
                    continue
                if many and type(value) is not list:
                    return False
                if not _tiers(child)[0](value if many else (value,), stamps):
                    return False
            if rest is not None and not rest(instance):
                return False
        return True

    return fast


def _counts_clean(get: Callable[[Any], Any], keys: list[Any]) -> bool:
    """Every count under `keys` (beyond the first two) is absent, null or a natural number."""
    for key in keys:
        value = None if key is None else get(key)
        if value is not None and (type(value) is not int or value < 0):
            return False
    return True


_NO_KEY = object()  # a key no JSON object has: dict.get of it is None
_FROMISO = datetime.fromisoformat


def _duration_near(duration: int, started: Any, finished: Any) -> bool:
    """True when `duration` agrees with the timestamps as `duration_off` judges it, or they
    are not both instants. Read with `fromisoformat`, which agrees with `parse_instant` on
    the one shape `screen` lets through (a leap second it refuses goes the long way)."""
    try:
        first, last = _FROMISO(started), _FROMISO(finished)
    except (TypeError, ValueError):
        parsed = parse_instant(started), parse_instant(finished)
        if parsed[0] is None or parsed[1] is None:
            return True
        first, last = parsed[0], parsed[1]
    if first.tzinfo is None or last.tzinfo is None:
        return False  # not the shape `screen` lets through: no
    # duration_off's tolerance is never under 1 s: within it, nothing to compute.
    if abs(duration * 1000 - (last - first) // MICROSECOND) <= 1_000_000:
        return True
    return duration_off(duration, first, last) is None


def _rest_of(profile: dict[str, Any]) -> Callable[[dict[str, Any]], bool] | None:
    """The rare rules (a canonical run's step count, a list page's numbers), or None."""
    step_count, page = profile.get("step_count"), profile.get("page")
    if step_count is None and page is None:
        return None
    page_items = pointer_tokens(profile["children"][0]["items"]) if page is not None else ()

    def rest(instance: dict[str, Any]) -> bool:
        if step_count is not None:
            count, steps = _get(instance, step_count["count"]), _get(instance, step_count["items"])
            if isinstance(count, int) and isinstance(steps, list) and count != len(steps):
                return False
        return page is None or _page_clean(instance, page, value_at(instance, page_items))

    return rest


def _in_order(created: Any, started: Any, finished: Any, updated: Any) -> bool:
    """created <= started <= finished (those that are instants) and created <= updated,
    as the full check orders them: as text where all are of one shape, else parsed."""
    given = [stamp for stamp in (created, started, finished) if stamp is not None]
    if len(given) > 1 and not uniform_instants(given):
        parsed = [t for t in map(parse_instant, given) if t is not None]
        if any(later < earlier for earlier, later in pairwise(parsed)):
            return False
    elif any(later < earlier for earlier, later in pairwise(given)):
        return False
    if created is None or updated is None or uniform_instants((created, updated)):
        return created is None or updated is None or not updated < created
    first, last = parse_instant(created), parse_instant(updated)
    return first is None or last is None or not last < first


def _one_tier(profile: dict[str, Any], name: str) -> _One:
    """The screen of one object, exact about missing keys and nulls (read once into locals)."""
    created_key, started_key = _key(profile, "created"), _key(profile, "started")
    finished_key, updated_key = _key(profile, "finished"), _key(profile, "updated")
    status_key, duration_key = _key(profile, "status"), _key(profile, "duration_ms")
    terminal = frozenset(profile.get("terminal", ()))
    active = frozenset(profile.get("active", ()))
    counts = tuple(pointer_tokens(p)[0] for p in profile.get("counts", ()))
    step_count = profile.get("step_count")
    page = profile.get("page")
    page_items = pointer_tokens(profile["children"][0]["items"]) if page is not None else ()
    identity_keys = tuple(tokens[0] for tokens in unrequired_identity(name))
    children = _children(profile)

    def one(instance: Any) -> bool:
        if type(instance) is not dict:
            return False
        get = instance.get
        if any(get(key) is None for key in identity_keys):
            return False
        created = get(created_key) if created_key else None
        started = get(started_key) if started_key else None
        finished = get(finished_key) if finished_key else None
        updated = get(updated_key) if updated_key else None
        if not _in_order(created, started, finished, updated):
            return False
        if finished_key and status_key:
            status = get(status_key)
            if type(status) is str and (
                (
                    finished is None
                    and status in terminal
                    and not unknown(instance, profile, "finished")
                )
                or (finished is not None and status in active)
            ):
                return False
        if duration_key and started is not None and finished is not None:
            first, last = parse_instant(started), parse_instant(finished)
            if (
                first is not None
                and last is not None
                and duration_off(get(duration_key), first, last)
            ):
                return False
        for count in counts:
            value = get(count)
            if value is not None and (type(value) is not int or value < 0):
                return False
        for key, many, child in children:
            value = get(key)
            if value is None:
                continue
            if not many:
                value = (value,)
            elif type(value) is not list:
                return False
            if not all_clean(child, value):
                return False
        if step_count:
            count, steps = _get(instance, step_count["count"]), _get(instance, step_count["items"])
            if isinstance(count, int) and isinstance(steps, list) and count != len(steps):
                return False
        return page is None or _page_clean(instance, page, value_at(instance, page_items))

    return one
