"""Text: findings grouped per case in the one text form; -q errors only, -v info and passes."""

from __future__ import annotations

from conformance.report.cases import Case, Outcome
from conformance.report.coverage_table import coverage_rows, text_table
from conformance.report.text import finding_line, location, user_errata_line
from conformance.report.writers.base import Writer

_SHOWN = {-1: ("error",), 0: ("error", "warning"), 1: ("error", "warning", "info")}


class TextWriter(Writer):
    def case(self, case: Case) -> None:
        if not case.findings and self.verbosity <= 0:
            return
        shown = _SHOWN[max(-1, min(1, self.verbosity))]
        at = case.name if case.record is not None else None
        lines = [
            self.style(finding_line(f, location(f, at)), f.severity)
            for f in case.findings
            if f.severity in shown
        ]
        if not lines and self.verbosity > 0:
            variant = f", {case.record.variant}" if case.record is not None else ""
            schema = case.record.schema if case.record is not None else case.group
            lines = [f"{case.name}: ok ({schema}{variant})"]
        if lines:
            self.out.write("\n".join(lines) + "\n")

    def end(self, outcome: Outcome) -> None:
        self.out.write(text_table(coverage_rows(outcome.coverage)))  # "" without coverage
        self.out.write(outcome.line + "\n")
        if outcome.user_errata:
            self.out.write(user_errata_line(outcome.user_errata) + "\n")
