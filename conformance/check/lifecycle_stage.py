"""The lifecycle stage of `runconform check` (each run followed through the recordings),
and the coverage section of its report (what those recordings exercised).

It reads the recordings the validate stage read (the user's, else every vendor's bundled
ones) and tallies runs per lifecycle: passed when a run observed more than once kept
its lifecycle, failed when it broke it. Recordings where no run is seen twice leave the
stage skipped, saying so: the tour does not demand what a set of single snapshots
cannot show (`validate --lifecycle`, asked for it, does).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from conformance.check.options import CheckOptions
from conformance.errors import ConformanceError, ExitCode
from conformance.report.cases import Case
from conformance.report.model import StageResult, Tally
from conformance.words import plural

TITLE = "Follow each run through the recordings"


def lifecycle_stage(settings: CheckOptions, bundled: dict[str, Path]) -> StageResult:
    from conformance.lifecycle.check import check_lifecycle

    started = time.monotonic()
    if settings.paths:
        vendor = settings.vendors[0] if len(settings.vendors) == 1 else None
        results = [
            check_lifecycle(
                settings.paths,
                schema=settings.schema,
                vendor=vendor,
                identify=settings.schema is None,
            )
        ]
        title = "Follow each run through your recordings"
    else:
        results = [
            check_lifecycle([folder], vendor=vendor, identify=True)
            for vendor, folder in bundled.items()
        ]
        title = TITLE
    runs = [run for result in results for run in result.followed]
    if not runs:
        observed = sum(result.observations for result in results)
        message = (
            f"no run was observed twice ({plural(observed, 'observation')}): no lifecycle to check"
        )
        return StageResult(
            "lifecycle", title, "skipped", time.monotonic() - started, message=message
        )
    passed: Counter[str] = Counter(run.lifecycle for run in runs if not run.findings)
    failed: Counter[str] = Counter(run.lifecycle for run in runs if run.findings)
    tallies = tuple(
        Tally(name, passed[name], failed[name], name.partition(".")[0])
        for name in sorted(passed.keys() | failed.keys())
    )
    findings = tuple(f for run in runs for f in run.findings)
    bad = bool(failed)
    return StageResult(
        "lifecycle",
        title,
        "failed" if bad else "passed",
        time.monotonic() - started,
        tallies,
        findings,
        exit_code=int(ExitCode.NON_CONFORMING) if bad else 0,
    )


def coverage_section(settings: CheckOptions, bundled: dict[str, Path]) -> tuple[Case, ...]:
    """Coverage of the recordings the validate stage read, as report cases (no gates:
    `runconform coverage --min-coverage` is the gate); none when it cannot be told."""
    from conformance.lifecycle.coverage import coverage_of
    from conformance.lifecycle.coverage_cases import coverage_cases

    try:
        if settings.paths:
            vendor = settings.vendors[0] if len(settings.vendors) == 1 else None
            identify = settings.schema is None
            found = coverage_of(
                settings.paths, vendor=vendor, schema=settings.schema, identify=identify
            )
        else:
            found = coverage_of(list(bundled.values()), identify=True)
    except ConformanceError:
        return ()  # the validate stage reports what is wrong with the inputs
    return tuple(case for case in coverage_cases(found) if case.details)
