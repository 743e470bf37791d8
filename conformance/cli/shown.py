"""How much of a long run's findings a terminal shows: the first `TERMINAL_CASES` records.

15,000 findings scrolling past are read by nobody; the text on a terminal stops after the
first 50 records with findings and says how many more there are and where to get them
all. Files (`--output`) and machine formats always get everything.
"""

from __future__ import annotations

from typing import IO

from conformance.report.cases import Case
from conformance.report.writers.base import Writer

#: Records with findings a terminal shows in full.
TERMINAL_CASES = 50


class ShownCases:
    """Passes cases to `writer`, all of them or (with a `limit`) the first `limit` of
    those the writer would print findings for; `say_hidden` tells how many were left out."""

    def __init__(self, writer: Writer, limit: int | None) -> None:
        self._writer = writer
        self._limit = limit
        self._severities = {"error"} if writer.verbosity < 0 else {"error", "warning"}
        self._shown = 0
        self.hidden = 0

    def case(self, case: Case) -> None:
        if self._limit is None or not case.findings:
            self._writer.case(case)
            return
        if not any(f.severity in self._severities for f in case.findings):
            return  # the writer prints nothing for it at this verbosity
        if self._shown < self._limit:
            self._shown += 1
            self._writer.case(case)
        else:
            self.hidden += 1

    def say_hidden(self, out: IO[str]) -> None:
        """The line that says how many records with findings were not shown, if any."""
        if self.hidden:
            records = "record" if self.hidden == 1 else "records"
            out.write(
                f"... and {self.hidden:,} more {records} with findings "
                "(use --output FILE or --output-format json for all)\n"
            )
