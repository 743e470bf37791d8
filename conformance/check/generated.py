"""Stages on generated data: the fixture self-check and the mapping checks.

Both prove the bundle's own promises: that fixtures are what they claim (valid ones
conform strictly, each negative breaks exactly its labelled rule) and that every
vendor run maps to a valid canonical run.
"""

from __future__ import annotations

import time
from dataclasses import replace

from conformance.check.options import CheckOptions
from conformance.errors import ConformanceError, ExitCode
from conformance.report.findings import Finding
from conformance.report.model import StageResult, Tally


def _vendor(name: str) -> str:
    return name.partition(".")[0]


def _tallied(
    name: str, title: str, started: float, tallies: list[Tally], findings: list[Finding]
) -> StageResult:
    """A stage that ran to the end: failed (exit 1) when any tally has a failure."""
    failed = sum(t.failed for t in tallies)
    return StageResult(
        name,
        title,
        "failed" if failed else "passed",
        time.monotonic() - started,
        tuple(tallies),
        tuple(findings),
        exit_code=int(ExitCode.NON_CONFORMING) if failed else 0,
    )


def fixtures_stage(settings: CheckOptions) -> StageResult:
    """Per listed object: `n` valid fixtures conform (strict) and `n` negatives fail as labelled."""
    from conformance.bundle.catalog import load_catalog
    from conformance.generate import generate, generate_invalid
    from conformance.validation.engine import ValidationOptions, validate

    started = time.monotonic()
    catalog = load_catalog()
    strict = ValidationOptions(variant=settings.variant, strict=True)  # type: ignore[arg-type]
    expecting = ValidationOptions(variant=settings.variant, expect_violations=True)  # type: ignore[arg-type]
    tallies, findings = [], []
    for vendor in settings.vendors:
        for name in catalog.names(vendor):
            ok = bad = 0
            pairs = [(item, strict) for item in generate(name, settings.fixtures, settings.seed)]
            pairs += [
                (neg.sidecar(), expecting)
                for neg in generate_invalid(name, settings.fixtures, settings.seed)
            ]
            for index, (item, options) in enumerate(pairs):
                result = validate(item, name, options=options)
                if result.ok:
                    ok += 1
                    continue
                bad += 1
                polarity = "valid" if options is strict else "negative"
                number = index if options is strict else index - settings.fixtures
                hint = f"{polarity} fixture {number} (seed {settings.seed})"
                findings += [
                    replace(f, severity="error", stage="fixtures", subject=name, hint=hint)
                    for f in result.findings
                ]
            tallies.append(Tally(name, ok, bad, vendor))
    return _tallied("fixtures", "Generate fixtures and check them", started, tallies, findings)


def mappings_stage(settings: CheckOptions) -> tuple[StageResult, dict[str, object] | None]:
    """The mapping files' static checks, then every run object's fixtures mapped to canonical."""
    from conformance.generate import generate
    from conformance.mapping.matrix import expressiveness
    from conformance.mapping.scenarios import RUN_OBJECTS
    from conformance.mapping.spec_checks import check_mappings

    started = time.monotonic()
    report = check_mappings()
    findings = [replace(p, subject="mapping files") for p in report.problems]
    broken = {p.file for p in report.problems}
    tallies = [Tally("mapping files", len(report.files) - len(broken), len(broken))]
    for name in (n for n in RUN_OBJECTS if _vendor(n) in settings.vendors):
        ok = bad = 0
        for index, run in enumerate(generate(name, settings.fixtures, settings.seed)):
            problem = _round_trip_problem(run, name)
            if problem is None:
                ok += 1
                continue
            bad += 1
            findings.append(
                Finding(
                    "error",
                    "mapping",
                    "round-trip",
                    "",
                    problem,
                    subject=f"{name} -> canonical -> back",
                    stage="mappings",
                    hint=f"fixture {index} (seed {settings.seed})",
                )
            )
        tallies.append(Tally(f"{name} -> canonical -> back", ok, bad, _vendor(name)))
    matrix = expressiveness().as_json()
    title = "Check the mappings to the canonical run"
    return _tallied("mappings", title, started, tallies, findings), matrix


def _round_trip_problem(run: object, name: str) -> str | None:
    """None when `run` maps to a valid canonical run and back to itself; else what went
    wrong. Default fixtures carry every source the canonical run requires, so a fixture
    that cannot be mapped is a finding, never excused."""
    from conformance.mapping.engine import from_canonical, to_canonical

    try:
        canonical = to_canonical(run, name)
        if to_canonical(from_canonical(canonical, name), name) != canonical:
            return "mapping to canonical, back and again does not give the same canonical run"
    except ConformanceError as error:
        return error.message
    return None
