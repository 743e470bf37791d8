"""The files `runconform contract --report` writes, each `contract-VENDOR.SUFFIX`, atomically.

Finding reports (json, junit, sarif, github, text) go through the one writer registry,
so they say what `validate` and `check` say of the same body, and JSON and text add what
the run exercised of the contract (`coverage_section`); the recordings (har, vcr) keep
the exchanges themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from conformance.atomic import atomic_output
from conformance.contract import recordings
from conformance.contract.cases import contract_cases, contract_outcome, run_case
from conformance.contract.recordings import Exchange
from conformance.contract.results import ContractResult
from conformance.report.cases import Case, Header, Outcome
from conformance.report.files import ensure_writable
from conformance.report.writers import streaming_formats, write_cases

#: finding-report format -> suffix; a format not named here is written as `.FORMAT`
_SUFFIXES = {"junit": "junit.xml", "text": "txt", **recordings.SUFFIXES}


def report_formats() -> tuple[str, ...]:
    """What `--report` offers: every streaming writer, then the recordings."""
    return (*streaming_formats(), *recordings.WRITERS)


def report_path(directory: Path, vendor: str, fmt: str) -> Path:
    return directory / f"contract-{vendor}.{_SUFFIXES.get(fmt, fmt)}"


def write_contract_reports(
    result: ContractResult,
    formats: Iterable[str],
    directory: Path,
    coverage: tuple[Case, ...] = (),
) -> tuple[Path, ...]:
    """Each format into `directory`, replacing a previous file only once complete. The
    finding reports carry the run's `coverage` (`coverage_section.contract_coverage`), if
    given: JSON as its `coverage` key, text as the table."""
    ensure_writable(directory)
    header = Header("contract", f"runconform contract {result.vendor}")
    verdict = run_case(result)
    cases = contract_cases(result) + ((verdict,) if verdict else ())
    outcome = replace(contract_outcome(result), coverage=coverage)
    return write_reports_of(
        result.vendor, result.exchanges, header, cases, outcome, formats, directory
    )


def write_reports_of(
    vendor: str,
    exchanges: tuple[Exchange, ...],
    header: Header,
    cases: Sequence[Case],
    outcome: Outcome,
    formats: Iterable[str],
    directory: Path,
) -> tuple[Path, ...]:
    """Each format into `directory`, atomically: a recording of `exchanges` (har, vcr) or
    the cases through the writer of that name (any contract run, property or lifecycle)."""
    written = []
    for fmt in formats:
        path = report_path(directory, vendor, fmt)
        with atomic_output(path) as out:
            if fmt in recordings.WRITERS:
                recordings.WRITERS[fmt](exchanges, out)
            else:
                write_cases(fmt, out, header, cases, outcome)
        written.append(path)
    return tuple(written)
