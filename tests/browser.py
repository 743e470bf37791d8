"""Open a local HTML file in Debian's headless Chromium and record what it did."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")


@dataclass
class Visit:
    """What the page did: console messages, requests, page errors, dialogs, and probes."""

    url: str
    console: list[tuple[str, str]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    probes: dict[str, Any] = field(default_factory=dict)


def visit(
    page_path: Path, shot: Path, probes: dict[str, str] | None = None, width: int = 1280
) -> Visit:
    """Load `page_path` in a `width` x 900 window, evaluate each JS probe, take a full-page
    screenshot to `shot`.

    Skips the test when Chromium or playwright is missing (CI installs both).
    """
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
    )
    seen = Visit(page_path.as_uri())
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage"],
            timeout=30_000,
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.set_default_timeout(15_000)
            page.set_default_navigation_timeout(15_000)
            page.on("console", lambda m: seen.console.append((m.type, m.text)))
            page.on("request", lambda r: seen.requests.append(r.url))
            page.on("pageerror", lambda e: seen.errors.append(str(e)))
            page.on("dialog", lambda d: (seen.dialogs.append(d.message), d.dismiss()))
            page.goto(seen.url, wait_until="load")
            page.wait_for_load_state("networkidle")
            for name, script in (probes or {}).items():
                seen.probes[name] = page.evaluate(script)
            page.screenshot(path=str(shot), full_page=True, timeout=30_000)
        finally:
            browser.close()
    return seen
