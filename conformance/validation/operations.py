"""The operation table: every operation of the vendors' OpenAPI contracts and its responses.

For each operation: method, path template, servers, and per declared status the
content types and the bundled schema of the JSON body (or where the unbundled schema
is). `routing` matches recorded exchanges against this table; the contract run and the
simulators read it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from conformance.bundle.catalog import Catalog, load_catalog
from conformance.bundle.document_loader import load_document
from conformance.bundle.openapi import COMPONENT_PREFIX, escape_pointer
from conformance.bundle.operation_errata import corrected_sources
from conformance.bundle.vendor_contracts import load_all

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class ResponseSpec:
    """What one declared response (status key) of an operation carries.

    `schema` is the bundled `"vendor.Object"` of the JSON body; when it is None,
    `unbundled_ref` is None if the contract declares no body schema, else
    `"file#pointer"` of the schema the bundle does not hold (inline, or a component
    that is not extracted).
    """

    status: str
    content_types: tuple[str, ...]
    schema: str | None
    unbundled_ref: str | None


@dataclass(frozen=True)
class Operation:
    """One operation of a vendor contract.

    `responses` maps the declared status keys ("200", "4XX", "default") to their
    spec; it is a read-only `MappingProxyType` (and left out of the hash), so the
    operation stays immutable and can still be looked up by key.
    """

    vendor: str
    operation_id: str
    method: str
    path_template: str
    source: str
    responses: Mapping[str, ResponseSpec] = field(hash=False)
    servers: tuple[str, ...] = ()

    @property
    def declared_statuses(self) -> tuple[str, ...]:
        """Status keys in reading order: codes ascending, then ranges, then `default`."""
        return tuple(sorted(self.responses, key=_status_order))

    def __str__(self) -> str:
        return f"{self.method} {self.path_template}"


def _status_order(key: str) -> tuple[int, str]:
    if key.isdigit():
        return (0, key.zfill(3))
    return (2, key) if key == "default" else (1, key)


class _Loader:
    """Reads one vendor's OpenAPI sources and decides which response schemas are bundled."""

    def __init__(self, root: Path, catalog: Catalog) -> None:
        self.root = root
        self.catalog = catalog
        self.bundled = set(catalog.names(include_dependencies=True))
        self.documents: dict[str, Any] = {}

    def document(self, relpath: str) -> Any:
        if relpath not in self.documents:
            self.documents[relpath] = load_document(self.root / relpath, display=relpath)
        return self.documents[relpath]

    def bundled_name(self, vendor: str, source: str, ref: str) -> str | None:
        """`#/components/schemas/X` of `source` -> `"vendor.X"` if the bundle holds that text."""
        if not ref.startswith(COMPONENT_PREFIX) or "/" in ref[len(COMPONENT_PREFIX) :]:
            return None
        component = ref[len(COMPONENT_PREFIX) :]
        name = f"{vendor}.{component}"
        if name not in self.bundled:
            return None
        origin = self.catalog.entry(name).source
        if origin.get("file") == source:
            return name
        # Another document of the vendor was extracted: same name is not enough, same text is.
        here = _components(self.document(source)).get(component)
        there = _pointer(self.document(origin["file"]), origin.get("pointer", ""))
        return name if here is not None and here == there else None

    def response(self, vendor: str, source: str, status: str, raw: Any, at: str) -> ResponseSpec:
        document = self.document(source)
        if isinstance(raw, dict) and isinstance(raw.get("$ref"), str):
            at = raw["$ref"][1:]
            raw = _pointer(document, at)
        content = (raw or {}).get("content") or {}
        types = tuple(content)
        chosen = next((t for t in types if is_json(t)), types[0] if types else None)
        schema = unbundled = None
        if chosen is not None and isinstance(content[chosen], dict):
            body = content[chosen].get("schema")
            if body is not None:
                ref = body.get("$ref") if isinstance(body, dict) else None
                schema = self.bundled_name(vendor, source, ref) if ref else None
                if schema is None:
                    where = ref[1:] if ref else f"{at}/content/{escape_pointer(chosen)}/schema"
                    unbundled = f"{source}#{where}"
        return ResponseSpec(status, types, schema, unbundled)

    def operations(self, vendor: str, source: str) -> list[Operation]:
        document = self.document(source)
        top = [s.get("url", "") for s in document.get("servers") or []]
        found = []
        for path, item in (document.get("paths") or {}).items():
            for method, op in item.items():
                if method not in HTTP_METHODS or not isinstance(op, dict):
                    continue
                at = f"/paths/{escape_pointer(path)}/{method}"
                responses = {
                    _status_key(status): self.response(
                        vendor, source, _status_key(status), raw, f"{at}/responses/{status}"
                    )
                    for status, raw in (op.get("responses") or {}).items()
                }
                servers = op.get("servers") or item.get("servers")
                urls = [s.get("url", "") for s in servers] if servers else top
                found.append(
                    Operation(
                        vendor=vendor,
                        operation_id=op.get("operationId") or f"{method.upper()} {path}",
                        method=method.upper(),
                        path_template=path,
                        source=source,
                        responses=MappingProxyType(responses),
                        servers=tuple(urls),
                    )
                )
        return found


def _status_key(status: object) -> str:
    """Response keys as written, with ranges upper-cased ("2xx" -> "2XX")."""
    key = str(status)
    return "default" if key.lower() == "default" else key.upper()


def _components(document: Any) -> dict[str, Any]:
    return ((document or {}).get("components") or {}).get("schemas") or {}


def _pointer(document: Any, pointer: str) -> Any:
    node = document
    for token in pointer.split("/")[1:] if pointer else []:
        token = token.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or token not in node:
            return None
        node = node[token]
    return node


def is_json(media_type: str) -> bool:
    base = media_type_of(media_type)
    return base == "application/json" or base.endswith("+json")


def media_type_of(content_type: str) -> str:
    """`Application/JSON; charset=utf-8` -> `application/json`."""
    return content_type.split(";", 1)[0].strip().lower()


def read_operations(root: Path, schemas: str | None = None) -> tuple[Operation, ...]:
    """Every operation of the contracts under `root`, their operation errata applied."""
    loader = _Loader(root, load_catalog(schemas))
    found: list[Operation] = []
    for vendor in load_all(root):
        # the contract a contract run tests: its operation errata applied (one place for them)
        loader.documents.update({c.source.relpath: c.document for c in corrected_sources(vendor)})
        for source in vendor.sources:
            if source.kind == "openapi":
                found.extend(loader.operations(vendor.vendor, source.relpath))
    return tuple(found)
