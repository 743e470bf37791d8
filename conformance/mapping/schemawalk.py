"""Walk the bundled schemas by JSON pointer: types, formats, enums and property lists.

The static checks need "what does the vendor schema say is at /metadata/id",
through `$ref`s to sibling files and `anyOf`/`oneOf` unions; this answers that
from the catalog alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from conformance.bundle.catalog import load_catalog

#: A schema object as loaded from the bundle.
Schema = dict[str, Any]


def _expand(schema: Schema, base: str, root: Schema) -> list[tuple[Schema, str]]:
    """The schema with `$ref`s followed and `anyOf`/`oneOf`/`allOf` branches flattened."""
    if "$ref" in schema:
        ref = schema["$ref"]
        if ref.startswith("#/"):
            target: Any = root
            for token in ref[2:].split("/"):
                target = target[token]
            return _expand(target, base, root)
        uri = urljoin(base, ref)
        doc = load_catalog().schema_by_id(uri)
        return _expand(doc, uri, doc)
    out = [(schema, base)]
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key, ()):
            out.extend(_expand(branch, base, root))
    return out


@dataclass(frozen=True)
class Node:
    """The schemas a pointer may hold (several when a union)."""

    parts: tuple[tuple[Schema, str, Schema], ...]  # (schema, base uri, root document)

    @property
    def types(self) -> frozenset[str]:
        found: set[str] = set()
        for schema, _, _ in self.parts:
            declared = schema.get("type")
            if isinstance(declared, str):
                found.add(declared)
            elif isinstance(declared, list):
                found.update(declared)
            elif "enum" in schema:
                found.update(_json_type(v) for v in schema["enum"])
        return frozenset(found - {"null"})

    @property
    def formats(self) -> frozenset[str]:
        return frozenset(s["format"] for s, _, _ in self.parts if "format" in s)

    @property
    def enum(self) -> tuple[Any, ...]:
        return tuple(v for s, _, _ in self.parts for v in s.get("enum", ()) if v is not None)

    def child(self, token: str) -> Node | None:
        found: list[tuple[Schema, str, Schema]] = []
        for schema, base, root in self.parts:
            sub = schema.get("items") if token == "*" else schema.get("properties", {}).get(token)
            if isinstance(sub, dict):
                found.extend(
                    (s, b, root if b == base else _doc(b)) for s, b in _expand(sub, base, root)
                )
        return Node(tuple(found)) if found else None

    def properties(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p for s, _, _ in self.parts for p in s.get("properties", {})))


def _doc(uri: str) -> dict[str, Any]:
    return load_catalog().schema_by_id(uri)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return {str: "string", float: "number", dict: "object", list: "array"}.get(type(value), "null")


def root_node(name: str) -> Node:
    catalog = load_catalog()
    doc = catalog.schema_by_id(catalog.entry(name).id)
    return Node(tuple((s, b, doc) for s, b in _expand(doc, doc["$id"], doc)))


def node_at(name: str, pointer: str) -> Node | None:
    """The schema(s) at a pointer of a bundled object (`*` for array items), or None."""
    node: Node | None = root_node(name)
    for token in pointer.split("/")[1:]:
        node = node.child(token) if node else None
    return node


def all_pointers(name: str, max_depth: int = 4) -> tuple[str, ...]:
    """Every property pointer of an object, nested objects and array items (`*`) included."""
    out: list[str] = []

    def walk(node: Node, prefix: str, depth: int) -> None:
        for prop in node.properties():
            pointer = f"{prefix}/{prop}"
            out.append(pointer)
            child = node.child(prop)
            if child is None or depth >= max_depth:
                continue
            walk(child, pointer, depth + 1)
            items = child.child("*") if "array" in child.types else None
            if items is not None:
                walk(items, pointer + "/*", depth + 1)

    walk(root_node(name), "", 0)
    return tuple(out)
