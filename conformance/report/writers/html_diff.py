"""The `runconform diff` report as one self-contained HTML page: the verdict and the counts
per class, one table per class (the breaking ones first), then the recordings' figures.

As the other pages: no script, no URL, every text escaped, rows carry `data-*` attributes
with the JSON report's values. Written from the cases alone (`diff_table.changes_of`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import IO

from conformance.errors import EXIT_MEANINGS
from conformance.report.cases import Case, Outcome
from conformance.report.diff_table import CLASS_HEADINGS, changes_of
from conformance.report.text import finding_line
from conformance.report.writers.html_kit import CSS, data, e


def _tables(cases: Sequence[Case]) -> Iterable[str]:
    changes = changes_of(cases)
    for cls, title in CLASS_HEADINGS:
        rows = [c for c in changes if c["class"] == cls]
        if not rows:
            continue
        yield f'<section id="{e(cls)}"><h2>{e(title)} ({len(rows)})</h2>'
        yield (
            '<div class="scroll"><table><thead><tr><th>Where</th><th>Change</th><th>OLD</th>'
            "<th>NEW</th>"
            "<th>Rule</th><th>Why</th></tr></thead><tbody>"
        )
        for c in rows:
            change = str(c["rule"]).split(".", 1)[1].replace("-", " ")
            yield (
                f"<tr{data({'rule': c['rule'], 'class': cls, 'path': c['path']})}>"
                f"<td><code>{e(c['path'])}</code></td><td>{e(change)}</td>"
                f"<td>{e(c['old'])}</td><td>{e(c['new'])}</td>"
                f"<td><code>{e(c['rule'])}</code></td><td>{e(c['why'])}</td></tr>"
            )
        yield "</tbody></table></div></section>"


def _recordings(cases: Sequence[Case]) -> Iterable[str]:
    for case in cases:
        if case.name != "recordings" or not case.details:
            continue
        yield '<section id="recordings"><h2>Recordings</h2><ul>'
        yield "".join(
            f"<li>{e(f.message)}</li>" for f in case.findings if f.keyword == "recordings"
        )
        yield "</ul>"
        examples = [f for f in case.findings if f.keyword == "recordings-example"]
        if examples:
            yield (
                '<div class="scroll"><table><thead><tr><th>Record</th><th>First error</th>'
                "</tr></thead><tbody>"
            )
            yield "".join(
                f"<tr><td><code>{e(f.subject)}</code></td><td>{e(f.message)}</td></tr>"
                for f in examples
            )
            yield "</tbody></table></div>"
        yield "</section>"
    bad = [f for c in cases if c.status == "error" for f in c.findings]
    if bad:
        yield '<section id="unreadable"><h2>Unreadable recordings</h2><ul class="failed">'
        yield "".join(f"<li><code>{e(finding_line(f))}</code></li>" for f in bad)
        yield "</ul></section>"


def write_diff_html(cases: Sequence[Case], outcome: Outcome, stream: IO[str]) -> None:
    """The page of a diff run's cases, ended by its outcome."""
    code = outcome.exit_code
    meaning = "a breaking change" if code == 1 else EXIT_MEANINGS.get(code, "unknown exit code")
    tone, mark = ("ok", "✓") if code == 0 else ("bad", "✗")
    head = (
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>runconform diff: {e(meaning)} (exit {code})</title>",
        f"<style>{CSS}</style></head><body><header>",
        "<h1>runconform diff</h1>",
        f'<p class="verdict {tone}" data-exit-code="{code}">{mark} Exit code {code}: '
        f"{e(meaning)}</p>",
        f'<p class="glance">{e(outcome.line)}</p></header><main>',
    )
    for part in (head, _tables(cases), _recordings(cases), ("</main></body></html>",)):
        for chunk in part:
            stream.write(chunk)
            stream.write("\n")
