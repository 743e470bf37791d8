"""Run profiles as the generators read them: plans, pointers and overrides.

`contracts/semantics.yaml` says where each run object keeps its status, times,
counts and page info, for validation. Generation needs a little more: which of
those fields the schema requires, the status values its enum allows, and
(for objects the official profiles leave out, or for realism they do not
check) a few fixture-only facts in `SUPPLEMENT`. A `Plan` holds all of it,
compiled once per object; `Overrides` is how a caller fixes some of it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from conformance.bundle.catalog import derived_cache
from conformance.bundle.run_profiles import load_profiles, run_identity
from conformance.errors import UsageError
from conformance.generate.shapes import Shape, shape_for
from conformance.mapping.spec import ObjectSpec, shipped_objects
from conformance.validation.instants import parse_instant, pointer_tokens, value_at

ROLES = ("status", "created", "started", "finished", "updated", "duration_ms")
TIME_ROLES = ("created", "started", "finished", "updated")
#: Statuses (any case) of a run that has not started yet: it has no start time.
NOT_STARTED = ("queued", "pending")

#: Fixture-only realism `contracts/semantics.yaml` does not check: which other
#: timestamps follow a role ("created", or "last" = the latest one). Never feeds validation.
SUPPLEMENT: dict[str, dict[str, Any]] = {
    "hatchet.V1TaskTiming": {"links": {"/metadata/createdAt": "created",
                                       "/taskInsertedAt": "created",
                                       "/metadata/updatedAt": "last"}},
    "hatchet.V1TaskSummary": {"links": {"/metadata/createdAt": "created",
                                        "/taskInsertedAt": "created",
                                        "/metadata/updatedAt": "last"}},
    "hatchet.V1WorkflowRun": {"links": {"/metadata/createdAt": "created",
                                        "/metadata/updatedAt": "last"}},
}  # fmt: skip


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass(frozen=True)
class Overrides:
    """Fixed facts for generated runs: a status, instants (None: absent), pointer values.

    Role names are vendor-neutral (`finished` is `completed_at` in Xceptor and
    `finishedAt` in Hatchet), so a cross-vendor scenario can ask every vendor for
    "a failed run that finished at T" through the same words.
    """

    status: Any = UNSET
    created: Any = UNSET  # datetime | RFC 3339 str | None (absent)
    started: Any = UNSET
    finished: Any = UNSET
    updated: Any = UNSET
    duration_ms: Any = UNSET
    fields: tuple[tuple[str, Any], ...] = field(default=())  # (JSON pointer, value)

    def roles(self) -> dict[str, Any]:
        return {r: getattr(self, r) for r in ROLES if getattr(self, r) is not UNSET}

    @property
    def empty(self) -> bool:
        return not self.roles() and not self.fields


NO_OVERRIDES = Overrides()


tokens = pointer_tokens


@dataclass(frozen=True)
class Carried:
    """A property a run always carries: its path, its shape, and whether an invariant asks."""

    path: tuple[str, ...]
    shape: Shape
    invariant: bool  # True: even minimal fixtures carry it (the run-identity invariant)


@dataclass(frozen=True)
class Plan:
    """One profile, compiled against its object's shape (what exists, what is required)."""

    name: str
    shape: Shape
    roles: dict[str, tuple[str, ...]]
    statuses: tuple[str, ...]
    terminal: tuple[str, ...]
    active: tuple[str, ...]
    counts: tuple[tuple[str, ...], ...]
    step_count: tuple[tuple[str, ...], tuple[str, ...]] | None
    children: tuple[tuple[tuple[str, ...], bool, str], ...]
    page: dict[str, Any] | None
    items: tuple[str, ...] | None
    links: tuple[tuple[tuple[str, ...], str], ...]
    time_roles: tuple[str, ...]  # the time roles this object has
    timed: bool
    duration_floor: int
    errors: tuple[str, ...]  # optional error properties, kept only on failed runs
    carried: tuple[Carried, ...]  # what every real response carries (see _carried)
    required_roles: frozenset[str] = frozenset()  # roles whose property the schema requires

    def required(self, path: tuple[str, ...]) -> bool:
        if len(path) == 1:
            return path[0] in self.shape.required
        node = self.shape
        for token in path[:-1]:
            node = node.properties.get(token, Shape())
        return bool(path) and path[-1] in node.required

    def documented(self, path: tuple[str, ...]) -> Shape | None:
        return _documented(self.shape, path)


def _profile(name: str) -> dict[str, Any] | None:
    official = load_profiles().get(name)
    extra = SUPPLEMENT.get(name)
    if official is None:
        return extra
    return {**(extra or {}), **official}


@derived_cache  # holds the shapes of the catalog in force (owned_fields keys them by id)
def plan_for(name: str) -> Plan | None:
    """The sanitising plan of `name`, or None for objects without a profile."""
    profile = _profile(name)
    if profile is None:
        return None
    shape = shape_for(name)
    roles = {r: tokens(profile[r]) for r in ROLES if r in profile}
    status_shape = shape.properties.get(roles["status"][0]) if "status" in roles else None
    statuses = (
        tuple(v for v in (status_shape.enum or ()) if isinstance(v, str))
        if status_shape is not None
        else ()
    )
    children = tuple(
        (tokens(c.get("items") or c["item"]), "items" in c, c["profile"])
        for c in profile.get("children", ())
    )
    page = profile.get("page")
    items = None
    if page is not None:
        items = tokens(profile.get("items") or profile["children"][0]["items"])
    step = profile.get("step_count")
    time_roles = tuple(r for r in TIME_ROLES if r in roles)
    floor = 0
    if "duration_ms" in roles:
        bounds = _documented(shape, roles["duration_ms"])
        if bounds is not None and bounds.minimum is not None:
            floor = max(0, int(bounds.minimum))
    errors = tuple(
        k
        for k in ("error", "errorMessage", "error_message")
        if k in shape.properties and k not in shape.required and "status" in roles
    )
    plan = Plan(
        name=name,
        shape=shape,
        roles=roles,
        statuses=statuses,
        terminal=tuple(s for s in statuses if s in profile.get("terminal", ())),
        active=tuple(s for s in statuses if s in profile.get("active", ())),
        counts=tuple(tokens(p) for p in profile.get("counts", ())),
        step_count=(tokens(step["count"]), tokens(step["items"])) if step else None,
        children=children,
        page=page,
        items=items,
        links=tuple((tokens(p), role) for p, role in profile.get("links", {}).items()),
        time_roles=time_roles,
        timed=bool(time_roles),
        duration_floor=floor,
        errors=errors,
        carried=_carried(name, shape),
    )
    required = frozenset(r for r, path in roles.items() if plan.required(path))
    return dataclasses.replace(plan, required_roles=required)


def _carried(name: str, shape: Shape) -> tuple[Carried, ...]:
    """What a run always carries though its schema may not require it, from existing facts.

    The run profile's `id` is an invariant (run-identity): every fixture has it.
    The sources of the canonical run's required fields (id, workflow, status) in
    the object's mapping are what every real response carries: default
    fixtures have them, `minimal` ones need not. Only documented pointers, so
    a fixture never gains an undocumented property.
    """
    # the id of its identity (its status is chosen first anyway; a page's items are needed)
    pointers = [(pointer, True) for pointer in run_identity(name)[:1]]
    spec = shipped_objects().get(name)
    if isinstance(spec, ObjectSpec):
        required = shape_for("canonical.WorkflowRun").required
        pointers += [(r.source, False) for r in spec.rules if r.target in required and r.source]
    found: dict[tuple[str, ...], Carried] = {}
    for pointer, invariant in pointers:
        path = tokens(pointer)
        sub = _documented(shape, path)
        if path not in found and sub is not None:
            found[path] = Carried(path, sub, invariant)
    return tuple(found.values())


def owned_fields(name: str) -> tuple[dict[int, frozenset[str]], dict[int, frozenset[str]]]:
    """Per shape (by id): properties the sanitiser always rewrites, and ones it needs.

    The walker emits placeholders for the first (time roles, durations) instead
    of values that would be thrown away, and always emits the second (a list's
    items), which the sanitiser cannot make up.
    """
    owned: dict[int, frozenset[str]] = {}
    needed: dict[int, frozenset[str]] = {}
    todo, seen = [name], set()
    while todo:
        plan = plan_for(todo.pop())
        if plan is None or plan.name in seen:
            continue
        seen.add(plan.name)
        props = {
            path[0]
            for role, path in plan.roles.items()
            if len(path) == 1 and (role in TIME_ROLES or role == "duration_ms")
        }
        owned[id(plan.shape)] = owned.get(id(plan.shape), frozenset()) | props
        if plan.items is not None and len(plan.items) == 1:
            needed[id(plan.shape)] = frozenset(plan.items)
        todo.extend(child for _path, _many, child in plan.children)
    return owned, needed


def _documented(shape: Shape, path: tuple[str, ...]) -> Shape | None:
    node: Shape | None = shape
    for token in path:
        node = node.properties.get(token) if node is not None else None
    return node


# -- pointer access ------------------------------------------------------------------------


get = value_at  # one pointer walker for validation and generation alike


def put(node: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Set the value at `path`, creating the (documented) objects on the way."""
    if len(path) == 1:  # the common case, without slicing the path
        node[path[0]] = value
        return
    for token in path[:-1]:
        child = node.get(token)
        if not isinstance(child, dict):
            child = node[token] = {}
        node = child
    node[path[-1]] = value


def drop(node: Any, path: tuple[str, ...]) -> None:
    holder = get(node, path[:-1])
    if isinstance(holder, dict):
        holder.pop(path[-1], None)


def instant_ms(value: Any, role: str) -> tuple[int, str | None]:
    """An override instant as epoch ms, plus the text to write (None: render it)."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(moment.timestamp() * 1000), None
    parsed = parse_instant(value)
    if parsed is None:
        raise UsageError(f"override {role}={value!r} is not an RFC 3339 timestamp")
    return int(parsed.timestamp() * 1000), value


def _role_names(plan: Plan, depth: int = 0) -> frozenset[str]:
    """Roles an override can name: the object's own, or (for lists) its items'."""
    if plan.timed or "status" in plan.roles or depth > 4:
        return frozenset(plan.roles)
    found: frozenset[str] = frozenset()
    for _path, _many, child in plan.children:
        child_plan = plan_for(child)
        if child_plan is not None:
            found |= _role_names(child_plan, depth + 1)
    return found


def overrides_from(name: str, values: Mapping[str, Any]) -> Overrides:
    """Overrides from keyword arguments: role names, property names or JSON pointers."""
    if not values:
        return NO_OVERRIDES
    plan = plan_for(name)
    shape = shape_for(name)
    by_pointer = {"/" + "/".join(p): r for r, p in (plan.roles.items() if plan else ())}
    roles: dict[str, Any] = {}
    fields: list[tuple[str, Any]] = []
    for key, value in values.items():
        pointer = key if key.startswith("/") else f"/{key}"
        if key in ROLES and plan is not None and key in _role_names(plan):
            roles[key] = value
        elif pointer in by_pointer:
            roles[by_pointer[pointer]] = value
        elif key.startswith("/") or key in shape.properties:
            fields.append((pointer, value))
        else:
            known = sorted({*(_role_names(plan) if plan else ()), *shape.properties})
            raise UsageError(
                f"{name}: unknown override {key!r}; use a role, a property "
                f"({', '.join(known)}) or a JSON pointer"
            )
    return Overrides(**roles, fields=tuple(fields))
