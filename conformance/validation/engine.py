"""Validate run objects and recorded responses against the bundled schemas.

`validate()` judges one instance; `validate_records()` streams the records of
any recording format and, for each, first chooses its schema (`choose.py`: the
one you name, the one the vendor contract declares for the recorded request, or
the one its shape identifies), then judges it (`judge.py`). A record that passes
the fast path (jsonschema-rs) costs one call; only failures pay for detailed errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from conformance.records import Locator, ReadProblem, Record
from conformance.report.findings import Finding, ValidationResult
from conformance.validation.choose import Choice, choose_schema
from conformance.validation.judge import judge
from conformance.validation.options import ValidationOptions
from conformance.validation.validators import validators_for

__all__ = [
    "ValidationOptions",
    "judge_choice",
    "validate",
    "validate_record",
    "validate_records",
]


def validate(
    instance: Any,
    schema: str,
    *,
    options: ValidationOptions | None = None,
    locator: Locator | None = None,
    **overrides: Any,
) -> ValidationResult:
    """Validate one instance against a bundled schema (`"vendor.Object"`)."""
    opts = ValidationOptions(**{**(options or ValidationOptions()).__dict__, **overrides})
    validators = validators_for(schema, opts.variant, opts.formats)
    return judge(instance, validators, opts, locator)


def validate_record(
    record: Record | ReadProblem,
    *,
    schema: str | None = None,
    vendor: str | None = None,
    identify: bool = False,
    options: ValidationOptions | None = None,
) -> ValidationResult:
    """Choose the schema of one record (named, routed or identified), then judge it."""
    opts = options or ValidationOptions()
    if isinstance(record, ReadProblem):
        finding = Finding("error", "read", record.kind, "", record.message)
        return ValidationResult(None, opts.variant, (finding,), record.locator, (), "none")
    choice = choose_schema(record, schema=schema, vendor=vendor, identify=identify)
    return judge_choice(record, choice, opts)


def judge_choice(record: Record, choice: Choice, opts: ValidationOptions) -> ValidationResult:
    """The verdict on `record` against its chosen schema, after what choosing found; a
    record with no schema gets only those findings."""
    if choice.schema is None:
        return ValidationResult(
            None,
            opts.variant,
            choice.findings,
            record.locator,
            (),
            choice.chosen_by,
            choice.operation,
        )
    result = judge(
        record.payload,
        validators_for(choice.schema, opts.variant, opts.formats),
        opts,
        record.locator,
        choice.chosen_by,
        choice.operation,
        choice.confidence,
    )
    if not choice.findings:
        return result
    return result._replace(findings=(*choice.findings, *result.findings))


def validate_records(
    sources: str | Path | Iterable[str | Path | Record | ReadProblem],
    *,
    schema: str | None = None,
    vendor: str | None = None,
    identify: bool = False,
    options: ValidationOptions | None = None,
    format: str | None = None,
) -> Iterator[ValidationResult]:
    """Stream a verdict for every record of every source (files, folders or Records)."""
    opts = options or ValidationOptions()
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
