"""A Markdown summary of a `Report`: what a pull-request comment or a job summary shows."""

from __future__ import annotations

from typing import IO

from conformance.errors import EXIT_MEANINGS
from conformance.report.cases import Case, Outcome
from conformance.report.coverage_table import coverage_rows, markdown_report, markdown_table
from conformance.report.diff_table import markdown_diff
from conformance.report.drift_table import markdown_drift
from conformance.report.model import Report
from conformance.report.status import what_happened
from conformance.report.text import location, rule_id
from conformance.report.writers.base import WholeRunWriter
from conformance.words import plural

_MARK = {"passed": "✅ passed", "failed": "❌ failed", "error": "⚠️ error", "skipped": "⏭️ skipped"}


def _cell(text: str) -> str:
    """Table-safe: pipes escaped, newlines folded, long text cut."""
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= 160 else text[:157] + "..."


def write_markdown(report: Report, stream: IO[str], worst: int = 10) -> None:
    meaning = what_happened(report)
    inputs = ", ".join(f"`{i}`" for i in report.inputs) or "the bundled tour"
    lines = [
        "# runconform check",
        "",
        f"**Exit code {report.exit_code}** ({meaning}) · {inputs} · "
        f"{report.elapsed:.1f} s · runconform {report.tool_version} · {report.created}",
        "",
        "| stage | status | passed | failed | time | note |",
        "|---|---|---:|---:|---:|---|",
    ]
    for s in report.stages:
        lines.append(
            f"| {_cell(s.title)} | {_MARK[s.status]} | {s.passed} | {s.failed} "
            f"| {s.elapsed:.1f} s | {_cell(s.message or '')} |"
        )
    failing = [(s.name, t) for s in report.stages for t in s.tallies if t.failed]
    if failing:
        lines += [
            "",
            "## Failing",
            "",
            "| stage | subject | passed | failed |",
            "|---|---|---:|---:|",
        ]
        lines += [f"| {n} | `{_cell(t.subject)}` | {t.passed} | {t.failed} |" for n, t in failing]
    top = report.worst(worst)
    if top:
        lines += ["", f"## First {len(top)} findings, worst first", ""]
        lines += [
            f"- **{f.severity}** {f.stage} `{_cell(location(f))}`: {_cell(f.message)} "
            f"({rule_id(f)})"
            for f in top
        ]
    kinds = report.findings_by_kind()
    if kinds:
        lines += ["", "## Findings by kind", "", "| kind | count |", "|---|---:|"]
        lines += [f"| {_cell(k)} | {n} |" for k, n in kinds]
    if report.coverage:
        lines += ["", "## Coverage of the contracts", ""]
        lines += markdown_table(coverage_rows(report.coverage))
    p = report.provenance
    lines += [
        "",
        "## Provenance",
        "",
        f"Schemas: {p.variant} variant, bundle sha256 `{p.bundle_digest[:16]}…`, "
        f"{plural(len(p.sources), 'vendor source')}, "
        f"{plural(len(p.errata), 'erratum', 'errata')} applied.",
        "",
    ]
    yours = [x for x in p.errata if x.source != "bundled"]
    if yours:
        lines += [f"Your errata: {', '.join(f'`{x.id}` ({x.source})' for x in yours)}.", ""]
    stream.write("\n".join(lines))


class MarkdownWriter(WholeRunWriter):
    """Whole-run: the summary of a `check` report; for `coverage`, which has no `Report`,
    its table and what was never exercised; for `diff`, its changes class by class."""

    def render_coverage(self, cases: list[Case], outcome: Outcome) -> None:
        meaning = EXIT_MEANINGS.get(outcome.exit_code, "unknown exit code")
        self.out.write(markdown_report(cases, outcome.exit_code, outcome.line, meaning))

    def render_drift(self, cases: list[Case], outcome: Outcome) -> None:
        self.out.write(markdown_drift(cases, outcome))

    def render_diff(self, cases: list[Case], outcome: Outcome) -> None:
        meaning = EXIT_MEANINGS.get(outcome.exit_code, "unknown exit code")
        self.out.write(markdown_diff(cases, outcome, meaning))

    def render(self, report: Report) -> None:
        write_markdown(report, self.out)
