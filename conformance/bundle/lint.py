"""Lint the schema bundle (and, for the published view, the vendor sources).

The rules target the defects vendor material actually has: requirements no
property satisfies, references that go nowhere, OpenAPI keywords that a JSON
Schema validator silently ignores, objects any value satisfies. On the
published view they document the traps; on the corrected view they must find
no errors, which is how the errata are shown to be complete.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing.exceptions import Unresolvable

from conformance.bundle.catalog import Catalog, Variant, load_catalog
from conformance.bundle.document_loader import load_document
from conformance.bundle.formats import CHECKED_FORMATS
from conformance.bundle.openapi import escape_pointer, iter_refs
from conformance.bundle.resources import contracts_dir
from conformance.bundle.vendor_contracts import load_all
from conformance.report.findings import Finding, Severity

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}

#: Formats JSON Schema 2020-12 defines (checked by `validation.formats`) plus OpenAPI's own.
KNOWN_FORMATS = frozenset(CHECKED_FORMATS) | {
    "int32",
    "int64",
    "float",
    "double",
    "byte",
    "binary",
    "password",
}
#: Keywords of OpenAPI 3.0 that mean nothing to a 2020-12 validator.
OPENAPI_30_KEYWORDS = ("nullable", "x-nullable")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_SUBSCHEMA_ONE = (
    "items",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
)


def lint_finding(
    rule: str,
    severity: Severity,
    file: str,
    pointer: str,
    message: str,
    origin: str | None = None,
    subject: str = "",
) -> Finding:
    """A lint finding: kind "lint", the rule as keyword, located by file and pointer; the
    contracts file#pointer the bundled text came from is the hint (where to fix it)."""
    return Finding(
        severity,
        "lint",
        rule,
        pointer,
        message,
        subject=subject or file,
        stage="lint",
        file=file,
        hint=f"from {origin}" if origin else "",
    )


@dataclass(frozen=True)
class LintReport:
    """All findings of one lint run, worst first."""

    variant: Variant
    findings: tuple[Finding, ...]

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def ok(self) -> bool:
        return self.count("error") == 0


def subschemas(node: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any], str | None]]:
    """Every schema object below `node`: (pointer, schema, keyword of the parent composition)."""
    if not isinstance(node, dict):
        return
    yield pointer, node, None
    for key in _SUBSCHEMA_MAPS:
        for name, sub in (node.get(key) or {}).items():
            yield from subschemas(sub, f"{pointer}/{key}/{escape_pointer(name)}")
    for key in _SUBSCHEMA_LISTS:
        for i, sub in enumerate(node.get(key) or []):
            for found in subschemas(sub, f"{pointer}/{key}/{i}"):
                yield found if found[0] != f"{pointer}/{key}/{i}" else (found[0], found[1], key)
    for key in _SUBSCHEMA_ONE:
        if isinstance(node.get(key), dict):
            yield from subschemas(node[key], f"{pointer}/{key}")


def _schema_rules(schema: dict[str, Any]) -> Iterator[tuple[str, Severity, str, str]]:
    """Rules that need only the schema text: (rule, severity, pointer, message)."""
    for pointer, node, composition in subschemas(schema):
        properties = node.get("properties")
        required = node.get("required")
        yield from _object_rules(node, pointer, composition)
        yield from _keyword_rules(node, pointer)
        if node.get("type") == "object" and properties and not required and pointer == "":
            yield (
                "nothing-required",
                "info",
                pointer,
                "no property is required: `{}` is a valid instance",
            )


def _object_rules(
    node: dict[str, Any], pointer: str, composition: str | None
) -> Iterator[tuple[str, Severity, str, str]]:
    """`required` names a property `properties` lacks; properties without a `type`."""
    properties = node.get("properties")
    required = node.get("required")
    if isinstance(required, list) and isinstance(properties, dict):
        patterns = node.get("patternProperties") or {}
        for name in required:
            if name not in properties and not patterns:
                yield (
                    "required-undefined",
                    "error",
                    f"{pointer}/required",
                    f"required property {name!r} is not defined in `properties`: "
                    "no conforming object can have it documented",
                )
    if (properties or required) and "type" not in node and composition is None:
        yield (
            "missing-type",
            "warning",
            pointer,
            "declares properties but no `type`: any non-object value is valid",
        )


def _keyword_rules(node: dict[str, Any], pointer: str) -> Iterator[tuple[str, Severity, str, str]]:
    """Keywords JSON Schema 2020-12 ignores or cannot check, and branches that accept anything."""
    for keyword in OPENAPI_30_KEYWORDS:
        if keyword in node:
            yield (
                "openapi-keyword",
                "error",
                f"{pointer}/{escape_pointer(keyword)}",
                f"OpenAPI 3.0 keyword {keyword!r} is ignored by JSON Schema 2020-12: "
                'write `type: [..., "null"]`',
            )
    if "example" in node:
        yield (
            "openapi-keyword",
            "warning",
            f"{pointer}/example",
            "`example` is not a JSON Schema keyword; use `examples: [...]`",
        )
    fmt = node.get("format")
    if isinstance(fmt, str) and fmt not in KNOWN_FORMATS:
        yield (
            "unknown-format",
            "warning",
            f"{pointer}/format",
            f"format {fmt!r} is neither a JSON Schema nor an OpenAPI format: not checked",
        )
    enum = node.get("enum")
    if isinstance(enum, list):
        yield from _enum_rules(enum, pointer)
    for key in ("anyOf", "oneOf"):
        for i, branch in enumerate(node.get(key) or []):
            if branch == {} or branch is True:
                yield (
                    "accepts-anything",
                    "error",
                    f"{pointer}/{key}/{i}",
                    f"`{key}` branch is the empty schema, so the whole `{key}` accepts any value",
                )


def _enum_rules(enum: list[Any], pointer: str) -> Iterator[tuple[str, Severity, str, str]]:
    seen: dict[str, Any] = {}
    for value in enum:
        if not isinstance(value, str):
            continue
        folded = value.casefold()
        if folded in seen:
            if seen[folded] == value:
                yield ("enum-duplicate", "error", f"{pointer}/enum", f"enum lists {value!r} twice")
            else:
                yield (
                    "enum-case-variant",
                    "warning",
                    f"{pointer}/enum",
                    f"enum values {seen[folded]!r} and {value!r} differ only by case",
                )
        seen.setdefault(folded, value)


def _bundle_findings(catalog: Catalog, variant: Variant) -> Iterator[Finding]:
    metaschema = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    registry = catalog.registry(variant)
    for name in catalog.names(include_dependencies=True):
        entry = catalog.entry(name, variant)
        schema = catalog.schema(name, variant)
        file = f"schemas/{entry.path}"
        origin_base = f"contracts/{entry.source['file']}#{entry.source.get('pointer', '')}"
        for error in metaschema.iter_errors(schema):
            pointer = "".join(f"/{escape_pointer(str(p))}" for p in error.absolute_path)
            yield lint_finding(
                "metaschema",
                "error",
                file,
                pointer,
                f"not valid against the 2020-12 metaschema: {error.message}",
                subject=name,
            )
        resolver = registry.resolver(base_uri=entry.id)
        for pointer, ref in iter_refs(schema):
            try:
                resolver.lookup(ref)
            except Unresolvable:
                yield lint_finding(
                    "dangling-ref",
                    "error",
                    file,
                    f"{pointer}/$ref",
                    f"$ref {ref!r} does not resolve inside the bundle",
                    subject=name,
                )
        for rule, severity, pointer, message in _schema_rules(schema):
            yield lint_finding(rule, severity, file, pointer, message, origin_base + pointer, name)


def _source_findings(contracts_root: Path) -> Iterator[Finding]:
    """Traps in the vendor sources themselves (reported with the published view)."""
    for vendor in load_all(contracts_root):
        for source in vendor.sources:
            file = f"contracts/{source.relpath}"
            document = load_document(vendor.directory / source.file, display=file)
            if source.kind == "openapi":
                yield from _openapi_source_findings(document, source.dialect, file, source.read_as)
            elif source.role == "seed":
                yield from _seed_findings(document, file)


def _openapi_source_findings(
    document: dict[str, Any], dialect: str, file: str, read_as: str | None
) -> Iterator[Finding]:
    declared = str(document.get("openapi", ""))
    if declared.startswith("3.2"):
        yield lint_finding(
            "openapi-version",
            "warning",
            file,
            "/openapi",
            f"declares OpenAPI {declared}: most tools (Schemathesis included) "
            f"read 3.0/3.1 only; runconform reads it as {read_as or '?'}",
        )
    schemas = (document.get("components") or {}).get("schemas") or {}
    for name, schema in schemas.items():
        base = f"/components/schemas/{escape_pointer(name)}"
        for pointer, node, _ in subschemas(schema, base):
            if dialect == "3.0" and node.get("nullable") is True:
                yield lint_finding(
                    "openapi-3.0-nullable",
                    "warning",
                    file,
                    f"{pointer}/nullable",
                    'OpenAPI 3.0 `nullable: true`: converted to a type array including "null"'
                    if "type" in node
                    else "OpenAPI 3.0 `nullable: true` without `type` has no effect",
                )


def _seed_findings(document: dict[str, Any], file: str) -> Iterator[Finding]:
    schema_id = document.get("$id", "")
    if isinstance(schema_id, str) and "#" in schema_id and not schema_id.endswith("#"):
        yield lint_finding(
            "seed-id-fragment",
            "warning",
            file,
            "/$id",
            f"$id {schema_id!r} has a fragment, which 2020-12 forbids "
            "(seed; not used by the bundle)",
        )
    for pointer, ref in iter_refs(document):
        if ref.startswith(("http://", "https://")):
            yield lint_finding(
                "seed-remote-ref",
                "warning",
                file,
                f"{pointer}/$ref",
                f"remote $ref {ref!r} (seed; not used by the bundle)",
            )
        elif ref.startswith("#/components/"):
            yield lint_finding(
                "seed-dangling-ref",
                "warning",
                file,
                f"{pointer}/$ref",
                f"$ref {ref!r} points outside this document (seed; not used by the bundle)",
            )


def lint_bundle(
    variant: Variant = "corrected",
    *,
    catalog: Catalog | None = None,
    contracts_root: Path | None = None,
) -> LintReport:
    """Lint one variant of the bundle; the published view adds the vendor sources' traps."""
    catalog = catalog or load_catalog()
    findings = list(_bundle_findings(catalog, variant))
    if variant == "published":
        findings.extend(_source_findings(contracts_root or contracts_dir()))
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.file or "", f.pointer, f.keyword))
    return LintReport(variant=variant, findings=tuple(findings))
