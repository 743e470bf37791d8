"""Drift: properties a record carries that its schema does not document.

Vendors add fields before they document them. To find those fields fast, the
bundle is turned into a "strict" twin where every object schema that lists its
properties also says `unevaluatedProperties: false`; a record valid against the
strict twin has no undocumented field, which jsonschema-rs answers in one call.
Schemas that are `allOf` branches are referenced through a lenient copy, because
`unevaluatedProperties` cannot see properties evaluated by sibling branches.
"""

from __future__ import annotations

import re
from typing import Any

LENIENT_SUFFIX = "?lenient"
_OPEN_KEYWORDS = ("additionalProperties", "patternProperties", "unevaluatedProperties")
_UNEXPECTED = re.compile(r"\((.*) (?:was|were) unexpected\)")


def _closes_object(node: dict[str, Any]) -> bool:
    if any(k in node for k in _OPEN_KEYWORDS):
        return False
    if "properties" in node:
        return True
    return any(
        isinstance(b, dict) and ("properties" in b or "$ref" in b)
        for key in ("allOf", "anyOf", "oneOf")
        for b in node.get(key, ())
    )


def strict_schema(schema: Any, *, close_root: bool = True) -> Any:
    """A copy of `schema` that rejects undocumented properties (see module docstring)."""
    return _strict(schema, close=close_root)


def _strict(node: Any, *, close: bool) -> Any:
    if isinstance(node, list):
        return [_strict(item, close=True) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("properties", "patternProperties", "$defs", "dependentSchemas"):
            out[key] = {name: _strict(sub, close=True) for name, sub in value.items()}
        elif key == "allOf":
            out[key] = [_lenient_branch(branch) for branch in value]
        elif key in ("anyOf", "oneOf"):
            out[key] = [_strict(branch, close=False) for branch in value]
        elif key in ("enum", "const", "examples", "default", "required"):
            out[key] = value
        else:
            out[key] = _strict(value, close=True)
    if close and _closes_object(node):
        out["unevaluatedProperties"] = False
    return out


def _lenient_branch(branch: Any) -> Any:
    if isinstance(branch, dict) and isinstance(branch.get("$ref"), str):
        ref = branch["$ref"]
        path, _, fragment = ref.partition("#")
        lenient = path + LENIENT_SUFFIX + (f"#{fragment}" if fragment else "")
        return {**branch, "$ref": lenient}
    return _strict(branch, close=False)


def unexpected_names(message: str) -> list[str]:
    """Property names from a jsonschema `unevaluatedProperties` message."""
    match = _UNEXPECTED.search(message)
    if not match:
        return []
    return [part.strip().strip("'\"") for part in match.group(1).split(", ")]
