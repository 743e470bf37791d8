"""The `runconform check` report as one self-contained HTML page.

The page must open anywhere, offline and years later, so it loads nothing: the
CSS is inline, the chart is inline SVG, and there is no script. Every piece of
text comes from vendor documents, records or servers and is escaped. Rows carry
`data-*` attributes holding the same values as the JSON report, so tests (and
scrapers) can compare the two without reading the layout.

It reads top down as a person asks: did it pass, what failed, which of my findings
are worst; then the stages, the chart, the notes about runconform's own bundle (kept
apart and folded: they are not the user's to fix), and the long tables folded away,
so a passing run stays one screen or two.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import IO

from conformance.report.cases import Case, Outcome
from conformance.report.drift_table import write_drift_html
from conformance.report.findings import Finding
from conformance.report.model import Report, StageResult, Tally
from conformance.report.scope import split_findings
from conformance.report.status import what_happened
from conformance.report.text import location, rule_id
from conformance.report.writers.base import WholeRunWriter
from conformance.report.writers.html_appendix import NO_MATRIX, matrix_section, provenance_section
from conformance.report.writers.html_chart import NO_FINDINGS, chart
from conformance.report.writers.html_coverage import coverage_section, write_coverage_html
from conformance.report.writers.html_diff import write_diff_html
from conformance.report.writers.html_kit import (
    CSS,
    SEVERITY_LABELS,
    data,
    dotted,
    e,
    seconds,
    severity_badge,
    status_badge,
)
from conformance.words import plural

#: Fixed texts the tests assert, so a reader sees the same words in every report.
BUNDLED_TOUR = "the bundled tour"
NO_VENDOR = "(no vendor)"
BUNDLE_NOTE = (
    "About runconform's own bundled schemas, fixtures and mappings, not your files: "
    "nothing here is yours to fix, and none of it is counted among your findings."
)
_WORST = 20  # findings listed per section; the JSON report holds every one
_FAILED_SUBJECTS = 6  # failing subjects named per stage in "What failed"
_ORDER = {"error": 0, "warning": 1, "info": 2}

__all__ = ["BUNDLED_TOUR", "NO_FINDINGS", "NO_MATRIX", "NO_VENDOR", "HtmlWriter", "write_html"]


def _worst(findings: tuple[Finding, ...], limit: int = _WORST) -> tuple[Finding, ...]:
    """Errors, then warnings, then info; in report order within a severity."""
    return tuple(sorted(findings, key=lambda f: _ORDER.get(f.severity, 3))[:limit])


def _severities(findings: tuple[Finding, ...]) -> str:
    counts: Counter[str] = Counter(f.severity for f in findings)
    return ", ".join(f"{counts[s]} {SEVERITY_LABELS[s]}" for s in SEVERITY_LABELS)


def _bundle_only(mine: tuple[Finding, ...], bundle: tuple[Finding, ...]) -> frozenset[str]:
    """Rules found only about the bundle: the chart draws them apart."""
    return frozenset(rule_id(f) for f in bundle) - {rule_id(f) for f in mine}


def _failing(report: Report) -> list[StageResult]:
    return [s for s in report.stages if s.status in ("failed", "error")]


def _toc(report: Report, mine: int, bundle: int) -> str:
    """In-page links only (`#id`): the one kind of link a self-contained page may hold."""
    entries = [("findings", f"Your findings ({mine})"), ("stages", "Stages")]
    if _failing(report):
        entries.insert(0, ("failed", "What failed"))
    entries += [
        ("chart", "Findings by kind"),
        ("bundle", f"Notes about the bundle ({bundle})"),
        ("tallies", "Results by vendor"),
    ]
    if report.matrix is not None:
        entries.append(("matrix", "Mapping expressiveness"))
    if report.coverage:
        entries.append(("coverage", "Coverage"))
    entries += [("provenance", "Provenance"), ("run", "About this run")]
    links = "".join(f'<li><a href="#{key}">{e(title)}</a></li>' for key, title in entries)
    return (
        f'<nav class="toc" aria-labelledby="toc"><h2 id="toc">Contents</h2><ol>{links}</ol></nav>'
    )


def _header(
    report: Report, mine: tuple[Finding, ...], bundle: tuple[Finding, ...]
) -> Iterable[str]:
    meaning = what_happened(report)
    tone, mark = ("ok", "✓") if report.exit_code == 0 else ("bad", "✗")
    yield "<header>"
    yield "<h1>runconform check report</h1>"
    yield (
        f'<p class="verdict {tone}" data-exit-code="{report.exit_code}">'
        f"{mark} Exit code {report.exit_code}: {e(meaning)}</p>"
    )
    checked = plural(len(report.inputs), "input") if report.inputs else BUNDLED_TOUR
    yield (
        f'<p class="glance">{plural(len(mine), "finding")} in your inputs '
        f"({e(_severities(mine))}) · {plural(len(bundle), 'note')} about the bundle, "
        f"not counted · checked {e(checked)} in {e(seconds(report.elapsed))}</p>"
    )
    yield _toc(report, len(mine), len(bundle))
    yield "</header>"


def _failed_subjects(stage: StageResult) -> str:
    bad = [t for t in stage.tallies if t.failed]
    named = ", ".join(
        f"<code>{dotted(t.subject)}</code> ({t.failed} of {t.passed + t.failed})"
        for t in bad[:_FAILED_SUBJECTS]
    )
    more = f" and {len(bad) - _FAILED_SUBJECTS} more" if len(bad) > _FAILED_SUBJECTS else ""
    return f": {named}{more}" if named else ""


def _what_failed(report: Report) -> Iterable[str]:
    """The first thing a failing run shows: each stage that did not pass, and what in it."""
    failing = _failing(report)
    if not failing:
        return
    yield '<section id="failed"><h2>What failed</h2><ul class="failed">'
    for stage in failing:
        counted = stage.passed + stage.failed
        tally = f"{stage.failed} of {plural(counted, 'item')} failed" if counted else ""
        said = [x for x in (tally + _failed_subjects(stage), e(stage.message or "")) if x]
        yield (
            f"<li>{status_badge(stage.status)} <strong>{e(stage.title)}</strong>"
            f"{': ' + '. '.join(said) if said else ''}</li>"
        )
    yield "</ul></section>"


def _findings_table(findings: tuple[Finding, ...]) -> Iterable[str]:
    yield (
        '<table class="findings"><colgroup><col class="sev"><col class="stage">'
        '<col class="kind"><col class="subject"><col class="loc"><col></colgroup>'
        "<thead><tr><th>Severity</th><th>Stage</th><th>Kind</th><th>Subject</th>"
        "<th>Locator</th><th>Message</th></tr></thead><tbody>"
    )
    for f in findings:
        kind, locator = rule_id(f), location(f)
        attrs = {
            "severity": f.severity,
            "stage": f.stage,
            "subject": f.subject,
            "kind": kind,
            "locator": locator,
        }
        yield (
            f'<tr class="row-{e(f.severity)}"{data(attrs)}><td>{severity_badge(f.severity)}</td>'
            f"<td>{e(f.stage)}</td><td>{e(kind)}</td><td><code>{dotted(f.subject)}</code></td>"
            f'<td><code>{e(locator)}</code></td><td class="msg">{e(f.message)}</td></tr>'
        )
    yield "</tbody></table>"


def _findings(mine: tuple[Finding, ...]) -> Iterable[str]:
    yield '<section id="findings"><h2>Your findings</h2>'
    if not mine:
        yield '<p class="empty">No findings.</p></section>'
        return
    worst = _worst(mine)
    rest = " The JSON report holds every one." if len(worst) < len(mine) else ""
    yield (
        f'<p data-shown="{len(worst)}" data-total="{len(mine)}">The {len(worst)} most severe '
        f"of {plural(len(mine), 'finding')} in your inputs: errors, then warnings, then info."
        f"{rest}</p>"
    )
    yield from _findings_table(worst)
    yield "</section>"


def _bundle(bundle: tuple[Finding, ...]) -> Iterable[str]:
    """Folded unless one is an error (then the bundle itself failed: the reader must see it)."""
    yield '<section id="bundle"><h2>Notes about the bundled schemas</h2>'
    yield f'<p class="note">{e(BUNDLE_NOTE)}</p>'
    if not bundle:
        yield '<p class="empty">No notes about the bundle.</p></section>'
        return
    worst = _worst(bundle)
    opened = " open" if any(f.severity == "error" for f in bundle) else ""
    shown = f", the {len(worst)} most severe shown" if len(worst) < len(bundle) else ""
    yield (
        f"<details{opened}><summary>{plural(len(bundle), 'note')} "
        f"({e(_severities(bundle))}){shown}</summary>"
    )
    yield from _findings_table(worst)
    yield "</details></section>"


def _stages(stages: tuple[StageResult, ...]) -> Iterable[str]:
    yield '<section id="stages"><h2>Stages</h2><div class="scroll">'
    yield (
        '<table class="stages"><thead><tr><th>Stage</th><th>Status</th>'
        '<th class="num">Passed</th><th class="num">Failed</th><th class="num">Elapsed</th>'
        "<th>Message</th></tr></thead><tbody>"
    )
    for s in stages:
        attrs = {"stage": s.name, "status": s.status, "passed": s.passed, "failed": s.failed}
        yield (
            f"<tr{data(attrs)}><td>{e(s.title)}</td><td>{status_badge(s.status)}</td>"
            f'<td class="num">{s.passed}</td><td class="num">{s.failed}</td>'
            f'<td class="num">{e(seconds(s.elapsed))}</td>'
            f'<td class="msg">{e(s.message or "")}</td></tr>'
        )
    yield "</tbody></table></div></section>"


def _tallies(stages: tuple[StageResult, ...]) -> Iterable[str]:
    """Every stage's tallies by vendor, folded: what failed is listed at the top already."""
    groups: dict[str, list[tuple[StageResult, Tally]]] = {}
    for stage in stages:
        for tally in stage.tallies:
            groups.setdefault(tally.vendor or NO_VENDOR, []).append((stage, tally))
    yield '<section id="tallies"><h2>Results by vendor and object</h2>'
    if not groups:
        yield '<p class="empty">No stage counted any items.</p></section>'
        return
    rows = [t for pairs in groups.values() for _, t in pairs]
    failing = sum(1 for t in rows if t.failed)
    yield (
        f"<details><summary>{plural(len(rows), 'subject')} checked: {failing} with failures"
        "</summary>"
    )
    yield (
        '<div class="scroll"><table class="tallies"><thead><tr><th>Stage</th><th>Subject</th>'
        '<th class="num">Passed</th><th class="num">Failed</th><th>Result</th></tr></thead>'
    )
    for vendor in sorted(groups, key=lambda v: (v == NO_VENDOR, v)):
        pairs = groups[vendor]
        passed, failed = sum(t.passed for _, t in pairs), sum(t.failed for _, t in pairs)
        yield (
            f'<tbody data-vendor="{e(vendor)}"><tr class="group"><th colspan="5">{e(vendor)}: '
            f"{passed} passed, {failed} failed</th></tr>"
        )
        for stage, t in pairs:
            attrs = {
                "stage": stage.name,
                "subject": t.subject,
                "vendor": t.vendor,
                "passed": t.passed,
                "failed": t.failed,
            }
            shown = "untested" if t.untested else "failed" if t.failed else "passed"
            css = ' class="row-failed"' if t.failed else ""
            yield (
                f"<tr{css}{data(attrs)}><td>{e(stage.name)}</td>"
                f"<td><code>{dotted(t.subject)}</code></td>"
                f'<td class="num">{t.passed}</td><td class="num">{t.failed}</td>'
                f"<td>{status_badge(shown)}</td></tr>"
            )
        yield "</tbody>"
    yield "</table></div></details></section>"


def _facts(report: Report) -> Iterable[str]:
    inputs = (
        "<ul>" + "".join(f"<li><code>{e(i)}</code></li>" for i in report.inputs) + "</ul>"
        if report.inputs
        else e(BUNDLED_TOUR)
    )
    created = e(report.created)
    yield '<section id="run"><h2>About this run</h2><dl class="facts">'
    yield f"<dt>Tool version</dt><dd>{e(report.tool_version)}</dd>"
    yield f'<dt>Created</dt><dd><time datetime="{created}">{created}</time></dd>'
    yield f"<dt>Total elapsed</dt><dd>{e(seconds(report.elapsed))}</dd>"
    yield f'<dt>Inputs checked</dt><dd data-inputs="{len(report.inputs)}">{inputs}</dd>'
    yield f"<dt>Report version</dt><dd>{report.version}</dd></dl></section>"


def write_html(report: Report, stream: IO[str]) -> None:
    """Write the whole report as one HTML5 document that needs no network and no script."""
    meaning = what_happened(report)
    mine, bundle = split_findings(report.findings)
    parts: list[Iterable[str]] = [
        (
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>runconform check: {e(meaning)} (exit {report.exit_code})</title>",
            f"<style>{CSS}</style></head><body>",
        ),
        _header(report, mine, bundle),
        ("<main>",),
        _what_failed(report),
        _findings(mine),
        _stages(report.stages),
        chart(report.findings_by_kind(), _bundle_only(mine, bundle)),
        _bundle(bundle),
        _tallies(report.stages),
        matrix_section(report.matrix),
        coverage_section(report.coverage),
        provenance_section(report),
        _facts(report),
        (
            '</main><footer><p class="note">Written by runconform '
            f"{e(report.tool_version)}; the JSON report holds the same data for tools.</p>"
            "</footer></body></html>",
        ),
    ]
    for part in parts:
        for chunk in part:
            stream.write(chunk)
            stream.write("\n")


class HtmlWriter(WholeRunWriter):
    """Whole-run: the self-contained page of a `check` report; for `coverage` and `diff`,
    which have no `Report`, the page of their cases (`html_coverage`, `html_diff`)."""

    def render_coverage(self, cases: list[Case], outcome: Outcome) -> None:
        write_coverage_html(cases, outcome, self.out)

    def render_drift(self, cases: list[Case], outcome: Outcome) -> None:
        write_drift_html(cases, outcome, self.out)

    def render_diff(self, cases: list[Case], outcome: Outcome) -> None:
        write_diff_html(cases, outcome, self.out)

    def render(self, report: Report) -> None:
        write_html(report, self.out)
