"""SARIF 2.1.0 of a `Report`, for code scanning: one result per finding, located in a
file when the finding is in one (a recording or a bundled schema)."""

from __future__ import annotations

import json
from typing import IO, Any
from urllib.parse import quote

from conformance.report.model import Report
from conformance.report.outputs import SARIF_SCHEMA, TOOL_URI

_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def sarif_dict(report: Report) -> dict[str, Any]:
    rules: dict[str, int] = {}
    results = []
    for f in report.findings:
        index = rules.setdefault(f.kind, len(rules))
        result: dict[str, Any] = {
            "ruleId": f.kind,
            "ruleIndex": index,
            "level": _LEVELS[f.severity],
            "message": {"text": f"{f.subject}: {f.message} ({f.locator})"},
            "properties": {"stage": f.stage, "subject": f.subject},
        }
        if f.file:
            physical: dict[str, Any] = {
                "artifactLocation": {"uri": quote(f.file, safe="/", errors="surrogateescape")}
            }
            if f.line:
                physical["region"] = {"startLine": f.line}
            result["locations"] = [{"physicalLocation": physical}]
        results.append(result)
    driver = {
        "name": "runconform",
        "version": report.tool_version,
        "informationUri": TOOL_URI,
        "rules": [
            {"id": kind, "shortDescription": {"text": f"runconform {kind}"}} for kind in rules
        ],
    }
    stages = [{"name": s.name, "status": s.status, "message": s.message} for s in report.stages]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": all(s.status != "error" for s in report.stages),
                        "exitCode": report.exit_code,
                    }
                ],
                "properties": {"stages": stages},
            }
        ],
    }


def write_sarif(report: Report, stream: IO[str]) -> None:
    json.dump(sarif_dict(report), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
