"""The HTML check report as a person sees it, measured in headless Chromium at 1280 and 420 px.

A failing run opens with what failed and shows the user's first finding in the first
window; notes about runconform's own bundle sit in their own folded section and are not
counted as the user's; severity is written, not only coloured; the chart's kinds differ in
colour and shape; nothing scrolls sideways on a phone; a passing run stays short.

The screenshots (passing and failing, 1280 and 420 px wide) are kept as test artefacts:
in `RUNCONFORM_ARTEFACTS` when it is set, else in pytest's temporary folder.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser import Visit, visit

from conformance.check.options import CheckOptions
from conformance.check.tour import run_check
from conformance.report.model import Report
from conformance.report.scope import split_findings
from conformance.report.writers.html import write_html

EXAMPLE = Path(__file__).parent / "data/examples/hatchet.V1WorkflowRun.json"
BUNDLE_STAGES = ("lint", "fixtures", "mappings")
#: What the page is asked in the browser (each a JS expression).
PROBES = {
    "scroll_width": "document.scrollingElement.scrollWidth",
    "height": "document.scrollingElement.scrollHeight",
    "first_finding_top": "(() => { const row = document.querySelector('#findings tr[data-locator]');"
    " return row ? row.getBoundingClientRect().top + window.scrollY : null; })()",
    "section_order": "[...document.querySelectorAll('main > section')].map(s => s.id)",
    "my_rows": "[...document.querySelectorAll('#findings tr[data-locator]')]"
    ".map(r => [r.dataset.stage, r.cells[0].textContent.trim()])",
    "bundle_rows": "[...document.querySelectorAll('#bundle tr[data-locator]')]"
    ".map(r => [r.dataset.stage, r.cells[0].textContent.trim()])",
    "bundle_open": "(document.querySelector('#bundle details') || {}).open ?? null",
    "toc": "[...document.querySelectorAll('nav.toc a')].map(a => [a.getAttribute('href'),"
    " !!document.getElementById(a.getAttribute('href').slice(1))])",
    "bars": "[...document.querySelectorAll('svg.chart g.bar')].map(g => [g.dataset.kind,"
    " getComputedStyle(g.querySelector('rect')).fill, g.querySelector('text').textContent,"
    " g.children[1].tagName + (g.children[1].getAttribute('class') || '')])",
    "glance": "(document.querySelector('.glance') || {}).innerText ?? ''",
}


@dataclass(frozen=True)
class Seen:
    report: Report
    visits: dict[int, Visit]  # by window width


def _artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("RUNCONFORM_ARTEFACTS") or tmp_path_factory.mktemp("html-shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _seen(report: Report, name: str, folder: Path) -> Seen:
    page = folder / f"{name}.html"
    with page.open("w", encoding="utf-8") as stream:
        write_html(report, stream)
    visits = {w: visit(page, folder / f"{name}-{w}.png", PROBES, width=w) for w in (1280, 420)}
    return Seen(report, visits)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _artefacts(tmp_path_factory)


@pytest.fixture(scope="module")
def failing(folder: Path) -> Iterator[Seen]:
    """A real check of three recordings, two of them broken, against every vendor's bundle."""
    runs = folder / "recordings"
    runs.mkdir(exist_ok=True)
    good = json.loads(EXAMPLE.read_text())
    (runs / "good.json").write_text(json.dumps(good, indent=2))
    (runs / "bad-status.json").write_text(json.dumps({**good, "status": "DONE"}, indent=2))
    broken = {k: v for k, v in good.items() if k != "metadata"}
    (runs / "no-metadata.json").write_text(json.dumps({**broken, "duration": "long"}, indent=2))
    options = CheckOptions(paths=(runs,), schema="hatchet.V1WorkflowRun", fixtures=2)
    report = run_check(options)
    assert report.exit_code == 1
    yield _seen(report, "failing", folder)


@pytest.fixture(scope="module")
def passing(folder: Path) -> Iterator[Seen]:
    """A real check of one conforming recording: every stage passes, the bundle has notes."""
    options = CheckOptions(paths=(EXAMPLE,), schema="hatchet.V1WorkflowRun", fixtures=2)
    report = run_check(options)
    assert report.exit_code == 0
    yield _seen(report, "passing", folder)


def _png_width(path: Path) -> int:
    png = path.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return int(struct.unpack(">II", png[16:24])[0])


def test_a_failing_run_opens_with_what_failed_and_the_first_finding(failing: Seen) -> None:
    wide = failing.visits[1280].probes
    order = wide["section_order"]
    assert order[:3] == ["failed", "findings", "stages"], order
    assert wide["first_finding_top"] is not None
    assert wide["first_finding_top"] < 900, "the first finding is below the first window"
    narrow = failing.visits[420].probes
    assert narrow["first_finding_top"] < 1.5 * 900


def test_the_notes_about_the_bundle_are_apart_and_not_counted(failing: Seen) -> None:
    mine, bundle = split_findings(failing.report.findings)
    assert bundle and mine, "the real run has both kinds"
    probes = failing.visits[1280].probes
    assert {stage for stage, _ in probes["my_rows"]} <= {"validate", "contract"}
    assert len(probes["my_rows"]) == min(len(mine), 20)
    assert {stage for stage, _ in probes["bundle_rows"]} <= set(BUNDLE_STAGES)
    assert len(probes["bundle_rows"]) == min(len(bundle), 20)
    assert probes["bundle_open"] is False, "notes about the bundle are folded"
    glance = probes["glance"]
    assert glance.startswith(f"{len(mine)} finding{'s' if len(mine) != 1 else ''} in your inputs")
    assert f"{len(bundle)} notes about the bundle, not counted" in glance


def test_severity_is_written_not_only_coloured(failing: Seen) -> None:
    probes = failing.visits[1280].probes
    labels = {"error": "✗ error", "warning": "! warning", "info": "i info"}
    shown = [label for _, label in probes["my_rows"] + probes["bundle_rows"]]
    assert shown and set(shown) <= set(labels.values())
    assert "✗ error" in shown


def test_the_contents_link_to_every_section(failing: Seen, passing: Seen) -> None:
    for seen in (failing, passing):
        toc = seen.visits[1280].probes["toc"]
        assert len(toc) >= 8 and all(exists for _, exists in toc), toc
    assert failing.visits[1280].probes["toc"][0][0] == "#failed"
    assert "#failed" not in [href for href, _ in passing.visits[1280].probes["toc"]]


def test_chart_kinds_differ_in_colour_and_shape_and_say_their_name(failing: Seen) -> None:
    bars = failing.visits[1280].probes["bars"]
    families = {kind.partition("/")[0] for kind, *_ in bars}
    assert len(families) >= 2, bars
    fills = {kind.partition("/")[0]: fill for kind, fill, _, _ in bars}
    assert len(set(fills.values())) == len(fills), f"one colour for two kinds: {fills}"
    shapes = {kind.partition("/")[0]: shape for kind, _, _, shape in bars}
    assert len(set(shapes.values())) == len(shapes), f"one marker for two kinds: {shapes}"
    for kind, _, label, _ in bars:
        assert label.startswith(kind), (kind, label)


def test_nothing_scrolls_sideways_at_420_px(failing: Seen, passing: Seen) -> None:
    for seen in (failing, passing):
        assert seen.visits[420].probes["scroll_width"] <= 420
        assert seen.visits[1280].probes["scroll_width"] <= 1280


def test_a_passing_run_stays_short(passing: Seen) -> None:
    probes = passing.visits[1280].probes
    assert probes["section_order"][0] == "findings"
    assert probes["my_rows"] == []
    assert probes["height"] < 1800, "a passing run should fit in two windows"


def test_screenshots_at_both_widths_are_kept(failing: Seen, passing: Seen, folder: Path) -> None:
    for name in ("passing", "failing"):
        for width in (1280, 420):
            shot = folder / f"{name}-{width}.png"
            assert _png_width(shot) == width, shot
    for seen in (failing, passing):
        for one in seen.visits.values():
            assert one.errors == [] and one.dialogs == []
            assert one.requests == [one.url], "the page asked for something besides itself"


def test_long_hostile_text_fits_420_px(folder: Path) -> None:
    from test_report_html import make_report

    page = folder / "hostile.html"
    with page.open("w", encoding="utf-8") as stream:
        write_html(make_report(), stream)
    seen = visit(page, folder / "hostile-420.png", PROBES, width=420)
    assert seen.probes["scroll_width"] <= 420
    assert seen.probes["section_order"][:2] == ["failed", "findings"]
    assert [stage for stage, _ in seen.probes["bundle_rows"]] == ["lint", "lint"]


def test_an_error_in_the_bundle_unfolds_its_notes_and_is_listed_as_failed() -> None:
    import io
    from dataclasses import replace

    from test_report_html import make_report

    report = make_report()
    lint = report.stages[0]
    broken = replace(
        lint,
        status="failed",
        exit_code=3,
        findings=(replace(lint.findings[0], severity="error"), *lint.findings[1:]),
    )
    out = io.StringIO()
    write_html(replace(report, stages=(broken, *report.stages[1:])), out)
    text = out.getvalue()
    bundle = text[text.index('<section id="bundle">') :]
    assert bundle.split("\n")[2].startswith("<details open><summary>2 notes (1 ✗ error, ")
    failed = text[text.index('<section id="failed">') : text.index('<section id="findings">')]
    assert f"<strong>{lint.title}</strong>" in failed
