"""Mutations: planned single-rule breaks, and the schema ones.

A `Mutation` is planned on a sane object and applied to a copy of it. Schema
mutations walk the instance with its shape and change one value so that one
keyword fails at one pointer and no other can: a wrong type never lands where
an `enum` would also fail (the enum mutation covers that place), a bad format
value keeps its length bounds, `anyOf`/`oneOf` places get a type no branch
takes (one error at the branch keyword, not one per branch).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from conformance.bundle.formats import CHECKED_FORMATS, is_valid_format
from conformance.generate.choosers import Chooser
from conformance.generate.profiles import get
from conformance.generate.shapes import Shape, json_type

Kind = Literal["schema", "invariant"]

#: Values that break a format, tried in order; the first that also fits the length bounds wins.
BAD_FORMATS: dict[str, tuple[str, ...]] = {
    "uuid": ("zzzzzzzz-zzzz-4zzz-8zzz-zzzzzzzzzzzz", "not-a-uuid"),
    "date-time": ("2025-13-45T25:61:00Z", "2025-02-30T10:00:00Z", "yesterday"),
    "date": ("2025-13-45", "2025-02-30"),
    "time": ("25:61:00Z", "noon"),
    "duration": ("P1H", "one hour"),
    "email": ("not-an-email", "a@@b"),
    "idn-email": ("not-an-email",),
    "hostname": ("-bad-.example.com", "bad_host!"),
    "idn-hostname": ("-bad-.example.com",),
    "ipv4": ("300.1.1.1", "1.2.3"),
    "ipv6": ("2001:db8::zz", "not-ipv6"),
    "uri": ("not a uri", "relative/path"),
    "iri": ("not an iri",),
    "uri-reference": ("http://exa mple.com/\\bad",),
    "iri-reference": ("http://exa mple.com/\\bad",),
    "uri-template": ("https://example.com/{unclosed",),
    "json-pointer": ("no-leading-slash",),
    "relative-json-pointer": ("/not-relative",),
    "regex": ("[unclosed",),
}
_FOREIGN: dict[str, Any] = {
    "string": "unexpected",
    "integer": 123,
    "boolean": True,
    "array": [],
    "object": {},
    "null": None,
}


@dataclass(frozen=True)
class Mutation:
    """One planned change: applied to the instance, it returns the (maybe new) root."""

    kind: Kind
    keyword: str
    pointer: str
    apply: Callable[[Any], Any]
    description: str


def esc(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


# -- schema mutations ----------------------------------------------------------------------


def setter(path: tuple[str, ...], value: Any) -> Callable[[Any], Any]:
    def apply(root: Any) -> Any:
        if not path:
            return value
        holder = get(root, path[:-1]) if len(path) > 1 else root
        holder[int(path[-1]) if isinstance(holder, list) else path[-1]] = value
        return root

    return apply


def _accepted(shape: Shape, depth: int = 0) -> set[str] | None:
    """Types some branch of `shape` accepts (None: any type)."""
    if shape.branches and depth < 8:
        found: set[str] = set()
        for branch in shape.branches:
            sub = _accepted(branch, depth + 1)
            if sub is None:
                return None
            found |= sub
        return found
    if shape.enum is not None:
        return {json_type(v) for v in shape.enum}
    if not shape.types:
        return None
    found = set(shape.types)
    if "number" in found:
        found.add("integer")
    return found


def _foreign(accepted: set[str], ch: Chooser) -> Any:
    options = [t for t in _FOREIGN if t not in accepted]
    return _FOREIGN[ch.choice(options)] if options else None


def schema_mutations(root: Any, shape: Shape, ch: Chooser) -> list[Mutation]:
    out: list[Mutation] = []
    _walk(root, shape, (), out, ch, 0)
    if len(out) > 1:
        out = [m for m in out if not (m.keyword == "type" and m.pointer == "")]
    return out


def _walk(
    value: Any, shape: Shape, path: tuple[str, ...], out: list[Mutation], ch: Chooser, depth: int
) -> None:
    if depth > 40:
        return
    pointer = "".join("/" + esc(t) for t in path)
    if shape.branches:  # only the branch keyword itself: a type no branch accepts
        accepted = _accepted(shape)
        if accepted is not None and len(accepted) < len(_FOREIGN):
            bad = _foreign(accepted, ch)
            kw = shape.branch_keyword or "anyOf"
            out.append(Mutation("schema", kw, pointer, setter(path, bad), f"matches none of {kw}"))
        return
    if shape.enum is not None:
        kw = "const" if len(shape.enum) == 1 else "enum"
        bad = _not_in(shape)
        if bad is not None:
            out.append(Mutation("schema", kw, pointer, setter(path, bad), f"{bad!r} not allowed"))
        return
    kind = json_type(value)
    if shape.types:
        accepted = _accepted(shape) or set()
        bad = _foreign(accepted, ch)
        if len(accepted) < len(_FOREIGN):
            out.append(Mutation("schema", "type", pointer, setter(path, bad), "wrong type"))
    if kind == "string":
        _string_mutations(value, shape, path, pointer, out)
    elif kind in ("integer", "number") and not isinstance(value, bool):
        _number_mutations(shape, path, pointer, out)
    elif kind == "object":
        _object_mutations(value, shape, path, pointer, out, ch, depth)
    elif kind == "array":
        _array_mutations(value, shape, path, pointer, out, ch, depth)


def _not_in(shape: Shape) -> Any:
    enum = shape.enum or ()
    types = _accepted(Shape(types=shape.types)) if shape.types else {json_type(v) for v in enum}
    if "string" in (types or {"string"}):
        for candidate in ("not-a-valid-value", "UNKNOWN_VALUE", "x"):
            if candidate not in enum:
                return candidate
    if "integer" in (types or ()):
        return max((v for v in enum if isinstance(v, int)), default=0) + 1
    return None


def _string_mutations(
    value: str, shape: Shape, path: tuple[str, ...], pointer: str, out: list[Mutation]
) -> None:
    lo, hi = shape.min_length, shape.max_length
    if shape.format in CHECKED_FORMATS and shape.pattern is None:
        for bad in BAD_FORMATS.get(shape.format, ()):
            fits = lo <= len(bad) and (hi is None or len(bad) <= hi)
            if fits and not is_valid_format(shape.format, bad):
                desc = f"{bad!r} is not a valid {shape.format}"
                out.append(Mutation("schema", "format", pointer, setter(path, bad), desc))
                break
    if shape.format or shape.pattern:
        return
    if lo > 0:
        bad = value[: lo - 1]
        out.append(Mutation("schema", "minLength", pointer, setter(path, bad), "too short"))
    if hi is not None:
        bad = (value + "x" * (hi + 1))[: hi + 1]
        out.append(Mutation("schema", "maxLength", pointer, setter(path, bad), "too long"))


def _number_mutations(
    shape: Shape, path: tuple[str, ...], pointer: str, out: list[Mutation]
) -> None:
    step = shape.multiple_of if shape.multiple_of and float(shape.multiple_of) >= 1 else 1
    integer = "number" not in shape.types
    for kw, bound, delta in (
        ("minimum", shape.minimum, -step),
        ("maximum", shape.maximum, step),
        ("exclusiveMinimum", shape.exclusive_minimum, 0),
        ("exclusiveMaximum", shape.exclusive_maximum, 0),
    ):
        if bound is None:
            continue
        bad = bound + delta
        if integer:
            if not float(bad).is_integer():
                continue
            bad = int(bad)
        ratio = bad / shape.multiple_of if shape.multiple_of else 0
        if not math.isclose(ratio, round(ratio)):
            continue
        out.append(Mutation("schema", kw, pointer, setter(path, bad), f"{bad} breaks {kw}"))


def _object_mutations(
    value: dict[str, Any],
    shape: Shape,
    path: tuple[str, ...],
    pointer: str,
    out: list[Mutation],
    ch: Chooser,
    depth: int,
) -> None:
    for name in sorted(shape.required & set(value)):

        def remove(root: Any, name: str = name) -> Any:
            holder = get(root, path) if path else root
            del holder[name]
            return root

        out.append(Mutation("schema", "required", pointer, remove, f"required {name!r} missing"))
    if shape.closed:

        def add(root: Any) -> Any:
            holder = get(root, path) if path else root
            holder["unexpected_property"] = "x"
            return root

        out.append(Mutation("schema", "additionalProperties", pointer, add, "extra property"))
    if shape.min_properties > 0 and not shape.required:
        out.append(Mutation("schema", "minProperties", pointer, setter(path, {}), "empty object"))
    for name, sub in value.items():
        if name in shape.properties:
            _walk(sub, shape.properties[name], (*path, name), out, ch, depth + 1)


def _array_mutations(
    value: list[Any],
    shape: Shape,
    path: tuple[str, ...],
    pointer: str,
    out: list[Mutation],
    ch: Chooser,
    depth: int,
) -> None:
    if shape.min_items > 0:
        bad = value[: shape.min_items - 1]
        out.append(Mutation("schema", "minItems", pointer, setter(path, bad), "too few items"))
    if shape.unique_items and value and (shape.max_items is None or len(value) < shape.max_items):
        bad = [*value, value[0]]
        out.append(Mutation("schema", "uniqueItems", pointer, setter(path, bad), "duplicate"))
    if shape.items is not None:
        for i, item in enumerate(value):
            _walk(item, shape.items, (*path, str(i)), out, ch, depth + 1)
