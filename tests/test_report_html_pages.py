"""The HTML pages of `drift` and `diff`, opened in headless Chromium: they load alone
(no request but the page), raise nothing, fit 420 px without scrolling sideways, and
show in their tables what the text report says."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import visit
from drift_corpus import planted_lines

ROOT = Path(__file__).resolve().parent.parent
SPLIT = ROOT / "tests" / "data" / "hatchet-catalogue-split"
UPSTREAM = ROOT / "contracts" / "hatchet" / "upstream-openapi"
PROBES = {
    "scroll_width": "document.scrollingElement.scrollWidth",
    "headings": "[...document.querySelectorAll('h2')].map(h => h.textContent.trim())",
    "cells": "[...document.querySelectorAll('td')].map(td => td.textContent.trim())",
}


def _drift(tmp_path: Path, run_cli) -> Path:
    corpus = tmp_path / "runs.jsonl"
    corpus.write_text("".join(planted_lines("knock.WorkflowRecipientRun", 200)))
    page = tmp_path / "drift.html"
    args = ["drift", str(corpus), "--schema", "knock.WorkflowRecipientRun"]
    code, _, _ = run_cli(*args, "--output-format", "html", "-o", str(page))
    assert code == 1
    return page


def _diff(tmp_path: Path, run_cli) -> Path:
    page = tmp_path / "diff.html"
    code, _, _ = run_cli(
        "diff", str(SPLIT), str(UPSTREAM), "--output-format", "html", "-o", str(page)
    )
    assert code == 1
    return page


@pytest.mark.parametrize(
    ("make", "heading", "shown"),
    [(_drift, "Drift", "channel"), (_diff, "Breaking for clients (2)", "WAITING_FOR_BATCH")],
    ids=["drift", "diff"],
)
@pytest.mark.parametrize("width", [1280, 420])
def test_the_page_in_a_browser(tmp_path: Path, run_cli, make, heading, shown, width) -> None:
    page = make(tmp_path, run_cli)
    seen = visit(page, tmp_path / f"page-{width}.png", PROBES, width=width)
    assert seen.errors == [] and seen.dialogs == []
    assert seen.requests == [seen.url], "the page asked for something besides itself"
    assert seen.probes["scroll_width"] <= width
    assert any(h.startswith(heading) for h in seen.probes["headings"]), seen.probes["headings"]
    assert any(shown in cell for cell in seen.probes["cells"])
