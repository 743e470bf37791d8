"""The pieces every part of the HTML report is made of: escaping, badges and the style sheet.

Everything is inline and static (no script, no URL, not even `url(...)` in the CSS), so the
page opens offline under a strict Content-Security-Policy that allows inline style.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

# A symbol and a word beside every colour, so status never depends on colour alone.
STATUS_LABELS = {
    "passed": "✓ passed",
    "failed": "✗ failed",
    "error": "! error",
    "skipped": "○ skipped",
    "untested": "? untested",
}
SEVERITY_LABELS = {"error": "✗ error", "warning": "! warning", "info": "i info"}


def e(value: object) -> str:
    """Escape any value for text and for double-quoted attributes alike."""
    return escape(str(value), quote=True)


def data(values: Mapping[str, object | None]) -> str:
    """` data-key="value"` attributes for the machine-readable copy of a row."""
    return "".join(f' data-{k}="{e(v)}"' for k, v in values.items() if v is not None)


def dotted(value: str) -> str:
    """Escape a dotted name and let it break after its dots rather than mid-word."""
    return ".<wbr>".join(e(part) for part in value.split("."))


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def badge(css: str, label: str) -> str:
    return f'<span class="badge {css}">{e(label)}</span>'


def status_badge(status: str) -> str:
    return badge(f"s-{status}", STATUS_LABELS.get(status, status))


def severity_badge(severity: str) -> str:
    return badge(f"sev-{severity}", SEVERITY_LABELS.get(severity, severity))


CSS = """
:root { --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 78rem; padding: 1.5rem; color: #1f2328; background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; margin: 1.8rem 0 .5rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
a { color: #0969da; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
p, li, summary { overflow-wrap: anywhere; }
.verdict { padding: .5rem .8rem; border-left: 6px solid var(--muted); background: #f6f8fa;
  margin: .8rem 0 .4rem; font-weight: 600; }
.verdict.ok { border-color: var(--ok); } .verdict.bad { border-color: var(--bad); }
.glance { margin: .2rem 0 .6rem; }
nav.toc { margin: .6rem 0; padding: .4rem .8rem; background: #f6f8fa; border-radius: .4rem; }
nav.toc ol { display: flex; flex-wrap: wrap; gap: .2rem 1.2rem; margin: 0; padding: 0;
  list-style: none; }
nav.toc h2 { display: inline; font-size: .95rem; border: 0; margin: 0 .6rem 0 0; }
ul.failed { margin: .3rem 0; padding-left: 1.2rem; }
ul.failed li { margin: .25rem 0; }
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
tr.row-error td:first-child { box-shadow: inset 5px 0 var(--bad); }
tr.row-warning td:first-child { box-shadow: inset 5px 0 var(--warn); }
tr.row-info td:first-child { box-shadow: inset 5px 0 var(--ok); }
tr.row-failed td { background: #ffebe9; }
table.findings { table-layout: fixed; }
table.findings col.sev { width: 7rem; } table.findings col.stage { width: 5.5rem; }
table.findings col.kind { width: 10.5rem; } table.findings col.subject { width: 12.5rem; }
table.findings col.loc { width: 28%; } table.findings td { overflow-wrap: anywhere; }
.scroll { overflow-x: auto; max-width: 100%; }
details { margin: .4rem 0 1rem; }
summary { cursor: pointer; font-weight: 600; padding: .2rem 0; }
table.matrix td { text-align: center; cursor: help; }
table.matrix th { font-weight: 600; }
table.matrix code { overflow-wrap: normal; word-break: normal; }
table.matrix tbody th { white-space: nowrap; }
table.matrix td.yes { color: var(--ok); } table.matrix td.no { color: var(--muted); }
.note, .empty { color: var(--muted); font-style: italic; }
svg.chart { display: block; max-width: 100%; height: auto; font: 13px system-ui, sans-serif; }
svg.chart text { fill: #1f2328; } svg.chart .count { font-weight: 600; }
ul.legend { display: flex; flex-wrap: wrap; gap: .2rem 1.2rem; list-style: none; padding: 0;
  margin: .2rem 0 .8rem; }
ul.legend svg { vertical-align: -2px; margin-right: .3rem; }
.k-schema { fill: #0072b2; stroke: #0072b2; } .k-invariant { fill: #d55e00; stroke: #d55e00; }
.k-drift { fill: #cc79a7; stroke: #cc79a7; } .k-contract { fill: #e69f00; stroke: #e69f00; }
.k-routing { fill: #56b4e9; stroke: #56b4e9; } .k-read { fill: #1f2328; stroke: #1f2328; }
.k-lint { fill: #009e73; stroke: #009e73; } .k-mapping { fill: #8a7a00; stroke: #8a7a00; }
.k-fixtures { fill: #6e7781; stroke: #6e7781; } .k-lifecycle { fill: #882255; stroke: #882255; }
.k-coverage { fill: #44aa99; stroke: #44aa99; } .k-other { fill: #57606a; stroke: #57606a; }
.hollow { fill-opacity: .25; stroke-width: 1.5; }
@media (max-width: 40rem) {
  body { padding: .75rem; font-size: 14px; }
  h1 { font-size: 1.35rem; }
  dl.facts { grid-template-columns: 1fr; } dl.facts dd { margin-bottom: .3rem; }
  table.findings, table.findings tbody, table.findings tr, table.findings td {
    display: block; width: auto; }
  table.findings colgroup, table.findings thead { display: none; }
  table.findings tr { border: 1px solid var(--line); border-radius: .3rem; margin: .5rem 0;
    padding: .3rem .5rem; }
  table.findings td { border: 0; padding: .1rem 0; box-shadow: none; }
  table.findings tr.row-error { border-left: 5px solid var(--bad); }
  table.findings tr.row-warning { border-left: 5px solid var(--warn); }
  table.findings tr.row-info { border-left: 5px solid var(--ok); }
  table.findings td:nth-child(2)::before { content: "Stage: "; font-weight: 600; }
  table.findings td:nth-child(3)::before { content: "Kind: "; font-weight: 600; }
  table.findings td:nth-child(4)::before { content: "Subject: "; font-weight: 600; }
  table.findings td:nth-child(5)::before { content: "Where: "; font-weight: 600; }
  table.stages, table.stages tbody, table.stages tr { display: block; }
  table.stages thead { display: none; }
  table.stages tr { border-bottom: 1px solid var(--line); padding: .35rem 0; }
  table.stages td { display: inline-block; border: 0; padding: 0 .8rem 0 0; }
  table.stages td:first-child { display: block; font-weight: 600; }
  table.stages td:nth-child(3)::before { content: "passed "; font-weight: 400; }
  table.stages td:nth-child(4)::before { content: "failed "; font-weight: 400; }
  table.stages td:nth-child(6) { display: block; }
  table.stages td:nth-child(6):empty { display: none; }
}
"""
