"""`runconform check` as a user runs it: a real process, real simulators, real report files.

One module-scoped run of the bundled tour feeds the report-format tests; the bad-input
runs are narrowed to one vendor and a few fixtures to stay quick.
"""

from __future__ import annotations

import json
import os
import pty
import select
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from browser import visit
from conftest import sarif_errors

from conformance.bundle.catalog import load_catalog
from conformance.check.options import CheckOptions
from conformance.check.stages import validation_stage
from conformance.report.text import location
from conformance.validation.engine import validate_records

RUNCONFORM = str(Path(sys.executable).parent / "runconform")
REPO = Path(__file__).resolve().parent.parent
FILES = {
    "json": "runconform-check.json",
    "junit": "runconform-check.junit.xml",
    "markdown": "runconform-check.md",
    "sarif": "runconform-check.sarif",
    "html": "runconform-check.html",
}
STAGE_NAMES = ["lint", "validate", "lifecycle", "fixtures", "mappings", "contract"]


def run(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [RUNCONFORM, "check", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def report_of(out: Path) -> dict[str, Any]:
    return json.loads((out / FILES["json"]).read_text(encoding="utf-8"))


def stages(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in report["stages"]}


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The README's main command, `runconform check`, in an empty folder."""
    cwd = tmp_path_factory.mktemp("tour")
    done = run(cwd=cwd)
    return done, cwd / "reports"


def test_the_bundled_tour_passes_and_writes_every_format(
    tour: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    done, out = tour
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES.values())
    assert not list(out.glob(".*.tmp"))  # no temp file of the atomic writes is left
    report = report_of(out)
    assert report["version"] == 2 and report["exit_code"] == 0 and report["inputs"] == []
    assert [s["name"] for s in report["stages"]] == STAGE_NAMES
    assert {s["name"]: s["status"] for s in report["stages"]} == dict.fromkeys(
        STAGE_NAMES, "passed"
    )
    by_name = stages(report)
    vendors = {"hatchet", "knock", "paragon", "restack", "xceptor"}
    for name in ("validate", "fixtures", "contract"):  # every vendor took part
        assert {t["vendor"] for t in by_name[name]["tallies"]} == vendors, name
    contract = by_name["contract"]  # every operation had data: a body checked, none untested
    assert (contract["untested"], contract["failed"]) == (0, 0) and contract["passed"] >= 11
    assert by_name["validate"]["passed"] >= 40
    catalog = load_catalog()
    objects = [n for n in catalog.names() if not n.startswith("canonical.")]
    fixtures = CheckOptions().fixtures  # per object, valid and negative
    assert len(objects) >= 20 and by_name["fixtures"]["passed"] == len(objects) * 2 * fixtures
    assert set(report["matrix"]["objects"]) >= {"knock.WorkflowRecipientRun"}
    assert {s["vendor"] for s in report["provenance"]["sources"]} == vendors
    errata = [e["id"] for e in report["provenance"]["errata"]]
    assert sorted(errata) == sorted(catalog.errata())  # every schema erratum of the bundle
    assert {"paragon-list-is-workflowexecutions", "hatchet-dagchildren-required"} <= set(errata)
    assert done.stderr.splitlines()[-1].startswith("exit 0: all conform (")
    for name, title in (("lint", "Lint the schema bundle"), ("contract", "Contract-test")):
        assert any(line.startswith(title) for line in done.stderr.splitlines()), name
    assert f"wrote reports/{FILES['html']}" in done.stdout.splitlines()


def test_junit_report_is_read_by_junitparser(
    tour: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    from junitparser import JUnitXml

    _, out = tour
    report = report_of(out)
    xml = JUnitXml.fromfile(str(out / FILES["junit"]))
    suites = list(xml)
    assert [s.name for s in suites] == [f"runconform check: {n}" for n in STAGE_NAMES]
    for suite, stage in zip(suites, report["stages"], strict=True):
        tallied = {t["subject"] for t in stage["tallies"]}
        untallied = {f["subject"] for f in stage["findings"]} - tallied  # a skipped operation
        assert suite.tests == len(stage["tallies"]) + len(untallied)
        assert suite.failures == sum(1 for t in stage["tallies"] if t["failed"])
        assert suite.errors == 0


def test_sarif_report_conforms_to_sarif_2_1_0(
    tour: tuple[subprocess.CompletedProcess[str], Path], sarif_validator: Any
) -> None:
    _, out = tour
    log = json.loads((out / FILES["sarif"]).read_text(encoding="utf-8"))
    assert sarif_errors(sarif_validator, log) == []
    results = log["runs"][0]["results"]
    stages = report_of(out)["stages"]
    bundle = ("lint", "fixtures", "mappings")  # about runconform's own files: notifications
    assert len(results) == sum(len(s["findings"]) for s in stages if s["name"] not in bundle)
    notes = log["runs"][0]["invocations"][0].get("toolConfigurationNotifications", [])
    assert len(notes) == sum(len(s["findings"]) for s in stages if s["name"] in bundle)
    assert log["runs"][0]["invocations"][0]["exitCode"] == 0


def test_markdown_summary_has_a_row_per_stage(
    tour: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, out = tour
    text = (out / FILES["markdown"]).read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# runconform check"
    assert lines[2].startswith("**Exit code 0** (all conform) · the bundled tour · ")
    rows = [line for line in lines if line.startswith("| ") and "✅ passed" in line]
    titles = [s["title"] for s in report_of(out)["stages"]]
    assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == titles


def test_the_real_report_opens_in_chromium_without_errors_or_requests(
    tour: tuple[subprocess.CompletedProcess[str], Path], tmp_path: Path
) -> None:
    _, out = tour
    shot = tmp_path / "runconform-check.png"
    seen = visit(
        out / FILES["html"], shot, {"stages": "document.querySelectorAll('tr[data-status]').length"}
    )
    assert [c for c in seen.console if c[0] == "error"] == []
    assert seen.errors == [] and seen.dialogs == []
    assert seen.requests == [seen.url]
    assert seen.probes["stages"] == len(STAGE_NAMES)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if target := os.environ.get("RUNCONFORM_SCREENSHOT_DIR"):
        Path(target).mkdir(parents=True, exist_ok=True)
        (Path(target) / shot.name).write_bytes(shot.read_bytes())


# -- bad input: the failing stage is named, the other stages run, reports are written ---------

QUICK = ("--vendor", "knock", "--fixtures", "5", "--max-examples", "3")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_missing_recordings_path_errors_the_validate_stage_only(tmp_path: Path) -> None:
    done = run(*QUICK, "no/such/recordings", "--out", "out", cwd=tmp_path)
    assert done.returncode == 4, done.stderr
    report = report_of(tmp_path / "out")
    status = {name: s["status"] for name, s in stages(report).items()}
    assert status == {
        "lint": "passed",
        "validate": "error",
        "lifecycle": "skipped",
        "fixtures": "passed",
        "mappings": "passed",
        "contract": "skipped",
    }
    assert stages(report)["validate"]["message"] == (
        "1 unreadable input: no/such/recordings: cannot read: No such file or directory"
    )
    assert stages(report)["contract"]["message"] == "no --url given"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(FILES.values())
    assert "Traceback" not in done.stderr


def test_a_base_url_that_refuses_connections_errors_the_contract_stage(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    recording = Path(__file__).parent / "data" / "examples" / "knock.WorkflowRecipientRun.json"
    done = run(*QUICK, str(recording), "--base-url", url, "--out", "out", cwd=tmp_path)
    assert done.returncode == 4, done.stderr
    by_name = stages(report_of(tmp_path / "out"))
    assert by_name["validate"]["status"] == "passed"
    assert by_name["contract"]["status"] == "error"
    assert by_name["contract"]["message"] == f"knock: cannot reach {url}: Connection refused"
    assert "Traceback" not in done.stderr


def test_reports_that_cannot_be_written_stop_before_any_stage(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    done = run(*QUICK, "--out", "a-file/reports", cwd=tmp_path)
    assert done.returncode == 4
    assert done.stderr == (
        "runconform: error: a-file/reports: cannot write reports here: Not a directory\n"
    )
    assert done.stdout == ""


def test_non_conforming_recordings_fail_with_located_findings(
    tmp_path: Path, sarif_validator: Any
) -> None:
    run_object = json.loads(
        (Path(__file__).parent / "data/examples/knock.WorkflowRecipientRun.json").read_text()
    )
    lines = [json.dumps(run_object), json.dumps({**run_object, "status": "exploded"})]
    (tmp_path / "runs.jsonl").write_text("\n".join(lines) + "\n")
    done = run(
        *QUICK,
        "runs.jsonl",
        "--schema",
        "knock.WorkflowRecipientRun",
        "--report-dir",
        "out",
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr
    out = tmp_path / "out"
    validate = stages(report_of(out))["validate"]
    assert validate["status"] == "failed"
    assert [(t["subject"], t["passed"], t["failed"]) for t in validate["tallies"]] == [
        ("knock.WorkflowRecipientRun", 1, 1)
    ]
    errors = [f for f in validate["findings"] if f["severity"] == "error"]
    column = lines[1].index('"exploded"') + 1  # at the bad value, as validate places it
    end = column + len('"exploded"')
    assert [(f["rule"], f["locator"], f["file"], f["line"]) for f in errors] == [
        ("schema/enum", f"runs.jsonl:2:{column}: $.status", "runs.jsonl", 2)
    ]
    log = json.loads((out / FILES["sarif"]).read_text())
    assert sarif_errors(sarif_validator, log) == []
    located = [r for r in log["runs"][0]["results"] if r["ruleId"] == "schema/enum"]
    assert located[0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "runs.jsonl"},
        "region": {"startLine": 2, "startColumn": column, "endLine": 2, "endColumn": end},
    }
    from junitparser import JUnitXml

    suite = next(
        s for s in JUnitXml.fromfile(str(out / FILES["junit"])) if s.name.endswith("validate")
    )
    assert (suite.tests, suite.failures) == (1, 1)


def test_an_unknown_vendor_is_a_usage_error(tmp_path: Path) -> None:
    done = run("--vendor", "zapier", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        "runconform: error: unknown vendor 'zapier'; expected one of "
        "hatchet, knock, paragon, restack, xceptor\n"
    )


# -- progress ----------------------------------------------------------------------------------


def test_progress_is_drawn_by_rich_on_a_terminal(tmp_path: Path) -> None:
    """stderr is a real pseudo-terminal here, so rich draws its live per-stage display."""
    leader, follower = pty.openpty()
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", "TERM": "xterm"}
    proc = subprocess.Popen(
        [RUNCONFORM, "check", *QUICK, "--out", "out"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1.0)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert "\x1b[" in screen  # drawn with terminal control sequences, not printed lines
    for title in (
        "Lint the schema bundle: passed",
        "Contract-test the reference simulators: passed",
    ):
        assert title in screen
    assert "0:00:0" in screen  # rich's elapsed-time column


def test_credentials_in_a_base_url_reach_no_report_and_no_output(tmp_path: Path) -> None:
    secret = "sk_live_IN_THE_URL_7c6b5a"
    port = _closed_port()
    url = f"http://runner:{secret}@127.0.0.1:{port}/api?api_key={secret}"
    done = run(*QUICK, "--base-url", url, "--out", "out", cwd=tmp_path)
    assert done.returncode == 4
    shown = f"http://[REDACTED]@127.0.0.1:{port}/api?[REDACTED]"
    report = report_of(tmp_path / "out")
    assert report["inputs"] == [shown]
    assert (
        stages(report)["contract"]["message"] == f"knock: cannot reach {shown}: Connection refused"
    )
    written = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out").iterdir())
    assert secret not in written + done.stdout + done.stderr


@pytest.mark.parametrize(
    ("flags", "code", "junit_result"),
    [((), 2, "failure"), (("--allow-untested",), 0, "skipped")],
    ids=["untested-fails", "untested-allowed"],
)
def test_an_api_whose_run_ids_nobody_gave_is_untested_not_passed(
    tmp_path: Path, flags: tuple[str, ...], code: int, junit_result: str
) -> None:
    """A live xceptor API: its get operations meet only 404s, so nothing was checked."""
    from junitparser import JUnitXml

    from conformance.simulator import start

    quick = ("--vendor", "xceptor", "--fixtures", "5", "--max-examples", "3", *flags)
    with start("xceptor", seed=1, token="t0k3n-for-tests") as sim:
        done = run(
            *quick,
            *("--base-url", sim.url, "--header", "Authorization: Bearer t0k3n-for-tests"),
            *("--out", "out"),
            cwd=tmp_path,
        )
    assert done.returncode == code, done.stderr
    contract = stages(report_of(tmp_path / "out"))["contract"]
    assert (contract["status"], contract["exit_code"]) == (("failed", 2) if code else ("passed", 0))
    assert contract["message"] == (
        "xceptor: 2 operations untested: give them data, or accept them with --allow-untested"
        if code
        else None
    )
    assert [(t["passed"], t["failed"], t["untested"]) for t in contract["tallies"]] == [
        (0, 1 if code else 0, 1)
    ] * 2
    untested = [f for f in contract["findings"] if f["rule"] == "contract/untested"]
    assert [f["message"] for f in untested] == [
        "untested (3 calls, statuses [404]): no response body was checked against a run schema;"
        f" give it data: {wanted} (with `runconform contract xceptor`)"
        for wanted in (
            "--path-param workflowId=VALUE",
            "--path-param workflowId=VALUE --path-param runId=VALUE",
        )
    ]
    suite = next(
        s for s in JUnitXml.fromfile(str(tmp_path / "out" / FILES["junit"])) if "contract" in s.name
    )
    operations = {f["subject"] for f in untested}  # skipped operations are cases too
    verdicts = [case.result[0] for case in suite if case.name in operations]
    assert [type(v).__name__.lower() for v in verdicts] == [junit_result] * 2
    assert all(v.message == f["message"] for v, f in zip(verdicts, untested, strict=True))
    if code:
        assert {v.type for v in verdicts} == {"untested"}


def test_the_mappings_stage_fails_on_a_fixture_that_does_not_map(monkeypatch) -> None:
    """Defect injected: sparse (minimal) runs that lack the canonical run's workflow.
    The stage must say so, not excuse them as 'unmappable by design'."""
    import conformance.generate as fixtures
    from conformance.check.generated import mappings_stage
    from conformance.check.options import CheckOptions

    real = fixtures.generate
    monkeypatch.setattr(fixtures, "generate", lambda *a, **k: real(*a, **k, minimal=True))
    stage, _ = mappings_stage(CheckOptions(vendors=("xceptor",), fixtures=50, seed=7))
    assert (stage.status, stage.exit_code) == ("failed", 1)
    messages = {f.message for f in stage.findings if f.keyword == "round-trip"}
    assert (
        "xceptor.WorkflowRun: required source /workflow_id (canonical workflow) is missing"
        in messages
    ), messages


def test_a_finding_in_a_record_without_lines_keeps_its_label(tmp_path: Path) -> None:
    """A Postman response has no line: check's finding names it by its label, as validate does."""
    collection = json.loads(
        (REPO / "contracts/recordings/paragon/runs.postman_collection.json").read_text()
    )
    response = collection["item"][0]["item"][0]["response"][0]
    body = json.loads(response["body"])
    body["workflowExecutions"][0]["status"] = "exploded"
    response["body"] = json.dumps(body)
    path = tmp_path / "runs.postman_collection.json"
    path.write_text(json.dumps(collection))

    stage = validation_stage("validate", "Validate", validate_records([path]), time.monotonic())

    [finding] = [f for f in stage.findings if f.keyword == "enum"]
    label = (
        "folder 'Task history' / item 'List workflow executions, newest first' / response '200 OK'"
    )
    assert location(finding) == f"{path}:{label}: $.workflowExecutions[0].status"
