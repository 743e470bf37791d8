"""How much of a long run's findings a report holds.

15,000 findings scrolling past are read by nobody; the text on a terminal stops after the
first 50 records with findings and says how many more there are and where to get them
all. Files (`--output`) and machine formats get everything, unless `--show N` asks for
a sample: the first N records with errors or warnings in full, in every format, and
nothing of the passing ones, while the counts still cover every record (a billion
records make a report of bounded size, and it says so).
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

    def __init__(self, writer: Writer, limit: int | None, sample: bool = False) -> None:
        self._writer = writer
        self._limit = limit
        self._severities = {"error"} if writer.verbosity < 0 else {"error", "warning"}
        self._sample = sample  # `--show N`: passing cases are left out of any format
        self._shown = 0
        self.hidden = 0

    def case(self, case: Case) -> None:
        if self._sample and not case.findings and case.status == "passed":
            return  # counted in the summary; a sample holds what has something to say
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

    @property
    def written(self) -> int:
        """Cases with findings passed to the writer so far."""
        return self._shown

    @property
    def sampled(self) -> str:
        """`--show N`: what the report holds of the cases with findings, for its summary."""
        if not self._sample:
            return ""
        total = self._shown + self.hidden
        return (
            f"the first {self._shown:,} of {total:,} {'case' if total == 1 else 'cases'} with "
            f"{'errors' if self._severities == {'error'} else 'errors or warnings'} written "
            f"(--show {self._limit}); the counts cover every record"
        )

    def say_hidden(self, out: IO[str]) -> None:
        """The line that says how many records with findings were not shown, if any."""
        if self.hidden and not self._sample:
            records = "record" if self.hidden == 1 else "records"
            out.write(
                f"... and {self.hidden:,} more {records} with findings "
                "(use --output FILE or --output-format json for all)\n"
            )
