"""Versioned JSON, the serialisation of the result model: cases streamed into `results`,
then the summary (and, for `check`, the stages, provenance and matrix of its `Report`).

Version 2: every finding is the one `Finding` (kind and keyword apart, `rule` both,
`locator` its text form's place) and every result is a case (stage, name, group, status).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from conformance import __version__
from conformance.report.cases import Case, Header, Outcome
from conformance.report.findings import Finding
from conformance.report.model import Report
from conformance.report.text import location, rule_id
from conformance.report.writers.base import Writer

JSON_REPORT_VERSION = 2


def finding_dict(finding: Finding, at: str | None = None) -> dict[str, Any]:
    return {
        "severity": finding.severity,
        "kind": finding.kind,
        "keyword": finding.keyword,
        "rule": rule_id(finding),
        "pointer": finding.pointer,
        "path": finding.path,
        "locator": location(finding, at),
        "message": finding.message,
        "schema_path": finding.schema_path,
        "subject": finding.subject,
        "stage": finding.stage,
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "label": finding.label,
        "hint": finding.hint,
    }


def case_dict(case: Case) -> dict[str, Any]:
    """A case; a validated record adds its verdict (locator, schema, variant, errata...)."""
    at = case.name if case.record is not None else None
    data: dict[str, Any] = {
        "stage": case.stage,
        "name": case.name,
        "group": case.group,
        "status": case.status,
        "file": case.file,
        "line": case.line,
        "count": case.count,
        "message": case.message,
    }
    result = case.record
    if result is not None:
        loc = result.locator
        data["locator"] = (
            None
            if loc is None
            else {"file": loc.file, "index": loc.index, "line": loc.line, "label": loc.label}
        )
        data |= {
            "schema": result.schema,
            "variant": result.variant,
            "errata": list(result.errata),
            "chosen_by": result.chosen_by,
            "operation": result.operation,
            "confidence": result.confidence,
            "ok": result.ok,
        }
    if case.details:
        data["details"] = dict(case.details)
    data["findings"] = [finding_dict(f, at) for f in case.findings]
    return data


def report_dict(report: Report) -> dict[str, Any]:
    """A check `Report` as plain data, derived totals included for readers' convenience."""
    data = asdict(report)
    data = {"version": data.pop("version"), **data}
    for stage, raw in zip(report.stages, data["stages"], strict=True):
        raw["passed"], raw["failed"], raw["untested"] = stage.passed, stage.failed, stage.untested
        raw["findings"] = [finding_dict(f) for f in stage.findings]
    data["findings_by_kind"] = [{"kind": k, "count": n} for k, n in report.findings_by_kind()]
    data["worst"] = [finding_dict(f) for f in report.worst()]
    data["coverage"] = [dict(case.details or {}) for case in report.coverage]
    return data


class JsonWriter(Writer):
    """One JSON document; cases are streamed into its array, the summary comes last."""

    def begin(self, header: Header) -> None:
        super().begin(header)
        self.out.write(
            f'{{"version": {JSON_REPORT_VERSION}, "tool": {{"name": "runconform", '
            f'"version": "{__version__}"}}, "command": {json.dumps(header.command)}, '
            '"results": ['
        )
        self.first = True

    def case(self, case: Case) -> None:
        self.case_data(case_dict(case))

    def case_data(self, data: Mapping[str, Any]) -> None:
        """A case already made plain data (the pytest plugin's, gathered from xdist workers)."""
        self.out.write(("\n  " if self.first else ",\n  ") + json.dumps(data))
        self.first = False

    def end(self, outcome: Outcome) -> None:
        self.out.write(f'\n], "summary": {json.dumps(dict(outcome.counts))}')
        if outcome.user_errata:
            found = [dict(e) for e in outcome.user_errata]
            self.out.write(f', "user_errata": {json.dumps(found, ensure_ascii=False)}')
        if outcome.report is None and outcome.coverage:  # a check's is in its report
            found = [dict(case.details or {}) for case in outcome.coverage]
            self.out.write(f', "coverage": {json.dumps(found, ensure_ascii=False)}')
        if outcome.report is not None:
            data = report_dict(outcome.report)
            del data["version"]  # the document's own, above
            for key, value in data.items():
                self.out.write(f", {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
        self.out.write("}\n")
