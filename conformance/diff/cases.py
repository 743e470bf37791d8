"""A contract diff as report cases: one case per component or operation that changed, one
for the recordings, one per unreadable recording; and the outcome with its exit code.

Each change is a `diff` finding whose keyword is its rule id: an error when its class fails
the run under `--fail-on`, a warning when it is breaking but allowed, info when compatible.
The case's `details` carry the changes as data, which the JSON and Markdown writers read.
"""

from __future__ import annotations

from typing import Any

from conformance.diff.compare import Change, ContractDiff
from conformance.diff.recordings import Example, RecordingsDiff
from conformance.diff.rules import CLASS_TITLES, WHERE_TITLES, breaks
from conformance.errors import ExitCode
from conformance.records import ReadProblem
from conformance.report.cases import Case, Outcome
from conformance.report.findings import Finding, Severity
from conformance.words import plural

STAGE = "diff"


def describe(change: Change) -> str:
    """`enum value added (WAITING_FOR_BATCH): breaking for clients - why`."""
    what = change.rule.kind.replace("-", " ")
    if change.old and change.new:
        what += f" ({change.old} -> {change.new})"
    elif change.old or change.new:
        what += f" ({change.old or change.new})"
    if change.rule.where != "operation":
        what += f" in a {WHERE_TITLES[change.rule.where]}"
    return f"{what}: {CLASS_TITLES[change.rule.cls]}, {change.rule.why}"


def change_details(change: Change) -> dict[str, Any]:
    return {
        "path": change.path,
        "subject": change.subject,
        "rule": change.rule.id,
        "class": change.rule.cls,
        "where": change.rule.where,
        "old": change.old,
        "new": change.new,
        "why": change.rule.why,
    }


def _severity(change: Change, fail_on: str) -> Severity:
    if breaks(change.rule.cls, fail_on):
        return "error"
    return "info" if change.rule.cls == "compatible" else "warning"


def change_cases(diff: ContractDiff, fail_on: str) -> list[Case]:
    group = f"{diff.old.label} -> {diff.new.label}"
    by_subject: dict[str, list[Change]] = {}
    for change in diff.changes:
        by_subject.setdefault(change.subject, []).append(change)
    cases = []
    for subject, changes in by_subject.items():
        findings = tuple(
            Finding(
                _severity(c, fail_on), "diff", c.rule.id, "", describe(c), subject=c.path,
                stage=STAGE,
            )
            for c in changes
        )  # fmt: skip
        failed = any(f.severity == "error" for f in findings)
        details = {"changes": [change_details(c) for c in changes]}
        cases.append(
            Case(STAGE, subject, group, "failed" if failed else "passed", findings, details=details)
        )
    return cases


def recordings_case(found: RecordingsDiff) -> Case:
    lines = [
        *found.lines,
        f"{plural(found.records, 'record')} read: {found.both:,} conform to both, "
        f"{found.neither:,} to neither, {found.unjudged:,} not judged on one side "
        "(no operation or object for it there)",
    ]
    findings = [
        Finding("info", "diff", "recordings", "", line, subject="recordings", stage=STAGE)
        for line in lines
    ]
    for side, examples in (("NEW", found.old_examples), ("OLD", found.new_examples)):
        findings += [
            Finding(
                "info", "diff", "recordings-example", "", f"fails {side} ({e.schema}): {e.error}",
                subject=e.locator, stage=STAGE,
            )
            for e in examples
        ]  # fmt: skip
    details = {
        "records": found.records,
        "old_only": found.old_only,
        "new_only": found.new_only,
        "both": found.both,
        "neither": found.neither,
        "unjudged": found.unjudged,
        "lines": list(found.lines),
        "old_only_examples": [vars_of(e) for e in found.old_examples],
        "new_only_examples": [vars_of(e) for e in found.new_examples],
    }
    return Case(STAGE, "recordings", "recordings", "passed", tuple(findings), details=details)


def vars_of(example: Example) -> dict[str, str]:
    return {"locator": example.locator, "schema": example.schema, "error": example.error}


def problem_case(problem: ReadProblem) -> Case:
    loc = problem.locator
    finding = Finding(
        "error", "read", problem.kind, "", problem.message, stage=STAGE, file=loc.file,
        line=loc.line, label=loc.label,
    )  # fmt: skip
    return Case(STAGE, str(loc), "unreadable", "error", (finding,), loc.file, loc.line)


def diff_cases(
    diff: ContractDiff, fail_on: str, recordings: RecordingsDiff | None = None
) -> list[Case]:
    cases = change_cases(diff, fail_on)
    if recordings is not None:
        cases.append(recordings_case(recordings))
        cases += [problem_case(p) for p in recordings.problems]
    return cases


def diff_outcome(diff: ContractDiff, fail_on: str, recordings: RecordingsDiff | None) -> Outcome:
    """4 unreadable recordings > 1 a breaking change `--fail-on` counts > 0."""
    counts = diff.counts()
    failing = sum(1 for c in diff.changes if breaks(c.rule.cls, fail_on))
    parts = [f"{n:,} {CLASS_TITLES[cls]}" for cls, n in counts.items()]  # client first
    line = (
        f"diff {diff.old.label} -> {diff.new.label}: {'; '.join(parts)} "
        f"({plural(diff.schemas, 'schema')}, {plural(diff.operations, 'operation')} compared)"
    )
    for contract, side in ((diff.old, "OLD"), (diff.new, "NEW")):
        if contract.skipped:
            line += (
                f"; {plural(len(contract.skipped), 'path or operation', 'paths or operations')} "
                f"of {side} not read (their files are not in the folder)"
            )
    code = ExitCode.NON_CONFORMING if failing else ExitCode.OK
    if recordings is not None:  # the figure asked for: in the summary, so -q shows it too
        line += f"; {recordings.lines[0]}"
    if recordings is not None and recordings.problems:
        code = ExitCode.UNREADABLE
        line += f"; {plural(len(recordings.problems), 'unreadable input')}"
    data: dict[str, Any] = {
        "old": diff.old.label,
        "new": diff.new.label,
        "classes": dict(counts),
        "failing": failing,
        "fail_on": fail_on,
        "schemas": diff.schemas,
        "operations": diff.operations,
        "files": {"old": list(diff.old.files), "new": list(diff.new.files)},
        "skipped": {"old": list(diff.old.skipped), "new": list(diff.new.skipped)},
    }
    if recordings is not None:
        data["recordings"] = {"lines": list(recordings.lines), "records": recordings.records}
    return Outcome(int(code), line, data)
