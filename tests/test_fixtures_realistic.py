"""Generated runs are realistic by default, and sparse (but valid and sane) with `minimal`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from conformance.generate import generate, run_factory, strategy, write_fixtures
from conformance.mapping.spec import ObjectSpec, shipped_objects
from conformance.validation.instants import get
from conformance.validation.semantics import check_invariants, load_profiles
from conformance.validation.validators import validators_for

PROFILES = load_profiles()
#: Every object whose fixtures contain runs with a status (the object, its rows, its children).
RUN_HOLDERS = sorted(
    name
    for name, profile in PROFILES.items()
    if "status" in profile
    or any(PROFILES[c["profile"]].get("status") for c in profile.get("children", ()))
)
#: A mapped field the vendor does not require: `minimal` fixtures sometimes lack it.
SPARSE = [("xceptor.WorkflowRun", "workflow_id"), ("paragon.WorkflowExecution", "workflowId")]
QUICK = settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _runs(obj: Any, name: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The object and every run below it (list rows, steps, tasks), each with its profile."""
    profile = PROFILES.get(name, {})
    if not isinstance(obj, dict):
        return
    yield name, obj
    for child in profile.get("children", ()):
        value = get(obj, child.get("items") or child["item"])
        for item in value if "items" in child and isinstance(value, list) else [value]:
            yield from _runs(item, child["profile"])


def _lacking(run: dict[str, Any], name: str) -> list[str]:
    """What a real response of `name` always carries that `run` lacks."""
    profile = PROFILES[name]
    status = get(run, profile["status"]) if "status" in profile else None
    if status is None:
        return []
    spec = shipped_objects().get(name)
    wanted = [profile["id"]] if "id" in profile else []
    if isinstance(spec, ObjectSpec):  # the sources of the canonical run's required fields
        wanted += [r.source for r in spec.rules if r.target in ("id", "workflow", "status")]
    wanted += [profile[r] for r in ("created",) if r in profile]
    if str(status).lower() not in ("queued", "pending") and "started" in profile:
        wanted.append(profile["started"])  # a run that left the queue has a start time
    if status in profile.get("terminal", ()) and "finished" in profile:
        wanted.append(profile["finished"])
    return [p for p in wanted if get(run, p) is None]


@pytest.mark.parametrize("name", RUN_HOLDERS)
def test_default_runs_carry_id_workflow_status_and_implied_times(name: str) -> None:
    lacking = [
        (index, inner, pointer)
        for index, obj in enumerate(generate(name, 200, 7))
        for inner, run in _runs(obj, name)
        for pointer in _lacking(run, inner)
    ]
    assert lacking == []


@pytest.mark.parametrize(("name", "field"), SPARSE)
def test_minimal_runs_are_sparse_but_valid_and_sane(name: str, field: str) -> None:
    validators = validators_for(name)
    runs = list(generate(name, 200, 7, minimal=True))
    assert any(field not in run for run in runs)
    assert all(field in run for run in generate(name, 200, 7))
    assert all(validators.fast.is_valid(r) and validators.fast_strict.is_valid(r) for r in runs)
    assert [r for r in runs if check_invariants(r, name)] == []


def test_minimal_runs_may_lack_the_times_their_status_implies() -> None:
    running = [
        r for r in generate("xceptor.WorkflowRun", 200, 7, minimal=True) if r["status"] == "running"
    ]
    assert any("started_at" not in r for r in running)
    default = [r for r in generate("xceptor.WorkflowRun", 200, 7) if r["status"] == "running"]
    assert default and all("started_at" in r for r in default)


def test_minimal_through_run_factory_and_write_fixtures(tmp_path: Path) -> None:
    name = "xceptor.WorkflowRun"
    expected = list(generate(name, 30, 5, minimal=True))
    assert run_factory(name, seed=5, minimal=True) == expected[0]
    assert run_factory(name, seed=5) == next(generate(name, 1, 5))
    out = tmp_path / "runs.jsonl"
    write_fixtures(name, 30, 5, "jsonl", out, minimal=True)
    assert [json.loads(line) for line in out.read_text().splitlines()] == expected
    write_fixtures(name, 30, 5, "jsonl", out)
    assert [json.loads(line) for line in out.read_text().splitlines()] == list(
        generate(name, 30, 5)
    )


@pytest.mark.parametrize("minimal", [False, True])
def test_strategy_minimal(minimal: bool) -> None:
    seen: list[dict[str, Any]] = []

    @QUICK
    @given(strategy("xceptor.WorkflowRun", minimal=minimal))
    def check(run: dict[str, Any]) -> None:
        seen.append(run)
        assert check_invariants(run, "xceptor.WorkflowRun") == ()

    check()
    assert any("workflow_id" not in r for r in seen) is minimal


def test_cli_default_fixtures_map_and_minimal_ones_need_not(run_cli, tmp_path: Path) -> None:
    default, sparse = tmp_path / "x.jsonl", tmp_path / "m.jsonl"
    code, _, _ = run_cli(
        "fixtures", "xceptor.WorkflowRun", "-n", "200", "--seed", "7", "--out", str(default)
    )
    assert code == 0
    code, _, err = run_cli("map", str(default), "--from", "xceptor.WorkflowRun")
    assert (code, err.splitlines()[-1]) == (
        0,
        "200 runs written; 0 records could not be mapped; 0 unreadable inputs",
    )
    args = (
        "fixtures",
        "xceptor.WorkflowRun",
        "-n",
        "200",
        "--seed",
        "7",
        "--minimal",
        "--out",
        str(sparse),
    )
    assert run_cli(*args)[0] == 0
    code, _, err = run_cli("map", str(sparse), "--from", "xceptor.WorkflowRun")
    assert code == 1
    message = (
        "error: xceptor.WorkflowRun: required source /workflow_id (canonical workflow) is missing"
    )
    lines = err.splitlines()
    assert lines[-1].endswith(" records could not be mapped; 0 unreadable inputs")
    assert any(
        re.fullmatch(rf"{re.escape(str(sparse))}:\d+: {re.escape(message)}", line) for line in lines
    )


def test_cli_minimal_with_a_scenario_is_refused(run_cli) -> None:
    code, out, err = run_cli("fixtures", "--scenario", "failed", "--minimal")
    assert (code, out) == (2, "")
    assert (
        err
        == "runconform: error: --minimal applies to NAME fixtures; a --scenario sets its own fields\n"
    )
