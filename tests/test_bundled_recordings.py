"""The bundled example recordings (`contracts/recordings/`): what `runconform check` validates.

They are made by `tools/record_examples.py` from the reference simulators, one recording
format per vendor. These tests keep them readable, routed or identified to the right objects
and conforming, whatever changes later in the readers, the contracts or the schemas: a
bundled example that fails `check` would make every user's first run look broken.
Local files only; no simulator, no network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conformance.bundle.resources import contracts_dir
from conformance.records import RECORDING_SUFFIXES, ReadProblem, Record, detect_format, read_records
from conformance.validation.engine import ValidationOptions, validate_records

RECORDINGS = contracts_dir() / "recordings"

#: vendor -> (its one format, the objects its records are, how their schema is chosen)
BUNDLED: dict[str, tuple[str, set[str], str]] = {
    "hatchet": (
        "vcr",
        {"hatchet.V1TaskSummaryList", "hatchet.V1WorkflowRunDetails", "hatchet.V1TaskStatus"},
        "contract",
    ),
    "knock": (
        "har",
        {"knock.ListWorkflowRecipientRunsResponse", "knock.WorkflowRecipientRunDetail"},
        "contract",
    ),
    "paragon": ("postman", {"paragon.WorkflowExecutionList"}, "contract"),
    "restack": ("yaml", {"restack.WorkflowRunStatus", "restack.AgentRunStatus"}, "identified"),
    "xceptor": ("jsonl", {"xceptor.WorkflowRun"}, "identified"),
}

#: The run statuses each vendor's examples show (queued, running and finished runs).
STATUSES = {
    "hatchet": {"QUEUED", "RUNNING", "COMPLETED", "FAILED"},
    "knock": {"queued", "processing", "completed", "cancelled"},
    "paragon": {"SUCCEEDED", "FAILED"},
    "restack": {"queued", "running", "completed", "failed"},
    "xceptor": {"pending", "running", "completed", "failed", "cancelled"},
}

VENDORS = sorted(BUNDLED)


def recording_files(folder: Path = RECORDINGS) -> list[Path]:
    """The files a directory walk reads (hidden entries and other suffixes are skipped)."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and p.name.lower().endswith(RECORDING_SUFFIXES)
    )


def statuses_of(value: Any) -> set[str]:
    """Strings under `status` keys, at any depth; a bare string is a status (Hatchet's)."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return set().union(*map(statuses_of, value)) if value else set()
    if not isinstance(value, dict):
        return set()
    found: set[str] = set()
    for key, child in value.items():
        if key == "status" and isinstance(child, str):
            found.add(child)
        elif isinstance(child, (dict, list)):
            found |= statuses_of(child)
    return found


def test_every_vendor_has_recordings_and_nothing_else_is_bundled() -> None:
    folders = sorted(p.name for p in RECORDINGS.iterdir() if p.is_dir())
    assert folders == VENDORS
    for vendor in VENDORS:
        assert recording_files(RECORDINGS / vendor), f"no recording for {vendor}"


def test_the_formats_shown_are_exactly_the_five_readers() -> None:
    formats = {detect_format(p) for p in recording_files()}
    assert formats == {"vcr", "har", "yaml", "postman", "jsonl"}


@pytest.mark.parametrize("vendor", VENDORS)
def test_each_vendor_is_in_its_own_format(vendor: str) -> None:
    found = {p.name: detect_format(p) for p in recording_files(RECORDINGS / vendor)}
    assert set(found.values()) == {BUNDLED[vendor][0]}, found


@pytest.mark.parametrize("vendor", VENDORS)
def test_read_without_problems(vendor: str) -> None:
    items = list(read_records(RECORDINGS / vendor))
    problems = [str(item) for item in items if isinstance(item, ReadProblem)]
    assert problems == []
    assert len(items) >= 4  # several calls each, not a token file


@pytest.mark.parametrize("vendor", VENDORS)
def test_routed_to_the_vendor_objects_and_conforming(vendor: str) -> None:
    _, objects, chosen_by = BUNDLED[vendor]
    strict = ValidationOptions(
        strict=True
    )  # `check --strict` validates them so: no invariant, no drift
    results = list(
        validate_records(RECORDINGS / vendor, vendor=vendor, identify=True, options=strict)
    )
    errors = [
        f"{result.locator}: {finding.kind}: {finding.message}"
        for result in results
        for finding in result.findings
        if finding.severity == "error"
    ]
    assert errors == []
    assert {result.schema for result in results} == objects
    assert {result.chosen_by for result in results} == {chosen_by}


@pytest.mark.parametrize("vendor", VENDORS)
def test_shape_alone_finds_the_vendor(vendor: str) -> None:
    """Without the --vendor hint, every record still lands on one of the vendor's objects."""
    results = list(validate_records(RECORDINGS / vendor, identify=True))
    assert {result.schema for result in results} == BUNDLED[vendor][1]
    assert all(result.ok for result in results)


@pytest.mark.parametrize("vendor", VENDORS)
def test_runs_show_several_statuses(vendor: str) -> None:
    shown: set[str] = set()
    for item in read_records(RECORDINGS / vendor):
        assert isinstance(item, Record)
        shown |= statuses_of(item.payload)
    assert STATUSES[vendor] <= shown


@pytest.mark.parametrize("path", recording_files(), ids=lambda p: p.parent.name)
def test_small_and_free_of_credentials(path: Path) -> None:
    data = path.read_bytes()
    assert len(data) < 100_000
    text = data.decode("utf-8").lower()
    for secret in ("authorization", "bearer ", "api_key", "apikey", "x-api-key", "token="):
        assert secret not in text, f"{path.name} mentions {secret!r}"
