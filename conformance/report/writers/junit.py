"""JUnit XML: a testsuite per stage, a testcase per case; failing cases carry their
findings in the one text form. Suite bodies are spooled to temporary files, since the
counts the suite element needs are known only at the end (constant memory)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from typing import IO

from conformance.atomic import cannot_write
from conformance.report.cases import Case, Header, Outcome
from conformance.report.escape import xml_attr, xml_text
from conformance.report.text import finding_line, location
from conformance.report.writers.base import Writer

#: case status -> the JUnit element that carries it
_ELEMENT = {"failed": "failure", "untested": "failure", "error": "error", "skipped": "skipped"}


@dataclass
class _Suite:
    name: str
    body: IO[str]
    tests: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_ELEMENT.values(), 0))


def _testcase(case: Case) -> str:
    head = f"    <testcase classname={xml_attr(case.group)} name={xml_attr(case.name)}>"
    element = _ELEMENT.get(case.status)
    if element is None:
        return head + "</testcase>\n"
    errors = [f for f in case.findings if f.severity == "error"] or list(case.findings)
    reason = case.message or (errors[0].message if errors else case.status)
    if element == "skipped" or not errors:
        return f"{head}\n      <{element} message={xml_attr(reason)}/>\n    </testcase>\n"
    at = case.name if case.record is not None else None
    text = "\n".join(finding_line(f, location(f, at)) for f in errors)
    return (
        f"{head}\n      <{element} message={xml_attr(reason)} type={xml_attr(errors[0].keyword)}>"
        f"{xml_text(text)}</{element}>\n    "
        "</testcase>\n"
    )


class JUnitWriter(Writer):
    def begin(self, header: Header) -> None:
        super().begin(header)
        self.suites: list[_Suite] = []
        if header.command != "check":  # one suite, even with no case
            self._suite(header.command)

    def _suite(self, stage: str) -> _Suite:
        """Suite per stage for `check`, one for the other commands; opened as cases come."""
        name = (
            f"runconform check: {stage}"
            if self.command == "check"
            else (f"runconform {self.command}")
        )
        if self.suites and self.suites[-1].name == name:
            return self.suites[-1]
        try:
            spool = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed in end()
        except OSError as exc:
            raise cannot_write(tempfile.gettempdir(), exc) from None
        self.suites.append(_Suite(name, spool))
        return self.suites[-1]

    def case(self, case: Case) -> None:
        suite = self._suite(case.stage)
        suite.tests += 1
        element = _ELEMENT.get(case.status)
        if element:
            suite.counts[element] += 1
        try:
            suite.body.write(_testcase(case))
        except OSError as exc:  # the spool is in the temp folder: a full disk shows here
            raise cannot_write(tempfile.gettempdir(), exc) from None

    def end(self, outcome: Outcome) -> None:
        report = outcome.report
        times = {f"runconform check: {s.name}": s.elapsed for s in report.stages} if report else {}
        tests = sum(s.tests for s in self.suites)
        failures = sum(s.counts["failure"] for s in self.suites)
        errors = sum(s.counts["error"] for s in self.suites)
        self.out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuites name={xml_attr("runconform " + self.command)} tests="{tests}" '
            f'failures="{failures}" errors="{errors}">\n'
        )
        for suite in self.suites:
            time = f' time="{times[suite.name]:.3f}"' if suite.name in times else ""
            self.out.write(
                f'  <testsuite name={xml_attr(suite.name)} tests="{suite.tests}" '
                f'failures="{suite.counts["failure"]}" errors="{suite.counts["error"]}" '
                f'skipped="{suite.counts["skipped"]}"{time}>\n'
            )
            try:
                suite.body.seek(0)  # flushes the spool: a full disk may show here
                while chunk := suite.body.read(1 << 16):
                    self.out.write(chunk)
                suite.body.close()
            except OSError as exc:
                raise cannot_write(tempfile.gettempdir(), exc) from None
            self.out.write("  </testsuite>\n")
        self.out.write("</testsuites>\n")
