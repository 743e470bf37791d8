"""Extract a vendor's named objects from its sources, converted to JSON Schema 2020-12.

An OpenAPI source gives the closure of its named components; a JSON Schema source gives
one object. Every `$ref` is rewritten to the bundle's file layout, and a remote one is
refused: runconform never retrieves remote references.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.bundle.document_loader import load_document
from conformance.bundle.openapi import (
    ConversionNote,
    check_openapi_32_features,
    component_closure,
    component_name,
    convert_schema,
    escape_pointer,
    is_remote,
    iter_refs,
)
from conformance.bundle.openapi_files import Assembled
from conformance.bundle.vendor_contracts import Source, VendorContracts
from conformance.errors import BundleError

DIALECT = "https://json-schema.org/draft/2020-12/schema"


@dataclass
class Extracted:
    """One object as extracted: its source, where in it, and the converted schema."""

    name: str
    source: Source
    pointer: str
    listed: bool
    published: dict[str, Any]
    notes: list[ConversionNote]


def _ref_rewriter(source: Source) -> Callable[[str, str], str]:
    def rewrite(ref: str, pointer: str) -> str:
        if is_remote(ref):
            raise BundleError(
                f"remote $ref {ref!r}: runconform never retrieves remote references",
                file=source.relpath,
                pointer=pointer,
            )
        target = component_name(ref)
        if source.kind == "openapi":
            if target is None:
                raise BundleError(
                    f"$ref {ref!r} does not point into #/components/schemas",
                    file=source.relpath,
                    pointer=pointer,
                )
            rest = ref[len("#/components/schemas/") + len(target) :]
            return f"{target}.json" + (f"#{rest}" if rest else "")
        return ref

    return rewrite


def _extract_openapi(
    source: Source, directory: Path, roots: list[str], document: Any = None
) -> list[Extracted]:
    if document is None:
        document = load_document(directory / source.file, display=source.relpath)
    if not isinstance(document, dict):
        raise BundleError("an OpenAPI document must be a mapping", file=source.relpath)
    declared = str(document.get("openapi", ""))
    if source.openapi_declared and declared != source.openapi_declared:
        raise BundleError(
            f"declares openapi {declared!r}, manifest says {source.openapi_declared!r}",
            file=source.relpath,
            pointer="/openapi",
        )
    if declared.startswith("3.2"):
        if not source.read_as:
            raise BundleError(
                "OpenAPI 3.2 document: set `read_as` in the manifest after checking "
                "it uses no 3.2-only feature",
                file=source.relpath,
                pointer="/openapi",
            )
        check_openapi_32_features(document, file=source.relpath)
    if source.dialect == "unsupported":
        raise BundleError(
            f"unsupported OpenAPI version {declared!r} (3.0 and 3.1 are read)",
            file=source.relpath,
            pointer="/openapi",
        )
    for pointer, ref in iter_refs(document):
        if is_remote(ref):
            raise BundleError(
                f"remote $ref {ref!r}: runconform never retrieves remote references; copy the "
                "referenced schema into contracts/ and reference it locally",
                file=source.relpath,
                pointer=pointer,
            )
    components = (document.get("components") or {}).get("schemas") or {}
    extracted = []
    for name in component_closure(components, roots, file=source.relpath):
        pointer = f"/components/schemas/{escape_pointer(name)}"
        notes: list[ConversionNote] = []
        converted = convert_schema(
            components[name],
            dialect=source.dialect,
            rewrite_ref=_ref_rewriter(source),
            pointer=pointer,
            notes=notes,
        )
        extracted.append(Extracted(name, source, pointer, name in roots, converted, notes))
    return extracted


def _extract_json_schema(source: Source, directory: Path, name: str) -> Extracted:
    document = load_document(directory / source.file, display=source.relpath)
    if not isinstance(document, dict) or document.get("$schema") != DIALECT:
        raise BundleError(
            f'expected a JSON Schema with "$schema": "{DIALECT}"', file=source.relpath
        )
    for pointer, ref in iter_refs(document):
        if is_remote(ref):
            raise BundleError(
                f"remote $ref {ref!r}: runconform never retrieves remote references",
                file=source.relpath,
                pointer=pointer,
            )
    notes: list[ConversionNote] = []
    converted = convert_schema(
        document, dialect="2020-12", rewrite_ref=_ref_rewriter(source), pointer="", notes=notes
    )
    return Extracted(name, source, "", True, converted, notes)


def vendor_entries(
    contracts: VendorContracts, generated: dict[str, tuple[Assembled, str]]
) -> list[Extracted]:
    by_source: dict[str, list[str]] = {}
    for spec in contracts.objects:
        by_source.setdefault(spec.source, []).append(spec.name)
    entries: dict[str, Extracted] = {}
    for file, roots in by_source.items():
        source = contracts.source(file)
        if file in generated:
            document = generated[file][0].document
            found = _extract_openapi(source, contracts.directory, roots, document)
        elif source.kind == "openapi":
            found = _extract_openapi(source, contracts.directory, roots)
        else:
            found = [_extract_json_schema(source, contracts.directory, name) for name in roots]
        for item in found:
            if item.name in entries and entries[item.name].published != item.published:
                raise BundleError(
                    f"object {item.name!r} is defined differently in "
                    f"{entries[item.name].source.file} and {file}",
                    file=f"{contracts.vendor}/manifest.yaml",
                )
            entries.setdefault(item.name, item)
    return [entries[name] for name in sorted(entries)]
