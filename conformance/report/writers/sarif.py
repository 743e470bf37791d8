"""SARIF 2.1.0 for code scanning: results streamed first, the tool object last.

One result per finding about the user's input, located in a file when the finding (or its
record) is in one, always with a region there; the message carries the place SARIF has no
field for (the path in a record, an operation).

Findings about runconform's own bundle (`check`'s lint, fixture and mapping stages) name
files that ship inside runconform, not in the scanned repository. A result needs a
location in the repository (GitHub refuses a result with none: "expected at least one
location"), so they are not results: they are the run's `toolConfigurationNotifications`,
with the bundled file in the message only. Code scanning raises no alert for them; other
SARIF viewers still list them.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar
from urllib.parse import quote

from conformance import __version__
from conformance.report.cases import Case, Header, Outcome
from conformance.report.findings import Finding
from conformance.report.rules import rule_help
from conformance.report.scope import about_bundle
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
        self.rules: dict[str, Finding] = {}  # rule id -> its first finding, for its help
        self.notices: dict[str, Finding] = {}  # the same, for notifications about the bundle
        self.notifications: list[dict[str, Any]] = []

    def _notification(self, finding: Finding) -> dict[str, Any]:
        """A finding about the bundle: no location, the bundled file named in the message."""
        rule = rule_id(finding)
        self.notices.setdefault(rule, finding)
        return {
            "descriptor": {"id": rule},
            "level": self.LEVELS[finding.severity],
            "message": {"text": f"{location(finding)}: {finding.message}"},
            "properties": {"stage": finding.stage, "subject": finding.subject},
        }

    def _result(self, case: Case, finding: Finding) -> dict[str, Any]:
        rule = rule_id(finding)
        self.rules.setdefault(rule, finding)
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
            physical.setdefault("region", {"startLine": 1})  # every physical location has one
            place: dict[str, Any] = {"physicalLocation": physical}
            if record:
                place["logicalLocations"] = [{"fullyQualifiedName": finding.path, "kind": "member"}]
            result["locations"] = [place]
        if finding.stage or finding.subject:
            result["properties"] = {"stage": finding.stage, "subject": finding.subject}
        return result

    def case(self, case: Case) -> None:
        for finding in case.findings:
            if about_bundle(finding):
                self.notifications.append(self._notification(finding))
                continue
            item = self._result(case, finding)
            self.out.write(("\n  " if self.first else ",\n  ") + json.dumps(item))
            self.first = False

    def _descriptors(self, first: dict[str, Finding]) -> list[dict[str, Any]]:
        """reportingDescriptors with the help code scanning shows beside an alert."""
        described = []
        for rule, finding in sorted(first.items()):
            about = rule_help(finding)
            described.append(
                {
                    "id": rule,
                    "name": "".join(w.title() for w in re.split(r"[^A-Za-z0-9]+", rule)),
                    "shortDescription": {"text": about.short},
                    "fullDescription": {"text": about.full},
                    "help": {"text": about.help},
                    "properties": {"tags": ["runconform", finding.kind]},
                }
            )
        return described

    def end(self, outcome: Outcome) -> None:
        driver: dict[str, Any] = {
            "name": "runconform",
            "version": __version__,
            "informationUri": TOOL_URI,
            "rules": self._descriptors(self.rules),
        }
        if self.notices:
            driver["notifications"] = self._descriptors(self.notices)
        # Columns count code points (Python's str), not SARIF's default UTF-16 code units.
        run: dict[str, Any] = {"tool": {"driver": driver}, "columnKind": "unicodeCodePoints"}
        report = outcome.report
        if report is not None or self.notifications:  # a whole run: how it went
            ok = report is None or all(s.status != "error" for s in report.stages)
            invocation: dict[str, Any] = {"executionSuccessful": ok, "exitCode": outcome.exit_code}
            if self.notifications:
                invocation["toolConfigurationNotifications"] = self.notifications
            run["invocations"] = [invocation]
        if report is not None:  # and stage by stage
            run["properties"] = {
                "stages": [
                    {"name": s.name, "status": s.status, "message": s.message}
                    for s in report.stages
                ]
            }
        tail = json.dumps(run)[1:-1]  # the run object's members after its results
        self.out.write(f"\n], {tail}}}]}}\n")
