"""Identified, then judged: `--identify` gives the verdict that naming the object gives.

Identification reads the shape alone, so a broken record is still identified as what it
is and fails as itself, never passes as another object it happens to satisfy. For every
listed object, valid and negative fixtures are judged both ways and must agree; the few
records whose shape cannot say what they are (listed below, with why) must be reported
as not identified (exit 2), and nothing else may be.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import example

from conformance.bundle.catalog import load_catalog
from conformance.cli import main
from conformance.generate import generate
from conformance.records import Locator, Record
from conformance.validation.engine import ValidationOptions, validate, validate_record

SEED = 20261120
VALID, NEGATIVE = 30, 60
NAMES = load_catalog().names()


def vendor_for(name: str) -> str | None:
    """runconform's own objects are candidates only when asked for by vendor."""
    return "canonical" if name.startswith("canonical.") else None


def identified(instance: Any, name: str, options: ValidationOptions | None = None) -> Any:
    record = Record(Locator("fixture", 0, None, name), instance)
    return validate_record(record, identify=True, vendor=vendor_for(name), options=options)


# -- the three false verdicts of issue 12 ------------------------------------------------------


def fixture(name: str, **changes: Any) -> dict[str, Any]:
    (instance,) = generate(name, 1, seed=1)
    return {**instance, **changes}


def test_a_task_summary_with_a_bad_task_id_fails_as_a_task_summary() -> None:
    """It used to pass as a hatchet.V1WorkflowRun, which it still satisfied."""
    result = identified(fixture("hatchet.V1TaskSummary", taskId="x"), "hatchet.V1TaskSummary")
    assert (result.schema, result.chosen_by, result.ok) == (
        "hatchet.V1TaskSummary",
        "identified",
        False,
    )
    assert [(f.kind, f.keyword, f.pointer) for f in result.findings] == [
        ("schema", "type", "/taskId")
    ]


def test_a_knock_run_with_an_unknown_status_fails_on_its_status() -> None:
    """It used to be 'could not identify' (exit 2): the enum took part in identification."""
    run = fixture("knock.WorkflowRecipientRun", status="exploded")
    result = identified(run, "knock.WorkflowRecipientRun")
    assert result.schema == "knock.WorkflowRecipientRun"
    assert [(f.kind, f.keyword, f.pointer) for f in result.findings] == [
        ("schema", "enum", "/status")
    ]


def test_hello_is_never_a_run() -> None:
    result = identified({"hello": 1}, "none")
    assert result.schema is None
    assert [(f.keyword, f.message) for f in result.findings] == [
        (
            "no-schema",
            "could not identify the object by its shape (closest: none); give --schema",
        )
    ]


def test_too_close_to_call_is_a_routing_finding_naming_the_candidates() -> None:
    result = identified({"rows": [], "pagination": {"current_page": 1}}, "none")
    assert result.schema is None
    assert [(f.severity, f.kind, f.keyword, f.message) for f in result.findings] == [
        (
            "error",
            "routing",
            "no-schema",
            "too close to call: hatchet.V1TaskEventList (1.00), hatchet.V1TaskSummaryList "
            "(1.00), hatchet.V1TaskTimingList (1.00), hatchet.V1WorkflowRunDisplayNameList "
            "(1.00): the keys present (pagination, rows) fit each of them, and rows is empty; "
            "give --schema",
        )
    ]


def test_hello_is_not_a_run_when_named_either() -> None:
    """Xceptor's and Paragon's runs require nothing, so `{"hello": 1}` used to conform."""
    for name in ("xceptor.WorkflowRun", "paragon.WorkflowExecution"):
        result = validate({"hello": 1}, name, strict=True)
        assert not result.ok
        invariants = [f for f in result.findings if f.kind == "invariant"]
        assert [(f.severity, f.keyword, f.pointer, f.message) for f in invariants] == [
            ("error", "run-identity", "", "not a run: /id and /status are missing")
        ]


@pytest.mark.parametrize("name", ["xceptor.WorkflowRun", "paragon.WorkflowExecution"])
def test_a_run_without_its_id_and_status_is_not_identified_as_that_run(name: str) -> None:
    """It used to be identified as the run, and conform: the run requires nothing."""
    instance = {k: v for k, v in example(name).items() if k not in ("id", "status")}
    assert identified(instance, name).schema != name


@pytest.mark.parametrize(
    ("name", "changes", "code", "first_line"),
    [
        (
            "hatchet.V1TaskSummary",
            {"taskId": "x"},
            1,
            'bug.json:1{at}: $.taskId: error: "x" is not of type integer [type]',
        ),
        (
            "knock.WorkflowRecipientRun",
            {"status": "exploded"},
            1,
            'bug.json:1{at}: $.status: error: "exploded" is not one of: "queued", "processing", '
            '"paused", "completed", "cancelled" [enum]',
        ),
        (
            None,
            {"hello": 1},
            2,
            "bug.json:1: $: error: could not identify the object by its shape (closest: none); "
            "give --schema [no-schema]",
        ),
    ],
    ids=["task-id", "knock-status", "hello"],
)
def test_validate_identify_on_the_issue_inputs(
    name: str | None,
    changes: dict[str, Any],
    code: int,
    first_line: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    text = json.dumps(fixture(name, **changes) if name else changes)
    Path("bug.json").write_text(text)
    ((key, value),) = changes.items()
    member = f"{json.dumps(key)}: "  # a finding is at the bad value; "no schema" at the record
    at = f":{text.index(member + json.dumps(value)) + len(member) + 1}" if name else ""
    assert main(["validate", "bug.json", "--identify"]) == code
    assert capsys.readouterr().out.splitlines()[0] == first_line.format(at=at)


# -- every listed object, valid and broken ------------------------------------------------------

STEP_AND_RUN = {"status", "started_at", "completed_at", "error"}
RESTACK_RUN_KEYS = {"runId", "workflowName", "agentName", "status", "input", "output", "error"}
RESTACK_RUN_KEYS |= {"createdAt", "completedAt"}


def _rowless_hatchet_list(instance: Any) -> bool:
    if not isinstance(instance, dict):
        return False
    rows = instance.get("rows")
    with_keys = isinstance(rows, list) and any(isinstance(r, dict) and r for r in rows)
    return set(instance) <= {"rows", "pagination"} and not with_keys


# Records whose shape cannot say which object they are: reported as not identified
# (exit 2, "too close to call" naming the object when rivals score alike, else "could not
# identify"), never as an object they would pass as. Nothing else may be unidentified.
AMBIGUOUS: dict[str, Callable[[Any], bool]] = {
    # a scalar has no shape: only a value of the listed enum (hatchet.V1TaskStatus) says
    # what it is; a negative one ("not-a-valid-value") or a root of the wrong type is nothing
    "not an object": lambda i: not isinstance(i, dict),
    # {}, {"status": ...}, a list without its items ({"pagination": ...}, {"page_info": ...},
    # {"nextLink": null}): one key that many objects have, or one of two that make a list
    "one key or none": lambda i: isinstance(i, dict) and len(i) <= 1,
    # {"rows": [], "pagination": {...}}: the rows are what tells the Hatchet lists apart
    "a hatchet list whose rows carry no keys": _rowless_hatchet_list,
    # an Xceptor step result and a run share these keys; without the run's id or the
    # step's name there is nothing to tell them apart
    "only the keys an xceptor step and run share": lambda i: (
        isinstance(i, dict) and set(i) <= STEP_AND_RUN
    ),
    # a Restack run without its workflowName or agentName (the only key that tells a
    # workflow run from an agent run), or without its runId (its other keys are shared by
    # both kinds and by other vendors' runs)
    "a restack run without its name or its id": lambda i: (
        isinstance(i, dict)
        and set(i) <= RESTACK_RUN_KEYS
        and ("runId" not in i or not {"workflowName", "agentName"} & set(i))
    ),
}

# A negative fixture whose removed required key was the only thing that told it from
# another object is now, exactly, that other object (every key its property, nothing it
# requires missing): identification names that object, and rightly so.
BECOMES = {
    ("knock.WorkflowRecipientRunDetail", "knock.WorkflowRecipientRun"),  # without events
    ("restack.WorkflowRunStatus", "restack.WorkflowRunResponse"),  # {runId, status} only
    ("hatchet.V1TaskSummaryList", "hatchet.V1TaskEventList"),  # rows removed
    ("hatchet.V1TaskTimingList", "hatchet.V1TaskEventList"),
}


def _cases(name: str) -> list[tuple[str, str, Any]]:
    """(label, keyword, instance): 30 valid fixtures, then 60 negative ones."""
    valid = [("valid", "", i) for i in generate(name, VALID, seed=SEED)]
    broken = [
        (f.rule, f.keyword, f.instance)
        for f in generate(name, NEGATIVE, seed=SEED + 1, valid=False)
    ]
    return valid + broken


@pytest.mark.parametrize("name", NAMES)
def test_identify_gives_the_verdict_the_name_gives(name: str) -> None:
    for label, keyword, instance in _cases(name):
        options = ValidationOptions(strict=label.startswith("invariant:"))
        expected = validate(instance, name, options=options).ok
        assert expected == (label == "valid"), label  # the fixtures are what they say
        result = identified(instance, name, options)
        context = (label, json.dumps(instance)[:300], [f.message for f in result.findings])
        if result.schema == name:
            assert result.chosen_by == "identified", context
            assert result.ok == expected, context
            continue
        if result.schema is not None:  # identified as another object: only if it now is one
            assert keyword == "required" and (name, result.schema) in BECOMES, context
            continue
        excuses = [why for why, applies in AMBIGUOUS.items() if applies(instance)]
        assert excuses, context  # unidentified without a listed reason
        (finding,) = result.findings
        assert finding.keyword == "no-schema", context
        if finding.message.startswith("too close to call: "):
            assert f"{name} (" in finding.message, context


def test_the_identify_command_says_too_close_to_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("list.json").write_text(json.dumps({"rows": [], "pagination": {"current_page": 1}}))
    assert main(["identify", "list.json"]) == 1
    assert capsys.readouterr().out == (
        "list.json:1: unknown (too close to call: hatchet.V1TaskEventList (1.00), "
        "hatchet.V1TaskSummaryList (1.00), hatchet.V1TaskTimingList (1.00), "
        "hatchet.V1WorkflowRunDisplayNameList (1.00): the keys present (pagination, rows) fit "
        "each of them, and rows is empty)\n"
    )
