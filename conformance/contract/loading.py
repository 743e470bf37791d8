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


def contract_documents(vendor: str, contract: Path | None = None) -> tuple[ContractDocument, ...]:
    """The documents to test: the user's `contract`, or every bundled OpenAPI source of `vendor`."""
    if vendor not in VENDORS:
        raise UsageError(f"unknown vendor {vendor!r}; known: {', '.join(VENDORS)}")
    if contract is not None:
        return (_normalised(load_document(contract, display=str(contract)), str(contract)),)
    contracts = load_vendor(contracts_dir() / vendor)
    return tuple(
        _normalised(load_document(contracts.directory / s.file, display=s.relpath), s.relpath)
        for s in contracts.sources
        if s.kind == "openapi"
    )
