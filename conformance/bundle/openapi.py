"""OpenAPI 3.0 / 3.1 schema objects to standalone JSON Schema 2020-12 resources.

The conversion is mechanical: it changes spelling, never meaning. Where the
vendor's text means something other than what it seems to intend (a 3.0
keyword in a 3.1 document, `nullable` without `type`), the converted schema
keeps the literal meaning and an erratum corrects it, so the published variant
stays faithful to the vendor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from conformance.errors import BundleError

COMPONENT_PREFIX = "#/components/schemas/"
#: Keywords of the OpenAPI Schema Object that are not JSON Schema and carry no validation.
OPENAPI_ONLY = ("xml", "externalDocs", "discriminator")
#: Features that exist only in OpenAPI 3.2; a 3.2.0 document using none is read as 3.1.
OPENAPI_32_ONLY_KEYS = ("additionalOperations", "$self", "itemSchema", "query")


@dataclass(frozen=True)
class ConversionNote:
    """Something the conversion changed or noticed, kept in the bundle's provenance."""

    pointer: str
    note: str


def escape_pointer(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def component_name(ref: str) -> str | None:
    """`#/components/schemas/X[/...]` -> `X`; anything else -> None."""
    if not ref.startswith(COMPONENT_PREFIX):
        return None
    return ref[len(COMPONENT_PREFIX) :].split("/", 1)[0]


def is_remote(ref: str) -> bool:
    return not ref.startswith("#")


def iter_refs(node: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Every `$ref` value below `node`, with the JSON pointer of the object holding it."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield pointer, ref
        for key, value in node.items():
            yield from iter_refs(value, f"{pointer}/{escape_pointer(str(key))}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from iter_refs(value, f"{pointer}/{i}")


def component_closure(components: dict[str, Any], roots: list[str], *, file: str) -> list[str]:
    """`roots` plus every component schema they reference, transitively, in a stable order."""
    order: list[str] = []
    pending = list(roots)
    while pending:
        name = pending.pop(0)
        if name in order:
            continue
        if name not in components:
            raise BundleError(
                f"component schema {name!r} is referenced but not defined",
                file=file,
                pointer=f"/components/schemas/{escape_pointer(name)}",
            )
        order.append(name)
        base = f"/components/schemas/{escape_pointer(name)}"
        for pointer, ref in iter_refs(components[name], base):
            if is_remote(ref):
                raise BundleError(
                    f"remote $ref {ref!r}: runconform never retrieves remote references; "
                    "copy the referenced schema into contracts/ and reference it locally",
                    file=file,
                    pointer=pointer,
                )
            target = component_name(ref)
            if target is None:
                raise BundleError(
                    f"$ref {ref!r} does not point into #/components/schemas",
                    file=file,
                    pointer=pointer,
                )
            pending.append(target)
    return order


def check_openapi_32_features(document: dict[str, Any], *, file: str) -> None:
    """Refuse to read a 3.2 document as 3.1 if it uses anything 3.2 added."""
    for pointer, node in _walk(document, ""):
        if not isinstance(node, dict):
            continue
        for key in OPENAPI_32_ONLY_KEYS:
            if key in node and (key != "query" or pointer.count("/") == 2):
                raise BundleError(
                    f"OpenAPI 3.2 feature {key!r} found: this document cannot be read as 3.1",
                    file=file,
                    pointer=f"{pointer}/{key}",
                )
        if node.get("in") == "querystring":
            raise BundleError(
                "OpenAPI 3.2 parameter location 'querystring' found", file=file, pointer=pointer
            )


def _walk(node: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    yield pointer, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{pointer}/{escape_pointer(str(key))}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{pointer}/{i}")


def convert_schema(
    node: Any,
    *,
    dialect: str,
    rewrite_ref: Callable[[str, str], str],
    pointer: str,
    notes: list[ConversionNote],
) -> Any:
    """Convert one Schema Object (recursively) from `dialect` ("3.0", "3.1", "2020-12")."""
    if isinstance(node, list):
        return [
            convert_schema(
                v, dialect=dialect, rewrite_ref=rewrite_ref, pointer=f"{pointer}/{i}", notes=notes
            )
            for i, v in enumerate(node)
        ]
    if not isinstance(node, dict):
        return node
    if dialect == "3.0" and "$ref" in node and len(node) > 1:
        dropped = sorted(k for k in node if k != "$ref")
        notes.append(ConversionNote(pointer, f"OpenAPI 3.0 ignores siblings of $ref: {dropped}"))
        node = {"$ref": node["$ref"]}
    out: dict[str, Any] = {}
    for key, value in node.items():
        _convert_keyword(
            out,
            node,
            key,
            value,
            dialect=dialect,
            rewrite_ref=rewrite_ref,
            pointer=pointer,
            notes=notes,
        )
    if dialect == "3.0" and node.get("nullable") is True:
        _apply_nullable(out, pointer, notes)
    return out


def _convert_keyword(
    out: dict[str, Any],
    node: dict[str, Any],
    key: Any,
    value: Any,
    *,
    dialect: str,
    rewrite_ref: Callable[[str, str], str],
    pointer: str,
    notes: list[ConversionNote],
) -> None:
    """Write `node[key]`, converted, into `out`, or leave it out (with a note where it matters)."""
    child = f"{pointer}/{escape_pointer(str(key))}"
    if isinstance(key, str) and key.startswith("x-"):
        return
    if key in OPENAPI_ONLY:
        notes.append(ConversionNote(child, f"OpenAPI-only keyword {key!r} dropped"))
        return
    if key == "$ref" and isinstance(value, str):
        out[key] = rewrite_ref(value, pointer)
    elif key == "example" and dialect != "2020-12":
        out.setdefault("examples", [value])
    elif key == "nullable" and dialect == "3.0":
        return  # handled by the caller, once `type` is known
    elif key in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(value, bool):
        bound = "minimum" if key == "exclusiveMinimum" else "maximum"
        if value and bound in node:
            out[key] = node[bound]
            notes.append(ConversionNote(child, f"3.0 boolean {key} -> number"))
    elif (
        key in ("minimum", "maximum")
        and node.get("exclusiveMinimum" if key == "minimum" else "exclusiveMaximum") is True
    ):
        return
    elif key in ("properties", "patternProperties", "$defs", "dependentSchemas"):
        out[key] = {
            name: convert_schema(
                sub,
                dialect=dialect,
                rewrite_ref=rewrite_ref,
                pointer=f"{child}/{escape_pointer(str(name))}",
                notes=notes,
            )
            for name, sub in value.items()
        }
    elif key in ("enum", "const", "examples", "default", "required"):
        out[key] = value
    else:
        out[key] = convert_schema(
            value, dialect=dialect, rewrite_ref=rewrite_ref, pointer=child, notes=notes
        )


def _apply_nullable(out: dict[str, Any], pointer: str, notes: list[ConversionNote]) -> None:
    """OpenAPI 3.0 `nullable: true` means "also null", but only next to `type`."""
    if "type" not in out:
        notes.append(
            ConversionNote(
                pointer,
                "3.0 `nullable: true` without `type` has no effect (OpenAPI 3.0.3); dropped",
            )
        )
        return
    types = out["type"] if isinstance(out["type"], list) else [out["type"]]
    if "null" not in types:
        out["type"] = [*types, "null"]
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    notes.append(ConversionNote(pointer, '3.0 `nullable: true` -> type includes "null"'))
