"""Plain data from composed YAML nodes: the tags runconform accepts and JSON's shape.

Composing (`_yamlsafe`) bounds what a document may cost; this module decides what its
nodes may become. A SafeConstructor that turns ``!!python/...`` tags into a refusal (the
few plain-data ones vcrpy writes excepted), keeps timestamps as text (JSON has none), and
refuses an integer past Python's int-from-text limit instead of crashing; then a copy in
JSON's terms (string keys, finite numbers, no ``!!binary``), because every consumer
validates JSON.
"""

from __future__ import annotations

import math
import sys
from typing import Any, NoReturn

from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import Node, ScalarNode
from yaml.resolver import Resolver

from ._common import Refused

YAML_TAG = "tag:yaml.org,2002:"
_DROPPED = {YAML_TAG + "timestamp", YAML_TAG + "value"}


class PlainResolver(Resolver):
    """YAML 1.1 implicit types minus timestamps (JSON has none: keep them strings)."""


PlainResolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED]
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()
}


def _at(node: Node) -> dict[str, int]:
    return {"line": node.start_mark.line + 1, "column": node.start_mark.column + 1}


def _refuse_python(loader: SafeConstructor, suffix: str, node: Node) -> NoReturn:
    raise Refused(
        "unsafe-yaml",
        f"refused unsafe YAML tag '!!python/{suffix}' (only plain data is loaded)",
        **_at(node),
    )


def _refuse_unknown(loader: SafeConstructor, node: Node) -> NoReturn:
    raise Refused("malformed-yaml", f"unsupported YAML tag '{node.tag}'", **_at(node))


class _Constructor(SafeConstructor):
    """SafeConstructor that never builds Python objects and keeps timestamps as text."""

    def construct_yaml_int(self, node: ScalarNode) -> int:
        """An integer, refused (not a reader crash) beyond Python's int-from-text limit."""
        try:
            return int(super().construct_yaml_int(node))
        except ValueError:
            raise Refused(
                "malformed-yaml",
                f"invalid YAML: integer with more than {_int_digits_limit():,} digits",
                **_at(node),
            ) from None


def _int_digits_limit() -> int:
    return getattr(sys, "get_int_max_str_digits", lambda: 4300)()


_CONSTRUCTORS: dict[str | None, Any] = {
    YAML_TAG + "timestamp": SafeConstructor.construct_yaml_str,
    YAML_TAG + "int": _Constructor.construct_yaml_int,
    # Plain-data tags that vcrpy's own cassette loader accepts.
    YAML_TAG + "python/str": SafeConstructor.construct_yaml_str,
    YAML_TAG + "python/unicode": SafeConstructor.construct_yaml_str,
    YAML_TAG + "python/tuple": SafeConstructor.construct_yaml_seq,
    None: _refuse_unknown,
}
for _tag, _constructor in _CONSTRUCTORS.items():
    _Constructor.add_constructor(_tag, _constructor)
_Constructor.add_multi_constructor(YAML_TAG + "python/", _refuse_python)


def construct(node: Node) -> object:
    """Plain Python data for ``node``: dict, list, str, int, float, bool, None or bytes."""
    try:
        return _Constructor().construct_document(node)
    except ConstructorError as error:
        mark = error.problem_mark or node.start_mark
        problem = error.problem or "cannot construct value"
        raise Refused(
            "malformed-yaml", f"invalid YAML: {problem}", line=mark.line + 1, column=mark.column + 1
        ) from None


def to_json(value: object, node: Node) -> object:
    """A JSON-compatible copy of constructed YAML data (keys become strings, as JSON's)."""
    root: list[object] = [None]
    # (item, parent, slot): parent is a dict (slot a key) or a list (slot an index); mypy
    # cannot pair them, hence the two `index` ignores below.
    work: list[tuple[object, object, object]] = [(value, root, 0)]
    while work:
        item, parent, slot = work.pop()
        if isinstance(item, dict):
            copy: object = {}
            for key, child in item.items():
                name = _json_key(key, node)
                copy[name] = None  # type: ignore[index]
                work.append((child, copy, name))
        elif isinstance(item, (list, tuple)):
            copy = [None] * len(item)
            work.extend((child, copy, index) for index, child in enumerate(item))
        elif item is None or isinstance(item, (str, int)) or _finite(item):
            copy = item
        else:
            raise Refused(
                "not-json-value", f"{_describe(item)} has no JSON equivalent", **_at(node)
            )
        parent[slot] = copy  # type: ignore[index]
    return root[0]


def _finite(value: object) -> bool:
    return isinstance(value, float) and math.isfinite(value)


def _json_key(key: object, node: Node) -> str:
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):
        return "null" if key is None else str(key).lower() if isinstance(key, bool) else str(key)
    raise Refused("not-json-value", f"mapping key {_describe(key)} is not a string", **_at(node))


def _describe(value: object) -> str:
    if isinstance(value, bytes):
        return "binary data (!!binary)"
    if isinstance(value, float):
        return f"the number {value!r}"
    return f"a YAML {type(value).__name__}"
