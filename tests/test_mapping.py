"""Mappings to the canonical run: examples, round trips, properties, static checks, mutations."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import example

from conformance.errors import BundleError, ExitCode
from conformance.generate import generate
from conformance.mapping import (
    TRANSFORMS,
    MappingError,
    from_canonical,
    object_spec,
    to_canonical,
    to_canonical_items,
)
from conformance.mapping.spec import ListSpec, mappings_dir, shipped_objects
from conformance.mapping.spec_checks import check_mappings
from conformance.mapping.transforms import ABSENT, get
from conformance.report.text import finding_line
from conformance.validation.engine import validate
from conformance.validation.instants import parse_instant
from conformance.validation.semantics import check_invariants

RUN_OBJECTS = [
    "hatchet.V1WorkflowRun",
    "hatchet.V1TaskSummary",
    "knock.WorkflowRecipientRun",
    "paragon.WorkflowExecution",
    "restack.WorkflowRunStatus",
    "xceptor.WorkflowRun",
]
LISTS = [
    "hatchet.V1TaskSummaryList",
    "knock.ListWorkflowRecipientRunsResponse",
    "paragon.WorkflowExecutionList",
    "xceptor.WorkflowRunList",
]
N_FIXTURES = 500
SEED = 7


def _allowed_violations(name: str) -> set[str]:
    """None: a source that cannot express an end time says so in source.unexpressed."""
    return set()


# -- examples -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", RUN_OBJECTS)
def test_examples_map_to_valid_canonical_runs(name: str) -> None:
    run = to_canonical(example(name), name)
    assert validate(run, "canonical.WorkflowRun").ok
    vendor, obj = name.split(".")
    unexpressed = sorted(object_spec(name).cannot_express_fields)
    assert run["source"] == {
        "vendor": vendor,
        "object": obj,
        **({"unexpressed": unexpressed} if unexpressed else {}),
    }


def test_xceptor_example_exact() -> None:
    assert to_canonical(example("xceptor.WorkflowRun"), "xceptor.WorkflowRun") == {
        "id": "5d2c1b0a-9e8f-4a7b-b6c5-d4e3f2a1b0c9",
        "workflow": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
        "status": "failed",
        "trigger": {"kind": "schedule", "source_value": "schedule"},
        "started_at": "2026-11-20T06:00:00Z",
        "finished_at": "2026-11-20T06:00:42Z",
        "duration_ms": 42000,
        "input": {"valuation_date": "2026-11-19"},
        "error": {"message": "step reconcile failed", "code": "STEP_FAILED"},
        "step_count": 2,
        "steps": [
            {
                "id": "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e",
                "name": "load-trades",
                "status": "succeeded",
                "started_at": "2026-11-20T06:00:00Z",
                "finished_at": "2026-11-20T06:00:20Z",
            },
            {
                "id": "c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f",
                "name": "reconcile",
                "status": "failed",
                "started_at": "2026-11-20T06:00:20Z",
                "finished_at": "2026-11-20T06:00:42Z",
                "error": "14 trades did not match the custodian file",
            },
        ],
        "source": {
            "vendor": "xceptor",
            "object": "WorkflowRun",
            "unexpressed": [
                "attempt",
                "created_at",
                "metadata",
                "output",
                "parent_run_id",
                "subject",
                "tenant",
                "updated_at",
                "workflow_name",
            ],
        },
    }


def test_knock_example_exact() -> None:
    assert to_canonical(example("knock.WorkflowRecipientRun"), "knock.WorkflowRecipientRun") == {
        "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "workflow": "weekly-digest",
        "status": "succeeded",
        "trigger": {"kind": "schedule", "source_value": "schedule"},
        "created_at": "2026-11-20T10:00:00Z",
        "updated_at": "2026-11-20T10:00:04Z",
        "error": {"count": 0},
        "subject": "projects/project_123",
        "parent_run_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
        "source": {
            "vendor": "knock",
            "object": "WorkflowRecipientRun",
            "unexpressed": [
                "attempt",
                "duration_ms",
                "finished_at",
                "input",
                "metadata",
                "output",
                "started_at",
                "step_count",
                "steps",
                "workflow_name",
            ],
        },
    }


@pytest.mark.parametrize("name", LISTS)
def test_lists_map_item_by_item(name: str) -> None:
    listing = example(name)
    runs = to_canonical_items(listing, name)
    spec_items = {
        "hatchet.V1TaskSummaryList": "rows",
        "knock.ListWorkflowRecipientRunsResponse": "items",
        "paragon.WorkflowExecutionList": "workflowExecutions",
        "xceptor.WorkflowRunList": "data",
    }[name]
    assert [r["id"] for r in runs] == [(i.get("metadata") or i)["id"] for i in listing[spec_items]]


# -- bad input ------------------------------------------------------------------------------


def test_non_conforming_input_is_refused_with_the_field() -> None:
    task = example("hatchet.V1TaskSummary")
    task["status"] = "DONE"
    with pytest.raises(MappingError) as info:
        to_canonical(task, "hatchet.V1TaskSummary")
    assert info.value.message.startswith(
        "hatchet.V1TaskSummary: the input does not conform to its schema: $.status: "
    )
    assert info.value.exit_code == ExitCode.NON_CONFORMING


def test_missing_required_source_is_refused() -> None:
    execution = example("paragon.WorkflowExecution")
    del execution["workflowId"]
    with pytest.raises(MappingError, match=r"required source /workflowId \(canonical workflow\)"):
        to_canonical(execution, "paragon.WorkflowExecution")


def test_inexpressible_status_is_refused() -> None:
    run = to_canonical(example("xceptor.WorkflowRun"), "xceptor.WorkflowRun")
    with pytest.raises(MappingError) as info:
        from_canonical(
            {**run, "id": "0f8fad5b-d9cb-469f-a165-70867728950e"}, "knock.WorkflowRecipientRun"
        )
    assert info.value.message == (
        "knock cannot express status 'failed': Knock has no failed state "
        "(a run with errors still completes; see error_count)"
    )


def test_from_canonical_fills_documented_defaults() -> None:
    run = to_canonical(example("restack.WorkflowRunStatus"), "restack.WorkflowRunStatus")
    run["id"] = "0f8fad5b-d9cb-469f-a165-70867728950e"
    knock = from_canonical(run, "knock.WorkflowRecipientRun")
    assert knock["__typename"] == "WorkflowRecipientRun"
    assert validate(knock, "knock.WorkflowRecipientRun", strict=True).ok


# -- properties over generated fixtures ----------------------------------------------------


def _mapped_pointers(name: str, original: dict[str, Any]) -> list[str]:
    """The vendor pointers a spec maps both ways, expanded for the items of arrays."""
    pointers = []
    for rule in object_spec(name).rules:
        transform = TRANSFORMS[rule.transform]
        if transform.inverse is None or rule.source is None:
            continue
        if rule.transform == "steps":
            items = get(original, rule.source)
            for i in range(len(items) if items is not ABSENT else 0):
                pointers += [f"{rule.source}/{i}{p}" for p in rule.args["item"].values()]
        elif transform.covers is not None:
            pointers += [rule.source + c for c in transform.covers]
        else:
            pointers.append(rule.source)
    return pointers


@pytest.mark.parametrize("name", sorted(shipped_objects()))
def test_every_default_fixture_maps_to_canonical_and_back(name: str) -> None:
    """Default fixtures carry what real runs carry, so all of them map (`--minimal` ones may not)."""
    spec = shipped_objects()[name]
    item = spec.item if isinstance(spec, ListSpec) else name
    failures, runs = [], 0
    for index, obj in enumerate(generate(name, 200, seed=7)):
        try:
            for run in to_canonical_items(obj, name):
                assert to_canonical(from_canonical(run, item), item) == run, index
                runs += 1
        except MappingError as exc:
            failures.append(f"fixture {index}: {exc.message}")
    assert failures == []
    assert runs >= 200


@pytest.mark.parametrize("name", RUN_OBJECTS)
def test_generated_fixtures_map_round_trip_and_keep_invariants(name: str) -> None:
    spec = object_spec(name)
    allowed = _allowed_violations(name)
    for obj in generate(name, N_FIXTURES, seed=SEED):
        run = to_canonical(obj, name)  # every default fixture maps (see the test above)
        assert validate(run, "canonical.WorkflowRun", drift=False).ok
        assert {v.keyword for v in check_invariants(run, "canonical.WorkflowRun")} <= allowed
        _assert_times_agree(spec, obj, run)
        back = from_canonical(run, name)
        for pointer in _mapped_pointers(name, obj):
            if get(obj, pointer) is not ABSENT:  # absent ones may come back as documented defaults
                assert get(back, pointer) == get(obj, pointer), (pointer, obj, back)
        assert to_canonical(back, name) == run


def _assert_times_agree(spec: Any, obj: dict[str, Any], run: dict[str, Any]) -> None:
    for field in ("created_at", "started_at", "finished_at", "updated_at"):
        rule = spec.rule(field)
        if rule is not None:
            assert run.get(field, ABSENT) == get(obj, rule.source)
    if "started_at" in run and "finished_at" in run and "duration_ms" in run:
        span = parse_instant(run["finished_at"]) - parse_instant(run["started_at"])
        assert abs(run["duration_ms"] - span.total_seconds() * 1000) <= max(
            1000, span.total_seconds() * 10
        )


# -- static checks --------------------------------------------------------------------------


def test_shipped_mappings_pass_static_checks() -> None:
    report = check_mappings()
    assert report.ok, report.render()
    assert len(report.files) == 5


MUTATIONS = [
    pytest.param(
        "hatchet.yaml",
        " COMPLETED: succeeded,",
        "",
        "{file}:15: error: hatchet.V1WorkflowRun: /status value 'COMPLETED' is not in the status table "
        "[spec] (fix: add `COMPLETED: <canonical status>` to the table)",
        id="dropped-enum-value",
    ),
    pytest.param(
        "knock.yaml",
        "tenant: {from: /tenant}",
        "tenant: {from: /error_count}",
        "{file}:20: error: knock.WorkflowRecipientRun: tenant: source /error_count is integer but "
        "canonical tenant is string [spec] (fix: map a string field, or name a transform that converts it)",
        id="wrong-type",
    ),
    pytest.param(
        "restack.yaml",
        "created_at: {from: /createdAt}",
        "created_at: {from: /workflowName}",
        "{file}:12: error: restack.WorkflowRunStatus: created_at: canonical created_at is a date-time but "
        "/workflowName has no format date-time [spec] (fix: map a field with format date-time, or a "
        "transform that produces one)",
        id="wrong-format",
    ),
    pytest.param(
        "restack.yaml",
        "completed: succeeded",
        "completed: running",
        "{file}:11: error: restack.WorkflowRunStatus: terminal status 'completed' maps to non-terminal "
        "'running' [spec] (fix: map it to one of succeeded, failed, cancelled)",
        id="terminal-to-non-terminal",
    ),
    pytest.param(
        "knock.yaml",
        "id: {from: /id}",
        "id: {from: /idd}",
        "{file}:6: error: knock.WorkflowRecipientRun: id: pointer /idd does not exist in the vendor "
        "schema [spec] (fix: did you mean /id?)",
        id="pointer-typo",
    ),
    pytest.param(
        "paragon.yaml",
        "      workflow: {from: /workflowId}\n",
        "",
        "{file}:5: error: paragon.WorkflowExecution: required canonical field 'workflow' is neither "
        "mapped nor declared inexpressible [spec] (fix: map it in `fields`, or add `workflow: <reason>` "
        "under cannot_express.fields)",
        id="unmapped-required-field",
    ),
    pytest.param(
        "xceptor.yaml",
        "transform: count-items",
        "transform: count-itemz",
        "{file}:24: error: xceptor.WorkflowRun: unknown transform 'count-itemz' for step_count [spec] (fix: use "
        "one of: const, copy, count-items, count-to-error, derive-duration, error-from-object, "
        "error-from-string, ms, recipient-ref, status, steps, trigger)",
        id="unknown-transform",
    ),
    pytest.param(
        "knock.yaml",
        "      /actor: who",
        "      /actr: who",
        "{file}:41: error: knock.WorkflowRecipientRun: left_out pointer /actr does not exist in the "
        "vendor schema [spec] (fix: did you mean /actor?)",
        id="left-out-typo",
    ),
    pytest.param(
        "hatchet.yaml",
        "      /stepId: the DAG step definition, not the run\n",
        "",
        "{file}:{task_summary_left_out}: error: hatchet.V1TaskSummary: vendor property /stepId is "
        "neither mapped nor left "
        "out [spec] (fix: map it in `fields`, or add `/stepId: <reason>` to left_out)",
        id="unmapped-source-property",
    ),
    pytest.param(
        "paragon.yaml",
        "        cancelled: Paragon has no cancelled state\n",
        "",
        "{file}:11: error: paragon.WorkflowExecution: canonical status 'cancelled' is neither produced "
        "nor declared inexpressible [spec] (fix: map a vendor status to it, or add `cancelled: <reason>` "
        "under cannot_express.statuses)",
        id="undeclared-status",
    ),
]


def _mutated(tmp_path: Path, file: str, old: str, new: str) -> Path:
    for path in mappings_dir().glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    text = (tmp_path / file).read_text()
    assert old in text, old
    (tmp_path / file).write_text(text.replace(old, new, 1))
    return tmp_path / file


def _left_out_line(path: Path, name: str) -> int:
    """The line of `name`'s `left_out:` (an unmapped property is reported there)."""
    lines = path.read_text().splitlines()
    start = lines.index(f"  {name}:")
    return next(n for n, line in enumerate(lines, 1) if n > start and line == "    left_out:")


@pytest.mark.parametrize(("file", "old", "new", "expected"), MUTATIONS)
def test_mutation_is_caught(tmp_path: Path, file: str, old: str, new: str, expected: str) -> None:
    path = _mutated(tmp_path, file, old, new)
    report = check_mappings(tmp_path)
    assert not report.ok
    line = _left_out_line(tmp_path / "hatchet.yaml", "V1TaskSummary")
    found = expected.format(file=path, task_summary_left_out=line)
    assert found in [finding_line(p) for p in report.problems], report.render()


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = _mutated(tmp_path, "knock.yaml", "vendor: knock", "vendor: [knock")
    with pytest.raises(BundleError) as info:
        check_mappings(tmp_path)
    assert str(info.value) == (
        f"{path}: malformed YAML at line 3, column 8: expected ',' or ']', but got ':'"
    )
    assert info.value.exit_code == ExitCode.BUNDLE


def test_misshapen_spec_names_file_and_line(tmp_path: Path) -> None:
    path = _mutated(tmp_path, "restack.yaml", "    left_out: {}", "    left_out: {}\n    extra: 1")
    with pytest.raises(BundleError) as info:
        check_mappings(tmp_path)
    assert str(info.value) == (
        f"{path}: line 4: /objects/WorkflowRunStatus: Additional properties are not allowed "
        "('extra' was unexpected)"
    )
