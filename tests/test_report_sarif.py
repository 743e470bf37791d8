"""`check`'s SARIF as code scanning reads it: alerts only on the user's files, rules with help.

Findings about runconform's own bundle (lint of the bundled schemas, the fixture and mapping
self-checks) name files that are not in the scanned repository: they travel as the run's
tool configuration notifications, never as results with a location. Every rule carries the
help an alert shows, and every physical location has a region (Microsoft's SARIF validator).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from conftest import sarif_errors

from conformance.report.files import write_report
from conformance.report.findings import Finding
from conformance.report.model import Provenance, Report, StageResult, Tally

LINT = Finding(
    "info",
    "lint",
    "nothing-required",
    "",
    "nothing required",
    "",
    "x.Y",
    "lint",
    "schemas/x/Y.json",
)
FIXTURE = Finding("error", "schema", "type", "/a", "not a string", "", "x.Y", "fixtures")
MAPPING = Finding(
    "error", "mapping", "round-trip", "", "lost", "", "x.Y", "mappings", "mappings/x.yaml", 3
)
RECORD = Finding("error", "schema", "enum", "/status", "bad", "", "x.Y", "validate", "r.jsonl", 2)
LINELESS = Finding(
    "error", "schema", "required", "", "'id' is required", "", "x.Y", "validate", "c.har"
)
OPERATION = Finding(
    "error", "contract", "network", "", "refused", subject="GET /runs", stage="contract"
)


def _report() -> Report:
    stages = (
        StageResult("lint", "Lint", "passed", 0.1, (Tally("x.Y", 1, 0, "x"),), (LINT,)),
        StageResult(
            "validate",
            "Validate",
            "failed",
            0.2,
            (Tally("x.Y", 0, 2, "x"),),
            (RECORD, LINELESS),
            exit_code=1,
        ),
        StageResult("fixtures", "Fixtures", "failed", 0.1, (Tally("x.Y", 0, 1, "x"),), (FIXTURE,)),
        StageResult(
            "mappings", "Mappings", "failed", 0.1, (Tally("mapping files", 0, 1),), (MAPPING,)
        ),
        StageResult(
            "contract", "Contract", "failed", 0.3, (Tally("GET /runs", 0, 1, "x"),), (OPERATION,)
        ),
    )
    return Report("0", "2026-01-01T00:00:00Z", 0.8, 1, stages, Provenance("corrected", "0" * 64))


def _sarif(report: Report) -> Any:
    out = io.StringIO()
    write_report(report, "sarif", out)
    return json.loads(out.getvalue())


def test_bundle_findings_are_notifications_without_a_location(sarif_validator: Any) -> None:
    log = _sarif(_report())
    assert sarif_errors(sarif_validator, log) == []
    (run,) = log["runs"]
    assert [r["ruleId"] for r in run["results"]] == [
        "schema/enum",
        "schema/required",
        "contract/network",
    ]
    uris = [
        place["physicalLocation"]["artifactLocation"]["uri"]
        for r in run["results"]
        for place in r["locations"]
    ]
    assert uris == ["r.jsonl", "c.har"]
    notes = run["invocations"][0]["toolConfigurationNotifications"]
    assert [(n["descriptor"]["id"], n["level"]) for n in notes] == [
        ("lint/nothing-required", "note"),
        ("schema/type", "error"),
        ("mapping/round-trip", "error"),
    ]
    assert all("locations" not in n for n in notes)
    assert notes[0]["message"]["text"] == "schemas/x/Y.json#: nothing required"
    assert notes[2]["message"]["text"].startswith("mappings/x.yaml:3")
    driver = run["tool"]["driver"]
    assert [d["id"] for d in driver["notifications"]] == sorted(
        n["descriptor"]["id"] for n in notes
    )
    assert [d["id"] for d in driver["rules"]] == sorted(r["ruleId"] for r in run["results"])


def test_every_rule_has_help_and_every_location_a_region() -> None:
    run = _sarif(_report())["runs"][0]
    driver = run["tool"]["driver"]
    for descriptor in driver["rules"] + driver["notifications"]:
        for key in ("shortDescription", "fullDescription", "help"):
            assert descriptor[key]["text"].strip(), (descriptor["id"], key)
        assert descriptor["id"] in descriptor["fullDescription"]["text"]
    enum = next(d for d in driver["rules"] if d["id"] == "schema/enum")
    assert enum["shortDescription"]["text"] == (
        "A value in a record does not match the vendor's JSON Schema (enum)."
    )
    assert "The value must be one of the values the schema lists." in enum["help"]["text"]
    regions = [
        place["physicalLocation"].get("region")
        for r in run["results"]
        for place in r["locations"]
        if "physicalLocation" in place
    ]
    assert regions and all(region and region["startLine"] >= 1 for region in regions)
    lineless = next(r for r in run["results"] if r["ruleId"] == "schema/required")
    assert lineless["locations"][0]["physicalLocation"]["region"]["startLine"] == 1


def test_a_real_check_points_results_only_at_files_in_the_checked_folder(
    tmp_path: Path, sarif_validator: Any
) -> None:
    example = Path(__file__).parent / "data/examples/hatchet.V1WorkflowRun.json"
    run_object = json.loads(example.read_text())
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs/bad.json").write_text(json.dumps({**run_object, "status": "DONE"}))
    done = subprocess.run(
        [
            *(sys.executable, "-m", "conformance", "check", "runs", "--vendor", "hatchet"),
            *("--schema", "hatchet.V1WorkflowRun", "--fixtures", "1", "--report-dir", "out", "-q"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    log = json.loads((tmp_path / "out/runconform-check.sarif").read_text())
    assert sarif_errors(sarif_validator, log) == []
    report = json.loads((tmp_path / "out/runconform-check.json").read_text())
    by_stage = {s["name"]: len(s["findings"]) for s in report["stages"]}
    assert by_stage["lint"] > 0, "the bundle has lint notes to keep out of the results"
    run = log["runs"][0]
    assert len(run["results"]) == by_stage["validate"] + by_stage["contract"]
    notes = run["invocations"][0]["toolConfigurationNotifications"]
    assert len(notes) == by_stage["lint"] + by_stage["fixtures"] + by_stage["mappings"]
    for result in run["results"]:
        for place in result["locations"]:
            uri = place["physicalLocation"]["artifactLocation"]["uri"]
            assert (tmp_path / unquote(uri)).is_file(), f"{uri} is not in the checked folder"
