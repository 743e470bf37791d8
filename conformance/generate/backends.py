"""Foreign generators: hypothesis-jsonschema and Schemathesis, behind one switch.

Both are reached through their public routes and see the same bundled schema
(references inlined, or turned into OpenAPI components). Neither knows the
run invariants, so whatever they draw is post-processed by the caller: pruned
of undocumented properties (they add some: drift), sanitised by the run
profile, then filtered by the fast validator (anything still invalid is
rejected, never repaired). Where a route cannot work, `UsageError` says why.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import urldefrag, urljoin

from conformance.bundle.catalog import derived_cache, load_catalog
from conformance.errors import UsageError

BACKENDS: tuple[str, ...] = ("default", "hypothesis-jsonschema", "schemathesis")
#: JSON Schema 2019-09/2020-12 keywords hypothesis-jsonschema does not implement.
NEWER_KEYWORDS = frozenset(
    {
        "prefixItems",
        "unevaluatedProperties",
        "unevaluatedItems",
        "dependentRequired",
        "dependentSchemas",
        "minContains",
        "maxContains",
        "$dynamicRef",
        "$dynamicAnchor",
        "$recursiveRef",
    }
)
_OPERATION = "/fixtures"


def check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise UsageError(f"unknown backend {backend!r}; choose one of: {', '.join(BACKENDS)}")


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def hypothesis_jsonschema_problem() -> str | None:
    """Why hypothesis-jsonschema cannot run in this environment, or None if it can."""
    hj = _version("hypothesis-jsonschema")
    if hj == "not installed":
        return "backend 'hypothesis-jsonschema' needs the hypothesis-jsonschema package"
    from hypothesis.internal.conjecture import utils as cu

    return incompatibility(hj, _version("hypothesis"), hasattr(getattr(cu, "many", None), "more"))


def incompatibility(hj: str, hypothesis: str, has_many_more: bool) -> str | None:
    """The refusal for hypothesis-jsonschema `hj` beside Hypothesis `hypothesis`, if any.

    pyproject.toml keeps the default install below Hypothesis 6.170.10; an install
    that overrides it gets this message instead of an AttributeError mid-draw.
    """
    if has_many_more:
        return None
    return (
        f"backend 'hypothesis-jsonschema' cannot run with Hypothesis {hypothesis}: "
        f"hypothesis-jsonschema {hj} calls the private `many.more()` that Hypothesis "
        "removed in 6.170.10 (\"'many' object has no attribute 'more'\" on every object "
        "schema); use backend='default' or 'schemathesis', or install hypothesis<6.170.10"
    )


# -- one schema, references resolved inside the bundle -------------------------------------


def _component_names() -> dict[str, str]:
    """Bundle `$id` -> a component name (`vendor_Object`)."""
    catalog = load_catalog()
    return {
        catalog.entry(n).id: n.replace(".", "_") for n in catalog.names(include_dependencies=True)
    }


def _target(base: str, ref: str) -> tuple[str, str]:
    uri, fragment = urldefrag(urljoin(base, ref))
    return uri, fragment


def _lookup(uri: str, fragment: str) -> Any:
    node: Any = load_catalog().schema_by_id(uri)
    for token in fragment.split("/")[1:]:
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


@derived_cache
def inline_schema(name: str) -> dict[str, Any]:
    """`name`'s schema with every `$ref` inlined; a recursive one ends in an empty array."""
    catalog = load_catalog()
    uri = catalog.entry(catalog.resolve(name)).id
    schema: dict[str, Any] = _inline(catalog.schema(name), uri, (f"{uri}#",))
    found = sorted(_keywords(schema) & NEWER_KEYWORDS)
    if found:
        raise UsageError(
            f"backend 'hypothesis-jsonschema' ignores JSON Schema 2020-12 keyword(s) "
            f"{', '.join(found)} used by {name}; use backend='default'"
        )
    return schema


_DROP = ("$schema", "$id", "$defs", "definitions", "examples")


def _inline(node: Any, base: str, stack: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_inline(v, base, stack) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP:
            continue
        if key == "$ref":
            uri, fragment = _target(base, value)
            where = f"{uri}#{fragment}"
            if where in stack:
                return False  # recursion: this branch cannot be taken again
            out.update(_inline(_lookup(uri, fragment), uri, (*stack, where)))
        elif key == "items" and value is not None:
            items = _inline(value, base, stack)
            out[key] = items
            if items is False:
                out["maxItems"] = 0
        else:
            out[key] = _inline(value, base, stack)
    return out


def _keywords(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*(_keywords(v) for v in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = set(node)
    for key, value in node.items():
        if key not in ("enum", "const", "examples", "default"):
            found |= _keywords(value)
    return found


# -- an OpenAPI 3.1 document whose request body is the object -------------------------------


@derived_cache
def openapi_document(name: str) -> dict[str, Any]:
    """An OpenAPI 3.1 document: POST /fixtures takes a `name` body; the bundle as components."""
    catalog = load_catalog()
    resolved = catalog.resolve(name)
    names = _component_names()
    components: dict[str, Any] = {}
    todo = [(catalog.entry(resolved).id, "")]
    while todo:
        uri, fragment = todo.pop()
        key = _component(names, uri, fragment)
        if key in components:
            continue
        components[key] = _rewrite(_lookup(uri, fragment), uri, names, todo)
    body = {"$ref": f"#/components/schemas/{_component(names, catalog.entry(resolved).id, '')}"}
    return {
        "openapi": "3.1.0",
        "info": {"title": f"runconform fixtures for {resolved}", "version": "1"},
        "paths": {
            _OPERATION: {
                "post": {
                    "operationId": "fixture",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": body}},
                    },
                    "responses": {"204": {"description": "accepted"}},
                }
            }
        },
        "components": {"schemas": components},
    }


def _component(names: dict[str, str], uri: str, fragment: str) -> str:
    tail = fragment.replace("/$defs/", "__").replace("/", "_")
    return names[uri] + tail


def _rewrite(node: Any, base: str, names: dict[str, str], todo: list[tuple[str, str]]) -> Any:
    if isinstance(node, list):
        return [_rewrite(v, base, names, todo) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP:
            continue
        if key == "$ref":
            uri, fragment = _target(base, value)
            todo.append((uri, fragment))
            out[key] = f"#/components/schemas/{_component(names, uri, fragment)}"
        else:
            out[key] = _rewrite(value, base, names, todo)
    return out


# -- the raw strategies --------------------------------------------------------------------


def raw_strategy(name: str, backend: str) -> Any:
    """The backend's own strategy for `name` objects (schema-valid by its reading, not sane)."""
    from hypothesis import strategies as st

    check_backend(backend)
    if backend == "hypothesis-jsonschema":
        problem = hypothesis_jsonschema_problem()
        if problem is not None:
            raise UsageError(problem)
        from hypothesis_jsonschema import from_schema

        uuids = st.uuids().map(str)
        return from_schema(inline_schema(name), custom_formats={"uuid": uuids})
    if backend == "schemathesis":
        return _schemathesis(name).map(lambda case: case.body)
    raise UsageError(f"backend {backend!r} has no raw strategy")


@derived_cache
def _schemathesis(name: str) -> Any:
    import schemathesis
    from schemathesis.config import SchemathesisConfig

    # An explicit, default config: a schemathesis.toml in the working folder must not apply.
    schema = schemathesis.openapi.from_dict(openapi_document(name), config=SchemathesisConfig())
    return schema[_OPERATION]["POST"].as_strategy()
