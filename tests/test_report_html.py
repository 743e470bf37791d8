"""The HTML check report: opened in a real headless Chromium, and compared with the JSON form.

The browser test proves the page is self-contained (it asks for nothing but itself)
and renders without errors; the parser tests prove every number and text the page
shows is the one the JSON report holds, escaped on the way in and intact on the way out.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import struct
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from browser import visit

from conformance.mapping.matrix import expressiveness
from conformance.report.findings import Finding
from conformance.report.model import (
    Erratum,
    Provenance,
    Report,
    Source,
    StageResult,
    Tally,
)
from conformance.report.writers.html import write_html
from conformance.report.writers.json import report_dict

SCRIPT = "<script>alert(1)</script>"
HOSTILE = f"status {SCRIPT} is not one of QUEUED & RUNNING"
LONG_LOCATOR = (
    "recordings/hatchet/2026-11-22/workflow-runs-page-0003.jsonl:1742 "
    "$.rows[17].tasks[4].additionalMetadata.upstreamCorrelationIdentifierForTheRetriedChildWorkflow"
)
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def finding(
    stage: str,
    severity: Any,
    keyword: str,
    subject: str,
    where: str,
    message: str,
    _vendor: str | None = None,
) -> Finding:
    """A check finding from its readable place: `file#pointer` (lint), `file:line $.path`
    (a record), else the subject with `where` as the hint."""
    if "#" in where:
        file, pointer = where.split("#", 1)
        return Finding(severity, "lint", keyword, pointer, message, "", subject, stage, file)
    if " $" in where:
        place, path = where.split(" $", 1)
        file, _, line = place.rpartition(":")
        tokens = re.findall(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]", path)
        pointer = "".join(f"/{name or index}" for name, index in tokens)
        return Finding(
            severity, "schema", keyword, pointer, message, "", subject, stage, file, int(line)
        )
    return Finding(severity, "contract", keyword, "", message, "", subject, stage, hint=where)


def make_report() -> Report:
    """A check run as it really looks: mixed outcomes, several vendors, hostile text."""
    lint = StageResult(
        name="lint",
        title="Lint the bundled schemas",
        status="passed",
        elapsed=0.42,
        tallies=(
            Tally("hatchet.V1WorkflowRun", 1, 0, "hatchet"),
            Tally("knock.WorkflowRecipientRun", 1, 0, "knock"),
        ),
        findings=(
            finding(
                "lint",
                "warning",
                "format-unknown",
                "knock.WorkflowRecipientRun",
                "knock/workflow-recipient-runs-api.openapi.yml#/components/schemas/WorkflowRecipientRun/properties/inserted_at",
                'format "date-time-ms" is not known; it will not be checked',
                "knock",
            ),
            finding(
                "lint",
                "info",
                "additional-properties-open",
                "hatchet.V1WorkflowRun",
                "hatchet/workflow-runs-api.openapi.yml#/components/schemas/V1WorkflowRun",
                "additionalProperties is not set, so unknown fields are accepted",
                "hatchet",
            ),
        ),
    )
    validate = StageResult(
        name="validate",
        title="Validate recorded runs",
        status="failed",
        elapsed=3.71,
        exit_code=1,
        tallies=(
            Tally("hatchet.V1WorkflowRun", 3, 1, "hatchet"),
            Tally("knock.WorkflowRecipientRun", 2, 2, "knock"),
            Tally("paragon.WorkflowExecution", 5, 0, "paragon"),
            Tally("restack.WorkflowRunStatus", 4, 1, "restack"),
        ),
        findings=(
            finding(
                "validate",
                "error",
                "enum",
                "hatchet.V1WorkflowRun",
                LONG_LOCATOR,
                HOSTILE,
                "hatchet",
            ),
            finding(
                "validate",
                "error",
                "required",
                "knock.WorkflowRecipientRun",
                "recordings/knock/runs.json:12 $.entries[0]",
                "'workflow' is a required property",
                "knock",
            ),
            finding(
                "validate",
                "error",
                "format",
                "knock.WorkflowRecipientRun",
                "recordings/knock/runs.json:40 $.entries[1].inserted_at",
                "'2026-13-01T00:00:00Z' is not a 'date-time'",
                "knock",
            ),
            finding(
                "validate",
                "error",
                "enum",
                "restack.WorkflowRunStatus",
                "recordings/restack/status.json:3 $.status",
                "'Done' is not one of ['Running', 'Completed', 'Failed']",
                "restack",
            ),
            finding(
                "validate",
                "warning",
                "run-invariant",
                "hatchet.V1WorkflowRun",
                "recordings/hatchet/runs.jsonl:9 $.finishedAt",
                "finishedAt is before startedAt",
                "hatchet",
            ),
        ),
    )
    mappings = StageResult(
        name="mappings",
        title="Check the canonical mappings",
        status="passed",
        elapsed=0.88,
        tallies=(
            Tally("hatchet.V1WorkflowRun", 7, 0, "hatchet"),
            Tally("paragon.WorkflowExecution", 7, 0, "paragon"),
        ),
    )
    contract = StageResult(
        name="contract",
        title="Contract-test the server",
        status="error",
        elapsed=1.05,
        exit_code=4,
        tallies=(Tally("GET /api/v1/stable/workflow-runs/{v1-workflow-run}", 0, 1),),
        findings=(
            finding(
                "contract",
                "error",
                "not_a_server_error",
                "GET /api/v1/stable/workflow-runs/{v1-workflow-run}",
                "GET /api/v1/stable/workflow-runs/{v1-workflow-run}",
                "connection refused after 2 requests",
            ),
        ),
        message="the server stopped answering: connection refused by 127.0.0.1:9 & retried twice",
    )
    provenance = Provenance(
        variant="corrected",
        bundle_digest="5f2c0e3a9b7d41c8e6f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7",
        sources=(
            Source(
                "hatchet",
                "hatchet/workflow-runs-api.openapi.yml",
                "643b8cce38264e7c6b48f3fe883106c9662ebb56af97556d28304a791fdbf538",
                "api-evangelist/hatchet openapi/hatchet-workflow-runs-api-openapi.yml @ e868350",
            ),
            Source(
                "knock",
                "knock/workflow-recipient-runs-api.openapi.yml",
                "d02bd59f6049f676a44a5f21ee23286b6d597802a65613fcc81454c9d43b2d77",
                "api-evangelist/knock openapi/knock-workflow-recipient-runs-api-openapi.yml",
            ),
        ),
        errata=(
            Erratum(
                "hatchet",
                "hatchet-workflowrun-required-id",
                "V1WorkflowRun",
                "`id` is required but not defined; the run's id is metadata.id, so the requirement is dropped.",
            ),
            Erratum(
                "knock",
                "knock-run-status-enum",
                "WorkflowRecipientRun",
                "The status enum omits `cancelled` & `paused`, which the API returns <per the changelog>.",
            ),
        ),
    )
    return Report(
        tool_version="0.1.0",
        created="2026-11-23T10:15:02Z",
        elapsed=6.06,
        exit_code=1,
        stages=(lint, validate, mappings, contract),
        provenance=provenance,
        matrix=expressiveness().as_json(),
        inputs=("recordings/", "tests/data/examples/hatchet.V1WorkflowRun.json"),
    )


def render(report: Report) -> str:
    stream = io.StringIO()
    write_html(report, stream)
    return stream.getvalue()


class Element:
    """One element that carries data-* attributes, with its text and its row's cell texts."""

    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag, self.attrs = tag, attrs
        self.text: list[str] = []
        self.cells: list[str] = []

    def data(self, key: str) -> str | None:
        return self.attrs.get(f"data-{key}")


class Collector(HTMLParser):
    """Every data-* element in document order, every tag's attributes, and nesting errors."""

    VOID = frozenset({"meta", "col", "br", "hr", "img", "input", "link", "wbr", "source", "area"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[Element] = []
        self.found: list[Element] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.tags.append((tag, element.attrs))
        if any(k.startswith("data-") for k in element.attrs):
            self.found.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1].tag == tag, f"</{tag}> does not close the open element"
        element = self.stack.pop()
        if tag in ("td", "th"):
            row = next((e for e in reversed(self.stack) if e.tag == "tr"), None)
            if row is not None:
                row.cells.append("".join(element.text))

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            element.text.append(data)

    def where(self, *keys: str) -> list[Element]:
        return [e for e in self.found if all(e.data(k) is not None for k in keys)]


def parse(text: str) -> Collector:
    collector = Collector()
    collector.feed(text)
    collector.close()
    assert not collector.stack, f"unclosed: {[e.tag for e in collector.stack]}"
    return collector


def test_report_opens_in_headless_chromium_without_errors_or_requests(tmp_path: Path) -> None:
    report = make_report()
    page_path = tmp_path / "check-report.html"
    with page_path.open("w", encoding="utf-8") as stream:
        write_html(report, stream)
    shot = tmp_path / "check-report.png"
    seen = visit(
        page_path,
        shot,
        {
            "bars": "document.querySelectorAll('svg.chart g.bar').length",
            "stage_rows": "document.querySelectorAll('tr[data-status]').length",
            "scripts": "document.scripts.length",
            "overflow": "document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth",
            "hostile_shown": "[...document.querySelectorAll('td.msg')]"
            f".filter(td => td.textContent.includes({json.dumps(SCRIPT)})).length",
        },
    )
    console, errors, dialogs, requests, url = (
        seen.console,
        seen.errors,
        seen.dialogs,
        seen.requests,
        seen.url,
    )
    bars, stage_rows, scripts = (
        seen.probes["bars"],
        seen.probes["stage_rows"],
        seen.probes["scripts"],
    )
    overflow, hostile_shown = seen.probes["overflow"], seen.probes["hostile_shown"]

    assert [c for c in console if c[0] == "error"] == []
    assert errors == []
    assert dialogs == [], "a message was executed as script"
    assert requests == [url]
    assert scripts == 0
    assert bars == len(report.findings_by_kind())
    assert stage_rows == len(report.stages)
    assert hostile_shown == 1, "the hostile message should show as plain text"
    assert overflow <= 0, "the page is wider than the window: a long locator did not wrap"

    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == 1280
    assert 1500 < height < 20_000, height
    assert 20_000 < len(png) < 15_000_000, len(png)
    if target := os.environ.get("RUNCONFORM_SCREENSHOT_DIR"):
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(target) / "check-report.png")


def test_html_carries_the_same_data_as_the_json(tmp_path: Path) -> None:
    report = make_report()
    json_path, html_path = tmp_path / "report.json", tmp_path / "report.html"
    json_path.write_text(json.dumps(report_dict(report)), encoding="utf-8")
    with html_path.open("w", encoding="utf-8") as stream:
        write_html(report, stream)
    data: dict[str, Any] = json.loads(json_path.read_text(encoding="utf-8"))
    text = html_path.read_text(encoding="utf-8")
    doc = parse(text)

    assert text.startswith("<!DOCTYPE html>")
    assert [e.data("exit-code") for e in doc.where("exit-code")] == [str(data["exit_code"])]

    stages = [
        (
            e.data("stage"),
            e.data("status"),
            int(e.data("passed") or -1),
            int(e.data("failed") or -1),
        )
        for e in doc.where("status", "passed")
    ]
    assert stages == [(s["name"], s["status"], s["passed"], s["failed"]) for s in data["stages"]]
    assert stages[1] == ("validate", "failed", 14, 4)  # sums of the tallies, not a copy of zero

    tallies = sorted(
        (e.data("stage"), e.data("subject"), e.data("vendor"), e.data("passed"), e.data("failed"))
        for e in doc.where("subject", "passed")
    )
    expected_tallies = sorted(
        (s["name"], t["subject"], t["vendor"], str(t["passed"]), str(t["failed"]))
        for s in data["stages"]
        for t in s["tallies"]
    )
    assert tallies == expected_tallies
    groups = [e.data("vendor") for e in doc.found if e.tag == "tbody"]
    assert groups == ["hatchet", "knock", "paragon", "restack", "(no vendor)"]

    # the user's findings first, the notes about the bundle in their own table after them
    all_findings = [f for s in data["stages"] for f in s["findings"]]
    bundle_stages = ("lint", "fixtures", "mappings")
    worst = [
        *sorted(
            (f for f in all_findings if f["stage"] not in bundle_stages),
            key=lambda f: SEVERITY_ORDER[f["severity"]],
        )[:20],
        *sorted(
            (f for f in all_findings if f["stage"] in bundle_stages),
            key=lambda f: SEVERITY_ORDER[f["severity"]],
        )[:20],
    ]
    assert len(worst) == len(all_findings) == 8
    rows = doc.where("locator")
    assert [
        (e.data("severity"), e.data("stage"), e.data("subject"), e.data("locator")) for e in rows
    ] == [(f["severity"], f["stage"], f["subject"], f["locator"]) for f in worst]
    assert [e.cells[4] for e in rows] == [f["locator"] for f in worst]
    assert [e.cells[5] for e in rows] == [f["message"] for f in worst]
    assert HOSTILE in [e.cells[5] for e in rows]

    bars = [(e.data("kind"), int(e.data("count") or -1)) for e in doc.where("kind", "count")]
    assert bars == [(b["kind"], b["count"]) for b in data["findings_by_kind"]]
    assert bars[0] == ("schema/enum", 2)  # the chart groups by rule: kind/keyword
    for e in doc.where("kind", "count"):
        assert f"{e.data('kind')}: {e.data('count')}" in "".join(e.text)

    digest = doc.where("bundle-digest")
    assert [e.data("bundle-digest") for e in digest] == [data["provenance"]["bundle_digest"]]
    assert "".join(digest[0].text) == data["provenance"]["bundle_digest"]
    assert [e.data("erratum-id") for e in doc.where("erratum-id")] == [
        x["id"] for x in data["provenance"]["errata"]
    ]
    assert [e.data("sha256") for e in doc.where("sha256")] == [
        s["sha256"] for s in data["provenance"]["sources"]
    ]

    matrix = data["matrix"]
    cells = doc.where("object", "expressible")
    expected_cells = [
        (part, row, name, str(column[part][row]["expressible"]).lower())
        for part in ("statuses", "fields", "scenarios")
        for row in matrix[part]
        for name, column in matrix["objects"].items()
    ]
    tables = [e.data("part") for e in doc.found if e.tag == "table"]
    assert tables == ["statuses", "fields", "scenarios"]
    got_cells = [
        (e.data("part"), e.data("row"), e.data("object"), e.data("expressible")) for e in cells
    ]
    assert got_cells == expected_cells
    paused = next(
        e
        for e in cells
        if (e.data("part"), e.data("row"), e.data("object"))
        == ("statuses", "paused", "hatchet.V1WorkflowRun")
    )
    assert "".join(paused.text) == "—"
    assert paused.attrs["title"] == "not expressible: V1TaskStatus has no paused state"

    assert SCRIPT not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "http://" not in text and "https://" not in text
    ids = {attrs["id"] for _, attrs in doc.tags if attrs.get("id")}
    for tag, attrs in doc.tags:
        assert tag not in {"script", "link", "img", "iframe", "object", "embed", "base"}, tag
        for name, value in attrs.items():
            if (tag, name) == ("a", "href"):  # the contents: links within the page only
                assert value and value.startswith("#") and value[1:] in ids, value
                continue
            assert name not in {"src", "srcset", "href", "xlink:href", "action"}, (tag, name)
            assert not name.startswith("on"), (tag, name)
            assert "url(" not in (value or ""), (tag, name)
    assert "url(" not in text and "@import" not in text


def test_empty_states_are_stated() -> None:
    full = make_report()
    quiet = replace(
        full,
        exit_code=0,
        matrix=None,
        inputs=(),
        stages=tuple(replace(s, findings=(), status="passed", message=None) for s in full.stages),
    )
    text = render(quiet)
    doc = parse(text)

    assert doc.where("kind", "count") == []
    assert "<svg" not in text
    assert (
        '<p class="empty" id="chart-empty">No findings: every check passed without a remark, '
        "so there is nothing to chart.</p>"
    ) in text
    assert '<p class="empty">No findings.</p>' in text
    assert (
        '<p class="note" id="matrix-note">The mapping expressiveness matrix was not computed '
        "for this run.</p>"
    ) in text
    assert 'id="matrix"' not in text and doc.where("expressible") == []
    assert '<dd data-inputs="0">the bundled tour</dd>' in text
    assert [e.data("exit-code") for e in doc.where("exit-code")] == ["0"]
    assert "Exit code 0: all conform" in text

    # and the same texts are absent when there is something to show
    busy = render(full)
    assert 'id="chart-empty"' not in busy and 'id="matrix-note"' not in busy
    assert "the bundled tour" not in busy


def test_exit_code_meanings_and_unknown_code() -> None:
    meanings = {
        1: "non-conforming data",
        2: "usage error",
        3: "schema or bundle problem",
        # the words say what happened: the contract stage of make_report() exits 4
        4: "network failure: the server stopped answering: connection refused by "
        "127.0.0.1:9 &amp; retried twice",
        9: "unknown exit code",
    }
    for code, meaning in meanings.items():
        text = render(replace(make_report(), exit_code=code, matrix=None))
        assert f"Exit code {code}: {meaning}</p>" in text
