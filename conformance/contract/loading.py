"""The OpenAPI documents a contract run tests, made loadable by Schemathesis.

A vendor's bundled contracts are read from the bundle; a user may bring their
own document instead. Xceptor's document declares OpenAPI 3.2.0, which
Schemathesis does not read: it is rewritten to 3.1.0 (the build already checked
it uses no 3.2-only feature) and the run says so in its notes.

A bundled contract is read with its operation errata applied (`operation_errata`): a
response the vendor really sends but does not declare (Knock's 404 for an unknown id) is
then not a contract failure, and the run's notes say which errata it tested with.

A user's document is checked before anything is sent, the way the build checks the
bundled ones: no reference that would make Schemathesis fetch a URL or read a file,
and the shape Schemathesis assumes (objects where OpenAPI has objects, valid Schema
Objects), so a bad contract is exit 3 with its pointer, never a crash mid-run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import schemathesis

from conformance.bundle.catalog import load_catalog
from conformance.bundle.document_loader import load_document
from conformance.bundle.openapi import escape_pointer
from conformance.bundle.openapi_shape import check_shape, refuse_external_references
from conformance.bundle.operation_errata import corrected_sources
from conformance.bundle.resources import contracts_dir
from conformance.bundle.vendor_contracts import load_vendor
from conformance.bundle.vendors import VENDORS as VENDORS  # re-exported: the one list
from conformance.errors import BundleError, UsageError


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
    with its operation errata applied and its schemas corrected."""
    if vendor not in VENDORS:
        raise UsageError(f"unknown vendor {vendor!r}; known: {', '.join(VENDORS)}")
    if contract is not None:
        document = _normalised(load_document(contract, display=str(contract)), str(contract))
        refuse_external_references(document.document, file=document.source)
        check_shape(document.document, file=document.source)
        check_loadable(document.document, file=document.source)
        return (document,)
    documents = []
    for corrected in corrected_sources(load_vendor(contracts_dir() / vendor)):
        relpath = corrected.source.relpath
        document = _normalised(corrected.document, relpath)
        if corrected.applied:
            shown = ", ".join(f"{a.id} ({a.operation})" for a in corrected.applied)
            note = f"{relpath}: tested with operation errata {shown}"
            document = ContractDocument(relpath, document.document, (*document.notes, note))
        documents.append(_corrected(document, vendor))
    return tuple(documents)


def check_loadable(document: dict[str, Any], *, file: str) -> None:
    """Whatever else Schemathesis cannot load, as one line naming the operation."""
    for result in schemathesis.openapi.from_dict(document).get_all_operations():
        error = getattr(result, "err", lambda: None)()
        if error is None:
            continue
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        details = lines[lines.index("Error details:") + 1 :] if "Error details:" in lines else []
        message = "; ".join(lines[:1] + details[:1]).rstrip(".")
        path, method = getattr(error, "path", None), getattr(error, "method", None)
        pointer = f"/paths/{escape_pointer(path)}" if isinstance(path, str) else "/paths"
        if isinstance(method, str) and isinstance(path, str):
            pointer += f"/{method.lower()}"
        raise BundleError(
            f"Schemathesis cannot load this operation: {message}", file=file, pointer=pointer
        )
