"""The `runconform check` report as one self-contained HTML page.

The page must open anywhere, offline and years later, so it loads nothing: the
CSS is inline, the chart is inline SVG, and there is no script. Every piece of
text comes from vendor documents, records or servers and is escaped. Rows carry
`data-*` attributes holding the same values as the JSON report, so tests (and
scrapers) can compare the two without reading the layout.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from html import escape
from typing import IO, Any

from conformance.report.findings import Finding
from conformance.report.model import Report, StageResult, Tally
from conformance.report.status import what_happened
from conformance.report.text import location, rule_id
from conformance.report.writers.base import WholeRunWriter

#: Fixed texts the tests assert, so a reader sees the same words in every report.
NO_FINDINGS = "No findings: every check passed without a remark, so there is nothing to chart."
NO_MATRIX = "The mapping expressiveness matrix was not computed for this run."
BUNDLED_TOUR = "the bundled tour"
NO_VENDOR = "(no vendor)"

# A symbol and a word beside every colour, so status never depends on colour alone.
_STATUS_LABELS = {
    "passed": "✓ passed",
    "failed": "✗ failed",
    "error": "! error",
    "skipped": "○ skipped",
    "untested": "? untested",
}
_SEVERITY_LABELS = {"error": "✗ error", "warning": "! warning", "info": "i info"}
_MATRIX_PARTS = (
    ("statuses", "Canonical statuses"),
    ("fields", "Canonical fields"),
    ("scenarios", "Scenarios"),
)
_YES, _NO = "✓", "—"

# Chart geometry (SVG user units): label column, bar column, room for the count.
_LABEL_W, _BAR_W, _COUNT_W, _ROW_H, _LABEL_CHARS = 230, 380, 60, 26, 30

_CSS = """
:root { --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 78rem; padding: 1.5rem; color: #1f2328; background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
.verdict { padding: .5rem .8rem; border-left: 6px solid var(--muted); background: #f6f8fa;
  margin: .8rem 0; font-weight: 600; }
.verdict.ok { border-color: var(--ok); } .verdict.bad { border-color: var(--bad); }
table { border-collapse: collapse; width: 100%; margin: .3rem 0 1rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left;
  vertical-align: top; }
thead th { background: #f6f8fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font: .88em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  overflow-wrap: anywhere; word-break: break-word; }
.msg { white-space: pre-wrap; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: .8rem; font-size: .85em;
  font-weight: 600; white-space: nowrap; border: 1px solid currentColor; }
.s-passed, .sev-info { color: var(--ok); } .s-failed, .sev-error { color: var(--bad); }
.s-error, .s-untested, .sev-warning { color: var(--warn); } .s-skipped { color: var(--muted); }
tr.group th { background: #eef1f4; }
table.findings { table-layout: fixed; }
table.findings col.sev { width: 7rem; } table.findings col.stage { width: 5.5rem; }
table.findings col.kind { width: 10.5rem; } table.findings col.subject { width: 12.5rem; }
table.findings col.loc { width: 28%; } table.findings td { overflow-wrap: anywhere; }
.scroll { overflow-x: auto; }
table.matrix td { text-align: center; cursor: help; }
table.matrix th { font-weight: 600; }
table.matrix code { overflow-wrap: normal; word-break: normal; }
table.matrix tbody th { white-space: nowrap; }
table.matrix td.yes { color: var(--ok); } table.matrix td.no { color: var(--muted); }
.note, .empty { color: var(--muted); font-style: italic; }
svg.chart { max-width: 100%; height: auto; font: 13px system-ui, sans-serif; }
svg.chart rect { fill: #0969da; } svg.chart text { fill: #1f2328; }
"""


def _e(value: object) -> str:
    """Escape any value for text and for double-quoted attributes alike."""
    return escape(str(value), quote=True)


def _data(values: Mapping[str, object | None]) -> str:
    """` data-key="value"` attributes for the machine-readable copy of a row."""
    return "".join(f' data-{k}="{_e(v)}"' for k, v in values.items() if v is not None)


def _name(value: str) -> str:
    """Escape a dotted name and let it break after its dots rather than mid-word."""
    return ".<wbr>".join(_e(part) for part in value.split("."))


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _badge(css: str, label: str) -> str:
    return f'<span class="badge {css}">{_e(label)}</span>'


def _status(status: str) -> str:
    return _badge(f"s-{status}", _STATUS_LABELS.get(status, status))


def _header(report: Report) -> Iterable[str]:
    meaning = what_happened(report)
    inputs = (
        "<ul>" + "".join(f"<li><code>{_e(i)}</code></li>" for i in report.inputs) + "</ul>"
        if report.inputs
        else _e(BUNDLED_TOUR)
    )
    tone = "ok" if report.exit_code == 0 else "bad"
    yield "<header>"
    yield "<h1>runconform check report</h1>"
    yield (
        f'<p class="verdict {tone}" data-exit-code="{report.exit_code}">'
        f"Exit code {report.exit_code}: {_e(meaning)}</p>"
    )
    yield '<dl class="facts">'
    yield f"<dt>Tool version</dt><dd>{_e(report.tool_version)}</dd>"
    created = _e(report.created)
    yield f'<dt>Created</dt><dd><time datetime="{created}">{created}</time></dd>'
    yield f"<dt>Total elapsed</dt><dd>{_e(_seconds(report.elapsed))}</dd>"
    yield f'<dt>Inputs checked</dt><dd data-inputs="{len(report.inputs)}">{inputs}</dd>'
    counts: Counter[str] = Counter(f.severity for f in report.findings)
    summary = ", ".join(f"{counts[s]} {s}" for s in _SEVERITY_LABELS)
    yield f"<dt>Findings</dt><dd>{len(report.findings)} ({summary})</dd>"
    yield f"<dt>Report version</dt><dd>{report.version}</dd>"
    yield "</dl></header>"


def _stages(stages: tuple[StageResult, ...]) -> Iterable[str]:
    yield '<section id="stages"><h2>Stages</h2>'
    yield (
        '<table class="stages"><thead><tr><th>Stage</th><th>Status</th>'
        '<th class="num">Passed</th><th class="num">Failed</th><th class="num">Elapsed</th>'
        "<th>Message</th></tr></thead><tbody>"
    )
    for s in stages:
        attrs = {"stage": s.name, "status": s.status, "passed": s.passed, "failed": s.failed}
        yield (
            f"<tr{_data(attrs)}><td>{_e(s.title)}</td><td>{_status(s.status)}</td>"
            f'<td class="num">{s.passed}</td><td class="num">{s.failed}</td>'
            f'<td class="num">{_e(_seconds(s.elapsed))}</td>'
            f'<td class="msg">{_e(s.message or "")}</td></tr>'
        )
    yield "</tbody></table></section>"


def _tallies(stages: tuple[StageResult, ...]) -> Iterable[str]:
    """Group every stage's tallies by vendor: the question is usually "how is vendor X doing"."""
    groups: dict[str, list[tuple[StageResult, Tally]]] = {}
    for stage in stages:
        for tally in stage.tallies:
            groups.setdefault(tally.vendor or NO_VENDOR, []).append((stage, tally))
    yield '<section id="tallies"><h2>Results by vendor and object</h2>'
    if not groups:
        yield '<p class="empty">No stage counted any items.</p></section>'
        return
    yield (
        '<table class="tallies"><thead><tr><th>Stage</th><th>Subject</th>'
        '<th class="num">Passed</th><th class="num">Failed</th><th>Result</th></tr></thead>'
    )
    for vendor in sorted(groups, key=lambda v: (v == NO_VENDOR, v)):
        rows = groups[vendor]
        passed, failed = sum(t.passed for _, t in rows), sum(t.failed for _, t in rows)
        yield (
            f'<tbody data-vendor="{_e(vendor)}"><tr class="group"><th colspan="5">{_e(vendor)}: '
            f"{passed} passed, {failed} failed</th></tr>"
        )
        for stage, t in rows:
            attrs = {
                "stage": stage.name,
                "subject": t.subject,
                "vendor": t.vendor,
                "passed": t.passed,
                "failed": t.failed,
            }
            shown = "untested" if t.untested else "failed" if t.failed else "passed"
            result = _status(shown)
            yield (
                f"<tr{_data(attrs)}><td>{_e(stage.name)}</td><td><code>{_name(t.subject)}</code></td>"
                f'<td class="num">{t.passed}</td><td class="num">{t.failed}</td>'
                f"<td>{result}</td></tr>"
            )
        yield "</tbody>"
    yield "</table></section>"


def _findings(worst: tuple[Finding, ...], total: int) -> Iterable[str]:
    yield '<section id="findings"><h2>Findings to read first</h2>'
    if not worst:
        yield '<p class="empty">No findings.</p></section>'
        return
    yield (
        f'<p data-shown="{len(worst)}" data-total="{total}">The {len(worst)} most severe of '
        f"{total} findings: errors, then warnings, then info.</p>"
    )
    yield (
        '<table class="findings"><colgroup><col class="sev"><col class="stage">'
        '<col class="kind"><col class="subject"><col class="loc"><col></colgroup>'
        "<thead><tr><th>Severity</th><th>Stage</th><th>Kind</th><th>Subject</th>"
        "<th>Locator</th><th>Message</th></tr></thead><tbody>"
    )
    for f in worst:
        kind, locator = rule_id(f), location(f)
        attrs = {
            "severity": f.severity,
            "stage": f.stage,
            "subject": f.subject,
            "kind": kind,
            "locator": locator,
        }
        label = _SEVERITY_LABELS.get(f.severity, f.severity)
        yield (
            f"<tr{_data(attrs)}><td>{_badge(f'sev-{f.severity}', label)}</td>"
            f"<td>{_e(f.stage)}</td><td>{_e(kind)}</td><td><code>{_name(f.subject)}</code></td>"
            f'<td><code>{_e(locator)}</code></td><td class="msg">{_e(f.message)}</td></tr>'
        )
    yield "</tbody></table></section>"


def _short(text: str, limit: int = _LABEL_CHARS) -> str:
    """SVG text does not wrap; the full kind stays in the bar's <title> and data-kind."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _chart(counts: list[tuple[str, int]]) -> Iterable[str]:
    yield '<section id="chart"><h2>Findings by kind</h2>'
    if not counts:
        yield f'<p class="empty" id="chart-empty">{_e(NO_FINDINGS)}</p></section>'
        return
    top = max(n for _, n in counts)
    width, height = _LABEL_W + _BAR_W + _COUNT_W, len(counts) * _ROW_H + 4
    # No xmlns: inline SVG in HTML does not need it, and the page holds no URL at all.
    yield (
        f'<svg class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="chart-title">'
        f'<title id="chart-title">Findings by kind, {len(counts)} kinds</title>'
    )
    for row, (kind, count) in enumerate(counts):
        y = row * _ROW_H + 2
        bar = max(2, round(_BAR_W * count / top))
        mid = y + _ROW_H / 2 + 4
        yield (
            f'<g class="bar"{_data({"kind": kind, "count": count})}>'
            f"<title>{_e(kind)}: {count}</title>"
            f'<text x="{_LABEL_W - 8}" y="{mid}" text-anchor="end">{_e(_short(kind))}</text>'
            f'<rect x="{_LABEL_W}" y="{y + 3}" width="{bar}" height="{_ROW_H - 6}" rx="2"></rect>'
            f'<text x="{_LABEL_W + bar + 6}" y="{mid}">{count}</text></g>'
        )
    yield "</svg></section>"


def _verdict_detail(verdict: Mapping[str, Any]) -> str:
    """The one non-flag value of a cell: vendor values, source pointer, rendering or reason."""
    return "; ".join(str(v) for k, v in verdict.items() if k != "expressible")


def _matrix(matrix: Mapping[str, Any] | None) -> Iterable[str]:
    if matrix is None:
        yield f'<p class="note" id="matrix-note">{_e(NO_MATRIX)}</p>'
        return
    objects: Mapping[str, Any] = matrix.get("objects", {})
    yield '<section id="matrix"><h2>Mapping expressiveness</h2>'
    yield (
        f"<p>{_YES} expressible, {_NO} not expressible; hover a cell for the vendor values, "
        "source or reason.</p>"
    )
    head = "".join(f"<th><code>{_name(name)}</code></th>" for name in objects)
    for part, title in _MATRIX_PARTS:
        yield f'<h3>{_e(title)}</h3><div class="scroll"><table class="matrix" data-part="{part}">'
        yield f"<thead><tr><th>{_e(part)}</th>{head}</tr></thead><tbody>"
        for row in matrix.get(part, []):
            cells = []
            for name, column in objects.items():
                verdict = column.get(part, {}).get(row, {"expressible": False, "reason": "absent"})
                ok = bool(verdict.get("expressible"))
                attrs = {"part": part, "row": row, "object": name, "expressible": str(ok).lower()}
                prefix = "expressible: " if ok else "not expressible: "
                cells.append(
                    f'<td class="{"yes" if ok else "no"}"{_data(attrs)} '
                    f'title="{_e(prefix + _verdict_detail(verdict))}">{_YES if ok else _NO}</td>'
                )
            yield f"<tr><th><code>{_e(row)}</code></th>{''.join(cells)}</tr>"
        yield "</tbody></table></div>"
    yield "</section>"


def _provenance(report: Report) -> Iterable[str]:
    p = report.provenance
    yield '<section id="provenance"><h2>Provenance</h2><dl class="facts">'
    yield f'<dt>Variant</dt><dd data-variant="{_e(p.variant)}">{_e(p.variant)}</dd>'
    yield (
        f'<dt>Bundle digest</dt><dd><code data-bundle-digest="{_e(p.bundle_digest)}">'
        f"{_e(p.bundle_digest)}</code></dd></dl>"
    )
    yield "<h3>Sources</h3>"
    if p.sources:
        yield (
            '<table class="sources"><thead><tr><th>Vendor</th><th>Path</th><th>SHA-256</th>'
            "<th>Origin</th></tr></thead><tbody>"
        )
        for s in p.sources:
            attrs = {"vendor": s.vendor, "path": s.path, "sha256": s.sha256}
            yield (
                f"<tr{_data(attrs)}><td>{_e(s.vendor)}</td><td><code>{_e(s.path)}</code></td>"
                f"<td><code>{_e(s.sha256)}</code></td><td>{_e(s.origin)}</td></tr>"
            )
        yield "</tbody></table>"
    else:
        yield '<p class="empty">No sources recorded.</p>'
    yield "<h3>Errata</h3>"
    if p.errata:
        yield (
            '<table class="errata"><thead><tr><th>Vendor</th><th>Id</th><th>Target</th>'
            "<th>Rationale</th></tr></thead><tbody>"
        )
        for x in p.errata:
            attrs = {"erratum-id": x.id, "vendor": x.vendor, "target": x.target}
            yield (
                f"<tr{_data(attrs)}><td>{_e(x.vendor)}</td><td><code>{_e(x.id)}</code></td>"
                f'<td><code>{_e(x.target)}</code></td><td class="msg">{_e(x.rationale)}</td></tr>'
            )
        yield "</tbody></table>"
    else:
        yield '<p class="empty">No errata applied.</p>'
    yield "</section>"


def write_html(report: Report, stream: IO[str]) -> None:
    """Write the whole report as one HTML5 document that needs no network and no script."""
    meaning = what_happened(report)
    parts: list[Iterable[str]] = [
        (
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>runconform check: {_e(meaning)} (exit {report.exit_code})</title>",
            f"<style>{_CSS}</style></head><body>",
        ),
        _header(report),
        ("<main>",),
        _stages(report.stages),
        _tallies(report.stages),
        _findings(report.worst(), len(report.findings)),
        _chart(report.findings_by_kind()),
        _matrix(report.matrix),
        _provenance(report),
        (
            '</main><footer><p class="note">Written by runconform '
            f"{_e(report.tool_version)}; the JSON report holds the same data for tools.</p>"
            "</footer></body></html>",
        ),
    ]
    for part in parts:
        for chunk in part:
            stream.write(chunk)
            stream.write("\n")


class HtmlWriter(WholeRunWriter):
    """Whole-run: the self-contained page of a `check` report."""

    def render(self, report: Report) -> None:
        write_html(report, self.out)
