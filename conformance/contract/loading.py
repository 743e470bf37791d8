"""The OpenAPI documents a contract run tests, made loadable by Schemathesis.

A vendor's bundled contracts are read from the bundle; a user may bring their
own document instead. Xceptor's document declares OpenAPI 3.2.0, which
Schemathesis does not read: it is rewritten to 3.1.0 (the build already checked
it uses no 3.2-only feature) and the run says so in its notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.catalog import load_catalog
from conformance.contracts import load_vendor
from conformance.documents import load_document
from conformance.errors import BundleError, UsageError
from conformance.resources import contracts_dir

VENDORS = ("hatchet", "knock", "paragon", "restack", "xceptor")


@dataclass(frozen=True)
class ContractDocument:
    """One OpenAPI document ready for Schemathesis, with what was changed to load it."""

    source: str
    document: dict[str, Any]
    notes: tuple[str, ...]


def _normalised(document: Any, source: str) -> ContractDocument:
    if not isinstance(document, dict) or "paths" not in document:
        raise BundleError("not an OpenAPI document (no `paths`)", file=source)
    declared = str(document.get("openapi", ""))
    notes: list[str] = []
    if declared.startswith("3.2"):
        document = {**document, "openapi": "3.1.0"}
        notes.append(
            f"{source}: declares OpenAPI {declared}, which Schemathesis does not read; "
            "tested as 3.1.0 (it uses no 3.2-only feature)"
        )
    elif not declared.startswith(("3.0", "3.1")):
        raise BundleError(
            f"unsupported OpenAPI version {declared!r} (3.0, 3.1, 3.2 are read)",
            file=source,
            pointer="/openapi",
        )
    return ContractDocument(source, document, tuple(notes))


def _corrected(document: ContractDocument, vendor: str) -> ContractDocument:
    """The document with every bundled component replaced by its corrected schema.

    Schemathesis' own response check then judges by the corrected schemas too
    (as published, Hatchet's run objects require an `id` no response has). The
    corrected schemas are JSON Schema 2020-12, so the document becomes 3.1.
    """
    catalog = load_catalog()
    components = dict((document.document.get("components") or {}).get("schemas") or {})
    replaced = []
    for name in list(components):
        bundle_name = f"{vendor}.{name}"
        if bundle_name not in catalog.names(vendor, include_dependencies=True):
            continue
        schema = catalog.schema(bundle_name)
        schema.pop("$schema", None)
        schema.pop("$id", None)
        components[name] = _local_refs(schema)
        replaced.append(name)
    notes = list(document.notes)
    doc = {
        **document.document,
        "components": {**document.document.get("components", {}), "schemas": components},
    }
    if str(doc.get("openapi", "")).startswith("3.0") and replaced:
        doc["openapi"] = "3.1.0"
        notes.append(f"{document.source}: tested as OpenAPI 3.1.0 with the corrected schemas")
    return ContractDocument(document.source, doc, tuple(notes))


def _local_refs(node: Any) -> Any:
    """Bundle refs (`X.json#/p`) back to document refs (`#/components/schemas/X/p`)."""
    if isinstance(node, list):
        return [_local_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str) and ".json" in value:
            name, _, rest = value.partition(".json")
            out[key] = f"#/components/schemas/{name}" + rest.lstrip("#")
        else:
            out[key] = _local_refs(value)
    return out


def contract_documents(vendor: str, contract: Path | None = None) -> tuple[ContractDocument, ...]:
    """The documents to test: the user's `contract`, or every bundled OpenAPI source of `vendor`
    with its schemas corrected."""
    if vendor not in VENDORS:
        raise UsageError(f"unknown vendor {vendor!r}; known: {', '.join(VENDORS)}")
    if contract is not None:
        return (_normalised(load_document(contract, display=str(contract)), str(contract)),)
    contracts = load_vendor(contracts_dir() / vendor)
    return tuple(
        _corrected(
            _normalised(load_document(contracts.directory / s.file, display=s.relpath), s.relpath),
            vendor,
        )
        for s in contracts.sources
        if s.kind == "openapi"
    )
