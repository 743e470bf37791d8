"""The final status of a `check` run in words that say what happened.

The exit code keeps its one documented meaning (`errors.EXIT_MEANINGS`); the words next to
it name the cause where the code alone misleads: exit 2 for records that no schema
judged is "nothing checked", not a usage error; exit 4 from the contract stage is a
network failure, not an unreadable input.
"""

from __future__ import annotations

from conformance.errors import EXIT_MEANINGS, ExitCode
from conformance.report.model import Report, StageResult
from conformance.words import plural


def what_happened(report: Report) -> str:
    """`all conform`, `nothing checked: no schema for 3 records`, `network failure: ...`:
    the causes of the stages that set the exit code, else the code's meaning."""
    code = report.exit_code
    meaning = EXIT_MEANINGS.get(code, "unknown exit code")
    causes = (_cause(stage) for stage in report.stages if stage.exit_code == code)
    return "; ".join(dict.fromkeys(c for c in causes if c)) or meaning


def _cause(stage: StageResult) -> str | None:
    """What made this stage exit as it did, when its code's meaning would mislead."""
    if stage.exit_code == ExitCode.USAGE:
        unrouted = sum(f.kind == "routing" and f.keyword == "no-schema" for f in stage.findings)
        if unrouted:
            return f"nothing checked: no schema for {plural(unrouted, 'record')}"
        if stage.name == "contract" and stage.message:
            return f"not everything tested: {stage.message}"
    if stage.exit_code == ExitCode.UNREADABLE and stage.name == "contract":
        return f"network failure: {stage.message}" if stage.message else "network failure"
    return None
