"""The sanitiser: make a schema-valid object also a sane run, driven by its run profile.

A schema cannot say that a run finishes after it starts; `contracts/semantics.yaml`
can, and `conformance.validation.semantics` checks it. This module is the generating
side of the same profiles: it picks a status, lays out created <= started <=
finished (children inside their parent's window), sets durations from the
timestamps, keeps counts non-negative and makes page info agree with the items.
It only sets documented properties with values of their schema type, so a
schema-valid object stays schema-valid. Any backend's output goes through it,
and scenarios steer it with `Overrides` ("a failed run that started at T").
"""

from __future__ import annotations

import math
from typing import Any

from conformance.errors import UsageError
from conformance.generate.choosers import Chooser
from conformance.generate.profiles import (
    NO_OVERRIDES,
    NOT_STARTED,
    TIME_ROLES,
    Overrides,
    Plan,
    drop,
    get,
    instant_ms,
    plan_for,
    put,
    tokens,
)
from conformance.generate.schema_values import value_generator
from conformance.generate.values import (
    MIXED_ALNUM,
    OFFSETS,
    PRECISIONS,
    random_instant,
    stamp,
    truncate,
)
from conformance.validation.instants import parse_instant

#: With `minimal`: an optional created/started/updated field the walker left out is added
#: this often. By default the times a status implies are always there (see `_presence`).
P_SHOWN = 0.85

__all__ = ["Overrides", "sanitize"]


def sanitize(
    instance: Any,
    name: str,
    choose: Chooser,
    overrides: Overrides | None = None,
    minimal: bool = False,
) -> Any:
    """Make `instance` (schema-valid, a `name` object) sane in place, and return it.

    By default also realistic: it carries what every real response carries (its
    id, workflow and status, and the times its status implies). `minimal` keeps
    only what the schema and the run invariants ask for: sparse but valid.
    """
    ov = overrides or NO_OVERRIDES
    plan = plan_for(name)
    if plan is not None and isinstance(instance, dict):
        _Sanitizer(choose, minimal).run(instance, plan, None, ov, False)
    if isinstance(instance, dict):
        for pointer, value in ov.fields:
            put(instance, tokens(pointer), value)
    return instance


def _get(obj: dict[str, Any], path: tuple[str, ...]) -> Any:
    """`get`, with the common one-token path looked up directly."""
    return obj.get(path[0]) if len(path) == 1 and type(obj) is dict else get(obj, path)


class _Sanitizer:
    """One pass over one top-level object; one timestamp rendering for the whole response."""

    def __init__(self, ch: Chooser, minimal: bool = False) -> None:
        self.ch = ch
        self.minimal = minimal
        self.digits, self.offset = ch.choice(PRECISIONS), ch.choice(OFFSETS)

    def run(
        self,
        obj: dict[str, Any],
        plan: Plan,
        anchor: int | None,
        ov: Overrides,
        parent_final: bool,
    ) -> int | None:
        """Sanitise one object; returns the last instant it covers (for sequencing)."""
        ch, roles = self.ch, plan.roles
        given = ov.roles() if ov is not NO_OVERRIDES else {}
        status = self._status(obj, plan, given, parent_final)
        minimal = self.minimal
        for carried in plan.carried:
            path = carried.path
            if (carried.invariant or not minimal) and _get(obj, path) is None:
                put(obj, path, value_generator(carried.shape, path[-1])(ch, 0))
        digits = self.digits
        fixed = (
            {r: instant_ms(given[r], r) for r in TIME_ROLES if given.get(r) is not None}
            if given
            else {}
        )
        created, started = self._opening(fixed, anchor)
        finished = fixed["finished"][0] if "finished" in fixed else None
        cursor = self._children(obj, plan, ov, status in plan.terminal, started)
        if finished is None:
            finished = started + truncate(ch.integer(0, 900_000), digits)
            if cursor is not None:
                finished = max(finished, cursor)
        updated = fixed["updated"][0] if "updated" in fixed else None
        if updated is None:
            updated = max(created, started, finished) + truncate(ch.integer(0, 5_000), digits)
        values = {"created": created, "started": started, "finished": finished,
                  "updated": updated, "last": updated}  # fmt: skip
        if plan.timed:
            self._presence(obj, plan, status, given)
        latest = self._write_times(obj, plan, fixed, values)
        if "duration_ms" in roles:
            texts = bool(fixed) and any(fixed[r][1] for r in ("started", "finished") if r in fixed)
            self._duration(obj, plan, given, started, finished, texts)
        if plan.counts or plan.step_count:
            self._counts(obj, plan)
        if plan.page is not None and plan.items is not None:
            self._page(obj, plan)
        if plan.errors and isinstance(status, str) and "FAIL" not in status.upper():
            for key in plan.errors:
                obj.pop(key, None)
        return latest

    def _opening(
        self, fixed: dict[str, tuple[int, str | None]], anchor: int | None
    ) -> tuple[int, int]:
        """Created and started: the given ones, else from `anchor`, before any given end."""
        ch, digits = self.ch, self.digits
        start = truncate(anchor if anchor is not None else random_instant(ch), digits)
        created = fixed["created"][0] if "created" in fixed else None
        started = fixed["started"][0] if "started" in fixed else None
        finished = fixed["finished"][0] if "finished" in fixed else None
        if created is None:
            created = start
            if started is not None:
                created = min(created, started - truncate(ch.integer(0, 5_000), digits))
            if finished is not None:
                created = min(created, finished - truncate(ch.integer(0, 60_000), digits))
        if started is None:
            started = created + truncate(ch.integer(0, 20_000), digits)
            if finished is not None:
                started = max(created, min(started, finished))
        return created, started

    def _children(
        self, obj: dict[str, Any], plan: Plan, ov: Overrides, final: bool, started: int
    ) -> int | None:
        """Children run one after another inside the parent's window; returns where they end."""
        cursor = started if plan.timed else None
        child_ov = ov if not plan.timed and "status" not in plan.roles else NO_OVERRIDES
        for path, many, child_name in plan.children:
            child_plan = plan_for(child_name)
            value = _get(obj, path)
            if child_plan is None:
                continue
            for child in value if many and isinstance(value, list) else [value]:
                if isinstance(child, dict):
                    end = self.run(child, child_plan, cursor, child_ov, final)
                    if cursor is not None and end is not None:
                        cursor = max(cursor, end) + truncate(self.ch.integer(0, 2_000), self.digits)
        return cursor

    def _write_times(
        self,
        obj: dict[str, Any],
        plan: Plan,
        fixed: dict[str, tuple[int, str | None]],
        values: dict[str, int],
    ) -> int | None:
        """Stamp every time role the object shows (and the links to them); the latest one."""
        latest = None
        digits, offset, roles = self.digits, self.offset, plan.roles
        rendered: dict[str, str] = {}  # a role's instant, rendered once for it and its links
        for role in plan.time_roles:
            path = roles[role]
            holder = obj if len(path) == 1 else get(obj, path[:-1])
            if isinstance(holder, dict) and path[-1] in holder:
                text = fixed[role][1] if role in fixed else None
                if not text:
                    text = rendered[role] = stamp(values[role], digits, offset)
                holder[path[-1]] = text
                latest = values[role] if latest is None else max(latest, values[role])
        for path, role in plan.links:
            holder = obj if len(path) == 1 else get(obj, path[:-1])
            if isinstance(holder, dict) and path[-1] in holder:
                text = rendered.get(role) or stamp(values[role], digits, offset)
                holder[path[-1]] = rendered[role] = text
        return latest

    def _status(
        self, obj: dict[str, Any], plan: Plan, given: dict[str, Any], parent_final: bool
    ) -> Any:
        path = plan.roles.get("status")
        if path is None or not plan.statuses:
            return None
        if "status" in given:
            wanted = given["status"]
            if wanted not in plan.statuses:
                raise UsageError(
                    f"{plan.name}: status {wanted!r} is not one of {', '.join(plan.statuses)}"
                )
            put(obj, path, wanted)
            return wanted
        status = _get(obj, path)
        if status not in plan.statuses:
            status = self.ch.choice(plan.statuses)
        must_end = "finished" in plan.required_roles
        must_end = must_end or given.get("finished") is not None  # asked for an end time
        if (parent_final or must_end) and status in plan.active and plan.terminal:
            status = self.ch.choice(plan.terminal)
        if "finished" in given and given["finished"] is None and status in plan.terminal:
            open_ = [s for s in plan.statuses if s not in plan.terminal]  # asked for no end
            status = self.ch.choice(open_) if open_ else status
        put(obj, path, status)
        return status

    def _presence(
        self, obj: dict[str, Any], plan: Plan, status: Any, given: dict[str, Any]
    ) -> None:
        """Terminal runs have an end, active ones do not; a queued run has not started."""
        roles, required = plan.roles, plan.required_roles
        for role in plan.time_roles:
            if role not in given:
                if role == "finished":
                    continue
                path = roles[role]
                holder = get(obj, path[:-1]) if len(path) > 1 else obj
                if isinstance(holder, dict) and path[-1] in holder:  # shown
                    continue
                real = not self.minimal and role in ("created", "started")  # implied: shown
                if real or self.ch.boolean(P_SHOWN):
                    put(obj, path, None)  # created/started/updated: usually shown
            elif given[role] is None:
                if role in required:
                    raise UsageError(f"{plan.name}: {role} is required, it cannot be absent")
                drop(obj, roles[role])
            else:
                put(obj, roles[role], None)  # placeholder: the time pass renders it
        end = roles.get("finished")
        if end is not None and isinstance(status, str):
            if status in plan.terminal:
                put(obj, end, None)
            elif status in plan.active and "finished" not in required:
                if given.get("finished") is not None:
                    raise UsageError(f"{plan.name}: status {status!r} is active, it has no end")
                drop(obj, end)
        begin = roles.get("started")
        queued = isinstance(status, str) and status.lower() in NOT_STARTED
        if begin is not None and queued and "started" not in required and "started" not in given:
            drop(obj, begin)

    def _duration(
        self,
        obj: dict[str, Any],
        plan: Plan,
        given: dict[str, Any],
        started: int,
        finished: int,
        texts: bool,
    ) -> None:
        roles = plan.roles
        path = roles["duration_ms"]
        opens, closes = roles.get("started"), roles.get("finished")
        has_span = (
            opens is not None
            and closes is not None
            and _get(obj, opens) is not None
            and _get(obj, closes) is not None
        )
        if "duration_ms" in given:
            put(obj, path, given["duration_ms"])
        elif has_span:
            span = finished - started
            if texts:  # verbatim override texts: measure what was written
                begin = parse_instant(get(obj, plan.roles["started"]))
                end = parse_instant(get(obj, plan.roles["finished"]))
                if begin is not None and end is not None:
                    span = round((end - begin).total_seconds() * 1000)
            put(obj, path, max(span, plan.duration_floor))
        elif "duration_ms" not in plan.required_roles:
            drop(obj, path)
        else:
            put(obj, path, plan.duration_floor + self.ch.integer(0, 600_000))

    def _counts(self, obj: dict[str, Any], plan: Plan) -> None:
        for path in plan.counts:
            value = get(obj, path)
            if value is not None and (type(value) is not int or value < 0):
                put(obj, path, self.ch.integer(0, 10))
        if plan.step_count is not None:
            count, items = plan.step_count
            steps = get(obj, items)
            if get(obj, count) is not None and isinstance(steps, list):
                put(obj, count, len(steps))

    def _page(self, obj: dict[str, Any], plan: Plan) -> None:
        page, ch = plan.page or {}, self.ch
        items = get(obj, plan.items or ())
        if not isinstance(items, list):
            return
        limit = page.get("max_size")
        if limit is not None and len(items) > limit:
            del items[limit:]
        n, style = len(items), page["style"]
        if style == "hatchet":
            pages = ch.integer(1, 5)
            current = ch.integer(1, pages)
            put(obj, tokens(page["pages"]), pages)
            put(obj, tokens(page["current"]), current)
            if current < pages:
                put(obj, tokens(page["next"]), current + 1)
            else:
                drop(obj, tokens(page["next"]))
        elif style == "knock":
            size_path = tokens(page["size"])
            more = n > 0 and ch.boolean(0.4)
            put(obj, size_path, n if more else max(n, ch.choice((10, 25, 50))))
            holder = size_path[:-1]
            for key, present in (("after", more), ("before", ch.boolean(0.3))):
                if plan.documented((*holder, key)) is not None:
                    put(obj, (*holder, key), ch.text(MIXED_ALNUM, 12, 16) if present else None)
        elif style == "paragon":  # no total: a next link only after a full page
            nxt = tokens(page["next"])
            if plan.documented(nxt) is not None:
                path = "/".join(
                    ch.text(MIXED_ALNUM, 8, 8) if s.startswith("{") else s
                    for s in page["next_path"].split("/")
                )
                link = f"https://api.useparagon.com{path}?offset={n * ch.integer(1, 5)}"
                put(obj, nxt, link if n == page["max_size"] and ch.boolean(0.5) else None)
        elif style == "page-number":
            self._page_number(obj, page, n)

    def _page_number(self, obj: dict[str, Any], page: dict[str, Any], n: int) -> None:
        ch = self.ch
        if n == 0:
            size, current, total = ch.choice((10, 20, 50, 100)), 1, 0
        elif ch.boolean(0.5):  # the last page: partly filled
            size = max(n, ch.choice((10, 20, 50, 100)))
            current = ch.integer(1, 5)
            total = (current - 1) * size + n
        else:  # an earlier page: full
            size = n
            pages = ch.integer(2, 6)
            current = ch.integer(1, pages - 1)
            total = (pages - 1) * size + ch.integer(1, size)
        put(obj, tokens(page["size"]), size)
        put(obj, tokens(page["page"]), current)
        put(obj, tokens(page["total"]), total)
        put(obj, tokens(page["pages"]), math.ceil(total / size))
