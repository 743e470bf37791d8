"""SARIF 2.1.0 for code scanning: results streamed first, the tool object last.

One result per finding, located in a file when the finding (or its record) is in one;
the message carries the place SARIF has no field for (the path in a record, an operation).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar
from urllib.parse import quote

from conformance import __version__
from conformance.report.cases import Case, Header, Outcome
from conformance.report.findings import Finding
from conformance.report.text import location, rule_id
from conformance.report.writers.base import Writer

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_URI = "https://runconform.invalid/"


def region(finding: Finding, line: int) -> dict[str, int]:
    """The finding's region: the value's start and end when placed, else its record's line."""
    if finding.line is None or finding.column is None:
        return {"startLine": line}
    found = {"startLine": finding.line, "startColumn": finding.column}
    if finding.end_line is not None and finding.end_column is not None:
        found |= {"endLine": finding.end_line, "endColumn": finding.end_column}
    return found


class SarifWriter(Writer):
    LEVELS: ClassVar[dict[str, str]] = {"error": "error", "warning": "warning", "info": "note"}

    def begin(self, header: Header) -> None:
        super().begin(header)
        head = f'{{"$schema": "{SARIF_SCHEMA}", "version": "2.1.0", "runs": [{{"results": ['
        self.out.write(head)
        self.first = True
        self.rules: dict[str, str] = {}

    def _result(self, case: Case, finding: Finding) -> dict[str, Any]:
        rule = rule_id(finding)
        self.rules.setdefault(rule, finding.kind)
        record = case.record is not None
        file, line = finding.file or case.file, finding.line or case.line
        where = finding.path if record else location(finding)
        result: dict[str, Any] = {
            "ruleId": rule,
            "level": self.LEVELS[finding.severity],
            "message": {"text": f"{where}: {finding.message}"},
            "locations": [],
        }
        if file:
            # a path is not a URI: percent-encode (spaces, '#', '%', undecodable bytes)
            uri = quote(file, safe="/", errors="surrogateescape")
            physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
            if line:
                physical["region"] = region(finding, line)
            place: dict[str, Any] = {"physicalLocation": physical}
            if record:
                place["logicalLocations"] = [{"fullyQualifiedName": finding.path, "kind": "member"}]
            result["locations"] = [place]
        if finding.stage or finding.subject:
            result["properties"] = {"stage": finding.stage, "subject": finding.subject}
        return result

    def case(self, case: Case) -> None:
        for finding in case.findings:
            item = self._result(case, finding)
            self.out.write(("\n  " if self.first else ",\n  ") + json.dumps(item))
            self.first = False

    def end(self, outcome: Outcome) -> None:
        rules = [
            {"id": rule, "shortDescription": {"text": f"{kind} check {rule.split('/', 1)[1]}"}}
            for rule, kind in sorted(self.rules.items())
        ]
        driver = {"name": "runconform", "version": __version__, "informationUri": TOOL_URI}
        run: dict[str, Any] = {"tool": {"driver": {**driver, "rules": rules}}}
        report = outcome.report
        if report is not None:  # a whole run: how it went, stage by stage
            run["invocations"] = [
                {
                    "executionSuccessful": all(s.status != "error" for s in report.stages),
                    "exitCode": outcome.exit_code,
                }
            ]
            run["properties"] = {
                "stages": [
                    {"name": s.name, "status": s.status, "message": s.message}
                    for s in report.stages
                ]
            }
        tail = json.dumps(run)[1:-1]  # the run object's members after its results
        self.out.write(f"\n], {tail}}}]}}\n")
