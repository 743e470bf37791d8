"""Invariant mutations: break one run invariant, keep the schema and the other rules.

Planned from the official run profile (`contracts/semantics.yaml`, never the
fixture-only supplement: validation does not know it). A timestamp moved
before its predecessor drags its duration along so "duration-consistent"
still holds; a status made terminal loses its end time and nothing else.
Nested run objects (steps, tasks, list items) are mutated in place of the root.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from itertools import pairwise
from typing import Any

from conformance.bundle.run_profiles import identity, load_profiles
from conformance.generate.choosers import Chooser
from conformance.generate.mutations import Mutation, esc, setter
from conformance.generate.profiles import get, tokens
from conformance.generate.shapes import Shape, shape_for
from conformance.generate.values import stamp
from conformance.validation.instants import parse_instant
from conformance.validation.semantics import INVARIANTS


def invariant_mutations(root: Any, name: str, ch: Chooser) -> list[Mutation]:
    out: list[Mutation] = []
    if isinstance(root, dict) and name in load_profiles():
        _profiled(root, name, (), out, ch)
    return out


def _at(base: tuple[str, ...], apply: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A mutation planned on a nested object, applied from the root."""
    if not base:
        return apply

    def at(root: Any) -> Any:
        apply(get(root, base))
        return root

    return at


def _profiled(
    obj: dict[str, Any], name: str, base: tuple[str, ...], out: list[Mutation], ch: Chooser
) -> None:
    profile = load_profiles()[name]
    shape = shape_for(name)
    found = [
        *_count_mutations(obj, profile, shape, base, ch),
        *_identity_mutations(obj, name, shape, base),
    ]
    if all(len(tokens(profile[r])) == 1 for r in _ROLES if r in profile):
        found.extend(_time_mutations(obj, profile, shape, base, ch))
    if "page" in profile:
        found.extend(_page_mutations(obj, profile, base))
    out.extend(replace(m, apply=_at(base, m.apply)) for m in found)
    for child in profile.get("children", ()):
        if "item" in child:
            value = get(obj, tokens(child["item"]))
            if isinstance(value, dict):
                _profiled(value, child["profile"], (*base, *tokens(child["item"])), out, ch)
            continue
        items = get(obj, tokens(child["items"]))
        if isinstance(items, list) and items:
            i = ch.integer(0, len(items) - 1)  # one item per list keeps the plan small
            if isinstance(items[i], dict):
                path = (*base, *tokens(child["items"]), str(i))
                _profiled(items[i], child["profile"], path, out, ch)


def _identity_mutations(
    obj: dict[str, Any], name: str, shape: Shape, base: tuple[str, ...]
) -> Iterator[Mutation]:
    """A run without its id (or status), a page without its items: only where the schema
    does not require it."""
    own = identity(name)
    for pointer in own.pointers if own is not None else ():
        path = tokens(pointer)
        parent = shape
        for token in path[:-1]:
            parent = parent.properties.get(token, Shape())
        if get(obj, path) is None or path[-1] in parent.required:
            continue

        def drop(o: dict[str, Any], path: tuple[str, ...] = path) -> dict[str, Any]:
            holder = get(o, path[:-1]) if len(path) > 1 else o
            holder.pop(path[-1], None)
            return o

        at = _ptr(base, pointer)
        yield Mutation("invariant", "run-identity", at, drop, f"{pointer[1:]} removed")


def _ptr(base: tuple[str, ...], pointer: str) -> str:
    return "".join("/" + esc(t) for t in base) + pointer


def _ms(value: Any) -> int | None:
    moment = parse_instant(value)
    return None if moment is None else int(moment.timestamp() * 1000)


_ROLES = ("created", "started", "finished", "updated", "duration_ms", "status")


def _time_mutations(
    obj: dict[str, Any], profile: dict[str, Any], shape: Shape, base: tuple[str, ...], ch: Chooser
) -> Iterator[Mutation]:
    roles = {r: tokens(profile[r]) for r in _ROLES if r in profile}
    # the roles that hold a time, in ms; a role without one is left out
    ms = {
        r: t
        for r, p in roles.items()
        if r not in ("duration_ms", "status") and (t := _ms(get(obj, p))) is not None
    }
    yield from _order_mutations(profile, roles, ms, base, ch)
    yield from _status_mutations(profile, roles, ms, shape, base, ch)


def _with_span(
    o: dict[str, Any], duration: tuple[str, ...] | None, started: int | None, finished: int | None
) -> None:
    """Keep a present duration equal to the (moved) span, so only the targeted rule breaks."""
    if not duration or started is None or finished is None:
        return
    if get(o, duration) is not None:
        o[duration[0]] = max(0, finished - started)


def _order_mutations(
    profile: dict[str, Any],
    roles: dict[str, tuple[str, ...]],
    ms: dict[str, int],
    base: tuple[str, ...],
    ch: Chooser,
) -> Iterator[Mutation]:
    """A timestamp moved before its predecessor; a duration that disagrees with its span."""
    present = [r for r in ("created", "started", "finished") if r in ms]
    duration = roles.get("duration_ms")
    for earlier, later in pairwise(present):
        moved = ms[earlier] - 500

        def order(o: dict[str, Any], later: str = later, moved: int = moved) -> dict[str, Any]:
            o[roles[later][0]] = stamp(moved)
            new = {**ms, later: moved}
            _with_span(o, duration, new.get("started"), new.get("finished"))
            return o

        desc = f"{later} moved before {earlier}: {INVARIANTS['time-order']}"
        yield Mutation("invariant", "time-order", _ptr(base, profile[later]), order, desc)
    if "created" in ms and "updated" in ms:
        moved_u = ms["created"] - 500
        yield Mutation(
            "invariant",
            "time-order",
            _ptr(base, profile["updated"]),
            setter(roles["updated"], stamp(moved_u)),
            "updated moved before created",
        )
    if duration and "started" in ms and "finished" in ms:
        span = ms["finished"] - ms["started"]
        bad = span + max(1000, abs(span) // 100) + 1000 + ch.integer(0, 5000)
        yield Mutation(
            "invariant",
            "duration-consistent",
            _ptr(base, profile["duration_ms"]),
            setter(duration, bad),
            f"duration {bad} ms, span {span} ms",
        )


def _status_mutations(
    profile: dict[str, Any],
    roles: dict[str, tuple[str, ...]],
    ms: dict[str, int],
    shape: Shape,
    base: tuple[str, ...],
    ch: Chooser,
) -> Iterator[Mutation]:
    """A terminal status without an end time; an active one with an end time."""
    status, end = roles.get("status"), roles.get("finished")
    if not status or not end or len(status) != 1 or len(end) != 1:
        return
    duration = roles.get("duration_ms")
    enum = [v for v in (shape.properties.get(status[0], Shape()).enum or ()) if isinstance(v, str)]
    terminal = [s for s in enum if s in profile.get("terminal", ())]
    active = [s for s in enum if s in profile.get("active", ())]
    if terminal and end[0] not in shape.required:
        pick = ch.choice(terminal)

        def unended(o: dict[str, Any], pick: str = pick) -> dict[str, Any]:
            o[status[0]] = pick
            o.pop(end[0], None)
            return o

        yield Mutation(
            "invariant",
            "terminal-has-end",
            _ptr(base, profile["finished"]),
            unended,
            f"status {pick!r} without an end time",
        )
    if active:
        pick = ch.choice(active)
        begin = max((v for k, v in ms.items() if k != "finished"), default=None)

        def ended(o: dict[str, Any], pick: str = pick, begin: int | None = begin) -> dict[str, Any]:
            o[status[0]] = pick
            if o.get(end[0]) is None:
                finish = (begin or ms.get("finished") or 1_750_000_000_000) + 1000
                o[end[0]] = stamp(finish)
                _with_span(o, duration, ms.get("started"), finish)
            return o

        yield Mutation(
            "invariant",
            "active-has-no-end",
            _ptr(base, profile["finished"]),
            ended,
            f"status {pick!r} with an end time",
        )


def _count_mutations(
    obj: dict[str, Any], profile: dict[str, Any], shape: Shape, base: tuple[str, ...], ch: Chooser
) -> Iterator[Mutation]:
    for pointer in profile.get("counts", ()):
        path = tokens(pointer)
        sub = shape.properties.get(path[0]) if len(path) == 1 else None
        if sub is None or (sub.minimum is not None and sub.minimum >= 0):
            continue
        bad = -ch.integer(1, 5)
        yield Mutation(
            "invariant",
            "non-negative-count",
            _ptr(base, pointer),
            setter(path, bad),
            f"count {bad}",
        )
    spec = profile.get("step_count")
    if spec:
        steps = get(obj, tokens(spec["items"]))
        if isinstance(steps, list):
            bad = len(steps) + 1
            yield Mutation(
                "invariant",
                "step-count",
                _ptr(base, spec["count"]),
                setter(tokens(spec["count"]), bad),
                f"step_count {bad}",
            )


def _page_mutations(
    obj: dict[str, Any], profile: dict[str, Any], base: tuple[str, ...]
) -> Iterator[Mutation]:
    page = profile["page"]
    items = get(obj, tokens(profile["children"][0]["items"]))
    if not isinstance(items, list):
        return
    n, style = len(items), page["style"]
    if "size" in page and style != "page-number" and n >= 1:
        yield Mutation(
            "invariant",
            "page-size",
            _ptr(base, page["size"]),
            setter(tokens(page["size"]), n - 1),
            "page size below item count",
        )
    if style == "hatchet":
        yield from _hatchet_page_mutations(obj, page, base)
    elif style == "page-number":
        pages = _page_int(obj, page, "pages")
        if (
            pages is not None
            and _page_int(obj, page, "size")
            and _page_int(obj, page, "total") is not None
        ):
            yield Mutation(
                "invariant",
                "page-consistent",
                _ptr(base, page["pages"]),
                setter(tokens(page["pages"]), pages + 1),
                "total_pages off by one",
            )
    elif style == "paragon":  # no total: the next link is what can be wrong
        path = "/".join("p1" if s.startswith("{") else s for s in page["next_path"].split("/"))
        link, nxt = f"{path}?offset=100", tokens(page["next"])
        at = _ptr(base, page["next"])
        yield Mutation("invariant", "page-consistent", at, setter(nxt, link), "relative nextLink")
        if n < page["max_size"]:
            absolute = setter(nxt, f"https://api.useparagon.com{link}")
            yield Mutation("invariant", "page-consistent", at, absolute, "nextLink on a short page")


def _page_int(obj: dict[str, Any], page: dict[str, Any], key: str) -> int | None:
    """The page's `key` field where the profile names one and it holds an integer."""
    value = get(obj, tokens(page[key])) if key in page else None
    return value if type(value) is int else None


def _hatchet_page_mutations(
    obj: dict[str, Any], page: dict[str, Any], base: tuple[str, ...]
) -> Iterator[Mutation]:
    """Hatchet numbers its pages: a next page that skips one, a current page past the last."""
    current, pages = _page_int(obj, page, "current"), _page_int(obj, page, "pages")
    if current is not None and pages is not None and current < pages:
        yield Mutation(
            "invariant",
            "page-consistent",
            _ptr(base, page["next"]),
            setter(tokens(page["next"]), current + 2),
            "next_page skips",
        )
    if pages is not None:
        beyond = max(pages, 1) + 1
        nxt = tokens(page["next"])

        def past(o: dict[str, Any], beyond: int = beyond) -> dict[str, Any]:
            setter(tokens(page["current"]), beyond)(o)
            holder = get(o, nxt[:-1])
            if isinstance(holder, dict):
                holder.pop(nxt[-1], None)
            return o

        yield Mutation(
            "invariant",
            "page-consistent",
            _ptr(base, page["current"]),
            past,
            "current_page beyond num_pages",
        )
