"""The coverage table, read from coverage cases' `details`: the one layout of the numbers
that the text output, Markdown and HTML show (kind, seen of declared, percent).

Coverage cases (stage `coverage`) carry their numbers in `details`
(`conformance.lifecycle.coverage_cases.details`); this reads only those, so a writer
needs nothing from the layer that computed them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from conformance.report.cases import Case
from conformance.report.escape import visible

STAGE = "coverage"
BELOW = "below --min-coverage"


@dataclass(frozen=True)
class CoverageRow:
    """One vendor's kind, as a table row."""

    vendor: str
    kind: str
    seen: int
    declared: int
    percent: str  # "16.6 %" (rounded down to a tenth) or "n/a"
    undeclared: int
    below: bool
    unseen: tuple[str, ...]
    message: str


def coverage_rows(cases: Iterable[Case]) -> tuple[CoverageRow, ...]:
    """The coverage cases among `cases`, as rows (others are left out)."""
    rows = []
    for case in cases:
        d = case.details
        if case.stage != STAGE or not d or "kind" not in d:
            continue
        percent = d["percent"]
        rows.append(
            CoverageRow(
                str(d["vendor"]),
                str(d["kind"]),
                int(d["seen"]),
                int(d["declared"]),
                "n/a" if percent is None else f"{percent:.1f} %",
                len(d["undeclared"]),
                case.status == "failed",
                tuple(d["unseen"]),
                str(d.get("message", "")),
            )
        )
    return tuple(rows)


_HEAD = ("vendor", "kind", "seen/declared", "covered", "undeclared")


def _cells(row: CoverageRow) -> tuple[str, ...]:
    return (
        visible(row.vendor),
        row.kind,
        f"{row.seen}/{row.declared}",
        row.percent,
        str(row.undeclared),
    )


def text_table(rows: Iterable[CoverageRow]) -> str:
    """A plain table, numbers right-aligned; a row below its gate says so at its end."""
    rows = tuple(rows)
    if not rows:
        return ""
    lines = [_HEAD, *(_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(_HEAD))]
    out = []
    for index, line in enumerate(lines):
        text = "  ".join(
            cell.ljust(width) if column < 2 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(line, widths, strict=True))
        )
        if index and rows[index - 1].below:
            text += f"  {BELOW}"
        out.append(text.rstrip())
    return "\n".join(out) + "\n"


def markdown_table(rows: Iterable[CoverageRow]) -> list[str]:
    lines = [
        "| vendor | kind | seen/declared | covered | undeclared | |",
        "|---|---|---:|---:|---:|---|",
    ]
    for row in rows:
        vendor, kind, ratio, percent, undeclared = _cells(row)
        mark = f"❌ {BELOW}" if row.below else ""
        lines.append(f"| {vendor} | {kind} | {ratio} | {percent} | {undeclared} | {mark} |")
    return lines


def markdown_report(cases: Iterable[Case], exit_code: int, line: str, meaning: str) -> str:
    """The coverage run as Markdown: the verdict, the table, then what was never exercised
    (the first `_LISTED` items a kind, the JSON report holds every one)."""
    cases = tuple(cases)
    lines = ["# runconform coverage", "", f"**Exit code {exit_code}** ({meaning}) · {line}", ""]
    lines += markdown_table(coverage_rows(cases))
    lines += ["", "## Never exercised", ""]
    for case in cases:
        said = [f.message for f in case.findings if f.severity == "info"]
        if case.stage != STAGE or not said:
            continue
        more = f"; and {len(said) - _LISTED} more" if len(said) > _LISTED else ""
        listed = "; ".join(visible(s).replace("|", "\\|") for s in said[:_LISTED])
        lines.append(f"- **{visible(case.name)}** ({len(said)}): {listed}{more}")
    return "\n".join(lines) + "\n"


_LISTED = 20
