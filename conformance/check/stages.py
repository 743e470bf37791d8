"""The stages of `runconform check`, each turning one library result into a `StageResult`.

A stage never raises for bad input: a `ConformanceError` becomes an errored stage
with its message and exit code, so the stages after it still run and the report
still shows what did happen.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from conformance.check.options import CheckOptions
from conformance.errors import ConformanceError, ExitCode, missing_extra
from conformance.report.findings import CleanRecords, Finding, ValidationResult
from conformance.report.model import StageResult, StageStatus, Tally
from conformance.words import plural


def guarded(name: str, title: str, body: Callable[[], StageResult]) -> StageResult:
    """Run one stage; its deliberate errors become an errored stage, timed like the rest, and
    so does a missing optional dependency (the contract stage without Schemathesis)."""
    started = time.monotonic()
    try:
        return body()
    except (ConformanceError, ImportError) as caught:
        error = missing_extra(caught) if isinstance(caught, ImportError) else caught
        if error is None:
            raise
        return StageResult(
            name,
            title,
            "error",
            time.monotonic() - started,
            message=error.message,
            exit_code=int(error.exit_code),
        )


def _vendor_of(subject: str | None) -> str | None:
    return subject.partition(".")[0] if subject and "." in subject else None


def _status(failed: int, code_if_failed: int = ExitCode.NON_CONFORMING) -> tuple[StageStatus, int]:
    return ("failed", int(code_if_failed)) if failed else ("passed", 0)


# -- lint ------------------------------------------------------------------------------------


def lint_stage(settings: CheckOptions) -> StageResult:
    """Lint the bundle: an error means the schemas themselves cannot be trusted (exit 3)."""
    from conformance.bundle.catalog import load_catalog
    from conformance.bundle.lint import lint_bundle

    started = time.monotonic()
    report = lint_bundle(settings.variant)  # type: ignore[arg-type]
    errors: dict[str, int] = defaultdict(int)
    findings = []
    for f in report.findings:
        parts = (f.file or "").split("/")  # schemas/<vendor>/<Object>.json, contracts/<vendor>/...
        vendor = parts[1] if len(parts) > 2 else None
        if vendor is not None and vendor not in settings.vendors:
            continue
        errors[f.file or ""] += f.severity == "error"
        findings.append(f)
    catalog = load_catalog()
    tallies = []
    for vendor in settings.vendors:
        for name in catalog.names(vendor, include_dependencies=True):
            file = f"schemas/{catalog.entry(name, settings.variant).path}"  # type: ignore[arg-type]
            bad = 1 if errors.get(file) else 0
            tallies.append(Tally(name, 1 - bad, bad, vendor))
    status, code = _status(sum(errors.values()), ExitCode.BUNDLE)
    return StageResult(
        "lint",
        "Lint the schema bundle",
        status,
        time.monotonic() - started,
        tuple(tallies),
        tuple(findings),
        exit_code=code,
    )


# -- validate --------------------------------------------------------------------------------


def validation_stage(
    name: str,
    title: str,
    results: Iterable[ValidationResult | CleanRecords],
    started: float,
) -> StageResult:
    """Tallies per schema and findings with locators, from any stream of validation results."""
    from conformance.report.cases import Summary
    from conformance.report.placement import placed
    from conformance.report.text import locator_text

    summary = Summary()
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    findings: list[Finding] = []
    problems: list[str] = []
    for result in results:
        if isinstance(result, CleanRecords):
            summary.add_clean(result)
            counts[result.schema or "unidentified"][0] += result.count
            continue
        summary.add(result)
        subject = result.schema or "unidentified"
        if result.unreadable:
            problems.append(f"{locator_text(result)}: {result.findings[0].message}")
        else:
            counts[subject][0 if result.ok else 1] += 1
        loc = result.locator
        file, line = (loc.file, loc.line) if loc else (None, None)
        label = loc.label if loc and loc.line is None else ""  # entries[3]: a HAR has no lines
        findings += [  # at the bad value where it is found (as validate), else at the record
            replace(f, stage=name, subject=subject, file=f.file or file, line=f.line or line)
            if f.line
            else replace(f, stage=name, subject=subject, file=file, line=line, label=label)
            for f in placed(result).findings
        ]
    tallies = tuple(
        Tally(subject, ok, bad, _vendor_of(subject))
        for subject, (ok, bad) in sorted(counts.items())
    )
    code = summary.exit_code()
    status: StageStatus = "passed" if code == 0 else "failed"
    message = None
    if summary.unreadable:
        status = "error"
        message = f"{plural(len(problems), 'unreadable input')}: " + "; ".join(problems[:3])
    elif summary.records == 0:
        status, code, message = "error", int(ExitCode.UNREADABLE), "no records found"
    return StageResult(
        name, title, status, time.monotonic() - started, tallies, tuple(findings), message, code
    )


def validate_stage(settings: CheckOptions, bundled: dict[str, Path]) -> StageResult:
    """The user's recordings (routed or identified), else every vendor's bundled ones."""
    from conformance.validation.engine import ValidationOptions, validate_records

    started = time.monotonic()
    options = ValidationOptions(variant=settings.variant, strict=settings.strict)  # type: ignore[arg-type]
    paths, schema = settings.paths, settings.schema
    if paths:
        vendor = settings.vendors[0] if len(settings.vendors) == 1 else None
        streams: Iterator[ValidationResult | CleanRecords] = validate_records(
            paths, schema=schema, vendor=vendor, identify=schema is None, options=options
        )
        title = "Validate your recordings"
    else:

        def every_vendor() -> Iterator[ValidationResult | CleanRecords]:
            for vendor, folder in bundled.items():
                yield from validate_records([folder], vendor=vendor, identify=True, options=options)

        streams = every_vendor()
        title = "Validate the bundled example recordings"
    return validation_stage("validate", title, streams, started)
