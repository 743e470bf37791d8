"""Shapes: a bundled schema resolved into one tree the generators can walk.

`$ref`s are followed through the catalog registry (nothing outside the bundle),
`allOf` branches are merged, and each node keeps only the constraints that
decide which values are valid. The value walker, the pruner and the negative
planner all read shapes, so "what this schema allows" is worked out once. A
recursive `$ref` (a task's children are tasks) becomes a cycle in the tree;
walkers bound their depth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from referencing._core import Resolver

from conformance.bundle.catalog import derived_cache, load_catalog

#: Keywords that only annotate: they never change which values are valid.
ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "$anchor",
        "$defs",
        "definitions",
        "title",
        "description",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "contentMediaType",
        "contentEncoding",
    }
)
#: Validation keywords the shapes (and so the generators) implement.
UNDERSTOOD = frozenset(
    {
        "$ref",
        "type",
        "enum",
        "const",
        "format",
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "properties",
        "required",
        "additionalProperties",
        "minProperties",
        "maxProperties",
        "items",
        "minItems",
        "maxItems",
        "uniqueItems",
        "allOf",
        "anyOf",
        "oneOf",
    }
)


@dataclass(eq=False)
class Shape:
    """What one schema node allows. Mutable only while it is being built (cycles)."""

    types: frozenset[str] = frozenset()  # empty: any type
    enum: tuple[Any, ...] | None = None
    format: str | None = None
    min_length: int = 0
    max_length: int | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None
    multiple_of: float | None = None
    properties: dict[str, Shape] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    closed: bool = False  # additionalProperties: false
    min_properties: int = 0
    max_properties: int | None = None
    items: Shape | None = None
    min_items: int = 0
    max_items: int | None = None
    unique_items: bool = False
    branches: tuple[Shape, ...] = ()
    branch_keyword: str | None = None  # "anyOf" | "oneOf"
    examples: tuple[Any, ...] = ()
    unknown: frozenset[str] = frozenset()  # validation keywords not implemented here
    where: str = ""  # schema location, for messages

    def allows(self, json_type: str) -> bool:
        if not self.types:
            return True
        return json_type in self.types or (json_type == "integer" and "number" in self.types)

    @property
    def exact(self) -> bool:
        """True when generation from this node alone is valid by construction."""
        return not self.unknown


def json_type(value: Any) -> str:
    """The JSON Schema type name of a Python JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


class _Builder:
    """Turns schema nodes into shapes, memoised by node identity (cycles share a shape)."""

    def __init__(self) -> None:
        self.memo: dict[int, Shape] = {}
        self.shared: set[int] = set()  # ids of shapes the memo hands out

    def build(self, node: Any, resolver: Resolver[Any], where: str) -> Shape:
        if node is True or node == {}:
            return Shape(where=where)
        if node is False:
            return Shape(enum=(), where=where)
        key = id(node)
        if key in self.memo:
            return self.memo[key]
        placeholder = Shape(where=where)
        self.memo[key] = placeholder  # a recursive $ref finds this (filled in below)
        self.shared.add(id(placeholder))
        built = self._build(node, resolver, where)
        if id(built) in self.shared:  # a plain $ref: share its target, even unfinished
            self.memo[key] = built
            return built
        placeholder.__dict__.update(built.__dict__)
        return placeholder

    def _build(self, node: dict[str, Any], resolver: Resolver[Any], where: str) -> Shape:
        own = self._own(node, resolver, where)
        parts = [own]
        if "$ref" in node:
            resolved = resolver.lookup(node["$ref"])
            parts.insert(0, self.build(resolved.contents, resolved.resolver, node["$ref"]))
        for i, branch in enumerate(node.get("allOf", ())):
            parts.append(self.build(branch, resolver, f"{where}/allOf/{i}"))
        shape = parts[0]
        for part in parts[1:]:
            shape = merge(shape, part)
        return shape

    def _own(self, node: dict[str, Any], resolver: Resolver[Any], where: str) -> Shape:
        types = node.get("type")
        shape = Shape(
            types=frozenset([types] if isinstance(types, str) else types or ()),
            format=node.get("format"),
            min_length=node.get("minLength", 0),
            max_length=node.get("maxLength"),
            pattern=node.get("pattern"),
            minimum=node.get("minimum"),
            maximum=node.get("maximum"),
            exclusive_minimum=node.get("exclusiveMinimum"),
            exclusive_maximum=node.get("exclusiveMaximum"),
            multiple_of=node.get("multipleOf"),
            required=frozenset(node.get("required", ())),
            closed=node.get("additionalProperties") is False,
            min_properties=node.get("minProperties", 0),
            max_properties=node.get("maxProperties"),
            min_items=node.get("minItems", 0),
            max_items=node.get("maxItems"),
            unique_items=bool(node.get("uniqueItems", False)),
            examples=tuple(node.get("examples", ())),
            where=where,
        )
        if "enum" in node:
            shape.enum = tuple(node["enum"])
        if "const" in node:
            shape.enum = (node["const"],)
        shape.properties = {
            name: self.build(sub, resolver, f"{where}/properties/{name}")
            for name, sub in node.get("properties", {}).items()
        }
        if isinstance(node.get("items"), (dict, bool)):
            shape.items = self.build(node["items"], resolver, f"{where}/items")
        extra = node.get("additionalProperties")
        unknown = {k for k in node if k not in UNDERSTOOD and k not in ANNOTATIONS}
        if isinstance(extra, dict) and extra:
            unknown.add("additionalProperties")  # a schema for extras: never generated
        for keyword in ("anyOf", "oneOf"):
            if keyword in node:
                if shape.branches:
                    unknown.add(keyword)  # both anyOf and oneOf: not merged
                    continue
                shape.branch_keyword = keyword
                shape.branches = tuple(
                    self.build(b, resolver, f"{where}/{keyword}/{i}")
                    for i, b in enumerate(node[keyword])
                )
        shape.unknown = frozenset(unknown)
        return shape


#: A numeric bound: lengths and counts are ints, minimum and maximum may be floats.
_Bound = TypeVar("_Bound", int, float)


def _lower(a: _Bound | None, b: _Bound | None) -> _Bound | None:
    return b if a is None else a if b is None else max(a, b)


def _upper(a: _Bound | None, b: _Bound | None) -> _Bound | None:
    return b if a is None else a if b is None else min(a, b)


def merge(a: Shape, b: Shape) -> Shape:
    """Both constraints at once (allOf, or $ref with siblings)."""
    if _is_plain(b):
        return a
    if _is_plain(a):
        return b
    unknown = set(a.unknown | b.unknown)
    types = a.types & b.types if a.types and b.types else a.types or b.types
    if a.enum is not None and b.enum is not None:
        enum: tuple[Any, ...] | None = tuple(v for v in a.enum if v in b.enum)
    else:
        enum = a.enum if a.enum is not None else b.enum
    properties = dict(a.properties)
    for name, sub in b.properties.items():
        properties[name] = merge(properties[name], sub) if name in properties else sub
    if a.format and b.format and a.format != b.format:
        unknown.add("format")
    if a.pattern and b.pattern and a.pattern != b.pattern:
        unknown.add("pattern")
    if a.multiple_of and b.multiple_of and a.multiple_of != b.multiple_of:
        unknown.add("multipleOf")
    if a.branches and b.branches:
        unknown.add(a.branch_keyword or "anyOf")
    if (a.closed and set(b.properties) - set(a.properties)) or (
        b.closed and set(a.properties) - set(b.properties)
    ):
        unknown.add("additionalProperties")
    return Shape(
        types=types,
        enum=enum,
        format=a.format or b.format,
        min_length=max(a.min_length, b.min_length),
        max_length=_upper(a.max_length, b.max_length),
        pattern=a.pattern or b.pattern,
        minimum=_lower(a.minimum, b.minimum),
        maximum=_upper(a.maximum, b.maximum),
        exclusive_minimum=_lower(a.exclusive_minimum, b.exclusive_minimum),
        exclusive_maximum=_upper(a.exclusive_maximum, b.exclusive_maximum),
        multiple_of=a.multiple_of or b.multiple_of,
        properties=properties,
        required=a.required | b.required,
        closed=a.closed or b.closed,
        min_properties=max(a.min_properties, b.min_properties),
        max_properties=_upper(a.max_properties, b.max_properties),
        items=_merge_items(a.items, b.items),
        min_items=max(a.min_items, b.min_items),
        max_items=_upper(a.max_items, b.max_items),
        unique_items=a.unique_items or b.unique_items,
        branches=a.branches or b.branches,
        branch_keyword=a.branch_keyword or b.branch_keyword,
        examples=a.examples or b.examples,
        unknown=frozenset(unknown),
        where=a.where,
    )


def _merge_items(a: Shape | None, b: Shape | None) -> Shape | None:
    if a is None or b is None:
        return a or b
    return merge(a, b)


_PLAIN = Shape()


def _is_plain(shape: Shape) -> bool:
    """A shape that constrains nothing (only annotations were there)."""
    return all(
        getattr(shape, f) == getattr(_PLAIN, f)
        for f in Shape.__dataclass_fields__
        if f not in ("where", "examples")
    )


@derived_cache
def shape_for(name: str, root: str | None = None) -> Shape:
    """The shape of a bundled object (`"vendor.Object"`), cached per name."""
    catalog = load_catalog(root)
    resolved_name = catalog.resolve(name)
    uri = catalog.entry(resolved_name).id
    resolved = catalog.registry().resolver(base_uri=uri).lookup(uri)
    return _builder(catalog.key).build(resolved.contents, resolved.resolver, uri)


@derived_cache
def _builder(root: str) -> _Builder:
    return _Builder()


def inexact_keywords(shape: Shape) -> frozenset[str]:
    """Every keyword below `shape` the generators do not implement (walks the cycle once)."""
    seen: set[int] = set()
    found: set[str] = set()
    stack = [shape]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        found |= node.unknown
        stack.extend(node.properties.values())
        stack.extend(node.branches)
        if node.items is not None:
            stack.append(node.items)
    return frozenset(found)
