"""Named transforms between vendor values and canonical values.

A mapping spec names a transform per field instead of embedding code, so the
static checks can reason about every field (what JSON types a transform
accepts and produces, which parts of the source value it consumes) and the
engine can run it in both directions. Each transform is a forward function
and, where one exists, its inverse; derived values (a duration computed from
timestamps, a count of items) have none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from conformance.errors import ConformanceError, ExitCode
from conformance.validation.instants import parse_instant


class MappingError(ConformanceError):
    """An object cannot be mapped: it does not conform, lacks a source, or cannot be expressed."""

    exit_code = ExitCode.NON_CONFORMING


class _Absent:
    """The value is not there (JSON null counts as absent: canonical runs hold no nulls)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def tokens(pointer: str) -> list[str]:
    return [_unescape(t) for t in pointer.split("/")[1:]]


def get(instance: Any, pointer: str) -> Any:
    """The value at an RFC 6901 pointer, or ABSENT (also for null)."""
    node = instance
    for token in tokens(pointer):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return ABSENT
    return ABSENT if node is None else node


def put(instance: dict[str, Any], pointer: str, value: Any) -> None:
    """Set the value at a pointer, creating the objects on the way."""
    parts = tokens(pointer)
    node = instance
    for token in parts[:-1]:
        node = node.setdefault(token, {})
    node[parts[-1]] = value


@dataclass(frozen=True)
class Context:
    """What a transform may look at besides the value itself."""

    object: str  # "vendor.Object", for messages
    target: str  # canonical field
    source: str | None  # the rule's source pointer
    table: Mapping[str, str]
    args: Mapping[str, Any]
    instance: Any  # the whole source object (vendor side forward, canonical run inverse)

    @property
    def vendor(self) -> str:
        return self.object.split(".", 1)[0]


Forward = Callable[[Any, Context], Any]


@dataclass(frozen=True)
class Transform:
    """A named transform, with what the static checks need to know about it."""

    name: str
    doc: str
    forward: Forward
    inverse: Forward | None
    accepts: frozenset[str] | None  # JSON types of the source value; None: any
    produces: str | None  # JSON type of the canonical value; None: the source's type
    covers: tuple[str, ...] | None = None  # source sub-pointers consumed; None: all of it
    needs_table: bool = False
    arg_pointers: tuple[str, ...] = ()  # args that are pointers into the source object


def _copy(value: Any, ctx: Context) -> Any:
    return value


def _ms(value: Any, ctx: Context) -> Any:
    if value < 0:
        raise MappingError(f"{ctx.object}: {ctx.source} is {value} ms, a negative duration")
    return value


def _derive_duration(value: Any, ctx: Context) -> Any:
    started = parse_instant(get(ctx.instance, ctx.args["started"]))
    finished = parse_instant(get(ctx.instance, ctx.args["finished"]))
    if started is None or finished is None or finished < started:
        return ABSENT
    return round((finished - started).total_seconds() * 1000)


def _status(value: Any, ctx: Context) -> Any:
    if value not in ctx.table:
        raise MappingError(f"{ctx.object}: {ctx.source} value {value!r} has no canonical status")
    return ctx.table[value]


def _status_inverse(value: Any, ctx: Context) -> Any:
    for vendor_value, canonical in ctx.table.items():
        if canonical == value:
            return vendor_value
    raise MappingError(f"{ctx.vendor} cannot express {ctx.target} {value!r}")


def _trigger(value: Any, ctx: Context) -> Any:
    if value not in ctx.table:
        raise MappingError(f"{ctx.object}: {ctx.source} value {value!r} has no trigger kind")
    return {"kind": ctx.table[value], "source_value": value}


def _trigger_inverse(value: Any, ctx: Context) -> Any:
    kept = value.get("source_value")
    if ctx.table.get(kept) == value["kind"]:
        return kept  # the vendor's own value, when it is one and still agrees with the kind
    for vendor_value, kind in ctx.table.items():
        if kind == value["kind"]:
            return vendor_value
    raise MappingError(f"{ctx.vendor} cannot express trigger kind {value['kind']!r}")


def _error_from_string(value: Any, ctx: Context) -> Any:
    return {"message": value}


def _error_to_string(value: Any, ctx: Context) -> Any:
    return value.get("message", ABSENT)


def _error_from_object(value: Any, ctx: Context) -> Any:
    out = {k: value[k] for k in ("message", "code") if isinstance(value.get(k), str)}
    return out or ABSENT


def _error_to_object(value: Any, ctx: Context) -> Any:
    out = {k: value[k] for k in ("code", "message") if k in value}
    return out or ABSENT


def _count_to_error(value: Any, ctx: Context) -> Any:
    if value < 0:
        raise MappingError(f"{ctx.object}: {ctx.source} is {value}, a negative count")
    return {"count": value}


def _error_to_count(value: Any, ctx: Context) -> Any:
    return value.get("count", ABSENT)


def _recipient(value: Any, ctx: Context) -> Any:
    if isinstance(value, dict):
        return f"{value['collection']}/{value['id']}"
    return value


def _recipient_inverse(value: Any, ctx: Context) -> Any:
    collection, slash, ident = value.partition("/")
    return {"collection": collection, "id": ident} if slash and collection else value


def _count_items(value: Any, ctx: Context) -> Any:
    return len(value)


def _steps(value: Any, ctx: Context) -> Any:
    fields: Mapping[str, str] = ctx.args["item"]
    fallback: tuple[str, ...] = tuple(ctx.args.get("name_fallback", ()))
    steps = []
    for index, item in enumerate(value):
        step: dict[str, Any] = {}
        for target, pointer in fields.items():
            got = get(item, pointer)
            if got is ABSENT:
                continue
            if target == "status":
                if got not in ctx.table:
                    raise MappingError(
                        f"{ctx.object}: {ctx.source}/{index}{pointer} value {got!r} "
                        "has no canonical step status"
                    )
                got = ctx.table[got]
            step[target] = got
        if "name" not in step:
            names = [get(item, p) for p in fallback]
            step["name"] = next((n for n in names if n is not ABSENT), f"step {index + 1}")
        if "status" not in step:
            raise MappingError(f"{ctx.object}: {ctx.source}/{index}: a step without a status")
        steps.append(dict(sorted(step.items(), key=lambda kv: list(fields).index(kv[0]))))
    return steps


def _steps_inverse(value: Any, ctx: Context) -> Any:
    fields: Mapping[str, str] = ctx.args["item"]
    items = []
    for step in value:
        item: dict[str, Any] = {}
        for target, pointer in fields.items():
            if target not in step:
                continue
            got = step[target]
            if target == "status":
                got = _status_inverse(got, _replace_target(ctx, "step status"))
            put(item, pointer, got)
        items.append(item)
    return items


def _replace_target(ctx: Context, target: str) -> Context:
    return Context(ctx.object, target, ctx.source, ctx.table, ctx.args, ctx.instance)


def _const(value: Any, ctx: Context) -> Any:
    return value


_INT = frozenset({"integer"})
_STR = frozenset({"string"})
_OBJ = frozenset({"object"})
_ARR = frozenset({"array"})

#: Every transform a mapping spec may name.
TRANSFORMS: dict[str, Transform] = {
    t.name: t
    for t in (
        Transform("copy", "the value unchanged", _copy, _copy, None, None),
        Transform("const", "a constant from the spec (no source)", _const, None, None, None),
        Transform("ms", "milliseconds to milliseconds (no scaling)", _ms, _copy, _INT, "integer"),
        Transform(
            "derive-duration",
            "finished - started in ms, from the timestamps named in args",
            _derive_duration,
            None,
            None,
            "integer",
            arg_pointers=("started", "finished"),
        ),
        Transform(
            "status",
            "vendor status -> canonical status",
            _status,
            _status_inverse,
            _STR,
            "string",
            needs_table=True,
        ),
        Transform(
            "trigger",
            "vendor trigger value -> {kind, source_value}",
            _trigger,
            _trigger_inverse,
            _STR,
            "object",
            needs_table=True,
        ),
        Transform(
            "error-from-string",
            "an error message -> {message}",
            _error_from_string,
            _error_to_string,
            _STR,
            "object",
        ),
        Transform(
            "error-from-object",
            "{code, message, ...} -> {code, message}",
            _error_from_object,
            _error_to_object,
            _OBJ,
            "object",
            covers=("/code", "/message"),
        ),
        Transform(
            "count-to-error",
            "an error count -> {count}",
            _count_to_error,
            _error_to_count,
            _INT,
            "object",
        ),
        Transform(
            "recipient-ref",
            "a user id, or {collection, id} as `collection/id`",
            _recipient,
            _recipient_inverse,
            frozenset({"string", "object"}),
            "string",
        ),
        Transform(
            "count-items", "the number of items of an array", _count_items, None, _ARR, "integer"
        ),
        Transform(
            "steps",
            "array items -> canonical steps, field by field (args.item)",
            _steps,
            _steps_inverse,
            _ARR,
            "array",
            needs_table=True,
        ),
    )
}
