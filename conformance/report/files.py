"""Write every report format of one `Report` into a folder, each file atomically."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from conformance.atomic import atomic_output
from conformance.errors import InputError
from conformance.report.cases import Header, Outcome, report_cases
from conformance.report.model import Report
from conformance.report.writers import write_cases

#: format (a name in `WRITERS`) -> the file `check` writes it to
FORMATS: dict[str, str] = {
    "json": "runconform-check.json",
    "junit": "runconform-check.junit.xml",
    "markdown": "runconform-check.md",
    "sarif": "runconform-check.sarif",
    "html": "runconform-check.html",
}


def check_outcome(report: Report) -> Outcome:
    """The outcome every writer ends a check report with."""
    counts = {
        "stages": len(report.stages),
        "findings": len(report.findings),
        **{s.name: s.status for s in report.stages},
    }
    return Outcome(report.exit_code, f"exit {report.exit_code}", counts, report)


def write_report(report: Report, fmt: str, stream: IO[str]) -> None:
    """One format of a check `Report`, through the same writer `validate` streams to."""
    header = Header("check", "runconform check")
    write_cases(fmt, stream, header, report_cases(report), check_outcome(report))


def ensure_writable(folder: Path) -> None:
    """Fail before any work is done when the reports could not be written at the end."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{folder}: cannot write reports here: {exc.strerror or exc}") from None
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{folder}: cannot write reports here: Permission denied")


def write_reports(report: Report, folder: Path, formats: tuple[str, ...] = ()) -> tuple[Path, ...]:
    """These formats (none given: every one), each replacing its previous file only once
    it is complete."""
    ensure_writable(folder)
    written = []
    for fmt, name in FORMATS.items():
        if formats and fmt not in formats:
            continue
        path = folder / name
        with atomic_output(path) as stream:
            write_report(report, fmt, stream)
        written.append(path)
    return tuple(written)
