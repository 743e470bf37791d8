"""What changed between two JSON Schemas (2020-12, as `sources` converts them).

A structural walk of OLD and NEW side by side. A `$ref` to the same-named component on
both sides is not followed (the component is compared once, at its own name, by the
caller); a `$ref` to differently named components, or a `$ref` on one side only, is
followed within its own document, pairs already on the way are not walked again (cycles).
Each change is a kind of the rule table (`rules`) at a path such as
`V1TaskSummary.properties.payloadsRestricted`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.bundle.openapi import COMPONENT_PREFIX

_MAX_DEPTH = 64
_COMPOSITIONS = ("allOf", "anyOf", "oneOf")


@dataclass(frozen=True)
class SchemaChange:
    kind: str  # a change kind of `rules`
    path: str
    old: str  # what OLD says, for people ("" when it says nothing)
    new: str


def ref_name(node: Any) -> str | None:
    """The component a `{"$ref": "#/components/schemas/X"}` names, else None."""
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref.startswith(COMPONENT_PREFIX) and "/" not in ref[len(COMPONENT_PREFIX) :]:
            return str(ref[len(COMPONENT_PREFIX) :].replace("~1", "/").replace("~0", "~"))
    return None


def references(node: Any) -> set[str]:
    """The components `node` names directly (anywhere below it)."""
    found: set[str] = set()
    work = [node]
    while work:
        item = work.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith(COMPONENT_PREFIX):
                name = ref[len(COMPONENT_PREFIX) :].split("/", 1)[0]
                found.add(name.replace("~1", "/").replace("~0", "~"))
            work.extend(item.values())
        elif isinstance(item, list):
            work.extend(item)
    return found


def closure(schemas: dict[str, Any], roots: set[str]) -> set[str]:
    """`roots` and every component they reach by `$ref` (names that exist)."""
    seen: set[str] = set()
    pending = [r for r in roots if r in schemas]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        pending.extend(r for r in references(schemas[name]) if r in schemas and r not in seen)
    return seen


def _shown(value: Any) -> str:
    if isinstance(value, (set, frozenset, list, tuple)):
        return ", ".join(sorted(str(v) for v in value))
    return "" if value is None else str(value)


def _types(node: dict[str, Any]) -> set[str] | None:
    """The JSON types a node allows (None: any), `null` left out."""
    declared = node.get("type")
    if declared is None:
        return None
    types = set(declared) if isinstance(declared, list) else {declared}
    return {str(t) for t in types if t != "null"}


def _accepts(types: set[str] | None, other: set[str] | None) -> bool:
    """Whether every type of `other` is allowed by `types` (number allows integer)."""
    if types is None:
        return True
    if other is None:
        return False
    return all(t in types or (t == "integer" and "number" in types) for t in other)


def _nullable(node: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The node without its null alternative, and whether it had one: `type` lists,
    `enum` with null, and `anyOf`/`oneOf` of one schema and `{"type": "null"}`."""
    for key in ("anyOf", "oneOf"):
        branches = node.get(key)
        if isinstance(branches, list) and len(branches) == 2 and {"type": "null"} in branches:
            rest = dict(node)
            rest.pop(key)
            other = branches[1 - branches.index({"type": "null"})]
            return ({**other, **rest} if isinstance(other, dict) else rest), True
    declared = node.get("type")
    if isinstance(declared, list) and "null" in declared:
        return node, True
    enum = node.get("enum")
    return node, declared is None and isinstance(enum, list) and None in enum


class SchemaWalk:
    """Compares schemas of OLD (`old`) and NEW (`new`), component maps of each side."""

    def __init__(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.old = old
        self.new = new

    def compare(self, old: Any, new: Any, path: str) -> list[SchemaChange]:
        found: list[SchemaChange] = []
        self._walk(old, new, path, found, frozenset(), 0)
        return found

    @staticmethod
    def _resolve(node: Any, side: dict[str, Any]) -> Any:
        """The component a `$ref` names (a chain followed), the `$ref`'s siblings kept
        where the component says nothing of them; anything else as it is."""
        for _ in range(_MAX_DEPTH):
            name = ref_name(node)
            if name is None or name not in side or not isinstance(node, dict):
                return node
            target = side[name]
            if not isinstance(target, dict):
                return target
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            node = {**siblings, **target}
        return node

    def _walk(
        self,
        old: Any,
        new: Any,
        path: str,
        found: list[SchemaChange],
        seen: frozenset[tuple[str | None, str | None]],
        depth: int,
    ) -> None:
        if depth > _MAX_DEPTH or old == new or not isinstance(old, dict):
            return
        if not isinstance(new, dict):
            return
        old, old_null = _nullable(old)
        new, new_null = _nullable(new)
        old_ref, new_ref = ref_name(old), ref_name(new)
        if old_ref is not None and old_ref == new_ref:
            self._null(old_null, new_null, path, found)
            return  # the same component: compared once, at its own name
        if old_ref is not None or new_ref is not None:
            pair = (old_ref, new_ref)
            if pair in seen:
                return
            seen = seen | {pair}
            old, new = self._resolve(old, self.old), self._resolve(new, self.new)
            if not isinstance(old, dict) or not isinstance(new, dict):
                return
            if ref_name(old) is not None or ref_name(new) is not None:
                return  # a reference to nothing either side holds: nothing to compare
            old, also_old = _nullable(old)
            new, also_new = _nullable(new)
            old_null, new_null = old_null or also_old, new_null or also_new
        self._null(old_null, new_null, path, found)
        self._scalars(old, new, path, found)
        self._properties(old, new, path, found, seen, depth)
        for key in ("items", "additionalProperties", "not"):
            if isinstance(old.get(key), dict) and isinstance(new.get(key), dict):
                self._walk(old[key], new[key], f"{path}.{key}", found, seen, depth + 1)
        for key in _COMPOSITIONS:
            a, b = old.get(key), new.get(key)
            if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
                for i, (x, y) in enumerate(zip(a, b, strict=True)):
                    self._walk(x, y, f"{path}.{key}[{i}]", found, seen, depth + 1)
            elif isinstance(a, list) or isinstance(b, list):
                size = f"{len(a) if isinstance(a, list) else 0}"
                after = f"{len(b) if isinstance(b, list) else 0}"
                found.append(SchemaChange("composition-changed", f"{path}.{key}", size, after))

    @staticmethod
    def _null(old: bool, new: bool, path: str, found: list[SchemaChange]) -> None:
        if old != new:
            found.append(
                SchemaChange("nullable-added" if new else "nullable-removed", path, "", "")
            )

    def _scalars(
        self, old: dict[str, Any], new: dict[str, Any], path: str, found: list[SchemaChange]
    ) -> None:
        a, b = _types(old), _types(new)
        if a != b:
            wider, narrower = _accepts(b, a), _accepts(a, b)
            kind = "type-widened" if wider else "type-narrowed" if narrower else "type-changed"
            found.append(SchemaChange(kind, path, _shown(a) or "any", _shown(b) or "any"))
        old_enum, new_enum = old.get("enum"), new.get("enum")
        if isinstance(old_enum, list) and isinstance(new_enum, list):
            added = [v for v in new_enum if v is not None and v not in old_enum]
            removed = [v for v in old_enum if v is not None and v not in new_enum]
            for value in added:
                found.append(SchemaChange("enum-value-added", path, "", _shown(value)))
            for value in removed:
                found.append(SchemaChange("enum-value-removed", path, _shown(value), ""))
        elif isinstance(new_enum, list):
            found.append(SchemaChange("enum-introduced", path, "", _shown(new_enum)))
        elif isinstance(old_enum, list):
            found.append(SchemaChange("enum-dropped", path, _shown(old_enum), ""))
        a_format, b_format = old.get("format"), new.get("format")
        if a_format != b_format:
            kind = (
                "format-added"
                if a_format is None
                else "format-removed"
                if b_format is None
                else "format-changed"
            )
            found.append(SchemaChange(kind, path, _shown(a_format), _shown(b_format)))

    def _properties(
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        path: str,
        found: list[SchemaChange],
        seen: frozenset[tuple[str | None, str | None]],
        depth: int,
    ) -> None:
        a = old.get("properties") if isinstance(old.get("properties"), dict) else {}
        b = new.get("properties") if isinstance(new.get("properties"), dict) else {}
        a_required = (
            set(old.get("required") or []) if isinstance(old.get("required"), list) else set()
        )
        b_required = (
            set(new.get("required") or []) if isinstance(new.get("required"), list) else set()
        )
        assert isinstance(a, dict) and isinstance(b, dict)
        for name in b:
            if name not in a:
                kind = (
                    "property-added-required" if name in b_required else "property-added-optional"
                )
                found.append(SchemaChange(kind, f"{path}.properties.{name}", "", ""))
        for name in a:
            at = f"{path}.properties.{name}"
            if name not in b:
                found.append(SchemaChange("property-removed", at, "", ""))
                continue
            if name in b_required and name not in a_required:
                found.append(SchemaChange("required-added", at, "optional", "required"))
            elif name in a_required and name not in b_required:
                found.append(SchemaChange("required-removed", at, "required", "optional"))
            self._walk(a[name], b[name], at, found, seen, depth + 1)
        for name in sorted(b_required - a_required - set(b)):
            if name in a:
                continue
            found.append(SchemaChange("required-added", f"{path}.properties.{name}", "", ""))
        for name in sorted(a_required - b_required - set(a)):
            found.append(SchemaChange("required-removed", f"{path}.properties.{name}", "", ""))
