"""`run_check`: the whole tour in one call, as one `Report`.

With no paths and no base URL it checks what ships with the package (the bundled
recordings, generated fixtures, the mappings, each vendor's simulator); with them,
the user's recordings and API. Every stage runs even when an earlier one failed, so
the report always says as much as could be found out.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance.check.generated import fixtures_stage, mappings_stage
from conformance.check.lifecycle_stage import coverage_section, lifecycle_stage
from conformance.check.live import contract_stage
from conformance.check.options import CheckOptions
from conformance.check.stages import guarded, lint_stage, validate_stage
from conformance.errors import UsageError
from conformance.report.model import Erratum, Provenance, Report, Source, StageResult

#: (name, title) of every stage, in the order they run.
STAGES: tuple[tuple[str, str], ...] = (
    ("lint", "Lint the schema bundle"),
    ("validate", "Validate recordings"),
    ("lifecycle", "Follow each run through the recordings"),
    ("fixtures", "Generate fixtures and check them"),
    ("mappings", "Check the mappings to the canonical run"),
    ("contract", "Contract-test the run APIs"),
)


#: Called with (stage name, title) as a stage starts and with its result as it ends.
Progress = Callable[[str, str, StageResult | None], None]


def bundled_recordings(vendors: tuple[str, ...]) -> dict[str, Path]:
    from conformance.bundle.resources import contracts_dir

    root = contracts_dir() / "recordings"
    return {v: root / v for v in vendors if (root / v).is_dir()}


def _vendors(requested: tuple[str, ...]) -> tuple[str, ...]:
    from conformance.bundle.catalog import load_catalog

    known = tuple(v for v in load_catalog().vendors() if v != "canonical")
    unknown = [v for v in requested if v not in known]
    if unknown:
        raise UsageError(f"unknown vendor {unknown[0]!r}; expected one of {', '.join(known)}")
    return requested or known


def run_check(options: CheckOptions, progress: Progress | None = None) -> Report:
    """Every stage in order; a stage's own failure never stops the ones after it."""
    from conformance import __version__

    started = time.monotonic()
    created = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    vendors = _vendors(options.vendors)
    if options.base_url and len(vendors) != 1:
        raise UsageError("--url needs exactly one --vendor: the contract to test it against")
    settings = replace(options, vendors=vendors)
    user_inputs = bool(options.paths or options.base_url)
    matrix: dict[str, Any] | None = None

    def mappings() -> StageResult:
        nonlocal matrix
        stage, matrix = mappings_stage(settings)
        return stage

    bodies: dict[str, Callable[[], StageResult]] = {
        "lint": lambda: lint_stage(settings),
        "validate": lambda: validate_stage(settings, bundled_recordings(vendors)),
        "lifecycle": lambda: lifecycle_stage(settings, bundled_recordings(vendors)),
        "fixtures": lambda: fixtures_stage(settings),
        "mappings": mappings,
        "contract": lambda: contract_stage(settings),
    }
    results = []
    for name, title in STAGES:
        if progress:
            progress(name, title, None)
        if name in ("validate", "lifecycle") and user_inputs and not options.paths:
            result = StageResult(name, title, "skipped", 0.0, message="no recordings given")
        elif name == "contract" and options.paths and not options.base_url:
            result = StageResult(name, title, "skipped", 0.0, message="no --url given")
        else:
            result = guarded(name, title, bodies[name])
        results.append(result)
        if progress:
            progress(name, title, result)
    inputs = tuple(str(p) for p in options.paths)
    if options.base_url:
        from conformance.contract.runner import shown_url

        inputs += (shown_url(options.base_url),)
    return Report(
        tool_version=__version__,
        created=created,
        elapsed=time.monotonic() - started,
        exit_code=max((r.exit_code for r in results), default=0),
        stages=tuple(results),
        provenance=provenance(options.variant, vendors),
        matrix=matrix,
        inputs=inputs,
        coverage=coverage_section(settings, bundled_recordings(vendors))
        if options.paths or not user_inputs
        else (),
    )


def provenance(variant: str, vendors: tuple[str, ...]) -> Provenance:
    """The vendor sources (with their sha256) and errata behind the schemas used."""
    from conformance.bundle.errata import load_errata
    from conformance.bundle.resources import contracts_dir, schemas_dir
    from conformance.bundle.user_errata import UserErrata, active_errata
    from conformance.bundle.vendor_contracts import load_all

    digest = hashlib.sha256()
    root = schemas_dir()
    for path in sorted(root.rglob("*.json")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    sources, errata = [], []
    for vendor in load_all(contracts_dir()):
        if vendor.vendor not in vendors:
            continue
        sources += [
            Source(vendor.vendor, s.relpath, s.sha256 or "", s.upstream) for s in vendor.sources
        ]
        if variant == "corrected":
            errata += [
                Erratum(vendor.vendor, e.id, e.object, e.rationale)
                for e in load_errata(vendor.directory)
            ]
    if variant == "corrected":
        errata += [
            Erratum(
                e.object.partition(".")[0], e.id, e.object.partition(".")[2], e.rationale, e.source
            )
            for e in (active_errata() or UserErrata((), (), "")).errata
            if e.object.partition(".")[0] in vendors
        ]
    return Provenance(variant, digest.hexdigest(), tuple(sources), tuple(errata))
