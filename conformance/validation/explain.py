"""Explain: turn engine errors, drift and invariant violations into Findings.

Each engine speaks its own error language (jsonschema-rs kinds, jsonschema
ValidationErrors, unevaluatedProperties messages, invariant findings); this
module is the one place that turns them into the one-line, located messages
people read, so every output says the same thing the same way.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from conformance.bundle.build import BASE_URI
from conformance.report.findings import Finding, Severity
from conformance.validation.drift import unexpected_names
from conformance.validation.semantics import check_invariants
from conformance.validation.validators import SchemaValidators

_PREVIEW = 40
_ENUM_SHOWN = 6


def preview(value: Any) -> str:
    """A short, one-line rendering of a value for messages."""
    kind = type(value)
    if kind is str and value.isprintable() and '"' not in value and "\\" not in value:
        text = f'"{value}"'  # what json.dumps writes for it, at a tenth of the cost
    elif kind is int:
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _PREVIEW else text[: _PREVIEW - 1] + "…"


def _one_of(options: list[Any]) -> str:
    """The allowed values of an enum as a message shows them (the first few)."""
    try:  # typed: 1, 1.0 and true are equal keys but different texts
        return _one_of_cached(tuple((type(o), o) for o in options))
    except TypeError:  # an unhashable option (an object or array)
        return _one_of_text(options)


@lru_cache(maxsize=256)
def _one_of_cached(typed: tuple[tuple[type, Any], ...]) -> str:
    return _one_of_text([option for _, option in typed])


def _one_of_text(options: list[Any]) -> str:
    shown = ", ".join(preview(v) for v in options[:_ENUM_SHOWN])
    more = f" (+{len(options) - _ENUM_SHOWN} more)" if len(options) > _ENUM_SHOWN else ""
    return shown + more


def describe(error: ValidationError) -> str:
    """One actionable line for a jsonschema error (its own messages can span pages)."""
    keyword, value = error.validator, error.instance
    spec: Any = error.validator_value  # `Unset` only on errors made by hand, never raised ones
    if keyword == "enum":
        return f"{preview(value)} is not one of: {_one_of(spec)}"
    if keyword == "type":
        expected = " or ".join(spec) if isinstance(spec, list) else spec
        return f"{preview(value)} is not of type {expected}"
    if keyword == "format":
        return f"{preview(value)} is not a valid {spec}"
    if keyword in ("anyOf", "oneOf") and error.context:
        closest = best_match(error.context)
        return (
            f"{preview(value)} matches none of the {len(spec)} allowed shapes; "
            f"closest: {describe(closest)}"
        )
    if keyword == "const":
        return f"{preview(value)} is not {preview(spec)}"
    first_line = str(error.message).splitlines()[0]
    return first_line if len(first_line) <= 200 else first_line[:199] + "…"


def json_pointer(parts: Iterable[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def describe_rs(error: Any) -> str:
    """One actionable line for a jsonschema-rs error, from its kind's data."""
    kind, value = error.kind, error.instance
    name = type(kind).__name__
    if name == "Enum":
        return f"{preview(value)} is not one of: {_one_of(list(kind.options))}"
    if name == "Type":
        return f"{preview(value)} is not of type {' or '.join(kind.types)}"
    if name == "Format":
        return f"{preview(value)} is not a valid {kind.format}"
    if name == "Required":
        return f"{kind.property!r} is a required property"
    if name == "Constant":
        return f"{preview(value)} is not {preview(kind.expected_value)}"
    if name in ("AnyOf", "OneOfNotValid"):
        branches = [list(branch) for branch in kind.context]
        closest = min((b for b in branches if b), key=len, default=[])
        hint = f"; closest: {describe_rs(closest[0])}" if closest else ""
        return f"{preview(value)} matches none of the {len(branches)} allowed shapes{hint}"
    first_line = str(error.message).splitlines()[0]
    return first_line if len(first_line) <= 200 else first_line[:199] + "…"


def _keyword_location(error: Any) -> str:
    location = str(error.absolute_keyword_location or "")
    return location[len(BASE_URI) :] if location.startswith(BASE_URI) else location


def rs_schema_findings(instance: Any, validators: SchemaValidators) -> list[Finding]:
    findings = [
        Finding(
            "error",
            "schema",
            str(e.schema_path[-1]) if e.schema_path else "schema",
            json_pointer(e.instance_path),
            describe_rs(e),
            _keyword_location(e),
        )
        for e in validators.fast.iter_errors(instance)
    ]
    return sorted(findings, key=lambda f: (f.pointer, f.keyword))


def schema_findings(instance: Any, validators: SchemaValidators) -> list[Finding]:
    errors = sorted(
        validators.detailed.iter_errors(instance),
        key=lambda e: (list(map(str, e.absolute_path)), e.validator),
    )
    return [
        Finding(
            "error",
            "schema",
            str(e.validator),
            json_pointer(e.absolute_path),
            describe(e),
            "#" + json_pointer(e.absolute_schema_path),
        )
        for e in errors
    ]


def drift_findings(
    instance: Any, validators: SchemaValidators, strict: bool = False
) -> list[Finding]:
    """Undocumented properties, deepest first, without cascades from enclosing schemas.

    Info by default (the schemas are open and vendors add fields); an error when strict,
    which asks for exactly what is documented, as a contract run does."""
    severity: Severity = "error" if strict else "info"
    work, found = copy.deepcopy(instance), []
    for _ in range(64):  # bounded: each round removes at least one property
        errors = [
            e
            for e in validators.detailed_strict.iter_errors(work)
            if e.validator == "unevaluatedProperties"
        ]
        if not errors:
            break
        depth = max(len(e.absolute_path) for e in errors)
        for error in (e for e in errors if len(e.absolute_path) == depth):
            holder = error.instance
            for name in unexpected_names(str(error.message)):
                if isinstance(holder, dict) and name in holder:
                    del holder[name]
                    location = json_pointer([*error.absolute_path, name])
                    found.append(
                        Finding(
                            severity,
                            "drift",
                            "undocumented",
                            location,
                            f"property {name!r} is not documented in the schema",
                        )
                    )
    return sorted(found, key=lambda f: f.pointer)


def invariant_findings(instance: Any, name: str, strict: bool) -> list[Finding]:
    found = check_invariants(instance, name)  # warnings
    return [replace(f, severity="error") for f in found] if strict else list(found)
