"""Judge one instance against one schema: the findings, and which values have none.

`judge` is the verdict; `clean_test` is the same rule cut down to a yes/no, for
callers that only need to know whether `judge` would have anything to say (the
`--jobs` workers, which send back just the line of a clean record). Both live here
so the rule has one home.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.records import Locator
from conformance.report.findings import Finding, ValidationResult
from conformance.validation.explain import (
    drift_findings,
    invariant_findings,
    rs_schema_findings,
    schema_findings,
)
from conformance.validation.options import ValidationOptions
from conformance.validation.semantics import invariants_hold
from conformance.validation.validators import SchemaValidators


def negative_label(payload: Any) -> tuple[str, str, str] | None:
    """(kind, keyword, pointer) of a negative-fixture sidecar, else None.

    `runconform fixtures --invalid` writes `{"fixture": ..., "violates": {...}}`;
    validation looks at the fixture inside, not at the wrapper.
    """
    if type(payload) is not dict or payload.keys() != {"fixture", "violates"}:
        return None
    label = payload["violates"]
    if not isinstance(label, dict) or not {"kind", "keyword", "pointer"} <= label.keys():
        return None
    return str(label["kind"]), str(label["keyword"]), str(label["pointer"])


def _maybe_sidecar(instance: Any) -> bool:
    """A cheap first look: could this be a negative-fixture sidecar?"""
    return type(instance) is dict and len(instance) == 2 and "violates" in instance


def _expected_only(result: ValidationResult, label: tuple[str, str, str]) -> ValidationResult:
    """With expect_violations: the labelled violation alone is a pass; anything else fails."""
    reported = {
        (f.kind, f.keyword, f.pointer)
        for f in result.findings
        if f.severity in ("error", "warning")
    }
    if reported == {label}:
        return result._replace(findings=())
    kind, keyword, pointer = label
    got = ", ".join(f"{k}:{w}@{p or '/'}" for k, w, p in sorted(reported)) or "nothing"
    message = f"expected exactly {kind}:{keyword}@{pointer or '/'} to be reported, got {got}"
    return result._replace(
        findings=(Finding("error", "schema", "expected-violation", pointer, message),)
    )


def judge(
    instance: Any,
    validators: SchemaValidators,
    opts: ValidationOptions,
    locator: Locator | None,
    chosen_by: str = "explicit",
    operation: str | None = None,
    confidence: float | None = None,
) -> ValidationResult:
    """The verdict on `instance` against `validators`' schema (the hot path: one call
    per record, so no keyword arguments are needed and the result is built positionally)."""
    if _maybe_sidecar(instance):
        label = negative_label(instance)
        if label is not None:
            result = judge(
                instance["fixture"], validators, opts, locator, chosen_by, operation, confidence
            )
            return _expected_only(result, label) if opts.expect_violations else result
    findings: list[Finding] = []
    try:
        if opts.drift and validators.fast_strict.is_valid(instance):
            pass  # valid, and nothing undocumented: the common case costs one call
        elif validators.fast.is_valid(instance):
            if opts.drift:
                findings.extend(drift_findings(instance, validators, opts.strict))
        elif opts.details == "jsonschema":
            findings.extend(schema_findings(instance, validators))
        else:
            findings.extend(rs_schema_findings(instance, validators))
    except UnicodeEncodeError:
        # jsonschema-rs cannot take a lone surrogate ("\ud800", valid JSON text); the
        # pure-Python engine can, with the same format meanings (see formats.py).
        findings = schema_findings(instance, validators)
    if opts.invariants and validators.profiled:
        findings.extend(invariant_findings(instance, validators.name, opts.strict))
    return ValidationResult(
        validators.name,
        opts.variant,
        tuple(findings),
        locator,
        validators.entry.errata if opts.variant == "corrected" else (),
        chosen_by,
        operation,
        confidence,
    )


def clean_test(validators: SchemaValidators, opts: ValidationOptions) -> Callable[[Any], bool]:
    """A predicate true only for a value `judge` would find nothing to say about.

    It may say False where `judge` finds nothing (a negative-fixture sidecar, a lone
    surrogate, drift that explains to no finding): such values then take `judge`'s
    full path, which decides. It never says True where `judge` would report.
    """
    is_valid = (validators.fast_strict if opts.drift else validators.fast).is_valid
    hold = invariants_hold(validators.name) if opts.invariants and validators.profiled else None

    def is_clean(value: Any) -> bool:
        if _maybe_sidecar(value):
            return False
        try:
            if not is_valid(value):
                return False
        except UnicodeEncodeError:
            return False
        return hold is None or hold(value)

    return is_clean
