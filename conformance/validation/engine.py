"""Validate run objects and recorded responses against the bundled schemas.

`validate()` judges one instance; `validate_records()` streams the records of
any recording format and picks each record's schema: the one you name, the one
the vendor contract declares for the recorded request, or the one its shape
identifies. A record that passes the fast path (jsonschema-rs) costs one call;
only failures pay for jsonschema's detailed errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.bundle.catalog import Variant
from conformance.errors import UsageError
from conformance.records import Locator, ReadProblem, Record
from conformance.report.findings import Finding, ValidationResult
from conformance.validation.explain import (
    drift_findings,
    invariant_findings,
    rs_schema_findings,
    schema_findings,
)
from conformance.validation.formats import CHECKED_FORMATS
from conformance.validation.validators import SchemaValidators, validators_for


@dataclass(frozen=True)
class Options:
    """How to validate: which schema variant, which formats, how strict."""

    variant: Variant = "corrected"
    formats: tuple[str, ...] | None = None  # None: every known format asserted
    strict: bool = False  # invariant violations and undocumented properties are errors
    invariants: bool = True
    drift: bool = True  # report undocumented properties (info), on schema-valid records
    details: str = "jsonschema-rs"  # engine for the errors of failing records: or "jsonschema"
    expect_violations: bool = False  # negative-fixture sidecars pass iff exactly their label fails

    def __post_init__(self) -> None:
        if self.variant not in ("corrected", "published"):
            raise UsageError(f"unknown schema variant {self.variant!r}: corrected or published")
        if self.details not in ("jsonschema-rs", "jsonschema"):
            raise UsageError(
                f"unknown details engine {self.details!r}: jsonschema-rs or jsonschema"
            )
        if self.formats is not None:
            formats = tuple(self.formats)
            unknown = sorted(set(formats) - set(CHECKED_FORMATS))
            if unknown:
                raise UsageError(
                    f"unknown format(s) {', '.join(unknown)}; known: {', '.join(CHECKED_FORMATS)}"
                )
            object.__setattr__(self, "formats", formats)


def validate(
    instance: Any,
    schema: str,
    *,
    options: Options | None = None,
    locator: Locator | None = None,
    **overrides: Any,
) -> ValidationResult:
    """Validate one instance against a bundled schema (`"vendor.Object"`)."""
    opts = Options(**{**(options or Options()).__dict__, **overrides})
    validators = validators_for(schema, opts.variant, opts.formats)
    return judge(instance, validators, opts, locator)


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
    opts: Options,
    locator: Locator | None,
    **result_fields: Any,
) -> ValidationResult:
    if type(instance) is dict and len(instance) == 2 and "violates" in instance:
        label = negative_label(instance)
        if label is not None:
            result = judge(instance["fixture"], validators, opts, locator, **result_fields)
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
    if not result_fields:
        return ValidationResult(
            validators.name,
            opts.variant,
            tuple(findings),
            locator,
            validators.entry.errata if opts.variant == "corrected" else (),
        )
    return ValidationResult(
        schema=validators.name,
        variant=opts.variant,
        findings=tuple(findings),
        locator=locator,
        errata=validators.entry.errata if opts.variant == "corrected" else (),
        **result_fields,
    )


def _problem_result(problem: ReadProblem, variant: str) -> ValidationResult:
    finding = Finding("error", "read", problem.kind, "", problem.message)
    return ValidationResult(
        schema=None, variant=variant, findings=(finding,), locator=problem.locator, chosen_by="none"
    )


def _unrouted(record: Record, variant: str, message: str, *extra: Finding) -> ValidationResult:
    finding = Finding("error", "routing", "no-schema", "", message)
    return ValidationResult(
        schema=None,
        variant=variant,
        findings=(finding, *extra),
        locator=record.locator,
        chosen_by="none",
    )


def validate_record(
    record: Record | ReadProblem,
    *,
    schema: str | None = None,
    vendor: str | None = None,
    identify: bool = False,
    options: Options | None = None,
) -> ValidationResult:
    """Pick the schema of one record (named, routed or identified) and validate it."""
    opts = options or Options()
    if isinstance(record, ReadProblem):
        return _problem_result(record, opts.variant)
    if schema is not None:
        return judge(
            record.payload, validators_for(schema, opts.variant, opts.formats), opts, record.locator
        )
    contract: list[Finding] = []
    if record.exchange is not None:
        from conformance.validation.routing import route

        exchange = record.exchange
        found = route(
            exchange.method,
            # a URL with a variable for its base (Postman's "{{baseUrl}}/runs") routes by path
            exchange.url if "://" in exchange.url else exchange.path,
            exchange.status,
            content_type=exchange.content_type,
            vendor=vendor,
        )
        if found is not None:
            operation = found.operation
            contract = [Finding("error", "contract", "response", "", p) for p in found.problems]
            target = found.response.schema if found.response else None
            if target is not None:
                result = judge(
                    record.payload,
                    validators_for(target, opts.variant, opts.formats),
                    opts,
                    record.locator,
                    chosen_by="contract",
                    operation=operation.operation_id,
                )
                return _with_findings(result, contract)
            if not identify:
                note = Finding(
                    "info",
                    "routing",
                    "no-bundled-schema",
                    "",
                    f"{operation.method} {operation.path_template} "
                    f"({operation.operation_id}) has no bundled response schema "
                    f"for status {exchange.status}",
                )
                return ValidationResult(
                    schema=None,
                    variant=opts.variant,
                    findings=(*contract, note),
                    locator=record.locator,
                    chosen_by="contract",
                    operation=operation.operation_id,
                )
        elif not identify:
            from conformance.validation.routing import url_problem

            bad = url_problem(exchange.url)
            return _unrouted(
                record,
                opts.variant,
                f"cannot route {exchange.method} {exchange.url}: {bad}; give --schema or --identify"
                if bad
                else f"no {vendor or 'vendor'} contract operation matches "
                f"{exchange.method} {exchange.path}; give --schema or --identify",
            )
    if identify:
        from conformance.validation.identify import identify as identify_shape

        # the shape alone says what the record is; only then is it judged (never the
        # other way round: a broken record must fail as itself, not pass as another)
        payload = record.payload
        if negative_label(payload) is not None:  # a negative-fixture sidecar: its fixture
            payload = payload["fixture"]  # type: ignore[index]
        found_shape = identify_shape(payload, vendor=vendor)
        if found_shape.best is None:
            doubt = found_shape.doubt()
            message = (
                f"{doubt}; give --schema"
                if found_shape.tied
                else f"could not identify the object by its shape ({doubt}); give --schema"
            )
            return _unrouted(record, opts.variant, message, *contract)
        result = judge(
            record.payload,
            validators_for(found_shape.best.name, opts.variant, opts.formats),
            opts,
            record.locator,
            chosen_by="identified",
            confidence=found_shape.best.confidence,
        )
        return _with_findings(result, contract)
    return _unrouted(
        record,
        opts.variant,
        "no schema for this record: give --schema vendor.Object, or --identify",
    )


def _with_findings(result: ValidationResult, extra: list[Finding]) -> ValidationResult:
    if not extra:
        return result
    return ValidationResult(
        schema=result.schema,
        variant=result.variant,
        findings=(*extra, *result.findings),
        locator=result.locator,
        errata=result.errata,
        chosen_by=result.chosen_by,
        operation=result.operation,
        confidence=result.confidence,
    )


def validate_records(
    sources: str | Path | Iterable[str | Path | Record | ReadProblem],
    *,
    schema: str | None = None,
    vendor: str | None = None,
    identify: bool = False,
    options: Options | None = None,
    format: str | None = None,
) -> Iterator[ValidationResult]:
    """Stream a verdict for every record of every source (files, folders or Records)."""
    opts = options or Options()
    if schema is None:
        for record in _iter_records(sources, format):
            yield validate_record(record, vendor=vendor, identify=identify, options=opts)
        return
    validators = validators_for(schema, opts.variant, opts.formats)  # unknown names fail early
    for record in _iter_records(sources, format):
        if type(record) is Record:
            yield judge(record[1], validators, opts, record[0])  # payload, locator: hot loop
        else:
            yield validate_record(record, schema=schema, options=opts)


def _iter_records(sources: Any, format: str | None) -> Iterator[Record | ReadProblem]:
    from conformance.records import read_records

    if isinstance(sources, (str, Path)) or (
        isinstance(sources, (list, tuple)) and all(isinstance(s, (str, Path)) for s in sources)
    ):
        return read_records(sources, format=format)  # no extra generator layer: hot path
    return _mixed_records(sources, format)


def _mixed_records(sources: Any, format: str | None) -> Iterator[Record | ReadProblem]:
    from conformance.records import read_records

    paths: list[str | Path] = []
    for item in sources:
        if isinstance(item, (Record, ReadProblem)):
            if paths:
                yield from read_records(paths, format=format)
                paths = []
            yield item
        else:
            paths.append(item)
    if paths:
        yield from read_records(paths, format=format)
