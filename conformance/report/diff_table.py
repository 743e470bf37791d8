"""The `runconform diff` report as Markdown, for a pull-request comment: the verdict and a
count per class, then one table per class (the breaking ones first), then the recordings' figures.

Written from the cases alone (their `details`), so it says what the JSON report says.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from conformance.report.cases import Case, Outcome
from conformance.report.escape import visible

#: The classes of `conformance.diff.rules`, breaking first, with their headings.
CLASS_HEADINGS = (
    ("client", "Breaking for clients"),
    ("server", "Breaking for servers"),
    ("both", "Breaking for both"),
    ("compatible", "Compatible"),
)


def _cell(text: str) -> str:
    text = " ".join(visible(text).split()).replace("|", "\\|")
    return text if len(text) <= 160 else text[:157] + "..."


def changes_of(cases: Iterable[Case]) -> list[dict[str, Any]]:
    """Every change the cases carry in their `details`, in their order."""
    return [
        dict(change)
        for case in cases
        if case.stage == "diff" and case.details and "changes" in case.details
        for change in case.details["changes"]
    ]


def markdown_diff(cases: Iterable[Case], outcome: Outcome, meaning: str) -> str:
    cases = list(cases)
    changes = changes_of(cases)
    if outcome.exit_code == 1:
        meaning = "a breaking change"
    counts = {cls: sum(1 for c in changes if c["class"] == cls) for cls, _ in CLASS_HEADINGS}
    summary = " · ".join(f"{title.lower()}: **{counts[cls]}**" for cls, title in CLASS_HEADINGS)
    lines = [
        "# runconform diff",
        "",
        f"**Exit code {outcome.exit_code}** ({meaning}) · {summary}",
        "",
        " ".join(visible(outcome.line).split()),
    ]
    for cls, title in CLASS_HEADINGS:
        rows = [c for c in changes if c["class"] == cls]
        if not rows:
            continue
        lines += ["", f"## {title} ({len(rows)})", ""]
        lines += ["| where | change | OLD | NEW | rule | why |", "|---|---|---|---|---|---|"]
        lines += [
            f"| `{_cell(c['path'])}` | {_cell(str(c['rule']).split('.', 1)[1].replace('-', ' '))} "
            f"| {_cell(c['old'])} | {_cell(c['new'])} | `{c['rule']}` | {_cell(c['why'])} |"
            for c in rows
        ]
    for case in cases:
        if case.name == "recordings" and case.details:
            lines += ["", "## Recordings", ""]
            lines += [f"- {_cell(f.message)}" for f in case.findings if f.keyword == "recordings"]
            examples = [f for f in case.findings if f.keyword == "recordings-example"]
            if examples:
                lines += ["", "| record | first error |", "|---|---|"]
                lines += [f"| `{_cell(f.subject)}` | {_cell(f.message)} |" for f in examples]
    unreadable = [case for case in cases if case.status == "error"]
    if unreadable:
        lines += ["", "## Unreadable recordings", ""]
        lines += [f"- `{_cell(c.name)}`: {_cell(c.findings[0].message)}" for c in unreadable]
    return "\n".join(lines) + "\n"
