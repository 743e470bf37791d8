"""The versioned JSON form of a `Report`: the one other tools should read."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import IO, Any

from conformance.report.model import Report


def report_dict(report: Report) -> dict[str, Any]:
    """Plain data, keys in a stable order; derived totals included for readers' convenience."""
    data = asdict(report)
    data = {"version": data.pop("version"), **data}
    for stage, raw in zip(report.stages, data["stages"], strict=True):
        raw["passed"], raw["failed"], raw["untested"] = stage.passed, stage.failed, stage.untested
    data["findings_by_kind"] = [{"kind": k, "count": n} for k, n in report.findings_by_kind()]
    data["worst"] = [asdict(f) for f in report.worst()]
    return data


def write_json(report: Report, stream: IO[str]) -> None:
    json.dump(report_dict(report), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
