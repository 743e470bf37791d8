"""The drift table, read from drift cases' `details`: the Markdown and HTML pages of a
`runconform drift` run (object, kind, field, records, share, first records).

Drift cases (stage `drift`) carry their numbers in `details`
(`conformance.drift.cases.details`); this reads only those, so a writer needs nothing
from the layer that computed them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import IO

from conformance.errors import EXIT_MEANINGS
from conformance.report.cases import Case, Outcome
from conformance.report.escape import visible
from conformance.report.text import finding_line
from conformance.report.writers.html_kit import CSS, data, e

STAGE = "drift"
COLUMNS = ("object", "kind", "field", "value", "records", "share", "first records")
#: Rows per table: the JSON report holds every item.
_LISTED = 200


def _rows(cases: Iterable[Case]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for case in cases:
        d = case.details
        if case.stage != STAGE or not d:
            continue
        value = d["detail"] if d["kind"] in ("enum", "format", "other") else ""
        if d["kind"] == "undocumented":
            value = " or ".join(d.get("types", ()))
        rows.append(
            (
                str(d["object"]),
                str(d["kind"]),
                str(d["field"]),
                str(value),
                f"{d['records']:,} of {d['of']:,}",
                str(d["share"]),
                ", ".join(d["examples"]),
            )
        )
    return rows


def _cell(text: str) -> str:
    text = " ".join(visible(text).split()).replace("|", "\\|")
    return text if len(text) <= 160 else text[:157] + "..."


def _unreadable(cases: Sequence[Case]) -> list[str]:
    return [finding_line(f) for c in cases if c.status == "error" for f in c.findings]


def markdown_drift(cases: Sequence[Case], outcome: Outcome) -> str:
    """The drift run as Markdown: the verdict, unreadable inputs, then the table."""
    meaning = EXIT_MEANINGS.get(outcome.exit_code, "unknown exit code")
    lines = ["# runconform drift", "", f"**Exit code {outcome.exit_code}** ({meaning}) · "]
    lines[-1] += _cell(outcome.line)
    bad = _unreadable(cases)
    if bad:
        lines += ["", "## Unreadable inputs", ""] + [f"- `{_cell(b)}`" for b in bad]
    rows = _rows(cases)
    lines += ["", "| " + " | ".join(COLUMNS) + " |", "|---|---|---|---|---:|---:|---|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows[:_LISTED]]
    if len(rows) > _LISTED:
        lines += ["", f"…and {len(rows) - _LISTED:,} more rows (the JSON report has them all)."]
    return "\n".join(lines) + "\n"


def write_drift_html(cases: Sequence[Case], outcome: Outcome, stream: IO[str]) -> None:
    """The self-contained page of a drift run (no script, everything escaped)."""
    meaning = EXIT_MEANINGS.get(outcome.exit_code, "unknown exit code")
    tone, mark = ("ok", "✓") if outcome.exit_code == 0 else ("bad", "✗")
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>runconform drift: {e(meaning)} (exit {outcome.exit_code})</title>",
        f"<style>{CSS}</style></head><body><header>",
        "<h1>runconform drift report</h1>",
        f'<p class="verdict {tone}" data-exit-code="{outcome.exit_code}">'
        f"{mark} Exit code {outcome.exit_code}: {e(meaning)}</p>",
        f'<p class="glance">{e(outcome.line)}</p></header><main>',
    ]
    bad = _unreadable(cases)
    if bad:
        out.append('<section id="unreadable"><h2>Unreadable inputs</h2><ul class="failed">')
        out += [f"<li><code>{e(b)}</code></li>" for b in bad]
        out.append("</ul></section>")
    out.append('<section id="drift"><h2>Drift</h2><div class="scroll"><table><thead><tr>')
    out.append("".join(f"<th>{e(c)}</th>" for c in COLUMNS) + "</tr></thead><tbody>")
    for row in _rows(cases)[:_LISTED]:
        attrs = data({"object": row[0], "kind": row[1], "field": row[2]})
        out.append(f"<tr{attrs}>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>")
    out.append("</tbody></table></div></section></main></body></html>")
    stream.write("\n".join(out) + "\n")
