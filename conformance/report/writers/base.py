"""The writer interface every output format implements."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, ClassVar

from conformance.report.cases import Case, Header, Outcome
from conformance.report.model import Report

#: (text, severity) -> text: how a text writer colours a line (identity by default)
Style = Callable[[str, str], str]


def plain(text: str, _severity: str) -> str:
    return text


class Writer:
    """`begin(header)` once, `case(case)` per judged subject, `end(outcome)` once.

    Streaming writers hold counts only, so a 200,000-record recording is written in
    constant memory; `whole_run` writers (markdown, html) render `outcome.report` at
    the end and are offered only by commands that have one (`check`).
    """

    whole_run: ClassVar[bool] = False

    def __init__(self, out: IO[str], *, verbosity: int = 0, style: Style = plain) -> None:
        self.out = out
        self.verbosity = verbosity
        self.style = style
        self.command = ""

    def begin(self, header: Header) -> None:
        self.command = header.command

    def case(self, case: Case) -> None:
        """Whole-run writers ignore cases: they read `outcome.report`."""

    def end(self, outcome: Outcome) -> None:  # pragma: no cover - interface
        raise NotImplementedError


#: Commands with no whole-run `Report` whose cases a whole-run writer renders, and the
#: method that renders them (one per command, on every whole-run writer).
CASE_RENDERERS = {"coverage": "render_coverage", "drift": "render_drift", "diff": "render_diff"}


class WholeRunWriter(Writer):
    """Renders the whole run's `Report` at the end (markdown, html); ignores the cases,
    except `coverage`'s, `drift`'s and `diff`'s, which have no `Report`: their cases are
    rendered instead."""

    whole_run = True

    def begin(self, header: Header) -> None:
        super().begin(header)
        self.coverage: list[Case] = []

    def case(self, case: Case) -> None:
        if self.command in CASE_RENDERERS:
            self.coverage.append(case)

    def end(self, outcome: Outcome) -> None:
        renderer = CASE_RENDERERS.get(self.command)
        if renderer is not None and outcome.report is None:
            getattr(self, renderer)(self.coverage, outcome)
            return
        if outcome.report is None:  # pragma: no cover - offered only where there is one
            raise ValueError(f"{type(self).__name__} needs a whole-run report")
        self.render(outcome.report)

    def render_coverage(self, cases: list[Case], outcome: Outcome) -> None:  # pragma: no cover
        raise NotImplementedError

    def render_drift(self, cases: list[Case], outcome: Outcome) -> None:  # pragma: no cover
        raise NotImplementedError

    def render_diff(self, cases: list[Case], outcome: Outcome) -> None:  # pragma: no cover
        raise NotImplementedError

    def render(self, report: Report) -> None:  # pragma: no cover - interface
        raise NotImplementedError
