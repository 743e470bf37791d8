"""The coverage report as one self-contained HTML page: the table first, then what was
never exercised, kind by kind.

As the check page: no script, no URL, every text escaped, and rows carry `data-*`
attributes with the JSON report's values. Written from the cases alone (their `details`
and findings), so it says what the text and JSON outputs say.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import IO

from conformance.errors import EXIT_MEANINGS
from conformance.report.cases import Case, Outcome
from conformance.report.coverage_table import BELOW, STAGE, CoverageRow, coverage_rows
from conformance.report.text import finding_line
from conformance.report.writers.html_kit import CSS, data, e, status_badge
from conformance.words import plural

NOTHING_UNSEEN = "Everything declared was exercised."


def _table(rows: Sequence[CoverageRow]) -> Iterable[str]:
    yield '<section id="coverage"><h2>Coverage</h2>'
    yield from _rows(rows)
    yield "</section>"


def _rows(rows: Sequence[CoverageRow]) -> Iterable[str]:
    yield '<div class="scroll">'
    yield (
        '<table class="coverage"><thead><tr><th>Vendor</th><th>Kind</th>'
        '<th class="num">Seen / declared</th><th class="num">Covered</th><th></th>'
        '<th class="num">Undeclared</th><th>Gate</th></tr></thead><tbody>'
    )
    for r in rows:
        attrs = {
            "vendor": r.vendor,
            "kind": r.kind,
            "seen": r.seen,
            "declared": r.declared,
            "percent": r.percent,
            "below": str(r.below).lower(),
        }
        css = ' class="row-failed"' if r.below else ""
        bar = (
            f'<meter min="0" max="{r.declared}" value="{r.seen}">{e(r.percent)}</meter>'
            if r.declared
            else ""
        )
        yield (
            f"<tr{css}{data(attrs)}><td>{e(r.vendor)}</td><td>{e(r.kind)}</td>"
            f'<td class="num">{r.seen} / {r.declared}</td><td class="num">{e(r.percent)}</td>'
            f'<td>{bar}</td><td class="num">{r.undeclared}</td>'
            f"<td>{status_badge('failed') + ' ' + e(BELOW) if r.below else ''}</td></tr>"
        )
    yield "</tbody></table></div>"


def coverage_section(cases: Sequence[Case]) -> Iterable[str]:
    """The coverage table and what was never exercised, for a `check` page (nothing when
    the run computed no coverage)."""
    if not cases:
        return
    rows = coverage_rows(cases)
    unseen = sum(len(row.unseen) for row in rows)
    yield '<section id="coverage"><h2>Coverage</h2>'
    yield (
        f"<details><summary>{plural(len(rows), 'kind')} of the contracts against the "
        f"recordings; {plural(unseen, 'item')} never exercised</summary>"
    )
    yield from _rows(rows)
    yield from _unseen(cases)
    yield "</details></section>"


def _unseen(cases: Sequence[Case]) -> Iterable[str]:
    """Per vendor and kind, folded: the sentences of what was never exercised (and seen
    but undeclared); open when the kind is below its gate."""
    yield '<section id="unseen"><h2>Never exercised</h2>'
    for case in cases:
        if case.stage != STAGE or not case.details:
            continue
        said = [f for f in case.findings if f.severity == "info"]
        gate = [f for f in case.findings if f.severity == "error"]
        opened = " open" if gate else ""
        head = f"{e(case.name)}: {plural(len(said), 'item')}"
        yield f"<details{opened}{data({'case': case.name})}><summary>{head}</summary>"
        if case.message:
            yield f'<p class="note">{e(case.message)}</p>'
        yield "".join(f'<p class="msg">{e(f.message)}</p>' for f in gate)
        if said:
            yield "<ul>" + "".join(f"<li>{e(f.message)}</li>" for f in said) + "</ul>"
        else:
            yield f'<p class="empty">{e(NOTHING_UNSEEN)}</p>'
        yield "</details>"
    yield "</section>"


def _unreadable(cases: Sequence[Case]) -> Iterable[str]:
    bad = [f for c in cases if c.status == "error" for f in c.findings]
    if not bad:
        return
    yield '<section id="unreadable"><h2>Unreadable inputs</h2><ul class="failed">'
    yield "".join(f"<li><code>{e(finding_line(f))}</code></li>" for f in bad)
    yield "</ul></section>"


def write_coverage_html(cases: Sequence[Case], outcome: Outcome, stream: IO[str]) -> None:
    """The page of a coverage run's cases, ended by its outcome."""
    meaning = EXIT_MEANINGS.get(outcome.exit_code, "unknown exit code")
    tone, mark = ("ok", "✓") if outcome.exit_code == 0 else ("bad", "✗")
    parts: list[Iterable[str]] = [
        (
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>runconform coverage: {e(meaning)} (exit {outcome.exit_code})</title>",
            f"<style>{CSS}</style></head><body><header>",
            "<h1>runconform coverage report</h1>",
            f'<p class="verdict {tone}" data-exit-code="{outcome.exit_code}">'
            f"{mark} Exit code {outcome.exit_code}: {e(meaning)}</p>",
            f'<p class="glance">{e(outcome.line)}</p></header><main>',
        ),
        _unreadable(cases),
        _table(coverage_rows(cases)),
        _unseen(cases),
        ("</main></body></html>",),
    ]
    for part in parts:
        for chunk in part:
            stream.write(chunk)
            stream.write("\n")
