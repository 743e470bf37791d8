"""Drift as report cases: one per item, most records first, so every writer renders it.

A drift item is a failed case with one warning finding (what, how many, where first);
a documented field never seen is a passed case with an info finding. The numbers are
the case's `details`, which JSON writes and the Markdown and HTML tables read.
"""

from __future__ import annotations

from typing import Any

from conformance.drift.model import MAX_UNDOCUMENTED, DriftItem, DriftReport
from conformance.errors import ExitCode
from conformance.records import ReadProblem
from conformance.report.cases import Case, Outcome
from conformance.report.findings import Finding
from conformance.words import plural

STAGE = "drift"


def details(item: DriftItem) -> dict[str, Any]:
    data: dict[str, Any] = {
        "object": item.object,
        "kind": item.kind,
        "field": item.field,
        "detail": item.detail,
        "records": item.records,
        "of": item.of,
        "share": item.share,
        "examples": list(item.examples),
        "declared_in": (
            {"object": item.place.object, "pointer": item.place.pointer} if item.place else None
        ),
    }
    if item.kind == "undocumented":
        data |= {"types": list(item.types), "inferred": dict(item.inferred or {})}
    if item.message:
        data["message"] = item.message
    return data


def message(item: DriftItem) -> str:
    """The words a person reads after `object field:`: what, how many, the first records."""
    if item.kind == "unseen":
        return f"documented, never seen in {plural(item.of, 'record')}"
    what = {
        "undocumented": "not documented: carried by",
        "enum": f"{item.detail} is not a documented value: in",
        "null": "null, which the schema does not allow: in",
        "format": f"breaks format {item.detail}: in",
        "required": "required, but absent from",
        "other": f"fails {item.detail} ({item.message}): in",
    }[item.kind]
    line = f"{what} {item.records:,} of {item.of:,} records ({item.share})"
    if item.kind == "undocumented":
        line += f", as {' or '.join(item.types)}"
    return line + (f"; e.g. {', '.join(item.examples)}" if item.examples else "")


def item_case(item: DriftItem) -> Case:
    severity: Any = "warning" if item.is_drift else "info"
    name = f"{item.object} {item.field}"
    finding = Finding(severity, "drift", item.kind, "", message(item), subject=name, stage=STAGE)
    return Case(
        STAGE,
        name + (f" {item.detail}" if item.kind == "enum" else ""),
        item.object,
        "failed" if item.is_drift else "passed",
        (finding,),
        file=item.first[0] if item.first else None,
        line=item.first[1] if item.first else None,
        count=item.records,
        details=details(item),
    )


def problem_case(problem: ReadProblem) -> Case:
    """An input that could not be read: an error case, as `validate` reports it."""
    loc = problem.locator
    finding = Finding(
        "error", "read", problem.kind, "", problem.message,
        stage=STAGE, file=loc.file, line=loc.line, label=loc.label,
    )  # fmt: skip
    return Case(STAGE, str(loc), "unreadable", "error", (finding,), loc.file, loc.line)


def drift_cases(report: DriftReport) -> tuple[Case, ...]:
    """Unreadable inputs first, then every item, most records first."""
    return (*(problem_case(p) for p in report.problems), *(item_case(i) for i in report.items))


def exit_code(report: DriftReport) -> int:
    """4 unreadable input > 2 nothing counted > 1 drift found > 0."""
    if report.problems:
        return int(ExitCode.UNREADABLE)
    if not report.counted:
        return int(ExitCode.USAGE)
    if report.drift:
        return int(ExitCode.NON_CONFORMING)
    return int(ExitCode.OK)


def summary_line(report: DriftReport) -> str:
    objects = ", ".join(f"{o.name} ({o.records:,})" for o in report.objects) or "no object"
    parts = [f"{plural(report.records, 'record')} read, {report.counted:,} counted"]
    if report.unattributed:
        parts.append(
            f"{plural(report.unattributed, 'record')} of no known object, not counted "
            "(give --schema or --identify)"
        )
    parts.append(plural(len(report.problems), "unreadable input"))
    if not report.counted:
        parts.append("nothing checked: no record was counted")
    else:
        parts.append(f"{plural(len(report.drift), 'drift item')} found")
    untracked = sum(o.untracked for o in report.objects)
    if untracked:
        parts.append(
            f"more than {MAX_UNDOCUMENTED:,} distinct undocumented properties in one object: "
            f"{plural(untracked, 'sighting')} past them not itemised"
        )
    return f"drift of {objects}: " + "; ".join(parts)


def drift_outcome(report: DriftReport) -> Outcome:
    kinds: dict[str, int] = {}
    for item in report.drift:
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    counts = {
        "records": report.records,
        "counted": report.counted,
        "unattributed": report.unattributed,
        "unreadable": len(report.problems),
        "objects": {o.name: o.records for o in report.objects},
        "drift_items": len(report.drift),
        "kinds": kinds,
        "untracked": sum(o.untracked for o in report.objects),
    }
    return Outcome(exit_code(report), summary_line(report), counts)
