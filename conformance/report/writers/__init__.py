"""Every output format, by name: one module per format, one line each here.

`validate`, `check`, `contract` and the pytest plugin pick writers from `WRITERS`; a new format is
a module with a `Writer` subclass and a line below. Streaming formats work for every
command; `whole_run` ones (markdown, html) need a whole run's `Report`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from conformance.report.cases import Case, Header, Outcome
from conformance.report.writers.base import Writer
from conformance.report.writers.github import GithubWriter
from conformance.report.writers.html import HtmlWriter
from conformance.report.writers.json import JsonWriter
from conformance.report.writers.junit import JUnitWriter
from conformance.report.writers.markdown import MarkdownWriter
from conformance.report.writers.sarif import SarifWriter
from conformance.report.writers.text import TextWriter

WRITERS: dict[str, type[Writer]] = {
    "text": TextWriter,
    "json": JsonWriter,
    "junit": JUnitWriter,
    "github": GithubWriter,
    "sarif": SarifWriter,
    "markdown": MarkdownWriter,
    "html": HtmlWriter,
}


def streaming_formats() -> list[str]:
    """Formats a streaming command (validate) offers: those that need no whole-run report."""
    return sorted(name for name, writer in WRITERS.items() if not writer.whole_run)


def write_cases(
    fmt: str,
    out: IO[str],
    header: Header,
    cases: Iterable[Case],
    outcome: Outcome,
    *,
    verbosity: int = 0,
) -> None:
    """One format of a whole run's cases: `begin`, every case, `end`."""
    writer = WRITERS[fmt](out, verbosity=verbosity)
    writer.begin(header)
    for case in cases:
        writer.case(case)
    writer.end(outcome)


__all__ = ["WRITERS", "Writer", "streaming_formats", "write_cases"]
