"""Write every report format of one `Report` into a folder, each file atomically."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import IO

from conformance.atomic import atomic_output
from conformance.errors import InputError
from conformance.report.html import write_html
from conformance.report.jsonreport import write_json
from conformance.report.junit import write_junit
from conformance.report.markdown import write_markdown
from conformance.report.model import Report
from conformance.report.sarif import write_sarif

#: format -> (file name, writer)
FORMATS: dict[str, tuple[str, Callable[[Report, IO[str]], None]]] = {
    "json": ("runconform-check.json", write_json),
    "junit": ("runconform-check.junit.xml", write_junit),
    "markdown": ("runconform-check.md", write_markdown),
    "sarif": ("runconform-check.sarif", write_sarif),
    "html": ("runconform-check.html", write_html),
}


def ensure_writable(folder: Path) -> None:
    """Fail before any work is done when the reports could not be written at the end."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{folder}: cannot write reports here: {exc.strerror or exc}") from None
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{folder}: cannot write reports here: Permission denied")


def write_reports(report: Report, folder: Path) -> tuple[Path, ...]:
    """Every format, each replacing its previous file only once it is complete."""
    ensure_writable(folder)
    written = []
    for name, writer in FORMATS.values():
        path = folder / name
        with atomic_output(path) as stream:
            writer(report, stream)
        written.append(path)
    return tuple(written)
