"""GitHub Actions workflow commands: annotations on the lines the findings are on."""

from __future__ import annotations

from typing import ClassVar

from conformance.report.cases import Case, Outcome
from conformance.report.text import encodable, location
from conformance.report.writers.base import Writer


def _gh(text: str, is_property: bool) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if is_property else text


class GithubWriter(Writer):
    LEVELS: ClassVar[dict[str, str]] = {"error": "error", "warning": "warning", "info": "notice"}

    def case(self, case: Case) -> None:
        for finding in case.findings:
            if finding.severity == "info":
                continue
            file, line = finding.file or case.file, finding.line or case.line
            props = [f"file={_gh(file, True)}"] if file else []
            if file and line:
                props.append(f"line={line}")
                if finding.line and finding.column:
                    props.append(f"col={finding.column}")
                    props.append(f"endLine={finding.end_line or finding.line}")
            props.append(f"title={_gh('runconform ' + finding.keyword, True)}")
            where = finding.path if case.record is not None else location(finding)
            message = _gh(f"{where}: {encodable(finding.message)}", False)
            self.out.write(f"::{self.LEVELS[finding.severity]} {','.join(props)}::{message}\n")

    def end(self, outcome: Outcome) -> None:
        self.out.write(outcome.line + "\n")
